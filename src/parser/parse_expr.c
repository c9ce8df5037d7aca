/* parse_expr.c — expressions, literals and types.
 *
 * Binary operators are parsed by precedence climbing from one priority
 * table (parse_priority), as Lua's subexpr does.  From loosest to
 * tightest, as in ksqlDB: OR; AND; NOT; comparisons and the predicates
 * IS / BETWEEN / IN / LIKE; ||; + -; * / %; unary - +; postfix -> and [].
 *
 * p->depth is the level of the node being built and p->hwm the deepest
 * level reached; an operator applied in a loop (binary, predicate,
 * postfix) goes above the deepest node built so far.  So the height of
 * any tree the parser returns is bounded by PARSE_MAX_DEPTH, later
 * recursive walks cannot overflow the stack, and the printed form of a
 * tree (which only adds parentheses, which cost no level) parses back.
 */
#include "parse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    PRI_NONE = 0,
    PRI_OR = 1,
    PRI_AND = 2,
    PRI_NOT = 3,
    PRI_CMP = 4, /* = <> < <= > >=, IS, BETWEEN, IN, LIKE */
    PRI_CONCAT = 5,
    PRI_ADD = 6,
    PRI_MUL = 7,
    PRI_UNARY = 8,
};

/* Left and right priority of each binary operator: an operator binds its
 * right operand with subexpr(right), so left == right is left-assoc. */
static const struct {
    unsigned char left, right;
} parse_priority[] = {
    [AST_OP_ADD] = {PRI_ADD, PRI_ADD}, [AST_OP_SUB] = {PRI_ADD, PRI_ADD},
    [AST_OP_MUL] = {PRI_MUL, PRI_MUL}, [AST_OP_DIV] = {PRI_MUL, PRI_MUL},
    [AST_OP_MOD] = {PRI_MUL, PRI_MUL}, [AST_OP_CONCAT] = {PRI_CONCAT, PRI_CONCAT},
    [AST_OP_EQ] = {PRI_CMP, PRI_CMP},  [AST_OP_NE] = {PRI_CMP, PRI_CMP},
    [AST_OP_LT] = {PRI_CMP, PRI_CMP},  [AST_OP_LE] = {PRI_CMP, PRI_CMP},
    [AST_OP_GT] = {PRI_CMP, PRI_CMP},  [AST_OP_GE] = {PRI_CMP, PRI_CMP},
    [AST_OP_AND] = {PRI_AND, PRI_AND}, [AST_OP_OR] = {PRI_OR, PRI_OR},
};

/* The binary operator a token stands for, or -1. */
static int parse_binop(tok_kind k)
{
    switch (k) {
    case TK_PLUS: return AST_OP_ADD;
    case TK_MINUS: return AST_OP_SUB;
    case TK_STAR: return AST_OP_MUL;
    case TK_SLASH: return AST_OP_DIV;
    case TK_PERCENT: return AST_OP_MOD;
    case TK_CONCAT: return AST_OP_CONCAT;
    case TK_EQ: return AST_OP_EQ;
    case TK_NE: return AST_OP_NE;
    case TK_LT: return AST_OP_LT;
    case TK_LE: return AST_OP_LE;
    case TK_GT: return AST_OP_GT;
    case TK_GE: return AST_OP_GE;
    case TK_AND: return AST_OP_AND;
    case TK_OR: return AST_OP_OR;
    default: return -1;
    }
}

static ast_expr *parse_new_expr(parser *p, ast_expr_kind kind)
{
    ast_expr *e = arena_alloc(p->arena, sizeof *e);
    e->kind = kind;
    return e;
}

static ast_expr *parse_subexpr(parser *p, int limit);

/* ---- literals ------------------------------------------------------------ */

_Noreturn static void parse_int_too_large(parser *p, token t, bool negated)
{
    parse__error_at(p, ERR_SYNTAX, t,
                    "syntax error: invalid numeric literal: %s%.*s%s (a BIGINT holds "
                    "-9223372036854775808 to 9223372036854775807)",
                    negated ? "-" : "", t.len > 40 ? 40 : (int)t.len, p->src + t.off,
                    t.len > 40 ? "..." : "");
}

/* Value of an integer token; values up to 2^63 are returned (2^63 only
 * makes sense negated), larger ones are an error. */
