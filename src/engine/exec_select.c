/* exec_select.c — queries whose rows go back to the caller: push queries
 * (SELECT ... EMIT CHANGES, running until LIMIT or cancel), pull queries
 * over streams (read what is there, then stop), and PRINT.
 *
 * The plan is compiled under the engine lock; reading runs without it, so
 * the runtime thread keeps feeding persistent queries meanwhile. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/mem.h"
#include "analyze.h"
#include "engine_internal.h"
#include "op_join.h"
#include "proclog.h"
#include "runtime.h"
#include "serde.h"
#include "table_rows.h"

#define SELECT_BATCH 256

typedef struct reader_set {
    log_topic *topic;
    log_reader **r;
    int64_t *stop_at; /* per partition end for pull queries, else -1 */
    int n;
} reader_set;

static void readers_open(reader_set *rs, log_topic *t, bool earliest, bool pull)
{
    rs->topic = t;
    rs->n = log_topic_partitions(t);
    rs->r = mem_alloc(sizeof *rs->r * (size_t)rs->n);
    rs->stop_at = mem_alloc(sizeof *rs->stop_at * (size_t)rs->n);
    for (int p = 0; p < rs->n; p++) {
        int64_t from = earliest ? log_start_offset(t, p) : log_end_offset(t, p);
        rs->r[p] = log_reader_open(t, p, from);
        rs->stop_at[p] = pull ? log_end_offset(t, p) : -1;
    }
}

static void readers_close(reader_set *rs)
{
    for (int p = 0; p < rs->n; p++)
        log_reader_close(rs->r[p]);
    free(rs->r);
    free(rs->stop_at);
}

/* Waits until the engine appends something, the timeout passes or the
 * caller cancels. */
static void wait_for_data(engine *en, uint64_t gen, int timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)timeout_ms * 1000000L;
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&en->mu);
    if (gen == __atomic_load_n(&en->data_gen, __ATOMIC_ACQUIRE))
        pthread_cond_timedwait(&en->data_cv, &en->mu, &ts);
    pthread_mutex_unlock(&en->mu);
}

static bool cancelled(const engine_output *out)
{
    return out && out->cancelled && out->cancelled(out->ctx);
}

/* Reads one batch from partition p and emits its rows.  Returns the
 * number of records read; *done is set when the limit is reached. */
/* The tables a push query joins, as they are now, followed while it
 * runs: the first join's, then those joined after it. */
typedef struct joined_tables {
    join_table *t[PLAN_MAX_JOINS + 1]; /* the first join's, then p->more's */
    int n;
} joined_tables;

static int joined_open(exec_ctx *x, const plan *pl, joined_tables *jt)
{
    jt->n = 0;
    for (int i = -1; pl->join && i < pl->nmore; i++) {
        const plan_join *j = i < 0 ? pl->join : &pl->more[i];
        log_topic *rt = log_topic_find(x->en->log, j->right.topic);
        if (!rt)
            return err_set(x->e, ERR_UNKNOWN_TOPIC, "topic %s does not exist", j->right.topic);
        if (!(jt->t[jt->n] = join_table_open(pl, j, rt, NULL, x->e)))
            return -1;
        jt->n++;
    }
    return 0;
}

static void joined_close(joined_tables *jt)
{
    for (int i = 0; i < jt->n; i++)
        join_table_close(jt->t[i]);
    jt->n = 0;
}

/* A push query's failed records go to the processing log too, under the
 * query id "transient", appended at the end of each batch (no exactly-once
 * to keep: a push query is not replayed).  Not when it reads the log. */
typedef struct push_errors {
    log_topic *log;        /* the processing log, or NULL */
    engine *en;            /* woken when entries were appended */
    buf values;
    log_record recs[SELECT_BATCH];
    size_t off[SELECT_BATCH];
    int n;
} push_errors;

