/* runtime.c — see runtime.h: a query's start and stop, its batches and
 * their intents and commits (exactly once), its outputs, changelog and
 * processing log entries.  What an aggregation does with a record is
 * runtime_agg.c's, what a join does runtime_join.c's. */
#include "runtime.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/mem.h"
#include "../storage/store_window.h"
#include "op_aggregate.h"
#include "op_join.h"
#include "proclog.h"
#include "runtime_agg.h"
#include "runtime_cache.h"
#include "runtime_internal.h"
#include "runtime_join.h"
#include "runtime_state.h"
#include "suppress.h"

#define RUNTIME_BATCH 256

/* Keys in the query's consumer group besides its input offsets; no
 * topic name can start with \x01. */
#define INTENT_TASK "\x01intent"
/* A stream-stream join's batch reads both streams (step_join_batch): its
 * intent also records, per task (left ones first), the end it could read
 * up to, and how many records it read. */
#define INTENT_JOIN_STOP "\x01intent-join-stop"
#define INTENT_JOIN_COUNT "\x01intent-join-count"

#define STREAM_TIME "\x01stream-time"

static void intent_end_key(int sink, char *out, size_t n) { snprintf(out, n, "\x01intent-end-%d", sink); }

void runtime_changelog_name(const char *id, char *out, size_t n) { snprintf(out, n, "_eddy-%s-changelog", id); }

/* ---- start: find an interrupted batch, restore the store --------------- */

/* A pending intent means the last batch of task `recover_task` may have
 * reached the sinks without its commit: count what it left in each. */
static void find_interrupted_batch(query *q, eventlog *l)
{
    q->recover_task = (int)log_offset_fetch(l, q->id, INTENT_TASK, 0);
    for (int s = 0; s < SINK_MAX; s++) {
        query_sink *k = &q->sinks[s];
        if (!k->topic)
            continue;
        int parts = log_topic_partitions(k->topic);
        k->skip = mem_alloc(sizeof(int64_t) * (size_t)parts);
        k->intent_end = mem_alloc(sizeof(int64_t) * (size_t)parts);
        char key[32];
        intent_end_key(s, key, sizeof key);
        for (int p = 0; q->recover_task >= 0 && p < parts; p++) {
            int64_t before = log_offset_fetch(l, q->id, key, p);
            int64_t grown = before >= 0 ? log_end_offset(k->topic, p) - before : 0;
            k->skip[p] = grown > 0 ? grown : 0;
            k->intent_end[p] = log_end_offset(k->topic, p) - k->skip[p];
        }
    }
}

/* A stream-stream join's batch in the intent: it reads every task. */
#define JOIN_TASK 2000000

/* Stream-stream join: its tasks, left then right, read as one; and when
 * a crash interrupted a batch of them, what that batch read. */
static void open_join_sides(query *q, eventlog *l)
{
    q->nsides = q->ntasks + q->nrtasks;
    q->sides = mem_alloc(sizeof *q->sides * (size_t)q->nsides);
    q->side_stop = mem_alloc(sizeof *q->side_stop * (size_t)q->nsides);
    for (int i = 0; i < q->nsides; i++) {
        q->sides[i] = i < q->ntasks ? &q->tasks[i] : &q->rtasks[i - q->ntasks];
        q->side_stop[i] = q->recover_task == JOIN_TASK ? log_offset_fetch(l, q->id, INTENT_JOIN_STOP, i) : -1;
    }
    q->side_count = q->recover_task == JOIN_TASK ? log_offset_fetch(l, q->id, INTENT_JOIN_COUNT, 0) : 0;
    runtime_join_side_types(q);
}

/* A table's rows as of where each of its tasks resumes (aggregating a
 * table: so an update can take back the row it replaces; joining tables:
 * what an update of the other side meets).  A table's topic is its own
 * changelog. */
static int restore_rows(log_topic *topic, const query_task *tasks, int ntasks, kvstore *rows, err *e)
{
    log_record recs[RUNTIME_BATCH];
    for (int i = 0; i < ntasks; i++) {
        int64_t stop = log_reader_position(tasks[i].reader);
        log_reader *r = log_reader_open(topic, tasks[i].partition, 0);
        int n = 0;
        bool done = false;
        while (!done && (n = log_read(r, recs, RUNTIME_BATCH, e)) > 0)
            for (int k = 0; k < n && !(done = recs[k].offset >= stop); k++) {
                if (recs[k].key_len < 0)
                    continue;
                if (recs[k].value_len < 0)
                    kvstore_delete(rows, recs[k].key, (size_t)recs[k].key_len);
                else
                    kvstore_put(rows, recs[k].key, (size_t)recs[k].key_len, recs[k].value, (size_t)recs[k].value_len);
            }
        log_reader_close(r);
        if (n < 0)
            return -1;
    }
    return 0;
}

/* The joined table's rows as of the committed position of its topic
 * (or its start / end on a first run), followed from there. */
static join_table *open_joined_table(query *q, const plan_join *j, eventlog *l, bool earliest, err *e)
{
    const plan_io *rt = &j->right;
    log_topic *t = log_topic_find(l, rt->topic);
    if (!t) {
        err_set(e, ERR_UNKNOWN_TOPIC, "topic %s of table %s does not exist", rt->topic, rt->name);
        return NULL;
    }
    int n = log_topic_partitions(t);
    int64_t *resume = mem_alloc(sizeof(int64_t) * (size_t)n);
    for (int p = 0; p < n; p++) {
        resume[p] = log_offset_fetch(l, q->id, rt->topic, p);
        if (resume[p] < 0)
            resume[p] = earliest ? log_start_offset(t, p) : log_end_offset(t, p);
    }
    join_table *jt = join_table_open(q->plan, j, t, resume, e);
    free(resume);
    return jt;
}

