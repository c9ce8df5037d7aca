/* http.c — see http.h. */
#include "http.h"
#include "tcp_listen.h"

#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/buf.h"
#include "../base/mem.h"

/* Bytes a client may send ahead of the response it waits for (pipelined
 * requests) before it is cut off. */
#define MAX_BACKLOG (HTTP_MAX_BODY + 128 * 1024)

struct http_server {
    uv_loop_t *loop;
    uv_tcp_t listener;
    http_handler handler;
    void *ctx;
    bool (*streamed)(void *ctx, const char *method, const char *path);
    http_conn *conns; /* every open connection, linked through next/prev */
    int nconns;
    bool stopping, listener_closed;
    /* the idle sweep: a timer that closes connections idle for idle_ms */
    uv_timer_t sweep;
    uint64_t idle_ms;
    bool sweeping, sweep_closed;
};

struct http_conn {
    uv_tcp_t tcp;
    http_server *srv;
    http_conn *next, *prev;
    http_parser parser;
    buf in;          /* bytes read and not parsed yet: in.data[in_off..in.len) */
    size_t in_off;
    /* the request being parsed, then handled */
    buf url, body, hfield, hvalue, authorization;
    size_t head_bytes; /* request line and headers so far (HTTP_MAX_HEADERS) */
    bool has_authorization;
    bool in_value;   /* the last header callback was for a value */
    bool expect_continue;
    int error_status; /* 413 or 431 when the body or the headers are too large */
    bool complete;   /* on_message_complete ran; the parser is paused */
    bool stream_body; /* the request was handed over at its headers; its body
                         goes to req.on_body as it is parsed */
    bool was_streamed; /* ... and it is complete: no second dispatch */
    bool paused;     /* http_pause_body: reading stopped */
    http_request req;
    bool busy;       /* req handed to the handler, its response not ended */
    bool keep_alive;
    bool streaming;  /* a chunked response is in progress */
    bool http10;     /* an HTTP/1.0 request: no chunked responses */
    bool in_feed;
    bool closing;
    size_t pending;  /* bytes queued in uv_write and not yet written */
    uint64_t last_active; /* uv_now when it last read bytes or ended a response */
    uv_shutdown_t shutdown;
    /* a memory connection (http_open_memory): what it writes goes here,
     * and it has no socket (tcp is only a handle to close) */
    http_sink sink;
    void *sink_ctx;
};

typedef struct write_req {
    uv_write_t w;
    http_conn *conn;
    size_t len;
    char data[];
} write_req;

static const char *status_text(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 401: return "Unauthorized";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

static void server_maybe_free(http_server *s)
{
    if (s->stopping && s->listener_closed && s->nconns == 0 && (!s->sweeping || s->sweep_closed))
        free(s);
}

static void on_conn_closed(uv_handle_t *h)
{
    http_conn *c = h->data;
    http_server *s = c->srv;
    buf_free(&c->in);
    buf_free(&c->url);
    buf_free(&c->body);
    buf_free(&c->hfield);
    buf_free(&c->hvalue);
    buf_free(&c->authorization);
    free(c);
    s->nconns--;
    server_maybe_free(s);
}

/* Closes at once (pending writes are dropped).  A handler still answering
 * hears of it through on_close. */
static void conn_close(http_conn *c)
{
    if (c->closing)
        return;
    c->closing = true;
    if (c->busy) {
        c->busy = false;
        if (c->req.on_close)
            c->req.on_close(c->req.on_close_ctx);
        c->req.on_close = NULL;
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        c->srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->next = c->prev = NULL;
    if (c->sink)
        c->sink(c->sink_ctx, NULL, 0); /* closed: no more input */
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_shutdown_done(uv_shutdown_t *r, int status)
{
    (void)status;
    http_conn *c = r->data;
    c->closing = false; /* conn_close does the rest */
    conn_close(c);
}

/* Closes once every queued byte has been written. */
static void conn_close_after_writes(http_conn *c)
{
    if (c->closing)
        return;
    if (c->sink) { /* everything is written already */
        conn_close(c);
        return;
    }
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->shutdown.data = c;
    if (uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, on_shutdown_done) == 0) {
        c->closing = true; /* no second close while the shutdown runs */
        return;
    }
    conn_close(c);
}

static void on_written(uv_write_t *w, int status)
{
    write_req *r = (write_req *)w;
    r->conn->pending -= r->len;
    if (status < 0 && status != UV_ECANCELED)
        conn_close(r->conn);
    free(r);
}

static void conn_write(http_conn *c, const char *a, size_t alen, const char *b, size_t blen,
                       const char *z, size_t zlen)
{
    if (c->closing)
        return;
    size_t n = alen + blen + zlen;
    if (c->sink) {
        c->sink(c->sink_ctx, a, alen);
        if (blen)
            c->sink(c->sink_ctx, b, blen);
        if (zlen)
            c->sink(c->sink_ctx, z, zlen);
        return;
    }
    write_req *r = mem_alloc(sizeof *r + n + 1);
    r->conn = c;
    r->len = n;
    memcpy(r->data, a, alen);
    if (blen)
        memcpy(r->data + alen, b, blen);
    if (zlen)
        memcpy(r->data + alen + blen, z, zlen);
    uv_buf_t ub = uv_buf_init(r->data, (unsigned)n);
    c->pending += n;
    if (uv_write(&r->w, (uv_stream_t *)&c->tcp, &ub, 1, on_written) < 0) {
        c->pending -= n;
        free(r);
        conn_close(c);
    }
}

static void feed(http_conn *c);
static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b);
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b);

