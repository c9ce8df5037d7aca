/* lex.c — see lex.h.  A character-class table drives the scanner; the
 * keyword table is generated from keywords.h. */
#include "lex.h"

#include <stdio.h>
#include <string.h>

enum {
    CC_SPACE = 1,   /* blank, tab, newline, ... */
    CC_DIGIT = 2,   /* 0-9 */
    CC_IDSTART = 4, /* letters, '_', and bytes of UTF-8 sequences */
    CC_IDCHAR = 8,  /* CC_IDSTART and digits */
};

#define ID (CC_IDSTART | CC_IDCHAR)
static const unsigned char lex_cclass[256] = {
    ['\t'] = CC_SPACE,
    ['\n'] = CC_SPACE,
    ['\v'] = CC_SPACE,
    ['\f'] = CC_SPACE,
    ['\r'] = CC_SPACE,
    [' '] = CC_SPACE,
    ['0' ... '9'] = CC_DIGIT | CC_IDCHAR,
    ['A' ... 'Z'] = ID,
    ['a' ... 'z'] = ID,
    ['_'] = ID,
    [0x80 ... 0xff] = ID,
};
#undef ID

static bool lex_is(const lexer *l, uint32_t i, int cls)
{
    return i < l->len && (lex_cclass[(unsigned char)l->src[i]] & cls);
}

static char lex_at(const lexer *l, uint32_t i)
{
    return i < l->len ? l->src[i] : '\0';
}

/* ---- the keyword table -------------------------------------------------- */

static const struct {
    const char *name;
    bool reserved;
} lex_keywords[] = {
#define X(name, reserved) {#name, reserved},
    KEYWORDS(X)
#undef X
};
#define LEX_NKEYWORDS ((int)(sizeof lex_keywords / sizeof lex_keywords[0]))

static const char *const lex_token_names[] = {
#define X(name, text) text,
    LEX_TOKENS(X)
#undef X
};

