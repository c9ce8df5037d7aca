/* pgwire.c — see pgwire.h.  The loop side (accepting, framing messages,
 * writing) is at the bottom; above it, what a thread-pool worker does with
 * one Simple Query: parse, run each statement, encode the answer. */
#include "pgwire.h"
#include "tcp_listen.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/mem.h"
#include "../engine/serde.h"
#include "../engine/types.h"
#include "../engine/value.h"
#include "../parser/parse.h"
#include "pgparams.h"

/* Startup packets are small: a few parameters. */
#define MAX_STARTUP 10000
#define PROTO_SSL 80877103
#define PROTO_GSSENC 80877104
#define PROTO_CANCEL 80877102

/* PostgreSQL's type OIDs (pg_type.dat). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT4 23
#define OID_TEXT 25
#define OID_FLOAT8 701
#define OID_DATE 1082
#define OID_TIME 1083
#define OID_TIMESTAMP 1114
#define OID_NUMERIC 1700

typedef struct pg_conn pg_conn;
typedef struct pg_outcome pg_outcome;

struct pgwire {
    uv_loop_t *loop;
    engine *en;
    const char *version;
    const auth *auth; /* NULL: no password asked */
    uv_tcp_t listener;
    pg_conn *conns;
    bool stopping, listener_closed;
    atomic_bool cancel_all;
    int32_t next_pid;
    /* the idle sweep: a timer that closes connections idle for idle_ms */
    uv_timer_t sweep;
    uint64_t idle_ms;
    bool sweeping, sweep_closed;
};

struct pg_conn {
    uv_tcp_t tcp;
    pgwire *pw;
    pg_conn *next, *prev;
    buf in; /* bytes read and not yet handled, from in_off */
    size_t in_off;
    bool started;    /* the StartupMessage has been accepted */
    bool awaiting_password; /* AuthenticationCleartextPassword sent */
    char *user;      /* the StartupMessage's user, owned */
    bool ext_failed; /* an extended-protocol message was refused: skip to Sync */
    bool busy;       /* a query runs on the thread pool */
    bool closing;    /* uv_close called */
    bool closed;     /* the close callback ran */
    bool failed;     /* a FATAL error was sent: close once written */
    bool reading;
    bool deferred;   /* a query tried on the loop was not a lookup */
    atomic_bool gone; /* the query's answer will not be read: stop early */
    atomic_bool cancel; /* a CancelRequest named it while its query ran */
    uint64_t last_active; /* uv_now when it last read bytes or answered */
    int32_t pid, secret;
    engine_session session;
    uv_work_t work;
    char *query;            /* the query text of the running job, owned */
    pg_outcome *job_x;      /* where the job keeps its outcome (extended), or NULL */
    struct pg_named *named; /* prepared statements and portals */
    int nnamed;
    buf out; /* the job's answer */
    /* a memory connection (pgwire_open_memory): what it sends goes to
     * sink; eof is the client gone, seen once it reads again */
    pgwire_sink sink;
    void *sink_ctx;
    bool eof;
};

/* ---- encoding messages ------------------------------------------------ */

static void put_i32(buf *b, int32_t v)
{
    uint32_t u = (uint32_t)v;
    char c[4] = {(char)(u >> 24), (char)(u >> 16), (char)(u >> 8), (char)u};
    buf_append(b, c, 4);
}

static void put_i16(buf *b, int16_t v)
{
    uint16_t u = (uint16_t)v;
    char c[2] = {(char)(u >> 8), (char)u};
    buf_append(b, c, 2);
}

static void put_str(buf *b, const char *s)
{
    buf_append(b, s, strlen(s) + 1);
}

static uint32_t get_u32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

/* Starts message `type`; returns where its length goes (msg_end fills it). */
static size_t msg_begin(buf *b, char type)
{
    buf_putc(b, type);
    size_t at = b->len;
    put_i32(b, 0);
    return at;
}

static void msg_end(buf *b, size_t at)
{
    uint32_t n = (uint32_t)(b->len - at);
    unsigned char *p = (unsigned char *)b->data + at;
    p[0] = (unsigned char)(n >> 24), p[1] = (unsigned char)(n >> 16);
    p[2] = (unsigned char)(n >> 8), p[3] = (unsigned char)n;
}

static void msg_ready(buf *b)
{
    size_t at = msg_begin(b, 'Z');
    buf_putc(b, 'I');
    msg_end(b, at);
}

static void msg_param(buf *b, const char *name, const char *value)
{
    size_t at = msg_begin(b, 'S');
    put_str(b, name);
    put_str(b, value);
    msg_end(b, at);
}

/* ErrorResponse: severity, SQLSTATE, message; position (1-based, 0 for
 * none) and hint when given. */
static void msg_error(buf *b, const char *severity, const char *sqlstate, const char *message, int position,
                      const char *hint)
{
    size_t at = msg_begin(b, 'E');
    buf_putc(b, 'S');
    put_str(b, severity);
    buf_putc(b, 'V');
    put_str(b, severity);
    buf_putc(b, 'C');
    put_str(b, sqlstate);
    buf_putc(b, 'M');
    put_str(b, message);
    if (position > 0) {
        char p[16];
        snprintf(p, sizeof p, "%d", position);
        buf_putc(b, 'P');
        put_str(b, p);
    }
    if (hint && *hint) {
        buf_putc(b, 'H');
        put_str(b, hint);
    }
    buf_putc(b, '\0');
    msg_end(b, at);
}

static void msg_complete(buf *b, const char *tag)
{
    size_t at = msg_begin(b, 'C');
    put_str(b, tag);
    msg_end(b, at);
}

/* ---- worker side: one Simple Query ------------------------------------ */

