/* runtime_agg — what a persistent query's aggregation (GROUP BY) does
 * with a record, for runtime.c, which reads the tasks and runs the
 * batches under their intents and commits (runtime.h):
 *
 *   - a stream's record is folded into its group (and windows) by
 *     op_aggregate.h's agg_apply; each change goes to the changelog and,
 *     unless EMIT FINAL holds it, its result to the output;
 *   - a table's record takes the row it replaces back from its group and
 *     adds the new one, as one change when both are the same group;
 *   - EMIT FINAL: windows wait in the suppression buffer (suppress.h)
 *     until the task's stream time closes them, then send their final
 *     result;
 *   - TUMBLING/HOPPING windows past their retention leave the store, with
 *     a tombstone in the changelog.
 *
 * Results and errors go into the current batch's sinks through
 * runtime_internal.h: nothing here appends to a log or commits.
 *
 * Not thread-safe: the engine calls the runtime under its lock.
 */
#ifndef EDDY_RUNTIME_AGG_H
#define EDDY_RUNTIME_AGG_H

#include "runtime.h"

/* Record rec of task t through the aggregation (row and out: the batch's
 * rows), then the windows it closed (EMIT FINAL) and expired. */
void runtime_agg_record(query *q, query_task *t, const log_record *rec, value *row, value *out, eval_ctx *cx);

/* On start (EMIT FINAL): the restored store's windows that no task's
 * committed stream time has closed wait for their final result again. */
void runtime_agg_reopen_windows(query *q);

#endif
