/* op_aggregate — the GROUP BY stage of a plan: folds rows into per-group
 * (and per-window) aggregate states kept in a kvstore, and computes the
 * result row of every group/window a row changed.
 *
 * Store keys are codec.h rows of the group values, followed for windowed
 * aggregations by the window start (8 bytes, big-endian); states are the
 * calls' states one after the other.  Every change is handed to the
 * caller with its key and state bytes, so the runtime can write it to the
 * query's changelog and replay it into a fresh store on start.
 *
 * Windows (TUMBLING, HOPPING): a record lands in every window that covers
 * its timestamp; a window is closed once the task's stream time (the
 * largest timestamp seen) reaches its end plus the grace period, and
 * records for closed windows are dropped and counted as late.
 */
#ifndef EDDY_OP_AGGREGATE_H
#define EDDY_OP_AGGREGATE_H

#include "../storage/kvstore.h"
#include "plan.h"

typedef struct agg_result {
    const value *out;      /* projected result row (key columns only when !keep) */
    bool keep;             /* HAVING keeps the group in the table now */
    bool old_keep;         /* ... and did before this change (so !keep means a tombstone) */
    bool windowed;
    int64_t wstart, wend;  /* when windowed */
    int64_t ts;            /* the latest event time folded into the group: the result's timestamp */
    const buf *store_key, *store_val; /* the store change to log */
} agg_result;

typedef void (*agg_emit_fn)(void *ctx, const agg_result *r);

/* Applies one input row that passed WHERE, with event time ts, advancing
 * *stream_time; with `retract`, takes back a row added earlier (a table's
 * old row: the aggregates' undo).  Calls emit once per changed group/window.  Returns the
 * number of results emitted (0: a NULL group value, or every window
 * closed — *late is then set), or -1 with cx->e filled. */
int agg_apply(const plan *p, kvstore *store, const value *row, bool retract, int64_t ts, int64_t *stream_time,
              bool *late, agg_emit_fn emit, void *ctx, eval_ctx *cx);

/* The current row of one store entry (a pull query reads the table this
 * way): the projected result in `out`, *keep false when HAVING rejects it,
 * and its window start (*wstart) for a windowed aggregation. */
int agg_entry_row(const plan *p, const uint8_t *key, size_t klen, const uint8_t *state, size_t slen, value *out,
                  bool *keep, int64_t *wstart, eval_ctx *cx);

#endif
