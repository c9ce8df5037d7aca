/* tablefn — the built-in table functions (EXPLODE, CUBE_EXPLODE).
 *
 * A table function turns one input row into any number of output rows:
 * from its argument's value it says how many values it yields, and gives
 * the k-th of them.  The analyzer binds a call in a SELECT of a stream
 * with tablefn_find + resolve and makes it a flat-map step of the plan
 * (plan.h, plan_flatmap); the runtime asks for the rows of each input
 * row.  One X-macro list in tablefn.c holds every table function.
 */
#ifndef EDDY_TABLEFN_H
#define EDDY_TABLEFN_H

#include <stddef.h>

#include "expr.h"

typedef struct tablefn_def {
    const char *name;
    /* The type of the values yielded for this argument type, or NULL
     * with `why` filled. */
    const sqltype *(*resolve)(const sqltype *arg, arena *a, char *why, size_t whylen);
    /* How many values argument `arg` yields (0 for NULL). */
    int (*count)(const value *arg);
    /* The k-th (0 <= k < count) value, of type `type`; memory in cx->a. */
    int (*at)(const value *arg, int k, const sqltype *type, eval_ctx *cx, value *out);
    const char *signature;
    const char *description;
} tablefn_def;

/* NULL when no table function has this (upper-case) name. */
const tablefn_def *tablefn_find(const char *upper_name);
int tablefn_count(void);
const tablefn_def *tablefn_at(int i);

#endif
