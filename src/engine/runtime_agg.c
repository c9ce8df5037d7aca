/* runtime_agg.c — see runtime_agg.h.  In order: sending a group's
 * change (its changelog record and its result), EMIT FINAL's holding of
 * windows until they close and their final results, the expiry of old
 * windows, then a stream's and a table's record through the aggregation. */
#include "runtime_agg.h"

#include <string.h>

#include "../storage/store_window.h"
#include "op_aggregate.h"
#include "runtime_internal.h"
#include "suppress.h"

/* A result held back while a table update is folded: taking the old row
 * back and adding the new one into the same group make one change. */
typedef struct held_result {
    bool held;
    agg_result r;
    buf key, val; /* copies: the aggregation's buffers are reused */
} held_result;

typedef struct agg_sink_ctx {
    query *q;
    int64_t ts;
    err *e;
    bool failed;
    held_result *hold; /* when set, results are held here instead of sent */
    int task;          /* input partition of the record */
    /* the record's last windowed result with a key: its row and its
     * pending output record (-1: none yet) */
    const value *keyed_out;
    int keyed_pend;
} agg_sink_ctx;

/* Whether two result rows have the same key columns, each a present
 * value of a type whose equal values encode alike (not DOUBLE: 0.0 and
 * -0.0; nor composites: a MAP's entries may come in another order). */
static bool same_key_columns(const plan *p, const value *a, const value *b)
{
    for (int i = 0; i < p->out.schema.n; i++) {
        const column *col = &p->out.schema.cols[i];
        if (!col->key)
            continue;
        type_kind kind = col->type->kind;
        if (a[i].null || b[i].null || kind == TYPE_DOUBLE || kind == TYPE_ARRAY || kind == TYPE_MAP ||
            kind == TYPE_STRUCT || !value_equal(&a[i], col->type, &b[i], col->type))
            return false;
    }
    return true;
}

/* A group/window the aggregation changed: its state to the changelog,
 * its result to the output (a tombstone when HAVING drops a group that
 * was in the table; nothing when it was not).  The windows of one record
 * have the same key columns: their key bytes are encoded once. */
static void send_result(agg_sink_ctx *c, const agg_result *r)
{
    query *q = c->q;
    /* a merged-away session's tombstone: at the session's end */
    int64_t ts = r->removed || r->ts > c->ts ? r->ts : c->ts;
    runtime__log_change(q, r->store_key, r->store_hash, r->store_val, ts);
    if (!r->keep && !r->old_keep)
        return;
    int same = r->windowed && c->keyed_out && same_key_columns(q->plan, c->keyed_out, r->out) ? c->keyed_pend : -1;
    if (runtime__encode_output(q, r->out, !r->keep, r->windowed ? &r->wstart : NULL, r->wend, ts, same, c->e)) {
        c->failed = true;
        return;
    }
    q->emitted++;
    const query_sink *k = &q->sinks[SINK_OUTPUT];
    if (r->windowed && !q->replaying && k->pend[k->npend - 1].key_len >= 0) {
        c->keyed_out = r->out;
        c->keyed_pend = k->npend - 1;
    }
}

/* On start: the windows of the restored store that no task's committed
 * stream time has closed are still waiting for their final result.
 * Which task owns them is not stored; any task's stream time may close
 * them.  Their result is stamped, as without a restart, with the latest
 * event time in their stored state. */
static void reopen_window(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    query *q = ctx;
    const plan_window *w = &q->plan->agg->window;
    int64_t start, end, stream_time = INT64_MIN;
    arena a;
    arena_init(&a, 1024);
    bool ok = agg_entry_window(q->plan, key, klen, val, vlen, &a, &start, &end);
    arena_free(&a);
    if (!ok)
        return;
    bool session = w->kind == WINDOW_SESSION;
    for (int i = 0; i < q->ntasks; i++)
        if (q->tasks[i].stream_time > stream_time)
            stream_time = q->tasks[i].stream_time;
    if (stream_time == INT64_MIN || end + w->grace + (session ? w->size : 0) > stream_time)
        suppress_touch(q->open, key, klen, end, -1);
}

/* EMIT FINAL: a window's result waits until the window closes; remember
 * the window (its first change opens it).  A tumbling or hopping window
 * keeps its end, so with one task only its first change needs the
 * buffer: a later one meets it still open (closed windows take no
 * records).  With several tasks one may change a window another's
 * stream time has closed: that reopens it, as before. */
