/* parse.c — statements, and the machinery every rule shares.
 *
 * One function per grammar rule, named after it, with the rule from
 * grammar/eddy.ebnf in a comment above.  Expressions and types are in
 * parse_expr.c.  A syntax error is recorded in p->e and unwinds with
 * longjmp to parse_next (as Lua's lparser does with luaD_throw); the arena
 * owns every node, so nothing leaks on the way out.
 */
#include "parse.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- tokens ------------------------------------------------------------- */

static _Noreturn void parse_throw(parser *p)
{
    longjmp(*(jmp_buf *)p->jmp, 1);
}

_Noreturn void parse__fail(parser *p)
{
    parse_throw(p);
}

void parse__advance(parser *p)
{
    p->prev = p->tok;
    if (!lex_next(&p->lex, &p->tok, p->e))
        parse_throw(p);
}

bool parse__check(parser *p, tok_kind k)
{
    return p->tok.kind == k;
}

bool parse__accept(parser *p, tok_kind k)
{
    if (p->tok.kind != k)
        return false;
    parse__advance(p);
    return true;
}

tok_kind parse__peek(parser *p, int n)
{
    lexer l = p->lex;
    token t = p->tok;
    err scratch;
    for (int i = 0; i < n && t.kind != TK_EOF; i++)
        if (!lex_next(&l, &t, &scratch))
            return TK_EOF;
    return t.kind;
}

/* ---- errors ------------------------------------------------------------- */

/* "'FROM'", "'x'" or "end of input", cut to a readable length. */
static void parse_describe_token(parser *p, token t, char *out, size_t n)
{
    if (t.kind == TK_EOF) {
        snprintf(out, n, "end of input");
        return;
    }
    int len = t.len > 40 ? 40 : (int)t.len;
    if (t.kind == TK_STRING_LIT) /* already in quotes */
        snprintf(out, n, "the string %.*s%s", len, p->src + t.off, t.len > 40 ? "...'" : "");
    else
        snprintf(out, n, "'%.*s%s'", len, p->src + t.off, t.len > 40 ? "..." : "");
}

static uint32_t parse_end_of(token t)
{
    return t.off + t.len;
}

/* Records "expected WHAT but found X" (or the end-of-input variant). */
static void parse_set_expected(parser *p, const char *what)
{
    char found[64];
    if (p->tok.kind == TK_EOF) {
        err_at(p->e, ERR_SYNTAX, parse_end_of(p->prev), 0,
               "syntax error: unexpected end of input, expected %s", what);
        return;
    }
    parse_describe_token(p, p->tok, found, sizeof found);
    err_at(p->e, ERR_SYNTAX, p->tok.off, p->tok.len, "syntax error: expected %s but found %s", what, found);
    if (lex_is_reserved(p->tok.kind) && strstr(what, "name"))
        err_hint(p->e, "%s is a reserved word; write `%s` to use it as a name", lex_token_name(p->tok.kind),
                 lex_token_name(p->tok.kind));
}

_Noreturn void parse__error_expected(parser *p, const char *what)
{
    parse_set_expected(p, what);
    parse_throw(p);
}

_Noreturn void parse__error_at(parser *p, err_code code, token t, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_at(p->e, code, t.off, t.len, "%s", msg);
    parse_throw(p);
}

