/* agg.c — the aggregate functions, one list (AGGREGATES below).
 *
 * States are small rows of values (see agg.h).  Adding to a collection
 * (COLLECT_LIST, ...) builds a new list in the evaluation arena: simple,
 * and the caller encodes the state straight after. */
#include "agg.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------- */

static bool is_numeric_arg(const agg_call *c) { return c->nargs >= 1 && types_is_numeric(c->args[0]->type); }

static int need_numeric(const agg_call *c, char *why, size_t wn)
{
    if (is_numeric_arg(c))
        return 0;
    snprintf(why, wn, "expects a numeric argument (INT, BIGINT, DOUBLE or DECIMAL)");
    return -1;
}

/* value + by (both of the numeric type t); integers wrap as Java's do. */
static value num_add(const sqltype *t, value a, value b, int sign)
{
    value r = {0};
    switch (t->kind) {
    case TYPE_INT: r.u.i = (int32_t)((uint32_t)a.u.i + (uint32_t)(sign * b.u.i)); break;
    case TYPE_DOUBLE: r.u.d = a.u.d + sign * b.u.d; break;
    /* DECIMAL: 128-bit unscaled values of one scale (value.h) */
    case TYPE_DECIMAL: r = value_decimal(value_dec(&a) + sign * value_dec(&b)); break;
    default: r.u.l = (int64_t)((uint64_t)a.u.l + (uint64_t)(sign * b.u.l)); break; /* BIGINT */
    }
    return r;
}

static value num_zero(void)
{
    value z = {0};
    return z;
}

static value_list *list_with(eval_ctx *cx, const value_list *old, const value *extra)
{
    int n = old ? old->n : 0;
    value_list *l = arena_alloc(cx->a, sizeof *l);
    l->items = arena_alloc(cx->a, sizeof(value) * (size_t)(n + 1));
    if (n)
        memcpy(l->items, old->items, sizeof(value) * (size_t)n);
    l->items[n] = *extra;
    l->n = n + 1;
    return l;
}

static value list_value(const value_list *l)
{
    value v = {.u.list = l};
    return v;
}

/* A copy of old (NULL = empty) with v inserted at `at`, keeping at most
 * `max` items (the last ones fall off). */
static value_list *list_insert(eval_ctx *cx, const value_list *old, int at, const value *v, int64_t max)
{
    int n = old ? old->n : 0;
    value_list *l = arena_alloc(cx->a, sizeof *l);
    l->items = arena_alloc(cx->a, sizeof(value) * (size_t)(n + 1));
    for (int i = 0; i < at; i++)
        l->items[l->n++] = old->items[i];
    l->items[l->n++] = *v;
    for (int i = at; i < n && l->n < max; i++)
        l->items[l->n++] = old->items[i];
    return l;
}

/* A copy of old without its items [at, at + count). */
static value_list *list_remove(eval_ctx *cx, const value_list *old, int at, int count)
{
    value_list *l = arena_alloc(cx->a, sizeof *l);
    l->items = arena_alloc(cx->a, sizeof(value) * (size_t)(old->n ? old->n : 1));
    for (int i = 0; i < old->n; i++)
        if (i < at || i >= at + count)
            l->items[l->n++] = old->items[i];
    return l;
}

/* A copy of old with item `at` replaced by v. */
static value_list *list_set(eval_ctx *cx, const value_list *old, int at, value v)
{
    value_list *l = arena_alloc(cx->a, sizeof *l);
    l->items = arena_alloc(cx->a, sizeof(value) * (size_t)(old->n ? old->n : 1));
    memcpy(l->items, old->items, sizeof(value) * (size_t)old->n);
    l->n = old->n;
    l->items[at] = v;
    return l;
}

static void empty_list_init(const agg_call *c, value *s)
{
    static const value_list empty = {0, NULL};
    for (int i = 0; i < c->nstate; i++)
        s[i] = list_value(&empty);
}

/* The positive INT/BIGINT literal that argument i must be (TOPK's k,
 * LATEST_BY_OFFSET's n): ksqlDB takes these as constants, so a column or
 * other expression is refused at compile time. */
static int literal_count(const agg_call *c, int i, const char *what, char *why, size_t wn)
{
    const expr *x = c->args[i];
    if (x->kind != EX_CONST || (x->type->kind != TYPE_INT && x->type->kind != TYPE_BIGINT) || x->constant.null) {
        snprintf(why, wn, "expects an INT literal as argument %d (%s), not an expression", i + 1, what);
        return -1;
    }
    int64_t n = x->type->kind == TYPE_INT ? x->constant.u.i : x->constant.u.l;
    if (n <= 0) {
        snprintf(why, wn, "expects %s > 0 as argument %d, got %lld", what, i + 1, (long long)n);
        return -1;
    }
    return 0;
}

