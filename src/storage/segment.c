/* segment.c — see segment.h. */
#include "segment.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/mem.h"
#include "batch.h"

#define SEGMENT_SCAN_CHUNK (1 << 20)

void segment_path(buf *b, const char *dir, int64_t base)
{
    buf_printf(b, "%s/%020" PRId64 ".log", dir, base);
}

/* Parses "<20 digits>.log"; false for any other name. */
static bool segment_parse_name(const char *name, int64_t *base)
{
    if (strlen(name) != 24 || strcmp(name + 20, ".log") != 0)
        return false;
    uint64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(name[i] - '0');
        if (v > INT64_MAX)
            return false;
    }
    *base = (int64_t)v;
    return true;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int segment_list(const char *dir, int64_t **bases, size_t *n, err *e)
{
    DIR *d = opendir(dir);
    if (!d)
        return err_set(e, ERR_IO, "cannot list %s: %s", dir, strerror(errno));
    size_t cap = 8;
    *bases = mem_alloc(cap * sizeof **bases);
    *n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        int64_t base;
        size_t len = strlen(de->d_name);
        if (len > 8 && strcmp(de->d_name + len - 8, ".cleaned") == 0) {
            /* A compaction cut short by a crash: the original segment is
             * still whole (the rename never happened), so drop the copy. */
            int dfd = dirfd(d);
            if (unlinkat(dfd, de->d_name, 0) < 0) {
                /* Harmless: it is ignored and truncated by the next pass. */
            }
            continue;
        }
        if (!segment_parse_name(de->d_name, &base))
            continue;
        if (*n == cap)
            *bases = mem_realloc(*bases, (cap *= 2) * sizeof **bases);
        (*bases)[(*n)++] = base;
    }
    closedir(d);
    qsort(*bases, *n, sizeof **bases, cmp_i64);
    return 0;
}

static segment *segment_open_flags(const char *dir, int64_t base, const char *suffix, int flags,
                                   err *e)
{
    buf path = BUF_INIT;
    segment_path(&path, dir, base);
    buf_puts(&path, suffix);
    int fd = open(path.data, flags | O_RDWR | O_CLOEXEC, 0644);
    if (fd < 0) {
        err_set(e, ERR_IO, "cannot open segment %s: %s", path.data, strerror(errno));
        buf_free(&path);
        return NULL;
    }
    buf_free(&path);
    segment *s = mem_alloc(sizeof *s);
    s->base = base;
    s->next_offset = base;
    s->max_ts = INT64_MIN;
    s->fd = fd;
    s->refs = 1;
    s->live = true;
    return s;
}

segment *segment_create(const char *dir, int64_t base, err *e)
{
    return segment_open_flags(dir, base, "", O_CREAT | O_EXCL, e);
}

segment *segment_open(const char *dir, int64_t base, const char *suffix, err *e)
{
    return segment_open_flags(dir, base, suffix, 0, e);
}

void segment_unref(segment *s)
{
    /* Atomic, so a reader can let go without the partition's mutex; a
     * reference is only ever taken under that mutex from a live segment
     * (whose count is >= 1), so the count never rises from 0. */
    if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s->idx);
    free(s);
}

void segment_index_note(segment *s, int64_t offset, int64_t pos, int64_t max_ts)
{
    bool due = s->nidx == 0 || pos - s->idx[s->nidx - 1].pos >= SEGMENT_INDEX_INTERVAL;
    if (due) {
        if (s->nidx == s->cap) {
            s->cap = s->cap ? s->cap * 2 : 16;
            s->idx = mem_realloc(s->idx, s->cap * sizeof *s->idx);
        }
        s->idx[s->nidx++] = (segment_index_entry){offset, pos, s->max_ts};
    }
    if (max_ts > s->max_ts)
        s->max_ts = max_ts;
}

void segment_index_cut(segment *s, int64_t pos)
{
    while (s->nidx > 0 && s->idx[s->nidx - 1].pos >= pos)
        s->nidx--;
}