/* Levenshtein distance of two short upper-case words (case-insensitive). */
static int parse_edit_distance(const char *a, size_t na, const char *b)
{
    size_t nb = strlen(b);
    int row[32];
    if (na >= 31 || nb >= 31)
        return 99;
    for (size_t j = 0; j <= nb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        int diag = row[0];
        row[0] = (int)i;
        char ca = a[i - 1];
        if (ca >= 'a' && ca <= 'z')
            ca = (char)(ca - 'a' + 'A');
        for (size_t j = 1; j <= nb; j++) {
            int up = row[j];
            int best = diag + (ca != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[nb];
}

/* The keyword among `cands` closest to the current token, if close
 * enough to be a typo, else NULL. */
static const char *parse_did_you_mean(parser *p, const tok_kind *cands, int n)
{
    /* a reserved word is a real word the user meant, not a typo */
    if (p->tok.kind != TK_IDENT && (!lex_is_keyword(p->tok.kind) || lex_is_reserved(p->tok.kind)))
        return NULL;
    const char *best = NULL;
    int bestd = p->tok.len <= 3 ? 1 : 2;
    for (int i = 0; i < n; i++) {
        const char *kw = lex_token_name(cands[i]);
        int d = parse_edit_distance(p->src + p->tok.off, p->tok.len, kw);
        if (d <= bestd && d > 0) {
            best = kw;
            bestd = d - 1;
        }
    }
    return best;
}

/* Records "expected K but found X", with a did-you-mean hint when X
 * looks like a misspelt K. */
static void parse_set_expected_token(parser *p, tok_kind k)
{
    parse_set_expected(p, lex_token_name(k));
    const char *guess = lex_is_keyword(k) ? parse_did_you_mean(p, &k, 1) : NULL;
    if (guess)
        err_hint(p->e, "did you mean %s?", guess);
}

void parse__expect(parser *p, tok_kind k)
{
    if (parse__accept(p, k))
        return;
    parse_set_expected_token(p, k);
    parse_throw(p);
}

void parse__expect_hint(parser *p, tok_kind k, const char *hint)
{
    if (parse__accept(p, k))
        return;
    parse_set_expected_token(p, k);
    if (!p->e->hint[0])
        err_hint(p->e, "%s", hint);
    parse_throw(p);
}

/* Fails with "expected WHAT but found X", hinting the closest of the
 * keywords `cands` when X looks like a misspelling of one. */
_Noreturn static void parse_expected_one_of(parser *p, const char *what, const tok_kind *cands, int n)
{
    parse_set_expected(p, what);
    const char *guess = parse_did_you_mean(p, cands, n);
    if (guess)
        err_hint(p->e, "did you mean %s?", guess);
    parse_throw(p);
}

#define PARSE_NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

void parse__enter(parser *p)
{
    if (++p->depth > PARSE_MAX_DEPTH)
        parse__error_at(p, ERR_TOO_DEEP, p->tok, "statement nested too deeply (more than %d levels)",
                        PARSE_MAX_DEPTH);
    if (p->depth > p->hwm)
        p->hwm = p->depth;
}

ast_span parse__span_from(parser *p, uint32_t off)
{
    uint32_t end = parse_end_of(p->prev);
    return (ast_span){off, end > off ? end - off : 0};
}

void *parse__grow(parser *p, void *arr, int n, int *cap, size_t elem)
{
    if (n < *cap)
        return arr;
    int ncap = *cap ? *cap * 2 : 4;
    void *na = arena_alloc(p->arena, (size_t)ncap * elem);
    if (n)
        memcpy(na, arr, (size_t)n * elem);
    *cap = ncap;
    return na;
}

/* ---- shared small rules -------------------------------------------------- */

bool parse__is_ident(parser *p)
{
    tok_kind k = p->tok.kind;
    return k == TK_IDENT || k == TK_QIDENT || (lex_is_keyword(k) && !lex_is_reserved(k));
}

/* identifier ::= IDENT | QUOTED_IDENT | non_reserved_keyword */
ast_ident parse__ident(parser *p, const char *what)
{
    if (!parse__is_ident(p))
        parse__error_expected(p, what);
    if (p->tok.kind == TK_QIDENT && p->tok.len == 2)
        parse__error_at(p, ERR_SYNTAX, p->tok, "syntax error: empty quoted identifier");
    ast_ident id = {lex_ident(p->arena, p->src, p->tok), p->tok.kind == TK_QIDENT, {p->tok.off, p->tok.len}};
    parse__advance(p);
    return id;
}

int64_t parse__int(parser *p, const char *what)
{
    if (p->tok.kind != TK_INT_LIT)
        parse__error_expected(p, what);
    uint64_t v = 0;
    for (uint32_t i = 0; i < p->tok.len; i++) {
        unsigned d = (unsigned)(p->src[p->tok.off + i] - '0');
        if (v > ((uint64_t)INT64_MAX - d) / 10)
            parse__error_at(
                p, ERR_SYNTAX, p->tok, "syntax error: integer %.*s is too large (the largest is %lld)",
                p->tok.len > 40 ? 40 : (int)p->tok.len, p->src + p->tok.off, (long long)INT64_MAX);
        v = v * 10 + d;
    }
    parse__advance(p);
    return (int64_t)v;
}

/* duration ::= integer time_unit
 * time_unit ::= MILLISECOND[S] | SECOND[S] | MINUTE[S] | HOUR[S] | DAY[S] */
ast_duration parse__duration(parser *p)
{
    uint32_t start = p->tok.off;
    int64_t n = parse__int(p, "a duration (e.g. 30 SECONDS)");
    int64_t unit;
    switch (p->tok.kind) {
    case TK_MILLISECOND:
    case TK_MILLISECONDS: unit = 1; break;
    case TK_SECOND:
    case TK_SECONDS: unit = 1000; break;
    case TK_MINUTE:
    case TK_MINUTES: unit = 60 * 1000; break;
    case TK_HOUR:
    case TK_HOURS: unit = 3600 * 1000; break;
    case TK_DAY:
    case TK_DAYS: unit = 86400 * 1000; break;
    default: {
        static const tok_kind units[] = {TK_MILLISECONDS, TK_SECONDS, TK_MINUTES, TK_HOURS, TK_DAYS};
        if (p->tok.len >= 4 && strncasecmp(p->src + p->tok.off, "WEEK", 4) == 0) {
            parse_set_expected(p, "a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS or DAYS)");
            err_hint(p->e, "write weeks as days: 1 WEEK is 7 DAYS");
            parse_throw(p);
        }
        parse_expected_one_of(p, "a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS or DAYS)", units,
                              PARSE_NELEM(units));
    }
    }
    if (n > INT64_MAX / unit)
        parse__error_at(p, ERR_SYNTAX, p->prev, "syntax error: duration is too long");
    parse__advance(p);
    return (ast_duration){true, n * unit, parse__span_from(p, start)};
}

static ast_stmt *parse_new_stmt(parser *p, ast_stmt_kind kind)
{
    ast_stmt *s = arena_alloc(p->arena, sizeof *s);
    s->kind = kind;
    return s;
}

/* An IF NOT EXISTS / IF EXISTS prefix: IF is not reserved, so it only
 * counts when the next word follows. */
static bool parse_if(parser *p, tok_kind after)
{
    if (!parse__check(p, TK_IF))
        return false;
    tok_kind next = parse__peek(p, 1);
    if (next != after && next == TK_IDENT && parse__peek(p, 2) != TK_SEMI && parse__peek(p, 2) != TK_EOF &&
        parse__peek(p, 2) != TK_LPAREN) {
        /* IF EXIST s: a name follows the misspelt word, so IF cannot be the
         * name; report the word, with did-you-mean */
        parse__advance(p);
        parse__expect(p, after);
    }
    if (next != after)
        return false;
    parse__advance(p);
    return true;
}

static const char *parse_string(parser *p, const char *what)
{
    if (p->tok.kind != TK_STRING_LIT)
        parse__error_expected(p, what);
    const char *s = lex_string(p->arena, p->src, p->tok, NULL);
    parse__advance(p);
    return s;
}

/* ---- queries ------------------------------------------------------------ */

/* select_item ::= '*' | identifier '.' '*' | postfix '->' '*' | expr [[AS] identifier] */
static void parse_select_item(parser *p, ast_select_item *it)
{
    uint32_t start = p->tok.off;
    if (parse__is_ident(p) && parse__peek(p, 1) == TK_DOT && parse__peek(p, 2) == TK_STAR) {
        ast_expr *e = arena_alloc(p->arena, sizeof *e);
        e->kind = AST_STAR;
        e->u.col.qualifier = parse__ident(p, "a source name");
        parse__advance(p); /* . */
        parse__advance(p); /* * */
        e->span = parse__span_from(p, start);
        it->expr = e;
    } else if (parse__accept(p, TK_STAR)) {
        ast_expr *e = arena_alloc(p->arena, sizeof *e);
        e->kind = AST_STAR;
        e->span = parse__span_from(p, start);
        it->expr = e;
    } else {
        p->struct_star_ok = true;
        it->expr = parse__expr(p);
        p->struct_star_ok = false;
        if (it->expr->kind == AST_STRUCT_STAR)
            ; /* x->* names its columns after the fields: no alias */
        else if (parse__accept(p, TK_AS))
            it->alias = parse__ident(p, "an alias name");
        else if (parse__is_ident(p))
            it->alias = parse__ident(p, "an alias name");
    }
    it->span = parse__span_from(p, start);
}

/* A relation's alias without AS must not swallow the next clause's
 * non-reserved first word. */
static bool parse_implicit_alias_ok(parser *p)
{
    return parse__is_ident(p) && !parse__check(p, TK_EMIT) && !parse__check(p, TK_PARTITION);
}

/* relation ::= identifier [[AS] identifier] */
static void parse_relation(parser *p, ast_relation *r)
{
    uint32_t start = p->tok.off;
    r->name = parse__ident(p, "a stream or table name");
    if (parse__accept(p, TK_AS))
        r->alias = parse__ident(p, "an alias name");
    else if (parse_implicit_alias_ok(p))
        r->alias = parse__ident(p, "an alias name");
    r->span = parse__span_from(p, start);
}

/* within ::= WITHIN (duration | '(' duration ',' duration ')') [GRACE PERIOD duration] */
static void parse_within(parser *p, ast_join *j)
{
    parse__expect(p, TK_WITHIN);
    if (parse__accept(p, TK_LPAREN)) {
        j->within_before = parse__duration(p);
        parse__expect_hint(p, TK_COMMA,
                           "WITHIN (before, after) takes two durations, as in WITHIN (1 HOUR, 2 HOURS); "
                           "for the same time either side write WITHIN 1 HOUR");
        j->within_after = parse__duration(p);
        parse__expect(p, TK_RPAREN);
    } else {
        j->within_before = j->within_after = parse__duration(p);
    }
    if (parse__accept(p, TK_GRACE)) {
        parse__expect(p, TK_PERIOD);
        j->within_grace = parse__duration(p);
    }
}

static bool parse_join_start(parser *p)
{
    tok_kind k = p->tok.kind;
    return k == TK_JOIN || k == TK_INNER || k == TK_LEFT || k == TK_RIGHT || k == TK_FULL;
}

/* join ::= [INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER]] JOIN relation [within] ON expr */
static void parse_join(parser *p, ast_join *j)
{
    uint32_t start = p->tok.off;
    j->kind = AST_JOIN_INNER;
    if (parse__accept(p, TK_LEFT))
        j->kind = AST_JOIN_LEFT;
    else if (parse__accept(p, TK_RIGHT))
        j->kind = AST_JOIN_RIGHT;
    else if (parse__accept(p, TK_FULL))
        j->kind = AST_JOIN_FULL;
    else
        parse__accept(p, TK_INNER);
    if (j->kind != AST_JOIN_INNER)
        parse__accept(p, TK_OUTER);
    parse__expect_hint(p, TK_JOIN, "write the kind of join before JOIN: LEFT JOIN b ON a.id = b.id");
    parse_relation(p, &j->right);
    if (parse__check(p, TK_WITHIN))
        parse_within(p, j);
    parse__expect_hint(p, TK_ON, "a join needs a condition: JOIN b ON a.id = b.id");
    j->on = parse__expr(p);
    j->span = parse__span_from(p, start);
}

/* window_options ::= [',' RETENTION duration] [',' GRACE PERIOD duration] */
static void parse_window_options(parser *p, ast_window *w)
{
    if (parse__check(p, TK_COMMA) && parse__peek(p, 1) == TK_RETENTION) {
        parse__advance(p);
        parse__advance(p);
        w->retention = parse__duration(p);
    }
    if (parse__accept(p, TK_COMMA)) {
        parse__expect(p, TK_GRACE);
        parse__expect_hint(p, TK_PERIOD, "write GRACE PERIOD 10 MINUTES");
        w->grace = parse__duration(p);
    }
}

/* window ::= WINDOW [identifier] ( TUMBLING '(' SIZE duration window_options ')'
 *                   | HOPPING '(' SIZE duration ',' ADVANCE BY duration window_options ')'
 *                   | SESSION '(' duration window_options ')' ) */
static void parse_window(parser *p, ast_window *w)
{
    static const tok_kind words[] = {TK_TUMBLING, TK_HOPPING, TK_SESSION};
    uint32_t start = p->tok.off;
    parse__expect(p, TK_WINDOW);
    tok_kind next = parse__peek(p, 1);
    if (parse__is_ident(p) && !parse__check(p, TK_TUMBLING) && !parse__check(p, TK_HOPPING) &&
        !parse__check(p, TK_SESSION) && (next == TK_TUMBLING || next == TK_HOPPING || next == TK_SESSION))
        parse__advance(p); /* ksqlDB accepts and ignores a window name */
    if (parse__accept(p, TK_TUMBLING))
        w->kind = AST_WINDOW_TUMBLING;
    else if (parse__accept(p, TK_HOPPING))
        w->kind = AST_WINDOW_HOPPING;
    else if (parse__accept(p, TK_SESSION))
        w->kind = AST_WINDOW_SESSION;
    else
        parse_expected_one_of(p, "TUMBLING, HOPPING or SESSION", words, PARSE_NELEM(words));
    parse__expect(p, TK_LPAREN);
    if (w->kind == AST_WINDOW_TUMBLING)
        parse__expect_hint(p, TK_SIZE, "write the window's size after SIZE: TUMBLING (SIZE 1 HOUR)");
    else if (w->kind == AST_WINDOW_HOPPING)
        parse__expect_hint(p, TK_SIZE, "write HOPPING (SIZE 1 HOUR, ADVANCE BY 10 MINUTES)");
    else if (parse__check(p, TK_SIZE))
        parse__error_at(p, ERR_SYNTAX, p->tok,
                        "syntax error: a SESSION window has no SIZE; it takes the gap that closes a "
                        "session: SESSION (30 MINUTES)");
    w->size = parse__duration(p);
    if (w->kind == AST_WINDOW_HOPPING) {
        static const char advance[] = "a HOPPING window needs ADVANCE BY after its size: "
                                      "HOPPING (SIZE 1 HOUR, ADVANCE BY 10 MINUTES)";
        parse__expect_hint(p, TK_COMMA, advance);
        parse__expect_hint(p, TK_ADVANCE, advance);
        parse__expect_hint(p, TK_BY, advance);
        w->advance = parse__duration(p);
    }
    parse_window_options(p, w);
    parse__expect(p, TK_RPAREN);
    w->span = parse__span_from(p, start);
}

/* expr_list ::= expr {',' expr} */
static ast_expr **parse_expr_list(parser *p, int *n)
{
    ast_expr **list = NULL;
    int cap = 0;
    do {
        list = parse__grow(p, list, *n, &cap, sizeof *list);
        list[(*n)++] = parse__expr(p);
    } while (parse__accept(p, TK_COMMA));
    return list;
}

/* True when the '(' at the current token opens a list `(a, b)` rather
 * than a parenthesized expression: a ',' at its own nesting level. */
static bool parse_paren_list_ahead(parser *p)
{
    lexer l = p->lex;
    token t;
    err scratch;
    int depth = 1;
    while (lex_next(&l, &t, &scratch)) {
        if (t.kind == TK_LPAREN || t.kind == TK_LBRACKET)
            depth++;
        else if (t.kind == TK_RPAREN || t.kind == TK_RBRACKET)
            depth--;
        else if (t.kind == TK_COMMA && depth == 1)
            return true;
        if (depth == 0 || t.kind == TK_SEMI || t.kind == TK_EOF)
            return false;
    }
    return false;
}

/* group_by ::= GROUP BY ('(' expr_list ')' | expr_list) */
static void parse_group_by(parser *p, ast_query *q)
{
    parse__expect(p, TK_GROUP);
    parse__expect(p, TK_BY);
    if (parse__check(p, TK_LPAREN) && parse_paren_list_ahead(p)) {
        parse__advance(p);
        q->group_by = parse_expr_list(p, &q->ngroup_by);
        parse__expect(p, TK_RPAREN);
    } else {
        q->group_by = parse_expr_list(p, &q->ngroup_by);
    }
}

/* The FROM of a query, with a hint when it is missing.  `SELECT a FORM s`
 * reads FORM as an alias of a, so the typo is the token before. */
static void parse_from(parser *p, ast_query *q)
{
    if (!parse__check(p, TK_FROM)) {
        const ast_select_item *last = &q->items[q->nitems - 1];
        parse_set_expected_token(p, TK_FROM);
        bool aliased = last->alias.name && last->alias.span.off == p->prev.off;
        if (p->tok.kind == TK_RPAREN || p->tok.kind == TK_RBRACKET)
            err_at(p->e, ERR_SYNTAX, p->tok.off, p->tok.len, "syntax error: '%c' without a matching '%c'",
                   p->src[p->tok.off], p->tok.kind == TK_RPAREN ? '(' : '[');
        else if (aliased && p->prev.kind == TK_IDENT &&
                 parse_edit_distance(p->src + p->prev.off, p->prev.len, "FROM") <= 2)
            err_hint(p->e, "did you mean FROM? '%.*s' was read as an alias", (int)p->prev.len,
                     p->src + p->prev.off);
        else if (aliased && !p->e->hint[0] && p->tok.kind != TK_EOF && p->tok.kind != TK_SEMI)
            err_hint(p->e, "separate select items with ','; '%.*s' was read as an alias of the item before it",
                     (int)p->prev.len, p->src + p->prev.off);
        else if (!p->e->hint[0])
            err_hint(p->e, "a query reads from a stream or table: SELECT ... FROM source ...");
        parse_throw(p);
    }
    parse__advance(p);
    parse_relation(p, &q->from);
}

/* query ::= SELECT select_item {',' select_item} FROM relation {join} [window]
 *           [WHERE expr] [GROUP BY ...] [HAVING expr] [PARTITION BY expr_list]
 *           [EMIT (CHANGES | FINAL)] [LIMIT integer] */
static ast_query *parse_query(parser *p)
{
    ast_query *q = arena_alloc(p->arena, sizeof *q);
    uint32_t start = p->tok.off;
    int cap = 0;
    parse__expect(p, TK_SELECT);
    do {
        q->items = parse__grow(p, q->items, q->nitems, &cap, sizeof *q->items);
        parse_select_item(p, &q->items[q->nitems++]);
    } while (parse__accept(p, TK_COMMA));
    parse_from(p, q);
    cap = 0;
    while (parse_join_start(p)) {
        q->joins = parse__grow(p, q->joins, q->njoins, &cap, sizeof *q->joins);
        parse_join(p, &q->joins[q->njoins++]);
    }
    if (parse__check(p, TK_WINDOW))
        parse_window(p, &q->window);
    if (parse__accept(p, TK_WHERE))
        q->where = parse__expr(p);
    if (parse__check(p, TK_GROUP))
        parse_group_by(p, q);
    if (parse__accept(p, TK_HAVING))
        q->having = parse__expr(p);
    if (parse__accept(p, TK_PARTITION)) {
        parse__expect(p, TK_BY);
        q->partition_by = parse_expr_list(p, &q->npartition_by);
    }
    if (parse__accept(p, TK_EMIT)) {
        if (parse__accept(p, TK_CHANGES))
            q->emit = AST_EMIT_CHANGES;
        else if (parse__accept(p, TK_FINAL))
            q->emit = AST_EMIT_FINAL;
        else
            parse_expected_one_of(p, "CHANGES or FINAL", (const tok_kind[]){TK_CHANGES, TK_FINAL}, 2);
    }
    q->limit = parse__accept(p, TK_LIMIT) ? parse__int(p, "a row limit (a whole number)") : -1;
    q->span = parse__span_from(p, start);
    return q;
}

/* ---- CREATE ------------------------------------------------------------- */

/* property ::= (identifier | string) '=' literal */
static void parse_property(parser *p, ast_property *prop)
{
    uint32_t start = p->tok.off;
    char *key;
    if (p->tok.kind == TK_STRING_LIT)
        key = (char *)parse_string(p, "a property name");
    else
        key = (char *)parse__ident(p, "a property name").name;
    for (char *c = key; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    prop->key = key;
    parse__expect(p, TK_EQ);
    prop->value = parse__literal(p);
    prop->span = parse__span_from(p, start);
}

/* with_props ::= WITH '(' property {',' property} ')' */
static void parse_with_props(parser *p, ast_property **props, int *n)
{
    int cap = 0;
    parse__expect(p, TK_WITH);
    parse__expect_hint(p, TK_LPAREN, "properties go in parentheses: WITH (kafka_topic='t', value_format='JSON')");
    do {
        *props = parse__grow(p, *props, *n, &cap, sizeof **props);
        parse_property(p, &(*props)[(*n)++]);
    } while (parse__accept(p, TK_COMMA));
    parse__expect_hint(p, TK_RPAREN, "separate properties with ',' and close the list with ')'");
}

/* column_def ::= identifier type [KEY | PRIMARY KEY | HEADERS | HEADER '(' string ')'] */
static void parse_column_def(parser *p, ast_column_def *c)
{
    uint32_t start = p->tok.off;
    c->name = parse__ident(p, "a column name");
    if (parse__check(p, TK_COMMA) || parse__check(p, TK_RPAREN)) {
        parse_set_expected(p, "a type");
        err_hint(p->e, "every column needs a type: %s STRING", c->name.name);
        parse_throw(p);
    }
    c->type = parse__type(p);
    if (parse__accept(p, TK_KEY)) {
        c->key = true;
    } else if (parse__accept(p, TK_PRIMARY)) {
        parse__expect(p, TK_KEY);
        c->primary_key = true;
    } else if (parse__accept(p, TK_HEADERS)) {
        c->headers = true;
    } else if (parse__accept(p, TK_HEADER)) {
        parse__expect(p, TK_LPAREN);
        c->headers = true;
        c->header_key = parse_string(p, "a header key string");
        parse__expect(p, TK_RPAREN);
    }
    c->span = parse__span_from(p, start);
}

/* table_elements ::= '(' column_def {',' column_def} ')' */
static void parse_table_elements(parser *p, ast_stmt *s)
{
    int cap = 0;
    parse__expect(p, TK_LPAREN);
    do {
        s->u.create.columns =
            parse__grow(p, s->u.create.columns, s->u.create.ncolumns, &cap, sizeof *s->u.create.columns);
        parse_column_def(p, &s->u.create.columns[s->u.create.ncolumns++]);
    } while (parse__accept(p, TK_COMMA));
    parse__expect(p, TK_RPAREN);
}

/* create_type ::= CREATE TYPE identifier AS type */
static ast_stmt *parse_create_type(parser *p)
{
    ast_stmt *s = parse_new_stmt(p, AST_CREATE_TYPE);
    parse__expect(p, TK_TYPE);
    s->u.create_type.name = parse__ident(p, "a type name");
    parse__expect(p, TK_AS);
    s->u.create_type.type = parse__type(p);
    return s;
}

/* create_body ::= table_elements [with_props] | with_props | [with_props] AS query */
static ast_stmt *parse_create_body(parser *p)
{
    ast_stmt *s;
    if (parse__check(p, TK_LPAREN)) {
        s = parse_new_stmt(p, AST_CREATE_SOURCE);
        parse_table_elements(p, s);
        if (parse__check(p, TK_WITH))
            parse_with_props(p, &s->u.create.props, &s->u.create.nprops);
        return s;
    }
    ast_property *props = NULL;
    int nprops = 0;
    if (parse__check(p, TK_WITH))
        parse_with_props(p, &props, &nprops);
    if (nprops > 0 && !parse__check(p, TK_AS)) {
        s = parse_new_stmt(p, AST_CREATE_SOURCE); /* the columns come from the format's schema */
        s->u.create.props = props;
        s->u.create.nprops = nprops;
        return s;
    }
    if (!parse__accept(p, TK_AS))
        parse__error_expected(p, nprops ? "AS" : "'(', WITH or AS");
    s = parse_new_stmt(p, AST_CREATE_AS);
    s->u.create_as.props = props;
    s->u.create_as.nprops = nprops;
    s->u.create_as.query = parse_query(p);
    return s;
}

/* create ::= CREATE [OR REPLACE] [SOURCE] (STREAM | TABLE) [IF NOT EXISTS] identifier create_body */
static ast_stmt *parse_create(parser *p)
{
    static const tok_kind words[] = {TK_STREAM, TK_TABLE, TK_TYPE};
    parse__expect(p, TK_CREATE);
    if (parse__check(p, TK_TYPE))
        return parse_create_type(p);
    bool or_replace = parse__accept(p, TK_OR);
    if (or_replace)
        parse__expect(p, TK_REPLACE);
    bool read_only = parse__accept(p, TK_SOURCE); /* ksqlDB's read-only sources */
    ast_source_kind source = AST_SOURCE_STREAM;
    if (parse__accept(p, TK_TABLE))
        source = AST_SOURCE_TABLE;
    else if (!parse__accept(p, TK_STREAM))
        parse_expected_one_of(p, or_replace ? "STREAM or TABLE" : "STREAM, TABLE or TYPE", words,
                              PARSE_NELEM(words));
    bool if_not_exists = parse_if(p, TK_NOT);
    if (if_not_exists) {
        parse__expect(p, TK_NOT);
        parse__expect(p, TK_EXISTS);
    }
    ast_ident name = parse__ident(p, "a stream or table name");
    ast_stmt *s = parse_create_body(p);
    /* create and create_as have the same leading fields, but not one layout */
    if (s->kind == AST_CREATE_SOURCE) {
        s->u.create.source = source;
        s->u.create.or_replace = or_replace;
        s->u.create.if_not_exists = if_not_exists;
        s->u.create.name = name;
        s->u.create.read_only = read_only;
    } else {
        s->u.create_as.source = source;
        s->u.create_as.or_replace = or_replace;
        s->u.create_as.if_not_exists = if_not_exists;
        s->u.create_as.name = name;
    }
    return s;
}

/* ---- INSERT ------------------------------------------------------------- */

/* values ::= VALUES '(' expr {',' expr} ')' */
static void parse_values(parser *p, ast_stmt *s)
{
    int cap = 0;
    parse__expect(p, TK_VALUES);
    parse__expect_hint(p, TK_LPAREN, "put the values in parentheses: VALUES (1, 'a')");
    do {
        s->u.insert_values.values =
            parse__grow(p, s->u.insert_values.values, s->u.insert_values.nvalues, &cap, sizeof(ast_expr *));
        s->u.insert_values.values[s->u.insert_values.nvalues++] = parse__expr(p);
    } while (parse__accept(p, TK_COMMA));
    parse__expect(p, TK_RPAREN);
}

/* insert ::= INSERT INTO identifier ( ['(' identifier {',' identifier} ')'] values
 *                                   | [with_props] query ) */
static ast_stmt *parse_insert(parser *p)
{
    parse__expect(p, TK_INSERT);
    parse__expect(p, TK_INTO);
    ast_ident target = parse__ident(p, "a stream or table name");
    if (parse__check(p, TK_WITH) || parse__check(p, TK_SELECT)) {
        ast_stmt *s = parse_new_stmt(p, AST_INSERT_SELECT);
        s->u.insert_select.target = target;
        if (parse__check(p, TK_WITH))
            parse_with_props(p, &s->u.insert_select.props, &s->u.insert_select.nprops);
        s->u.insert_select.query = parse_query(p);
        return s;
    }
    ast_stmt *s = parse_new_stmt(p, AST_INSERT_VALUES);
    s->u.insert_values.target = target;
    if (parse__accept(p, TK_LPAREN)) {
        int cap = 0;
        do {
            s->u.insert_values.columns = parse__grow(p, s->u.insert_values.columns,
                                                     s->u.insert_values.ncolumns, &cap, sizeof(ast_ident));
            s->u.insert_values.columns[s->u.insert_values.ncolumns++] = parse__ident(p, "a column name");
        } while (parse__accept(p, TK_COMMA));
        parse__expect(p, TK_RPAREN);
    } else if (!parse__check(p, TK_VALUES)) {
        parse__error_expected(p, "'(', VALUES, WITH or SELECT");
    }
    parse_values(p, s);
    return s;
}

/* ---- metadata statements ----------------------------------------------- */

static bool parse_show_what(tok_kind k, ast_show_what *what)
{
    switch (k) {
    case TK_STREAMS: *what = AST_SHOW_STREAMS; return true;
    case TK_TABLES: *what = AST_SHOW_TABLES; return true;
    case TK_QUERIES: *what = AST_SHOW_QUERIES; return true;
    case TK_TOPICS: *what = AST_SHOW_TOPICS; return true;
    case TK_FUNCTIONS: *what = AST_SHOW_FUNCTIONS; return true;
    case TK_PROPERTIES: *what = AST_SHOW_PROPERTIES; return true;
    case TK_VARIABLES: *what = AST_SHOW_VARIABLES; return true;
    case TK_TYPES: *what = AST_SHOW_TYPES; return true;
    default: return false;
    }
}

/* show ::= (SHOW | LIST) (STREAMS | TABLES | QUERIES | TOPICS | FUNCTIONS | PROPERTIES
 *                        | VARIABLES | TYPES) [EXTENDED] */
static ast_stmt *parse_show(parser *p)
{
    static const tok_kind words[] = {TK_STREAMS,   TK_TABLES,     TK_QUERIES,   TK_TOPICS,
                                     TK_FUNCTIONS, TK_PROPERTIES, TK_VARIABLES, TK_TYPES};
    ast_stmt *s = parse_new_stmt(p, AST_SHOW);
    parse__advance(p); /* SHOW or LIST */
    if (!parse_show_what(p->tok.kind, &s->u.show.what))
        parse_expected_one_of(p,
                              "STREAMS, TABLES, QUERIES, TOPICS, FUNCTIONS, PROPERTIES, VARIABLES or TYPES",
                              words, PARSE_NELEM(words));
    parse__advance(p);
    s->u.show.extended = parse__accept(p, TK_EXTENDED);
    return s;
}

static bool parse_at_end(tok_kind k)
{
    return k == TK_SEMI || k == TK_EOF;
}

/* describe ::= DESCRIBE ( FUNCTION identifier | (STREAMS | TABLES) [EXTENDED]
 *                       | [EXTENDED] identifier ) */
static ast_stmt *parse_describe(parser *p)
{
    parse__expect(p, TK_DESCRIBE);
    tok_kind next = parse__peek(p, 1);
    ast_stmt *s;
    if (parse__check(p, TK_FUNCTION) && !parse_at_end(next)) {
        parse__advance(p);
        s = parse_new_stmt(p, AST_DESCRIBE_FUNCTION);
        s->u.describe.name = parse__ident(p, "a function name");
        for (char *c = (char *)s->u.describe.name.name; *c; c++) /* as in calls */
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 'a' + 'A');
    } else if ((parse__check(p, TK_STREAMS) || parse__check(p, TK_TABLES)) &&
               (parse_at_end(next) || next == TK_EXTENDED)) {
        /* DESCRIBE STREAMS is ksqlDB's SHOW STREAMS EXTENDED */
        s = parse_new_stmt(p, AST_SHOW);
        s->u.show.what = parse__check(p, TK_STREAMS) ? AST_SHOW_STREAMS : AST_SHOW_TABLES;
        s->u.show.extended = true;
        parse__advance(p);
        parse__accept(p, TK_EXTENDED);
    } else {
        s = parse_new_stmt(p, AST_DESCRIBE);
        if (parse__check(p, TK_EXTENDED) && !parse_at_end(next)) {
            parse__advance(p);
            s->u.describe.extended = true;
        }
        s->u.describe.name = parse__ident(p, "a stream or table name");
    }
    return s;
}

/* drop ::= DROP (STREAM | TABLE) [IF EXISTS] identifier [DELETE TOPIC]
 *        | DROP TYPE [IF EXISTS] identifier */
static ast_stmt *parse_drop(parser *p)
{
    static const tok_kind words[] = {TK_STREAM, TK_TABLE, TK_TYPE};
    ast_stmt *s = parse_new_stmt(p, AST_DROP);
    parse__expect(p, TK_DROP);
    if (parse__accept(p, TK_TYPE))
        s->u.drop.is_type = true;
    else if (parse__accept(p, TK_TABLE))
        s->u.drop.source = AST_SOURCE_TABLE;
    else if (parse__accept(p, TK_STREAM))
        s->u.drop.source = AST_SOURCE_STREAM;
    else
        parse_expected_one_of(p, "STREAM, TABLE or TYPE", words, PARSE_NELEM(words));
    if (parse_if(p, TK_EXISTS)) {
        parse__expect(p, TK_EXISTS);
        s->u.drop.if_exists = true;
    }
    s->u.drop.name = parse__ident(p, s->u.drop.is_type ? "a type name" : "a stream or table name");
    if (!s->u.drop.is_type && parse__accept(p, TK_DELETE)) {
        parse__expect(p, TK_TOPIC);
        s->u.drop.delete_topic = true;
    }
    return s;
}

/* terminate ::= (TERMINATE | PAUSE | RESUME) (ALL | identifier) */
static ast_stmt *parse_terminate(parser *p, ast_stmt_kind kind)
{
    ast_stmt *s = parse_new_stmt(p, kind);
    parse__advance(p);
    if (parse__accept(p, TK_ALL))
        s->u.terminate.all = true;
    else
        s->u.terminate.query_id = parse__ident(p, "a query id or ALL");
    return s;
}

/* set_value ::= string | ['-'] number | TRUE | FALSE  (kept as text: 0, false) */
static const char *parse_set_value(parser *p)
{
    tok_kind k = p->tok.kind;
    if (k == TK_STRING_LIT)
        return parse_string(p, "a value");
    uint32_t start = p->tok.off;
    if (k == TK_MINUS)
        k = parse__peek(p, 1);
    if (k != TK_INT_LIT && k != TK_DECIMAL_LIT && k != TK_DOUBLE_LIT && k != TK_TRUE && k != TK_FALSE)
        parse__error_expected(p, "a value (a string in quotes, a number, TRUE or FALSE)");
    if (parse__accept(p, TK_TRUE))
        return "true";
    if (parse__accept(p, TK_FALSE))
        return "false";
    parse__accept(p, TK_MINUS);
    parse__advance(p);
    ast_span sp = parse__span_from(p, start);
    return arena_strndup(p->arena, p->src + sp.off, sp.len);
}

/* set ::= SET string '=' set_value */
static ast_stmt *parse_set(parser *p)
{
    ast_stmt *s = parse_new_stmt(p, AST_SET);
    parse__expect(p, TK_SET);
    if (p->tok.kind != TK_STRING_LIT) {
        parse_set_expected(p, "a property name in quotes");
        err_hint(p->e, "quote the name and the value: SET 'auto.offset.reset' = 'earliest';");
        parse_throw(p);
    }
    s->u.set.name = parse_string(p, "a property name in quotes");
    parse__expect(p, TK_EQ);
    s->u.set.value = parse_set_value(p);
    return s;
}

/* unset ::= UNSET string */
static ast_stmt *parse_unset(parser *p)
{
    ast_stmt *s = parse_new_stmt(p, AST_UNSET);
    parse__expect(p, TK_UNSET);
    s->u.set.name = parse_string(p, "a property name in quotes (e.g. 'auto.offset.reset')");
    return s;
}

/* define ::= DEFINE identifier '=' string */
static ast_stmt *parse_define(parser *p)
{
    ast_stmt *s = parse_new_stmt(p, AST_DEFINE);
    parse__expect(p, TK_DEFINE);
    s->u.define.name = parse__ident(p, "a variable name");
    parse__expect(p, TK_EQ);
    s->u.define.value = parse_string(p, "a value in quotes");
    return s;
}

/* undefine ::= UNDEFINE identifier */
static ast_stmt *parse_undefine(parser *p)
{
    ast_stmt *s = parse_new_stmt(p, AST_UNDEFINE);
    parse__expect(p, TK_UNDEFINE);
    s->u.define.name = parse__ident(p, "a variable name");
    return s;
}

static ast_stmt *parse_statement(parser *p);

/* explain ::= EXPLAIN (query_statement | identifier) */
static ast_stmt *parse_explain(parser *p)
{
    ast_stmt *s = parse_new_stmt(p, AST_EXPLAIN);
    parse__expect(p, TK_EXPLAIN);
    tok_kind k = p->tok.kind;
    if (k == TK_SELECT || k == TK_CREATE || k == TK_INSERT) {
        uint32_t start = p->tok.off;
        parse__enter(p);
        s->u.explain.stmt = parse_statement(p);
        s->u.explain.stmt->span = parse__span_from(p, start);
        p->depth--;
    } else {
        s->u.explain.query_id = parse__ident(p, "a query id or a statement");
    }
    return s;
}

/* print ::= PRINT (identifier | string) [FROM BEGINNING] [INTERVAL integer] [LIMIT integer] */
static ast_stmt *parse_print(parser *p)
{
    ast_stmt *s = parse_new_stmt(p, AST_PRINT);
    parse__expect(p, TK_PRINT);
    if (p->tok.kind == TK_STRING_LIT) {
        token t = p->tok;
        s->u.print.topic = (ast_ident){parse_string(p, "a topic"), true, {t.off, t.len}};
    } else {
        s->u.print.topic = parse__ident(p, "a topic name");
    }
    s->u.print.interval = s->u.print.limit = -1;
    if (parse__accept(p, TK_FROM)) {
        parse__expect(p, TK_BEGINNING);
        s->u.print.from_beginning = true;
    }
    if (parse__accept(p, TK_INTERVAL))
        s->u.print.interval = parse__int(p, "an interval (a number of records)");
    if (parse__accept(p, TK_LIMIT))
        s->u.print.limit = parse__int(p, "a limit (a number of records)");
    return s;
}

/* run_script ::= RUN SCRIPT string */
static ast_stmt *parse_run_script(parser *p)
{
    ast_stmt *s = parse_new_stmt(p, AST_RUN_SCRIPT);
    parse__expect(p, TK_RUN);
    parse__expect(p, TK_SCRIPT);
    if (p->tok.kind != TK_STRING_LIT) {
        parse_set_expected(p, "a file name in quotes");
        err_hint(p->e, "quote the file name: RUN SCRIPT 'queries.sql';");
        parse_throw(p);
    }
    s->u.run_script.path = parse_string(p, "a file name in quotes");
    return s;
}

/* select_statement ::= query */
static ast_stmt *parse_select_statement(parser *p)
{
    ast_stmt *s = parse_new_stmt(p, AST_SELECT);
    s->u.select = parse_query(p);
    return s;
}

static const tok_kind parse_statement_starts[] = {
    TK_SELECT, TK_CREATE, TK_INSERT, TK_SHOW,   TK_LIST,     TK_DESCRIBE, TK_DROP,  TK_TERMINATE, TK_PAUSE,
    TK_RESUME, TK_SET,    TK_UNSET,  TK_DEFINE, TK_UNDEFINE, TK_EXPLAIN,  TK_PRINT, TK_RUN,
};

_Noreturn static void parse_not_a_statement(parser *p)
{
    char found[64];
    parse_describe_token(p, p->tok, found, sizeof found);
    err_at(p->e, ERR_SYNTAX, p->tok.off, p->tok.len,
           "syntax error: expected a statement (SELECT, CREATE, INSERT, SHOW, ...) but found %s", found);
    const char *guess = parse_did_you_mean(p, parse_statement_starts,
                                           (int)(sizeof parse_statement_starts / sizeof(tok_kind)));
    if (guess)
        err_hint(p->e, "did you mean %s?", guess);
    parse_throw(p);
}

/* statement ::= create | create_type | insert | query | show | describe | drop | terminate
 *             | set | unset | define | undefine | explain | print | run_script */
static ast_stmt *parse_statement(parser *p)
{
    switch (p->tok.kind) {
    case TK_CREATE: return parse_create(p);
    case TK_INSERT: return parse_insert(p);
    case TK_SELECT: return parse_select_statement(p);
    case TK_SHOW:
    case TK_LIST: return parse_show(p);
    case TK_DESCRIBE: return parse_describe(p);
    case TK_DROP: return parse_drop(p);
    case TK_TERMINATE: return parse_terminate(p, AST_TERMINATE);
    case TK_PAUSE: return parse_terminate(p, AST_PAUSE);
    case TK_RESUME: return parse_terminate(p, AST_RESUME);
    case TK_SET: return parse_set(p);
    case TK_UNSET: return parse_unset(p);
    case TK_DEFINE: return parse_define(p);
    case TK_UNDEFINE: return parse_undefine(p);
    case TK_EXPLAIN: return parse_explain(p);
    case TK_PRINT: return parse_print(p);
    case TK_RUN: return parse_run_script(p);
    default: parse_not_a_statement(p);
    }
}

/* Keywords that continue a statement, for did-you-mean at its end. */
static const tok_kind parse_clause_words[] = {
    TK_WHERE, TK_WINDOW, TK_GROUP, TK_HAVING, TK_PARTITION, TK_EMIT, TK_LIMIT, TK_JOIN,   TK_INNER,
    TK_LEFT,  TK_RIGHT,  TK_FULL,  TK_ON,     TK_WITHIN,    TK_AND,  TK_OR,    TK_WITH,   TK_KEY,
    TK_PRIMARY, TK_DELETE, TK_EXTENDED, TK_CHANGES, TK_FINAL, TK_BEGINNING, TK_INTERVAL,
};

static bool parse_starts_statement(tok_kind k)
{
    for (int i = 0; i < PARSE_NELEM(parse_statement_starts); i++)
        if (parse_statement_starts[i] == k)
            return true;
    return false;
}

/* A statement is complete but something follows it: say what most likely
 * went wrong (a missing ';', a misspelt clause keyword, a misspelling
 * taken as a name). */
_Noreturn static void parse_expected_end(parser *p)
{
    char found[64];
    parse_describe_token(p, p->tok, found, sizeof found);
    err_at(p->e, ERR_SYNTAX, p->tok.off, p->tok.len,
           "syntax error: expected ';' at the end of the statement but found %s", found);
    const char *guess = parse_did_you_mean(p, parse_clause_words, PARSE_NELEM(parse_clause_words));
    if (p->tok.kind == TK_NOT) {
        err_hint(p->e, "NOT after a value goes with BETWEEN, IN or LIKE (a NOT IN (1, 2)); to negate a "
                       "condition write NOT before it (NOT a = 1)");
    } else if (parse_starts_statement(p->tok.kind)) {
        err_hint(p->e, "is a ';' missing? Every statement ends with ';', including the one before %s",
                 lex_token_name(p->tok.kind));
    } else if (guess) {
        err_hint(p->e, "did you mean %s?", guess);
    } else if (p->prev.kind == TK_IDENT) {
        parser at_prev = *p;
        at_prev.tok = p->prev;
        guess = parse_did_you_mean(&at_prev, parse_clause_words, PARSE_NELEM(parse_clause_words));
        if (guess)
            err_hint(p->e, "did you mean %s? '%.*s' was read as a name", guess, (int)p->prev.len,
                     p->src + p->prev.off);
    }
    parse_throw(p);
}

/* ---- entry points -------------------------------------------------------- */

void parser_init(parser *p, arena *a, const char *src, size_t len)
{
    memset(p, 0, sizeof *p);
    p->arena = a;
    p->src = src;
    p->len = len;
    lex_init(&p->lex, src, len);
}

/* After an error: skip to just past the next ';' so the next call starts
 * on the following statement.  Lexical errors on the way are ignored. */
static void parse_recover(parser *p)
{
    p->primed = false;
    if (p->tok.kind == TK_SEMI)
        return; /* the error was at the ';' itself */
    token t;
    err scratch;
    for (;;) {
        if (!lex_next(&p->lex, &t, &scratch))
            continue;
        if (t.kind == TK_SEMI || t.kind == TK_EOF)
            return;
    }
}

static void parse_prime(parser *p)
{
    if (!p->primed) {
        p->primed = true;
        parse__advance(p);
    }
}

ast_stmt *parse_next(parser *p, err *e)
{
    jmp_buf jb;
    err_clear(e);
    p->e = e;
    p->jmp = &jb;
    p->depth = 0;
    p->parens = 0;
    p->hwm = 0;
    if (setjmp(jb)) {
        parse_recover(p);
        return NULL;
    }
    parse_prime(p);
    while (parse__accept(p, TK_SEMI))
        ;
    if (parse__check(p, TK_EOF))
        return NULL;
    uint32_t start = p->tok.off;
    ast_stmt *s = parse_statement(p);
    s->span = parse__span_from(p, start);
    if (parse__check(p, TK_SEMI))
        p->primed = false; /* the token after ';' is read by the next call: a
                            * lexical error there belongs to the next statement */
    else if (!parse__check(p, TK_EOF))
        parse_expected_end(p);
    return s;
}

ast_expr *parse_expression(parser *p, err *e)
{
    jmp_buf jb;
    err_clear(e);
    p->e = e;
    p->jmp = &jb;
    p->depth = 0;
    p->parens = 0;
    p->hwm = 0;
    if (setjmp(jb)) {
        parse_recover(p);
        return NULL;
    }
    parse_prime(p);
    ast_expr *x = parse__expr(p);
    if (!parse__check(p, TK_EOF))
        parse__error_expected(p, "end of input");
    return x;
}

bool parse_is_complete(const char *src, size_t len)
{
    lexer l;
    token t;
    err scratch;
    tok_kind last = TK_EOF;
    lex_init(&l, src, len);
    for (;;) {
        if (!lex_next(&l, &t, &scratch)) {
            char c = src[t.off];
            if (c == '\'' || c == '`' || c == '"' || c == '/')
                return false; /* unterminated string, identifier or comment */
            last = TK_IDENT;  /* a stray character: still part of a statement */
            continue;
        }
        if (t.kind == TK_EOF)
            return last == TK_SEMI;
        last = t.kind;
    }
}

ast_stmt *parse_stored(arena *a, const char *sql)
{
    parser p;
    parser_init(&p, a, sql, strlen(sql));
    err e;
    err_clear(&e);
    return parse_next(&p, &e);
}
