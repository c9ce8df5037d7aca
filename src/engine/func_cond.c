/* func_cond.c — conditional functions (ksqlDB's "Nulls" functions). */
#include "func_internal.h"

/* COALESCE and IFNULL: the first argument that is not NULL, as the
 * arguments' common type. */
static int f_coalesce(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    for (int i = 0; i < c->nargs; i++)
        if (!v[i].null)
            return expr_cast(&v[i], c->args[i]->type, c->type, cx, out);
    *out = value_null();
    return 0;
}

/* NULLIF(a, b) -> the type of a: NULL when a equals b, else a.  A NULL
 * a or b is never equal to anything. */
static const sqltype *res_nullif(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!func_res_common(a, n, ar, why, wn))
        return NULL;
    return a[0]->kind == TYPE_NULL ? a[1] : a[0];
}

static int f_nullif(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    const sqltype *ta = c->args[0]->type, *tb = c->args[1]->type;
    if (v[0].null || v[1].null || !value_equal(&v[0], ta, &v[1], tb))
        return expr_cast(&v[0], ta, c->type, cx, out);
    *out = value_null();
    return 0;
}

/* AS_VALUE(x) -> the type of x: x itself.  ksqlDB uses it to copy a key
 * column into the value (SELECT K, AS_VALUE(K) AS V ...): as a call it is
 * an expression, so its result is a value column, never the key. */
static const sqltype *res_as_value(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    (void)n, (void)ar, (void)why, (void)wn;
    return a[0];
}

static int f_as_value(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    (void)c, (void)cx;
    *out = v[0];
    return 0;
}

#define COND_FUNCTIONS(X)                                                                      \
    X(COALESCE, 1, -1, func_res_common, f_coalesce, "COALESCE(a, b, ...) -> common type",     \
      "conditional", "The first argument that is not NULL.")                                   \
    X(IFNULL, 2, 2, func_res_common, f_coalesce, "IFNULL(a, b) -> common type", "conditional", \
      "a when it is not NULL, else b.")                                                        \
    X(NULLIF, 2, 2, res_nullif, f_nullif, "NULLIF(a, b) -> type of a", "conditional",         \
      "NULL when a equals b, else a.")                                                        \
    X(AS_VALUE, 1, 1, res_as_value, f_as_value, "AS_VALUE(a) -> type of a", "conditional",     \
      "a, as a value column: copies a key column into the value.")

FUNC_FAMILY(func_cond_family, COND_FUNCTIONS);
