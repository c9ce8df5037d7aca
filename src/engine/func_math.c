/* func_math.c — numeric functions (ksqlDB's "Numeric functions").
 *
 * Result types follow ksqlDB's UDF overloads: ABS, CEIL, FLOOR keep their
 * argument's type; ROUND and TRUNC of a DOUBLE give a BIGINT, of a DECIMAL
 * a DECIMAL of scale 0, and with a number of places keep the type; the
 * transcendental functions give a DOUBLE, as Java's Math does, returning
 * NaN or Infinity rather than failing (LN(0) = -Infinity, SQRT(-1) = NaN).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "func_internal.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static bool is_num(const sqltype *t) { return t->kind == TYPE_NULL || types_is_numeric(t); }

/* Every argument numeric (or a NULL literal) -> DOUBLE. */
static const sqltype *res_double(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    for (int i = 0; i < n; i++)
        if (!is_num(a[i])) {
            snprintf(why, wn, "expects numeric arguments");
            return NULL;
        }
    return types_scalar(TYPE_DOUBLE);
}

static const sqltype *res_sign(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return res_double(a, n, ar, why, wn) ? types_scalar(TYPE_INT) : NULL;
}

/* ROUND/TRUNC: (INT) -> INT, (BIGINT|DOUBLE) -> BIGINT, (DECIMAL(p,s)) ->
 * DECIMAL(p-s+1, 0); with places: INT|BIGINT -> same, DOUBLE -> DOUBLE,
 * DECIMAL -> the same DECIMAL. */
static const sqltype *res_round(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!is_num(a[0]) || (n > 1 && a[1]->kind != TYPE_INT && a[1]->kind != TYPE_NULL)) {
        snprintf(why, wn, "expects a numeric argument and an INT number of places");
        return NULL;
    }
    const sqltype *t = a[0]->kind == TYPE_NULL ? types_scalar(TYPE_DOUBLE) : a[0];
    if (n > 1 || t->kind == TYPE_INT || t->kind == TYPE_BIGINT)
        return t;
    if (t->kind == TYPE_DOUBLE)
        return types_scalar(TYPE_BIGINT);
    int p = t->precision - t->scale + 1;
    return types_decimal(ar, p < 1 ? 1 : p > 38 ? 38 : p, 0);
}

/* GREATEST/LEAST: ksqlDB binds them as generic variadic functions with
 * one overload per type, so the arguments must share a type, except that
 * numbers meet in DOUBLE when a DOUBLE is among them (INT with BIGINT is
 * ambiguous in ksqlDB, and an error here too), and a STRING literal next
 * to DATE/TIME/TIMESTAMP arguments is read as one.  NULL literals fit
 * any type; all NULL is ambiguous. */
static const sqltype *res_extreme(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    const sqltype *t = NULL;
    bool any_double = false, mixed = false;
    for (int i = 0; i < n; i++)
        any_double |= a[i]->kind == TYPE_DOUBLE;
    for (int i = 0; i < n; i++) {
        const sqltype *x = a[i];
        if (x->kind == TYPE_NULL)
            continue;
        if (x->kind == TYPE_ARRAY || x->kind == TYPE_MAP || x->kind == TYPE_STRUCT || x->kind == TYPE_BOOLEAN) {
            snprintf(why, wn, "expects numbers, strings, bytes, dates, times or timestamps");
            return NULL;
        }
        if (!t) {
            t = x;
        } else if (x->kind == TYPE_STRING && (t->kind == TYPE_DATE || t->kind == TYPE_TIME || t->kind == TYPE_TIMESTAMP)) {
            continue;
        } else if (t->kind == TYPE_STRING && (x->kind == TYPE_DATE || x->kind == TYPE_TIME || x->kind == TYPE_TIMESTAMP)) {
            t = x;
        } else if (types_is_numeric(t) && types_is_numeric(x)) {
            if (t->kind != x->kind)
                mixed = true;
            t = types_widen(ar, t, x);
        } else if (t->kind != x->kind) {
            t = NULL;
            break;
        }
    }
    if (t && mixed && !any_double)
        t = NULL;
    if (!t) {
        buf b = BUF_INIT;
        for (int i = 0; i < n; i++) {
            if (i)
                buf_puts(&b, ", ");
            if (a[i]->kind == TYPE_NULL)
                buf_puts(&b, "null");
            else
                types_print(a[i], &b);
        }
        snprintf(why, wn, "cannot be resolved due to ambiguous method parameters (%s)", b.data ? b.data : "");
        buf_free(&b);
        return NULL;
    }
    return t;
}

