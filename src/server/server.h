/* server — `eddy server`: ksqlDB's REST API over an embedded engine.
 *
 * One libuv loop (the calling thread) owns the network.  A pull query by
 * key on a table is answered on the loop (the engine runs it only with
 * engine_session.lookups_only, and it takes microseconds); every other
 * statement runs on a worker thread of its own (engine_execute blocks for
 * as long as a push query runs), which hands its output back to the loop
 * through a mutex-protected queue and uv_async_send.  The loop waits for
 * the engine only for lookups (and the engine lock they take).
 *
 * Options: --auth basic:FILE|token:FILE (auth.h; 401 without credentials),
 * --max-push-queries N (429 beyond), --idle-timeout SECONDS (http.h).
 *
 * Endpoints (JSON shapes as ksqlDB's):
 *   POST /ksql          {"ksql": "...;", "streamsProperties": {...}}
 *                       -> 200 [entity per statement] | 400 statement_error
 *   POST /query-stream  {"sql": "SELECT ...;", "properties": {...}}
 *                       -> 200 chunked: a header object, then one JSON array
 *                          per row, one per line | 400 statement_error
 *   POST /query         {"ksql": "SELECT ...;", "streamsProperties": {...}}
 *                       -> 200 chunked JSON array: {"header"}, {"row"}..., "]"
 *   POST /close-query   {"queryId": "..."} -> 200 | 400 (no such query)
 *   POST /inserts-stream {"target": "S"}\n{row}\n... -> 200 one ack per row,
 *                       each as soon as its row has arrived and run
 *                       | 400 (bad first line, unknown target)
 *   GET  /status, GET /status/ID   command statuses (this process's)
 *   GET  /info, GET /healthcheck
 *
 * With --pg-listen HOST:PORT the same loop also serves the PostgreSQL wire
 * protocol (pgwire.h): read-only, for psql and other PostgreSQL clients.
 *
 * SIGINT and SIGTERM stop it: no new connections (HTTP or pgwire), push
 * queries cancelled, responses in progress ended, idle connections closed,
 * the engine closed, exit status 0.
 */
#ifndef EDDY_SERVER_H
#define EDDY_SERVER_H

#include <stdbool.h>
#include <uv.h>

#include "../engine/engine.h"
#include "http.h"

/* `eddy server ...`: argv[0] is "server".  Returns the exit status. */
int server_main(int argc, char **argv, const char *version);

/* The server's routing without sockets or signals, for fuzzers and tests:
 * server_new makes one over an open engine (borrowed) with a loop of its
 * own (server_loop); an http_server made with http_new on that loop,
 * with server_handle as its handler and server_streamed_path as its
 * streamed predicate, then serves memory connections exactly as `eddy
 * server` serves sockets.  Once the connections have closed, uv_run on
 * the loop returns when every job has ended.  server_free frees it (the
 * loop closed by the caller). */
typedef struct server server;
server *server_new(engine *en, const char *version);
uv_loop_t *server_loop(server *srv);
void server_handle(void *srv, http_request *req);
bool server_streamed_path(void *srv, const char *method, const char *path);
void server_free(server *srv);

#endif
