/* func_map.c — map functions: AS_MAP, MAP_KEYS, MAP_VALUES, MAP_UNION.
 * A MAP value holds alternating key, value items (value.h). */
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

static const sqltype *res_as_map(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (a[0]->kind != TYPE_ARRAY || a[0]->elem->kind != TYPE_STRING || a[1]->kind != TYPE_ARRAY) {
        snprintf(why, wn, "expects (ARRAY<STRING> keys, ARRAY values)");
        return NULL;
    }
    return types_map(ar, a[0]->elem, a[1]->elem);
}

static const sqltype *res_keys(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (a[0]->kind != TYPE_MAP) {
        snprintf(why, wn, "expects a MAP argument");
        return NULL;
    }
    return types_array(ar, a[0]->key);
}

static const sqltype *res_values(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (a[0]->kind != TYPE_MAP) {
        snprintf(why, wn, "expects a MAP argument");
        return NULL;
    }
    return types_array(ar, a[0]->value);
}

static const sqltype *res_union(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (a[0]->kind == TYPE_MAP && a[1]->kind == TYPE_NULL)
        return a[0];
    if (a[1]->kind == TYPE_MAP && a[0]->kind == TYPE_NULL)
        return a[1];
    if (a[0]->kind != TYPE_MAP || !types_equal(a[0], a[1])) {
        snprintf(why, wn, "expects two MAP arguments of the same type");
        return NULL;
    }
    return a[0];
}

/* Index of the entry with key k in map m (of type t), or -1. */
static int map_find(const value_list *m, const sqltype *t, const value *k)
{
    for (int i = 0; i + 1 < m->n; i += 2) {
        const value *x = &m->items[i];
        if ((x->null && k->null) || (!x->null && !k->null && value_equal(x, t->key, k, t->key)))
            return i;
    }
    return -1;
}

/* Sets key k to v in map l, replacing an existing entry. */
static void map_put(value_list *l, const sqltype *t, const value *k, const value *v)
{
    int i = map_find(l, t, k);
    if (i < 0) {
        i = l->n;
        l->n += 2;
        l->items[i] = *k;
    }
    l->items[i + 1] = *v;
}

/* AS_MAP(keys, values): pairs up the arrays; extra keys get NULL values,
 * extra values are dropped; a later duplicate key wins. */
static int f_as_map(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, 2))
        return null_out(out);
    const value_list *k = v[0].u.list, *vals = v[1].u.list;
    value_list *l = new_list(cx, 2 * k->n);
    for (int i = 0; i < k->n; i++) {
        if (k->items[i].null)
            continue;
        value x = i < vals->n ? vals->items[i] : value_null();
        map_put(l, c->type, &k->items[i], &x);
    }
    *out = list_value(l);
    return 0;
}

static int half(const value *v, eval_ctx *cx, value *out, int which)
{
    if (v[0].null)
        return null_out(out);
    const value_list *m = v[0].u.list;
    value_list *l = new_list(cx, m->n / 2);
    for (int i = which; i < m->n; i += 2)
        l->items[l->n++] = m->items[i];
    *out = list_value(l);
    return 0;
}

static int f_keys(const expr *c, const value *v, eval_ctx *cx, value *out) { return half(v, cx, out, 0); }
static int f_values(const expr *c, const value *v, eval_ctx *cx, value *out) { return half(v, cx, out, 1); }

/* MAP_UNION(a, b): every entry of both; b's value wins for a shared key.
 * A NULL map counts as empty unless both are NULL. */
static int f_union(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null && v[1].null)
        return null_out(out);
    int n = (v[0].null ? 0 : v[0].u.list->n) + (v[1].null ? 0 : v[1].u.list->n);
    value_list *l = new_list(cx, n);
    for (int m = 0; m < 2; m++) {
        if (v[m].null)
            continue;
        const value_list *in = v[m].u.list;
        for (int i = 0; i + 1 < in->n; i += 2)
            map_put(l, c->type, &in->items[i], &in->items[i + 1]);
    }
    *out = list_value(l);
    return 0;
}

#define MAP_FUNCTIONS(X)                                                                                      \
    X(AS_MAP, 2, 2, res_as_map, f_as_map, "AS_MAP(ARRAY<STRING> keys, ARRAY<V> values) -> MAP<STRING, V>",   \
      "map", "A map from the keys to the values at the same positions.")                                      \
    X(MAP_KEYS, 1, 1, res_keys, f_keys, "MAP_KEYS(MAP<K, V>) -> ARRAY<K>", "map", "The map's keys.")          \
    X(MAP_VALUES, 1, 1, res_values, f_values, "MAP_VALUES(MAP<K, V>) -> ARRAY<V>", "map", "The map's values.") \
    X(MAP_UNION, 2, 2, res_union, f_union, "MAP_UNION(MAP<K, V>, MAP<K, V>) -> MAP<K, V>", "map",             \
      "The entries of both maps; the second map's value wins for a shared key.")

FUNC_FAMILY(func_map_family, MAP_FUNCTIONS);
