/* func_math.c — numeric functions. */
#include <math.h>

#include "func_internal.h"

static const sqltype *res_round(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    const sqltype *t = func_res_same_numeric(a, n, ar, why, wn);
    if (!t)
        return NULL;
    return t->kind == TYPE_INT ? t : types_scalar(TYPE_BIGINT);
}

static int f_abs(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    *out = v[0];
    if (v[0].null)
        return 0;
    switch (c->type->kind) {
    case TYPE_INT: out->u.i = v[0].u.i < 0 ? (int32_t)(0u - (uint32_t)v[0].u.i) : v[0].u.i; break;
    case TYPE_DOUBLE: out->u.d = fabs(v[0].u.d); break;
    default: out->u.l = v[0].u.l < 0 ? (int64_t)(0u - (uint64_t)v[0].u.l) : v[0].u.l;
    }
    return 0;
}

static int f_rounding(const expr *c, const value *v, eval_ctx *cx, value *out, double (*fn)(double))
{
    *out = v[0];
    if (v[0].null)
        return 0;
    const sqltype *in = c->args[0]->type;
    if (in->kind == TYPE_INT || (in->kind == TYPE_BIGINT && c->type->kind == TYPE_BIGINT))
        return 0;
    double d = fn(value_as_double(&v[0], in));
    if (c->type->kind == TYPE_BIGINT)
        out->u.l = (int64_t)d;
    else if (c->type->kind == TYPE_DECIMAL)
        out->u.l = (int64_t)d * value_pow10(c->type->scale);
    else
        out->u.d = d;
    return 0;
}

/* Java's Math.round: half up toward positive infinity. */
static double round_half_up(double d) { return floor(d + 0.5); }

static int f_ceil(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_rounding(c, v, cx, out, ceil); }
static int f_floor(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_rounding(c, v, cx, out, floor); }
static int f_round(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_rounding(c, v, cx, out, round_half_up); }

#define MATH_FUNCTIONS(X)                                                                      \
    X(ABS, 1, 1, func_res_same_numeric, f_abs, "ABS(n) -> same type", "math",                 \
      "The absolute value of n.")                                                              \
    X(CEIL, 1, 1, func_res_same_numeric, f_ceil, "CEIL(n) -> same type", "math",              \
      "The smallest integral value not less than n.")                                          \
    X(FLOOR, 1, 1, func_res_same_numeric, f_floor, "FLOOR(n) -> same type", "math",           \
      "The largest integral value not greater than n.")                                        \
    X(ROUND, 1, 1, res_round, f_round, "ROUND(n) -> INT or BIGINT", "math",                   \
      "n rounded to the nearest integer, halves up.")

FUNC_FAMILY(func_math_family, MATH_FUNCTIONS);
