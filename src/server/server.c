/* server.c — see server.h.  The loop side (routing, jobs, signals) is at
 * the bottom; above it, what a worker thread does for /ksql and for
 * /query-stream. */
#include "server.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/mem.h"
#include "../engine/engine.h"
#include "../engine/serde.h"
#include "../engine/types.h"
#include "../parser/parse.h"
#include "auth.h"
#include "http.h"
#include "inserts.h"
#include "pgwire.h"

/* A worker waits while this many bytes of its output wait for the loop. */
#define MAX_QUEUED (1u << 20)
/* /inserts-stream: reading from the client pauses while this much of its
 * body waits for the worker, and resumes below RESUME_INPUT. */
#define MAX_BODY_QUEUED (1u << 20)
#define RESUME_INPUT (256u << 10)
/* A client this far behind on a streamed response is cut off. */
#define MAX_UNWRITTEN (16u << 20)

#define JSON_TYPE "application/json"
#define DELIMITED_TYPE "application/vnd.ksqlapi.delimited.v1"

typedef struct job job;

struct server {
    uv_loop_t loop;
    engine *en;
    const char *version;
    http_server *http;
    pgwire *pg; /* NULL without --pg-listen */
    auth *auth; /* NULL without --auth */
    int max_push; /* --max-push-queries */
    int push_running; /* push queries running now, loop side */
    uv_signal_t sigint, sigterm;
    job *jobs; /* running jobs, loop side */
    atomic_bool stopping;
    atomic_long next_query;
    atomic_long next_command;
    /* GET /status: {"commandId": "SUCCESS", ...} of the commands run by
     * this server process, under status_mu */
    pthread_mutex_t status_mu;
    json_t *statuses;
};

/* What a worker hands to the loop, in order. */
typedef enum event_kind { EV_RESPOND, EV_BEGIN, EV_CHUNK, EV_END } event_kind;

typedef struct event {
    event_kind kind;
    int status;
    const char *content_type;
    buf data;
    struct event *next;
} event;

/* JOB_QUERY serves /query-stream, or /query (legacy set: a JSON array of
 * {"header"} and {"row"} objects). */
typedef enum job_kind { JOB_KSQL, JOB_QUERY, JOB_INSERTS } job_kind;

struct job {
    server *srv;
    job_kind kind;
    bool legacy;
    /* run on the loop thread first (a pull query by key answers there);
     * deferred when the engine declines (ERR_DEFERRED), push when the
     * statement is a push query (it then counts against --max-push-queries) */
    bool on_loop, deferred, push;
    /* what a query run on the loop answers (job_gather) */
    buf answer;
    int answer_status;
    const char *answer_type;
    bool answered;
    char *body; /* the request body, owned */
    size_t body_len;
    /* loop side */
    http_request *req; /* NULL once the connection is gone */
    job *next, *prev;
    uv_async_t async;
    pthread_t thread;
    /* shared, under mu */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    event *head, *tail;
    size_t queued;
    bool done;
    atomic_bool cancelled;
    char query_id[64]; /* set once the query's header is out (for /close-query) */
    /* /inserts-stream's body as it arrives: the loop appends, the worker
     * takes lines; reading pauses past MAX_BODY_QUEUED (paused), and resumes
     * once the worker has taken it below RESUME_INPUT (resume) */
    buf input;
    size_t input_off;
    bool input_end, paused, resume;
    /* worker side (/query-stream) */
    const schema *columns;
    bool began;
};

/* ---- worker side: handing output to the loop -------------------------- */

/* On the loop, output is gathered into one answer, sent once the query
 * has returned (no events, no lock). */
static void job_gather(job *j, event_kind kind, int status, const char *ctype, buf *data)
{
    if (j->answered)
        return; /* a respond came first: nothing after it counts */
    if (kind == EV_RESPOND || kind == EV_BEGIN) {
        j->answer_status = status;
        j->answer_type = ctype;
        buf_reset(&j->answer);
        j->answered = kind == EV_RESPOND;
    }
    if (data) {
        buf_append(&j->answer, data->data, data->len);
        buf_free(data);
    }
}

static void job_post(job *j, event_kind kind, int status, const char *ctype, buf *data)
{
    if (j->on_loop) {
        job_gather(j, kind, status, ctype, data);
        return;
    }
    event *ev = mem_alloc(sizeof *ev);
    ev->kind = kind;
    ev->status = status;
    ev->content_type = ctype;
    if (data) {
        ev->data = *data;
        *data = (buf)BUF_INIT;
    }
    pthread_mutex_lock(&j->mu);
    /* back-pressure: a push query waits for a slow loop or client */
    while (j->queued > MAX_QUEUED && !atomic_load(&j->cancelled))
        pthread_cond_wait(&j->cv, &j->mu);
    if (j->tail)
        j->tail->next = ev;
    else
        j->head = ev;
    j->tail = ev;
    j->queued += ev->data.len;
    pthread_mutex_unlock(&j->mu);
    uv_async_send(&j->async);
}

static void job_respond(job *j, int status, const char *ctype, buf *body)
{
    job_post(j, EV_RESPOND, status, ctype, body);
}

/* Appends to out the JSON text of j, compact; j is released. */
static void json_take(json_t *j, buf *out)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    buf_puts(out, s);
    free(s);
    json_decref(j);
}

/* A 400 with ksqlDB's error object. */
static void respond_error(job *j, int status, int code, const char *type, const char *message,
                          const char *stmt, size_t stmt_len)
{
    json_t *o = json_object();
    json_object_set_new(o, "@type", json_string(type));
    json_object_set_new(o, "error_code", json_integer(code));
    json_object_set_new(o, "message", json_string(message));
    if (stmt) {
        json_object_set_new(o, "statementText", json_stringn(stmt, stmt_len));
        json_object_set_new(o, "entities", json_array());
    }
    buf b = BUF_INIT;
    json_take(o, &b);
    job_respond(j, status, JSON_TYPE, &b);
}

/* The error of a statement: the message starts `line L:C:` counted in the
 * whole request text src. */
static void respond_statement_error(job *j, const err *e, const char *src, size_t len,
                                    const char *stmt, size_t stmt_len)
{
    buf msg = BUF_INIT;
    err_render(e, src, len, &msg);
    respond_error(j, 400, 40001, "statement_error", msg.data ? msg.data : "error", stmt, stmt_len);
    buf_free(&msg);
}

/* ---- worker side: session properties ---------------------------------- */

/* Appends s with every ' doubled (the inside of a SQL string). */
static void quote_into(buf *b, const char *s)
{
    for (; *s; s++) {
        buf_putc(b, *s);
        if (*s == '\'')
            buf_putc(b, '\'');
    }
}

/* Applies {"name": value, ...} as SET statements on s.  Returns 0, or -1
 * with e set. */
static int apply_properties(engine *en, engine_session *s, json_t *props, err *e)
{
    if (!props || json_is_null(props))
        return 0;
    if (!json_is_object(props))
        return err_set(e, ERR_USAGE, "properties must be a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach(props, k, v) {
        char *text = json_is_string(v) ? mem_strdup(json_string_value(v))
                                       : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        buf stmt = BUF_INIT;
        buf_puts(&stmt, "SET '");
        quote_into(&stmt, k);
        buf_puts(&stmt, "'='");
        quote_into(&stmt, text);
        buf_puts(&stmt, "';");
        free(text);
        engine_output quiet = {0};
        int rc = engine_execute(en, s, stmt.data, stmt.len, &quiet, e);
        buf_free(&stmt);
        if (rc) {
            char why[sizeof e->msg]; /* e->msg cannot be both source and target */
            snprintf(why, sizeof why, "%s", e->msg);
            return err_set(e, ERR_USAGE, "bad property '%s': %s", k, why);
        }
    }
    return 0;
}

