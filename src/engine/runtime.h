/* runtime — persistent queries: one task per input partition, reading
 * the source topic in batches, running each record through the plan and
 * appending results to the sink topic.
 *
 * Exactly once, for a query that is the only writer of its sink: before a
 * task appends a batch's outputs (one log_append per sink partition) it
 * records an intent — which input partition, and the sink's end offsets —
 * in the query's consumer group; after the append it commits the input
 * offset and clears the intent, in one atomic offsets batch.  After a
 * crash with an intent pending, the task reprocesses that batch from its
 * committed offset and drops the outputs the sink already holds (as many
 * per sink partition as the sink grew past the recorded ends), so every
 * output appears once.
 *
 * Records that cannot be decoded or evaluated are skipped and counted; the
 * query keeps running.  Not thread-safe: the engine calls it under its
 * lock.  Includes plan.h, never ast.h.
 */
#ifndef EDDY_RUNTIME_H
#define EDDY_RUNTIME_H

#include <stdint.h>

#include "../base/buf.h"
#include "../storage/log.h"
#include "plan.h"

typedef struct query_task {
    int partition;
    log_reader *reader;
} query_task;

typedef struct query {
    char id[96];
    char *sql;          /* the statement that started it */
    plan *plan;         /* owned */
    log_topic *in, *out;
    query_task *tasks;
    int ntasks;
    uint64_t processed, emitted, errors;
    char last_error[384];
    int next_partition; /* for records without a key */
    buf keys, values;   /* encoded outputs of the current batch */
    int recover_task;   /* input partition whose batch a crash interrupted, or -1 */
    int64_t *skip;      /* per sink partition: outputs already in the sink */
} query;

/* Starts a query over plan p (ownership passes to the query), resuming
 * each partition from the offset committed for group `id`, or from the
 * start (`earliest`) or end of the topic when nothing was committed. */
query *runtime_query_start(eventlog *l, const char *id, const char *sql, plan *p, bool earliest,
                           err *e);
/* Processes up to `max` records per task.  Returns how many records were
 * read, or -1 when the sink could not be written (e filled). */
long runtime_query_step(query *q, eventlog *l, arena *scratch, int max, err *e);
void runtime_query_stop(query *q);

#endif