tok_kind lex_keyword(const char *s, size_t n)
{
    char up[16];
    if (n == 0 || n >= sizeof up)
        return TK_IDENT;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        up[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    up[n] = '\0';
    int lo = 0, hi = LEX_NKEYWORDS - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcmp(up, lex_keywords[mid].name);
        if (c == 0)
            return (tok_kind)(TK_FIRST_KEYWORD + mid);
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return TK_IDENT;
}

bool lex_is_keyword(tok_kind k)
{
    return k >= TK_FIRST_KEYWORD && k < TK__COUNT;
}

bool lex_is_reserved(tok_kind k)
{
    return lex_is_keyword(k) && lex_keywords[k - TK_FIRST_KEYWORD].reserved;
}

const char *lex_token_name(tok_kind k)
{
    if (lex_is_keyword(k))
        return lex_keywords[k - TK_FIRST_KEYWORD].name;
    if (k < TK_FIRST_KEYWORD)
        return lex_token_names[k];
    return "?";
}

/* ---- scanning ----------------------------------------------------------- */

void lex_init(lexer *l, const char *src, size_t len)
{
    l->src = src;
    l->len = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    l->pos = 0;
}

static bool lex_fail(lexer *l, token *t, err *e, uint32_t start, uint32_t end, const char *what)
{
    t->kind = TK_EOF;
    t->off = start;
    t->len = end - start;
    l->pos = end;
    err_at(e, ERR_SYNTAX, start, 1, "syntax error: %s", what);
    return false;
}

/* Skips blanks and comments.  Returns false on an unterminated block
 * comment (reported at its start). */
static bool lex_skip(lexer *l, token *t, err *e)
{
    for (;;) {
        while (lex_is(l, l->pos, CC_SPACE))
            l->pos++;
        if (lex_at(l, l->pos) == '-' && lex_at(l, l->pos + 1) == '-') {
            while (l->pos < l->len && l->src[l->pos] != '\n')
                l->pos++;
        } else if (lex_at(l, l->pos) == '/' && lex_at(l, l->pos + 1) == '*') {
            uint32_t start = l->pos;
            l->pos += 2;
            while (l->pos < l->len && !(l->src[l->pos] == '*' && lex_at(l, l->pos + 1) == '/'))
                l->pos++;
            if (l->pos >= l->len) {
                lex_fail(l, t, e, start, l->len, "unterminated comment");
                err_hint(e, "close the comment with */");
                return false;
            }
            l->pos += 2;
        } else {
            return true;
        }
    }
}

/* A quoted run: 'string', `ident` or "ident"; the quote doubled escapes
 * itself. */
static bool lex_quoted(lexer *l, token *t, err *e, tok_kind kind, const char *what)
{
    uint32_t start = l->pos, nul = 0;
    char q = l->src[start];
    uint32_t i = start + 1;
    for (;;) {
        if (i >= l->len) {
            lex_fail(l, t, e, start, l->len, what);
            if (q == '\'')
                err_hint(e, "close the string with ' (write '' for a quote inside it)");
            else
                err_hint(e, "close the name with %c (write %c%c for a %c inside it)", q, q, q, q);
            return false;
        }
        if (l->src[i] == q) {
            if (lex_at(l, i + 1) != q)
                break;
            i++;
        } else if (l->src[i] == '\0' && !nul) {
            nul = i;
        }
        i++;
    }
    /* Names and strings become NUL-terminated text, so a NUL byte inside
     * would silently cut them short. */
    if (nul)
        return lex_fail(l, t, e, nul, i + 1,
                        kind == TK_STRING_LIT ? "a string cannot contain a NUL byte (0x00)"
                                              : "a quoted identifier cannot contain a NUL byte (0x00)");
    t->kind = kind;
    t->len = i + 1 - start;
    l->pos = i + 1;
    return true;
}

/* digits [ '.' digits ] [ ('E'|'e') ['+'|'-'] digits ], or '.' digits ... */
static bool lex_number(lexer *l, token *t, err *e)
{
    uint32_t start = l->pos, i = start;
    tok_kind kind = TK_INT_LIT;
    while (lex_is(l, i, CC_DIGIT))
        i++;
    if (lex_at(l, i) == '.') {
        kind = TK_DECIMAL_LIT;
        i++;
        while (lex_is(l, i, CC_DIGIT))
            i++;
    }
    if (kind == TK_DECIMAL_LIT && lex_at(l, i) == '.') { /* 1.2.3 */
        uint32_t end = i;
        while (lex_is(l, end, CC_IDCHAR) || lex_at(l, end) == '.')
            end++;
        return lex_fail(l, t, e, start, end, "malformed number: a number has at most one '.'");
    }
    char c = lex_at(l, i);
    if (c == 'e' || c == 'E') {
        uint32_t j = i + 1;
        if (lex_at(l, j) == '+' || lex_at(l, j) == '-')
            j++;
        if (lex_is(l, j, CC_DIGIT)) {
            kind = TK_DOUBLE_LIT;
            i = j;
            while (lex_is(l, i, CC_DIGIT))
                i++;
        }
    }
    if (lex_is(l, i, CC_IDCHAR)) {
        uint32_t end = i;
        while (lex_is(l, end, CC_IDCHAR))
            end++;
        if (kind == TK_INT_LIT) { /* 1R: ksqlDB's DIGIT_IDENTIFIER, a name */
            t->kind = TK_IDENT;
            t->len = end - start;
            l->pos = end;
            return true;
        }
        char what[96];
        snprintf(what, sizeof what, "malformed number '%.*s'", end - start > 40 ? 40 : (int)(end - start),
                 l->src + start);
        lex_fail(l, t, e, start, end, what);
        err_hint(e, "a name cannot start with a number and a point; put a space between a number and a name");
        return false;
    }
    t->kind = kind;
    t->len = i - start;
    l->pos = i;
    return true;
}

static bool lex_word(lexer *l, token *t)
{
    uint32_t i = l->pos;
    while (lex_is(l, i, CC_IDCHAR))
        i++;
    t->len = i - l->pos;
    t->kind = lex_keyword(l->src + l->pos, t->len);
    l->pos = i;
    return true;
}

/* Operators of one or two characters. */
static bool lex_operator(lexer *l, token *t, err *e)
{
    static const struct {
        char s[3];
        tok_kind kind;
    } ops[] = {
        /* two-character operators first, so they win over their prefixes */
        {"<>", TK_NE},      {"!=", TK_NE},      {"<=", TK_LE},     {">=", TK_GE},    {"||", TK_CONCAT},
        {"->", TK_ARROW},   {"=>", TK_LAMBDA},  {":=", TK_ASSIGN}, {"=", TK_EQ},     {"<", TK_LT},
        {">", TK_GT},       {"+", TK_PLUS},     {"-", TK_MINUS},   {"*", TK_STAR},   {"/", TK_SLASH},
        {"%", TK_PERCENT},  {",", TK_COMMA},    {";", TK_SEMI},    {"(", TK_LPAREN}, {")", TK_RPAREN},
        {"[", TK_LBRACKET}, {"]", TK_RBRACKET}, {".", TK_DOT},
    };
    char c0 = l->src[l->pos], c1 = lex_at(l, l->pos + 1);
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (ops[i].s[0] == c0 && (ops[i].s[1] == '\0' || ops[i].s[1] == c1)) {
            t->kind = ops[i].kind;
            t->len = ops[i].s[1] ? 2 : 1;
            l->pos += t->len;
            return true;
        }
    }
    char what[64];
    unsigned char u = (unsigned char)c0;
    if (u >= 0x20 && u < 0x7f)
        snprintf(what, sizeof what, "unexpected character '%c'", c0);
    else
        snprintf(what, sizeof what, "unexpected byte 0x%02X", u);
    return lex_fail(l, t, e, l->pos, l->pos + 1, what);
}