/* The SQLSTATE of an engine error. */
static const char *err_sqlstate(err_code c)
{
    switch (c) {
    case ERR_SYNTAX: return "42601";
    case ERR_UNKNOWN_SOURCE: return "42P01";
    case ERR_UNKNOWN_COLUMN: return "42703";
    case ERR_UNKNOWN_FUNCTION: return "42883";
    case ERR_UNKNOWN_QUERY: return "42704";
    case ERR_UNKNOWN_TOPIC: return "42704";
    case ERR_TYPE: return "42804";
    case ERR_ALREADY_EXISTS: return "42710";
    case ERR_UNSUPPORTED: return "0A000";
    case ERR_IN_USE: return "55006";
    case ERR_EVAL: return "22000";
    case ERR_TOO_DEEP: return "54001";
    case ERR_IO: return "58030";
    case ERR_CORRUPT: return "XX001";
    default: return "42000";
    }
}

/* An ErrorResponse for e, whose span points into src: the message is the
 * first line of Eddy's rendering (`line L:C: ...`), the position is the
 * span's start, the hint Eddy's hint. */
static void error_from_err(buf *out, const err *e, const char *src, size_t len)
{
    err plain = *e;
    plain.hint[0] = '\0';
    buf text = BUF_INIT;
    err_render(&plain, src, len, &text);
    const char *m = text.data ? text.data : "error";
    char *nl = strchr(m, '\n');
    if (nl)
        *nl = '\0';
    int pos = 0;
    if (e->has_span && e->off <= len) {
        /* PostgreSQL counts characters, not bytes */
        pos = 1;
        for (size_t i = 0; i < e->off; i++)
            pos += ((unsigned char)src[i] & 0xC0) != 0x80;
    }
    msg_error(out, "ERROR", err_sqlstate(e->code), m, pos, e->hint);
    buf_free(&text);
}

/* What one statement gave, kept for the extended protocol: Describe sends
 * the row description, Execute the rows and the tag. */
struct pg_outcome {
    bool ran, empty;
    buf desc;     /* a RowDescription, or nothing (NoData) */
    buf rows;     /* DataRows */
    char tag[64]; /* CommandComplete's */
    buf error;    /* an ErrorResponse when it failed */
};

/* The engine_output of one statement: a Simple Query's answer goes to out,
 * an extended one's to x (its first set of rows only). */
typedef struct pg_result {
    pg_conn *c;
    buf *out;
    pg_outcome *x;
    const schema *cols;
    long rows;
    int sets;
    bool in_set;
    buf messages;
} pg_result;

static int32_t type_oid(const sqltype *t, int16_t *size)
{
    *size = -1;
    switch (t->kind) {
    case TYPE_BOOLEAN: *size = 1; return OID_BOOL;
    case TYPE_INT: *size = 4; return OID_INT4;
    case TYPE_BIGINT: *size = 8; return OID_INT8;
    case TYPE_DOUBLE: *size = 8; return OID_FLOAT8;
    case TYPE_DECIMAL: return OID_NUMERIC;
    case TYPE_DATE: *size = 4; return OID_DATE;
    case TYPE_TIME: *size = 8; return OID_TIME;
    case TYPE_TIMESTAMP: *size = 8; return OID_TIMESTAMP;
    default: return OID_TEXT; /* strings, base64 bytes, JSON composites */
    }
}

static void res_header(void *ctx, const schema *cols, bool streaming)
{
    pg_result *r = ctx;
    /* `streaming` is set for a pull query over a stream too: it ends by
     * itself.  Push queries were refused before running (no EMIT here). */
    (void)streaming;
    if (r->x && r->sets > 0)
        return; /* a portal has one row description */
    r->sets++;
    r->cols = cols;
    r->rows = 0;
    r->in_set = true;
    buf *b = r->x ? &r->x->desc : r->out;
    size_t at = msg_begin(b, 'T');
    put_i16(b, (int16_t)cols->n);
    for (int i = 0; i < cols->n; i++) {
        int16_t size;
        int32_t oid = type_oid(cols->cols[i].type, &size);
        put_str(b, cols->cols[i].name);
        put_i32(b, 0); /* table OID */
        put_i16(b, 0); /* column number */
        put_i32(b, oid);
        put_i16(b, size);
        put_i32(b, -1); /* type modifier */
        put_i16(b, 0);  /* text format */
    }
    msg_end(b, at);
}

/* One value in PostgreSQL's text format. */
static void value_pg_text(const value *v, const sqltype *t, buf *out)
{
    size_t start = out->len;
    switch (t->kind) {
    case TYPE_BOOLEAN: buf_putc(out, v->u.b ? 't' : 'f'); break;
    case TYPE_ARRAY:
    case TYPE_MAP:
    case TYPE_STRUCT: serde_value_to_json_text(v, t, out); break;
    default: value_to_text(v, t, out); break;
    }
    if (t->kind == TYPE_TIMESTAMP) {
        /* ISO 8601's 'T' as PostgreSQL's DateStyle ISO writes it: a space */
        char *tp = memchr(out->data + start, 'T', out->len - start);
        if (tp)
            *tp = ' ';
    }
}

static void res_row(void *ctx, const value *vals)
{
    pg_result *r = ctx;
    if (!r->in_set)
        return;
    buf *b = r->x ? &r->x->rows : r->out;
    size_t at = msg_begin(b, 'D');
    put_i16(b, (int16_t)r->cols->n);
    for (int i = 0; i < r->cols->n; i++) {
        if (vals[i].null) {
            put_i32(b, -1);
            continue;
        }
        size_t len_at = b->len;
        put_i32(b, 0);
        value_pg_text(&vals[i], r->cols->cols[i].type, b);
        uint32_t n = (uint32_t)(b->len - len_at - 4);
        unsigned char *p = (unsigned char *)b->data + len_at;
        p[0] = (unsigned char)(n >> 24), p[1] = (unsigned char)(n >> 16);
        p[2] = (unsigned char)(n >> 8), p[3] = (unsigned char)n;
    }
    msg_end(b, at);
    r->rows++;
}

static void res_footer(void *ctx, const char *note)
{
    pg_result *r = ctx;
    (void)note;
    if (!r->in_set)
        return;
    char tag[48];
    snprintf(tag, sizeof tag, "SELECT %ld", r->rows);
    if (r->x)
        snprintf(r->x->tag, sizeof r->x->tag, "%s", tag);
    else
        msg_complete(r->out, tag);
    r->in_set = false;
    r->cols = NULL; /* the schema is the engine's, valid until here */
}

