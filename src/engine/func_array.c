/* func_array.c — array functions (ksqlDB's "Collections" family for
 * ARRAY, plus ENTRIES, GENERATE_SERIES and SLICE).
 *
 * Elements are compared with value_equal/value_compare, so ARRAY<INT>
 * and ARRAY<BIGINT> arguments meet on their numeric values; two-array
 * functions produce the wider element type.  NULL elements are equal to
 * each other (ksqlDB uses Java's List.contains / Objects.equals). */
#include <string.h>

#include "func_internal.h"

static value_list *new_list(eval_ctx *cx, int n)
{
    value_list *l = arena_alloc(cx->a, sizeof *l);
    l->items = arena_alloc(cx->a, sizeof(value) * (size_t)(n ? n : 1));
    return l;
}

static value list_value(const value_list *l)
{
    value v = {.u.list = l};
    return v;
}

static int null_out(value *out)
{
    *out = value_null();
    return 0;
}

static bool elem_equal(const value *a, const sqltype *ta, const value *b, const sqltype *tb)
{
    if (a->null || b->null)
        return a->null && b->null;
    return value_equal(a, ta, b, tb);
}

/* Index of x in l[0..n) or -1. */
static int find(const value *items, int n, const sqltype *t, const value *x, const sqltype *tx)
{
    for (int i = 0; i < n; i++)
        if (elem_equal(&items[i], t, x, tx))
            return i;
    return -1;
}

/* ---- result types --------------------------------------------------------- */

static bool is_array(const sqltype *t) { return t->kind == TYPE_ARRAY; }

static const sqltype *res_array_same(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!is_array(a[0])) {
        snprintf(why, wn, "expects an ARRAY argument");
        return NULL;
    }
    return a[0];
}

/* Two arrays -> ARRAY of the wider element type. */
static const sqltype *res_two_arrays(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (a[0]->kind == TYPE_NULL && is_array(a[1]))
        return a[1];
    if (a[1]->kind == TYPE_NULL && is_array(a[0]))
        return a[0];
    const sqltype *e = is_array(a[0]) && is_array(a[1]) ? types_widen(ar, a[0]->elem, a[1]->elem) : NULL;
    if (!e) {
        snprintf(why, wn, "expects two ARRAY arguments with the same element type");
        return NULL;
    }
    return types_equal(e, a[0]->elem) ? a[0] : types_array(ar, e);
}

static const sqltype *res_array_elem(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return is_array(a[0]) ? a[0]->elem : (snprintf(why, wn, "expects an ARRAY argument"), NULL);
}

static const sqltype *res_array_bool(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return is_array(a[0]) ? types_scalar(TYPE_BOOLEAN) : (snprintf(why, wn, "expects an ARRAY argument"), NULL);
}

static const sqltype *res_array_int(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return is_array(a[0]) ? types_scalar(TYPE_INT) : (snprintf(why, wn, "expects an ARRAY argument"), NULL);
}

static bool is_primitive(const sqltype *t)
{
    return t->kind != TYPE_ARRAY && t->kind != TYPE_MAP && t->kind != TYPE_STRUCT;
}

static const sqltype *res_array_join(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!is_array(a[0]) || !is_primitive(a[0]->elem)) {
        snprintf(why, wn, "expects an ARRAY of primitive values");
        return NULL;
    }
    if (n > 1 && !func_need(a[1], TYPE_STRING, "a STRING delimiter", why, wn))
        return NULL;
    return types_scalar(TYPE_STRING);
}

static const sqltype *res_array_sort(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!is_array(a[0]) || !is_primitive(a[0]->elem)) {
        snprintf(why, wn, "expects an ARRAY of primitive values");
        return NULL;
    }
    if (n > 1 && !func_need(a[1], TYPE_STRING, "a STRING direction", why, wn))
        return NULL;
    return a[0];
}

