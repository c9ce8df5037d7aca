/* log_reader.c — reading a partition from an offset or a timestamp.
 *
 * A reader keeps its place as (segment, file position, next offset),
 * holding a reference to the segment so retention or compaction can take
 * it out of the partition while the reader is in it: the reader finishes
 * the old file, then looks up where its next offset now lives (the log
 * start, if that offset was deleted).  It reads the segment with pread(2)
 * into its own buffer, a chunk at a time, and decodes batches in place: returned keys, values
 * and headers point into that buffer.  It never reads past the size the
 * writer has published, so it only ever sees whole batches.
 *
 * Within one log_read call the buffer is refilled only before the first
 * record is returned, so every record returned by a call stays valid
 * until the next call.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "log_internal.h"

#define READER_CHUNK (64 << 10)

struct log_reader {
    log_topic *t;
    log__partition *p;
    int64_t next; /* next offset to return */
    segment *seg; /* referenced; NULL until the partition has one */
    int64_t pos;  /* file position of the next batch to load */
    uint8_t *chunk;
    size_t chunk_cap, chunk_len;
    int64_t chunk_pos; /* file position of chunk[0] */
    bool in_batch;
    batch_cursor cur;
    int64_t cur_pos; /* file position of the current batch, for errors */
    batch_headers hs;
    bool failed; /* a read error is sticky until the next seek */
    err error;
};

/* A snapshot of the segment the reader is in, taken under the mutex. */
typedef struct seg_view {
    bool exists, has_next;
    int fd;
    int64_t base, limit;
} seg_view;

/* Points the reader at the segment holding r->next (and the index
 * position for it).  Called with p->mu held. */
static void reader_place(log_reader *r)
{
    log__partition *p = r->p;
    if (r->next < p->start)
        r->next = p->start; /* deleted by retention: go on from the start */
    segment_unref(r->seg);
    r->seg = log__seg_get(p, r->next);
    r->pos = r->seg ? segment_index_lookup(r->seg, r->next) : 0;
    r->chunk_len = 0;
}

static seg_view reader_view(log_reader *r)
{
    seg_view v = {0};
    pthread_mutex_lock(&r->p->mu);
    if (!r->seg)
        reader_place(r);
    if (r->seg) {
        const segment *s = r->seg;
        long i = log__seg_index(r->p, s);
        /* A segment that left the partition is frozen: read it to its end,
         * then move on. */
        bool has_next = i < 0 || (size_t)i + 1 < r->p->nsegs;
        v = (seg_view){true, has_next, s->fd, s->base, s->size};
    }
    pthread_mutex_unlock(&r->p->mu);
    return v;
}

/* Moves from a finished segment to the one after it. */
static void reader_next_segment(log_reader *r)
{
    pthread_mutex_lock(&r->p->mu);
    segment *old = r->seg;
    int64_t old_base = old->base, old_end = old->next_offset;
    if (r->next < old_end)
        r->next = old_end;
    r->seg = NULL;
    reader_place(r); /* our reference to old is still held, by `old` */
    /* Never back into the segment just finished (or an older one). */
    long i = r->seg ? log__seg_index(r->p, r->seg) : -1;
    if (r->seg && r->seg->base <= old_base && i >= 0 && (size_t)i + 1 < r->p->nsegs) {
        segment *next = r->p->segs[i + 1];
        __atomic_add_fetch(&next->refs, 1, __ATOMIC_ACQ_REL);
        segment_unref(r->seg);
        r->seg = next;
        r->pos = 0;
    }
    pthread_mutex_unlock(&r->p->mu);
    segment_unref(old);
}

static int reader_corrupt(log_reader *r, const seg_view *v, int64_t pos, const char *why, err *e)
{
    return err_set(e, ERR_CORRUPT,
                   "topic '%s' partition %d: %s in segment %s/%020" PRId64 ".log at byte %" PRId64
                   " (reading offset %" PRId64 ")",
                   r->t->name, r->p->id, why, r->p->dir, v->base, pos, r->next);
}

/* Makes n bytes at pos available in the chunk.  Returns a pointer, or
 * NULL: with *err_rc = -1 on a read error, 0 when a refill was needed but
 * not allowed. */