static void res_message(void *ctx, const char *text)
{
    pg_result *r = ctx;
    if (r->messages.len)
        buf_putc(&r->messages, '\n');
    buf_puts(&r->messages, text);
}

static bool res_cancelled(void *ctx)
{
    pg_result *r = ctx;
    return atomic_load(&r->c->gone) || atomic_load(&r->c->cancel) || atomic_load(&r->c->pw->cancel_all);
}

/* Whether statement st may run here; if not, sets e (spanning it). */
static bool statement_allowed(const ast_stmt *st, err *e)
{
    switch (st->kind) {
    case AST_SELECT:
        if (st->u.select->emit == AST_EMIT_NONE)
            return true;
        /* fall through */
    case AST_PRINT:
        err_at(e, ERR_UNSUPPORTED, st->span.off, st->span.len,
               "push queries are not supported over the PostgreSQL protocol");
        err_hint(e, "Use POST /query-stream on the HTTP API, or a pull query (no EMIT CHANGES).");
        return false;
    case AST_SHOW:
    case AST_DESCRIBE:
    case AST_DESCRIBE_FUNCTION:
    case AST_EXPLAIN: return true;
    default:
        err_at(e, ERR_UNSUPPORTED, st->span.off, st->span.len,
               "only pull queries, SHOW, DESCRIBE and EXPLAIN run over the PostgreSQL protocol");
        err_hint(e, "Statements that change the catalog or write rows go to POST /ksql on the HTTP API.");
        return false;
    }
}

/* The command tag of a statement that reported no rows. */
static const char *statement_tag(const ast_stmt *st)
{
    switch (st->kind) {
    case AST_SHOW: return "SHOW";
    case AST_EXPLAIN: return "EXPLAIN";
    case AST_SELECT: return "SELECT 0";
    default: return "DESCRIBE";
    }
}

/* Runs one statement of the query src; appends its answer to out (a
 * Simple Query) or keeps it in x (extended).  Returns 0, or -1 after an
 * ErrorResponse. */
static int run_statement(pg_conn *c, const ast_stmt *st, const char *src, size_t len, buf *out, pg_outcome *x)
{
    err e;
    err_clear(&e);
    if (!statement_allowed(st, &e)) {
        error_from_err(x ? &x->error : out, &e, src, len);
        return -1;
    }
    pg_result r = {c, out, x, NULL, 0, 0, false, BUF_INIT};
    engine_output eo = {&r, res_message, res_header, res_row, res_footer, res_cancelled};
    int rc = engine_execute(c->pw->en, &c->session, src + st->span.off, st->span.len, &eo, &e);
    if (rc && e.code == ERR_DEFERRED) {
        c->deferred = true; /* not a lookup: the query runs again on the pool */
        buf_free(&r.messages);
        return -1;
    }
    if (rc) {
        err_shift(&e, st->span.off);
        error_from_err(x ? &x->error : out, &e, src, len);
    } else if (x) {
        if (r.in_set)
            res_footer(&r, NULL);
        if (!r.sets)
            snprintf(x->tag, sizeof x->tag, "%s", statement_tag(st));
    } else if (!r.sets) {
        /* no result set: the messages as a notice */
        if (r.messages.len) {
            size_t at = msg_begin(out, 'N');
            buf_putc(out, 'S');
            put_str(out, "NOTICE");
            buf_putc(out, 'V');
            put_str(out, "NOTICE");
            buf_putc(out, 'C');
            put_str(out, "00000");
            buf_putc(out, 'M');
            put_str(out, r.messages.data);
            buf_putc(out, '\0');
            msg_end(out, at);
        }
        msg_complete(out, statement_tag(st));
    } else if (r.in_set) /* a set the engine did not end */
        res_footer(&r, NULL);
    buf_free(&r.messages);
    return rc;
}

/* The whole answer to a Simple Query, up to ReadyForQuery. */
static void run_query(pg_conn *c, const char *src, buf *out)
{
    size_t len = strlen(src);
    arena a;
    arena_init(&a, 16384);
    parser p;
    err e;
    err_clear(&e);
    /* A syntax error anywhere runs nothing, as on /ksql. */
    int n = 0;
    parser_init(&p, &a, src, len);
    while (parse_next(&p, &e)) {
        n++;
        arena_reset(&a);
    }
    if (e.code != ERR_OK)
        error_from_err(out, &e, src, len);
    else if (n == 0) {
        size_t at = msg_begin(out, 'I'); /* EmptyQueryResponse */
        msg_end(out, at);
    } else {
        arena_reset(&a);
        parser_init(&p, &a, src, len);
        for (ast_stmt *st; (st = parse_next(&p, &e));) {
            if (run_statement(c, st, src, len, out, NULL))
                break;
            err_clear(&e);
        }
    }
    msg_ready(out);
    arena_free(&a);
}

/* One prepared statement's outcome (extended protocol): it must hold one
 * statement at most, as in PostgreSQL. */
static void run_prepared(pg_conn *c, const char *src, pg_outcome *x)
{
    size_t len = strlen(src);
    arena a;
    arena_init(&a, 16384);
    parser p;
    err e;
    err_clear(&e);
    int n = 0;
    uint32_t second = 0;
    parser_init(&p, &a, src, len);
    for (ast_stmt *st; (st = parse_next(&p, &e)); arena_reset(&a))
        if (++n == 2)
            second = st->span.off;
    if (e.code != ERR_OK)
        error_from_err(&x->error, &e, src, len);
    else if (n == 0)
        x->empty = true;
    else if (n > 1) {
        err_at(&e, ERR_SYNTAX, second, 1, "cannot insert multiple commands into a prepared statement");
        error_from_err(&x->error, &e, src, len);
    } else {
        arena_reset(&a);
        parser_init(&p, &a, src, len);
        ast_stmt *st = parse_next(&p, &e);
        if (st)
            run_statement(c, st, src, len, NULL, x);
    }
    x->ran = true;
    arena_free(&a);
}