/* Parses the request body as a JSON object with a string member `field`. */
static json_t *parse_body(job *j, const char *field, const char **text)
{
    json_error_t je;
    json_t *root = json_loadb(j->body, j->body_len, 0, &je);
    if (!root || !json_is_object(root)) {
        char msg[300];
        snprintf(msg, sizeof msg, "Invalid JSON in request: %s", root ? "not an object" : je.text);
        respond_error(j, 400, 40000, "generic_error", msg, NULL, 0);
        json_decref(root);
        return NULL;
    }
    json_t *s = json_object_get(root, field);
    if (!json_is_string(s)) {
        char msg[128];
        snprintf(msg, sizeof msg, "The request must have a string member \"%s\"", field);
        respond_error(j, 400, 40000, "generic_error", msg, NULL, 0);
        json_decref(root);
        return NULL;
    }
    *text = json_string_value(s);
    return root;
}

/* ---- worker side: /ksql ------------------------------------------------ */

/* What one statement reported: messages and tables of text. */
typedef struct collect {
    buf messages;
    json_t *tables;  /* [{"columns": [...], "rows": [[...], ...]}, ...] */
    json_t *current; /* the table being filled */
    const schema *cols;
    job *j;
} collect;

static void col_message(void *ctx, const char *text)
{
    collect *c = ctx;
    if (c->messages.len)
        buf_putc(&c->messages, '\n');
    buf_puts(&c->messages, text);
}

static void col_header(void *ctx, const schema *cols, bool streaming)
{
    collect *c = ctx;
    (void)streaming;
    c->cols = cols;
    c->current = json_object();
    json_t *names = json_array();
    for (int i = 0; i < cols->n; i++)
        json_array_append_new(names, json_string(cols->cols[i].name));
    json_object_set_new(c->current, "columns", names);
    json_object_set_new(c->current, "rows", json_array());
    json_array_append_new(c->tables, c->current);
}

static void col_row(void *ctx, const value *vals)
{
    collect *c = ctx;
    if (!c->current)
        return;
    json_t *row = json_array();
    for (int i = 0; i < c->cols->n; i++) {
        if (vals[i].null) {
            json_array_append_new(row, json_null());
            continue;
        }
        buf b = BUF_INIT;
        value_to_text(&vals[i], c->cols->cols[i].type, &b);
        json_array_append_new(row, json_stringn(b.data ? b.data : "", b.len));
        buf_free(&b);
    }
    json_array_append_new(json_object_get(c->current, "rows"), row);
}

static void col_footer(void *ctx, const char *note)
{
    collect *c = ctx;
    (void)note;
    c->current = NULL;
}

static bool job_cancelled(void *ctx)
{
    job *j = ctx;
    return atomic_load(&j->cancelled) || atomic_load(&j->srv->stopping);
}

static bool col_cancelled(void *ctx)
{
    collect *c = ctx;
    return job_cancelled(c->j);
}

/* The cell `name` of a row of table t, or NULL. */
static const char *cell(json_t *t, json_t *row, const char *name)
{
    json_t *cols = json_object_get(t, "columns");
    size_t i;
    json_t *c;
    json_array_foreach(cols, i, c) {
        if (!strcmp(json_string_value(c), name))
            return json_string_value(json_array_get(row, i));
    }
    return NULL;
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

/* SHOW STREAMS|TABLES as ksqlDB's "streams" / "tables" entity. */
static void shape_sources(json_t *o, json_t *t, bool tables)
{
    json_object_set_new(o, "@type", json_string(tables ? "tables" : "streams"));
    json_t *list = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(t, "rows"), i, row) {
        const char *w = cell(t, row, "Windowed");
        json_array_append_new(
            list, json_pack("{s:s, s:o, s:o, s:o, s:o, s:b}", "type", tables ? "TABLE" : "STREAM", "name",
                            str_or_null(cell(t, row, tables ? "Table Name" : "Stream Name")), "topic",
                            str_or_null(cell(t, row, "Kafka Topic")), "keyFormat",
                            str_or_null(cell(t, row, "Key Format")), "valueFormat",
                            str_or_null(cell(t, row, "Value Format")), "isWindowed",
                            w && !strcasecmp(w, "true")));
    }
    json_object_set_new(o, tables ? "tables" : "streams", list);
}

static void shape_queries(json_t *o, json_t *t)
{
    json_object_set_new(o, "@type", json_string("queries"));
    json_t *list = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(t, "rows"), i, row) {
        const char *sink = cell(t, row, "Sink Name"), *topic = cell(t, row, "Sink Kafka Topic");
        /* the shell's Status cell is "RUNNING:1"; ksqlDB's RunningQuery
         * has the state alone and {"RUNNING": 1} as statusCount */
        const char *status = cell(t, row, "Status");
        size_t slen = status ? strcspn(status, ":") : 0;
        json_t *counts = json_object();
        if (status) {
            char state[32];
            snprintf(state, sizeof state, "%.*s", (int)slen, status);
            json_object_set_new(counts, state, json_integer(status[slen] == ':' ? atol(status + slen + 1) : 1));
        }
        json_array_append_new(
            list, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "queryString",
                            str_or_null(cell(t, row, "Query String")), "sinks",
                            sink ? json_pack("[s]", sink) : json_array(), "sinkKafkaTopics",
                            topic ? json_pack("[s]", topic) : json_array(), "id",
                            str_or_null(cell(t, row, "Query ID")), "queryType",
                            str_or_null(cell(t, row, "Query Type")), "state",
                            status ? json_stringn(status, slen) : json_null(), "statusCount", counts));
    }
    json_object_set_new(o, "queries", list);
}

static void shape_topics(json_t *o, json_t *t)
{
    json_object_set_new(o, "@type", json_string("kafka_topics"));
    json_t *list = json_array();
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(t, "rows"), i, row) {
        const char *parts = cell(t, row, "Partitions");
        json_t *replicas = json_array();
        for (int p = 0, n = parts ? atoi(parts) : 0; p < n && p < 100000; p++)
            json_array_append_new(replicas, json_integer(1));
        json_array_append_new(list, json_pack("{s:o, s:o}", "name", str_or_null(cell(t, row, "Kafka Topic")),
                                              "replicaInfo", replicas));
    }
    json_object_set_new(o, "topics", list);
}

/* Any other table: Eddy's own "table" entity with columns and rows. */
static void shape_table(json_t *o, json_t *t)
{
    json_object_set_new(o, "@type", json_string("table"));
    json_object_set(o, "columnNames", json_object_get(t, "columns"));
    json_object_set(o, "rows", json_object_get(t, "rows"));
}

/* A message as ksqlDB's currentStatus (statements that change the
 * catalog or the queries). */
