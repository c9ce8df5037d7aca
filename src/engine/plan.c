/* plan.c — see plan.h. */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "timefmt.h"

plan *plan_new(void)
{
    plan *p = mem_alloc(sizeof *p);
    arena_init(&p->arena, 8192);
    p->limit = -1;
    return p;
}

void plan_free(plan *p)
{
    if (!p)
        return;
    arena_free(&p->arena);
    free(p);
}

int32_t plan_window_key_split(int window_kind, int64_t size, const uint8_t *key, int32_t key_len,
                              int64_t *start, int64_t *end)
{
    int32_t suffix = window_kind == WINDOW_SESSION ? 16 : 8;
    *start = *end = -1;
    if (window_kind == WINDOW_NONE || key_len < suffix)
        return key_len;
    *start = be64_get(key + key_len - 8);
    *end = window_kind == WINDOW_SESSION ? be64_get(key + key_len - 16) : *start + size;
    return key_len - suffix;
}

static bool is_key_column(const plan *p, const expr *x)
{
    return x->kind == EX_COLUMN && x->column < p->in.schema.n && p->in.schema.cols[x->column].key;
}

/* One header as STRUCT<KEY STRING, VALUE BYTES>, pointing into the record. */
static value header_struct(const log_header *h, arena *a)
{
    value_list *l = arena_alloc(a, sizeof *l);
    l->n = 2;
    l->items = arena_alloc(a, sizeof(value) * 2);
    l->items[0] = value_string(h->key, h->key_len);
    l->items[1] = h->value_len < 0 ? value_null() : value_string((const char *)h->value, (uint32_t)h->value_len);
    value v = {.u.list = l};
    return v;
}

/* Fills the header columns of the input (HEADERS: every header in record
 * order; HEADER('k'): the last header with key k, as ksqlDB reads it, or
 * NULL). */
static void read_headers(const plan *p, const log_record *rec, value *row, arena *a)
{
    for (int i = 0; i < p->in.schema.n; i++) {
        const column *c = &p->in.schema.cols[i];
        if (!c->header || (p->needed && !p->needed[i]))
            continue;
        if (!c->header_key) {
            value_list *l = arena_alloc(a, sizeof *l);
            l->n = rec->nheaders;
            l->items = arena_alloc(a, sizeof(value) * (size_t)(rec->nheaders + 1));
            for (int h = 0; h < rec->nheaders; h++)
                l->items[h] = header_struct(&rec->headers[h], a);
            row[i] = (value){.u.list = l};
            continue;
        }
        row[i] = value_null();
        size_t klen = strlen(c->header_key);
        for (int h = 0; h < rec->nheaders; h++) {
            const log_header *hd = &rec->headers[h];
            if (hd->key_len == klen && memcmp(hd->key, c->header_key, klen) == 0)
                row[i] = hd->value_len < 0 ? value_null()
                                           : value_string((const char *)hd->value, (uint32_t)hd->value_len);
        }
    }
}

/* The pseudo-columns of every record written field by field: value.h's
 * constructors go through a stack copy that stalls on store forwarding,
 * five times per record here. */
static void set_bigint(value *v, int64_t l)
{
    v->null = false;
    v->u.dec.hi = 0;
    v->u.l = l;
}