/* A query a CancelRequest named before its answer was sent answers only
 * this, as in PostgreSQL (the engine may have stopped it early). */
static void cancelled_answer(pg_conn *c)
{
    const char *m = "canceling statement due to user request";
    if (c->job_x) {
        buf_reset(&c->job_x->desc);
        buf_reset(&c->job_x->rows);
        buf_reset(&c->job_x->error);
        msg_error(&c->job_x->error, "ERROR", "57014", m, 0, NULL);
        return;
    }
    buf_reset(&c->out);
    msg_error(&c->out, "ERROR", "57014", m, 0, NULL);
    msg_ready(&c->out);
}

static void work_run(uv_work_t *w)
{
    pg_conn *c = w->data;
    if (c->job_x)
        run_prepared(c, c->query, c->job_x);
    else
        run_query(c, c->query, &c->out);
}

/* ---- loop side: connections ------------------------------------------- */

/* A prepared statement or a portal: the text of one statement, and its
 * outcome once a Describe or Execute has run it. */
typedef struct pg_named {
    struct pg_named *next;
    bool portal;
    char *name, *text;
    /* a statement's placeholders ($1..$nparams) and the types Parse
     * declared for the first ntypes of them (0: unknown) */
    int nparams, ntypes;
    int32_t *types;
    pg_outcome x;
} pg_named;

#define PGWIRE_STR_(x) #x
#define PGWIRE_STR(x) PGWIRE_STR_(x)

/* Prepared statements and portals a connection may hold at once. */
#define MAX_NAMED 1000

static pg_named *named_find(pg_conn *c, bool portal, const char *name)
{
    for (pg_named *n = c->named; n; n = n->next)
        if (n->portal == portal && !strcmp(n->name, name))
            return n;
    return NULL;
}

static void named_drop(pg_conn *c, bool portal, const char *name)
{
    for (pg_named **pp = &c->named; *pp; pp = &(*pp)->next) {
        pg_named *n = *pp;
        if (n->portal == portal && !strcmp(n->name, name)) {
            *pp = n->next;
            free(n->name);
            free(n->text);
            free(n->types);
            buf_free(&n->x.desc);
            buf_free(&n->x.rows);
            buf_free(&n->x.error);
            free(n);
            c->nnamed--;
            return;
        }
    }
}

/* Adds (or replaces) one; text is copied. */
static pg_named *named_put(pg_conn *c, bool portal, const char *name, const char *text)
{
    named_drop(c, portal, name);
    pg_named *n = mem_alloc(sizeof *n);
    n->portal = portal;
    n->name = mem_strdup(name);
    n->text = mem_strdup(text);
    n->next = c->named;
    c->named = n;
    c->nnamed++;
    return n;
}

static void pw_maybe_free(pgwire *pw)
{
    if (pw->stopping && pw->listener_closed && !pw->conns && (!pw->sweeping || pw->sweep_closed))
        free(pw);
}

static void conn_free(pg_conn *c)
{
    pgwire *pw = c->pw;
    if (c->prev)
        c->prev->next = c->next;
    else
        pw->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    while (c->named)
        named_drop(c, c->named->portal, c->named->name);
    buf_free(&c->in);
    buf_free(&c->out);
    free(c->query);
    free(c->user);
    engine_session_free(&c->session);
    free(c);
    pw_maybe_free(pw);
}

static void on_closed(uv_handle_t *h)
{
    pg_conn *c = h->data;
    c->closed = true;
    if (!c->busy) /* else work_done frees it */
        conn_free(c);
}

static void conn_close(pg_conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    atomic_store(&c->gone, true);
    if (c->sink)
        c->sink(c->sink_ctx, NULL, 0); /* closed: no more input */
    uv_close((uv_handle_t *)&c->tcp, on_closed);
}

static void conn_read(pg_conn *c, bool on);

typedef struct pg_write {
    uv_write_t req;
    char *data;
} pg_write;

static void on_written(uv_write_t *req, int status)
{
    pg_write *w = (pg_write *)req;
    pg_conn *c = req->handle->data;
    free(w->data);
    free(w);
    if (status < 0)
        conn_close(c);
}

/* Writes b's bytes and empties b (the write owns them). */
static void conn_send(pg_conn *c, buf *b)
{
    if (!b->len || c->closing) {
        buf_reset(b);
        return;
    }
    if (c->sink) {
        c->sink(c->sink_ctx, b->data, b->len);
        buf_free(b);
        return;
    }
    pg_write *w = mem_alloc(sizeof *w);
    size_t n = b->len;
    w->data = buf_take(b);
    uv_buf_t ub = uv_buf_init(w->data, (unsigned)n);
    if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &ub, 1, on_written) < 0) {
        free(w->data);
        free(w);
        conn_close(c);
    }
}

static void on_shutdown(uv_shutdown_t *req, int status)
{
    pg_conn *c = req->handle->data;
    (void)status;
    free(req);
    conn_close(c);
}

/* Sends a FATAL error and closes once it is written. */
static void conn_fail(pg_conn *c, const char *sqlstate, const char *message)
{
    buf b = BUF_INIT;
    msg_error(&b, "FATAL", sqlstate, message, 0, NULL);
    conn_send(c, &b);
    conn_read(c, false);
    c->failed = true; /* nothing more is read or handled */
    if (c->sink) { /* written already */
        conn_close(c);
        return;
    }
    uv_shutdown_t *req = mem_alloc(sizeof *req);
    if (c->closing || uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) < 0) {
        free(req);
        conn_close(c);
    }
}

static void conn_process(pg_conn *c);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b);
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b);

/* Starts or stops reading (a connection reads nothing while it runs a
 * query or after a FATAL error). */
static void conn_read(pg_conn *c, bool on)
{
    if (on == c->reading || c->closing)
        return;
    c->reading = on;
    if (c->sink) {
        if (on && c->eof) /* the end of the input, read at last */
            conn_close(c);
        return;
    }
    if (!on)
        uv_read_stop((uv_stream_t *)&c->tcp);
    else if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
        conn_close(c);
}