static void shape_status(job *j, json_t *o, const ast_stmt *st, const char *message)
{
    json_object_set_new(o, "@type", json_string("currentStatus"));
    char id[320];
    if (st->kind == AST_CREATE_SOURCE || st->kind == AST_CREATE_AS)
        snprintf(id, sizeof id, "%s/`%s`/create",
                 (st->kind == AST_CREATE_SOURCE ? st->u.create.source : st->u.create_as.source) ==
                         AST_SOURCE_TABLE
                     ? "table"
                     : "stream",
                 st->kind == AST_CREATE_SOURCE ? st->u.create.name.name : st->u.create_as.name.name);
    else
        snprintf(id, sizeof id, "statement/%ld", atomic_load(&j->srv->next_command));
    json_object_set_new(o, "commandId", json_string(id));
    pthread_mutex_lock(&j->srv->status_mu);
    json_object_set_new(j->srv->statuses, id,
                        json_pack("{s:s, s:s}", "status", "SUCCESS", "message", message));
    pthread_mutex_unlock(&j->srv->status_mu);
    json_t *cs = json_pack("{s:s, s:s}", "status", "SUCCESS", "message", message);
    const char *q = strstr(message, "Created query with ID ");
    if (q) {
        q += strlen("Created query with ID ");
        json_object_set_new(cs, "queryId", json_stringn(q, strcspn(q, " \n")));
    }
    json_object_set_new(o, "commandStatus", cs);
    json_object_set_new(o, "commandSequenceNumber", json_integer(atomic_fetch_add(&j->srv->next_command, 1)));
}

static bool changes_state(ast_stmt_kind k)
{
    return k == AST_CREATE_SOURCE || k == AST_CREATE_AS || k == AST_INSERT_SELECT || k == AST_DROP ||
           k == AST_TERMINATE || k == AST_PAUSE || k == AST_RESUME || k == AST_CREATE_TYPE;
}

/* The entity for one statement that ran, or NULL when it reported
 * nothing (INSERT ... VALUES, as in ksqlDB). */
static json_t *ksql_entity(job *j, const ast_stmt *st, collect *c, const char *text, size_t len)
{
    json_t *t = json_array_size(c->tables) ? json_array_get(c->tables, 0) : NULL;
    if (!t && !c->messages.len)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "statementText", json_stringn(text, len));
    if (t && st->kind == AST_SHOW && st->u.show.what == AST_SHOW_STREAMS)
        shape_sources(o, t, false);
    else if (t && st->kind == AST_SHOW && st->u.show.what == AST_SHOW_TABLES)
        shape_sources(o, t, true);
    else if (t && st->kind == AST_SHOW && st->u.show.what == AST_SHOW_QUERIES)
        shape_queries(o, t);
    else if (t && st->kind == AST_SHOW && st->u.show.what == AST_SHOW_TOPICS)
        shape_topics(o, t);
    else if (t)
        shape_table(o, t);
    else if (changes_state(st->kind))
        shape_status(j, o, st, c->messages.data);
    else {
        json_object_set_new(o, "@type", json_string("message"));
        json_object_set_new(o, "message", json_string(c->messages.data));
    }
    if (t && c->messages.len)
        json_object_set_new(o, "message", json_string(c->messages.data));
    json_object_set_new(o, "warnings", json_array());
    return o;
}

/* Runs one statement of /ksql.  Returns its entity (may be NULL), or sets
 * *failed after answering with the error. */
static json_t *ksql_statement(job *j, engine_session *s, const ast_stmt *st, const char *src,
                              size_t len, bool *failed)
{
    const char *text = src + st->span.off;
    size_t tlen = st->span.len;
    /* statementText as ksqlDB gives it: with its ';' */
    buf stext = BUF_INIT;
    buf_append(&stext, text, tlen);
    buf_putc(&stext, ';');
    if (st->kind == AST_SELECT || st->kind == AST_PRINT) {
        respond_error(j, 400, 40002, "statement_error",
                      "The following statement types should be issued to the query endpoints "
                      "'/query-stream' or '/query':\n\t* PRINT\n\t* SELECT",
                      stext.data, stext.len);
        buf_free(&stext);
        *failed = true;
        return NULL;
    }
    collect col = {BUF_INIT, json_array(), NULL, NULL, j};
    engine_output out = {&col, col_message, col_header, col_row, col_footer, col_cancelled};
    err e;
    err_clear(&e);
    json_t *ent = NULL;
    if (engine_execute(j->srv->en, s, text, tlen, &out, &e)) {
        err_shift(&e, st->span.off);
        respond_statement_error(j, &e, src, len, stext.data, stext.len);
        *failed = true;
    } else
        ent = ksql_entity(j, st, &col, stext.data, stext.len);
    buf_free(&col.messages);
    json_decref(col.tables);
    buf_free(&stext);
    return ent;
}

static void run_ksql(job *j)
{
    const char *src;
    json_t *root = parse_body(j, "ksql", &src);
    if (!root)
        return;
    size_t len = strlen(src);
    engine_session s;
    engine_session_init(&s);
    err e;
    err_clear(&e);
    if (apply_properties(j->srv->en, &s, json_object_get(root, "streamsProperties"), &e)) {
        respond_error(j, 400, 40000, "generic_error", e.msg, NULL, 0);
        goto out;
    }
    arena a;
    arena_init(&a, 16384);
    parser p;
    json_t *entities = json_array();
    bool failed = false;
    /* A syntax error anywhere runs nothing, as in ksqlDB. */
    parser_init(&p, &a, src, len);
    while (parse_next(&p, &e))
        arena_reset(&a);
    if (e.code != ERR_OK) {
        respond_statement_error(j, &e, src, len, src, len);
        failed = true;
    }
    /* Then one statement at a time: each sees what the ones before it
     * created. */
    arena_reset(&a);
    parser_init(&p, &a, src, len);
    for (ast_stmt *st; !failed;) {
        err_clear(&e);
        st = parse_next(&p, &e);
        if (!st) {
            if (e.code != ERR_OK) {
                respond_statement_error(j, &e, src, len, src, len);
                failed = true;
            }
            break;
        }
        json_t *ent = ksql_statement(j, &s, st, src, len, &failed);
        if (ent)
            json_array_append_new(entities, ent);
    }
    if (!failed) {
        buf b = BUF_INIT;
        json_take(json_incref(entities), &b);
        job_respond(j, 200, JSON_TYPE, &b);
    }
    json_decref(entities);
    arena_free(&a);
out:
    engine_session_free(&s);
    json_decref(root);
}

/* ---- worker side: /query-stream ---------------------------------------- */

/* The header of a query's answer, written directly (it is on the path of
 * every pull query): {"queryId","columnNames","columnTypes"} then a
 * newline, or for /query [{"header":{"queryId","schema"}}. */
