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

/* A stream-stream join's window store of one side: a kvstore from a
 * record key to every kept record of that key, packed one after another
 * as (timestamp, be64; value length, be32; value bytes).  Adds a record,
 * dropping the key's records older than `expire` (the side's stream
 * time - the window - grace); a record older than that is not added. */
void join_window_add(kvstore *s, const uint8_t *key, size_t klen, int64_t ts, const uint8_t *val, int32_t vlen,
                     int64_t expire);
/* Calls fn for each record of `key` with a timestamp in [from, to], in
 * arrival order.  The value bytes stay valid while the store is not
 * changed; fn must not change it. */
typedef void (*join_window_fn)(void *ctx, int64_t ts, const uint8_t *val, int32_t vlen);
void join_window_each(const kvstore *s, const uint8_t *key, size_t klen, int64_t from, int64_t to, join_window_fn fn,
                      void *ctx);

#endif
