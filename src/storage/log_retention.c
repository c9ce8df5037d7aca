/* log_retention.c — background work on closed segments: roll by age,
 * retention by time and size, and compaction of compact topics, in
 * bounded steps (log_maintain), plus the thread that runs them.
 *
 * Only this file removes or replaces segments, and it does so under the
 * log's maint_mu, so a segment it picked stays in the partition until it
 * is done with it.  Appends never wait for it (it never holds wmu for
 * longer than a roll), and readers wait at most for a pointer swap under
 * the partition mutex: segment files are read and written without any
 * partition lock held.
 *
 * Compaction follows Kafka's log cleaner.  A pass has two phases, one
 * segment per step: MAP reads the "dirty" closed segments (those not
 * cleaned yet) and records, for each key, the offset of its latest
 * record; CLEAN rewrites every closed segment up to the dirty end,
 * keeping a keyed record only when no later record of its key is in the
 * map, and dropping such a latest record when it is a tombstone older
 * than delete_retention_ms.  Unkeyed records are always kept.  The active
 * segment is never touched, so a key's latest value may live there while
 * an older one is still in a cleaned segment, as in Kafka.  Offsets are
 * kept: a cleaned batch keeps its records' offsets and its last offset.
 * A rewritten segment goes to <base>.log.cleaned, is fsynced and renamed
 * over <base>.log, so a crash leaves the old or the new file, both whole;
 * a stale .cleaned file is removed on open (segment_list).
 *
 * Keys are remembered as 128-bit hashes (Kafka keeps 128-bit MD5s), so
 * the map's memory is 24 bytes per distinct key of the dirty section.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/mem.h"
#include "log_internal.h"

#define MAINT_INTERVAL_MS 1000
#define MAINT_STEP_BUDGET ((int64_t)64 << 20)

/* ---- the key map: 128-bit key hash -> latest offset ---- */

typedef struct keyslot {
    uint64_t h1, h2;
    int64_t offset; /* -1 = empty */
} keyslot;

typedef struct keymap {
    keyslot *v;
    size_t n, cap;
} keymap;

static void key_hash(const uint8_t *k, int32_t len, uint64_t *h1, uint64_t *h2)
{
    uint64_t a = 14695981039346656037ull, b = 0x9E3779B97F4A7C15ull ^ (uint64_t)len;
    for (int32_t i = 0; i < len; i++) {
        a = (a ^ k[i]) * 1099511628211ull;
        b = (b ^ k[i]) * 0xff51afd7ed558ccdull;
        b ^= b >> 29;
    }
    *h1 = a;
    *h2 = b ^ (uint64_t)log_murmur2(k, (size_t)len) << 32;
}

static keyslot *keymap_slot(keymap *m, uint64_t h1, uint64_t h2)
{
    size_t i = (size_t)(h1 ^ h2 >> 7) & (m->cap - 1);
    while (m->v[i].offset >= 0 && !(m->v[i].h1 == h1 && m->v[i].h2 == h2))
        i = (i + 1) & (m->cap - 1);
    return &m->v[i];
}

static void keymap_grow(keymap *m)
{
    keymap g = {.cap = m->cap ? m->cap * 2 : 1024};
    g.v = mem_alloc(g.cap * sizeof *g.v);
    for (size_t i = 0; i < g.cap; i++)
        g.v[i].offset = -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->v[i].offset >= 0)
            *keymap_slot(&g, m->v[i].h1, m->v[i].h2) = m->v[i];
    g.n = m->n;
    free(m->v);
    *m = g;
}

static void keymap_put(keymap *m, const uint8_t *k, int32_t len, int64_t offset)
{
    if ((m->n + 1) * 4 > m->cap * 3)
        keymap_grow(m);
    uint64_t h1, h2;
    key_hash(k, len, &h1, &h2);
    keyslot *s = keymap_slot(m, h1, h2);
    if (s->offset < 0)
        m->n++;
    *s = (keyslot){h1, h2, offset};
}

/* Latest offset for the key, or -1. */
static int64_t keymap_get(keymap *m, const uint8_t *k, int32_t len)
{
    if (!m->cap)
        return -1;
    uint64_t h1, h2;
    key_hash(k, len, &h1, &h2);
    return keymap_slot(m, h1, h2)->offset;
}

static void keymap_free(keymap *m)
{
    free(m->v);
    *m = (keymap){0};
}

/* The cleaner's state between steps, per log (one pass at a time). */
typedef enum { CLEAN_IDLE, CLEAN_MAP, CLEAN_REWRITE } clean_phase;