static void qs_header(void *ctx, const schema *cols, bool streaming)
{
    job *j = ctx;
    if (j->began)
        return; /* one result set per query */
    j->columns = cols;
    j->began = true;
    char id[64];
    snprintf(id, sizeof id, "%s_%ld", streaming ? "transient" : "pull",
             atomic_fetch_add(&j->srv->next_query, 1));
    pthread_mutex_lock(&j->mu);
    snprintf(j->query_id, sizeof j->query_id, "%s", id);
    pthread_mutex_unlock(&j->mu);
    buf b = BUF_INIT, t = BUF_INIT;
    buf_printf(&b, "%s\"queryId\":\"%s\",", j->legacy ? "[{\"header\":{" : "{", id);
    if (j->legacy) {
        /* "schema":"`ID` INTEGER, ..." */
        buf sch = BUF_INIT;
        for (int i = 0; i < cols->n; i++) {
            buf_printf(&sch, "%s`%s` ", i ? ", " : "", cols->cols[i].name);
            types_print(cols->cols[i].type, &sch);
        }
        buf_puts(&b, "\"schema\":");
        serde_json_string(sch.data ? sch.data : "", sch.len, &b);
        buf_puts(&b, "}}");
        buf_free(&sch);
        job_post(j, EV_BEGIN, 200, JSON_TYPE, NULL);
    } else {
        buf_puts(&b, "\"columnNames\":[");
        for (int i = 0; i < cols->n; i++) {
            buf_puts(&b, i ? "," : "");
            serde_json_string(cols->cols[i].name, strlen(cols->cols[i].name), &b);
        }
        buf_puts(&b, "],\"columnTypes\":[");
        for (int i = 0; i < cols->n; i++) {
            buf_reset(&t);
            types_print(cols->cols[i].type, &t);
            buf_puts(&b, i ? "," : "");
            serde_json_string(t.data, t.len, &b);
        }
        buf_puts(&b, "]}\n");
        job_post(j, EV_BEGIN, 200, DELIMITED_TYPE, NULL);
    }
    buf_free(&t);
    job_post(j, EV_CHUNK, 0, NULL, &b);
}

static void qs_row(void *ctx, const value *vals)
{
    job *j = ctx;
    if (!j->columns)
        return;
    buf b = BUF_INIT;
    buf_puts(&b, j->legacy ? ",\n{\"row\":{\"columns\":[" : "[");
    for (int i = 0; i < j->columns->n; i++) {
        if (i)
            buf_putc(&b, ',');
        serde_value_to_json_text(&vals[i], j->columns->cols[i].type, &b);
    }
    buf_puts(&b, j->legacy ? "]}}" : "]\n");
    job_post(j, EV_CHUNK, 0, NULL, &b);
}

static void qs_footer(void *ctx, const char *note)
{
    job *j = ctx;
    (void)note;
    j->columns = NULL; /* the schema is the engine's, valid until here */
}

static void run_query(job *j)
{
    const char *src;
    json_t *root = parse_body(j, j->legacy ? "ksql" : "sql", &src);
    if (!root)
        return;
    const char *endpoint = j->legacy ? "/query" : "/query-stream";
    size_t len = strlen(src);
    engine_session s;
    engine_session_init(&s);
    err e;
    err_clear(&e);
    arena a;
    arena_init(&a, 16384);
    parser p;
    parser_init(&p, &a, src, len);
    ast_stmt *st = parse_next(&p, &e);
    if (!st && e.code == ERR_OK)
        err_set(&e, ERR_USAGE, "The request has no statement");
    if (!st) {
        respond_statement_error(j, &e, src, len, src, len);
        goto out;
    }
    ast_span span = st->span;
    bool is_select = st->kind == AST_SELECT;
    j->push = is_select && st->u.select->emit != AST_EMIT_NONE;
    err_clear(&e);
    if (parse_next(&p, &e) || e.code != ERR_OK) {
        respond_error(j, 400, 40001, "statement_error",
                      j->legacy ? "Expected exactly one SELECT statement in \"ksql\""
                                : "Expected exactly one SELECT statement in \"sql\"",
                      src, len);
        goto out;
    }
    if (!is_select) {
        char msg[128];
        snprintf(msg, sizeof msg, "Not a query: %s runs SELECT statements; use /ksql for others",
                 endpoint);
        respond_error(j, 400, 40001, "statement_error", msg, src, len);
        goto out;
    }
    if (apply_properties(j->srv->en, &s,
                         json_object_get(root, j->legacy ? "streamsProperties" : "properties"), &e)) {
        respond_error(j, 400, 40000, "generic_error", e.msg, NULL, 0);
        goto out;
    }
    if (j->on_loop && j->push) {
        j->deferred = true; /* a push query runs on a thread of its own */
        goto out;
    }
    engine_output out = {j, NULL, qs_header, qs_row, qs_footer, job_cancelled};
    err_clear(&e);
    s.lookups_only = j->on_loop;
    int rc = engine_execute(j->srv->en, &s, src + span.off, span.len, &out, &e);
    if (rc && e.code == ERR_DEFERRED && !j->began) {
        j->deferred = true; /* not a lookup: a worker thread runs it */
        goto out;
    }
    if (rc)
        err_shift(&e, span.off);
    if (rc && !j->began)
        respond_statement_error(j, &e, src, len, src, len);
    else {
        if (!j->began) /* a query with no result set at all */
            job_post(j, EV_BEGIN, 200, j->legacy ? JSON_TYPE : DELIMITED_TYPE, NULL);
        buf b = BUF_INIT;
        if (j->legacy)
            buf_puts(&b, j->began ? ",\n" : "[");
        if (rc) {
            buf msg = BUF_INIT;
            err_render(&e, src, len, &msg);
            json_t *em = json_pack("{s:s, s:i, s:s}", "@type", "generic_error", "error_code", 50000,
                                   "message", msg.data ? msg.data : "error");
            json_take(j->legacy ? json_pack("{s:o}", "errorMessage", em) : em, &b);
            buf_putc(&b, '\n');
            buf_free(&msg);
        } else if (j->legacy && j->began)
            buf_puts(&b, "{\"finalMessage\":\"Query Completed\"}");
        if (j->legacy)
            buf_puts(&b, "]\n");
        job_post(j, EV_CHUNK, 0, NULL, &b);
        buf_free(&b);
        job_post(j, EV_END, 0, NULL, NULL);
    }
out:
    arena_free(&a);
    engine_session_free(&s);
    json_decref(root);
}

/* ---- worker side: /inserts-stream --------------------------------------- */

/* One ack line: {"status":"ok","seq":N} or the error form. */
static void inserts_ack(job *j, long seq, int code, const char *message)
{
    json_t *o = code ? json_pack("{s:s, s:i, s:i, s:s}", "status", "error", "seq", (json_int_t)seq,
                                 "error_code", code, "message", message)
                     : json_pack("{s:s, s:i}", "status", "ok", "seq", (json_int_t)seq);
    buf b = BUF_INIT;
    json_take(o, &b);
    buf_putc(&b, '\n');
    job_post(j, EV_CHUNK, 0, NULL, &b);
}

/* The next line of the streamed body into line (without its '\n'):
 * waits for it.  Returns 1, 0 at the end of the body (or when the query
 * is cancelled), or -1 for a line longer than MAX_BODY_QUEUED. */
static int next_line(job *j, buf *line)
{
    buf_reset(line);
    pthread_mutex_lock(&j->mu);
    int rc;
    for (;;) {
        /* input.data is NULL until the first piece of the body arrives */
        const char *p = j->input.data ? j->input.data + j->input_off : "";
        size_t avail = j->input.len - j->input_off;
        const char *nl = avail ? memchr(p, '\n', avail) : NULL;
        if (nl || (j->input_end && avail)) {
            size_t n = nl ? (size_t)(nl - p) : avail;
            buf_append(line, p, n);
            j->input_off += nl ? n + 1 : n;
            rc = 1;
            break;
        }
        if (j->input_end || job_cancelled(j)) {
            rc = 0;
            break;
        }
        if (avail > MAX_BODY_QUEUED) {
            rc = -1;
            break;
        }
        pthread_cond_wait(&j->cv, &j->mu);
    }
    /* keep the buffer small, and let the loop read again */
    if (j->input.data && (j->input_off > RESUME_INPUT || j->input_off == j->input.len)) {
        memmove(j->input.data, j->input.data + j->input_off, j->input.len - j->input_off);
        j->input.len -= j->input_off;
        j->input_off = 0;
    }
    bool wake = j->paused && !j->resume && j->input.len - j->input_off < RESUME_INPUT;
    if (wake)
        j->resume = true;
    pthread_mutex_unlock(&j->mu);
    if (wake)
        uv_async_send(&j->async);
    return rc;
}

