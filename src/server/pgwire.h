/* pgwire — the PostgreSQL wire protocol (v3) in front of the engine, so
 * psql and other PostgreSQL clients can read from Eddy.
 *
 * What it promises:
 *   - SSLRequest and GSSENCRequest are answered 'N' (no encryption); a
 *     StartupMessage for protocol 3.x is accepted without a password
 *     (AuthenticationOk, ParameterStatus server_version, client_encoding,
 *     DateStyle, integer_datetimes, standard_conforming_strings,
 *     BackendKeyData, ReadyForQuery).  With credentials (auth.h) it
 *     first asks for a cleartext password (AuthenticationCleartextPassword)
 *     and checks user and password; a wrong one gets a FATAL 28P01 and the
 *     connection closed.
 *   - Simple Query runs each statement as `/ksql` and `/query-stream` do
 *     (engine_execute on the statement's text): pull queries, SHOW and
 *     DESCRIBE (and EXPLAIN) answer RowDescription, DataRow (text format,
 *     NULL as length -1) and CommandComplete "SELECT n".  Everything else
 *     (push queries, PRINT, DDL, INSERT, SET, ...) is refused with an
 *     ErrorResponse 0A000: the protocol is read-only, changes go through
 *     the HTTP API.  A syntax error anywhere runs nothing (42601); errors
 *     carry Eddy's `line L:C:` message and the position.  An empty query
 *     gets EmptyQueryResponse.
 *   - The extended protocol (Parse, Bind, Describe, Execute, Close, Sync,
 *     Flush) with text parameters and text results: a prepared statement
 *     holds one statement; Bind makes a portal of it with its $n replaced
 *     by literals of the values (pgparams.h), which runs at its first
 *     Describe or Execute (a Describe runs the query to learn its columns,
 *     a statement's with NULL parameters; Execute then sends the rows it
 *     read, all of them: the row limit is not honoured).  Binary
 *     parameters and results are refused with 0A000, a wrong number of
 *     parameters with 08P01; after an error, messages are skipped up to
 *     Sync, as in PostgreSQL.
 *   - A CancelRequest carrying a connection's process id and secret key
 *     (sent in BackendKeyData; the key is random) stops the query that
 *     connection runs on the thread pool, which then answers only an
 *     ErrorResponse 57014; with no query running, or an unknown pair, it
 *     changes nothing.  The requesting connection is closed unanswered.
 *   - With an idle timeout (pgwire_set_idle_timeout), a connection with no
 *     query running that has sent nothing for that long gets a FATAL
 *     57P05 and is closed.
 *   - A malformed or oversized message (above PGWIRE_MAX_MESSAGE) gets a
 *     FATAL ErrorResponse 08P01 and the connection closed; it never affects
 *     other connections.
 *
 * Threads: every function here runs on the loop thread.  A query runs on
 * libuv's thread pool (uv_queue_work), one at a time per connection; the
 * connection reads nothing more until it has answered.
 *
 * Ownership: the pgwire object owns its connections; it borrows the loop
 * and the engine, which must outlive it.  After pgwire_shutdown it frees
 * itself once every handle has closed and every query has ended.
 */
#ifndef EDDY_PGWIRE_H
#define EDDY_PGWIRE_H

#include <stddef.h>
#include <uv.h>

#include "../engine/engine.h"
#include "auth.h"

#define PGWIRE_MAX_MESSAGE (1u << 20)

typedef struct pgwire pgwire;

/* Listens on host:port (port 0 picks one; pgwire_port tells which).
 * Returns NULL with a message in errbuf on failure.  version is borrowed
 * and shown in server_version; credentials (NULL: none asked) are
 * borrowed and must outlive pw. */
pgwire *pgwire_listen(uv_loop_t *loop, engine *en, const char *host, int port, const char *version,
                      const auth *credentials, char *errbuf, size_t errlen);
int pgwire_port(const pgwire *pw);

/* A pgwire that listens nowhere: its connections are memory ones (below).
 * For fuzzers and tests. */
pgwire *pgwire_new(uv_loop_t *loop, engine *en, const char *version, const auth *credentials);
typedef struct pg_conn pgwire_conn;
/* Receives what a memory connection sends, borrowed for the call; data
 * NULL says the connection has closed (no more input from then on). */
typedef void (*pgwire_sink)(void *ctx, const char *data, size_t len);
/* A connection without a socket: pgwire_memory_input hands it bytes as if
 * read from one (they wait, as in a socket, while a query runs), and what
 * it sends goes to sink.  Input of length 0 is the client going away once
 * everything before it has been answered.  Once closed (sink told so) it
 * is freed when its query has ended and the loop has run its close
 * callback. */
pgwire_conn *pgwire_open_memory(pgwire *pw, pgwire_sink sink, void *sink_ctx);
void pgwire_memory_input(pgwire_conn *c, const char *data, size_t len);
/* Closes connections that have sent nothing and been sent nothing for
 * `seconds`, with no query running (0: never, the default), after a FATAL
 * 57P05 as PostgreSQL's idle_session_timeout does. */
void pgwire_set_idle_timeout(pgwire *pw, unsigned seconds);
/* Stops accepting, closes every connection (a running query finishes
 * first, its answer dropped) and frees pw once all have closed. */
void pgwire_shutdown(pgwire *pw);

#endif
