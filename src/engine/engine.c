/* engine.c — see engine.h.  Opening (log, command-topic replay), the
 * statement loop, the runtime thread, and the record-level entry points
 * used by `eddy test`.  Statement kinds are carried out in exec_*.c. */
#include "engine_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "../base/file.h"
#include "../base/mem.h"
#include "../parser/parse.h"
#include "analyze.h"
#include "proclog.h"

/* ---- sessions --------------------------------------------------------- */

void engine_session_init(engine_session *s) { memset(s, 0, sizeof *s); }

void engine_session_free(engine_session *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->keys[i]);
        free(s->values[i]);
    }
    free(s->keys);
    free(s->values);
    memset(s, 0, sizeof *s);
}

static const char *strip_prefix(const char *key)
{
    static const char *const prefixes[] = {"ksql.streams.", "ksql.", NULL};
    for (int i = 0; prefixes[i]; i++)
        if (strncasecmp(key, prefixes[i], strlen(prefixes[i])) == 0 && strcasecmp(key, "ksql.streams.") != 0)
            return key + strlen(prefixes[i]);
    return key;
}

const char *engine_session_get(const engine_session *s, const char *key)
{
    for (int i = s->n - 1; i >= 0; i--)
        if (strcasecmp(strip_prefix(s->keys[i]), strip_prefix(key)) == 0)
            return s->values[i];
    return NULL;
}

bool engine__earliest(const engine_session *s)
{
    const char *v = engine_session_get(s, "auto.offset.reset");
    return v && strcasecmp(v, "earliest") == 0;
}

/* ---- small shared helpers ------------------------------------------- */

void engine__message(exec_ctx *x, const char *fmt, ...)
{
    if (!x->out || !x->out->message)
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    x->out->message(x->out->ctx, text);
}

void engine__notify(engine *en)
{
    /* Called with en->mu held or not: the generation counter is only a
     * hint, the timeout in every wait bounds a missed signal. */
    __atomic_add_fetch(&en->data_gen, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&en->data_cv);
}

query *engine__find_query(engine *en, const char *id)
{
    for (int i = 0; i < en->nqueries; i++)
        if (strcasecmp(en->queries[i]->id, id) == 0)
            return en->queries[i];
    return NULL;
}

void engine__add_query(engine *en, query *q)
{
    if (en->nqueries == en->cap) {
        en->cap = en->cap ? en->cap * 2 : 8;
        en->queries = mem_realloc(en->queries, sizeof *en->queries * (size_t)en->cap);
    }
    en->queries[en->nqueries++] = q;
}

void engine__remove_query(engine *en, const char *id)
{
    for (int i = 0; i < en->nqueries; i++)
        if (strcasecmp(en->queries[i]->id, id) == 0) {
            runtime_query_stop(en->queries[i]);
            memmove(&en->queries[i], &en->queries[i + 1], sizeof *en->queries * (size_t)(en->nqueries - i - 1));
            en->nqueries--;
            return;
        }
}

/* ---- the command topic ------------------------------------------------ */

/* A command is JSON: {"statement": text, "properties": {...},
 * "queryId": id-or-null}.  Replaying them in order rebuilds the catalog
 * and restarts persistent queries with their ids (and so their committed
 * offsets). */
int engine__record_command(exec_ctx *x, const char *query_id)
{
    engine *en = x->en;
    if (en->replaying)
        return 0;
    json_t *cmd = json_object();
    json_object_set_new(cmd, "statement", json_stringn(x->src + x->stmt->span.off, x->stmt->span.len));
    json_t *props = json_object();
    for (int i = 0; i < x->session->n; i++)
        json_object_set_new(props, x->session->keys[i], json_string(x->session->values[i]));
    json_object_set_new(cmd, "properties", props);
    json_object_set_new(cmd, "queryId", query_id ? json_string(query_id) : json_null());
    char *text = json_dumps(cmd, JSON_COMPACT);
    json_decref(cmd);
    log_topic *t = log_topic_find(en->log, ENGINE_COMMAND_TOPIC);
    log_record r = {.timestamp = (int64_t)time(NULL) * 1000, .key_len = -1,
                    .value = (const uint8_t *)text, .value_len = (int32_t)strlen(text)};
    int rc = t ? log_append(t, 0, &r, 1, x->e) : err_set(x->e, ERR_IO, "the command topic is missing");
    free(text);
    if (rc == 0)
        en->command_seq++;
    return rc;
}

