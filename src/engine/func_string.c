/* func_string.c — string functions. */
#include <ctype.h>
#include <string.h>

#include "func_internal.h"

static const sqltype *res_len(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return func_need(a[0], TYPE_STRING, "a STRING", why, wn) ? types_scalar(TYPE_INT) : NULL;
}

static const sqltype *res_substring(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!func_need(a[0], TYPE_STRING, "a STRING and INT", why, wn))
        return NULL;
    for (int i = 1; i < n; i++)
        if (!func_need(a[i], TYPE_INT, "a STRING and INT", why, wn))
            return NULL;
    return types_scalar(TYPE_STRING);
}

static int f_case(const expr *c, const value *v, eval_ctx *cx, value *out, int (*conv)(int))
{
    if (func_any_null(v, 1)) {
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
    if (func_any_null(v, 1)) {
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
    if (func_any_null(v, 1)) {
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
    if (func_any_null(v, c->nargs)) {
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

#define STRING_FUNCTIONS(X)                                                                    \
    X(UCASE, 1, 1, func_res_string, f_ucase, "UCASE(STRING) -> STRING", "string",             \
      "The string in upper case.")                                                             \
    X(LCASE, 1, 1, func_res_string, f_lcase, "LCASE(STRING) -> STRING", "string",             \
      "The string in lower case.")                                                             \
    X(LEN, 1, 1, res_len, f_len, "LEN(STRING) -> INT", "string",                              \
      "The length of the string in characters.")                                               \
    X(TRIM, 1, 1, func_res_string, f_trim, "TRIM(STRING) -> STRING", "string",                \
      "The string without leading and trailing white space.")                                  \
    X(CONCAT, 1, -1, func_res_string, f_concat, "CONCAT(STRING, ...) -> STRING", "string",    \
      "The arguments joined; NULL arguments are skipped.")                                     \
    X(SUBSTRING, 2, 3, res_substring, f_substring, "SUBSTRING(STRING, pos [, len]) -> STRING", \
      "string", "Part of the string from 1-based position pos, len characters long.")

FUNC_FAMILY(func_string_family, STRING_FUNCTIONS);