/* ENTRIES(MAP<STRING, V>, BOOLEAN) -> ARRAY<STRUCT<K STRING, V V>> */
static const sqltype *res_entries(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (a[0]->kind != TYPE_MAP || a[0]->key->kind != TYPE_STRING ||
        (a[1]->kind != TYPE_BOOLEAN && a[1]->kind != TYPE_NULL)) {
        snprintf(why, wn, "expects (MAP<STRING, V>, BOOLEAN)");
        return NULL;
    }
    sqlfield *f = arena_alloc(ar, sizeof *f * 2);
    f[0] = (sqlfield){"K", a[0]->key};
    f[1] = (sqlfield){"V", a[0]->value};
    sqltype *s = arena_alloc(ar, sizeof *s);
    s->kind = TYPE_STRUCT;
    s->fields = f;
    s->nfields = 2;
    return types_array(ar, s);
}

static bool is_integral(const sqltype *t) { return t->kind == TYPE_INT || t->kind == TYPE_BIGINT; }

static const sqltype *res_series(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    for (int i = 0; i < n; i++)
        if (!is_integral(a[i]) && a[i]->kind != TYPE_NULL) {
            snprintf(why, wn, "expects INT or BIGINT arguments");
            return NULL;
        }
    bool big = a[0]->kind == TYPE_BIGINT || a[1]->kind == TYPE_BIGINT;
    return types_array(ar, types_scalar(big ? TYPE_BIGINT : TYPE_INT));
}

static const sqltype *res_slice(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!is_array(a[0]) || !(is_integral(a[1]) || a[1]->kind == TYPE_NULL) ||
        !(is_integral(a[2]) || a[2]->kind == TYPE_NULL)) {
        snprintf(why, wn, "expects (ARRAY, INT from, INT to)");
        return NULL;
    }
    return a[0];
}

/* ---- evaluators ------------------------------------------------------------- */

static int64_t int_arg(const expr *c, const value *v, int i)
{
    return c->args[i]->type->kind == TYPE_INT ? v[i].u.i : v[i].u.l;
}

/* Appends `in` (of element type `from`) to `l`, cast to `to`; with
 * `distinct`, skips elements already in l. */
static int append(value_list *l, const value_list *in, const sqltype *from, const sqltype *to, bool distinct,
                  eval_ctx *cx)
{
    for (int i = 0; i < in->n; i++) {
        value x;
        if (expr_cast(&in->items[i], from, to, cx, &x))
            return -1;
        if (!distinct || find(l->items, l->n, to, &x, to) < 0)
            l->items[l->n++] = x;
    }
    return 0;
}

static const sqltype *elem_of(const expr *c, int i)
{
    const sqltype *t = c->args[i]->type;
    return t->kind == TYPE_ARRAY ? t->elem : c->type->elem;
}

/* ARRAY_CONCAT keeps everything; a NULL array counts as empty unless
 * both are NULL. */
static int f_concat(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null && v[1].null)
        return null_out(out);
    int n = (v[0].null ? 0 : v[0].u.list->n) + (v[1].null ? 0 : v[1].u.list->n);
    value_list *l = new_list(cx, n);
    for (int i = 0; i < 2; i++)
        if (!v[i].null && append(l, v[i].u.list, elem_of(c, i), c->type->elem, false, cx))
            return -1;
    *out = list_value(l);
    return 0;
}

static int f_union(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, 2))
        return null_out(out);
    value_list *l = new_list(cx, v[0].u.list->n + v[1].u.list->n);
    if (append(l, v[0].u.list, elem_of(c, 0), c->type->elem, true, cx) ||
        append(l, v[1].u.list, elem_of(c, 1), c->type->elem, true, cx))
        return -1;
    *out = list_value(l);
    return 0;
}

/* ARRAY_INTERSECT (keep = true) and ARRAY_EXCEPT (keep = false): the
 * distinct elements of the first array that are (not) in the second. */