static const uint8_t *reader_bytes(log_reader *r, const seg_view *v, int64_t pos, size_t n,
                                   bool can_refill, int *err_rc, err *e)
{
    *err_rc = 0;
    if (pos >= r->chunk_pos && pos + (int64_t)n <= r->chunk_pos + (int64_t)r->chunk_len)
        return r->chunk + (pos - r->chunk_pos);
    if (!can_refill)
        return NULL;
    size_t want = n > READER_CHUNK ? n : READER_CHUNK;
    if ((int64_t)want > v->limit - pos)
        want = (size_t)(v->limit - pos); /* never past the published end */
    if (want > r->chunk_cap) {
        r->chunk_cap = want;
        r->chunk = mem_realloc(r->chunk, want);
    }
    r->chunk_len = 0;
    if (segment_pread(v->fd, r->chunk, want, pos, e) < 0) {
        *err_rc = -1;
        return NULL;
    }
    r->chunk_pos = pos;
    r->chunk_len = want;
    return r->chunk;
}

/* Moves to the next batch that holds offsets >= next.  Returns 1 when a
 * batch is ready, 0 at the end (or when going on would need a refill
 * that is not allowed), -1 on error. */
static int reader_load_batch(log_reader *r, bool can_refill, err *e)
{
    for (;;) {
        seg_view v = reader_view(r);
        if (!v.exists)
            return 0;
        if (r->pos >= v.limit) {
            if (!v.has_next)
                return 0;
            reader_next_segment(r); /* drops the chunk: it held the old bytes */
            continue;
        }
        if (v.limit - r->pos < BATCH_HEADER_SIZE)
            return reader_corrupt(r, &v, r->pos, "batch header cut short", e);
        int rc;
        const uint8_t *b = reader_bytes(r, &v, r->pos, BATCH_HEADER_SIZE, can_refill, &rc, e);
        if (!b)
            return rc;
        batch_header h;
        if (!batch_parse_header(b, &h))
            return reader_corrupt(r, &v, r->pos, "bad batch header", e);
        if (batch_total(&h) > v.limit - r->pos)
            return reader_corrupt(r, &v, r->pos, "batch runs past the end", e);
        if (h.base_offset + h.last_offset_delta < r->next) {
            r->pos += batch_total(&h); /* wholly before the position: skip */
            continue;
        }
        b = reader_bytes(r, &v, r->pos, (size_t)batch_total(&h), can_refill, &rc, e);
        if (!b)
            return rc;
        if (!batch_crc_ok(b, &h))
            return reader_corrupt(r, &v, r->pos, "CRC mismatch", e);
        batch_cursor_init(&r->cur, b, &h);
        r->cur_pos = r->pos;
        r->pos += batch_total(&h);
        r->in_batch = true;
        return 1;
    }
}

/* Decodes the next record of the current batch into rec.  Returns 1 for
 * a record at or after next, 0 when the batch is done, -1 on error. */
static int reader_next_record(log_reader *r, log_record *rec, err *e)
{
    for (;;) {
        int rc = batch_cursor_next(&r->cur, rec, &r->hs);
        if (rc < 0) {
            seg_view v = reader_view(r);
            return reader_corrupt(r, &v, r->cur_pos, "malformed record", e);
        }
        if (rc == 0) {
            int64_t after = r->cur.h.base_offset + r->cur.h.last_offset_delta + 1;
            if (after > r->next)
                r->next = after;
            r->in_batch = false;
            return 0;
        }
        if (rec->offset >= r->next) {
            r->next = rec->offset + 1;
            return 1;
        }
        r->hs.n -= (size_t)rec->nheaders; /* before the seek position */
    }
}

/* Points each record's headers at its run in hs, now that hs has stopped
 * growing for this call. */
static void reader_fix_headers(log_reader *r, log_record *recs, int n)
{
    size_t h = 0;
    for (int i = 0; i < n; i++) {
        recs[i].headers = recs[i].nheaders ? &r->hs.v[h] : NULL;
        h += (size_t)recs[i].nheaders;
    }
}

/* One step: decode a record (returns 1) or move on (0), or stop (2). */
static int reader_step(log_reader *r, log_record *rec, bool can_refill, err *e)
{
    if (r->in_batch)
        return reader_next_record(r, rec, e);
    int rc = reader_load_batch(r, can_refill, e);
    return rc == 1 ? 0 : rc == 0 ? 2 : -1;
}

int log_read(log_reader *r, log_record *recs, int max, err *e)
{
    if (r->failed) {
        *e = r->error; /* damage does not go away: report it every time */
        return -1;
    }
    int n = 0;
    r->hs.n = 0;
    while (n < max) {
        int rc = reader_step(r, &recs[n], n == 0, e);
        if (rc == 2)
            break;
        if (rc < 0) {
            r->failed = true;
            r->error = *e;
            if (n == 0)
                return -1;
            break; /* hand out the good records first */
        }
        n += rc;
    }
    reader_fix_headers(r, recs, n);
    return n;
}

