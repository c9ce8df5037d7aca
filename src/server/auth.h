/* auth — who may talk to `eddy server` (--auth basic:FILE | token:FILE).
 *
 * Two schemes, one file each:
 *   basic:FILE   one `user:password` per line; HTTP clients send
 *                `Authorization: Basic base64(user:password)`, PostgreSQL
 *                clients their user name and the password.
 *   token:FILE   one bearer token per line; HTTP clients send
 *                `Authorization: Bearer TOKEN`, PostgreSQL clients the
 *                token as their password (any user name).
 * Blank lines and lines starting with '#' are ignored; a trailing CR is
 * cut.  The file is read once, at start.
 *
 * Comparisons of secrets take a time that does not depend on where they
 * differ.  An auth object is immutable after auth_load, so any thread may
 * check credentials against it.
 */
#ifndef EDDY_AUTH_H
#define EDDY_AUTH_H

#include <stdbool.h>
#include <stddef.h>

typedef struct auth auth;

/* Reads spec ("basic:FILE" or "token:FILE").  Returns the new object
 * (the caller frees it with auth_free), or NULL with a message in errbuf
 * (bad scheme, unreadable file, no credentials in it, a basic line
 * without ':'). */
auth *auth_load(const char *spec, char *errbuf, size_t errlen);
void auth_free(auth *a);

/* Whether the value of an Authorization header (NULL when absent) names
 * a known user or token. */
bool auth_check_header(const auth *a, const char *authorization);
/* Whether a PostgreSQL client's user and password are known (for token:
 * the password is the token, the user is not checked). */
bool auth_check_password(const auth *a, const char *user, const char *password);
/* The WWW-Authenticate challenge of a 401: `Basic realm="eddy"` or
 * `Bearer realm="eddy"`. */
const char *auth_challenge(const auth *a);

#endif