static int64_t literal_int(const expr *x) { return x->type->kind == TYPE_INT ? x->constant.u.i : x->constant.u.l; }

static bool orderable(type_kind k)
{
    return k != TYPE_ARRAY && k != TYPE_MAP && k != TYPE_STRUCT && k != TYPE_BOOLEAN;
}

/* ---- COUNT ------------------------------------------------------------ */

/* COUNT(*), COUNT() and COUNT(constant) count rows; COUNT(col) counts
 * non-NULL values. */
static int count_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    c->type = types_scalar(TYPE_BIGINT);
    c->state_types[0] = c->type;
    c->nstate = 1;
    return 0;
}

static void zero_init(const agg_call *c, value *s)
{
    for (int i = 0; i < c->nstate; i++)
        s[i] = num_zero();
}

static int count_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (c->nargs == 0 || !args[0].null)
        s[0].u.l++;
    return 0;
}

static int count_undo(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (c->nargs == 0 || !args[0].null)
        s[0].u.l--;
    return 0;
}

static int count_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    s[0].u.l += from[0].u.l;
    return 0;
}

static int first_state(const agg_call *c, const value *s, value *out, eval_ctx *cx)
{
    *out = s[0];
    return 0;
}

/* ---- SUM -------------------------------------------------------------- */

static int sum_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    if (need_numeric(c, why, wn))
        return -1;
    c->type = c->args[0]->type;
    c->state_types[0] = c->type;
    c->nstate = 1;
    return 0;
}

static int sum_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (!args[0].null)
        s[0] = num_add(c->type, s[0], args[0], 1);
    return 0;
}

static int sum_undo(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (!args[0].null)
        s[0] = num_add(c->type, s[0], args[0], -1);
    return 0;
}

static int sum_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    s[0] = num_add(c->type, s[0], from[0], 1);
    return 0;
}

/* ---- AVG -------------------------------------------------------------- */

/* State: the sum (BIGINT for integers, as ksqlDB keeps a long; DOUBLE or
 * DECIMAL otherwise) and the count.  Result: DOUBLE (DECIMAL for DECIMAL),
 * 0 when nothing was counted. */
static int avg_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    if (need_numeric(c, why, wn))
        return -1;
    type_kind k = c->args[0]->type->kind;
    c->state_types[0] = k == TYPE_INT || k == TYPE_BIGINT ? types_scalar(TYPE_BIGINT) : c->args[0]->type;
    c->state_types[1] = types_scalar(TYPE_BIGINT);
    c->nstate = 2;
    c->struct_state = true;
    c->type = types_scalar(TYPE_DOUBLE);
    return 0;
}

static value as_state_number(const agg_call *c, const value *arg)
{
    value v = *arg;
    if (c->args[0]->type->kind == TYPE_INT)
        v.u.l = arg->u.i;
    return v;
}

static int avg_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (args[0].null)
        return 0;
    value v = as_state_number(c, &args[0]);
    s[0] = num_add(c->state_types[0], s[0], v, 1);
    s[1].u.l++;
    return 0;
}

static int avg_undo(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (args[0].null)
        return 0;
    value v = as_state_number(c, &args[0]);
    s[0] = num_add(c->state_types[0], s[0], v, -1);
    s[1].u.l--;
    return 0;
}

static int avg_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    s[0] = num_add(c->state_types[0], s[0], from[0], 1);
    s[1].u.l += from[1].u.l;
    return 0;
}

static int avg_result(const agg_call *c, const value *s, value *out, eval_ctx *cx)
{
    double sum = value_as_double(&s[0], c->state_types[0]);
    *out = value_double(s[1].u.l ? sum / (double)s[1].u.l : 0.0);
    return 0;
}

/* ---- MIN / MAX -------------------------------------------------------- */

static int same_type_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    type_kind k = c->args[0]->type->kind;
    if (!orderable(k)) {
        snprintf(why, wn, "cannot order values of type %s", types_kind_name(k));
        return -1;
    }
    c->type = c->args[0]->type;
    c->state_types[0] = c->type;
    c->nstate = 1;
    return 0;
}

static void null_init(const agg_call *c, value *s)
{
    for (int i = 0; i < c->nstate; i++)
        s[i] = value_null();
}

static int extreme_add(const agg_call *c, value *s, const value *v, int want)
{
    if (v->null)
        return 0;
    if (s[0].null || value_compare(v, c->type, &s[0], c->type) * want > 0)
        s[0] = *v;
    return 0;
}