/* Runs one row line: its ack, error or not. */
static void insert_line(job *j, engine_session *s, const char *name, long seq, const buf *line, buf *stmt)
{
    json_error_t je;
    json_t *row = json_loadb(line->data ? line->data : "", line->len, 0, &je);
    buf msg = BUF_INIT;
    buf_reset(stmt);
    if (!row)
        buf_printf(&msg, "Invalid JSON in row: %s", je.text);
    else if (!inserts_statement(name, row, stmt, &msg)) {
        err e;
        err_clear(&e);
        engine_output quiet = {0};
        if (engine_execute(j->srv->en, s, stmt->data, stmt->len, &quiet, &e))
            buf_puts(&msg, e.msg);
    }
    inserts_ack(j, seq, msg.len ? 40000 : 0, msg.data);
    buf_free(&msg);
    json_decref(row);
}

static bool blank(const buf *line)
{
    for (size_t k = 0; k < line->len; k++)
        if (line->data[k] != ' ' && line->data[k] != '\t' && line->data[k] != '\r')
            return false;
    return true;
}

/* The body, read as it arrives: {"target": "NAME"} on the first line,
 * then one JSON object per line, each run as INSERT INTO NAME (...)
 * VALUES (...) and acked at once. */
static void run_inserts(job *j)
{
    buf line = BUF_INIT, stmt = BUF_INIT;
    int got = next_line(j, &line);
    json_error_t je;
    json_t *args = got > 0 ? json_loadb(line.data ? line.data : "", line.len, 0, &je) : NULL;
    if (got <= 0)
        snprintf(je.text, sizeof je.text, "%s", got < 0 ? "the line is longer than 1 MiB" : "no first line");
    json_t *target = json_object_get(args, "target");
    engine_session s;
    engine_session_init(&s);
    if (!json_is_string(target)) {
        char msg[300];
        snprintf(msg, sizeof msg, "The first line must be {\"target\": \"STREAM\"}%s%s",
                 args ? "" : ": ", args ? "" : je.text);
        respond_error(j, 400, 40000, "generic_error", msg, NULL, 0);
        goto out;
    }
    const char *name = json_string_value(target);
    err e;
    err_clear(&e);
    /* An unknown target is the request's error, before any ack. */
    buf_puts(&stmt, "DESCRIBE ");
    inserts_name(name, &stmt);
    buf_putc(&stmt, ';');
    engine_output quiet = {0};
    if (engine_execute(j->srv->en, &s, stmt.data, stmt.len, &quiet, &e)) {
        char msg[600];
        snprintf(msg, sizeof msg, "Cannot insert into '%s': %s", name, e.msg);
        respond_error(j, 400, 40001, "statement_error", msg, NULL, 0);
        goto out;
    }
    job_post(j, EV_BEGIN, 200, DELIMITED_TYPE, NULL);
    long seq = 0;
    while (!job_cancelled(j) && (got = next_line(j, &line)) > 0)
        if (!blank(&line)) /* blank lines are not rows */
            insert_line(j, &s, name, seq++, &line, &stmt);
    if (got < 0)
        inserts_ack(j, seq, 40000, "The row is longer than 1 MiB; the rest of the body is not read");
    job_post(j, EV_END, 0, NULL, NULL);
out:
    buf_free(&line);
    buf_free(&stmt);
    engine_session_free(&s);
    json_decref(args);
}

static void *job_main(void *arg)
{
    job *j = arg;
    if (j->kind == JOB_KSQL)
        run_ksql(j);
    else if (j->kind == JOB_INSERTS)
        run_inserts(j);
    else
        run_query(j);
    pthread_mutex_lock(&j->mu);
    j->done = true;
    pthread_mutex_unlock(&j->mu);
    uv_async_send(&j->async);
    return NULL;
}

/* ---- loop side --------------------------------------------------------- */

static void job_destroy(job *j)
{
    for (event *ev = j->head, *next; ev; ev = next) {
        next = ev->next;
        buf_free(&ev->data);
        free(ev);
    }
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    buf_free(&j->input);
    buf_free(&j->answer);
    free(j->body);
    free(j);
}

static void job_free(uv_handle_t *h)
{
    job_destroy(h->data);
}

static void job_unlink(job *j)
{
    if (j->push)
        j->srv->push_running--;
    if (j->prev)
        j->prev->next = j->next;
    else
        j->srv->jobs = j->next;
    if (j->next)
        j->next->prev = j->prev;
    j->next = j->prev = NULL;
}