/* The tables joined after the first join (a JOIN b JOIN c ...), each
 * followed like a stream-table join's table. */
static int open_more_tables(query *q, eventlog *l, bool earliest, err *e)
{
    const plan *p = q->plan;
    if (!p->nmore)
        return 0;
    q->more = mem_alloc(sizeof *q->more * (size_t)p->nmore);
    for (int i = 0; i < p->nmore; i++)
        if (!(q->more[i] = open_joined_table(q, &p->more[i], l, earliest, e)))
            return -1;
    return 0;
}

/* Commits how far a followed table was read. */
static int commit_table_position(query *q, eventlog *l, const char *topic, const table_rows *tr, err *e)
{
    log_offset_entry *en = mem_alloc(sizeof *en * (size_t)tr->n);
    for (int p = 0; p < tr->n; p++)
        en[p] = (log_offset_entry){topic, p, table_rows_position(tr, p)};
    int rc = log_offset_commit_many(l, q->id, en, tr->n, e);
    free(en);
    return rc;
}

/* Table-table join: tasks reading the right table, from the committed
 * position (or its start / end on a first run). */
static void open_right_tasks(query *q, eventlog *l, bool earliest)
{
    const char *topic = q->plan->join->right.topic;
    log_topic *t = log_topic_find(l, topic);
    if (!t)
        return; /* checked when the statement ran; dropped since: no rows */
    q->right_rows = kvstore_new();
    q->nrtasks = log_topic_partitions(t);
    q->rtasks = mem_alloc(sizeof *q->rtasks * (size_t)q->nrtasks);
    for (int i = 0; i < q->nrtasks; i++) {
        int64_t from = log_offset_fetch(l, q->id, topic, i);
        if (from < 0)
            from = earliest ? log_start_offset(t, i) : log_end_offset(t, i);
        q->rtasks[i] = (query_task){.partition = i, .right = true, .reader = log_reader_open(t, i, from),
                                    .stream_time = INT64_MIN};
    }
}

/* Brings the joined tables up to date before stream records are joined,
 * and commits how far they were read. */
static int follow_joined_tables(query *q, eventlog *l, err *e)
{
    long total = 0;
    for (int i = -1; i < q->plan->nmore; i++) {
        join_table *jt = i < 0 ? q->joined : q->more[i];
        if (!jt)
            continue;
        table_rows *tr = jt->rows;
        long n = table_rows_follow(tr, RUNTIME_BATCH, e);
        if (n < 0)
            return -1;
        const char *topic = i < 0 ? q->plan->join->right.topic : q->plan->more[i].right.topic;
        if (n > 0 && commit_table_position(q, l, topic, tr, e) < 0)
            return -1;
        total += n;
    }
    return (int)total;
}

static int commit_start(query *q, eventlog *l, err *e)
{
    int n = q->ntasks + q->nrtasks;
    log_offset_entry *en = mem_alloc(sizeof *en * (size_t)(n + 1));
    for (int i = 0; i < q->ntasks; i++)
        en[i] = (log_offset_entry){q->plan->in.topic, q->tasks[i].partition, runtime_task_position(&q->tasks[i])};
    for (int i = 0; i < q->nrtasks; i++)
        en[q->ntasks + i] = (log_offset_entry){q->plan->join->right.topic, q->rtasks[i].partition,
                                               runtime_task_position(&q->rtasks[i])};
    int rc = log_offset_commit_many(l, q->id, en, n, e);
    free(en);
    if (rc == 0 && q->joined) /* the joined tables' start, too */
        rc = commit_table_position(q, l, q->plan->join->right.topic, q->joined->rows, e);
    for (int i = 0; rc == 0 && i < q->plan->nmore; i++)
        rc = commit_table_position(q, l, q->plan->more[i].right.topic, q->more[i]->rows, e);
    return rc;
}

static log_topic *changelog_topic(eventlog *l, const char *id, err *e)
{
    char name[160];
    runtime_changelog_name(id, name, sizeof name);
    log_topic *t = log_topic_find(l, name);
    if (!t) {
        log_topic_config cfg = {.partitions = 1, .compact = true};
        t = log_topic_create(l, name, &cfg, e);
    }
    return t;
}

/* The processing log, unless the query reads it: the errors of such a
 * query are only counted, or one failing on every entry would feed
 * itself forever. */
static log_topic *proclog_topic(eventlog *l, const plan *p)
{
    if (!strcmp(p->in.topic, PROCLOG_TOPIC) || (p->join && !strcmp(p->join->right.topic, PROCLOG_TOPIC)))
        return NULL;
    log_topic *t = log_topic_find(l, PROCLOG_TOPIC);
    if (!t) { /* the engine creates it on open; a log without it gets it now */
        err e;
        log_topic_config cfg = {.partitions = 1};
        t = log_topic_create(l, PROCLOG_TOPIC, &cfg, &e);
    }
    return t;
}

