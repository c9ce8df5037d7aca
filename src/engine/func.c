/* func.c — the built-in scalar functions, one list (FUNCTIONS below).
 * Each entry: name, min/max arguments, result-type rule, evaluator,
 * signature, category, description. */
#include "func.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- result-type rules ----------------------------------------------- */

static const sqltype *need(const sqltype *t, type_kind k, const char *what, char *why, size_t n)
{
    if (t->kind == k || t->kind == TYPE_NULL)
        return types_scalar(k);
    snprintf(why, n, "expects %s arguments", what);
    return NULL;
}

static const sqltype *res_string(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    for (int i = 0; i < n; i++)
        if (!need(a[i], TYPE_STRING, "STRING", why, wn))
            return NULL;
    return types_scalar(TYPE_STRING);
}

static const sqltype *res_len(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return need(a[0], TYPE_STRING, "a STRING", why, wn) ? types_scalar(TYPE_INT) : NULL;
}

static const sqltype *res_substring(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!need(a[0], TYPE_STRING, "a STRING and INT", why, wn))
        return NULL;
    for (int i = 1; i < n; i++)
        if (!need(a[i], TYPE_INT, "a STRING and INT", why, wn))
            return NULL;
    return types_scalar(TYPE_STRING);
}

static const sqltype *res_same_numeric(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (a[0]->kind == TYPE_NULL)
        return types_scalar(TYPE_DOUBLE);
    if (!types_is_numeric(a[0])) {
        snprintf(why, wn, "expects a numeric argument");
        return NULL;
    }
    return a[0];
}

/* ksqlDB: ROUND(INT) -> INT, ROUND(BIGINT|DOUBLE) -> BIGINT. */
static const sqltype *res_round(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    const sqltype *t = res_same_numeric(a, n, ar, why, wn);
    if (!t)
        return NULL;
    return t->kind == TYPE_INT ? t : types_scalar(TYPE_BIGINT);
}

static const sqltype *res_common(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    const sqltype *t = a[0];
    for (int i = 1; i < n; i++) {
        t = types_widen(ar, t, a[i]);
        if (!t) {
            snprintf(why, wn, "expects arguments of one type");
            return NULL;
        }
    }
    return t;
}

/* ---- evaluators ------------------------------------------------------ */

static bool any_null(const value *v, int n)
{
    for (int i = 0; i < n; i++)
        if (v[i].null)
            return true;
    return false;
}

static int f_case(const expr *c, const value *v, eval_ctx *cx, value *out, int (*conv)(int))
{
    if (any_null(v, 1)) {
        *out = value_null();
        return 0;
    }
    char *p = arena_alloc(cx->a, v[0].u.s.len + 1);
    for (uint32_t i = 0; i < v[0].u.s.len; i++)
        p[i] = (char)conv((unsigned char)v[0].u.s.p[i]);
    *out = value_string(p, v[0].u.s.len);
    return 0;
}

static int f_ucase(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_case(c, v, cx, out, toupper); }
static int f_lcase(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_case(c, v, cx, out, tolower); }

/* Length in characters: count UTF-8 lead bytes. */
static int f_len(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (any_null(v, 1)) {
        *out = value_null();
        return 0;
    }
    int32_t n = 0;
    for (uint32_t i = 0; i < v[0].u.s.len; i++)
        n += ((unsigned char)v[0].u.s.p[i] & 0xC0) != 0x80;
    *out = value_int(n);
    return 0;
}

static int f_trim(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (any_null(v, 1)) {
        *out = value_null();
        return 0;
    }
    const char *p = v[0].u.s.p;
    uint32_t len = v[0].u.s.len;
    while (len && isspace((unsigned char)*p))
        p++, len--;
    while (len && isspace((unsigned char)p[len - 1]))
        len--;
    *out = value_string(p, len);
    return 0;
}

