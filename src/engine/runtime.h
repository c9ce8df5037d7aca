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
 * output appears once.  That batch runs again before any other task's,
 * under an intent with the same ends, so a second crash meanwhile is
 * undone the same way.  A stream-stream join's batch reads both streams
 * in time order; its intent also says how far it could read in each and
 * how many records it read, so that it reads the same records again.
 *
 * A GROUP BY query keeps its states in a kvstore and writes every change
 * to a compacted changelog topic in the same batch; on start the store is
 * rebuilt from its latest checkpoint and the changelog after it (up to
 * what the last commit covered), see runtime_state.h.
 *
 * Records that cannot be decoded, evaluated or encoded are skipped,
 * counted, and reported to the processing log (proclog.h); the query
 * keeps running.  The log is a third sink of the batch, under the same
 * intent and commit, so a replayed batch neither loses nor repeats an
 * entry and the outputs stay exactly once.  The log topic has many
 * writers, but the intent's rule still holds: every query runs under the
 * engine lock, one batch at a time, so between a batch's intent and its
 * commit only that batch appends to the log.  The log costs nothing
 * until a record fails: a batch without errors neither appends to it nor
 * records it in its intent.  A query that reads the processing log does
 * not write to it.
 *
 * Not thread-safe: the engine calls it under its lock.  Includes plan.h,
 * never ast.h.
 */
#ifndef EDDY_RUNTIME_H
#define EDDY_RUNTIME_H

#include <stdint.h>

#include "../base/buf.h"
#include "../storage/log.h"
#include "../storage/kvstore.h"
#include "op_aggregate.h"
#include "op_join.h"
#include "plan.h"
#include "table_rows.h"

typedef struct query_task {
    int partition;
    bool right;          /* reads the right table of a table-table join */
    log_reader *reader;
    int64_t stream_time; /* largest event time seen (windowed aggregations) */
    /* records read ahead, ilook the next (a stream-stream join peeks at
     * each stream's next time): see runtime_task_position */
    log_record *look;
    int nlook, ilook;
    serde_memo memo; /* the member order of the partition's JSON records */
} query_task;

/* One encoded record of the current batch, as offsets into its sink's
 * buffers (they may move while the batch grows). */
typedef struct pending {
    int partition;
    size_t key_off, value_off;
    int32_t key_len, value_len;
    int64_t timestamp;
} pending;

/* A topic a query writes: its output, its state store's changelog, or
 * the processing log.  All take part in the same intent/commit, so a
 * crash can be undone in all at once.  A sink the query does not have
 * has no topic. */
typedef struct query_sink {
    log_topic *topic;
    buf keys, values;  /* the batch's encoded records */
    pending *pend;     /* grows: a record can produce many (hopping windows) */
    int npend, cap;
    log_record *recs;  /* `cap` of them: one partition's records for log_append */
    int64_t *skip;     /* per partition: records already there after a crash */
    int64_t *intent_end; /* per partition: the interrupted batch's intent (its ends before it) */
    uint64_t *latest;  /* the changelog's record cache (runtime_cache.h) */
    size_t nlatest;
} query_sink;

enum { SINK_OUTPUT, SINK_CHANGELOG, SINK_PROCLOG, SINK_MAX };

/* A record of an outer side of a stream-stream join (left for LEFT,
 * right for RIGHT, either for FULL) that met nothing yet. */
typedef struct held_left {
    int side;           /* 0 left, 1 right */
    uint8_t *key, *val; /* malloc'd copies (klen -1: no key) */
    int32_t klen, vlen;
    int64_t ts;
} held_left;