static uint64_t parse_uint_token(parser *p, token t, bool negated)
{
    uint64_t v = 0, max = (uint64_t)INT64_MAX + 1;
    for (uint32_t i = 0; i < t.len; i++) {
        unsigned d = (unsigned)(p->src[t.off + i] - '0');
        if (v > (max - d) / 10)
            parse_int_too_large(p, t, negated);
        v = v * 10 + d;
    }
    return v;
}

static ast_expr *parse_int_literal(parser *p, bool negated)
{
    token t = p->tok;
    uint64_t v = parse_uint_token(p, t, negated);
    if (v > (uint64_t)INT64_MAX && !negated)
        parse_int_too_large(p, t, negated);
    ast_expr *e = parse_new_expr(p, AST_INT);
    e->u.i = negated ? (int64_t)(0 - v) : (int64_t)v;
    parse__advance(p);
    return e;
}

/* The type of a decimal literal, as ksqlDB's DecimalUtil.fromValue: the
 * scale is the number of digits after the point; the precision is the
 * number of digits from the first non-zero one (BigDecimal's precision),
 * except that a value between -1 and 1 gets scale + 1.  So 1.50 is
 * DECIMAL(3, 2), 0.05 is DECIMAL(3, 2), 0.8 is DECIMAL(2, 1). */
static ast_expr *parse_decimal_literal(parser *p)
{
    token t = p->tok;
    const char *s = p->src + t.off;
    if (t.len > 1000)
        parse__error_at(p, ERR_SYNTAX, t, "syntax error: decimal number is too long");
    uint32_t digits = 0, scale = 0;
    bool seen_point = false, significant = false, whole_part = false;
    for (uint32_t i = 0; i < t.len; i++) {
        if (s[i] == '.') {
            seen_point = true;
            continue;
        }
        scale += seen_point;
        significant |= s[i] != '0';
        whole_part |= !seen_point && s[i] != '0';
        digits += significant;
    }
    ast_expr *e = parse_new_expr(p, AST_DECIMAL);
    e->u.dec.text = arena_strndup(p->arena, s, t.len);
    e->u.dec.scale = (int)scale;
    e->u.dec.precision = whole_part ? (int)digits : (int)scale + 1;
    parse__advance(p);
    return e;
}

static ast_expr *parse_double_literal(parser *p)
{
    token t = p->tok;
    char *text = arena_strndup(p->arena, p->src + t.off, t.len);
    ast_expr *e = parse_new_expr(p, AST_DOUBLE);
    e->u.d = strtod(text, NULL);
    if (isinf(e->u.d))
        parse__error_at(p, ERR_SYNTAX, t, "syntax error: number overflows DOUBLE: %.*s",
                        t.len > 40 ? 40 : (int)t.len, text);
    parse__advance(p);
    return e;
}

static ast_expr *parse_string_literal(parser *p)
{
    ast_expr *e = parse_new_expr(p, AST_STRING);
    e->u.str.s = lex_string(p->arena, p->src, p->tok, &e->u.str.len);
    parse__advance(p);
    return e;
}

/* literal ::= string | integer | decimal | double | TRUE | FALSE | NULL | '-' number */
ast_expr *parse__literal(parser *p)
{
    uint32_t start = p->tok.off;
    ast_expr *e;
    switch (p->tok.kind) {
    case TK_STRING_LIT: e = parse_string_literal(p); break;
    case TK_INT_LIT: e = parse_int_literal(p, false); break;
    case TK_DECIMAL_LIT: e = parse_decimal_literal(p); break;
    case TK_DOUBLE_LIT: e = parse_double_literal(p); break;
    case TK_TRUE:
    case TK_FALSE:
        e = parse_new_expr(p, AST_BOOL);
        e->u.b = p->tok.kind == TK_TRUE;
        parse__advance(p);
        break;
    case TK_NULL:
        e = parse_new_expr(p, AST_NULL);
        parse__advance(p);
        break;
    case TK_MINUS: {
        tok_kind k = parse__peek(p, 1);
        if (k != TK_INT_LIT && k != TK_DECIMAL_LIT && k != TK_DOUBLE_LIT)
            parse__error_expected(p, "a literal (a string, number, TRUE, FALSE or NULL)");
        parse__advance(p);
        if (k == TK_INT_LIT && parse_uint_token(p, p->tok, true) > (uint64_t)INT64_MAX) {
            e = parse_int_literal(p, true);
            break;
        }
        e = parse_new_expr(p, AST_UNARY);
        e->u.unary.op = AST_OP_NEG;
        e->u.unary.operand = parse__literal(p);
        break;
    }
    default: parse__error_expected(p, "a literal (a string, number, TRUE, FALSE or NULL)");
    }
    e->span = parse__span_from(p, start);
    return e;
}