query *runtime_query_start(eventlog *l, const char *id, const char *sql, plan *p, bool earliest,
                           err *e)
{
    log_topic *in = log_topic_find(l, p->in.topic);
    log_topic *out = log_topic_find(l, p->out.topic);
    log_topic *cl = p->agg && in && out ? changelog_topic(l, id, e) : NULL;
    if (!in || !out || (p->agg && !cl)) {
        if (!in || !out)
            err_set(e, ERR_UNKNOWN_TOPIC, "topic %s does not exist", !in ? p->in.topic : p->out.topic);
        plan_free(p);
        return NULL;
    }
    query *q = mem_alloc(sizeof *q);
    snprintf(q->id, sizeof q->id, "%s", id);
    q->sql = mem_strdup(sql);
    q->plan = p;
    q->in = in;
    q->sinks[SINK_OUTPUT].topic = out;
    serde_encoder_init(&q->out_key, &p->out.key_format, &p->out.schema, true);
    serde_encoder_init(&q->out_value, &p->out.value_format, &p->out.schema, false);
    if (cl) {
        q->sinks[SINK_CHANGELOG].topic = cl;
        q->store = kvstore_new();
    }
    q->sinks[SINK_PROCLOG].topic = proclog_topic(l, p);
    for (int s = 0; s < SINK_MAX; s++) {
        q->sinks[s].cap = RUNTIME_BATCH;
        q->sinks[s].pend = mem_alloc(sizeof(pending) * RUNTIME_BATCH);
        q->sinks[s].recs = mem_alloc(sizeof(log_record) * RUNTIME_BATCH);
    }
    q->ntasks = log_topic_partitions(in);
    q->tasks = mem_alloc(sizeof *q->tasks * (size_t)q->ntasks);
    bool fresh = false;
    for (int i = 0; i < q->ntasks; i++) {
        int64_t from = log_offset_fetch(l, id, p->in.topic, i);
        if (from < 0) {
            from = earliest ? log_start_offset(in, i) : log_end_offset(in, i);
            fresh = true;
        }
        q->tasks[i].partition = i;
        q->tasks[i].reader = log_reader_open(in, i, from);
        /* committed with the offsets, so a replayed batch drops exactly
         * the records the first run dropped as late */
        int64_t st = log_offset_fetch(l, id, STREAM_TIME, i);
        q->tasks[i].stream_time = st >= 0 ? st : INT64_MIN;
    }
    find_interrupted_batch(q, l);
    bool stream_stream = p->join && p->join->stream_stream;
    if (((p->agg || p->join) && p->in.is_table) || stream_stream)
        q->rows = kvstore_new();
    q->side_time[0] = q->side_time[1] = INT64_MIN;
    if (p->join && (p->join->table_table || stream_stream))
        open_right_tasks(q, l, earliest);
    else if (p->join && !(q->joined = open_joined_table(q, p->join, l, earliest, e))) {
        runtime_query_stop(q);
        return NULL;
    }
    if (stream_stream)
        open_join_sides(q, l);
    q->njoin_pre = join_prefilter_build(p, q->join_pre, (int)(sizeof q->join_pre / sizeof q->join_pre[0]));
    if (open_more_tables(q, l, earliest, e)) {
        runtime_query_stop(q);
        return NULL;
    }
    log_topic *rtopic = p->join ? log_topic_find(l, p->join->right.topic) : NULL;
    int rc = runtime_state_restore(q, l, e);
    if (rc == 0 && stream_stream)
        rc = runtime_join_replay(q, q->in, rtopic, e);
    else if (rc == 0)
        rc = (q->rows && !runtime_state_has_rows(q) && restore_rows(q->in, q->tasks, q->ntasks, q->rows, e)) ||
             (q->right_rows && restore_rows(rtopic, q->rtasks, q->nrtasks, q->right_rows, e));
    if (rc == 0 && p->join && p->join->foreign_key) {
        q->fk_index = kvstore_new();
        runtime_join_rebuild_fk_index(q);
    }
    if (rc) {
        runtime_query_stop(q);
        return NULL;
    }
    if (p->agg && p->agg->window.emit_final) {
        q->open = suppress_new();
        runtime_agg_reopen_windows(q);
    }
    if (p->agg && p->agg->window.kind == WINDOW_SESSION)
        q->sessions = agg_sessions_new(p, q->store);
    else if (p->agg && p->agg->window.kind != WINDOW_NONE) {
        q->windows = window_index_new();
        window_index_build(q->windows, q->store);
    }
    /* A new query commits where it starts, so that a restart before its
     * first batch resumes there (not at the end of what arrived since). */
    if (fresh && commit_start(q, l, e)) {
        runtime_query_stop(q);
        return NULL;
    }
    return q;
}

void runtime_query_stop(query *q)
{
    if (!q)
        return;
    for (int i = 0; i < q->ntasks; i++) {
        log_reader_close(q->tasks[i].reader);
        free(q->tasks[i].look);
    }
    free(q->tasks);
    for (int i = 0; i < q->nrtasks; i++) {
        log_reader_close(q->rtasks[i].reader);
        free(q->rtasks[i].look);
    }
    free(q->rtasks);
    free(q->sides);
    free(q->side_stop);
    kvstore_free(q->right_rows);
    kvstore_free(q->fk_index);
    for (int i = 0; i < q->nheld; i++) {
        free(q->held[i].key);
        free(q->held[i].val);
    }
    free(q->held);
    buf_free(&q->join_key);
    buf_free(&q->join_pack);
    free(q->side_types[0]);
    free(q->side_types[1]);
    buf_free(&q->side_queue[0].q);
    buf_free(&q->side_queue[1].q);
    for (int s = 0; s < SINK_MAX; s++) {
        free(q->sinks[s].skip);
        free(q->sinks[s].intent_end);
        runtime_cache_free(&q->sinks[s]);
        free(q->sinks[s].pend);
        free(q->sinks[s].recs);
        buf_free(&q->sinks[s].keys);
        buf_free(&q->sinks[s].values);
    }
    suppress_free(q->open);
    agg_sessions_free(q->sessions);
    agg_scratch_free(&q->agg_scratch);
    window_index_free(q->windows);
    kvstore_free(q->store);
    kvstore_free(q->rows);
    join_table_close(q->joined);
    for (int i = 0; q->more && i < q->plan->nmore; i++)
        join_table_close(q->more[i]);
    free(q->more);
    free(q->sql);
    serde_encoder_free(&q->out_key);
    serde_encoder_free(&q->out_value);
    plan_free(q->plan);
    free(q);
}