static void hold_until_closed(agg_sink_ctx *c, const agg_result *r)
{
    query *q = c->q;
    /* a session's result is stamped with its end, the latest event in it */
    bool session = q->plan->agg->window.kind == WINDOW_SESSION;
    runtime__log_change(q, r->store_key, r->store_hash, r->store_val, session ? r->ts : c->ts);
    if (r->removed) /* a session merged away: never final */
        suppress_remove(q->open, r->store_key->data, r->store_key->len);
    else if (session || q->ntasks > 1) /* opens it, or moves a growing session's end */
        suppress_touch(q->open, r->store_key->data, r->store_key->len, r->wend, c->task);
    else if (r->created) /* never met again: the next change finds it open */
        suppress_open(q->open, r->store_key->data, r->store_key->len, r->wend, c->task);
}

static void emit_aggregate(void *ctx, const agg_result *r)
{
    agg_sink_ctx *c = ctx;
    if (r->created && c->q->windows)
        window_index_add(c->q->windows, (const uint8_t *)r->store_key->data, r->store_key->len);
    if (r->windowed && c->q->plan->agg->window.emit_final) {
        hold_until_closed(c, r);
        return;
    }
    if (!c->hold) {
        send_result(c, r);
        return;
    }
    held_result *h = c->hold;
    h->held = true;
    h->r = *r;
    buf_reset(&h->key);
    buf_reset(&h->val);
    buf_append(&h->key, r->store_key->data, r->store_key->len);
    buf_append(&h->val, r->store_val->data, r->store_val->len);
    h->r.store_key = &h->key;
    h->r.store_val = &h->val;
}

/* EMIT FINAL: the final result of every window the task's stream time
 * has closed (end + grace <= stream time), ending first (suppress.h). */
static void emit_closed_windows(query *q, query_task *t, const log_record *rec, eval_ctx *cx)
{
    const plan *p = q->plan;
    int64_t grace = p->agg->window.grace;
    if (p->agg->window.kind == WINDOW_SESSION) /* a session closes a gap later (Kafka's suppression) */
        grace += p->agg->window.size;
    if (t->stream_time < INT64_MIN + grace)
        return; /* no window can end that early */
    suppress_window w;
    while (suppress_pop(q->open, t->partition, t->stream_time - grace, &w)) {
        size_t slen;
        const uint8_t *state = kvstore_get(q->store, w.key, w.klen, &slen);
        value *out = arena_alloc(cx->a, sizeof(value) * (size_t)(p->out.schema.n + 1));
        bool keep;
        int64_t wstart, wend, latest;
        err_clear(cx->e);
        cx->column_errors = 0;
        /* stamped with the latest event folded into the window */
        if (state && agg_entry_final(p, w.key, w.klen, state, slen, out, &keep, &wstart, &wend, &latest, cx) == 0 &&
            keep) {
            if (runtime__encode_output(q, out, false, &wstart, wend, latest, -1, cx->e) == 0) {
                q->emitted++;
                if (cx->column_errors) /* blamed on the record that closed the window */
                    runtime__note_column_error(q, t, rec, cx);
            }
            q->serialize_failed = false; /* no record to blame */
        }
    }
    cx->column_errors = 0;
}

/* An expired window's entry, gone from the store: a tombstone in the
 * changelog, so that compaction drops it there too. */
static void log_expired(void *ctx, const uint8_t *key, size_t klen)
{
    query *q = ctx;
    buf k = {(char *)key, klen, klen}; /* borrowed: log_change copies it */
    runtime__log_change(q, &k, kvstore_hash(key, klen), NULL, q->expire_time);
}

/* TUMBLING/HOPPING: drops the windows every task's stream time has
 * passed by the retention (at most EXPIRE_STEP per record: bounded
 * work).  The least stream time of all tasks, because the store is
 * shared: any task may still send a record to a window another has
 * passed, and a window is only expired once no task can (retention >=
 * size + grace: it is closed for every task), so expiry never changes a
 * result. */
#define EXPIRE_STEP 1024