static int min_add(const agg_call *c, value *s, const value *args, eval_ctx *cx) { return extreme_add(c, s, args, -1); }
static int max_add(const agg_call *c, value *s, const value *args, eval_ctx *cx) { return extreme_add(c, s, args, 1); }
/* A state is the extreme so far: merging is adding it. */
#define min_merge min_add
#define max_merge max_add

/* ---- COLLECT_LIST / COLLECT_SET / COUNT_DISTINCT ----------------------- */

/* ksqlDB's default for ksql.functions.collect_list.limit and
 * ksql.functions.collect_set.limit: values beyond it are ignored. */
#define COLLECT_LIMIT 1000

static int collect_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    c->type = types_array(a, c->args[0]->type);
    c->state_types[0] = c->type;
    c->nstate = 1;
    c->param = COLLECT_LIMIT;
    return 0;
}

/* COLLECT_LIST and COLLECT_SET keep NULLs too, as ksqlDB's do (a list
 * may hold a NULL element; the set holds at most one). */
static int collect_list_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (s[0].u.list->n < c->param)
        s[0] = list_value(list_with(cx, s[0].u.list, &args[0]));
    return 0;
}

/* The first index of v (NULL matches NULL) in l, or -1. */
static int list_index(const value_list *l, const value *v, const sqltype *t)
{
    for (int i = 0; i < l->n; i++)
        if (l->items[i].null ? v->null : !v->null && value_equal(&l->items[i], t, v, t))
            return i;
    return -1;
}

static int collect_list_undo(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    const value_list *old = s[0].u.list;
    int at = list_index(old, &args[0], c->args[0]->type);
    if (at >= 0)
        s[0] = list_value(list_remove(cx, old, at, 1));
    return 0;
}

static int collect_set_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (s[0].u.list->n < c->param && list_index(s[0].u.list, &args[0], c->args[0]->type) < 0)
        s[0] = list_value(list_with(cx, s[0].u.list, &args[0]));
    return 0;
}

/* COUNT_DISTINCT counts non-NULL values only. */
static int count_distinct_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    return args[0].null ? 0 : collect_set_add(c, s, args, cx);
}

static int count_distinct_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    c->state_types[0] = types_array(a, c->args[0]->type);
    c->nstate = 1;
    c->type = types_scalar(TYPE_BIGINT);
    c->param = INT64_MAX; /* no limit: every distinct value counts */
    return 0;
}

static int count_distinct_result(const agg_call *c, const value *s, value *out, eval_ctx *cx)
{
    *out = value_bigint(s[0].u.list->n);
    return 0;
}

/* The later list's values appended, as they were added (up to the limit). */
static int collect_list_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    for (int i = 0; i < from[0].u.list->n; i++)
        if (collect_list_add(c, s, &from[0].u.list->items[i], cx))
            return -1;
    return 0;
}

/* COLLECT_SET and COUNT_DISTINCT: the later set's values added, once. */
static int collect_set_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    for (int i = 0; i < from[0].u.list->n; i++)
        if (collect_set_add(c, s, &from[0].u.list->items[i], cx))
            return -1;
    return 0;
}

/* ---- LATEST_BY_OFFSET / EARLIEST_BY_OFFSET ----------------------------- */

/* (col [, ignoreNulls]) -> type of col, state: the value and whether one
 * was seen.  (col, n [, ignoreNulls]) -> ARRAY of the n latest/earliest
 * values in offset order, state: that array.  NULLs are skipped unless
 * ignoreNulls is false.  n and ignoreNulls must be literals. */
static int by_offset_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    c->ignore_nulls = true;
    c->param = 0; /* the single-value form */
    int flag_at = 1;
    if (c->nargs >= 2 && (c->nargs == 3 || c->args[1]->type->kind != TYPE_BOOLEAN)) {
        if (literal_count(c, 1, "n", why, wn))
            return -1;
        c->param = literal_int(c->args[1]);
        flag_at = 2;
    }
    if (c->nargs > flag_at) {
        const expr *f = c->args[flag_at];
        if (f->kind != EX_CONST || f->type->kind != TYPE_BOOLEAN) {
            snprintf(why, wn, "expects a BOOLEAN literal as argument %d (ignoreNulls)", flag_at + 1);
            return -1;
        }
        c->ignore_nulls = f->constant.null || f->constant.u.b;
    }
    if (c->param) {
        c->type = types_array(a, c->args[0]->type);
        c->state_types[0] = c->type;
        c->nstate = 1;
        return 0;
    }
    c->type = c->args[0]->type;
    c->state_types[0] = c->type;
    c->state_types[1] = types_scalar(TYPE_BOOLEAN);
    c->nstate = 2;
    return 0;
}

