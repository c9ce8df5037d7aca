/* log_partition.c — one partition: recovery on open, append, the
 * published end offset and waiting for it to grow.
 *
 * An append encodes the batch in the partition's reusable buffer, writes
 * it with one pwrite(2) at the committed end of the last segment, fsyncs
 * when the topic asks for it, and only then publishes the new size and
 * end offset under the partition mutex.  Readers look at the published
 * size only, so they never see a batch that is still being written, and a
 * failed write is simply written over by the next append.
 */
#include <errno.h>
#include <stdio.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/mem.h"
#include "log_internal.h"

log__partition *log__part(log_topic *t, int partition)
{
    if (!t || partition < 0 || partition >= t->cfg.partitions)
        return NULL;
    return &t->parts[partition];
}

static void partition_push(log__partition *p, const segment *s)
{
    if (p->nsegs == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 4;
        p->segs = mem_realloc(p->segs, p->cap * sizeof *p->segs);
    }
    p->segs[p->nsegs++] = *s;
}

/* Records damage found on open: the partition stays readable up to it,
 * appends are refused (appending after a hole would hide it). */
static void partition_mark_corrupt(log__partition *p, int64_t base, int64_t pos, int64_t offset,
                                   const char *why)
{
    p->corrupt = true;
    snprintf(p->corrupt_msg, sizeof p->corrupt_msg,
             "topic '%s' partition %d is corrupt: %s in segment %s/%020" PRId64
             ".log at byte %" PRId64 " (offset %" PRId64 "); readable up to offset %" PRId64,
             p->t->name, p->id, why, p->dir, base, pos, offset, offset);
}

/* Opens and checks one segment file; *stop when no later segment may be
 * used (this one is damaged or overlaps). */
static int partition_recover_segment(log__partition *p, int64_t base, bool last, bool *stop,
                                     err *e)
{
    segment s;
    int64_t expected = p->end;
    if (p->nsegs > 0 && base < expected) {
        partition_mark_corrupt(p, base, 0, expected, "segment overlaps the previous one");
        *stop = true;
        return 0;
    }
    if (segment_open(&s, p->dir, base, e) < 0)
        return -1;
    segment_recovery rec;
    /* Only the last segment can hold a torn write, so only its CRCs are
     * checked up front; older batches are checked when read. */
    if (segment_recover(&s, expected, last, last, &rec, e) < 0) {
        segment_close(&s);
        return -1;
    }
    partition_push(p, &s);
    p->end = s.next_offset;
    if (rec.state == SEGMENT_CORRUPT) {
        partition_mark_corrupt(p, base, rec.bad_pos, s.next_offset, rec.why);
        *stop = true;
    }
    return 0;
}

static int partition_recover(log__partition *p, err *e)
{
    int64_t *bases;
    size_t n;
    if (segment_list(p->dir, &bases, &n, e) < 0)
        return -1;
    int rc = 0;
    bool stop = false;
    for (size_t i = 0; i < n && !stop && rc == 0; i++)
        rc = partition_recover_segment(p, bases[i], i + 1 == n, &stop, e);
    free(bases);
    p->start = p->nsegs ? p->segs[0].base : p->end;
    return rc;
}

int log__partition_open(log__partition *p, log_topic *t, int id, err *e)
{
    pthread_condattr_t ca;
    memset(p, 0, sizeof *p);
    p->t = t;
    p->id = id;
    buf dir = BUF_INIT;
    buf_printf(&dir, "%s/%d", t->dir, id);
    p->dir = buf_take(&dir);
    pthread_mutex_init(&p->wmu, NULL);
    pthread_mutex_init(&p->mu, NULL);
    /* A monotonic clock, so log_wait timeouts ignore wall-clock jumps. */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->grew, &ca);
    pthread_condattr_destroy(&ca);
    if (log__mkdir(p->dir, e) < 0)
        return -1;
    return partition_recover(p, e);
}

void log__partition_close(log__partition *p)
{
    for (size_t i = 0; i < p->nsegs; i++)
        segment_close(&p->segs[i]);
    free(p->segs);
    free(p->dir);
    buf_free(&p->wbuf);
    pthread_cond_destroy(&p->grew);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->wmu);
}

/* ---- append ---- */

