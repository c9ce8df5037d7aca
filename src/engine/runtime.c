/* runtime.c — see runtime.h. */
#include "runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"

#define RUNTIME_BATCH 256

/* Keys in the query's consumer group besides its input offsets; no
 * topic name can start with \x01. */
#define INTENT_TASK "\x01intent"
#define INTENT_END "\x01intent-end"

/* A pending intent means the last batch of task `recover_task` may have
 * reached the sink without its commit: count what it left there. */
static void find_interrupted_batch(query *q, eventlog *l)
{
    int parts = log_topic_partitions(q->out);
    q->skip = mem_alloc(sizeof(int64_t) * (size_t)parts);
    q->recover_task = (int)log_offset_fetch(l, q->id, INTENT_TASK, 0);
    if (q->recover_task < 0)
        return;
    for (int p = 0; p < parts; p++) {
        int64_t before = log_offset_fetch(l, q->id, INTENT_END, p);
        int64_t grown = before >= 0 ? log_end_offset(q->out, p) - before : 0;
        q->skip[p] = grown > 0 ? grown : 0;
    }
}

query *runtime_query_start(eventlog *l, const char *id, const char *sql, plan *p, bool earliest,
                           err *e)
{
    log_topic *in = log_topic_find(l, p->in.topic);
    log_topic *out = log_topic_find(l, p->out.topic);
    if (!in || !out) {
        err_set(e, ERR_UNKNOWN_TOPIC, "topic %s does not exist", !in ? p->in.topic : p->out.topic);
        plan_free(p);
        return NULL;
    }
    query *q = mem_alloc(sizeof *q);
    snprintf(q->id, sizeof q->id, "%s", id);
    q->sql = mem_strdup(sql);
    q->plan = p;
    q->in = in;
    q->out = out;
    q->ntasks = log_topic_partitions(in);
    q->tasks = mem_alloc(sizeof *q->tasks * (size_t)q->ntasks);
    for (int i = 0; i < q->ntasks; i++) {
        int64_t from = log_offset_fetch(l, id, p->in.topic, i);
        if (from < 0)
            from = earliest ? log_start_offset(in, i) : log_end_offset(in, i);
        q->tasks[i].partition = i;
        q->tasks[i].reader = log_reader_open(in, i, from);
    }
    find_interrupted_batch(q, l);
    return q;
}

void runtime_query_stop(query *q)
{
    if (!q)
        return;
    for (int i = 0; i < q->ntasks; i++)
        log_reader_close(q->tasks[i].reader);
    free(q->tasks);
    free(q->skip);
    free(q->sql);
    plan_free(q->plan);
    buf_free(&q->keys);
    buf_free(&q->values);
    free(q);
}

/* One encoded output record, as offsets into q->keys / q->values (the
 * buffers may move while the batch grows). */
typedef struct pending {
    int partition;
    size_t key_off, value_off;
    int32_t key_len, value_len;
    int64_t timestamp;
} pending;

static int encode_output(query *q, const value *out, bool tombstone, int64_t ts, pending *pd, err *e)
{
    const plan *p = q->plan;
    bool null_key;
    pd->key_off = q->keys.len;
    if (serde_encode_key(&p->out.key_format, &p->out.schema, out, &q->keys, &null_key, e))
        return -1;
    pd->key_len = null_key ? -1 : (int32_t)(q->keys.len - pd->key_off);
    pd->value_off = q->values.len;
    if (!tombstone && serde_encode_value(&p->out.value_format, &p->out.schema, out, &q->values, e))
        return -1;
    pd->value_len = tombstone ? -1 : (int32_t)(q->values.len - pd->value_off);
    pd->timestamp = ts;
    if (pd->key_len >= 0)
        pd->partition = log_partition_for_key(q->out, q->keys.data + pd->key_off, (size_t)pd->key_len);
    else
        pd->partition = q->next_partition++ % log_topic_partitions(q->out);
    return 0;
}

/* Drops outputs of a reprocessed batch that the sink already holds. */
static int drop_already_written(query *q, pending *pend, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (q->skip[pend[i].partition] > 0) {
            q->skip[pend[i].partition]--;
            continue;
        }
        pend[k++] = pend[i];
    }
    return k;
}

/* Records the intent to append a batch of task `task`: the sink's end
 * offsets now, so a crash before the commit can be undone on restart. */
