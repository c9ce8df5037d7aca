/* op_aggregate.c — see op_aggregate.h. */
#include "op_aggregate.h"

#include "codec.h"

/* The group's state: from the store, or fresh. */
static int load_state(const plan_agg *g, kvstore *store, const buf *key, value *state, eval_ctx *cx)
{
    size_t len;
    const uint8_t *bytes = kvstore_get(store, key->data, key->len, &len);
    if (bytes)
        return codec_decode(bytes, len, g->state_types, g->nstate, state, cx->a, cx->e);
    for (int i = 0, k = 0; i < g->ncalls; k += g->calls[i].nstate, i++)
        g->calls[i].def->init(&g->calls[i], &state[k]);
    return 0;
}

static int fold(const plan_agg *g, const value *row, value *state, eval_ctx *cx)
{
    value args[8];
    for (int i = 0, k = 0; i < g->ncalls; k += g->calls[i].nstate, i++) {
        const agg_call *c = &g->calls[i];
        for (int a = 0; a < c->nargs && a < 8; a++)
            if (expr_eval(c->args[a], row, cx, &args[a]))
                return -1;
        if (c->def->add(c, &state[k], args, cx))
            return -1;
    }
    return 0;
}

plan_result agg_apply(const plan *p, kvstore *store, const value *row, value *out, buf *store_key, buf *store_val,
                      eval_ctx *cx)
{
    const plan_agg *g = p->agg;
    value *arow = arena_alloc(cx->a, sizeof(value) * (size_t)g->nrow);
    for (int i = 0; i < g->ngroup; i++) {
        if (expr_eval(g->group[i], row, cx, &arow[i]))
            return PLAN_ERROR;
        if (arow[i].null)
            return PLAN_SKIP; /* ksqlDB drops rows whose group key is NULL */
    }
    buf_reset(store_key);
    codec_encode(arow, g->key_types, g->ngroup, store_key);
    value *state = arena_alloc(cx->a, sizeof(value) * (size_t)(g->nstate + 1));
    if (load_state(g, store, store_key, state, cx) || fold(g, row, state, cx))
        return PLAN_ERROR;
    buf_reset(store_val);
    codec_encode(state, g->state_types, g->nstate, store_val);
    kvstore_put(store, store_key->data, store_key->len, store_val->data, store_val->len);
    for (int i = 0, k = 0; i < g->ncalls; k += g->calls[i].nstate, i++)
        if (g->calls[i].def->result(&g->calls[i], &state[k], &arow[g->ngroup + i], cx))
            return PLAN_ERROR;
    arow[g->nrow - 2] = value_null(); /* WINDOWSTART, WINDOWEND: windows come later */
    arow[g->nrow - 1] = value_null();
    bool keep = true;
    if (g->having && expr_eval_pred(g->having, arow, cx, &keep))
        return PLAN_ERROR;
    for (int i = 0; i < p->out.schema.n; i++)
        if ((keep || p->out.schema.cols[i].key) && expr_eval(p->project[i], arow, cx, &out[i]))
            return PLAN_ERROR;
    return keep ? PLAN_EMIT : PLAN_TOMBSTONE;
}