/* Starts or stops reading from the socket (a memory connection has none:
 * its input waits in c->in while paused). */
static void conn_reading(http_conn *c, bool on)
{
    if (c->sink || c->closing)
        return;
    if (!on)
        uv_read_stop((uv_stream_t *)&c->tcp);
    else if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
        conn_close(c);
}

/* The response to c's current request has ended. */
static void request_done(http_conn *c)
{
    c->busy = false;
    c->streaming = false;
    c->req.on_close = NULL;
    c->req.on_body = NULL;
    if (c->paused) { /* the rest of the body is read and dropped */
        c->paused = false;
        conn_reading(c, true);
    }
    c->last_active = uv_now(c->srv->loop);
    if (!c->keep_alive || c->srv->stopping) {
        conn_close_after_writes(c);
        return;
    }
    feed(c);
}

/* An error answer to a request that never reached the handler; the
 * connection closes afterwards, since its byte stream cannot be trusted. */
static void respond_error_and_close(http_conn *c, int status, const char *message)
{
    buf b = BUF_INIT;
    buf_puts(&b, "{\"@type\":\"generic_error\",\"error_code\":");
    buf_printf(&b, "%d00", status);
    buf_puts(&b, ",\"message\":\"");
    buf_puts(&b, message);
    buf_puts(&b, "\"}");
    char head[256];
    int hn = snprintf(head, sizeof head,
                      "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n",
                      status, status_text(status), b.len);
    conn_write(c, head, (size_t)hn, b.data, b.len, NULL, 0);
    buf_free(&b);
    conn_close_after_writes(c);
}

/* ---- parsing ---------------------------------------------------------- */

static int on_message_begin(http_parser *p)
{
    http_conn *c = p->data;
    buf_reset(&c->url);
    buf_reset(&c->body);
    buf_reset(&c->hfield);
    buf_reset(&c->hvalue);
    buf_reset(&c->authorization);
    c->has_authorization = false;
    c->head_bytes = 0;
    c->in_value = false;
    c->expect_continue = false;
    return 0;
}

/* Counts n more bytes of request line and headers; false past the limit. */
static bool head_fits(http_conn *c, size_t n)
{
    c->head_bytes += n;
    if (c->head_bytes <= HTTP_MAX_HEADERS)
        return true;
    c->error_status = 431;
    return false;
}

static int on_url(http_parser *p, const char *at, size_t len)
{
    http_conn *c = p->data;
    if (!head_fits(c, len))
        return -1;
    buf_append(&c->url, at, len);
    return 0;
}

static void header_done(http_conn *c)
{
    if (c->hfield.len && !strcasecmp(c->hfield.data ? c->hfield.data : "", "expect") &&
        c->hvalue.len && !strcasecmp(c->hvalue.data, "100-continue"))
        c->expect_continue = true;
    if (c->hfield.len && !strcasecmp(c->hfield.data, "authorization")) {
        buf_reset(&c->authorization);
        buf_append(&c->authorization, c->hvalue.data ? c->hvalue.data : "", c->hvalue.len);
        c->has_authorization = true;
    }
    buf_reset(&c->hfield);
    buf_reset(&c->hvalue);
}

