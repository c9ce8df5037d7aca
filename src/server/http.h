/* http — a small HTTP/1.1 server on libuv and http-parser.
 *
 * http_server listens on one TCP address and turns bytes into requests:
 * method, path, body (Content-Length or chunked), keep-alive.  Each
 * complete request goes to the handler given to http_listen, on the loop
 * thread; the handler answers with http_respond (a whole response) or
 * http_begin_stream / http_stream_write / http_stream_end (chunked transfer
 * encoding, for rows that arrive over time).  One request per connection is
 * handled at a time: a pipelined request waits, already buffered, until the
 * response to the one before it has ended.
 *
 * A path the server's `streamed` predicate names (http_set_streamed) has
 * its request body handed over as it arrives instead: the handler is
 * called once the headers are in (body empty, `streamed` set) and sets
 * on_body, which gets the body's bytes as they are parsed, then end.  Such
 * a body has no size limit; http_pause_body stops reading from the client
 * while the handler catches up (back-pressure).
 *
 * Limits: a (buffered) body above HTTP_MAX_BODY gets 413 and a request line plus
 * headers above HTTP_MAX_HEADERS 431, bad HTTP or a too-large pipeline
 * backlog 400; each time the connection is closed.  Every such error is
 * answered and never affects other connections.  With an idle timeout
 * (http_set_idle_timeout), a connection that has sent nothing for that
 * long while no response to it is in progress is closed: an idle
 * keep-alive connection, or a client that stopped in the middle of a
 * request.
 *
 * Threads: every function here runs on the loop thread only.
 *
 * Ownership: an http_request and its strings belong to the connection and
 * stay valid until the response to it has ended (http_respond or
 * http_stream_end) or the connection has closed (on_close).  A handler that
 * keeps a request beyond its call (a streamed response) must set
 * http_request.on_close: it is called once if the connection goes away
 * before the response has ended, after which the request must not be used.
 */
#ifndef EDDY_HTTP_H
#define EDDY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#define HTTP_MAX_BODY (1u << 20)
#define HTTP_MAX_HEADERS (16u << 10)

typedef struct http_server http_server;
typedef struct http_conn http_conn;

typedef struct http_request {
    http_conn *conn;
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* the URL's path, without the query string */
    const char *authorization; /* the Authorization header's value, or NULL */
    const char *body;   /* NUL-terminated; len bytes */
    size_t body_len;
    /* Set by a handler that answers later: called when the connection
     * closes before the response has ended. */
    void (*on_close)(void *ctx);
    void *on_close_ctx;
    /* A streamed body: set by the handler, called with each piece of the
     * body (borrowed for the call), then once with end set; never after
     * the response has ended or the connection has closed. */
    bool streamed;
    void (*on_body)(void *ctx, const char *p, size_t n, bool end);
    void *on_body_ctx;
} http_request;

typedef void (*http_handler)(void *ctx, http_request *req);

/* Listens on host:port (port 0 picks one; http_port tells which).  Returns
 * NULL with a message in errbuf on failure.  The server owns its
 * connections. */
http_server *http_listen(uv_loop_t *loop, const char *host, int port, http_handler handler,
                         void *ctx, char *errbuf, size_t errlen);
int http_port(const http_server *s);

/* A server that listens nowhere: its connections are memory ones (below).
 * For fuzzers and tests. */
http_server *http_new(uv_loop_t *loop, http_handler handler, void *ctx);
/* Receives what a memory connection writes, borrowed for the call; data
 * NULL says the connection has closed (no more input from then on). */
typedef void (*http_sink)(void *ctx, const char *data, size_t len);
/* A connection without a socket: http_memory_input hands it bytes as if
 * read from one, and everything it writes goes to sink at once.  It is
 * handled exactly as a socket's, on the loop thread.  Input of length 0
 * is the client going away.  Once closed (sink told so) it is freed when
 * the loop runs its close callback. */
http_conn *http_open_memory(http_server *s, http_sink sink, void *sink_ctx);
void http_memory_input(http_conn *c, const char *data, size_t len);
/* Requests for which streamed(ctx, method, path) returns true get their
 * body through on_body (see above). */
void http_set_streamed(http_server *s, bool (*streamed)(void *ctx, const char *method, const char *path));
/* Stops (pause) or resumes reading a streamed request's body. */
void http_pause_body(http_request *req, bool pause);
/* Closes connections idle for `seconds` (0: never, the default). */
void http_set_idle_timeout(http_server *s, unsigned seconds);
/* Stops accepting and closes every connection that has no response in
 * progress; those with one close when it ends.  The server is freed once
 * every handle has closed (the loop then has nothing left of it). */
void http_shutdown(http_server *s);

/* A whole response with Content-Length.  body is copied. */
void http_respond(http_request *req, int status, const char *content_type, const char *body,
                  size_t len);
/* The same with more header lines: headers is "Name: value\r\n"..., copied. */
void http_respond_headers(http_request *req, int status, const char *content_type, const char *headers,
                          const char *body, size_t len);
/* Starts a chunked response; then any number of writes, then the end. */
void http_begin_stream(http_request *req, int status, const char *content_type);
void http_stream_write(http_request *req, const char *data, size_t len);
void http_stream_end(http_request *req);
/* Bytes handed to the socket for this connection and not yet written
 * (for back-pressure). */
size_t http_pending_bytes(const http_request *req);

#endif