/* ---- primaries ----------------------------------------------------------- */

/* lambda_ahead: identifier '=>'  or  '(' identifier {',' identifier} ')' '=>' */
static bool parse_lambda_ahead(parser *p)
{
    if (parse__is_ident(p))
        return parse__peek(p, 1) == TK_LAMBDA;
    if (!parse__check(p, TK_LPAREN))
        return false;
    lexer l = p->lex;
    token t;
    err scratch;
    for (;;) {
        if (!lex_next(&l, &t, &scratch))
            return false;
        if (t.kind != TK_IDENT && t.kind != TK_QIDENT &&
            !(lex_is_keyword(t.kind) && !lex_is_reserved(t.kind)))
            return false;
        if (!lex_next(&l, &t, &scratch))
            return false;
        if (t.kind == TK_RPAREN)
            break;
        if (t.kind != TK_COMMA)
            return false;
    }
    return lex_next(&l, &t, &scratch) && t.kind == TK_LAMBDA;
}

/* lambda ::= identifier '=>' expr | '(' identifier {',' identifier} ')' '=>' expr */
static ast_expr *parse_lambda(parser *p)
{
    uint32_t start = p->tok.off;
    ast_expr *e = parse_new_expr(p, AST_LAMBDA);
    int cap = 0;
    bool paren = parse__accept(p, TK_LPAREN);
    do {
        e->u.lambda.params = parse__grow(p, e->u.lambda.params, e->u.lambda.nparams, &cap, sizeof(ast_ident));
        e->u.lambda.params[e->u.lambda.nparams++] = parse__ident(p, "a lambda parameter name");
    } while (paren && parse__accept(p, TK_COMMA));
    if (paren)
        parse__expect(p, TK_RPAREN);
    parse__expect(p, TK_LAMBDA);
    e->u.lambda.body = parse__expr(p);
    e->span = parse__span_from(p, start);
    return e;
}