static void push_error(push_errors *pe, const plan *pl, int partition, const log_record *rec, const eval_ctx *cx)
{
    if (!pe->log || pe->n == SELECT_BATCH)
        return;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    proclog_entry en = {.query_id = "transient", .kind = PROCLOG_RECORD_PROCESSING, .topic = pl->in.topic,
                        .partition = partition, .offset = rec->offset, .bytes = rec->value, .len = rec->value_len,
                        .message = cx->e->msg, .hint = cx->e->hint,
                        .time = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000};
    if (cx->bad_part) {
        en.kind = PROCLOG_DESERIALIZATION;
        en.key = cx->bad_part == EVAL_BAD_KEY;
        if (en.key)
            en.bytes = rec->key, en.len = rec->key_len;
    }
    pe->off[pe->n] = pe->values.len;
    proclog_encode(&en, &pe->values);
    pe->recs[pe->n++] = (log_record){.timestamp = en.time, .key_len = -1};
}

static void push_errors_flush(push_errors *pe)
{
    for (int i = 0; i < pe->n; i++) {
        size_t end = i + 1 < pe->n ? pe->off[i + 1] : pe->values.len;
        pe->recs[i].value = (const uint8_t *)pe->values.data + pe->off[i];
        pe->recs[i].value_len = (int32_t)(end - pe->off[i]);
    }
    err e;
    /* the rows were shown; a log that cannot be written loses its entries */
    if (pe->n && log_append(pe->log, 0, pe->recs, pe->n, &e) >= 0)
        engine__notify(pe->en); /* queries reading the log see them now */
    pe->n = 0;
    buf_reset(&pe->values);
}

static int select_batch(exec_ctx *x, const plan *pl, reader_set *rs, const joined_tables *jt, int p, arena *a,
                        push_errors *pe, int64_t *emitted, bool *done)
{
    log_record recs[SELECT_BATCH];
    int max = SELECT_BATCH;
    if (rs->stop_at[p] >= 0) {
        int64_t left = rs->stop_at[p] - log_reader_position(rs->r[p]);
        if (left <= 0)
            return 0;
        if (left < max)
            max = (int)left;
    }
    err re;
    int n = log_read(rs->r[p], recs, max, &re);
    if (n <= 0)
        return 0;
    value *row = arena_alloc(a, sizeof(value) * (size_t)pl->nrow);
    value *out = arena_alloc(a, sizeof(value) * (size_t)(pl->out.schema.n + 1));
    for (int i = 0; i < n && !*done; i++) {
        err_clear(&re);
        eval_ctx cx = {.a = a, .e = &re};
        plan_result r = plan_apply(pl, &recs[i], p, row, out, &cx);
        if (r == PLAN_EMIT && jt->n)
            r = join_apply(pl, jt->t[0], jt->t + 1, row, out, &cx);
        int rows = r == PLAN_EMIT && pl->flatmap ? plan_flatmap_rows(pl, row) : 1;
        for (int k = 0; k < rows && !*done; k++) {
            if (k > 0)
                r = plan_flatmap_row(pl, row, k, out, &cx);
            if (r == PLAN_EMIT && cx.column_errors) /* shown, with NULL for what failed */
                plan_name_failed_column(pl, &cx);
            if (r == PLAN_ERROR || (r == PLAN_EMIT && cx.column_errors))
                push_error(pe, pl, p, &recs[i], &cx);
            if (r != PLAN_EMIT)
                continue;
            if (x->out && x->out->row)
                x->out->row(x->out->ctx, out);
            if (pl->limit >= 0 && ++*emitted >= pl->limit)
                *done = true;
        }
    }
    push_errors_flush(pe);
    return n;
}