static void expire_windows(query *q)
{
    int64_t least = INT64_MAX;
    for (int i = 0; i < q->ntasks; i++)
        if (q->tasks[i].stream_time < least)
            least = q->tasks[i].stream_time;
    int64_t retention = q->plan->agg->window.retention;
    if (least == INT64_MIN || least == INT64_MAX || least < INT64_MIN + retention)
        return;
    q->expire_time = least;
    window_index_expire(q->windows, q->store, least - retention + 1, EXPIRE_STEP, log_expired, q);
}

/* Folds (or with `retract`, takes back) one record into the aggregation;
 * with `hold`, its result is held there instead of sent. */
static void aggregate_record(query *q, query_task *t, const log_record *rec, bool retract, held_result *hold,
                             value *row, value *out, eval_ctx *cx)
{
    const plan *p = q->plan;
    err_clear(cx->e);
    plan_result r = plan_apply(p, rec, t->partition, row, out, cx);
    if (r == PLAN_EMIT && q->joined) /* GROUP BY over a stream-table join */
        r = join_apply(p, q->joined, q->more, row, out, cx);
    if (r == PLAN_ERROR) {
        runtime__note_error(q, t, rec, cx);
        return;
    }
    if (r != PLAN_EMIT)
        return;
    agg_sink_ctx c = {q, rec->timestamp, cx->e, false, hold, t->partition, NULL, -1};
    if (!retract)
        c.ts = row[p->rowtime].u.l;
    bool late;
    int n = agg_apply(p, q->store, q->sessions, &q->agg_scratch, row, retract, c.ts, &t->stream_time, &late,
                      emit_aggregate, &c, cx);
    q->late += late;
    if (n < 0 || c.failed)
        runtime__note_error(q, t, rec, cx);
    else if (cx->column_errors)
        runtime__note_column_error(q, t, rec, cx);
}

/* A table record replaces the row with its key: the old row is taken
 * back from its group first, then the new one added (a tombstone only
 * takes back), as ksqlDB's table aggregations do. */
static void aggregate_table_record(query *q, query_task *t, const log_record *rec, value *row, value *out,
                                   eval_ctx *cx)
{
    if (rec->key_len < 0)
        return; /* a table row needs its key */
    held_result back = {0}, fwd = {0};
    size_t old_len;
    const uint8_t *old = kvstore_get(q->rows, rec->key, (size_t)rec->key_len, &old_len);
    if (old) {
        /* the old bytes go into the batch arena: the store entry changes below */
        uint8_t *copy = arena_alloc(cx->a, old_len + 1);
        memcpy(copy, old, old_len);
        log_record prev = *rec;
        prev.value = copy;
        prev.value_len = (int32_t)old_len;
        aggregate_record(q, t, &prev, true, &back, row, out, cx);
    }
    if (rec->value_len < 0)
        kvstore_delete(q->rows, rec->key, (size_t)rec->key_len);
    else {
        kvstore_put(q->rows, rec->key, (size_t)rec->key_len, rec->value, (size_t)rec->value_len);
        aggregate_record(q, t, rec, false, &fwd, row, out, cx);
    }
    agg_sink_ctx c = {q, rec->timestamp, cx->e, false, NULL, t->partition, NULL, -1};
    bool same = back.held && fwd.held && back.key.len == fwd.key.len &&
                memcmp(back.key.data, fwd.key.data, back.key.len) == 0;
    if (same) /* one change of one group: from before the update to after */
        fwd.r.old_keep = back.r.old_keep;
    else if (back.held)
        send_result(&c, &back.r);
    if (fwd.held)
        send_result(&c, &fwd.r);
    if (c.failed)
        runtime__note_error(q, t, rec, cx);
    buf_free(&back.key);
    buf_free(&back.val);
    buf_free(&fwd.key);
    buf_free(&fwd.val);
}

/* ---- what runtime.c calls ---- */

void runtime_agg_record(query *q, query_task *t, const log_record *rec, value *row, value *out, eval_ctx *cx)
{
    if (q->rows)
        aggregate_table_record(q, t, rec, row, out, cx);
    else
        aggregate_record(q, t, rec, false, NULL, row, out, cx);
    if (q->open)
        emit_closed_windows(q, t, rec, cx);
    if (q->windows)
        expire_windows(q);
}

void runtime_agg_reopen_windows(query *q) { kvstore_each(q->store, reopen_window, q); }