typedef struct query {
    char id[96];
    char *sql;          /* the statement that started it */
    plan *plan;         /* owned */
    log_topic *in;
    query_task *tasks;
    int ntasks;
    query_sink sinks[SINK_MAX];
    serde_encoder out_key, out_value; /* the output's key and value parts */
    kvstore *store;     /* GROUP BY state, or NULL */
    struct agg_sessions *sessions; /* SESSION windows: the store's sessions by group, or NULL */
    agg_scratch agg_scratch;       /* agg_apply's buffers */
    struct window_index *windows;  /* TUMBLING/HOPPING: the store's keys by window start, or NULL */
    kvstore *rows;      /* aggregating a table: its current rows (key -> value
                         * bytes), rebuilt from the table's own topic on start */
    join_table *joined; /* stream-table JOIN: the table's rows, followed */
    const expr *join_pre[8]; /* the conjuncts of WHERE tried before the lookup */
    int njoin_pre;
    join_table **more; /* a JOIN b JOIN c ...: the later tables (plan->nmore) */
    /* table-table JOIN: the right table is read by tasks of its own, since
     * its updates produce results too; its rows (and the left table's, in
     * `rows`) are what updates are joined with */
    query_task *rtasks;
    int nrtasks;
    kvstore *right_rows;
    kvstore *fk_index;  /* foreign-key join: see join_index_add */
    /* stream-stream JOIN: `rows` and `right_rows` are the two sides'
     * window stores (see join_window_add); each side's stream time (its
     * latest event time: a record older than that by the window and
     * grace is no longer kept, as Kafka's window stores expire them);
     * outer joins with GRACE PERIOD: records that met nothing yet, held
     * until their window closes; join_key: the current record's store key */
    int64_t side_time[2];
    join_window_queue side_queue[2]; /* the window stores' records, oldest first */
    const sqltype **side_types[2]; /* each side's row slots, as kept (pack_side) */
    buf join_pack;                 /* the current record, as kept */
    buf join_key;
    /* stream-stream JOIN: the tasks of both streams, left ones first; they
     * are read in one batch (see step_join_batch), whose intent also holds
     * where each could read up to (its end when the batch began) and how
     * many records the batch read, so a crash's batch reads the same again */
    query_task **sides;
    int nsides;
    int64_t *side_stop;
    long side_count;
    bool replaying;     /* rebuilding a join's state: nothing is written */
    struct held_left *held;
    int nheld, capheld;
    struct suppress *open; /* EMIT FINAL: the windows not closed yet, or NULL */
    uint64_t processed, emitted, errors, late;
    char last_error[384];
    bool serialize_failed; /* the last error was encoding an output */
    int next_partition; /* for records without a key */
    int recover_task;   /* input partition whose batch a crash interrupted, or -1 */
    int64_t expire_time; /* the stream time expired windows are dropped at */
    /* state stores across restarts (runtime_state.h) */
    bool state_from_checkpoint;      /* restored from a checkpoint (else from the logs) */
    uint64_t state_checkpoint_entries; /* entries the checkpoint held */
    uint64_t state_replayed;         /* changelog / input records replayed on start */
    uint64_t state_checkpoints;      /* checkpoints written since start */
    uint64_t state_mark;             /* changes counter at the last checkpoint */
    uint64_t state_every;            /* changes between checkpoints, at least */
    int64_t state_interval;          /* ms between checkpoints, at least */
    int64_t state_last_ms;           /* wall-clock time of the last checkpoint (or the start) */
    bool state_broken;               /* a step failed: the stores may be ahead of the logs */
    char state_note[256];            /* why a checkpoint was not used or not written */
} query;

/* Where task t resumes: its next record not yet processed (the reader
 * may have read ahead). */
int64_t runtime_task_position(const query_task *t);

/* The changelog topic of query `id`'s state store. */
void runtime_changelog_name(const char *id, char *out, size_t n);

/* Starts a query over plan p (ownership passes to the query), resuming
 * each partition from the offset committed for group `id`, or from the
 * start (`earliest`) or end of the topic when nothing was committed. */
query *runtime_query_start(eventlog *l, const char *id, const char *sql, plan *p, bool earliest,
                           err *e);
/* The `max` the engine steps its queries with: a stateless query whose
 * input is backlogged by at least that many records reads them under one
 * commit (other batches read at most 256 records). */
#define RUNTIME_STEP_MAX 4096
/* Processes up to `max` records per task.  Returns how many records were
 * read, or -1 when the sink could not be written (e filled). */
long runtime_query_step(query *q, eventlog *l, arena *scratch, int max, err *e);
void runtime_query_stop(query *q);

#endif