static void by_offset_init(const agg_call *c, value *s)
{
    if (c->param) {
        empty_list_init(c, s);
        return;
    }
    s[0] = value_null();
    s[1] = value_bool(false);
}

static int latest_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (args[0].null && c->ignore_nulls)
        return 0;
    if (c->param) { /* append, and drop the oldest beyond n */
        value_list *l = list_with(cx, s[0].u.list, &args[0]);
        if (l->n > c->param) {
            l->items++;
            l->n--;
        }
        s[0] = list_value(l);
        return 0;
    }
    s[0] = args[0];
    s[1] = value_bool(true);
    return 0;
}

static int earliest_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (args[0].null && c->ignore_nulls)
        return 0;
    if (c->param) {
        if (s[0].u.list->n < c->param)
            s[0] = list_value(list_with(cx, s[0].u.list, &args[0]));
        return 0;
    }
    if (!s[1].u.b) {
        s[0] = args[0];
        s[1] = value_bool(true);
    }
    return 0;
}

/* Merging sessions: the later session's values come after the earlier's
 * (their offsets are not kept).  The single value: the later one wins
 * for LATEST, the earlier for EARLIEST, when it has one. */
static int latest_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    if (!c->param) {
        if (from[1].u.b) {
            s[0] = from[0];
            s[1] = from[1];
        }
        return 0;
    }
    const value_list *a = s[0].u.list, *b = from[0].u.list;
    value_list *l = arena_alloc(cx->a, sizeof *l);
    l->items = arena_alloc(cx->a, sizeof(value) * (size_t)(a->n + b->n + 1));
    for (int i = 0; i < a->n; i++)
        l->items[l->n++] = a->items[i];
    for (int i = 0; i < b->n; i++)
        l->items[l->n++] = b->items[i];
    if (l->n > c->param) { /* keep the n latest */
        l->items += l->n - c->param;
        l->n = (int)c->param;
    }
    s[0] = list_value(l);
    return 0;
}

static int earliest_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    if (!c->param) {
        if (!s[1].u.b) {
            s[0] = from[0];
            s[1] = from[1];
        }
        return 0;
    }
    for (int i = 0; i < from[0].u.list->n && s[0].u.list->n < c->param; i++)
        s[0] = list_value(list_with(cx, s[0].u.list, &from[0].u.list->items[i]));
    return 0;
}

/* ---- TOPK / TOPKDISTINCT ----------------------------------------------- */

/* TOPK(col, k) -> ARRAY<type of col>: the k largest non-NULL values,
 * largest first (equal values in arrival order).  TOPK(col, other...,
 * k) -> ARRAY<STRUCT<sort_col, col0, ...>>: the rows with the k largest
 * col, carrying the other columns along (ksqlDB 0.28's variadic form).
 * TOPKDISTINCT keeps each value once.  State: the result itself.  No
 * undo: a retracted value would need the values that fell off. */
static const sqltype *topk_struct(const agg_call *c, arena *a)
{
    int n = c->nargs - 1;
    sqlfield *f = arena_alloc(a, sizeof *f * (size_t)n);
    f[0] = (sqlfield){"sort_col", c->args[0]->type};
    for (int i = 1; i < n; i++) {
        char *name = arena_alloc(a, 16);
        snprintf(name, 16, "col%d", i - 1);
        f[i] = (sqlfield){name, c->args[i]->type};
    }
    sqltype *s = arena_alloc(a, sizeof *s);
    s->kind = TYPE_STRUCT;
    s->fields = f;
    s->nfields = n;
    return s;
}

static int topk_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    type_kind k = c->args[0]->type->kind;
    if (!orderable(k) || k == TYPE_NULL) {
        snprintf(why, wn, "cannot order values of type %s", types_kind_name(k));
        return -1;
    }
    if (literal_count(c, c->nargs - 1, "k", why, wn))
        return -1;
    c->param = literal_int(c->args[c->nargs - 1]);
    c->type = types_array(a, c->nargs > 2 ? topk_struct(c, a) : c->args[0]->type);
    c->state_types[0] = c->type;
    c->nstate = 1;
    return 0;
}

