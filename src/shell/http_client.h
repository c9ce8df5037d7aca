/* http_client — a small blocking HTTP/1.1 client for `eddy --server URL`.
 *
 * Plain sockets and getaddrinfo; `http://HOST[:PORT]` URLs only (no TLS).
 * One request per connection (`Connection: close`).  The response body is
 * handed to the sink as it arrives, already de-chunked when the server
 * sends `Transfer-Encoding: chunked`, else up to Content-Length or the end
 * of the connection.  While waiting the client polls `cancelled` every
 * 100 ms; when it returns true the connection is closed, which is how a
 * push query is stopped.  Called from one thread; keeps no state between
 * calls.
 */
#ifndef EDDY_HTTP_CLIENT_H
#define EDDY_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/buf.h"

typedef struct http_sink {
    void *ctx;
    /* Body bytes as they arrive (borrowed for the call). */
    void (*data)(void *ctx, const char *p, size_t n);
    /* Polled while waiting; true closes the connection. NULL: never. */
    bool (*cancelled)(void *ctx);
} http_sink;

/* Sends p[0..n) on the connected socket fd, all of it (retrying after
 * EINTR and partial sends; no SIGPIPE).  Returns 0 or -1 (errno set). */
int http_client_send_all(int fd, const char *p, size_t n);

/* POSTs body (JSON) to url's host at path, with an Authorization header
 * when authorization (its value, e.g. "Basic ...") is not NULL.  Returns
 * the HTTP status, 0 when cancelled, or -1 with a message in `error`
 * (connection refused, bad URL, malformed response). */
int http_client_post(const char *url, const char *path, const char *authorization, const char *body, size_t len,
                     const http_sink *sink, buf *error);

#endif