/* ---- a batch --------------------------------------------------------- */

static pending *sink_next(query_sink *k, int64_t ts)
{
    if (k->npend == k->cap) { /* kept for the next batches: no allocation once warm */
        k->cap *= 2;
        k->pend = mem_realloc(k->pend, sizeof(pending) * (size_t)k->cap);
        k->recs = mem_realloc(k->recs, sizeof(log_record) * (size_t)k->cap);
    }
    pending *pd = &k->pend[k->npend++];
    memset(pd, 0, sizeof *pd);
    pd->timestamp = ts;
    pd->key_off = k->keys.len;
    pd->value_off = k->values.len;
    return pd;
}

/* Encodes a result record into the output batch.  A windowed key is the
 * key followed by the window start (8 bytes, big-endian), as Kafka's
 * TimeWindowedSerializer writes it, or for a session by its end and then
 * its start, as SessionWindowedSerializer does; the partition follows the
 * key alone. */
/* Whether a result of several key columns has them all NULL and keeps
 * its input's key: as in ksqlDB, a record without a key passes through
 * without one (a PARTITION BY builds a key of NULLs instead).  A key
 * whose columns are all NULL is not told apart from no key. */
static bool all_keys_null(const plan *p, const value *out)
{
    if (p->partitioned)
        return false;
    int keys = 0;
    for (int i = 0; i < p->out.schema.n; i++)
        if (p->out.schema.cols[i].key && (keys++, !out[i].null))
            return false;
    return keys > 1;
}

/* The bytes a windowed result's key has after its key columns: the
 * window start, and for a session its end before that. */
static size_t window_suffix(const plan *p)
{
    int window_kind = p->agg ? (int)p->agg->window.kind : p->in.window_kind;
    return window_kind == WINDOW_SESSION ? 16 : 8;
}

/* Copies the key columns' bytes of the pending output record `from` (a
 * windowed result with a key) as the key of pd, the record being
 * encoded: the results of a record's windows share them. */
static void copy_key_columns(const plan *p, query_sink *k, int from, pending *pd)
{
    const pending *src = &k->pend[from];
    size_t inner = (size_t)src->key_len - window_suffix(p);
    buf_reserve(&k->keys, inner); /* before taking the source's address: it may move */
    memcpy(k->keys.data + k->keys.len, k->keys.data + src->key_off, inner);
    k->keys.len += inner;
    pd->partition = src->partition;
}

/* same_key: the index of a pending output record, an earlier windowed
 * result of the same record with the same key columns, whose key bytes
 * (but the window) and partition this one shares; -1 for none. */
int runtime__encode_output(query *q, const value *out, bool tombstone, const int64_t *wstart, int64_t wend,
                           int64_t ts, int same_key, err *e)
{
    const plan *p = q->plan;
    if (q->replaying) /* rebuilding state: written when first met */
        return 0;
    query_sink *k = &q->sinks[SINK_OUTPUT];
    size_t keys_len = k->keys.len, values_len = k->values.len;
    pending *pd = sink_next(k, ts);
    bool null_key = same_key < 0 && all_keys_null(p, out), null_value;
    bool failed = false;
    if (same_key >= 0 && wstart)
        copy_key_columns(p, k, same_key, pd);
    else if (!null_key)
        failed = serde_encoder_run(&q->out_key, out, &k->keys, &null_key, e) != 0;
    if (!failed && !tombstone)
        failed = serde_encoder_run(&q->out_value, out, &k->values, &null_value, e) != 0;
    if (failed) {
        k->npend--; /* forget the half-encoded record */
        k->keys.len = keys_len;
        k->values.len = values_len;
        q->serialize_failed = true; /* for runtime__note_error */
        return -1;
    }
    size_t inner = k->keys.len - pd->key_off;
    if (!null_key && wstart && window_suffix(p) == 16)
        buf_put_be64(&k->keys, wend);
    if (!null_key && wstart)
        buf_put_be64(&k->keys, *wstart);
    pd->key_len = null_key ? -1 : (int32_t)(k->keys.len - pd->key_off);
    pd->value_len = tombstone ? -1 : (int32_t)(k->values.len - pd->value_off);
    if (same_key >= 0 && wstart)
        return 0; /* its partition is the other record's */
    if (pd->key_len >= 0)
        pd->partition = log_partition_for_key(k->topic, k->keys.data + pd->key_off, inner);
    else
        pd->partition = q->next_partition++ % log_topic_partitions(k->topic);
    return 0;
}

/* A change of the store (hash: kvstore_hash of the key), into the
 * changelog batch.  A deletion is
 * stamped with the wall-clock time, not event time: compaction drops a
 * tombstone once its timestamp is delete.retention.ms old, and a
 * checkpoint can only be continued from while no tombstone written after
 * it can have been dropped (runtime_state.c). */