static int filter_by(const expr *c, const value *v, eval_ctx *cx, value *out, bool keep)
{
    if (func_any_null(v, 2))
        return null_out(out);
    const value_list *a = v[0].u.list, *b = v[1].u.list;
    value_list *l = new_list(cx, a->n);
    const sqltype *ta = elem_of(c, 0), *tb = elem_of(c, 1);
    for (int i = 0; i < a->n; i++) {
        if ((find(b->items, b->n, tb, &a->items[i], ta) >= 0) != keep)
            continue;
        value x;
        if (expr_cast(&a->items[i], ta, c->type->elem, cx, &x))
            return -1;
        if (find(l->items, l->n, c->type->elem, &x, c->type->elem) < 0)
            l->items[l->n++] = x;
    }
    *out = list_value(l);
    return 0;
}

static int f_intersect(const expr *c, const value *v, eval_ctx *cx, value *out) { return filter_by(c, v, cx, out, true); }
static int f_except(const expr *c, const value *v, eval_ctx *cx, value *out) { return filter_by(c, v, cx, out, false); }

static int f_distinct(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null)
        return null_out(out);
    value_list *l = new_list(cx, v[0].u.list->n);
    if (append(l, v[0].u.list, c->type->elem, c->type->elem, true, cx))
        return -1;
    *out = list_value(l);
    return 0;
}

/* ARRAY_CONTAINS: a NULL array contains nothing. */
static int f_contains(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null) {
        *out = value_bool(false);
        return 0;
    }
    const value_list *l = v[0].u.list;
    *out = value_bool(find(l->items, l->n, c->args[0]->type->elem, &v[1], c->args[1]->type) >= 0);
    return 0;
}

/* ARRAY_POSITION: 1-based position of the first match, 0 when absent. */
static int f_position(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null) {
        *out = value_int(0);
        return 0;
    }
    const value_list *l = v[0].u.list;
    *out = value_int(find(l->items, l->n, c->args[0]->type->elem, &v[1], c->args[1]->type) + 1);
    return 0;
}

static int f_length(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    return v[0].null ? null_out(out) : (*out = value_int(v[0].u.list->n), 0);
}

static int f_remove(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null)
        return null_out(out);
    const value_list *in = v[0].u.list;
    value_list *l = new_list(cx, in->n);
    for (int i = 0; i < in->n; i++)
        if (!elem_equal(&in->items[i], c->type->elem, &v[1], c->args[1]->type))
            l->items[l->n++] = in->items[i];
    *out = list_value(l);
    return 0;
}

/* ARRAY_MAX / ARRAY_MIN: NULL elements are skipped; an array without a
 * non-NULL element gives NULL. */
static int extreme(const expr *c, const value *v, value *out, int sign)
{
    *out = value_null();
    if (v[0].null)
        return 0;
    const value_list *l = v[0].u.list;
    for (int i = 0; i < l->n; i++)
        if (!l->items[i].null && (out->null || sign * value_compare(&l->items[i], c->type, out, c->type) > 0))
            *out = l->items[i];
    return 0;
}

static int f_max(const expr *c, const value *v, eval_ctx *cx, value *out) { return extreme(c, v, out, 1); }
static int f_min(const expr *c, const value *v, eval_ctx *cx, value *out) { return extreme(c, v, out, -1); }

static int f_join(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null)
        return null_out(out);
    const char *sep = ",";
    uint32_t seplen = 1;
    if (c->nargs > 1) {
        sep = v[1].null ? "" : v[1].u.s.p;
        seplen = v[1].null ? 0 : v[1].u.s.len;
    }
    buf b = BUF_INIT;
    const value_list *l = v[0].u.list;
    for (int i = 0; i < l->n; i++) {
        if (i)
            buf_append(&b, sep, seplen);
        value_to_text(&l->items[i], c->args[0]->type->elem, &b);
    }
    *out = func_string_copy(cx, b.data ? b.data : "", b.len);
    buf_free(&b);
    return 0;
}

/* Insertion sort keeps equal elements in order; NULLs go last whichever
 * the direction, as ksqlDB's ARRAY_SORT does. */
