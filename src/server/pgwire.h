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
 *     Flush) for statements without parameters and text results: a
 *     prepared statement holds one statement, which runs at its first
 *     Describe or Execute (a Describe runs the query to learn its columns;
 *     Execute then sends the rows it read, all of them: the row limit is not
 *     honoured).  Parameters and binary results are refused with 0A000;
 *     after an error, messages are skipped up to Sync, as in PostgreSQL.
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
/* Stops accepting, closes every connection (a running query finishes
 * first, its answer dropped) and frees pw once all have closed. */
void pgwire_shutdown(pgwire *pw);

#endif