void runtime__log_change(query *q, const buf *key, uint64_t hash, const buf *val, int64_t ts)
{
    query_sink *k = &q->sinks[SINK_CHANGELOG];
    if (!val)
        ts = runtime_state_wall_ms();
    pending *pd = sink_next(k, ts);
    buf_append(&k->keys, key->data, key->len);
    if (val)
        buf_append(&k->values, val->data, val->len);
    pd->key_len = (int32_t)key->len;
    pd->value_len = val ? (int32_t)val->len : -1; /* NULL: the entry was deleted */
    runtime_cache_add(k, hash);
}

/* Test-only fault counter (STYLE.md): with EDDY_FAULT_KILL_BEFORE_COMMIT=N
 * in the environment, the process kills itself (SIGKILL, as kill -9)
 * after appending the outputs of its Nth batch, before committing it.
 * -1: not read yet. */
static int fault_commit_countdown = -1;

static void fault_before_commit(void)
{
    if (fault_commit_countdown < 0) {
        const char *s = getenv("EDDY_FAULT_KILL_BEFORE_COMMIT");
        fault_commit_countdown = s ? atoi(s) : 0;
    }
    if (fault_commit_countdown > 0 && --fault_commit_countdown == 0)
        raise(SIGKILL);
}

/* Drops records of a replayed batch that a sink already holds. */
static void drop_already_written(query_sink *k)
{
    int n = 0;
    for (int i = 0; i < k->npend; i++) {
        if (k->skip[k->pend[i].partition] > 0) {
            k->skip[k->pend[i].partition]--;
            continue;
        }
        k->pend[n++] = k->pend[i];
    }
    k->npend = n;
}

/* Whether the batch wrote to the processing log (always its partition 0). */
static bool batch_logged(const query *q) { return q->sinks[SINK_PROCLOG].topic && q->sinks[SINK_PROCLOG].npend; }

/* How many partitions of sink s the intent records.  The processing log
 * is recorded only by a batch that logs something, and its commit clears
 * the entry again (commit_batch): a batch without errors costs nothing
 * more, and a crash never finds a stale end there. */
static int intent_parts(const query *q, int s)
{
    if (s == SINK_PROCLOG)
        return batch_logged(q) ? 1 : 0;
    return q->sinks[s].topic ? log_topic_partitions(q->sinks[s].topic) : 0;
}

/* Records the intent to append a batch of task `task`: every sink's end
 * offsets now, so a crash before the commit can be undone on restart
 * (and for a stream-stream join's batch, what it read: side_stop,
 * side_count).  Running an interrupted batch again (`again`), the ends
 * stay those before it: the sinks already hold part of it, and a second
 * crash must undo that part too. */
static int write_intent(query *q, eventlog *l, int task, bool again, err *e)
{
    int n = 1, joined = task == JOIN_TASK ? q->nsides + 1 : 0;
    for (int s = 0; s < SINK_MAX; s++)
        n += intent_parts(q, s);
    log_offset_entry *en = mem_alloc(sizeof *en * (size_t)(n + joined));
    char keys[SINK_MAX][32];
    en[0] = (log_offset_entry){INTENT_TASK, 0, task};
    n = 1;
    for (int s = 0; s < SINK_MAX; s++) {
        intent_end_key(s, keys[s], sizeof keys[s]);
        for (int p = 0; p < intent_parts(q, s); p++)
            en[n++] = (log_offset_entry){keys[s], p,
                                         again ? q->sinks[s].intent_end[p] : log_end_offset(q->sinks[s].topic, p)};
    }
    for (int i = 0; joined && i < q->nsides; i++)
        en[n++] = (log_offset_entry){INTENT_JOIN_STOP, i, q->side_stop[i]};
    if (joined)
        en[n++] = (log_offset_entry){INTENT_JOIN_COUNT, 0, q->side_count};
    int rc = log_offset_commit_many(l, q->id, en, n, e);
    free(en);
    return rc;
}

/* Commits the input offset (and stream time) and clears the intent,
 * atomically. */
/* A task's id in the intent: its partition, or for the right table of a
 * table-table join, RIGHT_TASK + its partition. */
#define RIGHT_TASK 1000000

static int task_id(const query_task *t) { return t->right ? RIGHT_TASK + t->partition : t->partition; }

/* Task t's records read ahead: refilled from its reader once all are
 * taken; the records stay valid until then (the reader's buffer is only
 * reused by its next read).  Returns how many are left, or -1. */
int runtime__look_fill(query_task *t, err *e)
{
    if (t->ilook < t->nlook)
        return t->nlook - t->ilook;
    if (!t->look)
        t->look = mem_alloc(sizeof(log_record) * RUNTIME_BATCH);
    int n = log_read(t->reader, t->look, RUNTIME_BATCH, e);
    t->nlook = n > 0 ? n : 0;
    t->ilook = 0;
    return n;
}

int64_t runtime_task_position(const query_task *t)
{
    return t->ilook < t->nlook ? t->look[t->ilook].offset : log_reader_position(t->reader);
}

static const char *task_topic(const query *q, const query_task *t)
{
    return t->right ? q->plan->join->right.topic : q->plan->in.topic;
}

/* Commits where task t resumes (its stream time too), or with t NULL
 * where every task of a stream-stream join resumes (their stream time is
 * the join's, the later of both sides'), and clears the intent,
 * atomically. */
