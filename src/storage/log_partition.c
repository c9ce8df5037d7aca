/* log_partition.c — one partition: recovery on open, append, group
 * commit, the published end offset and waiting for it to grow.
 *
 * An append encodes the batch in the partition's reusable buffer and
 * writes it with one pwrite(2) at the write position of the last segment
 * (wsize), all under wmu.  What happens next is the topic's policy:
 *
 *   NONE   the batch is published at once (readers see it, log_append
 *          returns): it is in the page cache only.
 *   BATCH  fdatasync under wmu, then publish.
 *   GROUP  wmu is released, and the appender waits until a sync covers
 *          its batch.  The first waiter that finds no sync running runs
 *          one (the "leader"): it notes how far the partition has been
 *          written, fdatasyncs, and publishes everything up to there, so
 *          every appender that wrote meanwhile is acknowledged by that
 *          one sync.  This is PostgreSQL's group commit without a
 *          commit_delay; the sync itself is the window, so there is no
 *          timer to tune and no thread to wake (fdatasync costs ~0.15 ms
 *          on the machine this was written on; a fixed 5 ms tick would cap
 *          one producer at 200 batches/s for nothing).
 *
 * Readers look at the published size only, so they never see a batch
 * that is still being written, nor (under GROUP and BATCH) one that is
 * not yet on stable storage.  A failed write is cut off again and the
 * append fails; a failed fdatasync poisons the partition (see log.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
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

static void partition_push(log__partition *p, segment *s)
{
    if (p->nsegs == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 4;
        p->segs = mem_realloc(p->segs, p->cap * sizeof *p->segs);
    }
    p->segs[p->nsegs++] = s;
}

static segment *partition_last(const log__partition *p)
{
    return p->nsegs ? p->segs[p->nsegs - 1] : NULL;
}

/* Index of the last segment whose base is <= offset (0 when none). */
static size_t partition_find(const log__partition *p, int64_t offset)
{
    size_t lo = 0, hi = p->nsegs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->segs[mid]->base <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? 0 : lo - 1;
}

segment *log__seg_get(log__partition *p, int64_t offset)
{
    if (p->nsegs == 0)
        return NULL;
    segment *s = p->segs[partition_find(p, offset)];
    __atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
    return s;
}

long log__seg_index(const log__partition *p, const segment *s)
{
    if (!s->live)
        return -1;
    size_t i = partition_find(p, s->base);
    return i < p->nsegs && p->segs[i] == s ? (long)i : -1;
}