static int f_sort(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null || (c->nargs > 1 && v[1].null))
        return null_out(out);
    int sign = 1;
    if (c->nargs > 1) {
        if (v[1].u.s.len == 4 && !strncasecmp(v[1].u.s.p, "DESC", 4))
            sign = -1;
        else if (!(v[1].u.s.len == 3 && !strncasecmp(v[1].u.s.p, "ASC", 3)))
            return null_out(out);
    }
    const value_list *in = v[0].u.list;
    const sqltype *t = c->type->elem;
    value_list *l = new_list(cx, in->n);
    for (int i = 0; i < in->n; i++) {
        value x = in->items[i];
        int j = l->n++;
        for (; j > 0; j--) {
            const value *p = &l->items[j - 1];
            bool after = x.null || (!p->null && sign * value_compare(p, t, &x, t) <= 0);
            if (after)
                break;
            l->items[j] = *p;
        }
        l->items[j] = x;
    }
    *out = list_value(l);
    return 0;
}

static int f_entries(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null)
        return null_out(out);
    const value_list *m = v[0].u.list;
    int n = m->n / 2;
    value_list *l = new_list(cx, n);
    const sqltype *kt = c->args[0]->type->key;
    for (int i = 0; i < n; i++) {
        value_list *s = new_list(cx, 2);
        s->n = 2;
        s->items[0] = m->items[2 * i];
        s->items[1] = m->items[2 * i + 1];
        value sv = list_value(s);
        int j = l->n++;
        bool sorted = !v[1].null && v[1].u.b;
        for (; sorted && j > 0; j--) {
            const value *pk = &l->items[j - 1].u.list->items[0];
            if (value_compare(pk, kt, &s->items[0], kt) <= 0)
                break;
            l->items[j] = l->items[j - 1];
        }
        l->items[j] = sv;
    }
    *out = list_value(l);
    return 0;
}

#define SERIES_MAX 10000000 /* elements; a larger series is refused, not allocated */

static int f_series(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, c->nargs))
        return null_out(out);
    int64_t from = int_arg(c, v, 0), to = int_arg(c, v, 1), step = c->nargs > 2 ? int_arg(c, v, 2) : (from <= to ? 1 : -1);
    /* ksqlDB's function throws here, which its call wrapper turns into
     * NULL (the reason stays in cx->e) */
    if (step == 0)
        return err_set(cx->e, ERR_EVAL, "GENERATE_SERIES step cannot be zero"), null_out(out);
    if ((to > from && step < 0) || (to < from && step > 0))
        return err_set(cx->e, ERR_EVAL, "GENERATE_SERIES step has wrong sign"), null_out(out);
    uint64_t span = to >= from ? (uint64_t)to - (uint64_t)from : (uint64_t)from - (uint64_t)to;
    uint64_t n = span / (uint64_t)(step < 0 ? -step : step) + 1;
    if (n > SERIES_MAX)
        return err_set(cx->e, ERR_EVAL, "GENERATE_SERIES would make %llu elements", (unsigned long long)n),
               null_out(out);
    value_list *l = new_list(cx, (int)n);
    bool big = c->type->elem->kind == TYPE_BIGINT;
    for (uint64_t i = 0; i < n; i++) {
        int64_t x = (int64_t)((uint64_t)from + i * (uint64_t)step);
        l->items[l->n++] = big ? value_bigint(x) : value_int((int32_t)x);
    }
    *out = list_value(l);
    return 0;
}

/* SLICE(array, from, to): 1-based, both ends included; a NULL bound is
 * the array's start or end; bounds outside the array give NULL. */
static int f_slice(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null)
        return null_out(out);
    const value_list *in = v[0].u.list;
    int64_t from = v[1].null ? 0 : int_arg(c, v, 1) - 1, to = v[2].null ? in->n : int_arg(c, v, 2);
    if (from < 0 || to > in->n || from > to)
        return null_out(out);
    value_list *l = new_list(cx, (int)(to - from));
    for (int64_t i = from; i < to; i++)
        l->items[l->n++] = in->items[i];
    *out = list_value(l);
    return 0;
}

