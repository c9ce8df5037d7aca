/* op_join — the stream-table JOIN stage of a plan: looks each stream
 * row's join key up in the table's current rows (a kvstore of record key
 * -> value bytes, kept by the runtime from the table's topic), fills the
 * table's columns of the row, then applies WHERE and the projection.
 */
#ifndef EDDY_OP_JOIN_H
#define EDDY_OP_JOIN_H

#include "../storage/kvstore.h"
#include "plan.h"

/* For a row plan_apply decoded from the stream: PLAN_EMIT with `out`
 * computed, PLAN_SKIP (no match in an INNER join, or WHERE rejects), or
 * PLAN_ERROR. */
plan_result join_apply(const plan *p, const kvstore *table, value *row, value *out, eval_ctx *cx);
/* The joined row from a decoded left row and the right side's value bytes
 * (NULL: no right row; key is the join key value): fills the right part,
 * applies WHERE and the projection.  PLAN_SKIP when WHERE rejects it, or
 * when there is no right row and the join is not LEFT. */
plan_result join_finish(const plan *p, value *row, const value *key, const uint8_t *rval, int32_t rlen,
                        value *out, eval_ctx *cx);

#endif
