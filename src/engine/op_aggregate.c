/* op_aggregate.c — see op_aggregate.h. */
#include "op_aggregate.h"

#include "codec.h"

#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"

/* The group's state (key: its store key, hash: kvstore_hash of it): from
 * the store, or fresh; *pos: where to put it back; *stored: its bytes in
 * the store (NULL when new), which apply_one may overwrite in place. */
static int load_state(const plan_agg *g, kvstore *store, const buf *key, uint64_t hash, value *state,
                      uint8_t **stored, size_t *len, kvstore_pos *pos, eval_ctx *cx)
{
    uint8_t *bytes = kvstore_find_hashed_mut(store, key->data, key->len, hash, len, pos);
    *stored = bytes;
    if (bytes)
        return codec_decode_fixed(bytes, *len, g->state_types, g->nstate, state)
                   ? 0
                   : codec_decode(bytes, *len, g->state_types, g->nstate, state, cx->a, cx->e);
    state[0] = value_bigint(INT64_MIN); /* no event time yet */
    for (int i = 0, k = 1; i < g->ncalls; k += g->calls[i].nstate, i++)
        g->calls[i].def->init(&g->calls[i], &state[k]);
    return 0;
}

/* The aggregate arguments of every call, over the input row. */
static int eval_args(const plan_agg *g, const value *row, value *args, eval_ctx *cx)
{
    for (int i = 0, k = 0; i < g->ncalls; k += g->calls[i].nargs, i++)
        for (int a = 0; a < g->calls[i].nargs; a++)
            if (expr_eval(g->calls[i].args[a], row, cx, &args[k + a]))
                return -1;
    return 0;
}

typedef struct window_range {
    int64_t first, last, step; /* starts of the windows covering ts */
} window_range;

/* Starts of the windows that contain ts: for size S and advance A, every
 * start s = k*A with s <= ts < s + S (s >= 0). */
static window_range windows_of(const plan_window *w, int64_t ts)
{
    window_range r = {0, 0, 1};
    if (w->kind == WINDOW_NONE)
        return r;
    int64_t last = ts - ts % w->advance;
    int64_t first = ts - w->size + 1;
    first = first <= 0 ? 0 : first + (w->advance - first % w->advance) % w->advance;
    r.first = first;
    r.last = last;
    r.step = w->advance;
    return r;
}

/* From the aggregate row's group values, window and states: HAVING and
 * the projection. */
static int finish_row(const plan *p, value *arow, const value *state, bool windowed, int64_t wstart, int64_t wend,
                      value *out, bool *keep, eval_ctx *cx)
{
    const plan_agg *g = p->agg;
    /* WINDOWSTART, WINDOWEND: BIGINT, or NULL; set field by field, as a
     * value built aside and copied whole costs a failed store-to-load
     * forwarding (a record of a hopping window comes here per window) */
    for (int i = 0; i < 2; i++) {
        arow[g->ngroup + i].null = !windowed;
        arow[g->ngroup + i].u.l = i ? wend : wstart;
    }
    for (int i = 0, k = 1; i < g->ncalls; k += g->calls[i].nstate, i++)
        if (g->calls[i].def->result(&g->calls[i], &state[k], &arow[g->ngroup + 2 + i], cx))
            return -1;
    *keep = true;
    if (g->having && expr_eval_pred(g->having, arow, cx, keep))
        return -1;
    for (int i = 0; i < p->out.schema.n; i++)
        if (*keep || p->out.schema.cols[i].key)
            plan_eval_column(p, i, arow, cx, &out[i]);
    return 0;
}

/* The store key of a group's window: the group key's codec bytes (the
 * first gklen of sk, encoded once for all the windows of a record), then
 * the window start. */
static void window_key(buf *sk, size_t gklen, int64_t wstart)
{
    sk->len = gklen;
    buf_put_be64(sk, wstart);
}

/* Folds the row into one group/window state and emits its result.  sk
 * holds the store key (window_key when windowed), hash its kvstore_hash. */
