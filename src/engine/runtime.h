/* runtime — persistent queries: one task per input partition, reading
 * the source topic in batches, running each record through the plan and
 * appending results to the sink topic.
 *
 * After each batch a task appends its outputs (one log_append per sink
 * partition) and then commits its input offset to the consumer group named
 * after the query.  A crash between the two can repeat that batch's
 * outputs on restart (at-least-once); atomic commits come with the state
 * store work.
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
