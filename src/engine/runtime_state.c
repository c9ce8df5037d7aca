/* runtime_state.c — see runtime_state.h. */
#include "runtime_state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/mem.h"
#include "../storage/crc32c.h"
#include "../storage/store_checkpoint.h"

#define REPLAY_BATCH 256
#define CKPT_VERSION 2u

#define CKPT_EVERY 10000
#define CKPT_INTERVAL_MS 10000

/* Changes between checkpoints, at least: CKPT_EVERY, or for tests the
 * environment's EDDY_CHECKPOINT_EVERY (read once per query start), which
 * also lifts the CKPT_INTERVAL_MS between them (*interval set to 0). */
static uint64_t checkpoint_every(int64_t *interval)
{
    const char *s = getenv("EDDY_CHECKPOINT_EVERY");
    long n = s ? atol(s) : 0;
    *interval = n > 0 ? 0 : CKPT_INTERVAL_MS;
    return n > 0 ? (uint64_t)n : CKPT_EVERY;
}

static void checkpoint_path(const eventlog *l, const char *id, char *out, size_t n)
{
    snprintf(out, n, "%s/state/%s.ckpt", log_dir(l), id);
}

/* Ties a checkpoint to the query that wrote it: the format version and
 * the statement's text (the same text gives the same plan and stores). */
static uint64_t checkpoint_tag(const query *q)
{
    return (uint64_t)CKPT_VERSION << 32 | crc32c(q->sql, strlen(q->sql));
}

bool runtime_state_has_rows(const query *q) { return q->rows && q->plan->agg && !q->plan->join; }

int64_t runtime_state_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Marks of a checkpoint: the changelog offset, the wall-clock time it was
 * written at, then one input offset per task (when the rows are kept). */
enum { MARK_CHANGELOG, MARK_WRITTEN, MARK_INPUTS };

/* Applies records [from, stop) of one partition to a store: a value puts,
 * a tombstone deletes.  Adds the records read to *n. */
static int replay(log_topic *t, int partition, int64_t from, int64_t stop, kvstore *s, uint64_t *n, err *e)
{
    log_reader *r = log_reader_open(t, partition, from);
    log_record recs[REPLAY_BATCH];
    int got = 0;
    bool done = false;
    while (!done && (got = log_read(r, recs, REPLAY_BATCH, e)) > 0)
        for (int i = 0; i < got && !(done = recs[i].offset >= stop); i++) {
            ++*n;
            if (recs[i].key_len < 0)
                continue;
            if (recs[i].value_len < 0)
                kvstore_delete(s, recs[i].key, (size_t)recs[i].key_len);
            else
                kvstore_put(s, recs[i].key, (size_t)recs[i].key_len, recs[i].value, (size_t)recs[i].value_len);
        }
    log_reader_close(r);
    return got < 0 ? -1 : 0;
}

/* Where the changelog replay stops: its end, less what an interrupted
 * batch wrote (that batch is run again and writes it again). */
static int64_t changelog_stop(const query *q)
{
    const query_sink *cl = &q->sinks[SINK_CHANGELOG];
    return log_end_offset(cl->topic, 0) - cl->skip[0];
}

/* The stores in a checkpoint, in file order: the GROUP BY store, then
 * the table's rows when kept. */
static int state_stores(query *q, kvstore **out)
{
    int n = 0;
    if (q->store)
        out[n++] = q->store;
    if (runtime_state_has_rows(q))
        out[n++] = q->rows;
    return n;
}

static int marks_count(const query *q) { return MARK_INPUTS + (runtime_state_has_rows(q) ? q->ntasks : 0); }

/* Whether a loaded checkpoint's marks can be continued from: every mark
 * at or before what is committed, and every tombstone after it still
 * there (see runtime_state.h). */
static bool marks_usable(query *q, const int64_t *marks, int nmarks)
{
    if (nmarks != marks_count(q))
        return false;
    if (q->store) {
        log_topic *cl = q->sinks[SINK_CHANGELOG].topic;
        int64_t age = runtime_state_wall_ms() - marks[MARK_WRITTEN];
        if (marks[MARK_CHANGELOG] > changelog_stop(q) || marks[MARK_CHANGELOG] < log_start_offset(cl, 0) || age < 0 ||
            age >= log_topic_config_get(cl)->delete_retention_ms / 2)
            return false;
    }
    for (int i = 0; runtime_state_has_rows(q) && i < q->ntasks; i++) {
        int64_t m = marks[MARK_INPUTS + i];
        if (m > runtime_task_position(&q->tasks[i]) || m < log_intact_offset(q->in, q->tasks[i].partition))
            return false;
    }
    return true;
}

