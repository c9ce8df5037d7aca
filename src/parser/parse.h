/* parse — hand-written recursive-descent parser for Eddy's SQL dialect.
 *
 * A parser walks a source text (one or many `;`-terminated statements) and
 * returns one statement at a time.  Nodes live in the arena the caller
 * gives; spans are byte offsets into `src`.  On a syntax error, parse_next
 * returns NULL with e->code = ERR_SYNTAX, a span on the offending token and
 * a message saying what was expected ("expected ')' but found 'FROM'").
 * Deeply nested input gives ERR_TOO_DEEP, never a stack overflow: the
 * height of the tree is capped at PARSE_MAX_DEPTH, and so, separately, is
 * the number of open parentheses (which add no node).  Whatever parses
 * prints (ast_print_stmt) to SQL that parses back to an equal tree.
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
    int depth;       /* current nesting depth (height of the tree being built), capped */
    int parens;      /* open parentheses around the current expression, capped */
    int hwm;         /* deepest depth reached inside the current parse_subexpr */
    /* private: set up by parse_next / parse_expression for one call */
    err *e;          /* where a syntax error goes */
    void *jmp;       /* jmp_buf to unwind to on error (as Lua's lparser) */
    bool primed;     /* tok holds the first token */
    bool struct_star_ok; /* the next subexpr may be x->* (a select item) */
} parser;

#define PARSE_MAX_DEPTH 500

void parser_init(parser *p, arena *a, const char *src, size_t len);

/* Parses the next statement.  Returns NULL at the end of input (e->code ==
 * ERR_OK) or on error (e->code != ERR_OK).  The statement's `;` is
 * consumed; a final statement without `;` is accepted.  After an error the
 * parser skips past the next `;`, so a further call goes on with the
 * statement after the bad one. */
ast_stmt *parse_next(parser *p, err *e);

/* The first statement of a text the engine kept (a query's statement), in
 * arena a; NULL when it does not parse. */
ast_stmt *parse_stored(arena *a, const char *sql);

/* Parses a standalone expression (for tests and tools); the whole input
 * must be the expression. */
ast_expr *parse_expression(parser *p, err *e);

/* True when src holds at least one complete statement: a `;` outside any
 * string, quoted identifier or comment, followed only by whitespace or
 * comments.  The shell uses this to decide whether to read another line. */
bool parse_is_complete(const char *src, size_t len);

/* ---- internal to the parser module (parse.c, parse_expr.c) ------------ */

/* Every parse__ function below either returns what it parsed or unwinds
 * to parse_next with p->e set; none returns on error. */
void parse__advance(parser *p);
bool parse__check(parser *p, tok_kind k);
bool parse__accept(parser *p, tok_kind k);
void parse__expect(parser *p, tok_kind k);
/* parse__expect, with `hint` (how to fix it) when no did-you-mean applies. */
void parse__expect_hint(parser *p, tok_kind k, const char *hint);
/* Peeks n tokens ahead (1 = the token after p->tok) without moving. */
tok_kind parse__peek(parser *p, int n);
_Noreturn void parse__error_expected(parser *p, const char *what);
_Noreturn void parse__fail(parser *p); /* unwinds with p->e as already set */
_Noreturn void parse__error_at(parser *p, err_code code, token t, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void parse__enter(parser *p);                       /* depth++, ERR_TOO_DEEP past the cap */
ast_span parse__span_from(parser *p, uint32_t off); /* off .. end of prev */
bool parse__is_ident(parser *p);                    /* identifier or non-reserved keyword */
ast_ident parse__ident(parser *p, const char *what);
int64_t parse__int(parser *p, const char *what);    /* a non-negative integer literal */
ast_duration parse__duration(parser *p);            /* n unit, in ms */
void *parse__grow(parser *p, void *arr, int n, int *cap, size_t elem);

ast_expr *parse__expr(parser *p);
ast_expr *parse__literal(parser *p);
ast_type *parse__type(parser *p);

#endif
