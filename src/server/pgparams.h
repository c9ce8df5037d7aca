/* pgparams — the $1, $2, ... placeholders of a statement prepared with
 * the PostgreSQL extended protocol, replaced by the SQL literals of the
 * values a Bind gives them.
 *
 * A placeholder is `$` and digits, not inside a string ('...'), a quoted
 * name ("..." or `...`) or a comment (-- and slash-star), and not right
 * after a letter, digit or '_'.  Values come in text format; each becomes
 * a literal by its declared type OID (Parse's, 0 when not given):
 *   - int2, int4, int8, float4, float8, numeric: a number, written as
 *     sent once checked to be one (else 22P02);
 *   - bool: TRUE or FALSE (t, true, y, yes, on, 1 and their opposites);
 *   - anything else, and unknown (0): a string, quotes doubled.
 * So a driver that sends a string untyped still compares it to strings,
 * and one that sends an integer as int4/int8 compares it to numbers; Eddy
 * converts no string to a number implicitly, as ksqlDB does not.
 * A NULL value is NULL; a value holding a NUL byte is refused (22021).
 *
 * Pure functions, any thread; the caller owns every buffer.
 */
#ifndef EDDY_PGPARAMS_H
#define EDDY_PGPARAMS_H

#include <stdint.h>

#include "../base/buf.h"

/* Placeholders a statement may number: $1 to $PGPARAMS_MAX. */
#define PGPARAMS_MAX 1000

typedef struct pgparam {
    const char *data; /* the text form; not NUL-terminated */
    int32_t len;      /* -1: NULL */
    int32_t oid;      /* the declared type, 0 when unknown */
} pgparam;

/* The highest placeholder number in text (0: none); -1 when one is over
 * PGPARAMS_MAX. */
int pgparams_count(const char *text);

/* Appends text to out with $n replaced by the literal of params[n - 1]
 * (params == NULL: every placeholder is NULL, to learn a statement's
 * columns before it is bound).  Returns 0, or -1 with the SQLSTATE in
 * sqlstate (6 bytes) and a message in msg when a value is not of its
 * type (22P02), holds a NUL byte (22021) or a placeholder has no value
 * (08P01). */
int pgparams_substitute(const char *text, const pgparam *params, int n, buf *out, char *sqlstate, char *msg,
                        size_t msglen);

#endif