/* Loads the checkpoint into the stores when it is there and usable;
 * otherwise leaves them empty and the marks at 0 (replay everything). */
static void load_checkpoint(query *q, eventlog *l, int64_t *marks, int nmarks)
{
    char path[512];
    checkpoint_path(l, q->id, path, sizeof path);
    kvstore *stores[2];
    int ns = state_stores(q, stores), got = 0;
    err e;
    err_clear(&e);
    int rc = store_checkpoint_read(path, checkpoint_tag(q), marks, nmarks, &got, stores, ns, &e);
    if (rc == 1 && marks_usable(q, marks, got)) {
        q->state_from_checkpoint = true;
        for (int s = 0; s < ns; s++)
            q->state_checkpoint_entries += kvstore_count(stores[s]);
        return;
    }
    if (rc != 0) /* a damaged or stale checkpoint: start over from the logs */
        snprintf(q->state_note, sizeof q->state_note, "checkpoint not used: %s",
                 rc < 0 ? e.msg : "it does not match the committed offsets or the changelog");
    for (int s = 0; s < ns; s++) { /* may hold part of the file */
        kvstore_free(stores[s]);
        stores[s] = kvstore_new();
    }
    if (q->store)
        q->store = stores[0];
    if (runtime_state_has_rows(q))
        q->rows = stores[ns - 1];
    memset(marks, 0, sizeof(int64_t) * (size_t)nmarks);
}

int runtime_state_restore(query *q, eventlog *l, err *e)
{
    int nmarks = marks_count(q);
    int64_t *marks = mem_alloc(sizeof(int64_t) * (size_t)nmarks);
    load_checkpoint(q, l, marks, nmarks);
    int rc = 0;
    if (q->store)
        rc = replay(q->sinks[SINK_CHANGELOG].topic, 0, marks[MARK_CHANGELOG], changelog_stop(q), q->store,
                    &q->state_replayed, e);
    for (int i = 0; rc == 0 && runtime_state_has_rows(q) && i < q->ntasks; i++)
        rc = replay(q->in, q->tasks[i].partition, marks[MARK_INPUTS + i], runtime_task_position(&q->tasks[i]),
                    q->rows, &q->state_replayed, e);
    free(marks);
    /* what the next checkpoint's distance is measured from */
    q->state_mark = q->store ? changelog_stop(q) : 0;
    q->state_mark += q->processed;
    q->state_every = checkpoint_every(&q->state_interval);
    q->state_last_ms = runtime_state_wall_ms();
    return rc;
}

/* Changes since the last checkpoint (or the start): changelog records
 * written and input records read. */
static uint64_t changes_since(const query *q)
{
    uint64_t now = q->processed;
    if (q->store)
        now += (uint64_t)log_end_offset(q->sinks[SINK_CHANGELOG].topic, 0);
    return now - q->state_mark;
}

int runtime_state_checkpoint(query *q, eventlog *l, err *e)
{
    kvstore *stores[2];
    int ns = state_stores(q, stores);
    if (ns == 0 || q->recover_task >= 0)
        return 0; /* nothing kept, or a batch still to be run again */
    size_t entries = 0;
    for (int s = 0; s < ns; s++)
        entries += kvstore_count(stores[s]);
    uint64_t changes = changes_since(q);
    if (changes < q->state_every || changes < entries / 2 ||
        runtime_state_wall_ms() - q->state_last_ms < q->state_interval)
        return 0;
    int nmarks = marks_count(q);
    int64_t *marks = mem_alloc(sizeof(int64_t) * (size_t)nmarks);
    /* every task has committed: the stores are exactly the changelog up
     * to its end and the input up to each reader's position */
    marks[MARK_CHANGELOG] = q->store ? log_end_offset(q->sinks[SINK_CHANGELOG].topic, 0) : 0;
    marks[MARK_WRITTEN] = runtime_state_wall_ms();
    for (int i = 0; runtime_state_has_rows(q) && i < q->ntasks; i++)
        marks[MARK_INPUTS + i] = runtime_task_position(&q->tasks[i]);
    char path[512];
    checkpoint_path(l, q->id, path, sizeof path);
    int rc = store_checkpoint_write(path, checkpoint_tag(q), marks, nmarks, stores, ns, e);
    free(marks);
    /* measured from now even after a failure: retried after as many
     * changes again, not at every step */
    q->state_mark += changes;
    q->state_last_ms = runtime_state_wall_ms();
    if (rc == 0)
        q->state_checkpoints++;
    return rc;
}

void runtime_state_forget(eventlog *l, const char *id)
{
    char path[512];
    checkpoint_path(l, id, path, sizeof path);
    store_checkpoint_remove(path);
}