/* ---- evaluation --------------------------------------------------------- */

static double arg_double(const expr *c, const value *v, int i) { return value_as_double(&v[i], c->args[i]->type); }

static int f_abs(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    *out = v[0];
    if (v[0].null)
        return 0;
    switch (c->type->kind) {
    case TYPE_INT: out->u.i = v[0].u.i < 0 ? (int32_t)(0u - (uint32_t)v[0].u.i) : v[0].u.i; break;
    case TYPE_DOUBLE: out->u.d = fabs(v[0].u.d); break;
    case TYPE_DECIMAL: *out = value_decimal(value_dec(&v[0]) < 0 ? -value_dec(&v[0]) : value_dec(&v[0])); break;
    default: out->u.l = v[0].u.l < 0 ? (int64_t)(0u - (uint64_t)v[0].u.l) : v[0].u.l;
    }
    return 0;
}

/* Java's Math.round: half up toward positive infinity. */
static double round_half_up(double d) { return floor(d + 0.5); }

/* An unscaled decimal moved from scale `from` to scale `to` (to <= from),
 * rounding HALF_UP (away from zero at .5) or truncating toward zero. */
static int64_t int_rescale(int64_t u, int from, int to, bool half_up)
{
    if (to >= from)
        return u * value_pow10(to - from);
    int drop = from - to;
    if (drop > 18)
        return 0;
    int64_t p = value_pow10(drop), q = u / p, r = u % p;
    if (half_up && (r < 0 ? -r : r) * 2 >= p)
        q += u < 0 ? -1 : 1;
    return q;
}

/* CEIL, FLOOR, ROUND and TRUNC without places.  DECIMAL is exact. */
static int f_rounding(const expr *c, const value *v, eval_ctx *cx, value *out, double (*fn)(double), int mode)
{
    *out = v[0];
    if (v[0].null)
        return 0;
    const sqltype *in = c->args[0]->type;
    if (in->kind == TYPE_INT || in->kind == TYPE_BIGINT)
        return 0;
    if (in->kind == TYPE_DECIMAL) {
        dec128 u = value_dec(&v[0]), p = decimal_pow10(in->scale), q = u / p, r = u % p;
        if (mode == 'c' && r > 0)
            q++;
        else if (mode == 'f' && r < 0)
            q--;
        else if (mode == 'r' && (r < 0 ? -r : r) >= p - (r < 0 ? -r : r))
            q += r < 0 ? -1 : 1;
        if (decimal_rescale(q, 0, c->type->scale, &q))
            return err_set(cx->e, ERR_EVAL, "decimal overflow");
        *out = value_decimal(q);
        return 0;
    }
    double d = fn(v[0].u.d);
    if (c->type->kind == TYPE_BIGINT)
        out->u.l = isfinite(d) ? (int64_t)d : d > 0 ? INT64_MAX : d < 0 ? INT64_MIN : 0;
    else
        out->u.d = d;
    return 0;
}

static int f_ceil(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_rounding(c, v, cx, out, ceil, 'c'); }
static int f_floor(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_rounding(c, v, cx, out, floor, 'f'); }

/* A double rounded (or truncated) to `places` decimals the way Java's
 * BigDecimal.valueOf(d).setScale(places, HALF_UP) does: on the shortest
 * decimal text of d, not on its binary value, so 1.005 rounds to 1.01. */