static int write_intent(query *q, eventlog *l, int task, err *e)
{
    int parts = log_topic_partitions(q->out);
    log_offset_entry *en = mem_alloc(sizeof *en * (size_t)(parts + 1));
    en[0] = (log_offset_entry){INTENT_TASK, 0, task};
    for (int p = 0; p < parts; p++)
        en[p + 1] = (log_offset_entry){INTENT_END, p, log_end_offset(q->out, p)};
    int rc = log_offset_commit_many(l, q->id, en, parts + 1, e);
    free(en);
    return rc;
}

/* Commits the input offset and clears the intent, atomically. */
static int commit_batch(query *q, eventlog *l, query_task *t, bool had_intent, err *e)
{
    log_offset_entry en[2] = {{q->plan->in.topic, t->partition, log_reader_position(t->reader)},
                              {INTENT_TASK, 0, -1}};
    return log_offset_commit_many(l, q->id, en, had_intent ? 2 : 1, e);
}

/* Appends the batch's outputs: one log_append per sink partition. */
static int flush_outputs(query *q, pending *pend, int n, log_record *recs, err *e)
{
    int parts = log_topic_partitions(q->out);
    for (int part = 0; part < parts; part++) {
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (pend[i].partition != part)
                continue;
            log_record *r = &recs[k++];
            memset(r, 0, sizeof *r);
            r->timestamp = pend[i].timestamp;
            r->key = pend[i].key_len >= 0 ? (const uint8_t *)q->keys.data + pend[i].key_off : NULL;
            r->key_len = pend[i].key_len;
            r->value = pend[i].value_len >= 0 ? (const uint8_t *)q->values.data + pend[i].value_off : NULL;
            r->value_len = pend[i].value_len;
        }
        if (k && log_append(q->out, part, recs, k, e))
            return -1;
    }
    return 0;
}

static void note_error(query *q, const log_record *rec, int partition, const err *re)
{
    q->errors++;
    snprintf(q->last_error, sizeof q->last_error, "topic %s partition %d offset %lld: %s",
             q->plan->in.topic, partition, (long long)rec->offset, re->msg);
}

static long step_task(query *q, query_task *t, eventlog *l, arena *scratch, int max, err *e)
{
    log_record in[RUNTIME_BATCH];
    pending pend[RUNTIME_BATCH];
    log_record outrecs[RUNTIME_BATCH];
    if (max > RUNTIME_BATCH)
        max = RUNTIME_BATCH;
    int n = log_read(t->reader, in, max, e);
    if (n <= 0)
        return n;
    const plan *p = q->plan;
    value *row = arena_alloc(scratch, sizeof(value) * (size_t)p->nrow);
    value *out = arena_alloc(scratch, sizeof(value) * (size_t)(p->out.schema.n ? p->out.schema.n : 1));
    buf_reset(&q->keys);
    buf_reset(&q->values);
    int npend = 0;
    for (int i = 0; i < n; i++) {
        err re;
        err_clear(&re);
        eval_ctx cx = {.a = scratch, .e = &re};
        plan_result r = plan_apply(p, &in[i], t->partition, row, out, &cx);
        bool emit = r == PLAN_EMIT || r == PLAN_TOMBSTONE;
        int64_t ts = 0;
        if (emit && plan_result_timestamp(p, row, out, &ts, &re) == 0 &&
            encode_output(q, out, r == PLAN_TOMBSTONE, ts, &pend[npend], &re) == 0)
            npend++;
        else if (emit || r == PLAN_ERROR)
            note_error(q, &in[i], t->partition, &re);
    }
    q->processed += (uint64_t)n;
    bool recovering = q->recover_task == t->partition;
    if (recovering) {
        npend = drop_already_written(q, pend, npend);
        q->recover_task = -1;
    }
    q->emitted += (uint64_t)npend;
    bool intent = npend > 0 || recovering;
    if ((intent && write_intent(q, l, t->partition, e)) || flush_outputs(q, pend, npend, outrecs, e) ||
        commit_batch(q, l, t, intent, e))
        return -1;
    return n;
}

long runtime_query_step(query *q, eventlog *l, arena *scratch, int max, err *e)
{
    long total = 0;
    for (int i = 0; i < q->ntasks; i++) {
        arena_reset(scratch);
        long n = step_task(q, &q->tasks[i], l, scratch, max, e);
        if (n < 0)
            return -1;
        total += n;
    }
    return total;
}
