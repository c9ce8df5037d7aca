/* agg — aggregate functions (COUNT, SUM, AVG, MIN, MAX, COLLECT_LIST, ...).
 *
 * An aggregate is (resolve, init, add, undo, result) over a *state*: a few
 * typed values (state_types), so states can be kept in a store through
 * codec.h and written to a changelog.  `undo` removes a value added
 * earlier (for table aggregations that retract old rows); it is NULL when
 * the aggregate cannot be undone (MIN, MAX: the engine must then refuse
 * or recompute, never pretend).  `merge` combines two states (SESSION
 * windows that a record joins into one); NULL when it cannot.
 *
 * Every aggregate lives in the one list in agg.c; SHOW FUNCTIONS lists
 * them with the scalar functions.  NULL handling follows ksqlDB: NULL
 * arguments are ignored unless the aggregate says otherwise.
 *
 * Constant parameters (TOPK's k, LATEST_BY_OFFSET's n and ignoreNulls)
 * must be literals: resolve reads them from an EX_CONST argument and
 * refuses anything else.  They are still passed to add/undo as args.
 */
#ifndef EDDY_AGG_H
#define EDDY_AGG_H

#include "expr.h"

#define AGG_MAX_STATE 6 /* CORRELATION's sums */

typedef struct agg_def agg_def;

/* One aggregate call in a query, e.g. SUM(price * 2). */
typedef struct agg_call {
    const agg_def *def;
    expr **args;              /* evaluated over the input row */
    int nargs;
    const sqltype *type;      /* result type */
    const sqltype *state_types[AGG_MAX_STATE];
    int nstate;
    /* A constant parameter, when any: TOPK's k, the n of LATEST_BY_OFFSET(col,
     * n), COLLECT_LIST's limit (ksql.functions.collect_list.limit, 1000 by
     * default; the analyzer may lower it from a session property). */
    int64_t param;
    bool ignore_nulls;        /* LATEST/EARLIEST_BY_OFFSET's ignoreNulls */
    bool struct_state;        /* ksqlDB keeps this state as a STRUCT (AVG's sum and count) */
} agg_call;

struct agg_def {
    const char *name;
    int min_args, max_args;
    /* Sets c->type, c->state_types, c->nstate (and c->param) from the
     * argument types; 0, or -1 with `why` filled. */
    int (*resolve)(agg_call *c, arena *a, char *why, size_t wn);
    void (*init)(const agg_call *c, value *state);
    int (*add)(const agg_call *c, value *state, const value *args, eval_ctx *cx);
    int (*undo)(const agg_call *c, value *state, const value *args, eval_ctx *cx); /* may be NULL */
    /* Folds the state `from` (of a later session) into `state` (of the
     * earlier ones), as if its values had been added after them: SESSION
     * windows merge this way.  NULL when the aggregate cannot merge; the
     * analyzer then refuses it in a SESSION window. */
    int (*merge)(const agg_call *c, value *state, const value *from, eval_ctx *cx);
    int (*result)(const agg_call *c, const value *state, value *out, eval_ctx *cx);
    const char *signature;
    const char *description;
};

/* The aggregate called `upper_name`, or NULL. */
const agg_def *agg_find(const char *upper_name);
int agg_count(void);
const agg_def *agg_at(int i);

#endif