typedef struct log__cleaner {
    clean_phase phase;
    log__partition *p;
    int64_t dirty_end; /* offsets below it are in the pass */
    int64_t cursor;    /* next segment: the first with base >= cursor */
    int64_t tomb_due;  /* earliest expiry of a tombstone kept so far */
    keymap map;
} log__cleaner;

/* ---- reading a segment, batch by batch ---- */

typedef struct seg_iter {
    segment *s;
    int64_t pos, limit;
    buf b;
    batch_headers hs;
} seg_iter;

/* Loads the next batch into it->b.  1 = a batch, 0 = end, -1 = error. */
static int seg_iter_next(seg_iter *it, log__partition *p, batch_header *h, err *e)
{
    if (it->pos >= it->limit)
        return 0;
    uint8_t hdr[BATCH_HEADER_SIZE];
    if (it->limit - it->pos < BATCH_HEADER_SIZE ||
        segment_pread(it->s->fd, hdr, sizeof hdr, it->pos, e) < 0 ||
        !batch_parse_header(hdr, h) || batch_total(h) > it->limit - it->pos)
        goto corrupt;
    buf_reset(&it->b);
    buf_reserve(&it->b, (size_t)batch_total(h));
    if (segment_pread(it->s->fd, it->b.data, (size_t)batch_total(h), it->pos, e) < 0 ||
        !batch_crc_ok((const uint8_t *)it->b.data, h))
        goto corrupt;
    it->b.len = (size_t)batch_total(h);
    it->pos += batch_total(h);
    return 1;
corrupt:
    return err_set(e, ERR_CORRUPT,
                   "compaction of topic '%s' partition %d stopped: damaged batch in segment "
                   "%s/%020" PRId64 ".log at byte %" PRId64,
                   p->t->name, p->id, p->dir, it->s->base, it->pos);
}

/* The first live closed segment with base >= from and < below, with a
 * reference, or NULL. */
static segment *closed_segment_from(log__partition *p, int64_t from, int64_t below)
{
    segment *s = NULL;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i + 1 < p->nsegs; i++) {
        if (p->segs[i]->base >= from && p->segs[i]->base < below) {
            s = p->segs[i];
            __atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
            break;
        }
    }
    pthread_mutex_unlock(&p->mu);
    return s;
}

/* ---- roll by age, retention ---- */

static void unlink_segment(log__partition *p, int64_t base)
{
    buf path = BUF_INIT;
    segment_path(&path, p->dir, base);
    if (unlink(path.data) < 0 && errno != ENOENT) {
        /* Left for the next pass: retention re-deletes it after reopen. */
    }
    buf_free(&path);
}

/* Rolls the active segment when it is older than segment_ms, or when all
 * of it is past retention (so retention can delete it). */
static int maintain_roll(log__partition *p, int64_t now, err *e)
{
    const log_topic_config *c = &p->t->cfg;
    int rc = 0;
    pthread_mutex_lock(&p->wmu);
    segment *last = p->nsegs ? p->segs[p->nsegs - 1] : NULL;
    if (last && p->wsize > 0 && !p->corrupt && !p->poisoned) {
        bool old = now - last->opened_ms >= c->segment_ms;
        bool expired = c->retention_ms > 0 && p->wsize == last->size &&
                       last->max_ts < now - c->retention_ms;
        if (old || expired)
            rc = log__partition_roll(p, e);
    }
    pthread_mutex_unlock(&p->wmu);
    return rc;
}

/* Deletes whole closed segments from the front while retention says so.
 * Returns the bytes deleted. */
static int64_t maintain_retention(log__partition *p, int64_t now, err *e)
{
    const log_topic_config *c = &p->t->cfg;
    if (c->retention_ms < 0 && c->retention_bytes < 0)
        return 0;
    segment *gone[64];
    int n = 0;
    int64_t freed = 0;
    pthread_mutex_lock(&p->mu);
    int64_t total = 0;
    for (size_t i = 0; i < p->nsegs; i++)
        total += p->segs[i]->size;
    while (p->nsegs > 1 && n < 64) {
        segment *s = p->segs[0];
        bool by_time = c->retention_ms >= 0 && s->max_ts < now - c->retention_ms;
        bool by_size = c->retention_bytes >= 0 && total - s->size >= c->retention_bytes;
        if (!by_time && !by_size)
            break;
        total -= s->size;
        freed += s->size;
        gone[n++] = log__partition_remove(p, 0);
    }
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < n; i++) {
        unlink_segment(p, gone[i]->base);
        segment_unref(gone[i]);
    }
    if (n > 0 && log__fsync_dir(p->dir, e) < 0)
        return -1;
    return freed > 0 ? freed : n;
}

