/* store_checkpoint.c — see store_checkpoint.h. */
#include "store_checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/mem.h"
#include "crc32c.h"

#define MAGIC "EDDYCKP1"
#define FLUSH_AT (1u << 20) /* write the file in ~1 MiB chunks */

/* ---- writing ---- */

/* Test-only fault counter (STYLE.md): with EDDY_FAULT_CHECKPOINT_KILL=N
 * in the environment, the process kills itself (SIGKILL, as kill -9) at
 * the Nth of the points a checkpoint write passes: half the entries
 * written, the file synced, the file renamed.  Crash tests use it to land
 * a kill inside a checkpoint for sure.  -1: not read yet. */
static int fault_kill_countdown = -1;

static void fault_point(void)
{
    if (fault_kill_countdown < 0) {
        const char *s = getenv("EDDY_FAULT_CHECKPOINT_KILL");
        fault_kill_countdown = s ? atoi(s) : 0;
    }
    if (fault_kill_countdown > 0 && --fault_kill_countdown == 0)
        raise(SIGKILL);
}

typedef struct writer {
    int fd;
    buf b;
    uint32_t crc;
    bool failed;
    size_t left; /* entries before the halfway fault point */
} writer;

static void put_u32(buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    buf_append(b, x, 4);
}

static void put_u64(buf *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

/* Writes out what the buffer holds (all of it, retrying short writes). */
static void writer_flush(writer *w)
{
    w->crc = crc32c_update(w->crc, w->b.data, w->b.len);
    for (size_t done = 0; !w->failed && done < w->b.len;) {
        ssize_t n = write(w->fd, w->b.data + done, w->b.len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            w->failed = true;
        else
            done += (size_t)n;
    }
    buf_reset(&w->b);
}

static void write_entry(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    writer *w = ctx;
    put_u32(&w->b, (uint32_t)klen);
    put_u32(&w->b, (uint32_t)vlen);
    buf_append(&w->b, key, klen);
    buf_append(&w->b, val, vlen);
    if (w->b.len >= FLUSH_AT)
        writer_flush(w);
    if (w->left && --w->left == 0) {
        writer_flush(w); /* a torn file on disk, then maybe the kill */
        fault_point();
    }
}

/* fsync of the directory holding `path`, so the rename is durable. */
static int sync_dir_of(const char *path)
{
    char *copy = mem_strdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    int rc = fd >= 0 && fsync(fd) == 0 ? 0 : -1;
    if (fd >= 0)
        close(fd);
    return rc;
}

static void make_parent(const char *path)
{
    char *copy = mem_strdup(path);
    mkdir(dirname(copy), 0777); /* EEXIST is fine; other errors show at open */
    free(copy);
}

int store_checkpoint_write(const char *path, uint64_t tag, const int64_t *marks, int nmarks, kvstore *const *stores,
                           int nstores, err *e)
{
    make_parent(path);
    buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s.tmp", path);
    writer w = {.fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), .crc = 0};
    w.failed = w.fd < 0;
    buf_append(&w.b, MAGIC, 8);
    put_u64(&w.b, tag);
    put_u32(&w.b, (uint32_t)nmarks);
    for (int i = 0; i < nmarks; i++)
        put_u64(&w.b, (uint64_t)marks[i]);
    put_u32(&w.b, (uint32_t)nstores);
    for (int s = 0; s < nstores; s++)
        w.left += kvstore_count(stores[s]);
    w.left = (w.left + 1) / 2;
    for (int s = 0; s < nstores && !w.failed; s++) {
        put_u64(&w.b, kvstore_count(stores[s]));
        kvstore_each(stores[s], write_entry, &w);
    }
    writer_flush(&w);
    put_u32(&w.b, w.crc);
    writer_flush(&w);
    int saved = errno;
    /* Synced before the rename: otherwise a power cut could leave the new
     * name pointing at a file whose data never reached the disk. */
    if (!w.failed && (fsync(w.fd) < 0 || close(w.fd) < 0)) {
        saved = errno;
        w.fd = -1;
        w.failed = true;
    } else if (!w.failed) {
        w.fd = -1;
        fault_point();
    }
    if (!w.failed && rename(tmp.data, path) < 0) {
        saved = errno;
        w.failed = true;
    }
    if (!w.failed)
        fault_point();
    if (!w.failed && sync_dir_of(path) < 0) {
        saved = errno;
        w.failed = true;
    }
    if (w.fd >= 0)
        close(w.fd);
    if (w.failed) {
        unlink(tmp.data);
        err_set(e, ERR_IO, "cannot write state checkpoint %s: %s", path, strerror(saved));
    }
    buf_free(&tmp);
    buf_free(&w.b);
    return w.failed ? -1 : 0;
}

/* ---- reading ---- */

typedef struct reader {
    const uint8_t *p, *end;
    bool bad;
} reader;

static uint32_t get_u32(reader *r)
{
    if (r->end - r->p < 4) {
        r->bad = true;
        return 0;
    }
    const uint8_t *p = r->p;
    r->p += 4;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(reader *r)
{
    uint64_t lo = get_u32(r);
    return lo | (uint64_t)get_u32(r) << 32;
}

/* The whole file in memory the caller frees, or NULL (errno set). */
static uint8_t *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        errno = saved;
        return NULL;
    }
    uint8_t *data = mem_alloc((size_t)st.st_size + 1);
    size_t done = 0;
    while (done < (size_t)st.st_size) {
        ssize_t n = read(fd, data + done, (size_t)st.st_size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break; /* shrunk meanwhile: the CRC check catches it */
        done += (size_t)n;
    }
    close(fd);
    *len = done;
    return data;
}

/* Loads the entries of one store; false when the lengths run past the end. */
static bool read_store(reader *r, kvstore *s)
{
    uint64_t count = get_u64(r);
    for (uint64_t i = 0; i < count && !r->bad; i++) {
        uint32_t klen = get_u32(r), vlen = get_u32(r);
        if (r->bad || (uint64_t)(r->end - r->p) < (uint64_t)klen + vlen)
            return false;
        kvstore_put(s, r->p, klen, r->p + klen, vlen);
        r->p += (size_t)klen + vlen;
    }
    return !r->bad;
}

int store_checkpoint_read(const char *path, uint64_t tag, int64_t *marks, int maxmarks, int *nmarks,
                          kvstore **stores, int nstores, err *e)
{
    size_t len = 0;
    uint8_t *data = read_file(path, &len);
    if (!data && errno == ENOENT)
        return 0;
    if (!data)
        return err_set(e, ERR_IO, "cannot read state checkpoint %s: %s", path, strerror(errno));
    int rc = -1;
    reader r = {data, data + (len >= 4 ? len - 4 : 0), false};
    reader crc = {r.end, data + len, false};
    if (len < 8 + 8 + 4 + 4 + 4 || memcmp(data, MAGIC, 8) || get_u32(&crc) != crc32c(data, len - 4)) {
        err_set(e, ERR_CORRUPT, "state checkpoint %s is damaged (torn or corrupt)", path);
        goto done;
    }
    r.p += 8;
    uint64_t got_tag = get_u64(&r);
    uint32_t n = get_u32(&r);
    if (got_tag != tag || n > (uint32_t)maxmarks) {
        err_set(e, ERR_INVALID, "state checkpoint %s belongs to another query", path);
        goto done;
    }
    for (uint32_t i = 0; i < n; i++)
        marks[i] = (int64_t)get_u64(&r);
    *nmarks = (int)n;
    if (get_u32(&r) != (uint32_t)nstores) {
        err_set(e, ERR_INVALID, "state checkpoint %s holds another number of stores", path);
        goto done;
    }
    bool ok = !r.bad;
    for (int s = 0; s < nstores && ok; s++)
        ok = read_store(&r, stores[s]);
    if (!ok || r.p != r.end)
        err_set(e, ERR_CORRUPT, "state checkpoint %s is damaged (bad lengths)", path);
    else
        rc = 1;
done:
    free(data);
    return rc;
}

void store_checkpoint_remove(const char *path)
{
    buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s.tmp", path);
    unlink(path);
    unlink(tmp.data);
    buf_free(&tmp);
}