static int run_select(exec_ctx *x, plan *pl, bool pull)
{
    log_topic *t = log_topic_find(x->en->log, pl->in.topic);
    if (!t)
        return err_set(x->e, ERR_UNKNOWN_TOPIC, "topic %s of %s does not exist", pl->in.topic, pl->in.name);
    joined_tables jt;
    if (joined_open(x, pl, &jt)) {
        joined_close(&jt);
        return -1;
    }
    push_errors *pe = mem_alloc(sizeof *pe);
    memset(pe, 0, sizeof *pe);
    pe->log = strcmp(pl->in.topic, PROCLOG_TOPIC) ? log_topic_find(x->en->log, PROCLOG_TOPIC) : NULL;
    pe->en = x->en;
    reader_set rs;
    readers_open(&rs, t, pull || engine__earliest(x->session), pull);
    if (x->out && x->out->header)
        x->out->header(x->out->ctx, &pl->out.schema, true);
    arena a;
    arena_init(&a, 64 * 1024);
    int64_t emitted = 0;
    bool done = pl->limit == 0;
    const char *note = NULL;
    while (!done) {
        uint64_t gen = __atomic_load_n(&x->en->data_gen, __ATOMIC_ACQUIRE);
        int read = 0;
        err te;
        for (int i = 0; i < jt.n; i++)
            if (table_rows_follow(jt.t[i]->rows, SELECT_BATCH, &te) > 0)
                read++;
        for (int p = 0; p < rs.n && !done; p++) {
            read += select_batch(x, pl, &rs, &jt, p, &a, pe, &emitted, &done);
            arena_reset(&a);
        }
        if (done) {
            note = "Limit Reached";
            break;
        }
        if (read)
            continue;
        if (pull)
            break;
        if (cancelled(x->out)) {
            note = "Query terminated";
            break;
        }
        wait_for_data(x->en, gen, 100);
    }
    if (x->out && x->out->footer)
        x->out->footer(x->out->ctx, note);
    arena_free(&a);
    readers_close(&rs);
    joined_close(&jt);
    buf_free(&pe->values);
    free(pe);
    return 0;
}

/* ---- push queries that keep state ----------------------------------- */

/* Emits the rows of the records the transient query wrote since last
 * time; returns how many records were read. */
static int transient_rows(exec_ctx *x, const plan *p, log_reader *r, arena *a, int64_t *emitted, bool *done)
{
    log_record recs[SELECT_BATCH];
    err re;
    int n = log_read(r, recs, SELECT_BATCH, &re);
    value *row = arena_alloc(a, sizeof(value) * (size_t)(p->out.schema.n + 1));
    for (int i = 0; i < n && !*done; i++) {
        if (recs[i].value_len < 0)
            continue; /* a row taken away: push output shows changes only */
        int32_t klen = recs[i].key_len;
        int64_t ws, we;
        if (p->agg && p->agg->window.kind && klen > 0)
            klen = plan_window_key_split(p->agg->window.kind, p->agg->window.size, recs[i].key, klen, &ws, &we);
        for (int c = 0; c < p->out.schema.n; c++)
            row[c] = value_null();
        err_clear(&re);
        if ((klen >= 0 &&
             serde_decode_key(&p->out.key_format, recs[i].key, klen, &p->out.schema, row, a, &re)) ||
            serde_decode_value(&p->out.value_format, recs[i].value, recs[i].value_len, &p->out.schema, NULL, row,
                               a, &re))
            continue;
        if (x->out && x->out->row)
            x->out->row(x->out->ctx, row);
        if (p->limit >= 0 && ++*emitted >= p->limit)
            *done = true;
    }
    return n > 0 ? n : 0;
}

/* A push query with GROUP BY, or over a stream-stream or table-table join,
 * needs the state a persistent query keeps: it runs as one, into a topic
 * of its own, for as long as the push query lasts, and its rows are read
 * back from that topic as they are written.  The topic and the state's
 * changelog are deleted at the end (the query's offsets group stays in
 * __consumer_offsets). */