#define ARRAY_FUNCTIONS(X)                                                                                    \
    X(ARRAY_CONCAT, 2, 2, res_two_arrays, f_concat, "ARRAY_CONCAT(ARRAY, ARRAY) -> ARRAY", "array",          \
      "The elements of both arrays; NULL only when both are NULL.")                                           \
    X(ARRAY_CONTAINS, 2, 2, res_array_bool, f_contains, "ARRAY_CONTAINS(ARRAY, value) -> BOOLEAN", "array",  \
      "Whether the array holds the value.")                                                                    \
    X(ARRAY_DISTINCT, 1, 1, res_array_same, f_distinct, "ARRAY_DISTINCT(ARRAY) -> ARRAY", "array",           \
      "The array without duplicates, in first-seen order.")                                                   \
    X(ARRAY_EXCEPT, 2, 2, res_two_arrays, f_except, "ARRAY_EXCEPT(ARRAY, ARRAY) -> ARRAY", "array",          \
      "The distinct elements of the first array that are not in the second.")                                 \
    X(ARRAY_INTERSECT, 2, 2, res_two_arrays, f_intersect, "ARRAY_INTERSECT(ARRAY, ARRAY) -> ARRAY", "array", \
      "The distinct elements of the first array that are also in the second.")                                \
    X(ARRAY_JOIN, 1, 2, res_array_join, f_join, "ARRAY_JOIN(ARRAY [, STRING delimiter]) -> STRING", "array", \
      "The elements as text joined by the delimiter (default ',').")                                         \
    X(ARRAY_LENGTH, 1, 1, res_array_int, f_length, "ARRAY_LENGTH(ARRAY) -> INT", "array",                    \
      "The number of elements.")                                                                               \
    X(ARRAY_MAX, 1, 1, res_array_elem, f_max, "ARRAY_MAX(ARRAY<T>) -> T", "array",                           \
      "The largest non-NULL element.")                                                                        \
    X(ARRAY_MIN, 1, 1, res_array_elem, f_min, "ARRAY_MIN(ARRAY<T>) -> T", "array",                           \
      "The smallest non-NULL element.")                                                                       \
    X(ARRAY_POSITION, 2, 2, res_array_int, f_position, "ARRAY_POSITION(ARRAY, value) -> INT", "array",       \
      "The 1-based position of the first occurrence of the value, or 0.")                                     \
    X(ARRAY_REMOVE, 2, 2, res_array_same, f_remove, "ARRAY_REMOVE(ARRAY, value) -> ARRAY", "array",          \
      "The array without the elements equal to the value.")                                                   \
    X(ARRAY_SORT, 1, 2, res_array_sort, f_sort, "ARRAY_SORT(ARRAY [, 'ASC'|'DESC']) -> ARRAY", "array",      \
      "The elements sorted; NULLs last.")                                                                     \
    X(ARRAY_UNION, 2, 2, res_two_arrays, f_union, "ARRAY_UNION(ARRAY, ARRAY) -> ARRAY", "array",             \
      "The distinct elements of both arrays.")                                                                \
    X(ENTRIES, 2, 2, res_entries, f_entries, "ENTRIES(MAP<STRING, V>, BOOLEAN sorted) -> ARRAY<STRUCT<K, V>>", \
      "array", "The map's entries as structs with fields K and V, sorted by key if asked.")                   \
    X(GENERATE_SERIES, 2, 3, res_series, f_series, "GENERATE_SERIES(start, end [, step]) -> ARRAY", "array", \
      "The numbers from start to end (inclusive) by step.")                                                   \
    X(SLICE, 3, 3, res_slice, f_slice, "SLICE(ARRAY, INT from, INT to) -> ARRAY", "array",                   \
      "The elements from position from to position to (1-based, inclusive).")

FUNC_FAMILY(func_array_family, ARRAY_FUNCTIONS);
