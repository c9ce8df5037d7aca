/* runtime_join — what a persistent query's joins do with a record, and
 * the state they keep, for runtime.c, which reads the tasks, runs the
 * batches under their intents and commits (runtime.h), and calls in here
 * for each record of a join:
 *
 *   - table-table JOIN: an update of either table sends the joined row of
 *     its key again, or a tombstone when the row is gone;
 *   - foreign-key table-table JOIN: a left update follows its foreign key
 *     in q->fk_index, a right update joins every left row with that
 *     foreign key again;
 *   - stream-stream JOIN ... WITHIN: both sides' window stores, the outer
 *     side's records held until their window closes, the order the two
 *     streams are read in (join_order), and the rebuild of that state on
 *     start by reading both streams again.
 *
 * (A stream-table join's lookup is op_join.h's join_apply, which
 * runtime.c calls.)  Results and errors go into the current batch's sinks
 * through runtime_internal.h, as every result of a query does: nothing
 * here appends to a log or commits.
 *
 * Not thread-safe: the engine calls the runtime under its lock.
 */
#ifndef EDDY_RUNTIME_JOIN_H
#define EDDY_RUNTIME_JOIN_H

#include "runtime.h"

/* Per record of a join: `rec` read by task t, `row` and `out` the
 * batch's rows (plan->nrow and out.schema.n slots), cx its evaluation
 * context.  Each keeps the join's state and sends the record's results. */

/* A table-table join's update of either table. */
void runtime_join_table_update(query *q, query_task *t, const log_record *rec, value *row, value *out, eval_ctx *cx);
/* A foreign-key join's update of the left table, and of the right one. */
void runtime_join_fk_left(query *q, query_task *t, const log_record *rec, value *row, value *out, eval_ctx *cx);
void runtime_join_fk_right(query *q, query_task *t, const log_record *rec, value *row, value *out, eval_ctx *cx);
/* A record of either stream of a stream-stream join. */
void runtime_join_stream_record(query *q, query_task *t, const log_record *rec, value *row, value *out,
                                eval_ctx *cx);

/* On start.  A foreign-key join: q->fk_index from the restored left rows
 * (q->rows). */
void runtime_join_rebuild_fk_index(query *q);
/* A stream-stream join: each side's slot types (q->side_types), and its
 * state, rebuilt from both topics up to where the tasks (q->sides)
 * resume; 0, or -1 with e filled. */
void runtime_join_side_types(query *q);
int runtime_join_replay(query *q, log_topic *ltopic, log_topic *rtopic, err *e);

/* The order a stream-stream join reads its streams in, as Kafka Streams
 * picks the partition with the oldest head record: the task with the
 * oldest next record (ties to the earlier task: left before right) runs
 * its records up to the oldest next record the others had then (ties
 * going on with it), and the oldest is picked again.  The order depends
 * on no read-ahead buffer's bounds, so the same records read again (from
 * where a batch began, with the same stops) come in the same order. */
typedef struct join_order {
    query_task *const *tasks;
    int n;
    const int64_t *stop; /* per task: records from here on are not read */
    int cur;             /* the task running, or -1: pick one */
    int64_t until;       /* it runs its records up to this time */
} join_order;

/* The next record in order (valid until the next call), with its task:
 * 1, or 0 when no task has one before its stop, or -1 with e filled. */
int runtime_join_next(join_order *o, query_task **from, const log_record **rec, err *e);

#endif