static int on_header_field(http_parser *p, const char *at, size_t len)
{
    http_conn *c = p->data;
    if (!head_fits(c, len))
        return -1;
    if (c->in_value)
        header_done(c);
    c->in_value = false;
    buf_append(&c->hfield, at, len);
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t len)
{
    http_conn *c = p->data;
    if (!head_fits(c, len))
        return -1;
    c->in_value = true;
    buf_append(&c->hvalue, at, len);
    return 0;
}

static void dispatch(http_conn *c);

static int on_headers_complete(http_parser *p)
{
    http_conn *c = p->data;
    header_done(c);
    if (c->srv->streamed) {
        buf_putc(&c->url, '\0');
        c->url.len--;
        char path[64];
        snprintf(path, sizeof path, "%.*s", (int)strcspn(c->url.data, "?#"), c->url.data);
        if (c->srv->streamed(c->srv->ctx, http_method_str((enum http_method)p->method), path)) {
            if (c->expect_continue) {
                static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
                conn_write(c, cont, sizeof cont - 1, NULL, 0, NULL, 0);
            }
            c->stream_body = true;
            dispatch(c);
            return 0;
        }
    }
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > HTTP_MAX_BODY) {
        c->error_status = 413;
        return -1;
    }
    if (c->expect_continue && (p->content_length > 0 || (p->flags & F_CHUNKED))) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        conn_write(c, cont, sizeof cont - 1, NULL, 0, NULL, 0);
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
    http_conn *c = p->data;
    if (c->stream_body) {
        if (c->busy && c->req.on_body)
            c->req.on_body(c->req.on_body_ctx, at, len, false);
        return 0; /* else the handler has answered: dropped */
    }
    if (c->body.len + len > HTTP_MAX_BODY) {
        c->error_status = 413;
        return -1;
    }
    buf_append(&c->body, at, len);
    return 0;
}

static int on_message_complete(http_parser *p)
{
    http_conn *c = p->data;
    c->complete = true;
    http_parser_pause(p, 1); /* one request at a time */
    if (c->stream_body) {
        c->stream_body = false;
        c->was_streamed = true;
        if (c->busy && c->req.on_body)
            c->req.on_body(c->req.on_body_ctx, NULL, 0, true);
    }
    return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

static void dispatch(http_conn *c)
{
    http_parser *p = &c->parser;
    c->keep_alive = http_should_keep_alive(p);
    c->http10 = p->http_major == 1 && p->http_minor == 0;
    /* the path without query string or fragment */
    buf_putc(&c->url, '\0');
    c->url.len--;
    char *q = strpbrk(c->url.data, "?#");
    if (q)
        *q = '\0';
    buf_putc(&c->body, '\0');
    c->body.len--;
    memset(&c->req, 0, sizeof c->req);
    c->req.conn = c;
    c->req.method = http_method_str((enum http_method)p->method);
    c->req.path = c->url.data;
    c->req.authorization = c->has_authorization ? c->authorization.data : NULL;
    c->req.streamed = c->stream_body;
    c->req.body = c->body.data;
    c->req.body_len = c->body.len;
    c->busy = true;
    c->srv->handler(c->srv->ctx, &c->req);
}

/* Parses buffered input and dispatches complete requests while no
 * response is in progress. */
static void feed(http_conn *c)
{
    if (c->in_feed)
        return; /* the caller's loop goes on */
    c->in_feed = true;
    while ((!c->busy || c->stream_body) && !c->closing && !c->paused && c->in_off < c->in.len) {
        size_t n = http_parser_execute(&c->parser, &settings, c->in.data + c->in_off,
                                       c->in.len - c->in_off);
        c->in_off += n;
        enum http_errno en = HTTP_PARSER_ERRNO(&c->parser);
        if (c->complete) {
            c->complete = false;
            http_parser_pause(&c->parser, 0);
            if (c->was_streamed)
                c->was_streamed = false; /* handed over at its headers */
            else
                dispatch(c);
            continue;
        }
        if (en != HPE_OK && c->busy) { /* a streamed body went bad mid-response */
            conn_close(c);
            break;
        }
        if (en != HPE_OK) {
            if (c->error_status == 413)
                respond_error_and_close(c, 413, "Request body is larger than 1 MiB");
            else if (c->error_status == 431 || en == HPE_HEADER_OVERFLOW)
                respond_error_and_close(c, 431, "Request line and headers are larger than 16 KiB");
            else
                respond_error_and_close(c, 400, http_errno_description(en));
            break;
        }
        break; /* everything consumed, the request is not complete yet */
    }
    if (c->in_off == c->in.len)
        c->in.len = c->in_off = 0;
    c->in_feed = false;
    /* a request may have ended inside the handler while we were looping */
    if (!c->busy && !c->closing && c->in_off < c->in.len)
        feed(c);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    http_conn *c = h->data;
    buf_reserve(&c->in, 65536);
    b->base = c->in.data + c->in.len;
    b->len = c->in.cap - c->in.len - 1;
    (void)suggested;
}

/* n bytes have arrived in c->in (n < 0: the client has gone). */
static void conn_input(http_conn *c, ssize_t n)
{
    if (n < 0) {
        conn_close(c); /* EOF or error: the client is gone */
        return;
    }
    c->in.len += (size_t)n;
    c->in.data[c->in.len] = '\0';
    c->last_active = uv_now(c->srv->loop);
    if (c->busy && c->in.len - c->in_off > MAX_BACKLOG) {
        conn_close(c);
        return;
    }
    feed(c);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    (void)b;
    conn_input(s->data, n);
}

/* A new connection, linked into s; its tcp handle is initialised. */
static http_conn *conn_new(http_server *s)
{
    http_conn *c = mem_alloc(sizeof *c);
    c->srv = s;
    uv_tcp_init(s->loop, &c->tcp);
    c->tcp.data = c;
    s->nconns++;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    c->last_active = uv_now(s->loop);
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    return c;
}

static void on_connection(uv_stream_t *l, int status)
{
    http_server *s = l->data;
    if (status < 0 || s->stopping)
        return;
    http_conn *c = conn_new(s);
    if (uv_accept(l, (uv_stream_t *)&c->tcp) < 0) {
        conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) < 0)
        conn_close(c);
}