/* A piece of /inserts-stream's body, for the worker (see next_line). */
static void job_on_body(void *ctx, const char *p, size_t n, bool end)
{
    job *j = ctx;
    pthread_mutex_lock(&j->mu);
    buf_append(&j->input, p, n);
    j->input_end |= end;
    if (!j->paused && j->input.len - j->input_off > MAX_BODY_QUEUED && j->req) {
        j->paused = true;
        http_pause_body(j->req, true);
    }
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

/* The connection went away before the response ended. */
static void job_on_close(void *ctx)
{
    job *j = ctx;
    j->req = NULL;
    atomic_store(&j->cancelled, true);
    pthread_mutex_lock(&j->mu);
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

static void job_apply(job *j, event *ev)
{
    http_request *req = j->req;
    if (!req)
        return;
    switch (ev->kind) {
    case EV_RESPOND:
        j->req = NULL;
        http_respond(req, ev->status, ev->content_type, ev->data.data, ev->data.len);
        break;
    case EV_BEGIN:
        http_begin_stream(req, ev->status, ev->content_type);
        break;
    case EV_CHUNK:
        http_stream_write(req, ev->data.data, ev->data.len);
        if (http_pending_bytes(req) > MAX_UNWRITTEN) {
            /* the client does not keep up: end its query */
            atomic_store(&j->cancelled, true);
        }
        break;
    case EV_END:
        j->req = NULL;
        http_stream_end(req);
        break;
    }
}

static void job_on_async(uv_async_t *a)
{
    job *j = a->data;
    pthread_mutex_lock(&j->mu);
    event *evs = j->head;
    j->head = j->tail = NULL;
    j->queued = 0;
    bool done = j->done;
    bool resume = j->resume;
    if (resume)
        j->paused = j->resume = false;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    if (resume && j->req)
        http_pause_body(j->req, false);
    /* Rows that came together go out as one chunk: one write, not one per
     * row (a write request costs more memory and time than a row). */
    event merged = {.kind = EV_CHUNK, .data = BUF_INIT};
    for (event *ev = evs, *next; ev; ev = next) {
        next = ev->next;
        if (ev->kind == EV_CHUNK)
            buf_append(&merged.data, ev->data.data, ev->data.len);
        if (merged.data.len && (ev->kind != EV_CHUNK || !next || next->kind != EV_CHUNK)) {
            job_apply(j, &merged);
            buf_reset(&merged.data);
        }
        if (ev->kind != EV_CHUNK)
            job_apply(j, ev);
        buf_free(&ev->data);
        free(ev);
    }
    buf_free(&merged.data);
    if (!done)
        return;
    /* the worker has posted its last event and is returning */
    pthread_join(j->thread, NULL);
    if (j->req) { /* cannot happen: every job ends its response */
        http_request *req = j->req;
        j->req = NULL;
        http_respond(req, 500, JSON_TYPE, "{}", 2);
    }
    job_unlink(j);
    uv_close((uv_handle_t *)&j->async, job_free);
}

static bool refuse_if_stopping(server *srv, http_request *req)
{
    if (!atomic_load(&srv->stopping))
        return false;
    static const char m[] = "{\"@type\":\"generic_error\",\"error_code\":50300,\"message\":\"The server is shutting down\"}";
    http_respond(req, 503, JSON_TYPE, m, sizeof m - 1);
    return true;
}

static job *job_new(server *srv, http_request *req, job_kind kind, bool legacy)
{
    job *j = mem_alloc(sizeof *j);
    j->srv = srv;
    j->kind = kind;
    j->legacy = legacy;
    j->body = mem_strndup(req->body, req->body_len);
    j->body_len = req->body_len;
    j->req = req;
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    return j;
}

/* Runs j on a worker thread of its own. */
static void job_spawn(job *j)
{
    server *srv = j->srv;
    http_request *req = j->req;
    uv_async_init(&srv->loop, &j->async, job_on_async);
    j->async.data = j;
    req->on_close = job_on_close;
    req->on_close_ctx = j;
    j->next = srv->jobs;
    if (srv->jobs)
        srv->jobs->prev = j;
    srv->jobs = j;
    if (j->push)
        srv->push_running++;
    if (pthread_create(&j->thread, NULL, job_main, j) != 0) {
        job_unlink(j);
        req->on_close = NULL;
        uv_close((uv_handle_t *)&j->async, job_free);
        static const char m[] = "{\"@type\":\"generic_error\",\"error_code\":50000,\"message\":\"cannot start a worker thread\"}";
        http_respond(req, 500, JSON_TYPE, m, sizeof m - 1);
    }
}

static void job_start(server *srv, http_request *req, job_kind kind, bool legacy)
{
    if (refuse_if_stopping(srv, req))
        return;
    job *j = job_new(srv, req, kind, legacy);
    if (req->streamed) { /* the body comes as it arrives */
        req->on_body = job_on_body;
        req->on_body_ctx = j;
    } else
        j->input_end = true;
    job_spawn(j);
}

/* The answer of a query run on the loop, as one response with a
 * Content-Length: one write, where a worker's answer is streamed. */
static void job_answer_on_loop(job *j)
{
    /* every path of run_query answers; 500 would say one does not */
    http_respond(j->req, j->answer_status ? j->answer_status : 500, j->answer_type ? j->answer_type : JSON_TYPE, j->answer.data,
                 j->answer.len);
}

/* POST /query-stream or /query: a pull query by key is answered here on
 * the loop (it takes microseconds, and a thread per request cost more
 * than the query); any other query runs on a worker thread.  Push queries
 * beyond --max-push-queries are refused with 429. */
static void query_request(server *srv, http_request *req, bool legacy)
{
    if (refuse_if_stopping(srv, req))
        return;
    job *j = job_new(srv, req, JOB_QUERY, legacy);
    j->on_loop = true;
    run_query(j);
    j->on_loop = false;
    if (!j->deferred) {
        job_answer_on_loop(j);
        job_destroy(j);
        return;
    }
    if (j->push && srv->push_running >= srv->max_push) {
        char m[300];
        snprintf(m, sizeof m,
                 "{\"@type\":\"generic_error\",\"error_code\":42900,\"message\":\"Not running the push "
                 "query: %d push queries are running, the server's limit (--max-push-queries)\"}",
                 srv->push_running);
        http_respond(req, 429, JSON_TYPE, m, strlen(m));
        job_destroy(j);
        return;
    }
    job_spawn(j);
}

static void respond_json(http_request *req, int status, json_t *o)
{
    buf b = BUF_INIT;
    json_take(o, &b);
    http_respond(req, status, JSON_TYPE, b.data, b.len);
    buf_free(&b);
}

static json_t *error_entity(int code, const char *message)
{
    return json_pack("{s:s, s:i, s:s}", "@type", "generic_error", "error_code", code, "message", message);
}

/* POST /close-query {"queryId": "..."}: cancels the running query with that
 * id; its response then ends as a LIMIT would end it. */
static void close_query(server *srv, http_request *req)
{
    json_error_t je;
    json_t *root = json_loadb(req->body, req->body_len, 0, &je);
    json_t *id = json_object_get(root, "queryId");
    if (!json_is_string(id)) {
        json_decref(root);
        respond_json(req, 400, error_entity(40000, "The request must be {\"queryId\": \"...\"}"));
        return;
    }
    job *found = NULL;
    for (job *j = srv->jobs; j && !found; j = j->next) {
        pthread_mutex_lock(&j->mu);
        if (j->kind == JOB_QUERY && !strcmp(j->query_id, json_string_value(id)))
            found = j;
        pthread_mutex_unlock(&j->mu);
    }
    if (!found) {
        char msg[200];
        snprintf(msg, sizeof msg, "No query with id %.100s", json_string_value(id));
        json_decref(root);
        respond_json(req, 400, error_entity(40000, msg));
        return;
    }
    json_decref(root);
    atomic_store(&found->cancelled, true);
    pthread_mutex_lock(&found->mu);
    pthread_cond_broadcast(&found->cv);
    pthread_mutex_unlock(&found->mu);
    http_respond(req, 200, JSON_TYPE, "", 0);
}

/* An id as older ksqlDB clients write it, stream/NAME/create, with the
 * name quoted as the ids are: stream/`NAME`/create (into out). */
static const char *quote_entity(const char *id, char *out, size_t cap)
{
    const char *a = strchr(id, '/'), *b = a ? strrchr(id, '/') : NULL;
    if (!a || a == b || a[1] == '`')
        return id;
    snprintf(out, cap, "%.*s`%.*s`%s", (int)(a + 1 - id), id, (int)(b - a - 1), a + 1, b);
    return out;
}

/* GET /status: {"commandStatuses": {id: "SUCCESS", ...}}; GET
 * /status/ID: {"status": ..., "message": ...} of one command. */
static void command_status(server *srv, http_request *req)
{
    const char *id = NULL;
    char dec[512]; /* the id, %XX-decoded (clients encode the backticks) */
    if (req->path[7] == '/') {
        size_t n = 0;
        for (const char *p = req->path + 8; *p && n + 1 < sizeof dec; p++) {
            unsigned x;
            if (*p == '%' && sscanf(p + 1, "%2x", &x) == 1 && isxdigit((unsigned char)p[1]) &&
                isxdigit((unsigned char)p[2])) {
                dec[n++] = (char)x;
                p += 2;
            } else
                dec[n++] = *p;
        }
        dec[n] = '\0';
        id = dec;
    }
    json_t *o;
    int code = 200;
    char quoted[sizeof dec + 2];
    pthread_mutex_lock(&srv->status_mu);
    if (id) {
        o = json_object_get(srv->statuses, id);
        if (!o)
            o = json_object_get(srv->statuses, quote_entity(id, quoted, sizeof quoted));
        if (o)
            json_incref(o);
        else {
            code = 404;
            o = error_entity(40400, "No command with that id");
        }
    } else {
        json_t *all = json_object();
        const char *k;
        json_t *v;
        json_object_foreach(srv->statuses, k, v) json_object_set(all, k, json_object_get(v, "status"));
        o = json_pack("{s:o}", "commandStatuses", all);
    }
    pthread_mutex_unlock(&srv->status_mu);
    respond_json(req, code, o);
}

/* /inserts-stream's rows are read as they arrive. */
bool server_streamed_path(void *ctx, const char *method, const char *path)
{
    (void)ctx;
    return !strcmp(method, "POST") && !strcmp(path, "/inserts-stream");
}

static bool known_path(const char *path)
{
    static const char *const paths[] = {"/ksql", "/query", "/query-stream", "/close-query",
                                        "/inserts-stream", "/info", "/healthcheck", "/status"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (!strcmp(path, paths[i]))
            return true;
    return !strncmp(path, "/status/", 8);
}

void server_handle(void *ctx, http_request *req)
{
    server *srv = ctx;
    if (srv->auth && !auth_check_header(srv->auth, req->authorization)) {
        /* ksqlDB's answer to missing or wrong credentials */
        static const char m[] = "{\"@type\":\"generic_error\",\"error_code\":40100,\"message\":\"Unauthorized\"}";
        char challenge[96];
        snprintf(challenge, sizeof challenge, "WWW-Authenticate: %s\r\n", auth_challenge(srv->auth));
        http_respond_headers(req, 401, JSON_TYPE, challenge, m, sizeof m - 1);
        return;
    }
    bool get = !strcmp(req->method, "GET"), post = !strcmp(req->method, "POST");
    const char *path = req->path;
    if (!strcmp(path, "/ksql") && post)
        job_start(srv, req, JOB_KSQL, false);
    else if (!strcmp(path, "/query-stream") && post)
        query_request(srv, req, false);
    else if (!strcmp(path, "/query") && post)
        query_request(srv, req, true);
    else if (!strcmp(path, "/inserts-stream") && post)
        job_start(srv, req, JOB_INSERTS, false);
    else if (!strcmp(path, "/close-query") && post)
        close_query(srv, req);
    else if ((!strcmp(path, "/status") || !strncmp(path, "/status/", 8)) && get)
        command_status(srv, req);
    else if (!strcmp(path, "/info") && get)
        respond_json(req, 200,
                     json_pack("{s:{s:s, s:s, s:s, s:s}}", "KsqlServerInfo", "version", srv->version,
                               "kafkaClusterId", "eddy", "ksqlServiceId", "default_", "serverStatus",
                               atomic_load(&srv->stopping) ? "TERMINATING" : "RUNNING"));
    else if (!strcmp(path, "/healthcheck") && get)
        respond_json(req, 200,
                     json_pack("{s:b, s:{s:{s:b}, s:{s:b}}, s:s}", "isHealthy", 1, "details", "metastore",
                               "isHealthy", 1, "kafka", "isHealthy", 1, "serverState", "READY"));
    else if (known_path(path))
        respond_json(req, 405, error_entity(40500, "Method not allowed"));
    else
        respond_json(req, 404, error_entity(40400, "Not found"));
}

static void on_signal(uv_signal_t *h, int signum)
{
    server *srv = h->data;
    (void)signum;
    if (atomic_exchange(&srv->stopping, true))
        return;
    fprintf(stderr, "eddy server: shutting down\n");
    for (job *j = srv->jobs; j; j = j->next) {
        atomic_store(&j->cancelled, true);
        pthread_mutex_lock(&j->mu);
        pthread_cond_broadcast(&j->cv);
        pthread_mutex_unlock(&j->mu);
    }
    http_shutdown(srv->http);
    if (srv->pg)
        pgwire_shutdown(srv->pg);
    uv_close((uv_handle_t *)&srv->sigint, NULL);
    uv_close((uv_handle_t *)&srv->sigterm, NULL);
}

/* ---- the command ------------------------------------------------------- */

static void usage(FILE *f)
{
    fputs("usage: eddy server [--data DIR] [--listen HOST:PORT] [--pg-listen HOST:PORT]\n"
          "                   [--auth basic:FILE|token:FILE] [--max-push-queries N]\n"
          "                   [--idle-timeout SECONDS]\n"
          "\n"
          "Runs the engine on DIR (default ./eddy-data, or $EDDY_DATA) as a server with\n"
          "ksqlDB's REST API on HOST:PORT (default 127.0.0.1:8088; port 0 picks a free one).\n"
          "It prints 'listening on HOST:PORT' once it accepts connections.\n"
          "\n"
          "  POST /ksql          {\"ksql\": \"CREATE ...; INSERT ...;\", \"streamsProperties\": {}}\n"
          "  POST /query-stream  {\"sql\": \"SELECT ...;\", \"properties\": {}}  (rows streamed)\n"
          "  POST /query         {\"ksql\": \"SELECT ...;\", \"streamsProperties\": {}}  (the older\n"
          "                      form: a JSON array of {\"header\"} then {\"row\"} objects, streamed)\n"
          "  POST /close-query   {\"queryId\": \"...\"}  ends a running query\n"
          "  POST /inserts-stream  {\"target\": \"S\"} then one JSON row per line; one ack\n"
          "                      per row: {\"status\":\"ok\",\"seq\":N} or an error\n"
          "  GET  /status[/ID]   the status of the commands this server has run\n"
          "  GET  /info, GET /healthcheck\n"
          "\n"
          "With --pg-listen it also speaks the PostgreSQL wire protocol (v3, no TLS) on\n"
          "HOST:PORT, and prints 'pg listening on HOST:PORT': psql and other clients run\n"
          "pull queries, SHOW and DESCRIBE; other statements are refused.\n"
          "  psql -h 127.0.0.1 -p PORT -d eddy -c 'SELECT * FROM t;'\n"
          "\n"
          "With --auth every request needs credentials, else HTTP 401 (PostgreSQL clients\n"
          "are asked for a password and refused with 28P01):\n"
          "  basic:FILE  FILE has one user:password per line; HTTP clients send\n"
          "              'Authorization: Basic ...' (curl -u user:password), PostgreSQL\n"
          "              clients the user and password (PGPASSWORD)\n"
          "  token:FILE  FILE has one token per line; HTTP clients send 'Authorization:\n"
          "              Bearer TOKEN', PostgreSQL clients the token as the password\n"
          "Without --auth, listening on an address other than loopback prints a warning.\n"
          "\n"
          "SIGINT or SIGTERM stops it cleanly (exit status 0).\n"
          "\n"
          "  --data DIR             the data directory\n"
          "  --listen HOST:PORT     the address to listen on\n"
          "  --pg-listen HOST:PORT  also listen for PostgreSQL clients there\n"
          "  --auth SCHEME:FILE     require credentials (see above)\n"
          "  --max-push-queries N   push queries running at once (default 100); one more\n"
          "                         is refused with HTTP 429\n"
          "  --idle-timeout SECONDS close an HTTP or PostgreSQL connection idle that long\n"
          "                         (default 600, 0: never)\n"
          "  -h, --help             show this help\n",
          f);
}

/* Splits HOST:PORT ([v6]:PORT too).  Returns 0 or -1. */
static int parse_listen(const char *s, char *host, size_t hostlen, int *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return -1;
    const char *h = s;
    size_t hl = (size_t)(colon - s);
    if (*h == '[' && hl >= 2 && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl >= hostlen)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || p < 0 || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

/* Whether host names this machine's loopback interface only. */
static bool is_loopback(const char *host)
{
    return !strncmp(host, "127.", 4) || !strcmp(host, "::1") || !strcasecmp(host, "localhost");
}

static void warn_if_open(const server *srv, const char *what, const char *host, int port)
{
    if (!srv->auth && !is_loopback(host))
        fprintf(stderr,
                "eddy server: warning: %s on %s:%d without --auth: anyone who can reach it can "
                "read and change every stream and table\n",
                what, host, port);
}

static int server_run(server *srv, const char *data, const char *host, int port,
                      const char *pg_host, int pg_port, unsigned idle_timeout)
{
    engine_config cfg = {.data_dir = data, .background = true};
    buf warnings = BUF_INIT;
    err e;
    err_clear(&e);
    srv->en = engine_open(&cfg, &warnings, &e);
    if (warnings.len)
        fprintf(stderr, "eddy server: while replaying the command topic:\n%s", warnings.data);
    buf_free(&warnings);
    if (!srv->en) {
        fprintf(stderr, "eddy server: cannot open data directory %s: %s\n", data, e.msg);
        return 1;
    }
    char msg[256];
    srv->http = http_listen(&srv->loop, host, port, server_handle, srv, msg, sizeof msg);
    if (!srv->http) {
        fprintf(stderr, "eddy server: %s\n", msg);
        uv_run(&srv->loop, UV_RUN_DEFAULT); /* lets the listener close */
        uv_loop_close(&srv->loop);
        engine_close(srv->en);
        return 1;
    }
    if (pg_host) {
        srv->pg = pgwire_listen(&srv->loop, srv->en, pg_host, pg_port, srv->version, srv->auth, msg, sizeof msg);
        if (!srv->pg) {
            fprintf(stderr, "eddy server: --pg-listen: %s\n", msg);
            http_shutdown(srv->http);
            uv_run(&srv->loop, UV_RUN_DEFAULT);
            uv_loop_close(&srv->loop);
            engine_close(srv->en);
            return 1;
        }
    }
    http_set_idle_timeout(srv->http, idle_timeout);
    if (srv->pg)
        pgwire_set_idle_timeout(srv->pg, idle_timeout);
    http_set_streamed(srv->http, server_streamed_path);
    warn_if_open(srv, "HTTP", host, http_port(srv->http));
    if (srv->pg)
        warn_if_open(srv, "PostgreSQL", pg_host, pgwire_port(srv->pg));
    uv_signal_init(&srv->loop, &srv->sigint);
    uv_signal_init(&srv->loop, &srv->sigterm);
    srv->sigint.data = srv->sigterm.data = srv;
    uv_signal_start(&srv->sigint, on_signal, SIGINT);
    uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
    printf("eddy server %s: listening on %s:%d (data %s)\n", srv->version, host, http_port(srv->http), data);
    if (srv->pg)
        printf("eddy server %s: pg listening on %s:%d\n", srv->version, pg_host, pgwire_port(srv->pg));
    fflush(stdout);
    uv_run(&srv->loop, UV_RUN_DEFAULT);
    int rc = uv_loop_close(&srv->loop) == 0 ? 0 : 1;
    engine_close(srv->en);
    fprintf(stderr, "eddy server: stopped\n");
    return rc;
}

/* A whole number from 0 to 10^6.  Returns 0 or -1. */
static int parse_count(const char *s, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > 1000000)
        return -1;
    *out = v;
    return 0;
}

static int bad_number(const char *option, const char *value)
{
    fprintf(stderr, "eddy server: %s wants a whole number from 0 to 1000000, not '%s'\n", option, value);
    return 2;
}

int server_main(int argc, char **argv, const char *version)
{
    const char *data = getenv("EDDY_DATA");
    if (!data || !*data)
        data = "./eddy-data";
    const char *listen = "127.0.0.1:8088", *pg_listen = NULL, *auth_spec = NULL;
    long max_push = 100, idle_timeout = 600;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if ((!strcmp(a, "--data") || !strcmp(a, "-d")) && i + 1 < argc)
            data = argv[++i];
        else if (!strncmp(a, "--data=", 7))
            data = a + 7;
        else if (!strcmp(a, "--listen") && i + 1 < argc)
            listen = argv[++i];
        else if (!strncmp(a, "--listen=", 9))
            listen = a + 9;
        else if (!strcmp(a, "--pg-listen") && i + 1 < argc)
            pg_listen = argv[++i];
        else if (!strncmp(a, "--pg-listen=", 12))
            pg_listen = a + 12;
        else if (!strcmp(a, "--auth") && i + 1 < argc)
            auth_spec = argv[++i];
        else if (!strcmp(a, "--max-push-queries") && i + 1 < argc) {
            if (parse_count(argv[++i], &max_push))
                return bad_number(a, argv[i]);
        } else if (!strcmp(a, "--idle-timeout") && i + 1 < argc) {
            if (parse_count(argv[++i], &idle_timeout))
                return bad_number(a, argv[i]);
        }
        else {
            fprintf(stderr, "eddy server: unknown or incomplete option '%s' (see --help)\n", a);
            return 2;
        }
    }
    char host[256];
    int port;
    if (parse_listen(listen, host, sizeof host, &port)) {
        fprintf(stderr, "eddy server: --listen wants HOST:PORT, not '%s'\n", listen);
        return 2;
    }
    char pg_host[256];
    int pg_port = 0;
    if (pg_listen && parse_listen(pg_listen, pg_host, sizeof pg_host, &pg_port)) {
        fprintf(stderr, "eddy server: --pg-listen wants HOST:PORT, not '%s'\n", pg_listen);
        return 2;
    }
    char msg[600];
    auth *au = auth_spec ? auth_load(auth_spec, msg, sizeof msg) : NULL;
    if (auth_spec && !au) {
        fprintf(stderr, "eddy server: %s\n", msg);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a client that goes away is an error code, not a death */
    server *srv = server_new(NULL, version);
    srv->auth = au;
    srv->max_push = (int)max_push;
    int rc = server_run(srv, data, host, port, pg_listen ? pg_host : NULL, pg_port, (unsigned)idle_timeout);
    server_free(srv);
    return rc;
}

server *server_new(engine *en, const char *version)
{
    server *srv = mem_alloc(sizeof *srv);
    srv->en = en;
    srv->version = version;
    srv->max_push = 100;
    atomic_init(&srv->stopping, false);
    atomic_init(&srv->next_query, 1);
    atomic_init(&srv->next_command, 1);
    pthread_mutex_init(&srv->status_mu, NULL);
    srv->statuses = json_object();
    uv_loop_init(&srv->loop);
    return srv;
}

uv_loop_t *server_loop(server *srv) { return &srv->loop; }

void server_free(server *srv)
{
    auth_free(srv->auth);
    json_decref(srv->statuses);
    pthread_mutex_destroy(&srv->status_mu);
    free(srv);
}