static void work_done(uv_work_t *w, int status)
{
    pg_conn *c = w->data;
    (void)status;
    if (atomic_load(&c->cancel))
        cancelled_answer(c);
    c->busy = false;
    c->job_x = NULL;
    free(c->query);
    c->query = NULL;
    c->last_active = uv_now(c->pw->loop);
    if (c->closed) {
        conn_free(c);
        return;
    }
    conn_send(c, &c->out);
    if (c->closing)
        return;
    if (c->pw->stopping || c->failed) {
        conn_close(c);
        return;
    }
    conn_process(c);
}

static void send_welcome(pg_conn *c);

/* A CancelRequest (process id, secret key): the connection they name
 * stops the query it runs, if any; an unknown pair, or a connection with
 * no query running, is ignored.  No answer, as in PostgreSQL: the
 * requesting connection is closed. */
static void handle_cancel(pg_conn *c, const char *body, uint32_t len)
{
    if (len == 12) {
        int32_t pid = (int32_t)get_u32(body + 4), secret = (int32_t)get_u32(body + 8);
        for (pg_conn *t = c->pw->conns; t; t = t->next)
            if (t != c && t->pid == pid && t->secret == secret && t->busy && !t->closing)
                atomic_store(&t->cancel, true);
    }
    conn_close(c);
}

/* The startup packet: SSLRequest, CancelRequest or StartupMessage. */
static void handle_startup(pg_conn *c, const char *body, uint32_t len)
{
    uint32_t code = get_u32(body);
    buf b = BUF_INIT;
    if (code == PROTO_SSL || code == PROTO_GSSENC) {
        buf_putc(&b, 'N'); /* no encryption; the client goes on in clear */
        conn_send(c, &b);
        return;
    }
    if (code == PROTO_CANCEL) {
        handle_cancel(c, body, len);
        return;
    }
    if (code >> 16 != 3) {
        conn_fail(c, "0A000", "unsupported frontend protocol: Eddy speaks protocol 3.0");
        return;
    }
    if (len < 5 || body[len - 1] != '\0') {
        conn_fail(c, "08P01", "invalid startup packet layout: expected terminator as last byte");
        return;
    }
    c->started = true;
    /* name\0value\0 pairs after the protocol version, then \0 */
    for (const char *p = body + 4; p < body + len - 1 && *p;) {
        const char *v = p + strlen(p) + 1;
        if (v >= body + len)
            break;
        if (!strcmp(p, "user")) {
            free(c->user);
            c->user = mem_strdup(v);
        }
        p = v + strlen(v) + 1;
    }
    if (c->pw->auth) {
        c->awaiting_password = true;
        size_t at = msg_begin(&b, 'R');
        put_i32(&b, 3); /* AuthenticationCleartextPassword */
        msg_end(&b, at);
        conn_send(c, &b);
        return;
    }
    send_welcome(c);
}

/* AuthenticationOk, the parameters, BackendKeyData, ReadyForQuery. */
static void send_welcome(pg_conn *c)
{
    buf b = BUF_INIT;
    size_t at = msg_begin(&b, 'R');
    put_i32(&b, 0); /* AuthenticationOk */
    msg_end(&b, at);
    char version[128];
    snprintf(version, sizeof version, "14.0 (Eddy %s)", c->pw->version);
    msg_param(&b, "server_version", version);
    msg_param(&b, "server_encoding", "UTF8");
    msg_param(&b, "client_encoding", "UTF8");
    msg_param(&b, "DateStyle", "ISO, MDY");
    msg_param(&b, "integer_datetimes", "on");
    msg_param(&b, "standard_conforming_strings", "on");
    msg_param(&b, "TimeZone", "UTC");
    at = msg_begin(&b, 'K');
    put_i32(&b, c->pid);
    put_i32(&b, c->secret);
    msg_end(&b, at);
    msg_ready(&b);
    conn_send(c, &b);
}

/* Runs query (owned) on the thread pool: the answer of a Simple Query
 * when x is NULL, else the outcome kept in x. */
static void job_start(pg_conn *c, char *query, pg_outcome *x)
{
    c->query = query;
    c->job_x = x;
    c->busy = true;
    atomic_store(&c->cancel, false); /* a request for an earlier query is void */
    c->work.data = c;
    conn_read(c, false); /* read again once answered */
    if (uv_queue_work(c->pw->loop, &c->work, work_run, work_done) < 0) {
        c->busy = false;
        free(c->query);
        c->query = NULL;
        conn_fail(c, "53000", "cannot run the query: no worker available");
    }
}

/* A Simple Query: body is the query text with its NUL.  Pull queries by
 * key are answered here on the loop (they take microseconds); when the
 * engine declines a statement (ERR_DEFERRED), what was answered so far is
 * dropped and the whole query runs on the thread pool instead, which is
 * safe because nothing run here writes. */
static void handle_query(pg_conn *c, const char *body, uint32_t len)
{
    if (!len || body[len - 1] != '\0') {
        conn_fail(c, "08P01", "invalid Query message: the text must end with a NUL byte");
        return;
    }
    buf out = BUF_INIT;
    c->session.lookups_only = true;
    c->deferred = false;
    run_query(c, body, &out);
    c->session.lookups_only = false;
    if (!c->deferred) {
        conn_send(c, &out);
        return;
    }
    buf_free(&out);
    job_start(c, mem_strndup(body, len - 1), NULL);
}

/* ---- loop side: the extended protocol --------------------------------- */

/* Reads a message body; any overrun sets bad. */
typedef struct reader {
    const char *p;
    uint32_t left;
    bool bad;
} reader;

static const char *rd_str(reader *r)
{
    const char *nul = r->bad ? NULL : memchr(r->p, '\0', r->left);
    if (!nul) {
        r->bad = true;
        return "";
    }
    const char *s = r->p;
    r->left -= (uint32_t)(nul + 1 - r->p);
    r->p = nul + 1;
    return s;
}