/* ---- the public side -------------------------------------------------- */

http_server *http_new(uv_loop_t *loop, http_handler handler, void *ctx)
{
    http_server *s = mem_alloc(sizeof *s);
    s->loop = loop;
    s->handler = handler;
    s->ctx = ctx;
    uv_tcp_init(loop, &s->listener);
    s->listener.data = s;
    return s;
}

http_server *http_listen(uv_loop_t *loop, const char *host, int port, http_handler handler,
                         void *ctx, char *errbuf, size_t errlen)
{
    http_server *s = http_new(loop, handler, ctx);
    if (tcp_listen_start(&s->listener, host, port, on_connection, errbuf, errlen) < 0) {
        http_shutdown(s);
        return NULL;
    }
    return s;
}

http_conn *http_open_memory(http_server *s, http_sink sink, void *sink_ctx)
{
    http_conn *c = conn_new(s);
    c->sink = sink;
    c->sink_ctx = sink_ctx;
    return c;
}

void http_memory_input(http_conn *c, const char *data, size_t len)
{
    if (c->closing)
        return;
    if (!len) {
        conn_input(c, UV_EOF);
        return;
    }
    while (len) { /* in pieces, as reads from a socket come */
        buf_reserve(&c->in, 65536);
        size_t n = c->in.cap - c->in.len - 1;
        n = n < len ? n : len;
        memcpy(c->in.data + c->in.len, data, n);
        data += n;
        len -= n;
        conn_input(c, (ssize_t)n);
        if (c->closing)
            return;
    }
}

int http_port(const http_server *s) { return tcp_listen_port(&s->listener); }

/* Closes every connection that has been idle for idle_ms: nothing read
 * and no response in progress.  A streamed response is not idle: its
 * query decides when it ends. */
static void on_sweep(uv_timer_t *t)
{
    http_server *s = t->data;
    uint64_t now = uv_now(s->loop);
    for (http_conn *c = s->conns, *next; c; c = next) {
        next = c->next;
        bool waiting = !c->busy || (c->stream_body && !c->paused); /* for the client */
        if (waiting && !c->closing && now - c->last_active >= s->idle_ms)
            conn_close(c);
    }
}