segment *log__partition_remove(log__partition *p, size_t i)
{
    segment *s = p->segs[i];
    memmove(&p->segs[i], &p->segs[i + 1], (p->nsegs - i - 1) * sizeof *p->segs);
    p->nsegs--;
    s->live = false;
    if (i == 0 && p->nsegs > 0)
        p->start = p->segs[0]->base;
    return s;
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
    int64_t expected = p->end;
    if (p->nsegs > 0 && base < expected) {
        partition_mark_corrupt(p, base, 0, expected, "segment overlaps the previous one");
        *stop = true;
        return 0;
    }
    segment *s = segment_open(p->dir, base, "", e);
    if (!s)
        return -1;
    segment_recovery rec;
    /* Only the last segment can hold a torn write, so only its CRCs are
     * checked up front; older batches are checked when read. */
    if (segment_recover(s, expected, last, last, &rec, e) < 0) {
        segment_unref(s);
        return -1;
    }
    s->opened_ms = log__now(p->t->l);
    partition_push(p, s);
    p->end = s->next_offset;
    if (rec.state == SEGMENT_CORRUPT) {
        partition_mark_corrupt(p, base, rec.bad_pos, s->next_offset, rec.why);
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
    p->start = p->nsegs ? p->segs[0]->base : p->end;
    segment *last = partition_last(p);
    p->wsize = last ? last->size : 0;
    p->wend = p->end;
    return rc;
}

int log__partition_open(log__partition *p, log_topic *t, int id, err *e)
{
    pthread_condattr_t ca;
    memset(p, 0, sizeof *p);
    p->t = t;
    p->id = id;
    p->cleaned_upto = -1;
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
        segment_unref(p->segs[i]);
    free(p->segs);
    free(p->dir);
    buf_free(&p->wbuf);
    pthread_cond_destroy(&p->grew);
    pthread_mutex_destroy(&p->mu);
    pthread_mutex_destroy(&p->wmu);
}

/* ---- append ---- */

static bool policy_syncs(const log__partition *p)
{
    return p->t->cfg.flush != LOG_FLUSH_NONE;
}

/* Makes everything written so far visible: called with wmu and mu held. */
static void partition_publish_locked(log__partition *p)
{
    segment *s = partition_last(p);
    if (s) {
        s->size = p->wsize;
        s->next_offset = p->wend > s->base ? p->wend : s->base;
    }
    p->end = p->wend;
    p->pub_seq = p->wseq;
    pthread_cond_broadcast(&p->grew);
}

/* An fdatasync failed: the kernel may have dropped the dirty pages, so
 * nothing written since the last good sync can be trusted.  Cut it off,
 * refuse appends until reopen, wake the waiters.  Called with wmu held. */
static int partition_poison(log__partition *p, segment *s, int saved, err *e)
{
    pthread_mutex_lock(&p->mu);
    if (!p->poisoned) {
        p->poisoned = true;
        snprintf(p->poison_msg, sizeof p->poison_msg,
                 "fsync of topic '%s' partition %d (segment %s/%020" PRId64 ".log) failed: %s; "
                 "the partition refuses appends until the log is reopened",
                 p->t->name, p->id, p->dir, s->base, strerror(saved));
    }
    if (s == partition_last(p)) {
        segment_index_cut(s, s->size);
        if (ftruncate(s->fd, (off_t)s->size) < 0) {
            /* Best effort: recovery on open cuts whatever is not whole. */
        }
        p->wsize = s->size;
        p->wend = p->end;
        p->wseq = p->pub_seq;
    }
    p->syncing = false;
    pthread_cond_broadcast(&p->grew);
    pthread_mutex_unlock(&p->mu);
    return err_set(e, ERR_IO, "%s", p->poison_msg);
}

int log__partition_roll(log__partition *p, err *e)
{
    segment *old = partition_last(p);
    /* Under GROUP the old segment may hold written, unsynced batches:
     * sync them now, so the sync a waiting appender runs (which only
     * looks at the last segment) never has to cover two files. */
    if (old && policy_syncs(p) && p->wsize > old->size && log__fdatasync(old->fd) < 0)
        return partition_poison(p, old, errno, e);
    segment *s = segment_create(p->dir, p->wend, e);
    if (!s)
        return -1;
    /* The new file's directory entry must be durable before batches in it
     * are acknowledged, or a power cut could lose the whole file. */
    if (policy_syncs(p) && log__fsync_dir(p->dir, e) < 0) {
        buf path = BUF_INIT;
        segment_path(&path, p->dir, s->base);
        unlink(path.data);
        buf_free(&path);
        segment_unref(s);
        return -1;
    }
    s->opened_ms = log__now(p->t->l);
    pthread_mutex_lock(&p->mu);
    partition_publish_locked(p);
    partition_push(p, s);
    pthread_mutex_unlock(&p->mu);
    p->wsize = 0;
    return 0;
}

static bool partition_needs_roll(const log__partition *p, int64_t batch_bytes)
{
    const segment *last = partition_last(p);
    if (!last)
        return true;
    if (p->wsize == 0)
        return false;
    if (p->wsize + batch_bytes > p->t->cfg.segment_bytes)
        return true;
    return log__now(p->t->l) - last->opened_ms >= p->t->cfg.segment_ms;
}

/* Writes wbuf at the write position of the last segment.  On failure
 * the bytes past it are cut again (best effort: they are invisible to
 * readers and overwritten anyway). */
static int partition_write(log__partition *p, segment *s, err *e)
{
    size_t done = 0;
    while (done < p->wbuf.len) {
        ssize_t w = log__pwrite(s->fd, p->wbuf.data + done, p->wbuf.len - done,
                                p->wsize + (int64_t)done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int saved = w == 0 ? 0 : errno;
            if (ftruncate(s->fd, (off_t)p->wsize) < 0) {
                /* Nothing more to do: the tail stays invisible. */
            }
            return err_set(e, ERR_IO,
                           "write to topic '%s' partition %d (segment %s/%020" PRId64
                           ".log) failed: %s; nothing stored before it was changed",
                           p->t->name, p->id, p->dir, s->base,
                           saved ? strerror(saved) : "short write");
        }
        done += (size_t)w;
    }
    return 0;
}

static int64_t recs_max_ts(const log_record *recs, int n)
{
    int64_t m = recs[0].timestamp;
    for (int i = 1; i < n; i++)
        if (recs[i].timestamp > m)
            m = recs[i].timestamp;
    return m;
}

/* Writes one batch; under NONE and BATCH also publishes it.  Sets *seq
 * to the batch's sequence number.  Called with wmu held. */
static int partition_append(log__partition *p, log_record *recs, int n, int64_t bytes,
                            uint64_t *seq, err *e)
{
    if (p->corrupt)
        return err_set(e, ERR_CORRUPT, "%s", p->corrupt_msg);
    if (p->poisoned)
        return err_set(e, ERR_IO, "%s", p->poison_msg);
    if (partition_needs_roll(p, bytes) && log__partition_roll(p, e) < 0)
        return -1;
    segment *s = partition_last(p);
    int64_t base = p->wend; /* only appenders change it, and we hold wmu */
    buf_reset(&p->wbuf);
    batch_encode(&p->wbuf, base, recs, n);
    if (p->wsize == 0)
        s->opened_ms = log__now(p->t->l); /* segment_ms counts from the first batch */
    if (partition_write(p, s, e) < 0)
        return -1;
    /* BATCH: fdatasync before publishing, because the policy promises the
     * batch is on stable storage when log_append returns. */
    if (p->t->cfg.flush == LOG_FLUSH_BATCH && log__fdatasync(s->fd) < 0)
        return partition_poison(p, s, errno, e);
    pthread_mutex_lock(&p->mu);
    segment_index_note(s, base, p->wsize, recs_max_ts(recs, n));
    p->wsize += (int64_t)p->wbuf.len;
    p->wend = base + n;
    *seq = ++p->wseq;
    if (p->t->cfg.flush != LOG_FLUSH_GROUP)
        partition_publish_locked(p);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < n; i++)
        recs[i].offset = base + i;
    return 0;
}