/* Starts a new segment at the end offset.  Called with wmu held. */
static int partition_roll(log__partition *p, err *e)
{
    segment s;
    if (segment_create(&s, p->dir, p->end, e) < 0)
        return -1;
    /* The new file's directory entry must be durable before batches in it
     * are acknowledged, or a power cut could lose the whole file. */
    if (p->t->cfg.flush == LOG_FLUSH_BATCH && log__fsync_dir(p->dir, e) < 0) {
        buf path = BUF_INIT;
        segment_path(&path, p->dir, s.base);
        segment_close(&s);
        unlink(path.data);
        buf_free(&path);
        return -1;
    }
    pthread_mutex_lock(&p->mu);
    partition_push(p, &s);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

static bool partition_needs_roll(const log__partition *p, int64_t batch_bytes)
{
    if (p->nsegs == 0)
        return true;
    const segment *last = &p->segs[p->nsegs - 1];
    return last->size > 0 && last->size + batch_bytes > p->t->cfg.segment_bytes;
}

/* Writes wbuf at the end of the last segment (and fsyncs per policy).
 * On failure the bytes past the committed size are cut again (best
 * effort: they are invisible to readers and overwritten anyway). */
static int partition_write(log__partition *p, err *e)
{
    segment *s = &p->segs[p->nsegs - 1];
    const char *what = "write";
    size_t done = 0;
    while (done < p->wbuf.len) {
        ssize_t w = pwrite(s->fd, p->wbuf.data + done, p->wbuf.len - done,
                           (off_t)(s->size + (int64_t)done));
        if (w < 0 && errno == EINTR)
            continue;
        if (w == 0)
            errno = 0; /* reported as a short write */
        if (w <= 0)
            goto fail;
        done += (size_t)w;
    }
    /* fdatasync before publishing: LOG_FLUSH_BATCH promises the batch is
     * on stable storage when log_append returns. */
    what = "fsync";
    if (p->t->cfg.flush == LOG_FLUSH_BATCH && fdatasync(s->fd) < 0)
        goto fail;
    return 0;
fail:;
    int saved = errno;
    if (ftruncate(s->fd, (off_t)s->size) < 0) {
        /* Nothing more to do: the tail stays invisible and is overwritten. */
    }
    return err_set(e, ERR_IO, "%s to topic '%s' partition %d (segment %s/%020" PRId64 ".log) "
                   "failed: %s", what, p->t->name, p->id, p->dir, s->base,
                   saved ? strerror(saved) : "short write");
}

static void partition_publish(log__partition *p, int64_t base, int n)
{
    pthread_mutex_lock(&p->mu);
    segment *s = &p->segs[p->nsegs - 1];
    segment_index_note(s, base, s->size);
    s->size += (int64_t)p->wbuf.len;
    s->next_offset = base + n;
    p->end = base + n;
    pthread_cond_broadcast(&p->grew);
    pthread_mutex_unlock(&p->mu);
}

static int partition_append(log__partition *p, log_record *recs, int n, int64_t bytes, err *e)
{
    if (p->corrupt)
        return err_set(e, ERR_CORRUPT, "%s", p->corrupt_msg);
    if (partition_needs_roll(p, bytes) && partition_roll(p, e) < 0)
        return -1;
    int64_t base = p->end; /* only appenders change end, and we hold wmu */
    buf_reset(&p->wbuf);
    batch_encode(&p->wbuf, base, recs, n);
    if (partition_write(p, e) < 0)
        return -1;
    partition_publish(p, base, n);
    for (int i = 0; i < n; i++)
        recs[i].offset = base + i;
    return 0;
}

int log_append(log_topic *t, int partition, log_record *recs, int n, err *e)
{
    log__partition *p = log__part(t, partition);
    if (!p)
        return err_set(e, ERR_INVALID, "topic '%s' has no partition %d", t ? t->name : "?",
                       partition);
    if (n < 0 || (n > 0 && !recs))
        return err_set(e, ERR_INVALID, "bad record count %d", n);
    if (n == 0)
        return 0;
    int64_t bytes = batch_size(recs, n);
    if (bytes < 0)
        return err_set(e, ERR_INVALID, "batch of %d records is larger than %d bytes", n,
                       BATCH_MAX_BYTES);
    pthread_mutex_lock(&p->wmu);
    int rc = partition_append(p, recs, n, bytes, e);
    pthread_mutex_unlock(&p->wmu);
    return rc;
}

/* ---- offsets and waiting ---- */

int64_t log_start_offset(log_topic *t, int partition)
{
    log__partition *p = log__part(t, partition);
    if (!p)
        return -1;
    pthread_mutex_lock(&p->mu);
    int64_t v = p->start;
    pthread_mutex_unlock(&p->mu);
    return v;
}

int64_t log_end_offset(log_topic *t, int partition)
{
    log__partition *p = log__part(t, partition);
    if (!p)
        return -1;
    pthread_mutex_lock(&p->mu);
    int64_t v = p->end;
    pthread_mutex_unlock(&p->mu);
    return v;
}

static struct timespec deadline_after(int timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

bool log_wait(log_topic *t, int partition, int64_t offset, int timeout_ms)
{
    log__partition *p = log__part(t, partition);
    if (!p)
        return false;
    struct timespec until = deadline_after(timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&p->mu);
    uint64_t gen = p->wake_gen; /* log_wake bumps it to release us */
    while (p->end <= offset && p->wake_gen == gen && timeout_ms != 0) {
        if (timeout_ms < 0)
            pthread_cond_wait(&p->grew, &p->mu);
        else if (pthread_cond_timedwait(&p->grew, &p->mu, &until) == ETIMEDOUT)
            break;
    }
    bool ready = p->end > offset;
    pthread_mutex_unlock(&p->mu);
    return ready;
}

void log_wake(log_topic *t)
{
    for (int i = 0; i < t->cfg.partitions; i++) {
        log__partition *p = &t->parts[i];
        pthread_mutex_lock(&p->mu);
        p->wake_gen++;
        pthread_cond_broadcast(&p->grew);
        pthread_mutex_unlock(&p->mu);
    }
}