static int apply_one(const plan *p, kvstore *store, value *arow, const value *args, bool retract, int64_t ts,
                     buf *sk, uint64_t hash, buf *sv, bool windowed, int64_t wstart, agg_emit_fn emit, void *ctx,
                     eval_ctx *cx)
{
    const plan_agg *g = p->agg;
    value *state = arena_alloc(cx->a, sizeof(value) * (size_t)(g->nstate + 1));
    uint8_t *stored;
    size_t slen;
    kvstore_pos pos;
    if (load_state(g, store, sk, hash, state, &stored, &slen, &pos, cx))
        return -1;
    bool existed = stored != NULL;
    value *out = arena_alloc(cx->a, sizeof(value) * (size_t)(p->out.schema.n + 1));
    /* whether the group was in the table before: a HAVING that rejects it
     * now takes it out with a tombstone only if it was */
    bool old_keep = existed;
    int64_t wend = wstart + g->window.size;
    bool final = windowed && g->window.emit_final;
    if (existed && g->having && !final && finish_row(p, arow, state, windowed, wstart, wend, out, &old_keep, cx))
        return -1;
    for (int i = 0, k = 1, a = 0; i < g->ncalls; k += g->calls[i].nstate, a += g->calls[i].nargs, i++) {
        const agg_call *c = &g->calls[i];
        /* analysis refuses tables with aggregates that cannot undo */
        if ((retract ? c->def->undo : c->def->add)(c, &state[k], &args[a], cx))
            return -1;
    }
    if (ts > state[0].u.l)
        state[0].u.l = ts;
    /* a state of numbers keeps its length: written over its stored bytes */
    buf in_place = {(char *)stored, slen, slen}; /* borrowed, for the changelog */
    const buf *val = &in_place;
    if (!stored || !codec_encode_fixed(state, g->state_types, g->nstate, stored, slen)) {
        buf_reset(sv);
        codec_encode(state, g->state_types, g->nstate, sv);
        kvstore_put_at(store, &pos, sk->data, sk->len, sv->data, sv->len); /* unchanged since load_state */
        val = sv;
    }
    bool keep = true;
    /* EMIT FINAL: the result is made from the store when the window closes */
    if (!final && finish_row(p, arow, state, windowed, wstart, wend, out, &keep, cx))
        return -1;
    agg_result r = {out, keep, old_keep, windowed, wstart, wend, state[0].u.l, sk, val, false, !existed, hash};
    emit(ctx, &r);
    return 1;
}

/* ---- SESSION windows ---------------------------------------------------- */

/* The index: group key (codec bytes) -> its sessions, an array of
 * session_span sorted by start.  Sessions of one group never overlap. */
typedef struct session_span {
    int64_t start, end;
} session_span;

struct agg_sessions {
    const plan *p;
    kvstore *map;
};

/* Index entry of one store entry (on start). */
static void index_entry(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    agg_sessions *ss = ctx;
    arena a;
    arena_init(&a, 1024);
    session_span sp;
    if (agg_entry_window(ss->p, key, klen, val, vlen, &a, &sp.start, &sp.end)) {
        size_t n = 0;
        const uint8_t *old = kvstore_get(ss->map, key, klen - 8, &n);
        size_t cnt = n / sizeof sp, at = 0;
        session_span *l = arena_alloc(&a, sizeof sp * (cnt + 1));
        if (cnt)
            memcpy(l, old, n);
        while (at < cnt && l[at].start < sp.start)
            at++;
        memmove(&l[at + 1], &l[at], sizeof sp * (cnt - at));
        l[at] = sp;
        kvstore_put(ss->map, key, klen - 8, l, sizeof sp * (cnt + 1));
    }
    arena_free(&a);
}

agg_sessions *agg_sessions_new(const plan *p, const kvstore *store)
{
    agg_sessions *ss = mem_alloc(sizeof *ss);
    ss->p = p;
    ss->map = kvstore_new();
    kvstore_each(store, index_entry, ss);
    return ss;
}

void agg_sessions_free(agg_sessions *ss)
{
    if (!ss)
        return;
    kvstore_free(ss->map);
    free(ss);
}

bool agg_entry_window(const plan *p, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen, arena *a,
                      int64_t *start, int64_t *end)
{
    const plan_agg *g = p->agg;
    if (g->window.kind == WINDOW_NONE || klen < 8)
        return false;
    *start = 0;
    for (size_t i = klen - 8; i < klen; i++)
        *start = (int64_t)((uint64_t)*start << 8 | key[i]);
    *end = *start + g->window.size;
    if (g->window.kind != WINDOW_SESSION)
        return true;
    value *st = arena_alloc(a, sizeof(value) * (size_t)(g->nstate + 1));
    err e;
    if (codec_decode(val, vlen, g->state_types, g->nstate, st, a, &e))
        return false;
    *end = st[0].u.l;
    return true;
}

/* The store key of a group's session: the group key and the start. */
static void session_key(buf *sk, const buf *gk, int64_t start)
{
    buf_reset(sk);
    buf_append(sk, gk->data, gk->len);
    buf_put_be64(sk, start);
}

