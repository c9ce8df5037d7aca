/* func.c — the registry of built-in scalar functions: it collects the
 * families (func_*.c) and holds the helpers they share. */
#include <stdio.h>
#include <string.h>

#include "func_internal.h"

extern const func_family func_string_family, func_math_family, func_cond_family, func_lambda_family;
extern const func_family func_regex_family, func_url_family;
extern const func_family func_array_family, func_map_family, func_json_family, func_time_family;

static const func_family *const families[] = {&func_string_family, &func_math_family, &func_cond_family,
                                              &func_lambda_family, &func_regex_family, &func_url_family,
                                              &func_array_family,  &func_map_family,   &func_json_family,
                                              &func_time_family};

#define NFAMILIES (int)(sizeof families / sizeof *families)

const func_def *func_find(const char *upper_name)
{
    for (int f = 0; f < NFAMILIES; f++)
        for (int i = 0; i < families[f]->n; i++)
            if (strcmp(families[f]->defs[i].name, upper_name) == 0)
                return &families[f]->defs[i];
    return NULL;
}

int func_count(void)
{
    int n = 0;
    for (int f = 0; f < NFAMILIES; f++)
        n += families[f]->n;
    return n;
}

const func_def *func_at(int i)
{
    for (int f = 0; f < NFAMILIES; f++) {
        if (i < families[f]->n)
            return &families[f]->defs[i];
        i -= families[f]->n;
    }
    return NULL;
}

/* ---- shared result-type rules ------------------------------------------ */

const sqltype *func_need(const sqltype *t, type_kind k, const char *what, char *why, size_t n)
{
    if (t->kind == k || t->kind == TYPE_NULL)
        return types_scalar(k);
    snprintf(why, n, "expects %s arguments", what);
    return NULL;
}

const sqltype *func_res_string(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    for (int i = 0; i < n; i++)
        if (!func_need(a[i], TYPE_STRING, "STRING", why, wn))
            return NULL;
    return types_scalar(TYPE_STRING);
}

const sqltype *func_res_same_numeric(const sqltype **a, int n, arena *ar, char *why, size_t wn)
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
const sqltype *func_res_common(const sqltype **a, int n, arena *ar, char *why, size_t wn)
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

/* ---- shared evaluation helpers ---------------------------------------- */

bool func_any_null(const value *v, int n)
{
    for (int i = 0; i < n; i++)
        if (v[i].null)
            return true;
    return false;
}

value func_string_copy(eval_ctx *cx, const char *p, size_t len)
{
    char *d = arena_alloc(cx->a, len + 1);
    memcpy(d, p, len);
    return value_string(d, (uint32_t)len);
}