static double double_places(double d, int places, bool half_up)
{
    if (!isfinite(d))
        return d;
    char tmp[40];
    int prec = 1;
    for (; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
    /* digits d0.d1d2... x 10^exp: the digit at index k has weight 10^(exp-k);
     * keep the digits with weight >= 10^-places. */
    char digits[24];
    int nd = 0, neg = d < 0;
    char *e = strchr(tmp, 'e');
    int exp10 = atoi(e + 1);
    for (char *p = tmp; p < e; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    int keep = exp10 + places + 1; /* digits kept */
    if (keep >= nd)
        return d;
    double kept = 0;
    for (int i = 0; i < keep && i < nd; i++)
        kept = kept * 10 + (digits[i] - '0');
    if (keep < 0)
        kept = 0;
    if (half_up && keep >= 0 && digits[keep] >= '5')
        kept += 1;
    /* kept x 10^(exp10 - keep + 1) = kept / 10^places */
    char text[64];
    snprintf(text, sizeof text, "%s%.0fe%d", neg && kept != 0 ? "-" : "", kept, -places);
    return strtod(text, NULL);
}

static int f_places(const expr *c, const value *v, eval_ctx *cx, value *out, bool half_up)
{
    if (func_any_null(v, 2)) {
        *out = value_null();
        return 0;
    }
    *out = v[0];
    int places = v[1].u.i < -400 ? -400 : v[1].u.i > 400 ? 400 : v[1].u.i;
    switch (c->type->kind) {
    case TYPE_DOUBLE: out->u.d = double_places(v[0].u.d, places, half_up); break;
    case TYPE_DECIMAL: {
        int s = c->type->scale, to = places < -38 ? -38 : places;
        dec128 u = value_dec(&v[0]);
        if (places < s) {
            /* drop digits below 10^-places (HALF_UP or toward zero) */
            dec128 p = decimal_pow10(s - to), q = u / p, r = u % p;
            if (half_up && (r < 0 ? -r : r) >= p - (r < 0 ? -r : r))
                q += r < 0 ? -1 : 1;
            if (decimal_rescale(q, to, s, &u)) /* back to the type's scale */
                return err_set(cx->e, ERR_EVAL, "decimal overflow");
            *out = value_decimal(u);
        }
        break;
    }
    case TYPE_INT:
    case TYPE_BIGINT: {
        if (places >= 0)
            break;
        int64_t l = c->type->kind == TYPE_INT ? v[0].u.i : v[0].u.l;
        l = places < -18 ? 0 : int_rescale(int_rescale(l, 0, places, half_up), places, 0, false);
        if (c->type->kind == TYPE_INT)
            out->u.i = (int32_t)l;
        else
            out->u.l = l;
        break;
    }
    default: break;
    }
    return 0;
}

static int f_round(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (c->nargs > 1)
        return f_places(c, v, cx, out, true);
    return f_rounding(c, v, cx, out, round_half_up, 'r');
}

static int f_trunc(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (c->nargs > 1)
        return f_places(c, v, cx, out, false);
    return f_rounding(c, v, cx, out, trunc, 't');
}

static int f_sign(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null) {
        *out = value_null();
        return 0;
    }
    double d = arg_double(c, v, 0);
    *out = value_int(d > 0 ? 1 : d < 0 ? -1 : 0);
    return 0;
}

/* One-argument DOUBLE functions: NULL in, NULL out. */
static int f_unary(const expr *c, const value *v, value *out, double (*fn)(double))
{
    *out = v[0].null ? value_null() : value_double(fn(arg_double(c, v, 0)));
    return 0;
}

static double cot(double x) { return 1.0 / tan(x); }

/* glibc's cbrt is not correctly rounded (cbrt(27) = 3.0000000000000004);
 * one Newton step in long double gives Java's Math.cbrt results. */
static double cbrt_exact(double x)
{
    long double y = cbrt(x);
    if (y != 0 && isfinite(x))
        y -= (y * y * y - x) / (3 * y * y);
    return (double)y;
}
static double degrees(double x) { return x * (180.0 / M_PI); }
static double radians(double x) { return x / 180.0 * M_PI; }

#define UNARY(fname, fn)                                                                 \
    static int fname(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_unary(c, v, out, fn); }
UNARY(f_acos, acos)
UNARY(f_asin, asin)
UNARY(f_atan, atan)
UNARY(f_cbrt, cbrt_exact)
UNARY(f_cos, cos)
UNARY(f_cosh, cosh)
UNARY(f_cot, cot)
UNARY(f_degrees, degrees)
UNARY(f_exp, exp)
UNARY(f_ln, log)
UNARY(f_radians, radians)
UNARY(f_sin, sin)
UNARY(f_sinh, sinh)
UNARY(f_sqrt, sqrt)
UNARY(f_tan, tan)
UNARY(f_tanh, tanh)

/* LOG(value) is the natural logarithm — ksqlDB's documentation says base
 * 10, but its implementation (and its tests) use Math.log; LOG(base,
 * value) = ln(value) / ln(base), NaN for a base <= 0 or 1. */
static int f_log(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, c->nargs)) {
        *out = value_null();
        return 0;
    }
    if (c->nargs == 1) {
        *out = value_double(log(arg_double(c, v, 0)));
        return 0;
    }
    double base = arg_double(c, v, 0), x = arg_double(c, v, 1);
    if (base <= 0 || base == 1 || x < 0)
        *out = value_double(NAN);
    else
        *out = value_double(log(x) / log(base));
    return 0;
}

