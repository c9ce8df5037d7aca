/* remote — runs the shell's statements on an eddy server over HTTP.
 *
 * SELECT goes to POST /query-stream (rows printed as they arrive; the
 * output's `cancelled` closes the connection, which ends a push query on
 * the server), everything else to POST /ksql, whose entities are printed
 * like the embedded engine prints the same results.  SET and UNSET are
 * remembered here and sent with every later request, as the server keeps
 * no session between requests; so are --define variables.  One remote per shell; not thread-safe.
 */
#ifndef EDDY_REMOTE_H
#define EDDY_REMOTE_H

#include <stddef.h>

#include "../base/buf.h"
#include "../engine/engine.h"

typedef struct remote remote;

/* Returns a new remote for url (borrowed; must outlive it). */
remote *remote_new(const char *url);
/* Sends credentials with every request: user_pass ("USER:PASSWORD") as
 * HTTP Basic authentication, or else token as a Bearer token.  Both are
 * copied; NULL for neither. */
void remote_set_credentials(remote *r, const char *user_pass, const char *token);
void remote_free(remote *r);
/* Sets a variable (--define): ${name} in later statements is replaced by
 * value before they are sent. */
void remote_define(remote *r, const char *name, size_t len, const char *value);

/* Runs src[0..len) (one or more statements).  On failure returns -1 and
 * appends the message to `error`; `*located` is set when the message
 * starts with `line L:C:` counted in src (the server's error), cleared for
 * errors with no place in src (the server cannot be reached).  `out` must
 * be a printer's output (printer_output): rows from the server are text. */
int remote_execute(remote *r, const char *src, size_t len, const engine_output *out, buf *error,
                   bool *located);

#endif