static int execute_stmt(engine *en, engine_session *s, const char *src, const ast_stmt *st,
                        const engine_output *out, err *e);

/* Runs the one statement in sql, without output. */
static int execute_one(engine *en, engine_session *s, const char *sql, err *e)
{
    arena a;
    arena_init(&a, 8192);
    parser p;
    parser_init(&p, &a, sql, strlen(sql));
    ast_stmt *st = parse_next(&p, e);
    int rc = st ? execute_stmt(en, s, sql, st, NULL, e) : -1;
    arena_free(&a);
    return rc;
}

static void replay_one(engine *en, const log_record *r, buf *warnings)
{
    json_error_t je;
    json_t *cmd = json_loadb((const char *)r->value, r->value_len > 0 ? (size_t)r->value_len : 0, 0, &je);
    const char *sql = cmd ? json_string_value(json_object_get(cmd, "statement")) : NULL;
    if (!sql) {
        if (warnings)
            buf_printf(warnings, "command %lld is unreadable; skipped\n", (long long)r->offset);
        json_decref(cmd);
        return;
    }
    engine_session s;
    engine_session_init(&s);
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(cmd, "properties"), k, v)
    {
        s.keys = mem_realloc(s.keys, sizeof(char *) * (size_t)(s.n + 1));
        s.values = mem_realloc(s.values, sizeof(char *) * (size_t)(s.n + 1));
        s.keys[s.n] = mem_strdup(k);
        s.values[s.n++] = mem_strdup(json_string_value(v) ? json_string_value(v) : "");
    }
    en->replay_query_id = json_string_value(json_object_get(cmd, "queryId"));
    err e;
    err_clear(&e);
    if (execute_one(en, &s, sql, &e) && warnings)
        buf_printf(warnings, "command %lld (%.80s) no longer applies: %s\n", (long long)r->offset, sql, e.msg);
    en->command_seq++;
    en->replay_query_id = NULL;
    engine_session_free(&s);
    json_decref(cmd);
}

/* Declares the processing log's stream (proclog.h), unrecorded: every
 * open declares it again, before the commands that may read or drop it
 * are replayed, so its shape is always this version's. */
static int declare_processing_log(engine *en, err *e)
{
    engine_session s;
    engine_session_init(&s);
    en->replaying = true;
    int rc = execute_one(en, &s, proclog_create_statement(), e);
    en->replaying = false;
    return rc;
}

static int replay_commands(engine *en, buf *warnings, err *e)
{
    log_topic *t = log_topic_find(en->log, ENGINE_COMMAND_TOPIC);
    if (!t) {
        log_topic_config cfg = {.partitions = 1, .flush = LOG_FLUSH_BATCH};
        if (!(t = log_topic_create(en->log, ENGINE_COMMAND_TOPIC, &cfg, e)))
            return -1;
    }
    log_reader *r = log_reader_open(t, 0, 0);
    log_record recs[64];
    int n;
    en->replaying = true;
    while ((n = log_read(r, recs, 64, e)) > 0)
        for (int i = 0; i < n; i++)
            replay_one(en, &recs[i], warnings);
    en->replaying = false;
    log_reader_close(r);
    return n < 0 ? -1 : 0;
}

/* ---- the runtime thread ---------------------------------------------- */

/* One round over every query; caller holds en->mu. */
static long pump_round(engine *en)
{
    long total = 0;
    for (int i = 0; i < en->nqueries; i++) {
        query *q = en->queries[i];
        err e;
        err_clear(&e);
        uint64_t before = q->emitted;
        long n = runtime_query_step(q, en->log, &en->scratch, RUNTIME_STEP_MAX, &e);
        if (n < 0) {
            q->errors++;
            snprintf(q->last_error, sizeof q->last_error, "%s", e.msg);
            continue;
        }
        total += n;
        if (q->emitted != before)
            engine__notify(en);
    }
    return total;
}