static int commit_batch(query *q, eventlog *l, query_task *t, bool had_intent, err *e)
{
    int ntasks = t ? 1 : q->nsides;
    log_offset_entry *en = mem_alloc(sizeof *en * (size_t)(2 * ntasks + 2));
    int n = 0;
    int64_t joined_time = INT64_MIN;
    for (int i = 0; i < ntasks; i++) {
        const query_task *c = t ? t : q->sides[i];
        en[n++] = (log_offset_entry){task_topic(q, c), c->partition, runtime_task_position(c)};
        if (c->stream_time > joined_time)
            joined_time = c->stream_time;
    }
    char logged[32];
    if (had_intent)
        en[n++] = (log_offset_entry){INTENT_TASK, 0, -1};
    if (had_intent && batch_logged(q)) { /* see intent_parts */
        intent_end_key(SINK_PROCLOG, logged, sizeof logged);
        en[n++] = (log_offset_entry){logged, 0, -1};
    }
    if (t && t->stream_time != INT64_MIN)
        en[n++] = (log_offset_entry){STREAM_TIME, t->partition, t->stream_time};
    for (int i = 0; !t && joined_time != INT64_MIN && i < q->ntasks; i++)
        en[n++] = (log_offset_entry){STREAM_TIME, q->tasks[i].partition, joined_time};
    int rc = log_offset_commit_many(l, q->id, en, n, e);
    free(en);
    return rc;
}

/* Appends a sink's batch: one log_append per partition. */
static int flush_sink(query_sink *k, err *e)
{
    log_record *recs = k->recs;
    int parts = log_topic_partitions(k->topic);
    for (int part = 0; part < parts && k->npend; part++) {
        int n = 0;
        for (int i = 0; i < k->npend; i++) {
            const pending *pd = &k->pend[i];
            if (pd->partition != part)
                continue;
            recs[n++] = (log_record){
                .timestamp = pd->timestamp,
                .key = pd->key_len >= 0 ? (const uint8_t *)k->keys.data + pd->key_off : NULL,
                .key_len = pd->key_len,
                .value = pd->value_len >= 0 ? (const uint8_t *)k->values.data + pd->value_off : NULL,
                .value_len = pd->value_len,
            };
        }
        if (n && log_append(k->topic, part, recs, n, e))
            return -1;
    }
    return 0;
}

/* A record that could not be decoded, evaluated or encoded: counted, and
 * logged to the processing log in the same batch as the outputs (so a
 * replayed batch logs it once, as it outputs once). */
void runtime__note_error(query *q, const query_task *t, const log_record *rec, eval_ctx *cx)
{
    if (q->replaying) /* counted and logged when first met */
        return;
    const err *re = cx->e;
    const char *topic = t->right ? q->plan->join->right.topic : q->plan->in.topic;
    q->errors++;
    snprintf(q->last_error, sizeof q->last_error, "topic %s partition %d offset %lld: %s", topic, t->partition,
             (long long)rec->offset, re->msg);
    proclog_entry en = {.query_id = q->id, .kind = PROCLOG_RECORD_PROCESSING, .topic = topic,
                        .partition = t->partition, .offset = rec->offset, .bytes = rec->value,
                        .len = rec->value_len, .message = re->msg, .hint = re->hint};
    if (q->serialize_failed)
        en.kind = PROCLOG_SERIALIZATION;
    else if (cx->bad_part) {
        en.kind = PROCLOG_DESERIALIZATION;
        en.key = cx->bad_part == EVAL_BAD_KEY;
        if (en.key)
            en.bytes = rec->key, en.len = rec->key_len;
    }
    q->serialize_failed = false;
    cx->bad_part = 0;
    query_sink *k = &q->sinks[SINK_PROCLOG];
    if (!k->topic)
        return;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    en.time = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    pending *pd = sink_next(k, en.time);
    pd->partition = 0; /* no key: all in the first partition (see intent_parts) */
    proclog_encode(&en, &k->values);
    pd->key_len = -1;
    pd->value_len = (int32_t)(k->values.len - pd->value_off);
}

/* A record whose result was sent with NULL in a SELECT column that
 * failed: logged, naming the column. */
void runtime__note_column_error(query *q, const query_task *t, const log_record *rec, eval_ctx *cx)
{
    plan_name_failed_column(q->plan, cx);
    runtime__note_error(q, t, rec, cx);
}

/* One record through the plan (and the aggregation); its output and
 * state changes go into the sinks' batches. */
static void process_record(query *q, query_task *t, const log_record *rec, value *row, value *out, eval_ctx *cx)
{
    const plan *p = q->plan;
    cx->memo = &t->memo; /* the member order of this partition's records */
    if (p->join && p->join->stream_stream) {
        runtime_join_stream_record(q, t, rec, row, out, cx);
        return;
    }
    if (p->join && p->join->foreign_key) {
        (t->right ? runtime_join_fk_right : runtime_join_fk_left)(q, t, rec, row, out, cx);
        return;
    }
    if (p->join && p->join->table_table) {
        runtime_join_table_update(q, t, rec, row, out, cx);
        return;
    }
    if (p->agg) {
        runtime_agg_record(q, t, rec, row, out, cx);
        return;
    }
    err_clear(cx->e);
    plan_result r = plan_apply(p, rec, t->partition, row, out, cx);
    if (r == PLAN_EMIT && p->join)
        r = join_prefilter_rejects(q->join_pre, q->njoin_pre, row, cx)
                ? PLAN_SKIP
                : join_apply(p, q->joined, q->more, row, out, cx);
    /* table functions: more rows from the same record, its key and time */
    int rows = r == PLAN_EMIT && p->flatmap ? plan_flatmap_rows(p, row) : 1;
    for (int k = 0; k < rows; k++) {
        if (k > 0) {
            err_clear(cx->e);
            r = plan_flatmap_row(p, row, k, out, cx);
        }
        int64_t ts = 0;
        bool emit = r == PLAN_EMIT || r == PLAN_TOMBSTONE;
        /* a windowed source's records keep their windows, unless re-keyed */
        const value *ws = &row[p->rowoffset + 1], *we = &row[p->rowoffset + 2];
        bool windowed = p->in.window_kind && !p->partitioned && !ws->null;
        if (emit && plan_result_timestamp(p, row, out, &ts, cx->e) == 0 &&
            runtime__encode_output(q, out, r == PLAN_TOMBSTONE, windowed ? &ws->u.l : NULL,
                                   windowed ? we->u.l : 0, ts, -1, cx->e) == 0) {
            q->emitted++;
            if (cx->column_errors) /* sent, with NULL for what failed */
                runtime__note_column_error(q, t, rec, cx);
        } else if (emit || r == PLAN_ERROR)
            runtime__note_error(q, t, rec, cx);
    }
}