static int32_t rd_int(reader *r, uint32_t size)
{
    if (r->bad || r->left < size) {
        r->bad = true;
        return 0;
    }
    int32_t v = size == 2 ? (int16_t)(((unsigned char)r->p[0] << 8) | (unsigned char)r->p[1])
                          : (int32_t)get_u32(r->p);
    r->p += size;
    r->left -= size;
    return v;
}

static void rd_skip(reader *r, int32_t n)
{
    if (r->bad || n < 0 || (uint32_t)n > r->left) {
        r->bad = true;
        return;
    }
    r->p += n;
    r->left -= (uint32_t)n;
}

/* An error in the extended protocol: sent, then messages are skipped up
 * to Sync. */
static void ext_error(pg_conn *c, const char *sqlstate, const char *message)
{
    buf b = BUF_INIT;
    msg_error(&b, "ERROR", sqlstate, message, 0, NULL);
    conn_send(c, &b);
    c->ext_failed = true;
}

static void send_empty(pg_conn *c, char type)
{
    buf b = BUF_INIT;
    size_t at = msg_begin(&b, type);
    msg_end(&b, at);
    conn_send(c, &b);
}

/* Parse: name, query, parameter types.  The statement runs at its first
 * Describe or Execute. */
static void handle_parse(pg_conn *c, reader *r)
{
    const char *name = rd_str(r), *text = rd_str(r);
    int n = rd_int(r, 2);
    int32_t *types = n > 0 ? mem_alloc((size_t)n * sizeof *types) : NULL;
    for (int i = 0; i < n && !r->bad; i++)
        types[i] = rd_int(r, 4);
    int nparams = r->bad ? 0 : pgparams_count(text);
    if (r->bad || n < 0) {
        free(types);
        conn_fail(c, "08P01", "invalid Parse message");
        return;
    }
    if (nparams < 0 || n > PGPARAMS_MAX) {
        free(types);
        ext_error(c, "54000", "too many parameters: a statement takes $1 to $" PGWIRE_STR(PGPARAMS_MAX));
        return;
    }
    if (!named_find(c, false, name) && c->nnamed >= MAX_NAMED) {
        free(types);
        ext_error(c, "53400", "too many prepared statements and portals on this connection");
        return;
    }
    pg_named *st = named_put(c, false, name, text);
    st->types = types;
    st->ntypes = n;
    st->nparams = nparams > n ? nparams : n;
    send_empty(c, '1'); /* ParseComplete */
}

/* Bind's parameter values into p (at most PGPARAMS_MAX): text format
 * only.  Returns their number, or -1 after an error (-2: malformed). */
static int bind_params(pg_conn *c, reader *r, const pg_named *st, pgparam *p)
{
    int nformats = rd_int(r, 2);
    bool binary = false;
    for (int i = 0; i < nformats && !r->bad; i++)
        binary |= rd_int(r, 2) != 0;
    int nparams = rd_int(r, 2);
    if (nparams < 0 || nparams > PGPARAMS_MAX)
        r->bad = true;
    for (int i = 0; i < nparams && !r->bad; i++) {
        p[i].len = rd_int(r, 4);
        p[i].data = r->p;
        p[i].oid = st && i < st->ntypes ? st->types[i] : 0;
        if (p[i].len < -1)
            r->bad = true;
        else if (p[i].len > 0)
            rd_skip(r, p[i].len);
    }
    if (r->bad)
        return -2;
    char m[200];
    if (st && nparams != st->nparams) {
        snprintf(m, sizeof m, "bind message supplies %d parameters, but prepared statement \"%.64s\" requires %d",
                 nparams, st->name, st->nparams);
        ext_error(c, "08P01", m);
        return -1;
    }
    if (binary && nparams) {
        ext_error(c, "0A000", "binary parameters are not supported: send them in text format");
        return -1;
    }
    return nparams;
}

/* Bind: portal, statement, parameter formats, parameters, result formats.
 * The portal holds the statement with its parameters as literals
 * (pgparams.h); results are in text format only. */
static void handle_bind(pg_conn *c, reader *r)
{
    const char *portal = rd_str(r), *stmt = rd_str(r);
    pg_named *st = r->bad ? NULL : named_find(c, false, stmt);
    pgparam *params = mem_alloc(PGPARAMS_MAX * sizeof *params);
    int nparams = bind_params(c, r, st, params);
    int nresults = rd_int(r, 2);
    bool binary = false;
    for (int i = 0; i < nresults && !r->bad; i++)
        binary |= rd_int(r, 2) != 0;
    char m[200], state[6];
    buf text = BUF_INIT;
    if (r->bad || nparams == -2)
        conn_fail(c, "08P01", "invalid Bind message");
    else if (!st) {
        snprintf(m, sizeof m, "prepared statement \"%.64s\" does not exist", stmt);
        ext_error(c, "26000", m);
    } else if (nparams < 0)
        ; /* answered */
    else if (binary)
        ext_error(c, "0A000", "binary result format is not supported: use text");
    else if (!named_find(c, true, portal) && c->nnamed >= MAX_NAMED)
        ext_error(c, "53400", "too many prepared statements and portals on this connection");
    else if (pgparams_substitute(st->text, params, nparams, &text, state, m, sizeof m))
        ext_error(c, state, m);
    else {
        named_put(c, true, portal, text.data ? text.data : "");
        send_empty(c, '2'); /* BindComplete */
    }
    buf_free(&text);
    free(params);
}

/* Describe or Execute of n: runs it first if it has not run.  Returns
 * false when a job was started (the message is handled again after). */
static bool ensure_ran(pg_conn *c, pg_named *n)
{
    if (n->x.ran)
        return true;
    if (n->portal || !n->nparams) {
        job_start(c, mem_strdup(n->text), &n->x);
        return false;
    }
    /* a statement with placeholders: NULL for each tells its columns */
    buf text = BUF_INIT;
    char state[6], m[8];
    pgparams_substitute(n->text, NULL, 0, &text, state, m, sizeof m);
    job_start(c, buf_take(&text), &n->x);
    return false;
}

static char rd_byte(reader *r)
{
    if (r->bad || r->left < 1) {
        r->bad = true;
        return 0;
    }
    r->left--;
    return *r->p++;
}

