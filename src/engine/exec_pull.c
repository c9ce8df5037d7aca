/* exec_pull.c — pull queries on materialized tables: SELECT ... FROM t
 * [WHERE ...] [LIMIT n] without EMIT reads the state store of the query
 * that builds t and ends.
 *
 * Each store entry becomes the table's current row (the building query's
 * HAVING and projection applied); the pull query's own WHERE and
 * projection then run over it.  The scan holds the engine lock, so the
 * runtime thread does not change the store meanwhile. */
#include "codec.h"
#include "engine_internal.h"
#include "op_aggregate.h"

/* Catch-up steps (of 256 input records) a lookups_only pull query may
 * take before it declines: a bound on how long it holds a server's loop. */
#define PULL_LOOKUP_STEPS 4

typedef struct pull_scan {
    exec_ctx *x;
    const plan *table;   /* the plan of the query building the table */
    const plan *pull;    /* the pull query */
    int *slots;          /* pull row slot -> table output column, or -1 */
    arena arena;
    int64_t emitted;
    bool failed;
} pull_scan;

static void pull_entry(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    pull_scan *ps = ctx;
    const plan *pl = ps->pull;
    if (ps->failed || (pl->limit >= 0 && ps->emitted >= pl->limit))
        return;
    arena_reset(&ps->arena);
    eval_ctx cx = {.a = &ps->arena, .e = ps->x->e};
    value *trow = arena_alloc(&ps->arena, sizeof(value) * (size_t)(ps->table->out.schema.n + 1));
    value *row = arena_alloc(&ps->arena, sizeof(value) * (size_t)pl->nrow);
    value *out = arena_alloc(&ps->arena, sizeof(value) * (size_t)(pl->out.schema.n + 1));
    bool keep;
    int64_t wstart, wend;
    if (agg_entry_row(ps->table, key, klen, val, vlen, trow, &keep, &wstart, &wend, &cx)) {
        ps->failed = true;
        return;
    }
    if (!keep)
        return; /* HAVING removed the row from the table */
    for (int i = 0; i < pl->nrow; i++)
        row[i] = ps->slots[i] >= 0 ? trow[ps->slots[i]] : value_null();
    if (pl->in.window_kind) { /* WINDOWSTART, WINDOWEND */
        row[pl->rowoffset + 1] = value_bigint(wstart);
        row[pl->rowoffset + 2] = value_bigint(wend);
    }
    bool pass = true;
    if (pl->where && expr_eval_pred(pl->where, row, &cx, &pass)) {
        ps->failed = true;
        return;
    }
    if (!pass)
        return;
    for (int i = 0; i < pl->out.schema.n; i++)
        if (expr_eval(pl->project[i], row, &cx, &out[i])) {
            ps->failed = true;
            return;
        }
    if (ps->x->out && ps->x->out->row)
        ps->x->out->row(ps->x->out->ctx, out);
    ps->emitted++;
}

/* WHERE <key column> = <literal> (either order) on a table grouped by
 * one column: the store key to look up, instead of a scan.  The WHERE is
 * still applied to the row found. */
static bool key_lookup(const plan *table, const plan *pl, const int *slots, buf *key)
{
    const plan_agg *g = table->agg;
    const expr *w = pl->where;
    if (!w || w->kind != EX_CMP || w->op != EXOP_EQ || g->ngroup != 1 || g->window.kind != WINDOW_NONE)
        return false;
    const expr *col = w->args[0], *lit = w->args[1];
    if (col->kind == EX_CONST) {
        const expr *t = col;
        col = lit;
        lit = t;
    }
    if (col->kind != EX_COLUMN || lit->kind != EX_CONST || lit->constant.null || col->column >= pl->in.schema.n)
        return false;
    int out_col = slots[col->column];
    if (out_col < 0)
        return false;
    const expr *src = table->project[out_col];
    if (src->kind != EX_COLUMN || src->column != 0)
        return false;
    value k = lit->constant;
    if (!types_equal(lit->type, g->key_types[0])) { /* 42 for a BIGINT key */
        if (!types_is_numeric(lit->type) || !types_is_numeric(g->key_types[0]))
            return false;
        arena a;
        arena_init(&a, 256);
        err e;
        eval_ctx cx = {.a = &a, .e = &e};
        bool ok = expr_cast(&lit->constant, lit->type, g->key_types[0], &cx, &k) == 0;
        if (ok)
            codec_encode(&k, g->key_types, 1, key);
        arena_free(&a);
        return ok;
    }
    codec_encode(&k, g->key_types, 1, key);
    return true;
}

int engine__pull(exec_ctx *x, const plan *pl, const ast_query *q)
{
    engine *en = x->en;
    pthread_mutex_lock(&en->mu);
    source *s = catalog_find(&en->cat, pl->in.name);
    query *builder = s && s->writer ? engine__find_query(en, s->writer) : NULL;
    if (!builder || !builder->store) {
        pthread_mutex_unlock(&en->mu);
        err_at(x->e, ERR_INVALID, q->from.span.off, q->from.span.len,
               "The `%s` table isn't queryable. To derive a queryable table, you can do 'CREATE TABLE "
               "QUERYABLE_%s AS SELECT ... GROUP BY ...'.",
               pl->in.name, pl->in.name);
        return -1;
    }
    const plan *table = builder->plan;
    pull_scan ps = {.x = x, .table = table, .pull = pl};
    arena a; /* lives for the whole scan */
    arena_init(&a, 1024);
    ps.slots = arena_alloc(&a, sizeof(int) * (size_t)pl->nrow);
    for (int i = 0; i < pl->nrow; i++)
        ps.slots[i] = i < pl->in.schema.n ? schema_find(&table->out.schema, pl->in.schema.cols[i].name) : -1;
    buf key = BUF_INIT;
    bool lookup = key_lookup(table, pl, ps.slots, &key);
    if (!lookup && x->session->lookups_only) {
        pthread_mutex_unlock(&en->mu);
        buf_free(&key);
        arena_free(&a);
        return err_set(x->e, ERR_DEFERRED, "not a key lookup");
    }
    /* Catch the table up with what is already in its input: a pull query
     * sees every write made before it, in this process.  A lookup on a
     * server's network thread does a bounded part of that, and leaves a
     * table far behind to a worker. */
    err pe;
    for (int steps = 0; runtime_query_step(builder, en->log, &en->scratch, 256, &pe) > 0;)
        if (x->session->lookups_only && ++steps >= PULL_LOOKUP_STEPS) {
            pthread_mutex_unlock(&en->mu);
            buf_free(&key);
            arena_free(&a);
            return err_set(x->e, ERR_DEFERRED, "the table is catching up with its input");
        }
    arena_init(&ps.arena, 16 * 1024); /* reset for every row */
    if (x->out && x->out->header)
        x->out->header(x->out->ctx, &pl->out.schema, false);
    if (lookup) {
        size_t vlen;
        const uint8_t *v = kvstore_get(builder->store, key.data, key.len, &vlen);
        if (v)
            pull_entry(&ps, (const uint8_t *)key.data, key.len, v, vlen);
    } else
        kvstore_each(builder->store, pull_entry, &ps);
    buf_free(&key);
    pthread_mutex_unlock(&en->mu);
    if (x->out && x->out->footer && !ps.failed)
        x->out->footer(x->out->ctx, NULL);
    arena_free(&ps.arena);
    arena_free(&a);
    return ps.failed ? -1 : 0;
}