static void batch_start(query *q, arena *scratch, value **row, value **out);
static void batch_rows(const query *q, arena *scratch, value **row, value **out);
static int batch_end(query *q, eventlog *l, query_task *t, int id, err *e);

/* Whether a query's batch may be longer than RUNTIME_BATCH: a record
 * through it leaves nothing behind but its outputs (no aggregation, join,
 * state store or read-ahead), so the batch can go on in chunks, with the
 * scratch arena reset between them. */
static bool batch_may_grow(const query *q, const query_task *t)
{
    return !q->plan->agg && !q->plan->join && !q->sinks[SINK_CHANGELOG].topic && !t->look;
}

/* Runs a batch of up to `max` records of task t.  Most batches read one
 * chunk of up to RUNTIME_BATCH records.  A stateless query's batch
 * (batch_may_grow) whose input is backlogged -- the records after its
 * first chunk fill the rest of the batch -- reads on, so that one intent,
 * one append per sink and one commit serve up to `max` records; an input
 * that merely comes in bursts keeps the short batches and their latency.
 * A batch run again after a crash reads on as well: it must read at
 * least the records it read the first time.  A longer batch ends at
 * `max` or at the first read that finds nothing (it never waits), not at
 * a short chunk: log_read stops short where its buffer needs a refill,
 * at places that differ between the first run and the run again. */
static long step_task(query *q, query_task *t, eventlog *l, arena *scratch, int max, err *e)
{
    log_record in[RUNTIME_BATCH];
    int chunk = max < RUNTIME_BATCH ? max : RUNTIME_BATCH;
    int n = 0;
    if (t->look) { /* read ahead (a stream-stream join's task): take from there */
        if (runtime__look_fill(t, e) < 0)
            return -1;
        while (t->ilook < t->nlook && n < chunk)
            in[n++] = t->look[t->ilook++];
        if (n == 0)
            return 0;
    } else if ((n = log_read(t->reader, in, chunk, e)) <= 0)
        return n;
    bool grow = batch_may_grow(q, t) &&
                (q->recover_task == task_id(t) ||
                 log_end_offset(q->in, t->partition) - log_reader_position(t->reader) >= max - n);
    if (!grow)
        max = n;
    value *row, *out;
    batch_start(q, scratch, &row, &out);
    err re;
    eval_ctx cx = {.a = scratch, .e = &re};
    long total = 0;
    for (;;) {
        for (int i = 0; i < n; i++)
            process_record(q, t, &in[i], row, out, &cx);
        total += n;
        if (total >= max)
            break;
        /* an error ends the batch here; the next step meets it again */
        if ((n = log_read(t->reader, in, (int)(max - total < chunk ? max - total : chunk), e)) <= 0)
            break;
        arena_reset(scratch);
        batch_rows(q, scratch, &row, &out);
    }
    q->processed += (uint64_t)total;
    return batch_end(q, l, t, task_id(t), e) ? -1 : total;
}

/* A row and an output row for a batch's records, in `scratch`. */
static void batch_rows(const query *q, arena *scratch, value **row, value **out)
{
    const plan *p = q->plan;
    *row = arena_alloc(scratch, sizeof(value) * (size_t)p->nrow);
    *out = arena_alloc(scratch, sizeof(value) * (size_t)(p->out.schema.n ? p->out.schema.n : 1));
}

/* The start of a batch: the sinks' batches empty, its rows (batch_rows). */
static void batch_start(query *q, arena *scratch, value **row, value **out)
{
    batch_rows(q, scratch, row, out);
    for (int s = 0; s < SINK_MAX; s++) {
        buf_reset(&q->sinks[s].keys);
        buf_reset(&q->sinks[s].values);
        q->sinks[s].npend = 0;
    }
    runtime_cache_reset(&q->sinks[SINK_CHANGELOG]);
}

/* The end of a batch of task t (or with t NULL, of a stream-stream
 * join's tasks), `id` in the intent: its outputs appended under an intent
 * (when there are any, or it runs again after a crash), then the commit. */