bool lex_next(lexer *l, token *t, err *e)
{
    if (!lex_skip(l, t, e))
        return false;
    t->off = l->pos;
    t->len = 0;
    if (l->pos >= l->len) {
        t->kind = TK_EOF;
        return true;
    }
    char c = l->src[l->pos];
    if (c == '\'')
        return lex_quoted(l, t, e, TK_STRING_LIT, "unterminated string");
    if (c == '`' || c == '"')
        return lex_quoted(l, t, e, TK_QIDENT, "unterminated quoted identifier");
    if (lex_is(l, l->pos, CC_DIGIT) || (c == '.' && lex_is(l, l->pos + 1, CC_DIGIT)))
        return lex_number(l, t, e);
    if (lex_is(l, l->pos, CC_IDSTART))
        return lex_word(l, t);
    return lex_operator(l, t, e);
}

/* ---- token text --------------------------------------------------------- */

/* Copies the inside of a quoted token, undoubling the quote. */
static char *lex_unquote(arena *a, const char *src, token t, uint32_t *len)
{
    const char *s = src + t.off + 1;
    uint32_t n = t.len >= 2 ? t.len - 2 : 0;
    char q = src[t.off];
    char *out = arena_alloc(a, (size_t)n + 1);
    uint32_t o = 0;
    for (uint32_t i = 0; i < n; i++) {
        out[o++] = s[i];
        if (s[i] == q)
            i++; /* skip the second quote of a doubled pair */
    }
    out[o] = '\0';
    if (len)
        *len = o;
    return out;
}

char *lex_ident(arena *a, const char *src, token t)
{
    if (t.kind == TK_QIDENT)
        return lex_unquote(a, src, t, NULL);
    char *s = arena_strndup(a, src + t.off, t.len);
    for (char *c = s; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    return s;
}

char *lex_string(arena *a, const char *src, token t, uint32_t *len)
{
    return lex_unquote(a, src, t, len);
}