static int topk_insert(const agg_call *c, value *s, const value *args, eval_ctx *cx, bool distinct)
{
    if (args[0].null)
        return 0;
    const value_list *l = s[0].u.list;
    const sqltype *t = c->args[0]->type;
    bool rows = c->nargs > 2;
    int at = l->n;
    for (int i = 0; i < l->n; i++) {
        const value *top = rows ? &l->items[i].u.list->items[0] : &l->items[i];
        int cmp = value_compare(&args[0], t, top, t);
        if (distinct && cmp == 0)
            return 0;
        if (cmp > 0) { /* the list is in descending order: no equal value follows */
            at = i;
            break;
        }
    }
    if (at >= c->param)
        return 0;
    value item = args[0];
    if (rows) {
        value_list *row = arena_alloc(cx->a, sizeof *row);
        row->n = c->nargs - 1;
        row->items = arena_alloc(cx->a, sizeof(value) * (size_t)row->n);
        memcpy(row->items, args, sizeof(value) * (size_t)row->n);
        item = list_value(row);
    }
    s[0] = list_value(list_insert(cx, l, at, &item, c->param));
    return 0;
}

static int topk_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    return topk_insert(c, s, args, cx, false);
}

static int topk_distinct_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    return topk_insert(c, s, args, cx, true);
}

/* The later state's items inserted one by one (a row item carries its
 * arguments, sort column first). */
static int topk_merge_items(const agg_call *c, value *s, const value *from, eval_ctx *cx, bool distinct)
{
    const value_list *l = from[0].u.list;
    for (int i = 0; i < l->n; i++) {
        const value *args = c->nargs > 2 ? l->items[i].u.list->items : &l->items[i];
        if (topk_insert(c, s, args, cx, distinct))
            return -1;
    }
    return 0;
}

static int topk_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    return topk_merge_items(c, s, from, cx, false);
}

static int topk_distinct_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    return topk_merge_items(c, s, from, cx, true);
}

/* ---- HISTOGRAM --------------------------------------------------------- */

/* HISTOGRAM(s) -> MAP<STRING, BIGINT>: how often each non-NULL string
 * occurred.  As ksqlDB, at most 1000 distinct strings are counted; later
 * new ones are ignored.  Undo decrements, and drops an entry at zero.
 * State: the map (alternating key, count). */
#define HISTOGRAM_LIMIT 1000

static int histogram_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    if (c->args[0]->type->kind != TYPE_STRING) {
        snprintf(why, wn, "expects a STRING argument");
        return -1;
    }
    c->type = types_map(a, types_scalar(TYPE_STRING), types_scalar(TYPE_BIGINT));
    c->state_types[0] = c->type;
    c->nstate = 1;
    return 0;
}

/* The index of key k in map m's items, or -1. */
static int map_key_index(const value_list *m, const value *k)
{
    for (int i = 0; i + 1 < m->n; i += 2)
        if (m->items[i].u.s.len == k->u.s.len && !memcmp(m->items[i].u.s.p, k->u.s.p, k->u.s.len))
            return i;
    return -1;
}

static int histogram_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (args[0].null)
        return 0;
    const value_list *m = s[0].u.list;
    int at = map_key_index(m, &args[0]);
    if (at >= 0) {
        s[0] = list_value(list_set(cx, m, at + 1, value_bigint(m->items[at + 1].u.l + 1)));
    } else if (m->n / 2 < HISTOGRAM_LIMIT) {
        value one = value_bigint(1);
        value_list *l = list_with(cx, m, &args[0]);
        s[0] = list_value(list_with(cx, l, &one));
    }
    return 0;
}

static int histogram_undo(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (args[0].null)
        return 0;
    const value_list *m = s[0].u.list;
    int at = map_key_index(m, &args[0]);
    if (at < 0)
        return 0;
    if (m->items[at + 1].u.l <= 1)
        s[0] = list_value(list_remove(cx, m, at, 2));
    else
        s[0] = list_value(list_set(cx, m, at + 1, value_bigint(m->items[at + 1].u.l - 1)));
    return 0;
}

/* The later map's counts added (new strings up to the limit). */
static int histogram_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    const value_list *f = from[0].u.list;
    for (int i = 0; i + 1 < f->n; i += 2) {
        const value_list *m = s[0].u.list;
        int at = map_key_index(m, &f->items[i]);
        if (at >= 0) {
            s[0] = list_value(list_set(cx, m, at + 1, value_bigint(m->items[at + 1].u.l + f->items[i + 1].u.l)));
        } else if (m->n / 2 < HISTOGRAM_LIMIT) {
            value_list *l = list_with(cx, m, &f->items[i]);
            s[0] = list_value(list_with(cx, l, &f->items[i + 1]));
        }
    }
    return 0;
}

/* ---- STDDEV_SAMP ------------------------------------------------------- */