eventlog *engine_log(engine *en)
{
    return en->log;
}

long engine_pump(engine *en)
{
    long total = 0, n;
    pthread_mutex_lock(&en->mu);
    while ((n = pump_round(en)) > 0)
        total += n;
    pthread_mutex_unlock(&en->mu);
    return total;
}

static void *runtime_thread(void *arg)
{
    engine *en = arg;
    pthread_mutex_lock(&en->mu);
    while (!en->stop) {
        uint64_t gen = __atomic_load_n(&en->data_gen, __ATOMIC_ACQUIRE);
        if (pump_round(en) > 0)
            continue;
        /* Nothing to do: sleep until this engine appends something.  The
         * timeout is a safety net, not a poll interval that matters. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000000L;
        if (ts.tv_nsec >= 1000000000L)
            ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        while (!en->stop && gen == __atomic_load_n(&en->data_gen, __ATOMIC_ACQUIRE))
            if (pthread_cond_timedwait(&en->data_cv, &en->mu, &ts) == ETIMEDOUT)
                break;
    }
    pthread_mutex_unlock(&en->mu);
    return NULL;
}

/* ---- open / close ----------------------------------------------------- */

engine *engine_open(const engine_config *cfg, buf *warnings, err *e)
{
    if (mkdir(cfg->data_dir, 0777) && errno != EEXIST) {
        err_set(e, ERR_IO, "cannot create data directory %s: %s", cfg->data_dir, strerror(errno));
        return NULL;
    }
    log_options lo = {.default_flush = cfg->flush};
    eventlog *l = log_open(cfg->data_dir, &lo, e);
    if (!l)
        return NULL;
    engine *en = mem_alloc(sizeof *en);
    en->data_dir = mem_strdup(cfg->data_dir);
    en->log = l;
    catalog_init(&en->cat);
    arena_init(&en->scratch, 64 * 1024);
    pthread_mutex_init(&en->mu, NULL);
    pthread_cond_init(&en->data_cv, NULL);
    if (declare_processing_log(en, e) || replay_commands(en, warnings, e)) {
        engine_close(en);
        return NULL;
    }
    en->background = cfg->background;
    en->check_only = cfg->check_only;
    if (en->background && pthread_create(&en->thread, NULL, runtime_thread, en)) {
        en->background = false;
        err_set(e, ERR_IO, "cannot start the runtime thread");
        engine_close(en);
        return NULL;
    }
    return en;
}

void engine_close(engine *en)
{
    if (!en)
        return;
    if (en->background) {
        pthread_mutex_lock(&en->mu);
        en->stop = true;
        pthread_cond_broadcast(&en->data_cv);
        pthread_mutex_unlock(&en->mu);
        pthread_join(en->thread, NULL);
    }
    for (int i = 0; i < en->nqueries; i++)
        runtime_query_stop(en->queries[i]);
    free(en->queries);
    catalog_free(&en->cat);
    log_close(en->log);
    arena_free(&en->scratch);
    pthread_cond_destroy(&en->data_cv);
    pthread_mutex_destroy(&en->mu);
    free(en->data_dir);
    free(en);
}

/* ---- statements ------------------------------------------------------- */

static int run_script(engine *en, engine_session *s, const ast_stmt *st, const engine_output *out, err *e);

static int unsupported(exec_ctx *x, const char *what)
{
    return err_at(x->e, ERR_UNSUPPORTED, x->stmt->span.off, x->stmt->span.len, "%s is not supported yet", what);
}

/* Statements that change the catalog run under the engine lock; push
 * queries and PRINT take it only while they compile. */
static int dispatch(exec_ctx *x)
{
    switch (x->stmt->kind) {
    case AST_CREATE_SOURCE: return engine__create_source(x);
    case AST_CREATE_AS: return engine__create_as(x);
    case AST_INSERT_VALUES: return engine__insert_values(x);
    case AST_DROP: return engine__drop(x);
    case AST_TERMINATE: return engine__terminate(x);
    case AST_SHOW: return engine__show(x);
    case AST_DESCRIBE: return engine__describe(x);
    case AST_DESCRIBE_FUNCTION: return engine__describe_function(x);
    case AST_SET:
    case AST_UNSET: return engine__set(x);
    case AST_INSERT_SELECT: return engine__insert_select(x);
    case AST_PAUSE: return unsupported(x, "PAUSE");
    case AST_RESUME: return unsupported(x, "RESUME");
    case AST_DEFINE:
    case AST_UNDEFINE: return unsupported(x, "DEFINE");
    case AST_EXPLAIN: return engine__explain(x);
    case AST_CREATE_TYPE: return engine__create_type(x);
    default: return unsupported(x, "this statement");
    }
}

/* check_only: a query is compiled, not run. */
static int check_query(exec_ctx *x)
{
    pthread_mutex_lock(&x->en->mu);
    plan *pl = analyze_query(&x->en->cat, x->stmt->u.select, x->e);
    pthread_mutex_unlock(&x->en->mu);
    plan_free(pl);
    return pl ? 0 : -1;
}

static int execute_stmt(engine *en, engine_session *s, const char *src, const ast_stmt *st,
                        const engine_output *out, err *e)
{
    exec_ctx x = {en, s, src, st, out, e};
    if (s->lookups_only && (st->kind != AST_SELECT || en->check_only))
        return err_set(e, ERR_DEFERRED, "not a key lookup");
    if (st->kind == AST_SELECT)
        return en->check_only ? check_query(&x) : engine__select(&x);
    if (st->kind == AST_PRINT && en->check_only)
        return log_topic_find(en->log, st->u.print.topic.name)
                   ? 0
                   : err_at(e, ERR_UNKNOWN_TOPIC, st->u.print.topic.span.off, st->u.print.topic.span.len,
                            "Could not find topic '%s'", st->u.print.topic.name);
    if (st->kind == AST_PRINT)
        return engine__print(&x);
    if (st->kind == AST_RUN_SCRIPT)
        return run_script(en, s, st, out, e);
    bool lock = !en->replaying;
    if (lock)
        pthread_mutex_lock(&en->mu);
    int rc = dispatch(&x);
    if (lock)
        pthread_mutex_unlock(&en->mu);
    return rc;
}

int engine_execute(engine *en, engine_session *s, const char *src, size_t len,
                   const engine_output *out, err *e)
{
    arena a;
    arena_init(&a, 16 * 1024);
    parser p;
    parser_init(&p, &a, src, len);
    int rc = 0;
    for (;;) {
        err_clear(e);
        ast_stmt *st = parse_next(&p, e);
        if (!st) {
            rc = e->code == ERR_OK ? 0 : -1;
            break;
        }
        if (execute_stmt(en, s, src, st, out, e)) {
            rc = -1;
            break;
        }
    }
    arena_free(&a);
    return rc;
}

int engine_check(engine *en, engine_session *s, const char *src, size_t len,
                 void (*report)(void *ctx, const err *e), void *ctx)
{
    arena a;
    arena_init(&a, 16 * 1024);
    parser p;
    parser_init(&p, &a, src, len);
    int errors = 0;
    for (;;) {
        err e;
        err_clear(&e);
        ast_stmt *st = parse_next(&p, &e);
        if (!st && e.code == ERR_OK)
            break;
        if (st && execute_stmt(en, s, src, st, NULL, &e) == 0)
            continue;
        errors++; /* a syntax error: the parser goes on after the next ';' */
        report(ctx, &e);
    }
    arena_free(&a);
    return errors;
}

static int run_script(engine *en, engine_session *s, const ast_stmt *st, const engine_output *out, err *e)
{
    const char *path = st->u.run_script.path;
    size_t len;
    char *text = file_read_all(path, &len);
    if (!text)
        return err_at(e, ERR_IO, st->span.off, st->span.len, "cannot read script %s: %s", path, strerror(errno));
    int rc = engine_execute(en, s, text, len, out, e);
    if (rc) {
        /* The span points into the script: render it now, with its name. */
        buf msg = BUF_INIT;
        err_render(e, text, len, &msg);
        err_set(e, e->code, "in script %s: %s", path, msg.data);
        buf_free(&msg);
    }
    free(text);
    return rc;
}

/* ---- records in and out, for `eddy test` ------------------------------ */

source *engine__source_for_topic(engine *en, const char *topic)
{
    source *found = NULL;
    for (int i = 0; i < en->cat.n; i++)
        if (strcmp(en->cat.sources[i]->topic, topic) == 0 && (!found || en->cat.sources[i]->writer))
            found = en->cat.sources[i];
    return found;
}

static int encode_json_part(source *s, bool keys, json_t *j, arena *a, buf *out, bool *is_null, err *e)
{
    *is_null = !j || json_is_null(j);
    if (*is_null)
        return 0;
    const fmt *f = keys ? &s->key_format : &s->value_format;
    bool bare = !keys && f->unwrapped && schema_value_count(&s->schema) == 1;
    if (f->kind == FORMAT_JSON && !bare) {
        /* JSON goes in as given: the test decides the field names (an
         * unwrapped single value is given bare and encoded below). */
        char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        buf_puts(out, text);
        free(text);
        return 0;
    }
    if (f->kind == FORMAT_DELIMITED && json_is_string(j)) {
        buf_append(out, json_string_value(j), json_string_length(j));
        return 0;
    }
    value *row = arena_alloc(a, sizeof(value) * (size_t)(s->schema.n + 1));
    for (int i = 0; i < s->schema.n; i++) {
        if (!column_in_part(&s->schema.cols[i], keys))
            continue;
        json_t *part = j;
        if (keys && schema_key_count(&s->schema) > 1)
            part = json_object_get(j, s->schema.cols[i].name);
        if (serde_json_to_value(part, s->schema.cols[i].type, a, &row[i], e))
            return -1;
    }
    if (keys)
        return serde_encode_key(f, &s->schema, row, out, is_null, e);
    return serde_encode_value(f, &s->schema, row, out, e);
}

int engine_produce_json(engine *en, const char *topic, json_t *key, json_t *value,
                        int64_t timestamp, err *e)
{
    return engine_produce_json_windowed(en, topic, key, value, NULL, timestamp, NULL, 0, e);
}

/* JSON headers [{"KEY", "VALUE"}, ...] as log headers in arena a. */
static int json_headers(json_t *j, arena *a, log_header **out, int *n, err *e)
{
    *out = NULL;
    *n = 0;
    if (!j || json_is_null(j))
        return 0;
    if (!json_is_array(j))
        return err_set(e, ERR_USAGE, "\"headers\" must be an array of {\"KEY\", \"VALUE\"}");
    log_header *h = arena_alloc(a, sizeof *h * (json_array_size(j) + 1));
    size_t i;
    json_t *o;
    json_array_foreach(j, i, o)
    {
        json_t *k = json_object_get(o, "KEY") ? json_object_get(o, "KEY") : json_object_get(o, "key");
        json_t *v = json_object_get(o, "VALUE") ? json_object_get(o, "VALUE") : json_object_get(o, "value");
        value bytes;
        if (!json_is_string(k) || (v && !json_is_null(v) && !json_is_string(v)))
            return err_set(e, ERR_USAGE, "header %zu: expected {\"KEY\": string, \"VALUE\": base64 or null}", i);
        if (v && json_is_string(v) && value_base64_decode(json_string_value(v), json_string_length(v), a, &bytes))
            return err_set(e, ERR_USAGE, "header %zu: VALUE is not base64", i);
        h[i] = (log_header){.key = json_string_value(k), .key_len = (uint32_t)json_string_length(k)};
        h[i].value = v && json_is_string(v) ? (const uint8_t *)bytes.u.s.p : NULL;
        h[i].value_len = v && json_is_string(v) ? (int32_t)bytes.u.s.len : -1;
    }
    *out = h;
    *n = (int)json_array_size(j);
    return 0;
}

int engine_produce_json_windowed(engine *en, const char *topic, json_t *key, json_t *value, json_t *headers,
                                 int64_t timestamp, const int64_t *wstart, int64_t wend, err *e)
{
    pthread_mutex_lock(&en->mu);
    log_topic *t = log_topic_find(en->log, topic);
    source *s = engine__source_for_topic(en, topic);
    arena a;
    arena_init(&a, 4096);
    buf kb = BUF_INIT, vb = BUF_INIT;
    bool null_key = false, null_value = false;
    int rc = -1;
    if (!t) {
        err_set(e, ERR_UNKNOWN_TOPIC, "topic %s does not exist", topic);
        goto done;
    }
    if (s) {
        if (encode_json_part(s, true, key, &a, &kb, &null_key, e) ||
            encode_json_part(s, false, value, &a, &vb, &null_value, e))
            goto done;
    } else {
        /* No stream over the topic: store the JSON text itself. */
        null_key = !key || json_is_null(key);
        null_value = !value || json_is_null(value);
        char *kt = null_key ? NULL : json_dumps(key, JSON_COMPACT | JSON_ENCODE_ANY);
        char *vt = null_value ? NULL : json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
        if (kt)
            buf_puts(&kb, kt);
        if (vt)
            buf_puts(&vb, vt);
        free(kt);
        free(vt);
    }
    log_header *hs;
    int nh;
    if (json_headers(headers, &a, &hs, &nh, e))
        goto done;
    size_t inner = kb.len; /* the partition follows the key alone */
    if (!null_key && wstart) { /* Kafka's windowed key layouts */
        if (s && s->window_kind == WINDOW_SESSION)
            buf_put_be64(&kb, wend);
        buf_put_be64(&kb, *wstart);
    }
    log_record r = {.timestamp = timestamp,
                    .key = null_key ? NULL : (const uint8_t *)kb.data,
                    .key_len = null_key ? -1 : (int32_t)kb.len,
                    .value = null_value ? NULL : (const uint8_t *)(vb.data ? vb.data : ""),
                    .value_len = null_value ? -1 : (int32_t)vb.len,
                    .headers = hs,
                    .nheaders = nh};
    int part = null_key ? 0 : log_partition_for_key(t, kb.data, inner);
    rc = log_append(t, part, &r, 1, e);
done:
    pthread_mutex_unlock(&en->mu);
    if (rc == 0)
        engine__notify(en);
    buf_free(&kb);
    buf_free(&vb);
    arena_free(&a);
    return rc;
}

static json_t *decode_json_part(source *s, bool keys, const uint8_t *p, int32_t len, arena *a)
{
    if (len < 0)
        return json_null();
    const fmt *f = s ? (keys ? &s->key_format : &s->value_format) : NULL;
    if (!f || f->kind == FORMAT_JSON) {
        json_t *j = json_loadb((const char *)p, (size_t)len, JSON_DECODE_ANY, NULL);
        return j ? j : json_stringn((const char *)p, (size_t)len);
    }
    if (f->kind == FORMAT_DELIMITED)
        return json_stringn((const char *)p, (size_t)len);
    value *row = arena_alloc(a, sizeof(value) * (size_t)(s->schema.n + 1));
    err e;
    int rc = keys ? serde_decode_key(f, p, len, &s->schema, row, a, &e)
                  : serde_decode_value(f, p, len, &s->schema, NULL, row, a, &e);
    if (rc)
        return json_stringn((const char *)p, (size_t)len);
    for (int i = 0; i < s->schema.n; i++)
        if (column_in_part(&s->schema.cols[i], keys)) {
            buf text = BUF_INIT;
            serde_value_to_json_text(&row[i], s->schema.cols[i].type, &text);
            json_t *j = json_loads(text.data, JSON_DECODE_ANY, NULL);
            buf_free(&text);
            return j ? j : json_null();
        }
    return json_null();
}

/* A windowed key is the key and the window start (8 bytes, big-endian),
 * or for a session the key, its end and its start: the length of the key
 * part, and the window as {"start", "end", "type"}. */
static int32_t windowed_key_len(const source *s, const log_record *r, json_t **window)
{
    *window = NULL;
    if (!s || !s->window_kind || r->key_len < 0)
        return r->key_len;
    int64_t start, end;
    int32_t len = plan_window_key_split(s->window_kind, s->window_size, r->key, r->key_len, &start, &end);
    if (start >= 0)
        *window = json_pack("{sIsIss}", "start", (json_int_t)start, "end", (json_int_t)end, "type",
                            s->window_kind == WINDOW_SESSION ? "session" : "time");
    return len;
}

int engine_dump_topic_json(engine *en, const char *topic, json_t *records, err *e)
{
    pthread_mutex_lock(&en->mu);
    log_topic *t = log_topic_find(en->log, topic);
    source *s = engine__source_for_topic(en, topic);
    int rc = 0;
    if (!t) {
        rc = err_set(e, ERR_UNKNOWN_TOPIC, "topic %s does not exist", topic);
        goto done;
    }
    arena a;
    arena_init(&a, 8192);
    for (int part = 0; part < log_topic_partitions(t) && rc == 0; part++) {
        log_reader *r = log_reader_open(t, part, 0);
        log_record recs[64];
        int n;
        while ((n = log_read(r, recs, 64, e)) > 0) {
            for (int i = 0; i < n; i++) {
                json_t *o = json_object();
                json_object_set_new(o, "topic", json_string(topic));
                json_t *window = NULL;
                int32_t key_len = windowed_key_len(s, &recs[i], &window);
                json_object_set_new(o, "key", decode_json_part(s, true, recs[i].key, key_len, &a));
                if (window)
                    json_object_set_new(o, "window", window);
                json_object_set_new(o, "value", decode_json_part(s, false, recs[i].value, recs[i].value_len, &a));
                json_object_set_new(o, "timestamp", json_integer(recs[i].timestamp));
                json_object_set_new(o, "partition", json_integer(part));
                json_object_set_new(o, "offset", json_integer(recs[i].offset));
                json_array_append_new(records, o);
            }
            arena_reset(&a);
        }
        rc = n < 0 ? -1 : 0;
        log_reader_close(r);
    }
    arena_free(&a);
done:
    pthread_mutex_unlock(&en->mu);
    return rc;
}

int engine_topic_end_offsets(engine *en, const char *topic, int64_t *ends, int max)
{
    pthread_mutex_lock(&en->mu);
    log_topic *t = log_topic_find(en->log, topic);
    int n = t ? log_topic_partitions(t) : -1;
    for (int p = 0; p < n && p < max; p++)
        ends[p] = log_end_offset(t, p);
    pthread_mutex_unlock(&en->mu);
    return n;
}

int engine_create_topic(engine *en, const char *name, int partitions, err *e)
{
    pthread_mutex_lock(&en->mu);
    int rc = 0;
    if (!log_topic_find(en->log, name)) {
        log_topic_config cfg = {.partitions = partitions};
        rc = log_topic_create(en->log, name, &cfg, e) ? 0 : -1;
    }
    pthread_mutex_unlock(&en->mu);
    return rc;
}

void engine_sink_topic_names(engine *en, void (*fn)(void *ctx, const char *name), void *ctx)
{
    pthread_mutex_lock(&en->mu);
    int n = en->cat.n;
    char **topics = mem_alloc(sizeof(char *) * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        topics[i] = en->cat.sources[i]->derived ? mem_strdup(en->cat.sources[i]->topic) : NULL;
    pthread_mutex_unlock(&en->mu);
    /* called without the lock: fn may call back into the engine */
    for (int i = 0; i < n; i++) {
        if (topics[i])
            fn(ctx, topics[i]);
        free(topics[i]);
    }
    free(topics);
}

void engine_names(engine *en, bool sources_only, void (*fn)(void *ctx, const char *name), void *ctx)
{
    pthread_mutex_lock(&en->mu);
    for (int i = 0; i < en->cat.n; i++) {
        fn(ctx, en->cat.sources[i]->name);
        for (int c = 0; c < en->cat.sources[i]->schema.n && !sources_only; c++)
            fn(ctx, en->cat.sources[i]->schema.cols[c].name);
    }
    pthread_mutex_unlock(&en->mu);
}