/* CONCAT skips NULL arguments, as ksqlDB's does. */
static int f_concat(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    size_t total = 0;
    for (int i = 0; i < c->nargs; i++)
        total += v[i].null ? 0 : v[i].u.s.len;
    char *p = arena_alloc(cx->a, total + 1), *w = p;
    for (int i = 0; i < c->nargs; i++)
        if (!v[i].null) {
            memcpy(w, v[i].u.s.p, v[i].u.s.len);
            w += v[i].u.s.len;
        }
    *out = value_string(p, (uint32_t)total);
    return 0;
}

/* SUBSTRING(s, pos [, len]): 1-based; a negative pos counts from the end. */
static int f_substring(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (any_null(v, c->nargs)) {
        *out = value_null();
        return 0;
    }
    int64_t len = v[0].u.s.len, pos = v[1].u.i;
    int64_t start = pos > 0 ? pos - 1 : pos < 0 ? len + pos : 0;
    if (start < 0)
        start = 0;
    if (start > len)
        start = len;
    int64_t count = c->nargs > 2 ? v[2].u.i : len - start;
    if (count < 0)
        count = 0;
    if (start + count > len)
        count = len - start;
    *out = value_string(v[0].u.s.p + start, (uint32_t)count);
    return 0;
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

static int f_coalesce(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    for (int i = 0; i < c->nargs; i++)
        if (!v[i].null)
            return expr_cast(&v[i], c->args[i]->type, c->type, cx, out);
    *out = value_null();
    return 0;
}

/* ---- the list ------------------------------------------------------- */

#define FUNCTIONS(X)                                                                           \
    X(ABS, 1, 1, res_same_numeric, f_abs, "ABS(n) -> same type", "math",                      \
      "The absolute value of n.")                                                              \
    X(CEIL, 1, 1, res_same_numeric, f_ceil, "CEIL(n) -> same type", "math",                   \
      "The smallest integral value not less than n.")                                          \
    X(FLOOR, 1, 1, res_same_numeric, f_floor, "FLOOR(n) -> same type", "math",                \
      "The largest integral value not greater than n.")                                        \
    X(ROUND, 1, 1, res_round, f_round, "ROUND(n) -> INT or BIGINT", "math",                   \
      "n rounded to the nearest integer, halves up.")                                          \
    X(UCASE, 1, 1, res_string, f_ucase, "UCASE(STRING) -> STRING", "string",                  \
      "The string in upper case.")                                                             \
    X(LCASE, 1, 1, res_string, f_lcase, "LCASE(STRING) -> STRING", "string",                  \
      "The string in lower case.")                                                             \
    X(LEN, 1, 1, res_len, f_len, "LEN(STRING) -> INT", "string",                              \
      "The length of the string in characters.")                                               \
    X(TRIM, 1, 1, res_string, f_trim, "TRIM(STRING) -> STRING", "string",                     \
      "The string without leading and trailing white space.")                                  \
    X(CONCAT, 1, -1, res_string, f_concat, "CONCAT(STRING, ...) -> STRING", "string",         \
      "The arguments joined; NULL arguments are skipped.")                                     \
    X(SUBSTRING, 2, 3, res_substring, f_substring, "SUBSTRING(STRING, pos [, len]) -> STRING", \
      "string", "Part of the string from 1-based position pos, len characters long.")          \
    X(COALESCE, 1, -1, res_common, f_coalesce, "COALESCE(a, b, ...) -> common type",          \
      "conditional", "The first argument that is not NULL.")                                   \
    X(IFNULL, 2, 2, res_common, f_coalesce, "IFNULL(a, b) -> common type", "conditional",     \
      "a when it is not NULL, else b.")

static const func_def functions[] = {
#define X(name, lo, hi, res, ev, sig, cat, desc) {#name, lo, hi, res, ev, sig, cat, desc},
    FUNCTIONS(X)
#undef X
};

const func_def *func_find(const char *upper_name)
{
    for (size_t i = 0; i < sizeof functions / sizeof *functions; i++)
        if (strcmp(functions[i].name, upper_name) == 0)
            return &functions[i];
    return NULL;
}

int func_count(void) { return (int)(sizeof functions / sizeof *functions); }

const func_def *func_at(int i) { return &functions[i]; }