void http_set_streamed(http_server *s, bool (*streamed)(void *ctx, const char *method, const char *path))
{
    s->streamed = streamed;
}

void http_pause_body(http_request *req, bool pause)
{
    http_conn *c = req->conn;
    if (pause == c->paused || c->closing)
        return;
    c->paused = pause;
    conn_reading(c, !pause);
    if (!pause && !c->closing)
        feed(c); /* what was read before the pause */
}

void http_set_idle_timeout(http_server *s, unsigned seconds)
{
    s->idle_ms = (uint64_t)seconds * 1000;
    if (!seconds || s->stopping)
        return;
    if (!s->sweeping) {
        uv_timer_init(s->loop, &s->sweep);
        s->sweep.data = s;
        uv_unref((uv_handle_t *)&s->sweep); /* it alone keeps no loop running */
        s->sweeping = true;
    }
    /* a sweep every quarter of the timeout: closed within 1.25 of it */
    uint64_t every = s->idle_ms / 4 ? s->idle_ms / 4 : 1;
    uv_timer_start(&s->sweep, on_sweep, every, every);
}

static void on_sweep_closed(uv_handle_t *h)
{
    http_server *s = h->data;
    s->sweep_closed = true;
    server_maybe_free(s);
}

static void on_listener_closed(uv_handle_t *h)
{
    http_server *s = h->data;
    s->listener_closed = true;
    server_maybe_free(s);
}

void http_shutdown(http_server *s)
{
    s->stopping = true;
    if (s->sweeping && !uv_is_closing((uv_handle_t *)&s->sweep))
        uv_close((uv_handle_t *)&s->sweep, on_sweep_closed);
    if (!uv_is_closing((uv_handle_t *)&s->listener))
        uv_close((uv_handle_t *)&s->listener, on_listener_closed);
    for (http_conn *c = s->conns, *next; c; c = next) {
        next = c->next;
        if (!c->busy)
            conn_close_after_writes(c);
    }
}

/* Writes the status line and headers (extra, may be NULL, ends in CRLF)
 * and body[0..len) with one write: one wake-up of the client. */
static void write_head(http_conn *c, int status, const char *content_type, const char *length_or_chunked,
                       const char *extra, const char *body, size_t len)
{
    char head[1024];
    int hn = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n%s%s%s\r\n", status,
                      status_text(status), content_type, length_or_chunked, extra ? extra : "",
                      c->keep_alive && !c->srv->stopping ? "" : "Connection: close\r\n");
    conn_write(c, head, hn < (int)sizeof head ? (size_t)hn : sizeof head - 1, body, len, NULL, 0);
}

void http_respond_headers(http_request *req, int status, const char *content_type, const char *headers,
                          const char *body, size_t len)
{
    http_conn *c = req->conn;
    char cl[64];
    snprintf(cl, sizeof cl, "Content-Length: %zu\r\n", len);
    write_head(c, status, content_type, cl, headers, body, len);
    request_done(c);
}

void http_respond(http_request *req, int status, const char *content_type, const char *body,
                  size_t len)
{
    http_respond_headers(req, status, content_type, NULL, body, len);
}

void http_begin_stream(http_request *req, int status, const char *content_type)
{
    http_conn *c = req->conn;
    c->streaming = true;
    if (c->http10) { /* HTTP/1.0 knows no chunks: the body ends when the connection does */
        c->keep_alive = false;
        write_head(c, status, content_type, "", NULL, NULL, 0);
        return;
    }
    write_head(c, status, content_type, "Transfer-Encoding: chunked\r\n", NULL, NULL, 0);
}

void http_stream_write(http_request *req, const char *data, size_t len)
{
    if (!len)
        return; /* an empty chunk would end the response */
    if (req->conn->http10) {
        conn_write(req->conn, data, len, NULL, 0, NULL, 0);
        return;
    }
    char size[32];
    int sn = snprintf(size, sizeof size, "%zx\r\n", len);
    conn_write(req->conn, size, (size_t)sn, data, len, "\r\n", 2);
}

void http_stream_end(http_request *req)
{
    http_conn *c = req->conn;
    static const char last[] = "0\r\n\r\n";
    if (!c->http10)
        conn_write(c, last, sizeof last - 1, NULL, 0, NULL, 0);
    request_done(c);
}

size_t http_pending_bytes(const http_request *req)
{
    return req->conn->pending;
}