static int f_binary(const expr *c, const value *v, value *out, double (*fn)(double, double))
{
    *out = func_any_null(v, 2) ? value_null() : value_double(fn(arg_double(c, v, 0), arg_double(c, v, 1)));
    return 0;
}

static int f_power(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_binary(c, v, out, pow); }
static int f_atan2(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_binary(c, v, out, atan2); }

static int f_pi(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    *out = value_double(M_PI);
    return 0;
}

/* RANDOM() is not reproducible by design; it draws from the C library's
 * generator, which the process seeds once. */
static int f_random(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    *out = value_double(drand48());
    return 0;
}

/* GREATEST / LEAST: NULL arguments are skipped; all NULL gives NULL. */
static int f_extreme(const expr *c, const value *v, eval_ctx *cx, value *out, int sign)
{
    *out = value_null();
    for (int i = 0; i < c->nargs; i++) {
        value x;
        if (v[i].null)
            continue;
        if (expr_cast(&v[i], c->args[i]->type, c->type, cx, &x))
            return -1;
        if (out->null || sign * value_compare(&x, c->type, out, c->type) > 0)
            *out = x;
    }
    return 0;
}

static int f_greatest(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_extreme(c, v, cx, out, 1); }
static int f_least(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_extreme(c, v, cx, out, -1); }

/* GEO_DISTANCE: great-circle (haversine) distance on a sphere of radius
 * 6371 km or 3959 miles; ksqlDB fails the record for a latitude or
 * longitude out of range or an unknown unit. */
static int f_geo_distance(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, c->nargs)) {
        *out = value_null();
        return 0;
    }
    double lat1 = arg_double(c, v, 0), lon1 = arg_double(c, v, 1);
    double lat2 = arg_double(c, v, 2), lon2 = arg_double(c, v, 3);
    double radius = 6371.0;
    if (c->nargs > 4) {
        char unit[16] = "";
        uint32_t n = v[4].u.s.len < sizeof unit - 1 ? v[4].u.s.len : sizeof unit - 1;
        for (uint32_t i = 0; i < n; i++)
            unit[i] = (char)((v[4].u.s.p[i] >= 'a' && v[4].u.s.p[i] <= 'z') ? v[4].u.s.p[i] - 32 : v[4].u.s.p[i]);
        if (!strcmp(unit, "MI") || !strcmp(unit, "MILE") || !strcmp(unit, "MILES"))
            radius = 3959.0;
        else if (strcmp(unit, "KM") && strcmp(unit, "KILOMETER") && strcmp(unit, "KILOMETERS") &&
                 strcmp(unit, "KILOMETRE") && strcmp(unit, "KILOMETRES"))
            return err_set(cx->e, ERR_EVAL, "GEO_DISTANCE: unknown unit '%.*s' (use KM or MILES)", (int)v[4].u.s.len,
                           v[4].u.s.p);
    }
    if (fabs(lat1) > 90 || fabs(lat2) > 90 || fabs(lon1) > 180 || fabs(lon2) > 180)
        return err_set(cx->e, ERR_EVAL, "GEO_DISTANCE: a latitude must be in [-90, 90] and a longitude in [-180, 180]");
    double dlat = radians(lat2 - lat1), dlon = radians(lon2 - lon1);
    double h = pow(sin(dlat / 2), 2) + pow(sin(dlon / 2), 2) * cos(radians(lat1)) * cos(radians(lat2));
    *out = value_double(2 * radius * asin(sqrt(h)));
    return 0;
}

static const sqltype *res_geo(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!res_double(a, 4, ar, why, wn) || (n > 4 && !func_need(a[4], TYPE_STRING, "four numbers and a STRING unit", why, wn)))
        return NULL;
    return types_scalar(TYPE_DOUBLE);
}

static const sqltype *res_none(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return types_scalar(TYPE_DOUBLE);
}