int64_t segment_index_lookup_time(const segment *s, int64_t ts)
{
    size_t lo = 0, hi = s->nidx; /* answer: last entry in [0, lo) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->idx[mid].max_ts_before < ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? 0 : s->idx[lo - 1].pos;
}

int64_t segment_index_lookup(const segment *s, int64_t offset)
{
    size_t lo = 0, hi = s->nidx; /* answer: last entry in [0, lo) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->idx[mid].offset <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? 0 : s->idx[lo - 1].pos;
}

int segment_pread(int fd, void *p, size_t n, int64_t pos, err *e)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, (char *)p + done, n - done, (off_t)(pos + (int64_t)done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return err_set(e, ERR_IO, "read failed: %s", strerror(errno));
        if (r == 0)
            return err_set(e, ERR_CORRUPT, "segment ends at byte %" PRId64 ", before the data "
                           "that was committed", pos + (int64_t)done);
        done += (size_t)r;
    }
    return 0;
}

/* ---- scanning ---- */

/* A window of the file in memory, refilled in big chunks so a scan does
 * one read per chunk rather than one per batch. */
typedef struct scanner {
    int fd;
    int64_t file_size;
    uint8_t *data;
    size_t cap, len;
    int64_t pos; /* file position of data[0] */
} scanner;

/* Pointer to n bytes at pos, or NULL (e filled only on a read error, with
 * *io set) when they are not all in the file. */
static const uint8_t *scanner_at(scanner *sc, int64_t pos, size_t n, bool *io, err *e)
{
    *io = false;
    if (pos < 0 || (int64_t)n > sc->file_size - pos)
        return NULL;
    if (pos >= sc->pos && pos + (int64_t)n <= sc->pos + (int64_t)sc->len)
        return sc->data + (pos - sc->pos);
    size_t want = n > SEGMENT_SCAN_CHUNK ? n : SEGMENT_SCAN_CHUNK;
    if ((int64_t)want > sc->file_size - pos)
        want = (size_t)(sc->file_size - pos);
    if (want > sc->cap) {
        sc->cap = want;
        sc->data = mem_realloc(sc->data, want);
    }
    sc->len = 0;
    if (segment_pread(sc->fd, sc->data, want, pos, e) < 0) {
        *io = true;
        return NULL;
    }
    sc->pos = pos;
    sc->len = want;
    return sc->data;
}

typedef enum { BATCH_GOOD, BATCH_BAD, BATCH_IO } batch_check;

/* Checks the batch at pos: header, bounds, offset order, CRC. */
static batch_check scan_batch(scanner *sc, int64_t pos, int64_t expected, bool verify_crc,
                              batch_header *h, const char **why, err *e)
{
    bool io;
    const uint8_t *p = scanner_at(sc, pos, BATCH_HEADER_SIZE, &io, e);
    if (!p) {
        *why = "batch header cut short";
        return io ? BATCH_IO : BATCH_BAD;
    }
    if (!batch_parse_header(p, h)) {
        *why = "bad batch header";
        return BATCH_BAD;
    }
    if (h->base_offset < expected) {
        *why = "batch offset out of order";
        return BATCH_BAD;
    }
    if (batch_total(h) > sc->file_size - pos) {
        *why = "batch cut short";
        return BATCH_BAD;
    }
    if (!verify_crc)
        return BATCH_GOOD;
    p = scanner_at(sc, pos, (size_t)batch_total(h), &io, e);
    if (!p)
        return BATCH_IO;
    if (!batch_crc_ok(p, h)) {
        *why = "CRC mismatch";
        return BATCH_BAD;
    }
    return BATCH_GOOD;
}

/* After a bad batch at bad_pos: is there a whole, CRC-valid batch
 * anywhere later in the file?  If so the bad bytes are not a torn tail
 * but damage in the middle of the data.  Tries every byte position; this
 * runs only on the recovery path of a damaged segment. */
static batch_check scan_resync(scanner *sc, int64_t bad_pos, int64_t expected, err *e)
{
    for (int64_t q = bad_pos + 1; q + BATCH_HEADER_SIZE <= sc->file_size; q++) {
        batch_header h;
        const char *why;
        batch_check c = scan_batch(sc, q, expected, true, &h, &why, e);
        if (c != BATCH_BAD)
            return c;
    }
    return BATCH_BAD;
}

static int segment_cut(segment *s, int64_t pos, err *e)
{
    if (ftruncate(s->fd, (off_t)pos) < 0 || fsync(s->fd) < 0)
        return err_set(e, ERR_IO, "cannot cut the torn tail of segment %020" PRId64 ".log: %s",
                       s->base, strerror(errno));
    return 0;
}

/* Classifies the bad batch at pos as torn tail (and cuts it) or corrupt. */
static int segment_settle(segment *s, scanner *sc, int64_t pos, bool last, segment_recovery *rec,
                          err *e)
{
    rec->bad_pos = pos;
    rec->state = SEGMENT_CORRUPT;
    if (!last)
        return 0;
    batch_check c = scan_resync(sc, pos, s->next_offset, e);
    if (c == BATCH_IO)
        return -1;
    if (c == BATCH_GOOD)
        return 0;
    rec->state = SEGMENT_TORN;
    rec->cut_bytes = sc->file_size - pos;
    return segment_cut(s, pos, e);
}

int segment_recover(segment *s, int64_t expected, bool last, bool verify_crc,
                    segment_recovery *rec, err *e)
{
    struct stat st;
    if (fstat(s->fd, &st) < 0)
        return err_set(e, ERR_IO, "cannot stat segment %020" PRId64 ".log: %s", s->base,
                       strerror(errno));
    scanner sc = {.fd = s->fd, .file_size = st.st_size};
    *rec = (segment_recovery){.state = SEGMENT_CLEAN};
    s->size = 0;
    s->nidx = 0;
    s->max_ts = INT64_MIN;
    s->next_offset = expected > s->base ? expected : s->base;
    int rc = 0;
    while (s->size < sc.file_size) {
        batch_header h;
        batch_check c = scan_batch(&sc, s->size, s->next_offset, verify_crc, &h, &rec->why, e);
        if (c == BATCH_IO) {
            rc = -1;
            break;
        }
        if (c == BATCH_BAD) {
            rc = segment_settle(s, &sc, s->size, last, rec, e);
            break;
        }
        segment_index_note(s, h.base_offset, s->size, h.max_timestamp);
        s->size += batch_total(&h);
        s->next_offset = h.base_offset + h.last_offset_delta + 1;
    }
    free(sc.data);
    return rc;
}