/* The group-commit leader's turn: sync what has been written so far and
 * publish it.  Called with mu held (and returns with it held); syncing
 * is set by the caller. */
static int partition_lead_sync(log__partition *p, err *e)
{
    pthread_mutex_unlock(&p->mu);
    pthread_mutex_lock(&p->wmu);
    segment *s = partition_last(p);
    if (!s) { /* cannot happen: a batch was written to get here */
        pthread_mutex_unlock(&p->wmu);
        pthread_mutex_lock(&p->mu);
        p->syncing = false;
        return err_set(e, ERR_IO, "group commit found no segment to sync");
    }
    __atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
    uint64_t seq = p->wseq;
    int64_t size = p->wsize, end = p->wend;
    pthread_mutex_unlock(&p->wmu);
    /* Appenders keep writing while this runs; their batches wait for the
     * next sync (that is the group). */
    int rc = log__fdatasync(s->fd);
    int saved = errno;
    if (rc < 0) {
        pthread_mutex_lock(&p->wmu);
        rc = partition_poison(p, s, saved, e);
        pthread_mutex_unlock(&p->wmu);
        segment_unref(s);
        pthread_mutex_lock(&p->mu);
        return rc;
    }
    pthread_mutex_lock(&p->mu);
    /* A roll since the snapshot has published all this already (and
     * more), and pub_seq says so. */
    if (seq > p->pub_seq) {
        s->size = size;
        s->next_offset = end > s->base ? end : s->base;
        p->end = end;
        p->pub_seq = seq;
    }
    p->syncing = false;
    pthread_cond_broadcast(&p->grew);
    segment_unref(s);
    return 0;
}

/* Waits until batch `seq` is durable and published (GROUP). */
static int partition_group_wait(log__partition *p, uint64_t seq, err *e)
{
    int rc = 0;
    pthread_mutex_lock(&p->mu);
    while (p->pub_seq < seq && !p->poisoned && rc == 0) {
        if (p->syncing) {
            pthread_cond_wait(&p->grew, &p->mu);
            continue;
        }
        p->syncing = true;
        rc = partition_lead_sync(p, e);
    }
    if (rc == 0 && p->pub_seq < seq)
        rc = err_set(e, ERR_IO, "%s", p->poison_msg);
    pthread_mutex_unlock(&p->mu);
    return rc;
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
    uint64_t seq = 0;
    pthread_mutex_lock(&p->wmu);
    int rc = partition_append(p, recs, n, bytes, &seq, e);
    pthread_mutex_unlock(&p->wmu);
    if (rc == 0 && t->cfg.flush == LOG_FLUSH_GROUP)
        rc = partition_group_wait(p, seq, e);
    return rc;
}

int log_sticky_partition(log_topic *t)
{
    unsigned k = __atomic_fetch_add(&t->sticky, 1, __ATOMIC_RELAXED);
    return (int)(k % (unsigned)t->cfg.partitions);
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

int64_t log_intact_offset(log_topic *t, int partition)
{
    log__partition *p = log__part(t, partition);
    if (!p)
        return -1;
    pthread_mutex_lock(&p->mu);
    int64_t v = p->start;
    /* compaction rewrites closed segments only: the last one is intact */
    if (t->cfg.compact && p->nsegs > 0 && p->segs[p->nsegs - 1]->base > v)
        v = p->segs[p->nsegs - 1]->base;
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