/* Takes a merged-away session out of the store, and emits its tombstone
 * (when HAVING had it in the table), stamped with its own end.  A
 * session that only grows at its end keeps its store key (group, start):
 * with `overwritten` its entry stays for the merged session's put to
 * replace in place, rather than being freed and allocated again. */
static int remove_session(const plan *p, kvstore *store, value *arow, const value *st, const session_span *sp,
                          bool overwritten, buf *sk, agg_emit_fn emit, void *ctx, eval_ctx *cx)
{
    value *out = arena_alloc(cx->a, sizeof(value) * (size_t)(p->out.schema.n + 1));
    bool old_keep;
    if (finish_row(p, arow, st, true, sp->start, sp->end, out, &old_keep, cx))
        return -1;
    if (!overwritten)
        kvstore_delete(store, sk->data, sk->len);
    agg_result r = {out, false, old_keep, true, sp->start, sp->end, sp->end, sk, NULL, true, false,
                    kvstore_hash(sk->data, sk->len)};
    emit(ctx, &r);
    return 0;
}

/* The merge proper: the found sessions' states folded into one (in start
 * order), each removed with a tombstone when the window moved, then the
 * record added and the merged session written and emitted.  Returns the
 * number of results emitted, or -1. */
static int merge_sessions(const plan *p, kvstore *store, value *arow, const value *args, int64_t ts, const buf *gk,
                          const session_span *found, int nfound, session_span merged, buf *sk, buf *sv,
                          agg_emit_fn emit, void *ctx, eval_ctx *cx)
{
    const plan_agg *g = p->agg;
    value *state = arena_alloc(cx->a, sizeof(value) * (size_t)(g->nstate + 1));
    value *from = arena_alloc(cx->a, sizeof(value) * (size_t)(g->nstate + 1));
    state[0] = value_bigint(INT64_MIN);
    for (int i = 0, k = 1; i < g->ncalls; k += g->calls[i].nstate, i++)
        g->calls[i].def->init(&g->calls[i], &state[k]);
    bool moved = merged.start != ts || merged.end != ts, old_keep = false;
    int emitted = 0;
    for (int f = 0; f < nfound; f++) {
        session_key(sk, gk, found[f].start);
        size_t len;
        const uint8_t *bytes = kvstore_get(store, sk->data, sk->len, &len);
        if (!bytes)
            continue; /* the index and the store disagree: the store wins */
        if (codec_decode(bytes, len, g->state_types, g->nstate, from, cx->a, cx->e))
            return -1;
        /* analysis refuses SESSION windows with aggregates that cannot merge */
        for (int i = 0, k = 1; i < g->ncalls; k += g->calls[i].nstate, i++)
            if (g->calls[i].def->merge(&g->calls[i], &state[k], &from[k], cx))
                return -1;
        if (from[0].u.l > state[0].u.l)
            state[0] = from[0];
        if (moved) {
            if (remove_session(p, store, arow, from, &found[f], found[f].start == merged.start, sk, emit, ctx, cx))
                return -1;
            emitted++;
        } else {
            old_keep = true; /* the same window [ts, ts]: an update */
            value *out = arena_alloc(cx->a, sizeof(value) * (size_t)(p->out.schema.n + 1));
            if (g->having && finish_row(p, arow, from, true, ts, ts, out, &old_keep, cx))
                return -1;
        }
    }
    for (int i = 0, k = 1, a = 0; i < g->ncalls; k += g->calls[i].nstate, a += g->calls[i].nargs, i++)
        if (g->calls[i].def->add(&g->calls[i], &state[k], &args[a], cx))
            return -1;
    if (ts > state[0].u.l)
        state[0].u.l = ts;
    session_key(sk, gk, merged.start);
    buf_reset(sv);
    codec_encode(state, g->state_types, g->nstate, sv);
    kvstore_put(store, sk->data, sk->len, sv->data, sv->len);
    value *out = arena_alloc(cx->a, sizeof(value) * (size_t)(p->out.schema.n + 1));
    bool keep;
    if (finish_row(p, arow, state, true, merged.start, merged.end, out, &keep, cx))
        return -1;
    agg_result r = {out, keep, old_keep, true, merged.start, merged.end, state[0].u.l, sk, sv, false, false,
                    kvstore_hash(sk->data, sk->len)};
    emit(ctx, &r);
    return emitted + 1;
}

