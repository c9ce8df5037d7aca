/* lex — the lexer of Eddy's SQL dialect.
 *
 * A pure lexer: a token is a kind and an (offset, length) span into the
 * source; nothing is copied or allocated.  The parser turns spans into
 * names, strings and numbers when it builds nodes (lex_ident, lex_string).
 *
 * Keywords are case-insensitive and come from the one list in keywords.h;
 * a word that is not a keyword is TK_IDENT.  Back-quoted (`Like This`) and
 * double-quoted ("x") identifiers are TK_QIDENT, with the quote character
 * doubled inside to escape it.  Strings are '...' with '' for a quote.
 * Numbers: 12 is TK_INT_LIT, 1.5 / .5 / 1. is TK_DECIMAL_LIT, 1.5E3 / 2e-1
 * is TK_DOUBLE_LIT; strings are TK_STRING_LIT.  Digits followed by letters
 * (1R) are a name, TK_IDENT, as ksqlDB's DIGIT_IDENTIFIER.  `--` line
 * comments and block comments are skipped.
 *
 * A lexer is a position and nothing more, so copying it is a free
 * lookahead.  Errors (an unterminated string, comment or quoted
 * identifier; a stray character; a decimal glued to letters) are
 * ERR_SYNTAX with the span of the offending text's start.
 */
#ifndef EDDY_LEX_H
#define EDDY_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/err.h"
#include "keywords.h"

/* The non-keyword tokens: X(NAME, description used in error messages). */
#define LEX_TOKENS(X)                                                                                        \
    X(EOF, "end of input")                                                                                   \
    X(IDENT, "identifier")                                                                                   \
    X(QIDENT, "quoted identifier")                                                                           \
    X(STRING_LIT, "string")                                                                                  \
    X(INT_LIT, "integer")                                                                                    \
    X(DECIMAL_LIT, "decimal number")                                                                         \
    X(DOUBLE_LIT, "double number")                                                                           \
    X(EQ, "'='")                                                                                             \
    X(NE, "'<>'")                                                                                            \
    X(LT, "'<'")                                                                                             \
    X(LE, "'<='")                                                                                            \
    X(GT, "'>'")                                                                                             \
    X(GE, "'>='")                                                                                            \
    X(PLUS, "'+'")                                                                                           \
    X(MINUS, "'-'")                                                                                          \
    X(STAR, "'*'")                                                                                           \
    X(SLASH, "'/'")                                                                                          \
    X(PERCENT, "'%'")                                                                                        \
    X(CONCAT, "'||'")                                                                                        \
    X(ARROW, "'->'")                                                                                         \
    X(LAMBDA, "'=>'")                                                                                        \
    X(ASSIGN, "':='")                                                                                        \
    X(COMMA, "','")                                                                                          \
    X(SEMI, "';'")                                                                                           \
    X(LPAREN, "'('")                                                                                         \
    X(RPAREN, "')'")                                                                                         \
    X(LBRACKET, "'['")                                                                                       \
    X(RBRACKET, "']'")                                                                                       \
    X(DOT, "'.'")

typedef enum tok_kind {
#define X(name, text) TK_##name,
    LEX_TOKENS(X)
#undef X
#define X(name, reserved) TK_##name,
        KEYWORDS(X)
#undef X
            TK__COUNT
} tok_kind;

#define TK_FIRST_KEYWORD TK_ADVANCE

typedef struct token {
    tok_kind kind;
    uint32_t off, len;
} token;

typedef struct lexer {
    const char *src;
    uint32_t len;
    uint32_t pos;
} lexer;

/* Starts lexing src[0..len); src must outlive the lexer and its tokens.
 * Sources longer than UINT32_MAX bytes are cut there (spans are 32-bit). */
void lex_init(lexer *l, const char *src, size_t len);

/* Reads the next token into *t.  Returns true, or false with e set
 * (ERR_SYNTAX) and *t spanning the bad text; the lexer then stands after
 * it, so a caller may keep going.  At the end, returns TK_EOF forever. */
bool lex_next(lexer *l, token *t, err *e);

/* The keyword token for a word (any case), or TK_IDENT. */
tok_kind lex_keyword(const char *s, size_t n);
bool lex_is_keyword(tok_kind k);
bool lex_is_reserved(tok_kind k);
/* Upper-case spelling of a keyword, or the description of another token
 * kind ("identifier", "')'", "end of input"). */
const char *lex_token_name(tok_kind k);

/* Node text of an identifier token (TK_IDENT, TK_QIDENT or a keyword):
 * upper-cased when unquoted, unescaped when quoted.  Arena-allocated,
 * NUL-terminated. */
char *lex_ident(arena *a, const char *src, token t);
/* Unescaped contents of a TK_STRING_LIT token; *len gets its length. */
char *lex_string(arena *a, const char *src, token t, uint32_t *len);

#endif