/* STDDEV_SAMP(n) (also STDDEV_SAMPLE) -> DOUBLE: the sample standard
 * deviation of the non-NULL values; 0 for fewer than two.  State, a STRUCT
 * in ksqlDB: SUM, COUNT and M2 (the sum of squared deviations), updated
 * as ksqlDB does (Chan et al.'s pairwise formula with a batch of one), so
 * results agree to the last bit. */
static bool stat_numeric(const sqltype *t)
{
    return t->kind == TYPE_INT || t->kind == TYPE_BIGINT || t->kind == TYPE_DOUBLE;
}

static int stddev_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    if (!stat_numeric(c->args[0]->type)) {
        snprintf(why, wn, "expects an INT, BIGINT or DOUBLE argument");
        return -1;
    }
    c->type = types_scalar(TYPE_DOUBLE);
    c->state_types[0] = c->type;
    c->state_types[1] = types_scalar(TYPE_BIGINT);
    c->state_types[2] = c->type;
    c->nstate = 3;
    c->struct_state = true;
    return 0;
}

static int stddev_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (args[0].null)
        return 0;
    double v = value_as_double(&args[0], c->args[0]->type);
    int64_t n = s[1].u.l;
    if (n == 0) {
        s[0] = value_double(v);
        s[1] = value_bigint(1);
        s[2] = value_double(0);
        return 0;
    }
    double sum = s[0].u.d + v, t = (double)(n + 1) * v - sum;
    s[2].u.d += t * t / ((double)(n + 1) * (double)n);
    s[0].u.d = sum;
    s[1].u.l = n + 1;
    return 0;
}

/* The same step backwards: the state as if v had never been added. */
static int stddev_undo(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (args[0].null)
        return 0;
    double v = value_as_double(&args[0], c->args[0]->type);
    int64_t n = s[1].u.l;
    if (n <= 1) {
        zero_init(c, s);
        return 0;
    }
    double t = (double)n * v - s[0].u.d;
    s[2].u.d -= t * t / ((double)n * (double)(n - 1));
    if (s[2].u.d < 0) /* rounding; a variance is never negative */
        s[2].u.d = 0;
    s[0].u.d -= v;
    s[1].u.l = n - 1;
    return 0;
}

static int stddev_result(const agg_call *c, const value *s, value *out, eval_ctx *cx)
{
    int64_t n = s[1].u.l;
    *out = value_double(n < 2 ? 0.0 : sqrt(s[2].u.d / (double)(n - 1)));
    return 0;
}

/* Chan et al.'s pairwise combination of two (sum, count, M2) states. */
static int stddev_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    int64_t na = s[1].u.l, nb = from[1].u.l;
    if (nb == 0)
        return 0;
    if (na == 0) {
        memcpy(s, from, sizeof(value) * 3);
        return 0;
    }
    double t = (double)na / (double)nb * from[0].u.d - s[0].u.d;
    s[2].u.d += from[2].u.d + (double)nb / ((double)na * (double)(na + nb)) * t * t;
    s[0].u.d += from[0].u.d;
    s[1].u.l = na + nb;
    return 0;
}

/* ---- CORRELATION ------------------------------------------------------- */

/* CORRELATION(x, y) -> DOUBLE: Pearson's correlation coefficient of the
 * pairs where neither is NULL; NaN while it is undefined (fewer than two
 * pairs, or a constant x or y).  State (a STRUCT in ksqlDB): the sums of
 * x, y, x*x, y*y, x*y and the count, so undo is exact subtraction. */
enum { CORR_X, CORR_Y, CORR_XX, CORR_YY, CORR_XY, CORR_N };

static int correlation_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    if (!stat_numeric(c->args[0]->type) || !stat_numeric(c->args[1]->type)) {
        snprintf(why, wn, "expects INT, BIGINT or DOUBLE arguments");
        return -1;
    }
    c->type = types_scalar(TYPE_DOUBLE);
    for (int i = CORR_X; i < CORR_N; i++)
        c->state_types[i] = c->type;
    c->state_types[CORR_N] = types_scalar(TYPE_BIGINT);
    c->nstate = CORR_N + 1;
    c->struct_state = true;
    return 0;
}

static int correlation_step(const agg_call *c, value *s, const value *args, int sign)
{
    if (args[0].null || args[1].null)
        return 0;
    double x = value_as_double(&args[0], c->args[0]->type), y = value_as_double(&args[1], c->args[1]->type);
    s[CORR_X].u.d += sign * x;
    s[CORR_Y].u.d += sign * y;
    s[CORR_XX].u.d += sign * x * x;
    s[CORR_YY].u.d += sign * y * y;
    s[CORR_XY].u.d += sign * x * y;
    s[CORR_N].u.l += sign;
    return 0;
}

