/* fuzz_http — libFuzzer target for the HTTP request path (src/server/http.c
 * and what the server does on the loop with a request's bytes).
 *
 * The input is what a client sends on one connection.  Its first byte
 * picks how it is cut into reads (every size from 1 byte to all at once);
 * the rest goes, read by read, to a memory connection (http_open_memory),
 * which parses, limits and dispatches exactly as a socket's.  The handler
 * answers as the server's endpoints do: the Authorization header is
 * checked (auth.c, basic credentials), /inserts-stream gets its body as
 * it is parsed, each line turned into an INSERT (inserts.c) with reading
 * paused and resumed as the server does, /query-stream gets a chunked
 * response ended only after the next read (a worker answering later, so
 * pipelined requests wait), anything else a whole response at once.
 * After the last read the client either goes away at once or waits for
 * every answer first.
 *
 * Checks: everything the server writes parses as a sequence of HTTP
 * responses (http_parser, HTTP_RESPONSE), nothing is written after the
 * connection closed, and the connection and its requests are freed
 * (leaks are reported).  Crashes and sanitizer reports are bugs.
 *
 * Build and run: `make fuzz-http` (FUZZ_SECONDS, default 60).
 */
#include <http_parser.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "base/buf.h"
#include "fuzz_conn.h"
#include "fuzz_credentials.h"
#include "server/auth.h"
#include "server/http.h"
#include "server/inserts.h"

typedef struct harness {
    http_parser resp; /* parses what the server writes */
    long responses;
    bool closed;
    http_request *later;     /* a /query-stream response to end after the next read */
    http_request *paused;    /* an /inserts-stream body paused */
    http_request *inserting; /* the /inserts-stream request being read */
    buf line;
} harness;

static uv_loop_t loop;
static http_server *srv;
static auth *credentials;
static harness h;

static void sink(void *ctx, const char *data, size_t len)
{
    harness *hs = ctx;
    if (!data) {
        hs->closed = true;
        hs->later = hs->paused = hs->inserting = NULL;
        return;
    }
    fuzz_check_open(hs->closed);
    fuzz_check_http(&hs->resp, data, len);
}

/* One line of an /inserts-stream body, as the server's worker runs it. */
static void insert_line(const char *p, size_t n)
{
    json_error_t je;
    json_t *row = json_loadb(p, n, 0, &je);
    buf stmt = BUF_INIT, msg = BUF_INIT;
    if (row && json_is_object(row))
        inserts_statement("S", row, &stmt, &msg);
    json_decref(row);
    buf_free(&stmt);
    buf_free(&msg);
}

static void on_body(void *ctx, const char *p, size_t n, bool end)
{
    http_request *req = ctx;
    buf_append(&h.line, p, n);
    for (char *nl; h.line.len && (nl = memchr(h.line.data, '\n', h.line.len));) {
        size_t k = (size_t)(nl - h.line.data);
        insert_line(h.line.data, k);
        memmove(h.line.data, nl + 1, h.line.len - k - 1);
        h.line.len -= k + 1;
    }
    if (end) {
        insert_line(h.line.data ? h.line.data : "", h.line.len);
        buf_reset(&h.line);
        h.inserting = h.paused = NULL;
        static const char ack[] = "{\"status\":\"ok\",\"seq\":0}\n";
        http_stream_write(req, ack, sizeof ack - 1);
        http_stream_end(req);
        return;
    }
    if (h.line.len > 64 && !h.paused) { /* the worker is behind: back-pressure */
        h.paused = req;
        http_pause_body(req, true);
    }
}

static void on_close(void *ctx)
{
    (void)ctx;
    h.later = h.paused = h.inserting = NULL;
}

static void handler(void *ctx, http_request *req)
{
    (void)ctx;
    if (req->path[0] == '/' && req->path[1] == 'a' && !auth_check_header(credentials, req->authorization)) {
        static const char m[] = "{\"error_code\":40100}";
        http_respond_headers(req, 401, "application/json", "WWW-Authenticate: Basic realm=\"eddy\"\r\n", m,
                             sizeof m - 1);
        return;
    }
    if (req->streamed) {
        req->on_body = on_body;
        req->on_body_ctx = req;
        req->on_close = on_close;
        h.inserting = req;
        buf_reset(&h.line);
        http_begin_stream(req, 200, "application/vnd.ksqlapi.delimited.v1");
        return;
    }
    if (!strcmp(req->path, "/query-stream")) {
        http_begin_stream(req, 200, "application/vnd.ksqlapi.delimited.v1");
        http_stream_write(req, req->body, req->body_len);
        req->on_close = on_close;
        h.later = req;
        return;
    }
    http_respond(req, !strcmp(req->method, "GET") ? 200 : 404, "application/json", req->body, req->body_len);
}

static bool streamed(void *ctx, const char *method, const char *path)
{
    (void)ctx;
    return !strcmp(method, "POST") && !strcmp(path, "/inserts-stream");
}

/* What a worker does between two reads: ends a late response, lets a
 * paused body go on. */
static void catch_up(void)
{
    if (h.later) {
        http_request *r = h.later;
        h.later = NULL;
        http_stream_write(r, "[1]\n", 4);
        http_stream_end(r);
    }
    if (h.paused) {
        http_request *r = h.paused;
        h.paused = NULL;
        http_pause_body(r, false);
    }
}

static void init(void)
{
    uv_loop_init(&loop);
    srv = http_new(&loop, handler, NULL);
    http_set_streamed(srv, streamed);
    credentials = fuzz_credentials();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!srv)
        init();
    if (!size)
        return 0;
    unsigned mode = data[0];
    data++, size--;
    memset(&h, 0, sizeof h);
    http_parser_init(&h.resp, HTTP_RESPONSE);
    h.resp.data = &h.responses;
    http_conn *c = http_open_memory(srv, sink, &h);
    size_t step = fuzz_read_size(mode, size);
    for (size_t off = 0; off < size && !h.closed;) {
        size_t n = size - off < step ? size - off : step;
        http_memory_input(c, (const char *)data + off, n);
        off += n;
        if (!h.closed && (mode & 8))
            catch_up();
    }
    /* the client waits for its answers (or not), then goes away */
    for (int i = 0; i < 64 && !h.closed && (mode & 16) && (h.later || h.paused); i++)
        catch_up();
    if (!h.closed)
        http_memory_input(c, NULL, 0);
    uv_run(&loop, UV_RUN_DEFAULT); /* the close callbacks free it */
    buf_free(&h.line);
    return 0;
}