/* call ::= identifier '(' [ '*' | [DISTINCT] (lambda | expr) {',' (lambda | expr)} ] ')' */
static void parse_call(parser *p, ast_expr *e, ast_ident name)
{
    int cap = 0;
    e->kind = AST_CALL;
    e->u.call.name = name;
    for (char *c = (char *)name.name; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    parse__expect(p, TK_LPAREN);
    if (parse__accept(p, TK_STAR)) {
        e->u.call.star = true;
    } else if (!parse__check(p, TK_RPAREN)) {
        e->u.call.distinct = parse__accept(p, TK_DISTINCT);
        do {
            e->u.call.args = parse__grow(p, e->u.call.args, e->u.call.nargs, &cap, sizeof(ast_expr *));
            e->u.call.args[e->u.call.nargs++] = parse_lambda_ahead(p) ? parse_lambda(p) : parse__expr(p);
        } while (parse__accept(p, TK_COMMA));
    }
    parse__expect(p, TK_RPAREN);
}

/* name_expr ::= call | identifier ['.' identifier] */
static void parse_name_expr(parser *p, ast_expr *e)
{
    ast_ident first = parse__ident(p, "an expression");
    if (parse__check(p, TK_LPAREN)) {
        parse_call(p, e, first);
    } else if (parse__accept(p, TK_DOT)) {
        e->kind = AST_COLUMN;
        e->u.col.qualifier = first;
        e->u.col.name = parse__ident(p, "a column name");
        if (parse__check(p, TK_DOT)) {
            err_at(p->e, ERR_SYNTAX, p->tok.off, p->tok.len,
                   "syntax error: unexpected '.' after the column %s.%s", first.name, e->u.col.name.name);
            err_hint(p->e, "a field of a STRUCT column is read with ->, as in col->field");
            parse__fail(p);
        }
    } else {
        e->kind = AST_COLUMN;
        e->u.col.name = first;
    }
}

/* case ::= CASE [expr] WHEN expr THEN expr {WHEN expr THEN expr} [ELSE expr] END */
static void parse_case(parser *p, ast_expr *e)
{
    int cap = 0;
    e->kind = AST_CASE;
    parse__expect(p, TK_CASE);
    if (!parse__check(p, TK_WHEN))
        e->u.kase.operand = parse__expr(p);
    if (!parse__check(p, TK_WHEN))
        parse__error_expected(p, "WHEN");
    while (parse__accept(p, TK_WHEN)) {
        e->u.kase.whens = parse__grow(p, e->u.kase.whens, e->u.kase.nwhens, &cap, sizeof(ast_when));
        ast_when *w = &e->u.kase.whens[e->u.kase.nwhens++];
        w->when = parse__expr(p);
        parse__expect(p, TK_THEN);
        w->then = parse__expr(p);
    }
    if (parse__accept(p, TK_ELSE))
        e->u.kase.otherwise = parse__expr(p);
    parse__expect_hint(p, TK_END, "close a CASE with END: CASE WHEN a > 0 THEN 'yes' ELSE 'no' END");
}

/* cast ::= CAST '(' expr AS type ')' */
static void parse_cast(parser *p, ast_expr *e)
{
    e->kind = AST_CAST;
    parse__expect(p, TK_CAST);
    parse__expect(p, TK_LPAREN);
    e->u.cast.value = parse__expr(p);
    parse__expect_hint(p, TK_AS, "write CAST(value AS type), as in CAST(price AS DOUBLE)");
    e->u.cast.type = parse__type(p);
    parse__expect(p, TK_RPAREN);
}

/* array ::= ARRAY '[' [expr {',' expr}] ']' */
static void parse_array(parser *p, ast_expr *e)
{
    int cap = 0;
    e->kind = AST_ARRAY;
    parse__expect(p, TK_ARRAY);
    parse__expect(p, TK_LBRACKET);
    if (!parse__check(p, TK_RBRACKET)) {
        do {
            e->u.list.items = parse__grow(p, e->u.list.items, e->u.list.n, &cap, sizeof(ast_expr *));
            e->u.list.items[e->u.list.n++] = parse__expr(p);
        } while (parse__accept(p, TK_COMMA));
    }
    parse__expect(p, TK_RBRACKET);
}

/* map ::= MAP '(' [expr ':=' expr {',' expr ':=' expr}] ')' */
static void parse_map(parser *p, ast_expr *e)
{
    int cap = 0;
    e->kind = AST_MAP;
    parse__expect(p, TK_MAP);
    parse__expect(p, TK_LPAREN);
    if (!parse__check(p, TK_RPAREN)) {
        do {
            e->u.map.entries = parse__grow(p, e->u.map.entries, e->u.map.n, &cap, sizeof(ast_map_entry));
            ast_map_entry *m = &e->u.map.entries[e->u.map.n++];
            m->key = parse__expr(p);
            parse__expect(p, TK_ASSIGN);
            m->value = parse__expr(p);
        } while (parse__accept(p, TK_COMMA));
    }
    parse__expect(p, TK_RPAREN);
}

/* struct ::= STRUCT '(' [identifier ':=' expr {',' identifier ':=' expr}] ')' */
static void parse_struct(parser *p, ast_expr *e)
{
    int cap = 0;
    e->kind = AST_STRUCT;
    parse__expect(p, TK_STRUCT);
    parse__expect(p, TK_LPAREN);
    if (!parse__check(p, TK_RPAREN)) {
        do {
            e->u.strct.entries =
                parse__grow(p, e->u.strct.entries, e->u.strct.n, &cap, sizeof(ast_struct_entry));
            ast_struct_entry *f = &e->u.strct.entries[e->u.strct.n++];
            f->name = parse__ident(p, "a field name");
            parse__expect(p, TK_ASSIGN);
            f->value = parse__expr(p);
        } while (parse__accept(p, TK_COMMA));
    }
    parse__expect(p, TK_RPAREN);
}

/* interval ::= INTERVAL duration */
static void parse_interval(parser *p, ast_expr *e)
{
    e->kind = AST_INTERVAL;
    parse__expect(p, TK_INTERVAL);
    e->u.interval.ms = parse__duration(p).ms;
}

/* primary ::= literal | case | cast | array | map | struct | interval
 *           | '(' expr ')' | call | identifier ['.' identifier] */
static ast_expr *parse_primary(parser *p)
{
    uint32_t start = p->tok.off;
    tok_kind k = p->tok.kind, next = parse__peek(p, 1);
    ast_expr *e;
    switch (k) {
    case TK_STRING_LIT:
    case TK_INT_LIT:
    case TK_DECIMAL_LIT:
    case TK_DOUBLE_LIT:
    case TK_TRUE:
    case TK_FALSE:
    case TK_NULL: return parse__literal(p);
    case TK_LPAREN:
        /* Parentheses leave no node (the span stays the inner one), so
         * they cost no depth: the cap is on the tree's height, and the
         * printer, which parenthesizes every operator, must produce text
         * that parses back under the same cap.  Their own count bounds
         * the recursion of "((((...". */
        parse__advance(p);
        if (++p->parens > PARSE_MAX_DEPTH)
            parse__error_at(p, ERR_TOO_DEEP, p->prev,
                            "statement nested too deeply (more than %d levels of parentheses)",
                            PARSE_MAX_DEPTH);
        p->depth--;
        e = parse__expr(p);
        p->depth++;
        p->parens--;
        parse__expect(p, TK_RPAREN);
        return e;
    default: break;
    }
    e = parse_new_expr(p, AST_NULL);
    if (k == TK_CASE)
        parse_case(p, e);
    else if (k == TK_CAST)
        parse_cast(p, e);
    else if (k == TK_ARRAY && next == TK_LBRACKET)
        parse_array(p, e);
    else if (k == TK_MAP && next == TK_LPAREN)
        parse_map(p, e);
    else if (k == TK_STRUCT && next == TK_LPAREN)
        parse_struct(p, e);
    else if (k == TK_INTERVAL && next == TK_INT_LIT)
        parse_interval(p, e);
    else if (parse__is_ident(p))
        parse_name_expr(p, e);
    else if (k == TK_EQ && p->prev.kind == TK_EQ) {
        err_at(p->e, ERR_SYNTAX, p->prev.off, 2, "syntax error: '==' is not an operator");
        err_hint(p->e, "SQL compares with a single '=': a = 1");
        parse__fail(p);
    } else
        parse__error_expected(p, "an expression");
    e->span = parse__span_from(p, start);
    return e;
}

/* postfix ::= primary {'->' identifier | '[' expr ']'} ['->' '*']
 * (the final ->* only where star_ok: a whole select item) */
static ast_expr *parse_postfix(parser *p, bool star_ok)
{
    uint32_t start = p->tok.off;
    int level = p->depth; /* of the node being built */
    ast_expr *e = parse_primary(p);
    for (;;) {
        ast_expr *x;
        if (parse__check(p, TK_ARROW) && parse__peek(p, 1) == TK_STAR) {
            parse__advance(p);
            if (!star_ok)
                parse__error_at(p, ERR_SYNTAX, p->tok,
                                "syntax error: ->* (all fields of a struct) can only be a whole "
                                "select item");
            parse__advance(p);
            x = parse_new_expr(p, AST_STRUCT_STAR);
            x->u.deref.base = e;
            x->span = parse__span_from(p, start);
            return x;
        } else if (parse__accept(p, TK_ARROW)) {
            p->depth = p->hwm; /* the new node sits above all of e: see parse_subexpr */
            parse__enter(p);
            p->depth = level;
            x = parse_new_expr(p, AST_DEREF);
            x->u.deref.base = e;
            x->u.deref.field = parse__ident(p, "a field name");
        } else if (parse__accept(p, TK_LBRACKET)) {
            p->depth = p->hwm;
            parse__enter(p);
            p->depth = level;
            x = parse_new_expr(p, AST_SUBSCRIPT);
            x->u.subscript.base = e;
            x->u.subscript.index = parse__expr(p);
            parse__expect(p, TK_RBRACKET);
        } else {
            return e;
        }
        x->span = parse__span_from(p, start);
        e = x;
    }
}

/* ---- operators ----------------------------------------------------------- */

static ast_expr *parse_unary(parser *p, ast_op op, uint32_t start, int priority)
{
    ast_expr *e = parse_new_expr(p, AST_UNARY);
    e->u.unary.op = op;
    e->u.unary.operand = parse_subexpr(p, priority);
    e->span = parse__span_from(p, start);
    return e;
}

static bool parse_predicate_ahead(parser *p)
{
    tok_kind k = p->tok.kind;
    if (k == TK_NOT)
        k = parse__peek(p, 1);
    else if (k == TK_IS)
        return true;
    return k == TK_BETWEEN || k == TK_IN || k == TK_LIKE;
}

/* in_list ::= '(' expr {',' expr} ')' */
static void parse_in_list(parser *p, ast_expr *e)
{
    int cap = 0;
    parse__expect_hint(p, TK_LPAREN, "IN takes a list in parentheses: a IN (1, 2)");
    do {
        e->u.in.list = parse__grow(p, e->u.in.list, e->u.in.n, &cap, sizeof(ast_expr *));
        e->u.in.list[e->u.in.n++] = parse__expr(p);
    } while (parse__accept(p, TK_COMMA));
    parse__expect(p, TK_RPAREN);
}

/* predicate ::= IS [NOT] NULL | IS [NOT] DISTINCT FROM sum
 *             | [NOT] BETWEEN sum AND sum | [NOT] IN in_list
 *             | [NOT] LIKE sum [ESCAPE string]
 * (sum: an expression of priority above the comparisons) */
static ast_expr *parse_predicate(parser *p, ast_expr *left, uint32_t start)
{
    ast_expr *e = parse_new_expr(p, AST_NULL);
    if (parse__accept(p, TK_IS)) {
        e->u.test.negated = parse__accept(p, TK_NOT);
        e->u.test.left = left;
        if (parse__accept(p, TK_NULL)) {
            e->kind = AST_IS_NULL;
        } else if (parse__accept(p, TK_DISTINCT)) {
            e->kind = AST_IS_DISTINCT;
            parse__expect(p, TK_FROM);
            e->u.test.right = parse_subexpr(p, PRI_CMP);
        } else {
            parse__error_expected(p, "NULL or DISTINCT FROM");
        }
    } else {
        bool negated = parse__accept(p, TK_NOT);
        if (parse__accept(p, TK_BETWEEN)) {
            e->kind = AST_BETWEEN;
            e->u.between.negated = negated;
            e->u.between.value = left;
            e->u.between.low = parse_subexpr(p, PRI_CMP);
            parse__expect(p, TK_AND);
            e->u.between.high = parse_subexpr(p, PRI_CMP);
        } else if (parse__accept(p, TK_IN)) {
            e->kind = AST_IN;
            e->u.in.negated = negated;
            e->u.in.value = left;
            parse_in_list(p, e);
        } else {
            parse__expect(p, TK_LIKE);
            e->kind = AST_LIKE;
            e->u.like.negated = negated;
            e->u.like.value = left;
            e->u.like.pattern = parse_subexpr(p, PRI_CMP);
            if (parse__accept(p, TK_ESCAPE)) {
                if (!parse__check(p, TK_STRING_LIT))
                    parse__error_expected(p, "an escape character in quotes");
                e->u.like.escape = parse_string_literal(p);
                e->u.like.escape->span = (ast_span){p->prev.off, p->prev.len};
            }
        }
    }
    e->span = parse__span_from(p, start);
    return e;
}

/* subexpr ::= (NOT subexpr | ('-' | '+') subexpr | postfix) {binop subexpr | predicate}
 * where only operators binding tighter than `limit` are taken. */
static ast_expr *parse_subexpr(parser *p, int limit)
{
    /* p->depth is the level of the node being built.  An operator applied
     * in the loop below (or a postfix one) becomes the parent of the whole
     * tree e built so far, so it goes one level below e's deepest node,
     * p->hwm, not below the frame: then depth bounds the height of the
     * tree, whatever its shape, and every later recursive walk is safe. */
    int saved = p->depth, outer_hwm = p->hwm;
    uint32_t start = p->tok.off;
    bool star_ok = p->struct_star_ok;
    ast_expr *e;
    p->struct_star_ok = false; /* not for anything nested */
    p->hwm = saved;
    parse__enter(p);
    if (parse__accept(p, TK_NOT)) {
        e = parse_unary(p, AST_OP_NOT, start, PRI_NOT);
    } else if (parse__check(p, TK_MINUS) || parse__check(p, TK_PLUS)) {
        ast_op op = parse__check(p, TK_MINUS) ? AST_OP_NEG : AST_OP_PLUS;
        parse__advance(p);
        if (op == AST_OP_NEG && parse__check(p, TK_INT_LIT) &&
            parse_uint_token(p, p->tok, true) > (uint64_t)INT64_MAX) {
            e = parse_int_literal(p, true); /* -9223372036854775808 */
            e->span = parse__span_from(p, start);
        } else {
            e = parse_unary(p, op, start, PRI_UNARY);
        }
    } else {
        e = parse_postfix(p, star_ok);
        if (e->kind == AST_STRUCT_STAR) {
            p->depth = saved;
            p->hwm = p->hwm > outer_hwm ? p->hwm : outer_hwm;
            return e; /* x->* takes no operators */
        }
    }
    for (;;) {
        int op = parse_binop(p->tok.kind);
        if (op >= 0 && parse_priority[op].left > limit) {
            p->depth = p->hwm;
            parse__enter(p);      /* e, one level down, must fit */
            p->depth = saved + 1; /* the new node's level: its right operand hangs below it */
            parse__advance(p);
            ast_expr *b = parse_new_expr(p, AST_BINARY);
            b->u.binary.op = (ast_op)op;
            b->u.binary.left = e;
            b->u.binary.right = parse_subexpr(p, parse_priority[op].right);
            b->span = parse__span_from(p, start);
            e = b;
        } else if (PRI_CMP > limit && parse_predicate_ahead(p)) {
            p->depth = p->hwm;
            parse__enter(p);
            p->depth = saved + 1;
            e = parse_predicate(p, e, start);
        } else {
            break;
        }
    }
    p->depth = saved;
    p->hwm = p->hwm > outer_hwm ? p->hwm : outer_hwm;
    return e;
}

/* expr ::= subexpr */
ast_expr *parse__expr(parser *p)
{
    return parse_subexpr(p, PRI_NONE);
}

/* ---- types --------------------------------------------------------------- */

static int parse_small_int(parser *p, const char *what)
{
    token t = p->tok;
    int64_t v = parse__int(p, what);
    if (v > 1000000)
        parse__error_at(p, ERR_SYNTAX, t, "syntax error: %s is too large", what);
    return (int)v;
}

/* decimal_type ::= DECIMAL '(' integer ',' integer ')' */
static void parse_decimal_type(parser *p, ast_type *t)
{
    static const char hint[] = "DECIMAL takes a precision (digits in all) and a scale (digits after the "
                               "point): DECIMAL(10, 2)";
    parse__expect_hint(p, TK_LPAREN, hint);
    token pt = p->tok;
    if (!parse__check(p, TK_INT_LIT))
        parse__expect_hint(p, TK_INT_LIT, hint);
    t->precision = parse_small_int(p, "a precision");
    parse__expect_hint(p, TK_COMMA, hint);
    token st = p->tok;
    if (!parse__check(p, TK_INT_LIT))
        parse__expect_hint(p, TK_INT_LIT, hint);
    t->scale = parse_small_int(p, "a scale");
    parse__expect_hint(p, TK_RPAREN, hint);
    if (t->precision < 1)
        parse__error_at(p, ERR_SYNTAX, pt, "syntax error: DECIMAL precision must be at least 1");
    if (t->scale > t->precision)
        parse__error_at(p, ERR_SYNTAX, st,
                        "syntax error: DECIMAL scale (%d) must not exceed its precision (%d)", t->scale,
                        t->precision);
}

/* `ARRAY<>` / `MAP<>`: '<>' is one token, so say what is missing. */
static void parse_no_empty_angles(parser *p, const char *hint)
{
    if (!parse__check(p, TK_NE) && !(parse__check(p, TK_LT) && parse__peek(p, 1) == TK_GT))
        return;
    err_at(p->e, ERR_SYNTAX, p->tok.off, parse__check(p, TK_NE) ? p->tok.len : 1,
           "syntax error: %s needs a type between '<' and '>'", lex_token_name(p->prev.kind));
    err_hint(p->e, "%s", hint);
    parse__fail(p);
}

/* struct_type ::= STRUCT '<' [identifier type {',' identifier type}] '>' */
static void parse_struct_type(parser *p, ast_type *t)
{
    int cap = 0;
    if (parse__accept(p, TK_NE))
        return; /* STRUCT<>: '<>' is one token; the printer writes an empty struct so */
    parse__expect(p, TK_LT);
    if (!parse__check(p, TK_GT)) {
        do {
            t->fields = parse__grow(p, t->fields, t->nfields, &cap, sizeof(ast_field));
            ast_field *f = &t->fields[t->nfields++];
            f->name = parse__ident(p, "a field name");
            f->type = parse__type(p);
        } while (parse__accept(p, TK_COMMA));
    }
    parse__expect(p, TK_GT);
}

/* type ::= BOOLEAN | INT | INTEGER | BIGINT | DOUBLE | decimal_type | STRING | VARCHAR
 *        | BYTES | DATE | TIME | TIMESTAMP | ARRAY '<' type '>'
 *        | MAP '<' type ',' type '>' | struct_type | type_name
 * type_name ::= IDENT | QUOTED_IDENT  (a type made by CREATE TYPE) */
ast_type *parse__type(parser *p)
{
    uint32_t start = p->tok.off;
    ast_type *t = arena_alloc(p->arena, sizeof *t);
    tok_kind k = p->tok.kind;
    parse__enter(p);
    switch (k) {
    case TK_BOOLEAN: t->kind = TYPE_BOOLEAN; break;
    case TK_INT:
    case TK_INTEGER: t->kind = TYPE_INT; break;
    case TK_BIGINT: t->kind = TYPE_BIGINT; break;
    case TK_DOUBLE: t->kind = TYPE_DOUBLE; break;
    case TK_DECIMAL: t->kind = TYPE_DECIMAL; break;
    case TK_STRING:
    case TK_VARCHAR: t->kind = TYPE_STRING; break;
    case TK_BYTES: t->kind = TYPE_BYTES; break;
    case TK_DATE: t->kind = TYPE_DATE; break;
    case TK_TIME: t->kind = TYPE_TIME; break;
    case TK_TIMESTAMP: t->kind = TYPE_TIMESTAMP; break;
    case TK_ARRAY: t->kind = TYPE_ARRAY; break;
    case TK_MAP: t->kind = TYPE_MAP; break;
    case TK_STRUCT: t->kind = TYPE_STRUCT; break;
    case TK_IDENT:
    case TK_QIDENT:
        /* A custom type (CREATE TYPE); a misspelt built-in type lands here
         * too and is reported by the analyzer, which knows the types. */
        t->kind = TYPE_NULL;
        t->custom = parse__ident(p, "a type name");
        p->depth--;
        t->span = parse__span_from(p, start);
        return t;
    default:
        parse__error_expected(p, "a type (BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL, STRING, BYTES, "
                                 "DATE, TIME, TIMESTAMP, ARRAY, MAP, STRUCT or a type made with CREATE TYPE)");
    }
    parse__advance(p);
    if (k == TK_DECIMAL) {
        parse_decimal_type(p, t);
    } else if (k == TK_ARRAY) {
        static const char hint[] = "ARRAY takes the type of its elements: ARRAY<STRING>";
        parse_no_empty_angles(p, hint);
        parse__expect_hint(p, TK_LT, hint);
        t->elem = parse__type(p);
        parse__expect_hint(p, TK_GT, hint);
    } else if (k == TK_MAP) {
        static const char hint[] = "MAP takes a key type and a value type: MAP<STRING, INT>";
        parse_no_empty_angles(p, hint);
        parse__expect_hint(p, TK_LT, hint);
        t->key = parse__type(p);
        parse__expect_hint(p, TK_COMMA, hint);
        t->value = parse__type(p);
        parse__expect_hint(p, TK_GT, hint);
    } else if (k == TK_STRUCT) {
        parse_struct_type(p, t);
    } else if (parse__check(p, TK_LPAREN)) { /* VARCHAR(10), BIGINT(20) */
        err_at(p->e, ERR_SYNTAX, p->tok.off, p->tok.len, "syntax error: %s takes no size or precision",
               lex_token_name(k));
        err_hint(p->e, "only DECIMAL has parameters, as in DECIMAL(10, 2); write just %s", lex_token_name(k));
        parse__fail(p);
    }
    p->depth--;
    t->span = parse__span_from(p, start);
    return t;
}