static int correlation_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    return correlation_step(c, s, args, 1);
}

static int correlation_undo(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    return correlation_step(c, s, args, -1);
}

static int correlation_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    for (int i = CORR_X; i < CORR_N; i++)
        s[i].u.d += from[i].u.d;
    s[CORR_N].u.l += from[CORR_N].u.l;
    return 0;
}

static int correlation_result(const agg_call *c, const value *s, value *out, eval_ctx *cx)
{
    double n = (double)s[CORR_N].u.l, sx = s[CORR_X].u.d, sy = s[CORR_Y].u.d;
    double num = n * s[CORR_XY].u.d - sx * sy;
    double den = sqrt((n * s[CORR_XX].u.d - sx * sx) * (n * s[CORR_YY].u.d - sy * sy));
    *out = value_double(den > 0 ? num / den : NAN);
    return 0;
}

/* ---- ATTR -------------------------------------------------------------- */

/* ATTR(col) -> type of col: the value when every non-NULL value in the
 * group is the same one, else NULL (also NULL for none).  State: the
 * distinct values and how often each occurred, so a table's retraction
 * can undo a value exactly. */
static int attr_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    c->type = c->args[0]->type;
    c->state_types[0] = types_array(a, c->type);
    c->state_types[1] = types_array(a, types_scalar(TYPE_BIGINT));
    c->nstate = 2;
    return 0;
}

static int attr_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (args[0].null)
        return 0;
    const value_list *vals = s[0].u.list, *counts = s[1].u.list;
    int at = list_index(vals, &args[0], c->type);
    if (at >= 0) {
        s[1] = list_value(list_set(cx, counts, at, value_bigint(counts->items[at].u.l + 1)));
        return 0;
    }
    value one = value_bigint(1);
    s[0] = list_value(list_with(cx, vals, &args[0]));
    s[1] = list_value(list_with(cx, counts, &one));
    return 0;
}

static int attr_undo(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (args[0].null)
        return 0;
    const value_list *vals = s[0].u.list, *counts = s[1].u.list;
    int at = list_index(vals, &args[0], c->type);
    if (at < 0)
        return 0;
    if (counts->items[at].u.l > 1) {
        s[1] = list_value(list_set(cx, counts, at, value_bigint(counts->items[at].u.l - 1)));
        return 0;
    }
    s[0] = list_value(list_remove(cx, vals, at, 1));
    s[1] = list_value(list_remove(cx, counts, at, 1));
    return 0;
}

static int attr_result(const agg_call *c, const value *s, value *out, eval_ctx *cx)
{
    *out = s[0].u.list->n == 1 ? s[0].u.list->items[0] : value_null();
    return 0;
}

/* The later state's values and counts added. */
static int attr_merge(const agg_call *c, value *s, const value *from, eval_ctx *cx)
{
    const value_list *fv = from[0].u.list, *fc = from[1].u.list;
    for (int i = 0; i < fv->n; i++) {
        const value_list *vals = s[0].u.list, *counts = s[1].u.list;
        int at = list_index(vals, &fv->items[i], c->type);
        if (at >= 0) {
            s[1] = list_value(list_set(cx, counts, at, value_bigint(counts->items[at].u.l + fc->items[i].u.l)));
        } else {
            s[0] = list_value(list_with(cx, vals, &fv->items[i]));
            s[1] = list_value(list_with(cx, counts, &fc->items[i]));
        }
    }
    return 0;
}

/* ---- the list ---------------------------------------------------------- */

/* TOPK(col, other..., k): how many other columns may ride along */
#define TOPK_MAX_EXTRA 8