static int run_transient(exec_ctx *x, plan *pl)
{
    static unsigned long seq;
    char id[96], changelog[160];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    /* unique across processes too: a query id's committed offsets stay */
    snprintf(id, sizeof id, "_eddy_transient_%ld_%09ld_%ld_%lu", (long)now.tv_sec, now.tv_nsec, (long)getpid(),
             __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
    runtime_changelog_name(id, changelog, sizeof changelog);
    static const fmt json = {FORMAT_JSON, false, 0};
    pl->has_sink = true;
    pl->out.name = arena_strdup(&pl->arena, id);
    pl->out.topic = pl->out.name;
    pl->out.key_format = json;
    pl->out.value_format = json;
    log_topic_config cfg = {.partitions = 1};
    pthread_mutex_lock(&x->en->mu);
    log_topic *t = log_topic_create(x->en->log, id, &cfg, x->e);
    query *q = t ? runtime_query_start(x->en->log, id, "", pl, engine__earliest(x->session), x->e) : NULL;
    pthread_mutex_unlock(&x->en->mu);
    if (!t)
        plan_free(pl);
    if (!q) {
        if (t)
            log_topic_delete(x->en->log, id, NULL);
        return -1;
    }
    const plan *p = q->plan; /* the query owns it now */
    log_reader *r = log_reader_open(t, 0, 0);
    if (x->out && x->out->header)
        x->out->header(x->out->ctx, &p->out.schema, true);
    arena a, scratch;
    arena_init(&a, 64 * 1024);
    arena_init(&scratch, 64 * 1024);
    int64_t emitted = 0;
    bool done = p->limit == 0;
    const char *note = NULL;
    int rc = 0;
    while (!done) {
        uint64_t gen = __atomic_load_n(&x->en->data_gen, __ATOMIC_ACQUIRE);
        pthread_mutex_lock(&x->en->mu);
        arena_reset(&scratch);
        long stepped = runtime_query_step(q, x->en->log, &scratch, SELECT_BATCH, x->e);
        pthread_mutex_unlock(&x->en->mu);
        if (stepped < 0) {
            rc = -1;
            break;
        }
        int read = transient_rows(x, p, r, &a, &emitted, &done);
        arena_reset(&a);
        if (done) {
            note = "Limit Reached";
            break;
        }
        if (stepped || read)
            continue;
        if (cancelled(x->out)) {
            note = "Query terminated";
            break;
        }
        wait_for_data(x->en, gen, 100);
    }
    if (rc == 0 && x->out && x->out->footer)
        x->out->footer(x->out->ctx, note);
    arena_free(&a);
    arena_free(&scratch);
    log_reader_close(r);
    pthread_mutex_lock(&x->en->mu);
    runtime_query_stop(q);
    log_topic_delete(x->en->log, id, NULL);
    if (log_topic_find(x->en->log, changelog))
        log_topic_delete(x->en->log, changelog, NULL);
    pthread_mutex_unlock(&x->en->mu);
    return rc;
}

int engine__select(exec_ctx *x)
{
    const ast_query *q = x->stmt->u.select;
    pthread_mutex_lock(&x->en->mu);
    plan *pl = analyze_query(&x->en->cat, q, x->e);
    pthread_mutex_unlock(&x->en->mu);
    if (!pl)
        return -1;
    bool pull = q->emit == AST_EMIT_NONE;
    int rc;
    if (x->session->lookups_only && !(pull && pl->in.is_table && !pl->agg))
        rc = err_set(x->e, ERR_DEFERRED, "not a key lookup");
    else if (pull && pl->join && pl->in.is_table)
        rc = err_at(x->e, ERR_INVALID, q->joins[0].span.off, q->joins[0].span.len,
                    "Pull queries don't support JOIN clauses.");
    else if (pull && pl->agg)
        rc = err_at(x->e, ERR_INVALID, q->span.off, q->span.len, "Pull queries don't support GROUP BY clauses.");
    else if (pull && pl->in.is_table)
        rc = engine__pull(x, pl, q);
    else if (!pull && (pl->agg || (pl->join && (pl->join->stream_stream || pl->join->table_table)))) {
        return run_transient(x, pl); /* takes the plan */
    } else if (pl->agg || (pl->join && (pl->join->stream_stream || pl->join->table_table)))
        rc = err_at(x->e, ERR_UNSUPPORTED, q->span.off, q->span.len,
                    "a query over a stream with GROUP BY or a stream-stream join needs EMIT CHANGES (a push "
                    "query) or CREATE ... AS SELECT");
    else
        rc = run_select(x, pl, pull);
    plan_free(pl);
    return rc;
}

/* ---- PRINT ----------------------------------------------------------- */

static void print_bytes(buf *out, const uint8_t *p, int32_t len)
{
    if (len < 0) {
        buf_puts(out, "<null>");
        return;
    }
    for (int32_t i = 0; i < len; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f)
            buf_putc(out, (char)p[i]);
        else
            buf_printf(out, "\\x%02x", p[i]);
    }
}

