/* agg.c — the aggregate functions, one list (AGGREGATES below).
 *
 * States are small rows of values (see agg.h).  Adding to a collection
 * (COLLECT_LIST, ...) builds a new list in the evaluation arena: simple,
 * and the caller encodes the state straight after. */
#include "agg.h"

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
    if (k == TYPE_ARRAY || k == TYPE_MAP || k == TYPE_STRUCT || k == TYPE_BOOLEAN) {
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

/* ---- COLLECT_LIST / COLLECT_SET / COUNT_DISTINCT ----------------------- */

static int collect_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    c->type = types_array(a, c->args[0]->type);
    c->state_types[0] = c->type;
    c->nstate = 1;
    return 0;
}

static void empty_list_init(const agg_call *c, value *s)
{
    static const value_list empty = {0, NULL};
    s[0] = list_value(&empty);
}

/* COLLECT_LIST keeps NULLs out, as ksqlDB's does. */
static int collect_list_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (!args[0].null)
        s[0] = list_value(list_with(cx, s[0].u.list, &args[0]));
    return 0;
}

static int list_index(const value_list *l, const value *v, const sqltype *t)
{
    for (int i = 0; i < l->n; i++)
        if (!l->items[i].null && value_equal(&l->items[i], t, v, t))
            return i;
    return -1;
}

static int collect_list_undo(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    const value_list *old = s[0].u.list;
    int at = args[0].null ? -1 : list_index(old, &args[0], c->args[0]->type);
    if (at < 0)
        return 0;
    value_list *l = arena_alloc(cx->a, sizeof *l);
    l->items = arena_alloc(cx->a, sizeof(value) * (size_t)(old->n ? old->n : 1));
    for (int i = 0; i < old->n; i++)
        if (i != at)
            l->items[l->n++] = old->items[i];
    s[0] = list_value(l);
    return 0;
}

static int collect_set_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (!args[0].null && list_index(s[0].u.list, &args[0], c->args[0]->type) < 0)
        s[0] = list_value(list_with(cx, s[0].u.list, &args[0]));
    return 0;
}

static int count_distinct_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    c->state_types[0] = types_array(a, c->args[0]->type);
    c->nstate = 1;
    c->type = types_scalar(TYPE_BIGINT);
    return 0;
}

static int count_distinct_result(const agg_call *c, const value *s, value *out, eval_ctx *cx)
{
    *out = value_bigint(s[0].u.list->n);
    return 0;
}

/* ---- LATEST_BY_OFFSET / EARLIEST_BY_OFFSET ----------------------------- */

/* (col [, ignoreNulls]): NULLs are skipped unless ignoreNulls is false.
 * State: the value and whether one was seen. */
static int by_offset_resolve(agg_call *c, arena *a, char *why, size_t wn)
{
    c->param = 1; /* ignore NULLs */
    if (c->nargs == 2) {
        if (c->args[1]->kind != EX_CONST || c->args[1]->type->kind != TYPE_BOOLEAN) {
            snprintf(why, wn, "expects a BOOLEAN literal as its second argument (ignoreNulls)");
            return -1;
        }
        c->param = c->args[1]->constant.null ? 1 : c->args[1]->constant.u.b;
    }
    c->type = c->args[0]->type;
    c->state_types[0] = c->type;
    c->state_types[1] = types_scalar(TYPE_BOOLEAN);
    c->nstate = 2;
    return 0;
}

static void by_offset_init(const agg_call *c, value *s)
{
    s[0] = value_null();
    s[1] = value_bool(false);
}

static int latest_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (!args[0].null || !c->param) {
        s[0] = args[0];
        s[1] = value_bool(true);
    }
    return 0;
}

static int earliest_add(const agg_call *c, value *s, const value *args, eval_ctx *cx)
{
    if (!s[1].u.b && (!args[0].null || !c->param)) {
        s[0] = args[0];
        s[1] = value_bool(true);
    }
    return 0;
}

/* ---- the list ---------------------------------------------------------- */

#define AGGREGATES(X)                                                                                      \
    X(COUNT, 0, 1, count_resolve, zero_init, count_add, count_undo, first_state,                           \
      "COUNT(*) | COUNT(col) -> BIGINT", "The number of rows, or of non-NULL values of col.")              \
    X(SUM, 1, 1, sum_resolve, zero_init, sum_add, sum_undo, first_state, "SUM(n) -> type of n",            \
      "The sum of the non-NULL values.")                                                                    \
    X(AVG, 1, 1, avg_resolve, zero_init, avg_add, avg_undo, avg_result, "AVG(n) -> DOUBLE",                 \
      "The average of the non-NULL values; 0 when there are none.")                                         \
    X(MIN, 1, 1, same_type_resolve, null_init, min_add, NULL, first_state, "MIN(col) -> type of col",       \
      "The smallest non-NULL value.")                                                                       \
    X(MAX, 1, 1, same_type_resolve, null_init, max_add, NULL, first_state, "MAX(col) -> type of col",       \
      "The largest non-NULL value.")                                                                        \
    X(COLLECT_LIST, 1, 1, collect_resolve, empty_list_init, collect_list_add, collect_list_undo,            \
      first_state, "COLLECT_LIST(col) -> ARRAY", "The non-NULL values, in arrival order.")                 \
    X(COLLECT_SET, 1, 1, collect_resolve, empty_list_init, collect_set_add, NULL, first_state,              \
      "COLLECT_SET(col) -> ARRAY", "The distinct non-NULL values, in order of first arrival.")            \
    X(COUNT_DISTINCT, 1, 1, count_distinct_resolve, empty_list_init, collect_set_add, NULL,                 \
      count_distinct_result, "COUNT_DISTINCT(col) -> BIGINT", "The number of distinct non-NULL values.")  \
    X(LATEST_BY_OFFSET, 1, 2, by_offset_resolve, by_offset_init, latest_add, NULL, first_state,             \
      "LATEST_BY_OFFSET(col [, ignoreNulls]) -> type of col", "The value of the latest record.")          \
    X(EARLIEST_BY_OFFSET, 1, 2, by_offset_resolve, by_offset_init, earliest_add, NULL, first_state,         \
      "EARLIEST_BY_OFFSET(col [, ignoreNulls]) -> type of col", "The value of the earliest record.")

static const agg_def aggregates[] = {
#define X(name, lo, hi, res, init, add, undo, result, sig, desc) {#name, lo, hi, res, init, add, undo, result, sig, desc},
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