static int batch_end(query *q, eventlog *l, query_task *t, int id, err *e)
{
    bool recovering = q->recover_task == id;
    bool intent = recovering;
    for (int s = 0; s < SINK_MAX; s++) {
        /* the changelog is written whole again: runtime_cache.h */
        if (recovering && q->sinks[s].topic && s != SINK_CHANGELOG)
            drop_already_written(&q->sinks[s]);
        intent |= q->sinks[s].npend > 0;
    }
    if (recovering)
        q->recover_task = -1;
    if (intent && write_intent(q, l, id, recovering, e))
        return -1;
    for (int s = 0; s < SINK_MAX; s++)
        if (q->sinks[s].topic && flush_sink(&q->sinks[s], e))
            return -1;
    fault_before_commit();
    return commit_batch(q, l, t, intent, e);
}

/* A batch of a stream-stream join: up to `max` records of both streams
 * in the join's order (join_order), under one intent and one commit, so
 * that streams whose records alternate in time (q8's persons and
 * auctions) do not pay a commit for every few records.  It reads no
 * record appended after it began (side_stop: each task's end then), so
 * that its order depends only on what it read; after a crash it runs
 * again with the same stops and count (`again`), reading the same
 * records in the same order. */
static long step_join_batch(query *q, eventlog *l, arena *scratch, int max, bool again, err *e)
{
    for (int i = 0; !again && i < q->nsides; i++) {
        log_topic *topic = i < q->ntasks ? q->in : log_topic_find(l, task_topic(q, q->sides[i]));
        q->side_stop[i] = topic ? log_end_offset(topic, q->sides[i]->partition) : 0; /* dropped: no more */
    }
    arena_reset(scratch);
    value *row, *out;
    batch_start(q, scratch, &row, &out);
    err re;
    eval_ctx cx = {.a = scratch, .e = &re};
    join_order o = {q->sides, q->nsides, q->side_stop, -1, 0};
    long n = 0;
    int rc = 0;
    query_task *t;
    const log_record *r;
    while (n < max && (rc = runtime_join_next(&o, &t, &r, e)) > 0) {
        if (n) { /* nothing of a record outlives it in the arena: a
                  * batch's would outgrow its first chunk, and the chunks
                  * past it are allocated and freed anew every batch */
            arena_reset(scratch);
            batch_rows(q, scratch, &row, &out);
        }
        process_record(q, t, r, row, out, &cx);
        n++;
    }
    if (rc < 0)
        return -1;
    if (n == 0)
        return 0;
    q->processed += (uint64_t)n;
    q->side_count = n;
    return batch_end(q, l, NULL, JOIN_TASK, e) ? -1 : n;
}

/* A stream-stream join reads both streams in timestamp order, in batches
 * of up to `max` records (step_join_batch), one per task at most. */
static long step_stream_join(query *q, eventlog *l, arena *scratch, int max, err *e)
{
    long total = 0;
    if (max > RUNTIME_BATCH)
        max = RUNTIME_BATCH;
    if (q->more) { /* tables joined after the streams' join */
        int n = follow_joined_tables(q, l, e);
        if (n < 0)
            return -1;
        total += n;
    }
    for (int i = 0; i < q->nsides; i++) {
        long n = step_join_batch(q, l, scratch, max, false, e);
        if (n <= 0)
            return n < 0 ? -1 : total;
        total += n;
    }
    return total;
}

static long step_tasks(query *q, eventlog *l, arena *scratch, int max, err *e);

/* The batch a crash interrupted runs again before any other task's: the
 * intent of another task would take the place of its intent, and a crash
 * then would leave its part-written outputs and store changes as if
 * committed.  It reads at least the records it read the first time. */
static long step_recovery(query *q, eventlog *l, arena *scratch, int max, err *e)
{
    query_task *t = NULL;
    for (int i = 0; i < q->ntasks + q->nrtasks && !t; i++) {
        query_task *c = i < q->ntasks ? &q->tasks[i] : &q->rtasks[i - q->ntasks];
        if (task_id(c) == q->recover_task)
            t = c;
    }
    arena_reset(scratch);
    long n = t ? step_task(q, t, l, scratch, max, e) : 0;
    if (q->recover_task == JOIN_TASK && q->sides) /* the same records as the first time */
        n = step_join_batch(q, l, scratch, (int)q->side_count, true, e);
    if (n == 0) /* no such task or records any more: nothing to run again */
        q->recover_task = -1;
    return n;
}

long runtime_query_step(query *q, eventlog *l, arena *scratch, int max, err *e)
{
    long n = q->recover_task >= 0 ? step_recovery(q, l, scratch, max, e) : step_tasks(q, l, scratch, max, e);
    if (n < 0) /* a batch may be in the stores but not in the logs */
        q->state_broken = true;
    err ce;
    if (n >= 0 && !q->state_broken && runtime_state_checkpoint(q, l, &ce))
        snprintf(q->state_note, sizeof q->state_note, "%s", ce.msg); /* the old checkpoint stays: harmless */
    return n;
}

static long step_tasks(query *q, eventlog *l, arena *scratch, int max, err *e)
{
    if (q->plan->join && q->plan->join->stream_stream)
        return step_stream_join(q, l, scratch, max, e);
    long total = 0;
    if (q->joined || q->more) {
        int n = follow_joined_tables(q, l, e);
        if (n < 0)
            return -1;
        total += n;
    }
    for (int i = 0; i < q->nrtasks; i++) { /* right table first: its updates */
        arena_reset(scratch);
        long n = step_task(q, &q->rtasks[i], l, scratch, max, e);
        if (n < 0)
            return -1;
        total += n;
    }
    for (int i = 0; i < q->ntasks; i++) {
        arena_reset(scratch);
        long n = step_task(q, &q->tasks[i], l, scratch, max, e);
        if (n < 0)
            return -1;
        total += n;
    }
    return total;
}
