/* runtime_internal — what runtime.c lends the runtime's other files
 * (runtime_join.c, runtime_agg.c): a task's read-ahead, and sending a
 * result, a changelog record or an error into the current batch's
 * sinks, which its intent and commit make exactly once (runtime.h).  Not
 * for the engine: it uses runtime.h.
 *
 * Not thread-safe: the engine calls the runtime under its lock.
 */
#ifndef EDDY_RUNTIME_INTERNAL_H
#define EDDY_RUNTIME_INTERNAL_H

#include "runtime.h"

/* Task t's records read ahead (t->look from t->ilook): how many are
 * left, refilled from its reader once all are taken; -1 on error. */
int runtime__look_fill(query_task *t, err *e);

/* Encodes a result row into the output sink's batch: only its key for a
 * tombstone; wstart and wend its window (wstart NULL: none); same_key an
 * earlier pending output whose key it shares, or -1 (see runtime.c).
 * 0, or -1 with e filled.  Writes nothing while q->replaying. */
int runtime__encode_output(query *q, const value *out, bool tombstone, const int64_t *wstart, int64_t wend,
                           int64_t ts, int same_key, err *e);

/* A change of the store (hash: kvstore_hash of its key; val NULL: the
 * key was deleted), into the changelog sink's batch, stamped ts (a
 * deletion: the wall-clock time, see runtime.c). */
void runtime__log_change(query *q, const buf *key, uint64_t hash, const buf *val, int64_t ts);

/* Record rec of task t failed (cx->e): counted, and logged to the
 * processing log in the current batch. */
void runtime__note_error(query *q, const query_task *t, const log_record *rec, eval_ctx *cx);
/* Record rec's result was sent with NULL in a SELECT column that failed:
 * logged, naming the column. */
void runtime__note_column_error(query *q, const query_task *t, const log_record *rec, eval_ctx *cx);

#endif
