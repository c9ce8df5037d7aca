/* err — the one error value of Eddy.
 *
 * Every fallible function takes an `err *` and fills it on failure (code,
 * optional source span, message, optional hint).  An error becomes text
 * only at the edge, with err_render: `line L:C: message`, the source line,
 * a caret under the span and the hint.  Nothing prints an error and then
 * carries on.
 *
 * Error codes come from one X-macro list, so the enum and the names are
 * always in step.
 */
#ifndef EDDY_ERR_H
#define EDDY_ERR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define ERR_CODES(X)                                       \
    X(OK, "ok")                                            \
    X(SYNTAX, "syntax error")                              \
    X(UNKNOWN_SOURCE, "unknown stream or table")           \
    X(UNKNOWN_COLUMN, "unknown column")                    \
    X(UNKNOWN_FUNCTION, "unknown function")                \
    X(UNKNOWN_QUERY, "unknown query")                      \
    X(UNKNOWN_TOPIC, "unknown topic")                      \
    X(TYPE, "type error")                                  \
    X(ALREADY_EXISTS, "already exists")                    \
    X(INVALID, "invalid statement")                        \
    X(UNSUPPORTED, "not supported yet")                    \
    X(IN_USE, "in use")                                    \
    X(IO, "input/output error")                            \
    X(CORRUPT, "corrupt data")                             \
    X(FORMAT, "bad record format")                         \
    X(EVAL, "evaluation error")                            \
    X(USAGE, "usage error")                                \
    X(TOO_DEEP, "nesting too deep")                        \
    X(DEFERRED, "not a key lookup")

typedef enum err_code {
#define X(name, text) ERR_##name,
    ERR_CODES(X)
#undef X
} err_code;

typedef struct err {
    err_code code;
    bool has_span;
    uint32_t off, len; /* span in the statement source, if has_span */
    char msg[512];
    char hint[256];
} err;

void err_clear(err *e);
/* Sets code and message (no span).  Returns -1 so callers can
 * `return err_set(...)`. */
int err_set(err *e, err_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with a span into the source of the statement being compiled. */
int err_at(err *e, err_code code, uint32_t off, uint32_t len, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void err_hint(err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *err_code_name(err_code code);
/* Shifts the span by `delta` bytes (when a statement is part of a larger
 * source). */
void err_shift(err *e, uint32_t delta);

/* Appends the user-facing text of e to out.  With src (the whole source
 * the span points into): `line L:C: msg`, the source line, a caret line,
 * and the hint.  Without src or span: just the message and hint. */
void err_render(const err *e, const char *src, size_t src_len, buf *out);
/* Line and column (1-based) of byte offset `off` in src. */
void err_line_col(const char *src, size_t src_len, size_t off, int *line, int *col);

#endif
