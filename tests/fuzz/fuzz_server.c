/* fuzz_server — libFuzzer target for the whole HTTP request path of `eddy
 * server`: http.c's parsing and dispatch, then server.c's routing, JSON
 * bodies, jobs on worker threads and answers, over a real engine.
 *
 * The input is what a client sends on one connection.  Its first byte
 * picks how it is cut into reads; the rest goes, read by read, to a
 * memory connection of an http_server whose handler is server_handle.
 * After each read the harness waits while a request is being answered
 * (a job on its thread, at most 20 ms of the loop per read, since a push
 * query only ends when cancelled), then the client goes away, which
 * cancels what still runs, and the loop runs until every job has ended.
 *
 * The engine holds a stream and a table (fuzz_engine.h) and is shared by
 * every input: what one input creates or inserts, later ones see, so a
 * crash may need the inputs before it to reproduce (the engine runs no
 * background queries, its log is not flushed).  Checks: what the server
 * writes parses as HTTP responses, nothing is written after the
 * connection closed; crashes, leaks and sanitizer reports are bugs.
 *
 * Build and run: `make fuzz-server` (FUZZ_SECONDS, default 60).  With
 * FUZZ_SERVER_ECHO set, what the server writes goes to stderr too.
 */
#include <http_parser.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "fuzz_conn.h"
#include "fuzz_engine.h"
#include "server/http.h"
#include "server/server.h"

typedef struct harness {
    http_parser resp; /* parses what the server writes */
    long requests, responses;
    bool closed;
} harness;

static server *srv;
static uv_loop_t *loop;
static http_server *http;
static uv_timer_t bound;
static harness h;

static void sink(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    if (!data) {
        h.closed = true;
        return;
    }
    fuzz_check_open(h.closed);
    if (getenv("FUZZ_SERVER_ECHO"))
        fwrite(data, 1, len, stderr);
    fuzz_check_http(&h.resp, data, len);
}

/* Counts requests on their way to the server's routing. */
static void handler(void *ctx, http_request *req)
{
    h.requests++;
    server_handle(ctx, req);
}

static void on_bound(uv_timer_t *t)
{
    (void)t;
}

/* Runs the loop while a request is being answered, 20 ms at most. */
static void wait_for_answers(void)
{
    uv_timer_start(&bound, on_bound, 20, 0);
    while (!h.closed && h.responses < h.requests && uv_is_active((uv_handle_t *)&bound))
        uv_run(loop, UV_RUN_ONCE);
    uv_timer_stop(&bound);
}

static void init(void)
{
    srv = server_new(fuzz_engine("server"), "fuzz");
    loop = server_loop(srv);
    http = http_new(loop, handler, srv);
    http_set_streamed(http, server_streamed_path);
    uv_timer_init(loop, &bound);
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
    http_conn *c = http_open_memory(http, sink, NULL);
    size_t step = fuzz_read_size(mode, size);
    for (size_t off = 0; off < size && !h.closed;) {
        size_t n = size - off < step ? size - off : step;
        http_memory_input(c, (const char *)data + off, n);
        off += n;
        wait_for_answers();
    }
    if (!h.closed)
        http_memory_input(c, NULL, 0);
    uv_run(loop, UV_RUN_DEFAULT); /* jobs end, close callbacks free it */
    return 0;
}
