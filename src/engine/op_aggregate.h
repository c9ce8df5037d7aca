/* op_aggregate — the GROUP BY stage of a plan: folds rows into per-group
 * aggregate states kept in a kvstore, and computes the result row of the
 * group each row changed.
 *
 * Store keys and states are codec.h rows (group values; the calls' states
 * one after the other), so the runtime can write each change to the
 * query's changelog topic and replay it into a fresh store on start.
 */
#ifndef EDDY_OP_AGGREGATE_H
#define EDDY_OP_AGGREGATE_H

#include "../storage/kvstore.h"
#include "plan.h"

/* Applies one input row that passed WHERE.  On PLAN_EMIT `out` holds the
 * projected result row; PLAN_TOMBSTONE means HAVING now rejects the group
 * (`out` holds its key columns).  Either way the store changed, and
 * store_key / store_val hold the change to log.  PLAN_SKIP: a NULL group
 * value, the row is dropped (as ksqlDB does). */
plan_result agg_apply(const plan *p, kvstore *store, const value *row, value *out, buf *store_key, buf *store_val,
                      eval_ctx *cx);

#endif