/* ---- compaction ---- */

static bool compaction_due(log__partition *p, int64_t now, int64_t *dirty_end)
{
    pthread_mutex_lock(&p->mu);
    bool due = false;
    if (p->nsegs > 1) {
        const segment *last_closed = p->segs[p->nsegs - 2];
        *dirty_end = p->segs[p->nsegs - 1]->base;
        due = last_closed->base >= p->cleaned_upto ||
              (p->next_tombstone_due > 0 && now >= p->next_tombstone_due);
    }
    pthread_mutex_unlock(&p->mu);
    return due;
}

/* MAP: one dirty segment's keys into the map.  Returns bytes read. */
static int64_t clean_map_step(log__cleaner *c, err *e)
{
    log__partition *p = c->p;
    segment *s = closed_segment_from(p, c->cursor, c->dirty_end);
    if (!s) {
        c->phase = CLEAN_REWRITE;
        c->cursor = 0;
        return 0;
    }
    seg_iter it = {.s = s, .limit = s->size};
    batch_header h;
    int rc;
    while ((rc = seg_iter_next(&it, p, &h, e)) == 1) {
        batch_cursor cur;
        batch_cursor_init(&cur, (const uint8_t *)it.b.data, &h);
        log_record r;
        it.hs.n = 0;
        while ((rc = batch_cursor_next(&cur, &r, &it.hs)) == 1)
            if (r.key_len >= 0)
                keymap_put(&c->map, r.key, r.key_len, r.offset);
        if (rc < 0) {
            rc = err_set(e, ERR_CORRUPT, "compaction of topic '%s' partition %d: malformed "
                         "record in segment %020" PRId64 ".log", p->t->name, p->id, s->base);
            break;
        }
    }
    c->cursor = s->base + 1;
    int64_t size = s->size;
    buf_free(&it.b);
    batch_headers_free(&it.hs);
    segment_unref(s);
    return rc < 0 ? -1 : size;
}

/* Whether record r of the pass survives. */
static bool clean_keep(log__cleaner *c, const log_record *r, int64_t now)
{
    if (r->key_len < 0)
        return true;
    int64_t latest = keymap_get(&c->map, r->key, r->key_len);
    if (latest > r->offset)
        return false; /* a later record of the key is in the pass */
    if (r->value_len < 0) {
        int64_t due = r->timestamp + c->p->t->cfg.delete_retention_ms;
        if (now >= due)
            return false; /* an expired tombstone */
        if (c->tomb_due == 0 || due < c->tomb_due)
            c->tomb_due = due;
    }
    return true;
}

/* Appends the kept records of one batch to out, offsets preserved. */
static int clean_batch(log__cleaner *c, seg_iter *it, const batch_header *h, buf *out,
                       int64_t now)
{
    batch_cursor cur;
    batch_cursor_init(&cur, (const uint8_t *)it->b.data, h);
    log_record recs[256];
    int n = 0, rc;
    it->hs.n = 0;
    int64_t last = h->base_offset + h->last_offset_delta;
    while ((rc = batch_cursor_next(&cur, &recs[n], &it->hs)) == 1) {
        if (!clean_keep(c, &recs[n], now)) {
            it->hs.n -= (size_t)recs[n].nheaders;
            continue;
        }
        if (++n == 256) {
            /* Flush a full chunk as its own batch (its last offset is
             * its own last record's; only the final one keeps `last`). */
            size_t h0 = 0;
            for (int i = 0; i < n; i++) {
                recs[i].headers = recs[i].nheaders ? &it->hs.v[h0] : NULL;
                h0 += (size_t)recs[i].nheaders;
            }
            batch_encode_at(out, recs, n, recs[n - 1].offset);
            it->hs.n = 0;
            n = 0;
        }
    }
    if (rc < 0)
        return -1;
    size_t h0 = 0;
    for (int i = 0; i < n; i++) {
        recs[i].headers = recs[i].nheaders ? &it->hs.v[h0] : NULL;
        h0 += (size_t)recs[i].nheaders;
    }
    if (n > 0)
        batch_encode_at(out, recs, n, last);
    return 0;
}

/* Writes `data` to <base>.log.cleaned, syncs it and opens it as a
 * recovered segment.  NULL on error (the temporary file is removed). */
