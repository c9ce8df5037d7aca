/* func_internal — what the function family files (func_*.c) share:
 * result-type helpers, NULL helpers, and the shape of a family.
 *
 * Each family file holds one X-macro list of its functions, each entry
 * (name, min args, max args (-1 = any), result-type rule, evaluator,
 * signature, category, description), and exports a func_family built
 * from it.  func.c collects the families; nothing else lists functions.
 */
#ifndef EDDY_FUNC_INTERNAL_H
#define EDDY_FUNC_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "func.h"

typedef struct func_family {
    const func_def *defs;
    int n;
} func_family;

/* Builds the func_def array and the exported family from a list macro. */
#define FUNC_FAMILY(family, LIST)                                                        \
    static const func_def family##_defs[] = {LIST(FUNC__ENTRY)};                        \
    const func_family family = {family##_defs, (int)(sizeof family##_defs / sizeof *family##_defs)}
#define FUNC__ENTRY(name, lo, hi, res, ev, sig, cat, desc) {#name, lo, hi, res, ev, false, sig, cat, desc},
/* A family whose entries take a `reduces` flag after the evaluator. */
#define FUNC_FAMILY_LAMBDA(family, LIST)                                                 \
    static const func_def family##_defs[] = {LIST(FUNC__LENTRY)};                       \
    const func_family family = {family##_defs, (int)(sizeof family##_defs / sizeof *family##_defs)}
#define FUNC__LENTRY(name, lo, hi, res, ev, red, sig, cat, desc) {#name, lo, hi, res, ev, red, sig, cat, desc},

/* Result-type rules shared by families.  Each returns the result type or
 * NULL with `why` filled. */
/* `t` (or NULL) is of kind k: returns the scalar type k. */
const sqltype *func_need(const sqltype *t, type_kind k, const char *what, char *why, size_t n);
/* All arguments STRING -> STRING. */
const sqltype *func_res_string(const sqltype **a, int n, arena *ar, char *why, size_t wn);
/* One numeric argument -> the same type. */
const sqltype *func_res_same_numeric(const sqltype **a, int n, arena *ar, char *why, size_t wn);
/* Arguments of one type (numbers widened) -> that type. */
const sqltype *func_res_common(const sqltype **a, int n, arena *ar, char *why, size_t wn);

/* True when any of the n values is NULL. */
bool func_any_null(const value *v, int n);
/* Copies a string result into the evaluation arena. */
value func_string_copy(eval_ctx *cx, const char *p, size_t len);

#endif
