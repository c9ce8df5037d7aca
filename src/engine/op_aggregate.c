/* op_aggregate.c — see op_aggregate.h. */
#include "op_aggregate.h"

#include "codec.h"

/* The group's state: from the store, or fresh. */
static int load_state(const plan_agg *g, kvstore *store, const buf *key, value *state, bool *existed, eval_ctx *cx)
{
    size_t len;
    const uint8_t *bytes = kvstore_get(store, key->data, key->len, &len);
    *existed = bytes != NULL;
    if (bytes)
        return codec_decode(bytes, len, g->state_types, g->nstate, state, cx->a, cx->e);
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

static void put_be64(buf *b, int64_t v)
{
    uint8_t t[8];
    for (int i = 7; i >= 0; i--, v = (int64_t)((uint64_t)v >> 8))
        t[i] = (uint8_t)v;
    buf_append(b, t, 8);
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
static int finish_row(const plan *p, value *arow, const value *state, bool windowed, int64_t wstart, value *out,
                      bool *keep, eval_ctx *cx)
{
    const plan_agg *g = p->agg;
    arow[g->ngroup] = windowed ? value_bigint(wstart) : value_null();
    arow[g->ngroup + 1] = windowed ? value_bigint(wstart + g->window.size) : value_null();
    for (int i = 0, k = 1; i < g->ncalls; k += g->calls[i].nstate, i++)
        if (g->calls[i].def->result(&g->calls[i], &state[k], &arow[g->ngroup + 2 + i], cx))
            return -1;
    *keep = true;
    if (g->having && expr_eval_pred(g->having, arow, cx, keep))
        return -1;
    for (int i = 0; i < p->out.schema.n; i++)
        if ((*keep || p->out.schema.cols[i].key) && expr_eval(p->project[i], arow, cx, &out[i]))
            return -1;
    return 0;
}

/* Folds the row into one group/window state and emits its result. */
static int apply_one(const plan *p, kvstore *store, value *arow, const value *args, bool retract, int64_t ts,
                     buf *sk, buf *sv, bool windowed, int64_t wstart, agg_emit_fn emit, void *ctx, eval_ctx *cx)
{
    const plan_agg *g = p->agg;
    buf_reset(sk);
    codec_encode(arow, g->key_types, g->ngroup, sk);
    if (windowed)
        put_be64(sk, wstart);
    value *state = arena_alloc(cx->a, sizeof(value) * (size_t)(g->nstate + 1));
    bool existed;
    if (load_state(g, store, sk, state, &existed, cx))
        return -1;
    value *out = arena_alloc(cx->a, sizeof(value) * (size_t)(p->out.schema.n + 1));
    /* whether the group was in the table before: a HAVING that rejects it
     * now takes it out with a tombstone only if it was */
    bool old_keep = existed;
    if (existed && g->having && finish_row(p, arow, state, windowed, wstart, out, &old_keep, cx))
        return -1;
    for (int i = 0, k = 1, a = 0; i < g->ncalls; k += g->calls[i].nstate, a += g->calls[i].nargs, i++) {
        const agg_call *c = &g->calls[i];
        /* analysis refuses tables with aggregates that cannot undo */
        if ((retract ? c->def->undo : c->def->add)(c, &state[k], &args[a], cx))
            return -1;
    }
    if (ts > state[0].u.l)
        state[0].u.l = ts;
    buf_reset(sv);
    codec_encode(state, g->state_types, g->nstate, sv);
    kvstore_put(store, sk->data, sk->len, sv->data, sv->len);
    bool keep;
    if (finish_row(p, arow, state, windowed, wstart, out, &keep, cx))
        return -1;
    agg_result r = {out, keep, old_keep, windowed, wstart, wstart + g->window.size, state[0].u.l, sk, sv};
    emit(ctx, &r);
    return 1;
}

int agg_entry_row(const plan *p, const uint8_t *key, size_t klen, const uint8_t *state, size_t slen, value *out,
                  bool *keep, int64_t *wstart, eval_ctx *cx)
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
    return finish_row(p, arow, st, windowed, *wstart, out, keep, cx);
}

int agg_apply(const plan *p, kvstore *store, const value *row, bool retract, int64_t ts, int64_t *stream_time,
              bool *late, agg_emit_fn emit, void *ctx, eval_ctx *cx)
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
    buf sk = BUF_INIT, sv = BUF_INIT;
    int emitted = 0, rc = 0;
    if (g->window.kind == WINDOW_NONE) {
        rc = apply_one(p, store, arow, args, retract, ts, &sk, &sv, false, 0, emit, ctx, cx);
        emitted = rc > 0;
    } else {
        if (ts > *stream_time)
            *stream_time = ts;
        window_range w = windows_of(&g->window, ts);
        for (int64_t s = w.first; s <= w.last && rc >= 0; s += w.step) {
            if (s + g->window.size + g->window.grace <= *stream_time)
                continue; /* closed */
            rc = apply_one(p, store, arow, args, retract, ts, &sk, &sv, true, s, emit, ctx, cx);
            emitted += rc > 0;
        }
        *late = emitted == 0 && rc >= 0;
    }
    buf_free(&sk);
    buf_free(&sv);
    return rc < 0 ? -1 : emitted;
}