static segment *clean_write(log__partition *p, int64_t base, const buf *data, err *e)
{
    buf path = BUF_INIT;
    segment_path(&path, p->dir, base);
    buf_puts(&path, ".cleaned");
    segment *n = NULL;
    int fd = open(path.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t done = 0;
    while (fd >= 0 && done < data->len) {
        ssize_t w = log__pwrite(fd, data->data + done, data->len - done, (int64_t)done);
        if (w <= 0 && errno != EINTR)
            break;
        if (w > 0)
            done += (size_t)w;
    }
    if (fd < 0 || done < data->len || log__fdatasync(fd) < 0) {
        err_set(e, ERR_IO, "compaction of topic '%s' partition %d: cannot write %s: %s",
                p->t->name, p->id, path.data, strerror(errno));
    } else {
        n = segment_open(p->dir, base, ".cleaned", e);
        segment_recovery rec;
        if (n && (segment_recover(n, base, false, true, &rec, e) < 0 ||
                  rec.state != SEGMENT_CLEAN)) {
            if (rec.state != SEGMENT_CLEAN)
                err_set(e, ERR_CORRUPT, "compaction wrote a bad segment %s", path.data);
            segment_unref(n);
            n = NULL;
        }
    }
    if (fd >= 0)
        close(fd);
    if (!n)
        unlink(path.data);
    buf_free(&path);
    return n;
}

/* Puts the cleaned segment n in the place of s (or drops s when nothing
 * of it survived, n == NULL): rename, sync the directory, swap. */
static int clean_swap(log__partition *p, segment *s, segment *n, err *e)
{
    buf from = BUF_INIT, to = BUF_INIT;
    segment_path(&to, p->dir, s->base);
    buf_printf(&from, "%s.cleaned", to.data);
    int rc = 0;
    if (n && rename(from.data, to.data) < 0)
        rc = err_set(e, ERR_IO, "cannot rename %s: %s", from.data, strerror(errno));
    if (!n)
        unlink(to.data);
    if (rc == 0)
        rc = log__fsync_dir(p->dir, e);
    buf_free(&from);
    buf_free(&to);
    if (rc < 0) {
        segment_unref(n);
        return -1;
    }
    pthread_mutex_lock(&p->mu);
    long i = log__seg_index(p, s);
    segment *old = NULL;
    if (i >= 0 && n) {
        n->opened_ms = s->opened_ms;
        old = p->segs[i];
        old->live = false;
        p->segs[i] = n;
    } else if (i >= 0) {
        old = log__partition_remove(p, (size_t)i);
    }
    pthread_mutex_unlock(&p->mu);
    segment_unref(old); /* the partition's reference */
    return 0;
}

/* REWRITE: one closed segment of the pass.  Returns bytes read. */
static int64_t clean_rewrite_step(log__cleaner *c, int64_t now, err *e)
{
    log__partition *p = c->p;
    segment *s = closed_segment_from(p, c->cursor, c->dirty_end);
    if (!s) {
        pthread_mutex_lock(&p->mu);
        p->cleaned_upto = c->dirty_end;
        p->next_tombstone_due = c->tomb_due;
        pthread_mutex_unlock(&p->mu);
        keymap_free(&c->map);
        c->phase = CLEAN_IDLE;
        return 0;
    }
    seg_iter it = {.s = s, .limit = s->size};
    buf out = BUF_INIT;
    batch_header h;
    int rc;
    while ((rc = seg_iter_next(&it, p, &h, e)) == 1)
        if (clean_batch(c, &it, &h, &out, now) < 0) {
            rc = err_set(e, ERR_CORRUPT, "compaction of topic '%s' partition %d: malformed "
                         "record in segment %020" PRId64 ".log", p->t->name, p->id, s->base);
            break;
        }
    if (rc == 0 && out.len == (size_t)s->size)
        rc = 0; /* nothing dropped: leave the file alone */
    else if (rc == 0) {
        segment *n = out.len ? clean_write(p, s->base, &out, e) : NULL;
        rc = out.len && !n ? -1 : clean_swap(p, s, n, e);
    }
    c->cursor = s->base + 1;
    int64_t size = s->size;
    buf_free(&out);
    buf_free(&it.b);
    batch_headers_free(&it.hs);
    segment_unref(s);
    return rc < 0 ? -1 : size;
}

static int64_t clean_step(log__cleaner *c, int64_t now, err *e)
{
    int64_t rc = 0;
    if (c->phase == CLEAN_MAP)
        rc = clean_map_step(c, e);
    else if (c->phase == CLEAN_REWRITE)
        rc = clean_rewrite_step(c, now, e);
    if (rc < 0) {
        /* Start over next time; nothing on disk was changed by the
         * failed step. */
        keymap_free(&c->map);
        c->phase = CLEAN_IDLE;
    }
    return rc;
}

/* ---- the step ---- */

static int64_t maintain_partition(eventlog *l, log__partition *p, log__cleaner *c,
                                  int64_t budget, err *e)
{
    int64_t now = log__now(l), done = 0;
    if (maintain_roll(p, now, e) < 0)
        return -1;
    int64_t r = maintain_retention(p, now, e);
    if (r < 0)
        return -1;
    done += r;
    if (!p->t->cfg.compact || p->corrupt)
        return done;
    if (c->phase == CLEAN_IDLE && compaction_due(p, now, &c->dirty_end)) {
        *c = (log__cleaner){.phase = CLEAN_MAP, .p = p, .dirty_end = c->dirty_end,
                            .cursor = p->cleaned_upto < 0 ? 0 : p->cleaned_upto};
    }
    while (c->p == p && c->phase != CLEAN_IDLE && done < budget) {
        int64_t n = clean_step(c, now, e);
        if (n < 0)
            return -1;
        done += n;
    }
    return done;
}

static log__cleaner *log_cleaner(eventlog *l)
{
    if (!l->cleaner)
        l->cleaner = mem_alloc(sizeof *l->cleaner);
    return l->cleaner;
}

int64_t log_maintain(eventlog *l, int64_t budget, err *e)
{
    pthread_mutex_lock(&l->maint_mu);
    pthread_mutex_lock(&l->mu);
    size_t nt = l->ntopics;
    log_topic **snap = mem_alloc((nt ? nt : 1) * sizeof *snap);
    memcpy(snap, l->topics, nt * sizeof *snap);
    pthread_mutex_unlock(&l->mu);
    log__cleaner *c = log_cleaner(l);
    int64_t done = 0;
    int rc = 0;
    /* A pass in progress finishes before another partition starts one. */
    for (size_t i = 0; i < nt && rc == 0 && done < budget; i++) {
        for (int k = 0; k < snap[i]->cfg.partitions && done < budget; k++) {
            log__partition *p = &snap[i]->parts[k];
            if (c->phase != CLEAN_IDLE && c->p != p && p->t->cfg.compact)
                continue;
            int64_t n = maintain_partition(l, p, c, budget - done, e);
            if (n < 0) {
                rc = -1;
                break;
            }
            done += n;
        }
    }
    free(snap);
    pthread_mutex_unlock(&l->maint_mu);
    return rc < 0 ? -1 : done;
}

/* Forgets a pass over a topic that is going away.  maint_mu held. */
void log__maint_forget(eventlog *l, log_topic *t)
{
    log__cleaner *c = l->cleaner;
    if (c && c->p && c->p->t == t) {
        keymap_free(&c->map);
        *c = (log__cleaner){0};
    }
}

/* ---- the background thread ---- */

static void *maint_thread(void *arg)
{
    eventlog *l = arg;
    pthread_mutex_lock(&l->stop_mu);
    while (!l->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += MAINT_INTERVAL_MS / 1000;
        pthread_cond_timedwait(&l->stop_cv, &l->stop_mu, &until);
        if (l->stopping)
            break;
        pthread_mutex_unlock(&l->stop_mu);
        err e;
        /* A failed step changes nothing and is retried next time; the
         * message is kept for whoever asks (log_maintain_error). */
        if (log_maintain(l, MAINT_STEP_BUDGET, &e) < 0) {
            pthread_mutex_lock(&l->maint_mu);
            l->maint_err = e;
            pthread_mutex_unlock(&l->maint_mu);
        }
        pthread_mutex_lock(&l->stop_mu);
    }
    pthread_mutex_unlock(&l->stop_mu);
    return NULL;
}

int log__maint_start(eventlog *l, err *e)
{
    if (pthread_create(&l->maint_thread, NULL, maint_thread, l) != 0)
        return err_set(e, ERR_IO, "cannot start the log's maintenance thread");
    l->maint_running = true;
    return 0;
}

void log__maint_stop(eventlog *l)
{
    if (l->maint_running) {
        pthread_mutex_lock(&l->stop_mu);
        l->stopping = true;
        pthread_cond_broadcast(&l->stop_cv);
        pthread_mutex_unlock(&l->stop_mu);
        pthread_join(l->maint_thread, NULL);
        l->maint_running = false;
    }
    if (l->cleaner) {
        keymap_free(&l->cleaner->map);
        free(l->cleaner);
        l->cleaner = NULL;
    }
}

bool log_maintain_error(eventlog *l, err *e)
{
    pthread_mutex_lock(&l->maint_mu);
    bool has = l->maint_err.code != ERR_OK;
    if (has)
        *e = l->maint_err;
    err_clear(&l->maint_err);
    pthread_mutex_unlock(&l->maint_mu);
    return has;
}