/* The statement or portal a Describe, Execute or Close names (kind 'S'
 * or 'P'), or NULL after an error. */
static pg_named *find_target(pg_conn *c, char kind, const char *name)
{
    pg_named *n = named_find(c, kind == 'P', name);
    if (!n) {
        char m[160];
        snprintf(m, sizeof m, "%s \"%.64s\" does not exist", kind == 'P' ? "portal" : "prepared statement",
                 name);
        ext_error(c, kind == 'P' ? "34000" : "26000", m);
    }
    return n;
}

/* The target of a Describe or Close message: 'S' (statement) or 'P'
 * (portal) and its name; false (the connection failed) when malformed. */
static bool read_target(pg_conn *c, reader *r, const char *what, char *kind, const char **name)
{
    *kind = rd_byte(r);
    *name = rd_str(r);
    if (r->bad || (*kind != 'S' && *kind != 'P')) {
        char m[64];
        snprintf(m, sizeof m, "invalid %s message", what);
        conn_fail(c, "08P01", m);
        return false;
    }
    return true;
}

/* Describe: ParameterDescription (statements) and RowDescription or
 * NoData.  Returns false when it must be handled again (see ensure_ran). */
static bool handle_describe(pg_conn *c, reader *r)
{
    char kind;
    const char *name;
    if (!read_target(c, r, "Describe", &kind, &name))
        return true;
    pg_named *n = find_target(c, kind, name);
    if (!n)
        return true;
    if (!ensure_ran(c, n))
        return false;
    buf b = BUF_INIT;
    if (n->x.error.len) {
        c->ext_failed = true;
        buf_append(&b, n->x.error.data, n->x.error.len);
        conn_send(c, &b);
        return true;
    }
    if (kind == 'S') { /* ParameterDescription: the declared types, else text */
        size_t at = msg_begin(&b, 't');
        put_i16(&b, (int16_t)n->nparams);
        for (int i = 0; i < n->nparams; i++)
            put_i32(&b, i < n->ntypes && n->types[i] ? n->types[i] : OID_TEXT);
        msg_end(&b, at);
    }
    if (n->x.desc.len)
        buf_append(&b, n->x.desc.data, n->x.desc.len);
    else {
        size_t at = msg_begin(&b, 'n'); /* NoData */
        msg_end(&b, at);
    }
    conn_send(c, &b);
    return true;
}

/* Execute: the portal's rows and CommandComplete (all rows: the row limit
 * is not honoured).  Returns false when it must be handled again. */
static bool handle_execute(pg_conn *c, reader *r)
{
    const char *name = rd_str(r);
    rd_int(r, 4); /* row limit */
    if (r->bad) {
        conn_fail(c, "08P01", "invalid Execute message");
        return true;
    }
    pg_named *n = find_target(c, 'P', name);
    if (!n)
        return true;
    if (!ensure_ran(c, n))
        return false;
    buf b = BUF_INIT;
    if (n->x.error.len) {
        c->ext_failed = true;
        buf_append(&b, n->x.error.data, n->x.error.len);
    } else if (n->x.empty) {
        size_t at = msg_begin(&b, 'I');
        msg_end(&b, at);
    } else {
        buf_append(&b, n->x.rows.data, n->x.rows.len);
        buf_reset(&n->x.rows); /* a second Execute has no rows left */
        msg_complete(&b, n->x.tag);
    }
    conn_send(c, &b);
    return true;
}

static void handle_close(pg_conn *c, reader *r)
{
    char kind;
    const char *name;
    if (!read_target(c, r, "Close", &kind, &name))
        return;
    named_drop(c, kind == 'P', name);
    send_empty(c, '3'); /* CloseComplete */
}

/* The answer to AuthenticationCleartextPassword: a PasswordMessage. */
static void handle_password(pg_conn *c, char type, const char *body, uint32_t len)
{
    if (type == 'X') {
        conn_close(c);
        return;
    }
    if (type != 'p' || !len || body[len - 1] != '\0') {
        conn_fail(c, "08P01", "expected a password message");
        return;
    }
    const char *user = c->user ? c->user : "";
    if (!auth_check_password(c->pw->auth, user, body)) {
        char m[200];
        snprintf(m, sizeof m, "password authentication failed for user \"%.100s\"", user);
        conn_fail(c, "28P01", m);
        return;
    }
    c->awaiting_password = false;
    send_welcome(c);
}

/* One message after startup.  Returns false when it must be handled
 * again once the job it started has ended. */
static bool handle_message(pg_conn *c, char type, const char *body, uint32_t len)
{
    buf b = BUF_INIT;
    reader r = {body, len, false};
    if (c->awaiting_password) {
        handle_password(c, type, body, len);
        return true;
    }
    if (c->ext_failed && strchr("PBDEC", type))
        return true; /* after an error, skip to Sync */
    switch (type) {
    case 'Q': handle_query(c, body, len); break;
    case 'X': conn_close(c); break;
    case 'P': handle_parse(c, &r); break;
    case 'B': handle_bind(c, &r); break;
    case 'D': return handle_describe(c, &r);
    case 'E': return handle_execute(c, &r);
    case 'C': handle_close(c, &r); break;
    case 'H': /* Flush: everything is sent as soon as it is ready */ break;
    case 'S':
        c->ext_failed = false;
        msg_ready(&b);
        conn_send(c, &b);
        break;
    default: {
        char m[80];
        snprintf(m, sizeof m, "invalid frontend message type %d", (unsigned char)type);
        conn_fail(c, "08P01", m);
    }
    }
    return true;
}

/* Handles every complete message buffered, until a query runs or the
 * connection closes. */