/* One record into its group's sessions, as Kafka Streams does: every
 * session that is not closed and whose [start - gap, end + gap] holds ts
 * merges with the record into one session [min start, max end].  Unless
 * that is just [ts, ts], the sessions found are removed (each with a
 * tombstone) and the merged one written anew.  A session that would
 * end before stream time - grace - gap is late: dropped. */
static int apply_session(const plan *p, kvstore *store, agg_sessions *ss, value *arow, const value *args, int64_t ts,
                         int64_t *stream_time, bool *late, agg_scratch *scr, agg_emit_fn emit, void *ctx,
                         eval_ctx *cx)
{
    buf *sk = &scr->key, *sv = &scr->val, *gk = &scr->group;
    const plan_agg *g = p->agg;
    int64_t gap = g->window.size;
    if (ts > *stream_time)
        *stream_time = ts;
    int64_t close = *stream_time - g->window.grace - gap;
    buf_reset(gk);
    codec_encode(arow, g->key_types, g->ngroup, gk);
    size_t n = 0;
    const uint8_t *raw = kvstore_get(ss->map, gk->data, gk->len, &n);
    size_t cnt = n / sizeof(session_span);
    session_span *live = arena_alloc(cx->a, sizeof(session_span) * (cnt + 1));
    session_span *found = arena_alloc(cx->a, sizeof(session_span) * (cnt + 1));
    if (cnt)
        memcpy(found, raw, n);
    int nlive = 0, nfound = 0;
    session_span merged = {ts, ts};
    for (size_t i = 0; i < cnt; i++) {
        session_span sp = found[i];
        if (sp.end < close)
            continue; /* closed: forgotten by the index (its row stays in the store) */
        if (sp.start - gap <= ts && ts <= sp.end + gap) {
            found[nfound++] = sp;
            merged.start = sp.start < merged.start ? sp.start : merged.start;
            merged.end = sp.end > merged.end ? sp.end : merged.end;
        } else
            live[nlive++] = sp;
    }
    int rc = 0;
    if (merged.end < close) {
        *late = true;
        memcpy(&live[nlive], found, sizeof(session_span) * (size_t)nfound); /* kept, order aside */
        nlive += nfound;
        nfound = 0;
    } else {
        rc = merge_sessions(p, store, arow, args, ts, gk, found, nfound, merged, sk, sv, emit, ctx, cx);
        live[nlive++] = merged;
    }
    /* sorted by start again (a handful of sessions) */
    for (int i = 1; i < nlive; i++)
        for (int j = i; j > 0 && live[j].start < live[j - 1].start; j--) {
            session_span t = live[j];
            live[j] = live[j - 1];
            live[j - 1] = t;
        }
    if (nlive)
        kvstore_put(ss->map, gk->data, gk->len, live, sizeof(session_span) * (size_t)nlive);
    else if (cnt)
        kvstore_delete(ss->map, gk->data, gk->len);
    return rc < 0 ? -1 : rc;
}

int agg_entry_row(const plan *p, const uint8_t *key, size_t klen, const uint8_t *state, size_t slen, value *out,
                  bool *keep, int64_t *wstart, int64_t *wend, eval_ctx *cx)
{
    int64_t latest;
    return agg_entry_final(p, key, klen, state, slen, out, keep, wstart, wend, &latest, cx);
}

int agg_entry_final(const plan *p, const uint8_t *key, size_t klen, const uint8_t *state, size_t slen, value *out,
                    bool *keep, int64_t *wstart, int64_t *wend, int64_t *latest, eval_ctx *cx)
{
    const plan_agg *g = p->agg;
    bool windowed = g->window.kind != WINDOW_NONE;
    *wstart = 0;
    if (windowed) {
        if (klen < 8)
            return err_set(cx->e, ERR_CORRUPT, "windowed store key too short");
        for (size_t i = klen - 8; i < klen; i++)
            *wstart = (int64_t)((uint64_t)*wstart << 8 | key[i]);
        klen -= 8;
    }
    value *arow = arena_alloc(cx->a, sizeof(value) * (size_t)g->nrow);
    value *st = arena_alloc(cx->a, sizeof(value) * (size_t)(g->nstate + 1));
    if (codec_decode(key, klen, g->key_types, g->ngroup, arow, cx->a, cx->e) ||
        codec_decode(state, slen, g->state_types, g->nstate, st, cx->a, cx->e))
        return -1;
    /* a session ends at its latest event */
    *latest = st[0].u.l;
    *wend = g->window.kind == WINDOW_SESSION ? st[0].u.l : *wstart + g->window.size;
    return finish_row(p, arow, st, windowed, *wstart, *wend, out, keep, cx);
}

