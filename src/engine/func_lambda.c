/* func_lambda.c — functions taking lambdas: TRANSFORM, FILTER, REDUCE
 * over arrays and maps (ksqlDB's lambda functions). */
#include <string.h>

#include "func_internal.h"

static bool is_collection(const sqltype *t) { return t->kind == TYPE_ARRAY || t->kind == TYPE_MAP; }

/* TRANSFORM(array, x => y) -> ARRAY<type of y>;
 * TRANSFORM(map, (k, v) => k2, (k, v) => v2) -> MAP<k2, v2>. */
static const sqltype *res_transform(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (a[0]->kind == TYPE_ARRAY && n == 2)
        return types_array(ar, a[1]);
    if (a[0]->kind == TYPE_MAP && n == 3)
        return types_map(ar, a[1], a[2]);
    snprintf(why, wn, "expects (ARRAY, x => ...) or (MAP, (k, v) => ..., (k, v) => ...)");
    return NULL;
}

static const sqltype *res_filter(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!is_collection(a[0]) || n != 2 || (a[1]->kind != TYPE_BOOLEAN && a[1]->kind != TYPE_NULL)) {
        snprintf(why, wn, "expects (ARRAY or MAP, lambda returning BOOLEAN)");
        return NULL;
    }
    return a[0];
}

static const sqltype *res_reduce(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!is_collection(a[0]) || n != 3) {
        snprintf(why, wn, "expects (ARRAY or MAP, initial state, lambda)");
        return NULL;
    }
    if (!types_equal(a[1], a[2]) && !(types_is_numeric(a[1]) && types_is_numeric(a[2]))) {
        snprintf(why, wn, "needs a lambda returning the state's type");
        return NULL;
    }
    return a[1];
}

static value_list *new_list(eval_ctx *cx, int n)
{
    value_list *l = arena_alloc(cx->a, sizeof *l);
    l->n = n;
    l->items = arena_alloc(cx->a, sizeof(value) * (size_t)(n ? n : 1));
    return l;
}

static value list_value(const value_list *l)
{
    value v = {.u.list = l};
    return v;
}

static int f_transform(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null) {
        *out = value_null();
        return 0;
    }
    const value_list *in = v[0].u.list;
    value_list *l = new_list(cx, in->n);
    bool map = c->args[0]->type->kind == TYPE_MAP;
    for (int i = 0; i < in->n; i += map ? 2 : 1) {
        if (!map) {
            if (expr_call_lambda(c->args[1], &in->items[i], cx, &l->items[i]))
                return -1;
            continue;
        }
        if (expr_call_lambda(c->args[1], &in->items[i], cx, &l->items[i]) ||
            expr_call_lambda(c->args[2], &in->items[i], cx, &l->items[i + 1]))
            return -1;
    }
    *out = list_value(l);
    return 0;
}

static int f_filter(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null) {
        *out = value_null();
        return 0;
    }
    const value_list *in = v[0].u.list;
    value_list *l = new_list(cx, in->n);
    int step = c->args[0]->type->kind == TYPE_MAP ? 2 : 1;
    l->n = 0;
    for (int i = 0; i < in->n; i += step) {
        value keep;
        if (expr_call_lambda(c->args[1], &in->items[i], cx, &keep))
            return -1;
        if (!keep.null && keep.u.b)
            for (int j = 0; j < step; j++)
                l->items[l->n++] = in->items[i + j];
    }
    *out = list_value(l);
    return 0;
}

static int f_reduce(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null) {
        *out = v[1];
        return 0;
    }
    const value_list *in = v[0].u.list;
    int step = c->args[0]->type->kind == TYPE_MAP ? 2 : 1;
    value state = v[1];
    for (int i = 0; i < in->n; i += step) {
        value params[3] = {state, in->items[i], step == 2 ? in->items[i + 1] : value_null()};
        value next;
        if (expr_call_lambda(c->args[2], params, cx, &next) ||
            expr_cast(&next, c->args[2]->type, c->type, cx, &state))
            return -1;
    }
    *out = state;
    return 0;
}

#define LAMBDA_FUNCTIONS(X)                                                                        \
    X(TRANSFORM, 2, 3, res_transform, f_transform, false,                                          \
      "TRANSFORM(ARRAY, x => y) -> ARRAY; TRANSFORM(MAP, (k, v) => k2, (k, v) => v2) -> MAP",      \
      "lambda", "Applies the lambda(s) to every element (or entry) of the collection.")            \
    X(FILTER, 2, 2, res_filter, f_filter, false, "FILTER(ARRAY|MAP, lambda -> BOOLEAN) -> same type", \
      "lambda", "The elements (or entries) for which the lambda is true.")                        \
    X(REDUCE, 3, 3, res_reduce, f_reduce, true, "REDUCE(ARRAY|MAP, state, (s, x) => s2) -> state type", \
      "lambda", "Folds the collection into one value, starting from the initial state.")

FUNC_FAMILY_LAMBDA(func_lambda_family, LAMBDA_FUNCTIONS);