#define DBL "(n) -> DOUBLE"
#define MATH_FUNCTIONS(X)                                                                              \
    X(ABS, 1, 1, func_res_same_numeric, f_abs, "ABS(n) -> same type", "math", "The absolute value of n.") \
    X(ACOS, 1, 1, res_double, f_acos, "ACOS" DBL, "math", "The arc cosine of n in radians; NaN outside [-1, 1].") \
    X(ASIN, 1, 1, res_double, f_asin, "ASIN" DBL, "math", "The arc sine of n in radians; NaN outside [-1, 1].") \
    X(ATAN, 1, 1, res_double, f_atan, "ATAN" DBL, "math", "The arc tangent of n in radians.")          \
    X(ATAN2, 2, 2, res_double, f_atan2, "ATAN2(y, x) -> DOUBLE", "math",                              \
      "The angle theta of the point (x, y) in polar coordinates, in radians.")                        \
    X(CBRT, 1, 1, res_double, f_cbrt, "CBRT" DBL, "math", "The cube root of n.")                       \
    X(CEIL, 1, 1, func_res_same_numeric, f_ceil, "CEIL(n) -> same type", "math",                      \
      "The smallest integral value not less than n.")                                                  \
    X(COS, 1, 1, res_double, f_cos, "COS" DBL, "math", "The cosine of n (radians).")                  \
    X(COSH, 1, 1, res_double, f_cosh, "COSH" DBL, "math", "The hyperbolic cosine of n.")              \
    X(COT, 1, 1, res_double, f_cot, "COT" DBL, "math", "The cotangent of n (radians); Infinity at 0.") \
    X(DEGREES, 1, 1, res_double, f_degrees, "DEGREES" DBL, "math", "n radians in degrees.")           \
    X(EXP, 1, 1, res_double, f_exp, "EXP" DBL, "math", "e raised to the power n.")                    \
    X(FLOOR, 1, 1, func_res_same_numeric, f_floor, "FLOOR(n) -> same type", "math",                   \
      "The largest integral value not greater than n.")                                                \
    X(GEO_DISTANCE, 4, 5, res_geo, f_geo_distance, "GEO_DISTANCE(lat1, lon1, lat2, lon2 [, unit]) -> DOUBLE", \
      "math", "The great-circle distance between two points in decimal degrees, in KM (default) or MILES.") \
    X(GREATEST, 1, -1, res_extreme, f_greatest, "GREATEST(a, b, ...) -> common type", "math",         \
      "The largest argument that is not NULL; NULL when all are.")                                     \
    X(LEAST, 1, -1, res_extreme, f_least, "LEAST(a, b, ...) -> common type", "math",                  \
      "The smallest argument that is not NULL; NULL when all are.")                                    \
    X(LN, 1, 1, res_double, f_ln, "LN" DBL, "math", "The natural logarithm of n; -Infinity at 0, NaN below.") \
    X(LOG, 1, 2, res_double, f_log, "LOG([base,] n) -> DOUBLE", "math",                               \
      "The natural logarithm of n, or its logarithm in the given base; NaN for a base <= 0 or 1.")               \
    X(PI, 0, 0, res_none, f_pi, "PI() -> DOUBLE", "math", "An approximation of pi.")                 \
    X(POWER, 2, 2, res_double, f_power, "POWER(base, exponent) -> DOUBLE", "math",                    \
      "base raised to exponent; Infinity on overflow.")                                                \
    X(RADIANS, 1, 1, res_double, f_radians, "RADIANS" DBL, "math", "n degrees in radians.")           \
    X(RANDOM, 0, 0, res_none, f_random, "RANDOM() -> DOUBLE", "math", "A random number in [0.0, 1.0).") \
    X(ROUND, 1, 2, res_round, f_round, "ROUND(n [, places]) -> INT, BIGINT, DOUBLE or DECIMAL", "math", \
      "n rounded half up to `places` decimals (default 0); a negative `places` rounds left of the point.") \
    X(SIGN, 1, 1, res_sign, f_sign, "SIGN(n) -> INT", "math", "-1, 0 or 1 as n is negative, zero or positive.") \
    X(SIN, 1, 1, res_double, f_sin, "SIN" DBL, "math", "The sine of n (radians).")                    \
    X(SINH, 1, 1, res_double, f_sinh, "SINH" DBL, "math", "The hyperbolic sine of n.")                \
    X(SQRT, 1, 1, res_double, f_sqrt, "SQRT" DBL, "math", "The square root of n; NaN below 0.")       \
    X(TAN, 1, 1, res_double, f_tan, "TAN" DBL, "math", "The tangent of n (radians).")                 \
    X(TANH, 1, 1, res_double, f_tanh, "TANH" DBL, "math", "The hyperbolic tangent of n.")             \
    X(TRUNC, 1, 2, res_round, f_trunc, "TRUNC(n [, places]) -> INT, BIGINT, DOUBLE or DECIMAL", "math", \
      "n truncated toward zero to `places` decimals (default 0).")

FUNC_FAMILY(func_math_family, MATH_FUNCTIONS);