/* A record's windows are updated in order; the store slots of the
 * windows SLOTS_AHEAD on are fetched into the cache meanwhile, and the
 * entries of those ENTRIES_AHEAD on (their slots fetched by then), so
 * the two cache misses of each lookup overlap with other work.  Each
 * window key is hashed once; `hashes` is a ring of those ahead. */
#define SLOTS_AHEAD 8
#define ENTRIES_AHEAD 4
#define HASH_RING 16 /* a power of two > SLOTS_AHEAD */

static int apply_windows(const plan *p, kvstore *store, value *arow, const value *args, bool retract, int64_t ts,
                         int64_t stream_time, buf *sk, buf *sv, agg_emit_fn emit, void *ctx, eval_ctx *cx)
{
    const plan_agg *g = p->agg;
    size_t gklen = sk->len;
    window_range w = windows_of(&g->window, ts);
    uint64_t hashes[HASH_RING];
    int64_t n = (w.last - w.first) / w.step + 1, hashed = 0;
    int emitted = 0, rc = 0;
    for (int64_t i = 0; i < n && rc >= 0; i++) {
        for (; hashed < n && hashed <= i + SLOTS_AHEAD; hashed++) {
            window_key(sk, gklen, w.first + hashed * w.step);
            hashes[hashed % HASH_RING] = kvstore_hash(sk->data, sk->len);
            kvstore_prefetch_hashed(store, hashes[hashed % HASH_RING]);
        }
        if (i == 0)
            for (int64_t k = 0; k <= ENTRIES_AHEAD && k < n; k++)
                kvstore_prefetch_entry_hashed(store, hashes[k]);
        else if (i + ENTRIES_AHEAD < n)
            kvstore_prefetch_entry_hashed(store, hashes[(i + ENTRIES_AHEAD) % HASH_RING]);
        int64_t s = w.first + i * w.step;
        if (s + g->window.size + g->window.grace <= stream_time)
            continue; /* closed */
        window_key(sk, gklen, s);
        rc = apply_one(p, store, arow, args, retract, ts, sk, hashes[i % HASH_RING], sv, true, s, emit, ctx, cx);
        emitted += rc > 0;
    }
    return rc < 0 ? -1 : emitted;
}

void agg_scratch_free(agg_scratch *s)
{
    buf_free(&s->key);
    buf_free(&s->val);
    buf_free(&s->group);
}

int agg_apply(const plan *p, kvstore *store, agg_sessions *sessions, agg_scratch *scratch, const value *row,
              bool retract, int64_t ts, int64_t *stream_time, bool *late, agg_emit_fn emit, void *ctx, eval_ctx *cx)
{
    const plan_agg *g = p->agg;
    *late = false;
    value *arow = arena_alloc(cx->a, sizeof(value) * (size_t)g->nrow);
    for (int i = 0; i < g->ngroup; i++) {
        if (expr_eval(g->group[i], row, cx, &arow[i]))
            return -1;
        if (arow[i].null)
            return 0; /* ksqlDB drops rows whose group key is NULL */
    }
    int nargs = 0;
    for (int i = 0; i < g->ncalls; i++)
        nargs += g->calls[i].nargs;
    value *args = arena_alloc(cx->a, sizeof(value) * (size_t)(nargs + 1));
    if (eval_args(g, row, args, cx))
        return -1;
    buf *sk = &scratch->key, *sv = &scratch->val;
    buf_reset(sk);
    int emitted = 0, rc = 0;
    if (g->window.kind == WINDOW_SESSION) {
        rc = apply_session(p, store, sessions, arow, args, ts, stream_time, late, scratch, emit, ctx, cx);
        emitted = rc > 0 ? rc : 0;
    } else if (g->window.kind == WINDOW_NONE) {
        codec_encode(arow, g->key_types, g->ngroup, sk);
        rc = apply_one(p, store, arow, args, retract, ts, sk, kvstore_hash(sk->data, sk->len), sv, false, 0, emit, ctx,
                       cx);
        emitted = rc > 0;
    } else {
        codec_encode(arow, g->key_types, g->ngroup, sk);
        if (ts > *stream_time)
            *stream_time = ts;
        rc = apply_windows(p, store, arow, args, retract, ts, *stream_time, sk, sv, emit, ctx, cx);
        emitted = rc > 0 ? rc : 0;
        *late = emitted == 0 && rc >= 0;
    }
    return rc < 0 ? -1 : emitted;
}
