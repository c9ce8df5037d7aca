/* inserts — the rows of ksqlDB's POST /inserts-stream as statements.
 *
 * A row is a JSON object {"COL": value, ...}; inserts_statement turns it
 * into the INSERT INTO target (COL, ...) VALUES (...); that the engine runs,
 * so a streamed row is inserted exactly as the statement would insert it
 * (same coercions, same errors).  Strings, numbers, booleans, null and
 * arrays of them map to SQL literals; a JSON object as a value is refused
 * (it could be a STRUCT or a MAP, and the row does not say which).
 *
 * Names: a key or target that is a plain identifier is written bare (so it
 * matches case-insensitively, as ksqlDB matches JSON keys); any other is
 * quoted with backticks.
 *
 * Pure functions, any thread.  Nothing here owns memory beyond the bufs
 * the caller passes.
 */
#ifndef EDDY_INSERTS_H
#define EDDY_INSERTS_H

#include <jansson.h>

#include "../base/buf.h"

/* Appends target as an identifier (bare or `quoted`). */
void inserts_name(const char *target, buf *out);
/* Appends the INSERT statement for row to out.  Returns 0, or -1 with a
 * message in msg (out is then partly written). */
int inserts_statement(const char *target, json_t *row, buf *out, buf *msg);

#endif
