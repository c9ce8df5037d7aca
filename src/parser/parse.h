/* parse — hand-written recursive-descent parser for Eddy's SQL dialect.
 *
 * A parser walks a source text (one or many `;`-terminated statements) and
 * returns one statement at a time.  Nodes live in the arena the caller
 * gives; spans are byte offsets into `src`.  On a syntax error, parse_next
 * returns NULL with e->code = ERR_SYNTAX, a span on the offending token and
 * a message saying what was expected ("expected ')' but found 'FROM'").
 * Deeply nested input gives ERR_TOO_DEEP, never a stack overflow.
 *
 * The parser never executes anything and holds no global state; it is safe
 * to use several parsers on several threads.
 */
#ifndef EDDY_PARSE_H
#define EDDY_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/arena.h"
#include "../base/err.h"
#include "ast.h"
#include "lex.h"

typedef struct parser {
    arena *arena;
    const char *src;
    size_t len;
    lexer lex;       /* current position */
    token tok;       /* current token */
    token prev;      /* previous token */
    int depth;       /* current nesting depth, capped */
} parser;

#define PARSE_MAX_DEPTH 200

void parser_init(parser *p, arena *a, const char *src, size_t len);

/* Parses the next statement.  Returns NULL at the end of input (e->code ==
 * ERR_OK) or on error (e->code != ERR_OK).  The statement's `;` is
 * consumed; a final statement without `;` is accepted. */
ast_stmt *parse_next(parser *p, err *e);

/* Parses a standalone expression (for tests and tools). */
ast_expr *parse_expression(parser *p, err *e);

/* True when src holds at least one complete statement: a `;` outside any
 * string, quoted identifier or comment, followed only by whitespace or
 * comments.  The shell uses this to decide whether to read another line. */
bool parse_is_complete(const char *src, size_t len);

#endif