plan_result plan_apply(const plan *p, const log_record *rec, int partition, value *row,
                       value *out, eval_ctx *cx)
{
    /* A stream record without a value has no row to filter; ksqlDB passes
     * it on as a record with the same key and no value when nothing
     * filters, and drops it otherwise. */
    bool tombstone = rec->value_len < 0 && !p->in.is_table;
    if (tombstone && p->where)
        return PLAN_SKIP;
    /* A table's row (no GROUP BY, no join) maps to the result's row with
     * the same key: a deleted row, or one the filter now rejects, is a
     * tombstone for that key, as a KTable's filter and mapValues forward. */
    bool table_rows = p->in.is_table && !p->agg && !p->join;
    if (table_rows && rec->key_len < 0) /* a table's rows have keys */
        return PLAN_SKIP;
    if (table_rows && rec->value_len < 0)
        tombstone = true;
    int64_t wstart = -1, wend = -1;
    int32_t key_len = rec->key_len;
    if (p->in.window_kind && key_len > 0)
        key_len = plan_window_key_split(p->in.window_kind, p->in.window_size, rec->key, key_len, &wstart, &wend);
    cx->bad_part = 0;
    cx->column_errors = 0;
    if (p->needs_key &&
        serde_decode_key(&p->in.key_format, rec->key, key_len, &p->in.schema, row, cx->a, cx->e))
        return cx->bad_part = EVAL_BAD_KEY, PLAN_ERROR;
    if (serde_decode_value_named(&p->in.value_format, rec->value, rec->value_len, &p->in.schema, p->in.names,
                                 cx->memo, p->needed, row, cx->a, cx->e))
        return cx->bad_part = EVAL_BAD_VALUE, PLAN_ERROR;
    if (p->in.has_headers)
        read_headers(p, rec, row, cx->a);
    set_bigint(&row[p->rowtime], rec->timestamp);
    if (p->in.ts_column >= 0 && !tombstone) {
        /* event time from a column (WITH TIMESTAMP=...); ksqlDB skips a
         * record whose timestamp is missing or negative */
        int64_t ts;
        if (plan_event_time(&p->in, &row[p->in.ts_column], &ts, cx->e))
            return PLAN_ERROR;
        set_bigint(&row[p->rowtime], ts);
    }
    set_bigint(&row[p->rowpartition], 0); /* an INT: u.i, the rest zero */
    row[p->rowpartition].u.i = partition;
    set_bigint(&row[p->rowoffset], rec->offset);
    /* WINDOWSTART, WINDOWEND of a windowed source, NULL (all zero) when not */
    set_bigint(&row[p->rowoffset + 1], wstart >= 0 ? wstart : 0);
    row[p->rowoffset + 1].null = wstart < 0;
    set_bigint(&row[p->rowoffset + 2], wend >= 0 ? wend : 0);
    row[p->rowoffset + 2].null = wend < 0;
    if (p->join) { /* the other sides' columns come first: op_join */
        row[p->join->time_slot] = row[p->rowtime];
        return tombstone ? PLAN_SKIP : PLAN_EMIT;
    }
    if (p->where && !tombstone) {
        bool keep;
        if (expr_eval_pred(p->where, row, cx, &keep))
            return PLAN_ERROR;
        if (!keep && !table_rows)
            return PLAN_SKIP;
        tombstone = !keep;
    }
    if (p->agg) /* the rest needs the state store: agg_apply */
        return tombstone ? PLAN_SKIP : PLAN_EMIT;
    if (p->flatmap) {
        if (tombstone)
            return PLAN_SKIP;
        const plan_flatmap *f = p->flatmap;
        for (int i = 0; i < f->nfns; i++)
            if (expr_eval(f->args[i], row, cx, &row[f->base + f->nfns + i]))
                return PLAN_ERROR;
        if (plan_flatmap_rows(p, row) == 0)
            return PLAN_SKIP;
        return plan_flatmap_row(p, row, 0, out, cx);
    }
    /* PARTITION BY over a stream record without a value: as in ksqlDB, a
     * new key column that names an old key column keeps its value; any
     * other expression (value column, ROWTIME, function) gives null */
    bool keys_only = tombstone && p->partitioned && !p->in.is_table;
    for (int i = 0; i < p->out.schema.n; i++) {
        if (tombstone && !p->out.schema.cols[i].key)
            continue;
        if (keys_only && !is_key_column(p, p->project[i]))
            out[i] = value_null();
        else
            plan_eval_column(p, i, row, cx, &out[i]);
    }
    return tombstone ? PLAN_TOMBSTONE : PLAN_EMIT;
}

int plan_flatmap_rows(const plan *p, const value *row)
{
    const plan_flatmap *f = p->flatmap;
    int n = 0;
    for (int i = 0; i < f->nfns; i++) {
        int c = f->fns[i]->count(&row[f->base + f->nfns + i]);
        if (c > n)
            n = c;
    }
    return n;
}

plan_result plan_flatmap_row(const plan *p, value *row, int k, value *out, eval_ctx *cx)
{
    const plan_flatmap *f = p->flatmap;
    cx->column_errors = 0;
    for (int i = 0; i < f->nfns; i++) {
        const value *arg = &row[f->base + f->nfns + i];
        value *v = &row[f->base + i];
        if (k >= f->fns[i]->count(arg))
            *v = value_null();
        else if (f->fns[i]->at(arg, k, f->types[i], cx, v))
            return PLAN_ERROR;
    }
    for (int i = 0; i < p->out.schema.n; i++)
        plan_eval_column(p, i, row, cx, &out[i]);
    return PLAN_EMIT;
}

void plan_eval_column(const plan *p, int i, const value *row, eval_ctx *cx, value *out)
{
    err spare, *first = cx->e;
    if (cx->column_errors)
        cx->e = &spare; /* keep the first failure's reason */
    int failed = expr_eval(p->project[i], row, cx, out);
    cx->e = first;
    if (!failed)
        return;
    *out = value_null();
    if (cx->column_errors++ == 0)
        cx->failed_column = i;
}

void plan_name_failed_column(const plan *p, eval_ctx *cx)
{
    if (!cx->column_errors || cx->failed_column >= p->out.schema.n)
        return;
    char why[sizeof cx->e->msg];
    snprintf(why, sizeof why, "%s", cx->e->msg);
    err_set(cx->e, ERR_EVAL, "column %s is NULL: %s", p->out.schema.cols[cx->failed_column].name, why);
}

int plan_result_timestamp(const plan *p, const value *row, const value *out, int64_t *ts, err *e)
{
    *ts = row[p->join ? p->join->time_slot : p->rowtime].u.l;
    if (p->out.ts_column < 0)
        return 0;
    return plan_event_time(&p->out, &out[p->out.ts_column], ts, e);
}

int plan_event_time(const plan_io *io, const value *v, int64_t *ts, err *e)
{
    const char *name = io->schema.cols[io->ts_column].name;
    if (v->null)
        return err_set(e, ERR_EVAL, "timestamp column %s is NULL", name);
    if (io->ts_format) {
        /* STRING with TIMESTAMP_FORMAT, read in UTC as ksqlDB does */
        tz_zone utc = {0};
        char why[160];
        if (timefmt_parse(io->ts_format, strlen(io->ts_format), v->u.s.p, v->u.s.len, &utc, false, ts, why,
                          sizeof why))
            return err_set(e, ERR_EVAL, "cannot read timestamp column %s ('%.*s') with format '%s': %s", name,
                           (int)(v->u.s.len > 64 ? 64 : v->u.s.len), v->u.s.p, io->ts_format, why);
    } else
        *ts = v->u.l;
    if (*ts < 0)
        return err_set(e, ERR_EVAL, "timestamp column %s is negative", name);
    return 0;
}