log_reader *log_reader_open(log_topic *t, int partition, int64_t offset)
{
    log__partition *p = log__part(t, partition);
    if (!p)
        return NULL;
    log_reader *r = mem_alloc(sizeof *r);
    r->t = t;
    r->p = p;
    log_reader_seek(r, offset);
    return r;
}

int64_t log_reader_position(const log_reader *r) { return r->next; }

void log_reader_seek(log_reader *r, int64_t offset)
{
    log__partition *p = r->p;
    pthread_mutex_lock(&p->mu);
    r->next = offset;
    reader_place(r);
    pthread_mutex_unlock(&p->mu);
    r->in_batch = false;
    r->failed = false;
}

/* ---- seeking by timestamp ---- */

/* Index of the first segment whose max timestamp is >= ts, or nsegs.
 * Segment maxima are not sorted (timestamps need not be monotonic), so
 * this is a walk over the segment table: one comparison per segment, no
 * I/O. */
static size_t reader_first_segment_at(const log__partition *p, int64_t ts)
{
    size_t i = 0;
    while (i < p->nsegs && p->segs[i]->max_ts < ts)
        i++;
    return i;
}

/* Scans batch headers from the reader's (seg, pos) for the first batch
 * whose max timestamp is >= ts, then its first record with timestamp >=
 * ts.  Returns 1 with *out set, 0 when the segment holds none, -1. */
static int reader_scan_time(log_reader *r, int64_t ts, int64_t *out, err *e)
{
    seg_view v = reader_view(r);
    while (v.exists && r->pos < v.limit) {
        int rc;
        if (v.limit - r->pos < BATCH_HEADER_SIZE)
            return reader_corrupt(r, &v, r->pos, "batch header cut short", e);
        const uint8_t *b = reader_bytes(r, &v, r->pos, BATCH_HEADER_SIZE, true, &rc, e);
        if (!b)
            return -1;
        batch_header h;
        if (!batch_parse_header(b, &h) || batch_total(&h) > v.limit - r->pos)
            return reader_corrupt(r, &v, r->pos, "bad batch header", e);
        if (h.max_timestamp < ts) {
            r->pos += batch_total(&h);
            continue;
        }
        b = reader_bytes(r, &v, r->pos, (size_t)batch_total(&h), true, &rc, e);
        if (!b)
            return -1;
        if (!batch_crc_ok(b, &h))
            return reader_corrupt(r, &v, r->pos, "CRC mismatch", e);
        batch_cursor c;
        batch_cursor_init(&c, b, &h);
        log_record rec;
        r->hs.n = 0;
        while ((rc = batch_cursor_next(&c, &rec, &r->hs)) == 1) {
            if (rec.timestamp >= ts) {
                *out = rec.offset;
                return 1;
            }
        }
        return reader_corrupt(r, &v, r->pos, rc < 0 ? "malformed record" : "max timestamp "
                              "larger than every record's", e);
    }
    return 0;
}

int64_t log_reader_seek_time(log_reader *r, int64_t ts, err *e)
{
    log__partition *p = r->p;
    int64_t saved = r->next, found = -1;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = reader_first_segment_at(p, ts);
        if (i == p->nsegs) {
            found = p->end; /* no record that late: the end */
            pthread_mutex_unlock(&p->mu);
            break;
        }
        segment_unref(r->seg);
        r->seg = p->segs[i];
        __atomic_add_fetch(&r->seg->refs, 1, __ATOMIC_ACQ_REL);
        r->pos = segment_index_lookup_time(r->seg, ts);
        r->chunk_len = 0;
        int64_t seg_base = r->seg->base;
        pthread_mutex_unlock(&p->mu);
        int rc = reader_scan_time(r, ts, &found, e);
        if (rc < 0) {
            log_reader_seek(r, saved);
            return -1;
        }
        if (rc == 1)
            break;
        /* The segment's max is in its unpublished tail (GROUP): the
         * record is not readable yet, so the answer is the end. */
        pthread_mutex_lock(&p->mu);
        bool last = p->nsegs && p->segs[p->nsegs - 1]->base == seg_base;
        int64_t end = p->end;
        pthread_mutex_unlock(&p->mu);
        if (last) {
            found = end;
            break;
        }
        /* Otherwise the segment was replaced under us: look again. */
    }
    log_reader_seek(r, found);
    return found;
}

void log_reader_close(log_reader *r)
{
    if (!r)
        return;
    segment_unref(r->seg);
    free(r->chunk);
    batch_headers_free(&r->hs);
    free(r);
}