/* How PRINT shows keys: decoded with the key format of the stream or
 * table over the topic, when there is one; else as bytes. */
typedef struct print_keys {
    bool known;
    fmt format;
    schema schema;
    arena arena;
} print_keys;

static void print_key(const print_keys *pk, const log_record *r, buf *out)
{
    if (pk->known && r->key_len >= 0) {
        arena a;
        arena_init(&a, 1024);
        value *row = arena_alloc(&a, sizeof(value) * (size_t)(pk->schema.n + 1));
        err e;
        if (serde_decode_key(&pk->format, r->key, r->key_len, &pk->schema, row, &a, &e) == 0) {
            int shown = 0;
            for (int i = 0; i < pk->schema.n; i++)
                if (pk->schema.cols[i].key) {
                    if (shown++)
                        buf_puts(out, ", ");
                    value_to_text(&row[i], pk->schema.cols[i].type, out);
                }
            arena_free(&a);
            return;
        }
        arena_free(&a);
    }
    print_bytes(out, r->key, r->key_len);
}

static void print_record(exec_ctx *x, const print_keys *pk, const log_record *r, int partition)
{
    time_t secs = (time_t)(r->timestamp / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    char when[64];
    strftime(when, sizeof when, "%Y/%m/%d %H:%M:%S", &tm);
    buf line = BUF_INIT;
    buf_printf(&line, "rowtime: %s.%03d Z, key: ", when, (int)(r->timestamp % 1000 + 1000) % 1000);
    print_key(pk, r, &line);
    buf_puts(&line, ", value: ");
    print_bytes(&line, r->value, r->value_len);
    buf_printf(&line, ", partition: %d", partition);
    engine__message(x, "%s", line.data);
    buf_free(&line);
}

int engine__print(exec_ctx *x)
{
    const ast_stmt *st = x->stmt;
    const ast_ident *id = &st->u.print.topic;
    print_keys pk = {0};
    arena_init(&pk.arena, 1024);
    pthread_mutex_lock(&x->en->mu);
    log_topic *t = log_topic_find(x->en->log, id->name);
    source *s = t ? engine__source_for_topic(x->en, id->name) : NULL;
    if (s) { /* copied: the source may be dropped while PRINT runs */
        pk.known = true;
        pk.format = s->key_format;
        schema_copy(&pk.arena, &pk.schema, &s->schema);
    }
    pthread_mutex_unlock(&x->en->mu);
    if (!t) {
        err_at(x->e, ERR_UNKNOWN_TOPIC, id->span.off, id->span.len, "Could not find topic '%s'", id->name);
        err_hint(x->e, "topic names are case-sensitive; SHOW TOPICS lists them");
        arena_free(&pk.arena);
        return -1;
    }
    reader_set rs;
    readers_open(&rs, t, st->u.print.from_beginning, false);
    int64_t printed = 0, limit = st->u.print.limit;
    bool done = limit == 0;
    while (!done) {
        uint64_t gen = __atomic_load_n(&x->en->data_gen, __ATOMIC_ACQUIRE);
        int read = 0;
        for (int p = 0; p < rs.n && !done; p++) {
            log_record recs[SELECT_BATCH];
            err re;
            int n = log_read(rs.r[p], recs, SELECT_BATCH, &re);
            for (int i = 0; i < n && !done; i++) {
                print_record(x, &pk, &recs[i], p);
                done = limit >= 0 && ++printed >= limit;
            }
            read += n > 0 ? n : 0;
        }
        if (done || read)
            continue;
        if (cancelled(x->out))
            break;
        wait_for_data(x->en, gen, 100);
    }
    readers_close(&rs);
    arena_free(&pk.arena);
    return 0;
}