#define AGGREGATES(X)                                                                                      \
    X(COUNT, 0, 1, count_resolve, zero_init, count_add, count_undo, count_merge, first_state,                           \
      "COUNT(*) | COUNT(col) -> BIGINT", "The number of rows, or of non-NULL values of col.")              \
    X(SUM, 1, 1, sum_resolve, zero_init, sum_add, sum_undo, sum_merge, first_state, "SUM(n) -> type of n",            \
      "The sum of the non-NULL values.")                                                                    \
    X(AVG, 1, 1, avg_resolve, zero_init, avg_add, avg_undo, avg_merge, avg_result, "AVG(n) -> DOUBLE",                 \
      "The average of the non-NULL values; 0 when there are none.")                                         \
    X(MIN, 1, 1, same_type_resolve, null_init, min_add, NULL, min_merge, first_state, "MIN(col) -> type of col",       \
      "The smallest non-NULL value.")                                                                       \
    X(MAX, 1, 1, same_type_resolve, null_init, max_add, NULL, max_merge, first_state, "MAX(col) -> type of col",       \
      "The largest non-NULL value.")                                                                        \
    X(COLLECT_LIST, 1, 1, collect_resolve, empty_list_init, collect_list_add, collect_list_undo, collect_list_merge,            \
      first_state, "COLLECT_LIST(col) -> ARRAY", "The values, in arrival order (at most 1000).")                   \
    X(COLLECT_SET, 1, 1, collect_resolve, empty_list_init, collect_set_add, NULL, collect_set_merge, first_state,              \
      "COLLECT_SET(col) -> ARRAY", "The distinct values, in order of first arrival (at most 1000).")            \
    X(COUNT_DISTINCT, 1, 1, count_distinct_resolve, empty_list_init, count_distinct_add, NULL, collect_set_merge,                 \
      count_distinct_result, "COUNT_DISTINCT(col) -> BIGINT", "The number of distinct non-NULL values.")  \
    X(LATEST_BY_OFFSET, 1, 3, by_offset_resolve, by_offset_init, latest_add, NULL, latest_merge, first_state,             \
      "LATEST_BY_OFFSET(col [, ignoreNulls]) -> type of col | LATEST_BY_OFFSET(col, n [, ignoreNulls]) -> ARRAY", \
      "The value of the latest record, or the n latest values in offset order.")                            \
    X(EARLIEST_BY_OFFSET, 1, 3, by_offset_resolve, by_offset_init, earliest_add, NULL, earliest_merge, first_state,         \
      "EARLIEST_BY_OFFSET(col [, ignoreNulls]) -> type of col | EARLIEST_BY_OFFSET(col, n [, ignoreNulls]) -> ARRAY", \
      "The value of the earliest record, or the n earliest values in offset order.")                        \
    X(TOPK, 2, 2 + TOPK_MAX_EXTRA, topk_resolve, empty_list_init, topk_add, NULL, topk_merge, first_state,              \
      "TOPK(col, k) -> ARRAY | TOPK(col, other, ..., k) -> ARRAY<STRUCT<sort_col, col0, ...>>",              \
      "The k largest non-NULL values, largest first (with other columns of their rows).")                   \
    X(TOPKDISTINCT, 2, 2, topk_resolve, empty_list_init, topk_distinct_add, NULL, topk_distinct_merge, first_state,              \
      "TOPKDISTINCT(col, k) -> ARRAY", "The k largest distinct non-NULL values, largest first.")           \
    X(HISTOGRAM, 1, 1, histogram_resolve, empty_list_init, histogram_add, histogram_undo, histogram_merge, first_state,      \
      "HISTOGRAM(s) -> MAP<STRING, BIGINT>", "How often each non-NULL string occurs (at most 1000 strings).") \
    X(STDDEV_SAMP, 1, 1, stddev_resolve, zero_init, stddev_add, stddev_undo, stddev_merge, stddev_result,                 \
      "STDDEV_SAMP(n) -> DOUBLE", "The sample standard deviation of the non-NULL values.")                 \
    X(STDDEV_SAMPLE, 1, 1, stddev_resolve, zero_init, stddev_add, stddev_undo, stddev_merge, stddev_result,               \
      "STDDEV_SAMPLE(n) -> DOUBLE", "The sample standard deviation of the non-NULL values.")               \
    X(CORRELATION, 2, 2, correlation_resolve, zero_init, correlation_add, correlation_undo, correlation_merge,                 \
      correlation_result, "CORRELATION(x, y) -> DOUBLE",                                                    \
      "Pearson's correlation coefficient of the pairs where neither is NULL.")                              \
    X(ATTR, 1, 1, attr_resolve, empty_list_init, attr_add, attr_undo, attr_merge, attr_result, "ATTR(col) -> type of col", \
      "The value when all non-NULL values of the group are the same, else NULL.")

static const agg_def aggregates[] = {
#define X(name, lo, hi, res, init, add, undo, merge, result, sig, desc)                                          \
    {#name, lo, hi, res, init, add, undo, merge, result, sig, desc},
    AGGREGATES(X)
#undef X
};

const agg_def *agg_find(const char *upper_name)
{
    for (size_t i = 0; i < sizeof aggregates / sizeof *aggregates; i++)
        if (!strcmp(aggregates[i].name, upper_name))
            return &aggregates[i];
    return NULL;
}

int agg_count(void) { return (int)(sizeof aggregates / sizeof *aggregates); }

const agg_def *agg_at(int i) { return &aggregates[i]; }
