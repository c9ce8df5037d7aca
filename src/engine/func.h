/* func — the built-in scalar functions.
 *
 * One X-macro list in func.c holds every function: its name, how many
 * arguments it takes, how its result type follows from its arguments'
 * types, and how to evaluate it.  The analyzer binds a call with
 * func_find + resolve; SHOW FUNCTIONS and DESCRIBE FUNCTION read the same
 * list.  Functions return NULL for NULL input unless their description
 * says otherwise, as ksqlDB's do.
 */
#ifndef EDDY_FUNC_H
#define EDDY_FUNC_H

#include "expr.h"

struct func_def {
    const char *name;
    int min_args, max_args; /* max_args -1 = variadic */
    /* The result type for these argument types, or NULL with `why` filled
     * (e.g. "expects a STRING argument"). */
    const sqltype *(*resolve)(const sqltype **args, int n, arena *a, char *why, size_t whylen);
    int (*eval)(const expr *call, const value *args, eval_ctx *cx, value *out);
    /* Lambda arguments get the element type(s) of argument 0 (an ARRAY:
     * the element; a MAP: key and value); with `reduces`, the type of
     * argument 1 (the initial state) comes first. */
    bool reduces;
    const char *signature;   /* e.g. "UCASE(STRING) -> STRING" */
    const char *category;    /* string, math, ... */
    const char *description;
};

const func_def *func_find(const char *upper_name);
int func_count(void);
const func_def *func_at(int i);

#endif