static void conn_process(pg_conn *c)
{
    while (!c->busy && !c->closing && !c->failed) {
        const char *p = c->in.data + c->in_off;
        size_t avail = c->in.len - c->in_off;
        size_t head = c->started ? 5 : 4;
        if (avail < head)
            break;
        uint32_t len = get_u32(p + head - 4);
        uint32_t max = c->started ? PGWIRE_MAX_MESSAGE : MAX_STARTUP;
        if (len < (c->started ? 4u : 8u) || len > max) {
            conn_fail(c, "08P01", len > max ? "message too large" : "invalid message length");
            break;
        }
        size_t total = head - 4 + len;
        if (avail < total)
            break;
        if (!c->started) {
            c->in_off += total;
            handle_startup(c, p + 4, len - 4);
        } else if (handle_message(c, p[0], p + 5, len - 4))
            c->in_off += total; /* else it is handled again after its job */
    }
    /* compact: drop what has been handled */
    if (c->in_off) {
        memmove(c->in.data, c->in.data + c->in_off, c->in.len - c->in_off);
        c->in.len -= c->in_off;
        c->in_off = 0;
    }
    if (!c->busy && !c->closing && !c->failed)
        conn_read(c, true);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    (void)h;
    b->base = mem_alloc(suggested);
    b->len = suggested;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    pg_conn *c = s->data;
    if (n > 0 && !c->closing) {
        buf_append(&c->in, b->base, (size_t)n);
        c->last_active = uv_now(c->pw->loop);
        conn_process(c);
    } else if (n < 0)
        conn_close(c);
    free(b->base);
}

/* A new connection, linked into pw; its tcp handle is initialised. */
static pg_conn *conn_new(pgwire *pw)
{
    pg_conn *c = mem_alloc(sizeof *c);
    c->pw = pw;
    c->pid = ++pw->next_pid;
    /* the key a CancelRequest must show: not guessable from outside */
    uint32_t key = 0;
    if (uv_random(NULL, NULL, &key, sizeof key, 0, NULL) < 0)
        key = (uint32_t)rand();
    c->secret = (int32_t)(key & 0x7fffffff);
    engine_session_init(&c->session);
    atomic_init(&c->gone, false);
    atomic_init(&c->cancel, false);
    c->last_active = uv_now(pw->loop);
    uv_tcp_init(pw->loop, &c->tcp);
    c->tcp.data = c;
    c->next = pw->conns;
    if (pw->conns)
        pw->conns->prev = c;
    pw->conns = c;
    return c;
}

static void on_connection(uv_stream_t *server, int status)
{
    pgwire *pw = server->data;
    if (status < 0 || pw->stopping)
        return;
    pg_conn *c = conn_new(pw);
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0) {
        conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    conn_read(c, true);
}

/* ---- the public side -------------------------------------------------- */

static void on_listener_closed(uv_handle_t *h)
{
    pgwire *pw = h->data;
    pw->listener_closed = true;
    pw_maybe_free(pw);
}

pgwire *pgwire_new(uv_loop_t *loop, engine *en, const char *version, const auth *credentials)
{
    pgwire *pw = mem_alloc(sizeof *pw);
    pw->auth = credentials;
    pw->loop = loop;
    pw->en = en;
    pw->version = version;
    atomic_init(&pw->cancel_all, false);
    uv_tcp_init(loop, &pw->listener);
    pw->listener.data = pw;
    return pw;
}

pgwire *pgwire_listen(uv_loop_t *loop, engine *en, const char *host, int port, const char *version,
                      const auth *credentials, char *errbuf, size_t errlen)
{
    pgwire *pw = pgwire_new(loop, en, version, credentials);
    if (tcp_listen_start(&pw->listener, host, port, on_connection, errbuf, errlen) < 0) {
        pgwire_shutdown(pw);
        return NULL;
    }
    return pw;
}

int pgwire_port(const pgwire *pw) { return tcp_listen_port(&pw->listener); }

pgwire_conn *pgwire_open_memory(pgwire *pw, pgwire_sink sink, void *sink_ctx)
{
    pg_conn *c = conn_new(pw);
    c->sink = sink;
    c->sink_ctx = sink_ctx;
    conn_read(c, true);
    return c;
}

void pgwire_memory_input(pgwire_conn *c, const char *data, size_t len)
{
    if (c->closing)
        return;
    if (!len) {
        c->eof = true;
        if (c->reading)
            conn_close(c);
        return;
    }
    buf_append(&c->in, data, len);
    c->last_active = uv_now(c->pw->loop);
    if (c->reading)
        conn_process(c);
}

/* Closes, with PostgreSQL's FATAL 57P05, every connection that has read
 * nothing and answered nothing for idle_ms and runs no query. */
static void on_sweep(uv_timer_t *t)
{
    pgwire *pw = t->data;
    uint64_t now = uv_now(pw->loop);
    for (pg_conn *c = pw->conns; c; c = c->next)
        if (!c->busy && !c->closing && !c->failed && now - c->last_active >= pw->idle_ms)
            conn_fail(c, "57P05", "terminating connection due to idle-session timeout");
}

void pgwire_set_idle_timeout(pgwire *pw, unsigned seconds)
{
    pw->idle_ms = (uint64_t)seconds * 1000;
    if (!seconds || pw->stopping)
        return;
    if (!pw->sweeping) {
        uv_timer_init(pw->loop, &pw->sweep);
        pw->sweep.data = pw;
        uv_unref((uv_handle_t *)&pw->sweep); /* it alone keeps no loop running */
        pw->sweeping = true;
    }
    /* a sweep every quarter of the timeout: closed within 1.25 of it */
    uint64_t every = pw->idle_ms / 4 ? pw->idle_ms / 4 : 1;
    uv_timer_start(&pw->sweep, on_sweep, every, every);
}

static void on_sweep_closed(uv_handle_t *h)
{
    pgwire *pw = h->data;
    pw->sweep_closed = true;
    pw_maybe_free(pw);
}

void pgwire_shutdown(pgwire *pw)
{
    if (pw->stopping)
        return;
    pw->stopping = true;
    atomic_store(&pw->cancel_all, true);
    if (pw->sweeping)
        uv_close((uv_handle_t *)&pw->sweep, on_sweep_closed);
    uv_close((uv_handle_t *)&pw->listener, on_listener_closed);
    for (pg_conn *c = pw->conns, *next; c; c = next) {
        next = c->next;
        conn_close(c);
    }
}
