/* analyze.c — see analyze.h.
 *
 * One function per kind of expression node; each returns a typed expr or
 * NULL with the error filled.  Operands are cast to a common type here, so
 * the evaluator never converts. */
#include "analyze.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agg.h"
#include "func.h"
#include "tablefn.h"
#include "timefmt.h"

#define ANALYZE_MAX_DEPTH 1000

typedef struct lambda_var {
    const char *name;
    const sqltype *type;
} lambda_var;

/* The other side of a JOIN, as names resolve against it. */
typedef struct scope_right {
    const schema *cols;
    const char *source, *alias;
    int base;              /* its first row slot */
} scope_right;

typedef struct scope {
    plan *p;               /* arena and row layout */
    const catalog *cat;    /* for custom types */
    const schema *cols;    /* source columns; NULL = constants only */
    const char *source;    /* source name */
    const char *alias;     /* FROM alias or NULL */
    scope_right *right;    /* JOIN: the first source joined, or NULL */
    scope_right *more;     /* a JOIN b JOIN c ...: the tables joined after it */
    int nmore;
    bool join_keyed;       /* a JOIN's result is keyed by its join key (no PARTITION BY) */
    const ast_expr *join_left_ast; /* JOIN: the stream's side of ON */
    int depth;
    lambda_var vars[EXPR_MAX_VARS]; /* lambda parameters in scope; slot = index */
    int nvars;
    /* PARTITION BY: the new key expressions, and which select item took
     * each (its name), or NULL */
    expr **pexprs;
    const char **ptaken;
    int npexprs;
    bool partitioned;
    const char *sink;      /* name of the stream being created, or NULL */
    /* GROUP BY: select items and HAVING are compiled over the aggregate
     * row; `post` is set while they are */
    plan_agg *agg;
    bool post;
    const char *post_clause; /* "SELECT" or "HAVING", for messages */
    buf uncovered;         /* expressions neither grouped nor aggregated */
    int nuncovered;
    bool tablefn_ok;       /* compiling a SELECT item of a flat-map plan */
    bool in_tablefn;       /* compiling a table function's argument */
} scope;

static expr *compile(scope *sc, const ast_expr *x, err *e);
static expr *compile_parts(scope *sc, const ast_expr *x, err *e);
static expr *join_key_ref(scope *sc);
static bool synthetic_join_key(const plan_join *pj);

static expr *node(scope *sc, expr_kind kind, const sqltype *type, int nargs)
{
    expr *x = arena_alloc(&sc->p->arena, sizeof *x);
    x->kind = kind;
    x->type = type;
    x->nargs = nargs;
    if (nargs)
        x->args = arena_alloc(&sc->p->arena, sizeof(expr *) * (size_t)nargs);
    return x;
}

static const char *type_text(scope *sc, const sqltype *t)
{
    buf b = BUF_INIT;
    types_print(t, &b);
    char *s = arena_strdup(&sc->p->arena, b.data);
    buf_free(&b);
    return s;
}

static expr *fail(err *e, ast_span span, err_code code, const char *msg)
{
    err_at(e, code, span.off, span.len, "%s", msg);
    return NULL;
}

/* Wraps x in a cast to t when its type differs. */
static expr *coerce(scope *sc, expr *x, const sqltype *t)
{
    if (types_equal(x->type, t))
        return x;
    if (x->kind == EX_CONST && x->constant.null) {
        x->type = t;
        return x;
    }
    expr *c = node(sc, EX_CAST, t, 1);
    c->args[0] = x;
    return c;
}

static const sqltype *literal_decimal(scope *sc, const ast_expr *x)
{
    return types_decimal(&sc->p->arena, x->u.dec.precision, x->u.dec.scale);
}

static expr *compile_literal(scope *sc, const ast_expr *x, err *e)
{
    expr *c = node(sc, EX_CONST, NULL, 0);
    switch (x->kind) {
    case AST_NULL:
        c->type = types_scalar(TYPE_NULL);
        c->constant = value_null();
        break;
    case AST_BOOL:
        c->type = types_scalar(TYPE_BOOLEAN);
        c->constant = value_bool(x->u.b);
        break;
    case AST_INT:
        if (x->u.i >= INT32_MIN && x->u.i <= INT32_MAX) {
            c->type = types_scalar(TYPE_INT);
            c->constant = value_int((int32_t)x->u.i);
        } else {
            c->type = types_scalar(TYPE_BIGINT);
            c->constant = value_bigint(x->u.i);
        }
        break;
    case AST_DOUBLE:
        c->type = types_scalar(TYPE_DOUBLE);
        c->constant = value_double(x->u.d);
        break;
    case AST_DECIMAL: {
        c->type = literal_decimal(sc, x);
        eval_ctx cx = {.a = &sc->p->arena, .e = e};
        value text = value_string(x->u.dec.text, (uint32_t)strlen(x->u.dec.text));
        if (expr_cast(&text, types_scalar(TYPE_STRING), c->type, &cx, &c->constant))
            return fail(e, x->span, ERR_TYPE, "invalid decimal literal");
        break;
    }
    case AST_STRING:
        c->type = types_scalar(TYPE_STRING);
        c->constant = value_string(arena_strndup(&sc->p->arena, x->u.str.s, x->u.str.len), x->u.str.len);
        break;
    default: return fail(e, x->span, ERR_UNSUPPORTED, "unexpected literal");
    }
    return c;
}

static const struct {
    const char *name;
    type_kind kind;
} pseudo_columns[] = {{"ROWTIME", TYPE_BIGINT}, {"ROWPARTITION", TYPE_INT}, {"ROWOFFSET", TYPE_BIGINT}};

static bool names_side(const char *q, const char *source, const char *alias)
{
    return !strcmp(q, source) || (alias && !strcmp(q, alias));
}

static expr *column_ref(scope *sc, const schema *cols, int base, int i)
{
    expr *c = node(sc, EX_COLUMN, cols->cols[i].type, 0);
    c->column = base + i;
    sc->p->needed[base + i] = true;
    if (base == 0 && cols->cols[i].key)
        sc->p->needs_key = true;
    return c;
}

/* Every source of a JOIN, the FROM source first, as names resolve
 * against them; returns how many. */
static int join_sides(const scope *sc, scope_right *out)
{
    int n = 0;
    out[n++] = (scope_right){sc->cols, sc->source, sc->alias, 0};
    out[n++] = *sc->right;
    for (int i = 0; i < sc->nmore; i++)
        out[n++] = sc->more[i];
    return n;
}

static const char *side_name(const scope_right *s) { return s->alias ? s->alias : s->source; }

/* A column in a JOIN: qualified by a source name or alias, or found in
 * exactly one of the sources.  Unqualified pseudo columns are the FROM
 * source's. */
static expr *compile_join_column(scope *sc, const ast_expr *x, err *e)
{
    const char *q = x->u.col.qualifier.name, *name = x->u.col.name.name;
    scope_right sides[PLAN_MAX_JOINS + 1];
    int n = join_sides(sc, sides), found = -1, col = -1, named = -1;
    for (int i = 0; i < n; i++) {
        if (q && !names_side(q, sides[i].source, sides[i].alias))
            continue;
        if (named < 0)
            named = i;
        int c = schema_find(sides[i].cols, name);
        if (c < 0)
            continue;
        if (found >= 0)
            return err_at(e, ERR_INVALID, x->span.off, x->span.len,
                          "Column '%s' is ambiguous. Could be %s.%s or %s.%s.", name, side_name(&sides[found]), name,
                          side_name(&sides[i]), name),
                   err_hint(e, "qualify it with the source or its alias"), NULL;
        found = i;
        col = c;
    }
    if (q && named < 0) {
        err_at(e, ERR_UNKNOWN_SOURCE, x->u.col.qualifier.span.off, x->u.col.qualifier.span.len,
               "'%s' is not a source in this query", q);
        buf b = BUF_INIT;
        for (int i = 0; i < n; i++)
            buf_printf(&b, "%s%s%s%s", i ? (i + 1 == n ? " and " : ", ") : "", sides[i].source,
                       sides[i].alias ? " AS " : "", sides[i].alias ? sides[i].alias : "");
        err_hint(e, "the query joins %s", b.data);
        buf_free(&b);
        return NULL;
    }
    if (found >= 0)
        return column_ref(sc, sides[found].cols, sides[found].base, col);
    /* pseudo columns: the FROM source's, or a qualified source's own */
    const scope_right *ps = &sides[named < 0 ? 0 : named];
    for (int k = 0; k < 3; k++)
        if (strcmp(name, pseudo_columns[k].name) == 0) {
            expr *c = node(sc, EX_COLUMN, types_scalar(pseudo_columns[k].kind), 0);
            c->column = ps->base + ps->cols->n + k;
            return c;
        }
    const plan_join *pj = sc->p->join;
    if (!q && !strcmp(name, "ROWKEY") && pj->key_type && synthetic_join_key(pj))
        return join_key_ref(sc); /* a synthetic join key */
    err_at(e, ERR_UNKNOWN_COLUMN, x->u.col.name.span.off, x->u.col.name.span.len, "column '%s' does not exist in %s",
           name, q ? q : "any joined source");
    for (int i = 0; i < n; i++) {
        const char *near = schema_suggest(sides[i].cols, name);
        if (near) {
            err_hint(e, "did you mean %s?", near);
            break;
        }
    }
    return NULL;
}

static expr *compile_column(scope *sc, const ast_expr *x, err *e)
{
    const char *q = x->u.col.qualifier.name, *name = x->u.col.name.name;
    for (int i = sc->nvars - 1; i >= 0 && !q; i--)
        if (!strcmp(sc->vars[i].name, name)) {
            expr *v = node(sc, EX_VAR, sc->vars[i].type, 0);
            v->column = i;
            return v;
        }
    if (!sc->cols)
        return fail(e, x->span, ERR_INVALID, "column references are not allowed here; use a literal value");
    if (sc->right)
        return compile_join_column(sc, x, e);
    if (q && strcmp(q, sc->source) != 0 && !(sc->alias && strcmp(q, sc->alias) == 0)) {
        err_at(e, ERR_UNKNOWN_SOURCE, x->u.col.qualifier.span.off, x->u.col.qualifier.span.len,
               "'%s' is not a source in this query", q);
        err_hint(e, "the query reads %s%s%s", sc->source, sc->alias ? " AS " : "", sc->alias ? sc->alias : "");
        return NULL;
    }
    int i = schema_find(sc->cols, name);
    if (i >= 0) {
        expr *c = node(sc, EX_COLUMN, sc->cols->cols[i].type, 0);
        c->column = i;
        sc->p->needed[i] = true;
        if (sc->cols->cols[i].key)
            sc->p->needs_key = true;
        return c;
    }
    for (int k = 0; k < 3; k++)
        if (strcmp(name, pseudo_columns[k].name) == 0) {
            expr *c = node(sc, EX_COLUMN, types_scalar(pseudo_columns[k].kind), 0);
            c->column = sc->cols->n + k;
            return c;
        }
    /* a windowed source's rows carry their window */
    bool windowstart = !strcmp(name, "WINDOWSTART");
    if (sc->p->in.window_kind && (windowstart || !strcmp(name, "WINDOWEND"))) {
        expr *c = node(sc, EX_COLUMN, types_scalar(TYPE_BIGINT), 0);
        c->column = sc->cols->n + (windowstart ? 3 : 4);
        return c;
    }
    err_at(e, ERR_UNKNOWN_COLUMN, x->u.col.name.span.off, x->u.col.name.span.len,
           "column '%s' does not exist in %s", name, sc->source);
    const char *near = schema_suggest(sc->cols, name);
    if (near)
        err_hint(e, "did you mean %s?", near);
    return NULL;
}

static expr *compile_unary(scope *sc, const ast_expr *x, err *e)
{
    expr *a = compile(sc, x->u.unary.operand, e);
    if (!a)
        return NULL;
    if (x->u.unary.op == AST_OP_NOT) {
        if (a->type->kind != TYPE_BOOLEAN && a->type->kind != TYPE_NULL)
            return fail(e, x->span, ERR_TYPE, "NOT needs a BOOLEAN operand");
        expr *c = node(sc, EX_NOT, types_scalar(TYPE_BOOLEAN), 1);
        c->args[0] = a;
        return c;
    }
    if (!types_is_numeric(a->type)) {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "unary %s needs a numeric operand, not %s",
               ast_op_name(x->u.unary.op), type_text(sc, a->type));
        return NULL;
    }
    if (x->u.unary.op == AST_OP_PLUS)
        return a;
    expr *c = node(sc, EX_NEG, a->type, 1);
    c->args[0] = a;
    return c;
}

static expr_op arith_op(ast_op op)
{
    switch (op) {
    case AST_OP_ADD: return EXOP_ADD;
    case AST_OP_SUB: return EXOP_SUB;
    case AST_OP_MUL: return EXOP_MUL;
    case AST_OP_DIV: return EXOP_DIV;
    case AST_OP_MOD: return EXOP_MOD;
    case AST_OP_EQ: return EXOP_EQ;
    case AST_OP_NE: return EXOP_NE;
    case AST_OP_LT: return EXOP_LT;
    case AST_OP_LE: return EXOP_LE;
    case AST_OP_GT: return EXOP_GT;
    default: return EXOP_GE;
    }
}

/* Whether values of types a and b can be compared with each other. */
static bool comparable(const sqltype *a, const sqltype *b)
{
    if (a->kind == TYPE_NULL || b->kind == TYPE_NULL)
        return true;
    if (types_is_numeric(a) && types_is_numeric(b))
        return true;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case TYPE_ARRAY: return comparable(a->elem, b->elem);
    case TYPE_MAP: return comparable(a->key, b->key) && comparable(a->value, b->value);
    case TYPE_STRUCT:
        if (a->nfields != b->nfields)
            return false;
        for (int i = 0; i < a->nfields; i++)
            if (strcmp(a->fields[i].name, b->fields[i].name) || !comparable(a->fields[i].type, b->fields[i].type))
                return false;
        return true;
    default: return true;
    }
}

/* ---- literal coercion (ksqlDB's implicit casts) ----------------------- */

/* ksqlDB reads these (and their prefixes, case-insensitively) as booleans
 * where a literal must become one: t, tr, tru, true, y, ye, yes are TRUE;
 * f, fa, ..., false, n, no are FALSE.  -1 for anything else. */
static int literal_bool(const value *s, bool *out)
{
    static const char *const words[] = {"true", "yes", "false", "no"};
    if (s->u.s.len == 0)
        return -1;
    for (int i = 0; i < 4; i++)
        if (s->u.s.len <= strlen(words[i]) && !strncasecmp(s->u.s.p, words[i], s->u.s.len)) {
            *out = i < 2;
            return 0;
        }
    return -1;
}

/* A string literal compared with ROWTIME, WINDOWSTART, WINDOWEND or a
 * TIMESTAMP: ksqlDB reads it as a timestamp, completing a partial one
 * ('2018' is 2018-01-01T00:00:00.000) and taking an optional zone offset
 * (Z, +hh:mm or +hhmm); UTC without one.  -1 when it is not one. */
static int magic_timestamp(const char *s, size_t n, int64_t *ms)
{
    static const char full[] = "0000-01-01T00:00:00.000";
    size_t date = 0; /* length of the date-time part */
    while (date < n && s[date] != 'Z' && s[date] != '+' && !(s[date] == '-' && date > 7))
        date++;
    if (date < 4 || date > sizeof full - 1)
        return -1;
    char text[64];
    memcpy(text, s, date);
    memcpy(text + date, full + date, sizeof full - 1 - date);
    size_t len = sizeof full - 1, zone = n - date;
    if (zone > 10)
        return -1;
    memcpy(text + len, s + date, zone);
    len += zone;
    if (zone == 5) { /* +hhmm */
        memmove(text + len - 1, text + len - 2, 2);
        text[len - 2] = ':';
        len++;
    }
    static const char *const pats[] = {"yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"};
    const char *pat = pats[zone != 0];
    tz_zone utc = {0};
    char why[128];
    return timefmt_parse(pat, strlen(pat), text, len, &utc, false, ms, why, sizeof why);
}

static bool is_magic_time_column(const ast_expr *x)
{
    if (x->kind != AST_COLUMN)
        return false;
    const char *n = x->u.col.name.name;
    return !strcasecmp(n, "ROWTIME") || !strcasecmp(n, "WINDOWSTART") || !strcasecmp(n, "WINDOWEND");
}

/* Comparing `other` (from AST o) with the string literal *lit: when o is
 * ROWTIME, WINDOWSTART or WINDOWEND, or other is a TIMESTAMP, the string
 * becomes the instant it names, once, here.  0 when nothing to do. */
static int coerce_time_literal(scope *sc, const ast_expr *o, const expr *other, expr **lit, ast_span sp, err *e)
{
    expr *l = *lit;
    if (l->kind != EX_CONST || l->type->kind != TYPE_STRING || l->constant.null)
        return 0;
    bool ts = other->type->kind == TYPE_TIMESTAMP;
    if (!ts && !(other->type->kind == TYPE_BIGINT && is_magic_time_column(o)))
        return 0;
    int64_t ms;
    if (magic_timestamp(l->constant.u.s.p, l->constant.u.s.len, &ms)) {
        err_at(e, ERR_TYPE, sp.off, sp.len, "Failed to parse timestamp '%.*s'", (int)l->constant.u.s.len,
               l->constant.u.s.p);
        return -1;
    }
    expr *c = node(sc, EX_CONST, other->type, 0);
    c->constant = value_bigint(ms);
    *lit = c;
    return 0;
}

/* What coerce_in_item found. */
enum { IN_ITEM_OK = 0, IN_ITEM_NEVER = 1, IN_ITEM_ERROR = -1 };

static int coerce_in_item(scope *sc, expr *x, const sqltype *t, expr **out, err *e);

/* A constant of another type read as t, as ksqlDB coerces IN list
 * literals: numbers widen, strings parse, anything becomes a STRING. */
static int coerce_in_const(scope *sc, expr *x, const sqltype *t, expr **out, err *e)
{
    const sqltype *from = x->type;
    bool widens = types_is_numeric(from) && types_is_numeric(t) && types_equal(types_widen(&sc->p->arena, from, t), t);
    bool parses = from->kind == TYPE_STRING && t->kind != TYPE_BOOLEAN && expr_can_cast(from, t);
    bool prints = t->kind == TYPE_STRING && (types_is_numeric(from) || from->kind == TYPE_BOOLEAN);
    expr *c = node(sc, EX_CONST, t, 0);
    if (from->kind == TYPE_STRING && t->kind == TYPE_BOOLEAN) {
        bool b;
        if (literal_bool(&x->constant, &b))
            return IN_ITEM_ERROR;
        c->constant = value_bool(b);
    } else if (widens || parses || prints) {
        eval_ctx cx = {.a = &sc->p->arena, .e = e};
        if (expr_cast(&x->constant, from, t, &cx, &c->constant) || c->constant.null)
            return IN_ITEM_ERROR;
    } else {
        *out = x;
        return comparable(from, t) ? IN_ITEM_OK : IN_ITEM_ERROR;
    }
    *out = c;
    return IN_ITEM_OK;
}

/* A STRUCT constructor read as struct type t: fields by name (case
 * matters), a missing one NULL; one t lacks can never be equal. */
static int coerce_in_struct(scope *sc, expr *x, const sqltype *t, expr **out, err *e)
{
    for (int i = 0; i < x->type->nfields; i++) {
        int j = 0;
        while (j < t->nfields && strcmp(t->fields[j].name, x->type->fields[i].name))
            j++;
        if (j == t->nfields)
            return IN_ITEM_NEVER;
    }
    expr *c = node(sc, EX_MAKE_LIST, t, t->nfields);
    for (int j = 0; j < t->nfields; j++) {
        int i = 0;
        while (i < x->type->nfields && strcmp(t->fields[j].name, x->type->fields[i].name))
            i++;
        if (i == x->type->nfields) {
            c->args[j] = node(sc, EX_CONST, t->fields[j].type, 0);
            c->args[j]->constant = value_null();
        } else {
            int rc = coerce_in_item(sc, x->args[i], t->fields[j].type, &c->args[j], e);
            if (rc)
                return rc;
        }
    }
    *out = c;
    return IN_ITEM_OK;
}

/* An ARRAY or MAP constructor read as t, element by element. */
static int coerce_in_list(scope *sc, expr *x, const sqltype *t, expr **out, err *e)
{
    expr *c = node(sc, EX_MAKE_LIST, t, x->nargs);
    for (int i = 0; i < x->nargs; i++) {
        const sqltype *et = t->kind == TYPE_ARRAY ? t->elem : i % 2 ? t->value : t->key;
        int rc = coerce_in_item(sc, x->args[i], et, &c->args[i], e);
        if (rc)
            return rc;
    }
    *out = c;
    return IN_ITEM_OK;
}

/* An IN list item x read as the tested value's type t (ksqlDB coerces
 * literals, also inside ARRAY, MAP and STRUCT constructors).  Done once
 * here: constants come out as constants of t. */
static int coerce_in_item(scope *sc, expr *x, const sqltype *t, expr **out, err *e)
{
    if (types_equal(x->type, t) || t->kind == TYPE_NULL) {
        *out = x;
        return IN_ITEM_OK;
    }
    if (x->kind == EX_CONST && x->constant.null) {
        *out = node(sc, EX_CONST, t, 0);
        (*out)->constant = value_null();
        return IN_ITEM_OK;
    }
    if (x->kind == EX_CONST)
        return coerce_in_const(sc, x, t, out, e);
    if (x->kind == EX_MAKE_LIST && x->type->kind == t->kind && t->kind == TYPE_STRUCT)
        return coerce_in_struct(sc, x, t, out, e);
    if (x->kind == EX_MAKE_LIST && x->type->kind == t->kind && (t->kind == TYPE_ARRAY || t->kind == TYPE_MAP))
        return coerce_in_list(sc, x, t, out, e);
    bool widens = types_is_numeric(x->type) && types_is_numeric(t) &&
                  types_equal(types_widen(&sc->p->arena, x->type, t), t);
    *out = widens ? coerce(sc, x, t) : x;
    return comparable(x->type, t) ? IN_ITEM_OK : IN_ITEM_ERROR;
}

static expr *compile_binary(scope *sc, const ast_expr *x, err *e)
{
    expr *l = compile(sc, x->u.binary.left, e);
    expr *r = l ? compile(sc, x->u.binary.right, e) : NULL;
    if (!r)
        return NULL;
    ast_op op = x->u.binary.op;
    if (op == AST_OP_AND || op == AST_OP_OR) {
        for (int i = 0; i < 2; i++) {
            expr *side = i ? r : l;
            if (side->type->kind != TYPE_BOOLEAN && side->type->kind != TYPE_NULL) {
                err_at(e, ERR_TYPE, x->span.off, x->span.len, "%s needs BOOLEAN operands, not %s",
                       ast_op_name(op), type_text(sc, side->type));
                return NULL;
            }
        }
        expr *c = node(sc, op == AST_OP_AND ? EX_AND : EX_OR, types_scalar(TYPE_BOOLEAN), 2);
        c->args[0] = coerce(sc, l, types_scalar(TYPE_BOOLEAN));
        c->args[1] = coerce(sc, r, types_scalar(TYPE_BOOLEAN));
        return c;
    }
    if (op >= AST_OP_EQ && op <= AST_OP_GE) {
        if (coerce_time_literal(sc, x->u.binary.left, l, &r, x->u.binary.right->span, e) ||
            coerce_time_literal(sc, x->u.binary.right, r, &l, x->u.binary.left->span, e))
            return NULL;
        if (!comparable(l->type, r->type)) {
            err_at(e, ERR_TYPE, x->span.off, x->span.len, "cannot compare %s to %s with %s",
                   type_text(sc, l->type), type_text(sc, r->type), ast_op_name(op));
            return NULL;
        }
        bool composite = l->type->kind == TYPE_ARRAY || l->type->kind == TYPE_MAP || l->type->kind == TYPE_STRUCT;
        if (composite && op != AST_OP_EQ && op != AST_OP_NE) {
            err_at(e, ERR_TYPE, x->span.off, x->span.len, "Cannot compare %s values with %s; only = and <> are allowed",
                   types_kind_name(l->type->kind), ast_op_name(op));
            return NULL;
        }
        expr *c = node(sc, EX_CMP, types_scalar(TYPE_BOOLEAN), 2);
        c->op = arith_op(op);
        c->args[0] = l;
        c->args[1] = r;
        return c;
    }
    if (op == AST_OP_CONCAT || (op == AST_OP_ADD && l->type->kind == TYPE_STRING && r->type->kind == TYPE_STRING)) {
        if ((l->type->kind != TYPE_STRING && l->type->kind != TYPE_NULL) ||
            (r->type->kind != TYPE_STRING && r->type->kind != TYPE_NULL))
            return fail(e, x->span, ERR_TYPE, "|| needs STRING operands");
        expr *c = node(sc, EX_CONCAT, types_scalar(TYPE_STRING), 2);
        c->args[0] = coerce(sc, l, types_scalar(TYPE_STRING));
        c->args[1] = coerce(sc, r, types_scalar(TYPE_STRING));
        return c;
    }
    const sqltype *t = NULL;
    if ((types_is_numeric(l->type) || l->type->kind == TYPE_NULL) &&
        (types_is_numeric(r->type) || r->type->kind == TYPE_NULL))
        t = types_widen(&sc->p->arena, l->type, r->type);
    if (!t || t->kind == TYPE_NULL) {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "cannot apply %s to %s and %s", ast_op_name(op),
               type_text(sc, l->type), type_text(sc, r->type));
        return NULL;
    }
    expr *c = node(sc, EX_ARITH, t, 2);
    c->op = arith_op(op);
    if (t->kind == TYPE_DECIMAL) {
        /* ksqlDB: each operand keeps its own DECIMAL type (INT and BIGINT
         * as DECIMAL(10, 0) and DECIMAL(19, 0)); the result type follows
         * the operator (decimal_result_type). */
        const sqltype *lt = types_as_decimal(&sc->p->arena, l->type->kind == TYPE_NULL ? r->type : l->type);
        const sqltype *rt = types_as_decimal(&sc->p->arena, r->type->kind == TYPE_NULL ? l->type : r->type);
        int p, s;
        decimal_result_type((decimal_op)(c->op - EXOP_ADD), lt->precision, lt->scale, rt->precision, rt->scale, &p, &s);
        c->type = types_decimal(&sc->p->arena, p, s);
        c->args[0] = coerce(sc, l, lt);
        c->args[1] = coerce(sc, r, rt);
        return c;
    }
    c->args[0] = coerce(sc, l, t);
    c->args[1] = coerce(sc, r, t);
    return c;
}

static expr *compile_args(scope *sc, expr *c, const ast_expr *const *args, int n, err *e)
{
    for (int i = 0; i < n; i++)
        if (!(c->args[i] = compile(sc, args[i], e)))
            return NULL;
    return c;
}

static expr *compile_test(scope *sc, const ast_expr *x, err *e)
{
    bool distinct = x->kind == AST_IS_DISTINCT;
    expr *c = node(sc, distinct ? EX_IS_DISTINCT : EX_IS_NULL, types_scalar(TYPE_BOOLEAN), distinct ? 2 : 1);
    c->negated = x->u.test.negated;
    const ast_expr *args[2] = {x->u.test.left, x->u.test.right};
    if (!compile_args(sc, c, args, c->nargs, e))
        return NULL;
    if (distinct && !comparable(c->args[0]->type, c->args[1]->type))
        return fail(e, x->span, ERR_TYPE, "IS DISTINCT FROM needs comparable operands");
    return c;
}

static expr *compile_between(scope *sc, const ast_expr *x, err *e)
{
    expr *c = node(sc, EX_BETWEEN, types_scalar(TYPE_BOOLEAN), 3);
    c->negated = x->u.between.negated;
    const ast_expr *args[3] = {x->u.between.value, x->u.between.low, x->u.between.high};
    if (!compile_args(sc, c, args, 3, e))
        return NULL;
    for (int i = 1; i < 3; i++)
        if (coerce_time_literal(sc, args[0], c->args[0], &c->args[i], args[i]->span, e))
            return NULL;
    if (!comparable(c->args[0]->type, c->args[1]->type) || !comparable(c->args[0]->type, c->args[2]->type))
        return fail(e, x->span, ERR_TYPE, "BETWEEN needs bounds of the value's type");
    return c;
}

static expr *compile_in(scope *sc, const ast_expr *x, err *e)
{
    expr *c = node(sc, EX_IN, types_scalar(TYPE_BOOLEAN), x->u.in.n + 1);
    c->negated = x->u.in.negated;
    if (!(c->args[0] = compile(sc, x->u.in.value, e)))
        return NULL;
    int n = 1;
    for (int i = 0; i < x->u.in.n; i++) {
        expr *item = compile(sc, x->u.in.list[i], e);
        if (!item)
            return NULL;
        int rc = coerce_in_item(sc, item, c->args[0]->type, &c->args[n], e);
        if (rc == IN_ITEM_ERROR)
            return fail(e, x->u.in.list[i]->span, ERR_TYPE, "IN list value does not match the tested value's type");
        n += rc == IN_ITEM_OK; /* an item that can never be equal is left out */
    }
    c->nargs = n;
    return c;
}

static expr *compile_like(scope *sc, const ast_expr *x, err *e)
{
    expr *c = node(sc, EX_LIKE, types_scalar(TYPE_BOOLEAN), 2);
    c->negated = x->u.like.negated;
    const ast_expr *args[2] = {x->u.like.value, x->u.like.pattern};
    if (!compile_args(sc, c, args, 2, e))
        return NULL;
    for (int i = 0; i < 2; i++)
        if (c->args[i]->type->kind != TYPE_STRING && c->args[i]->type->kind != TYPE_NULL)
            return fail(e, x->span, ERR_TYPE, "LIKE needs STRING operands");
    if (x->u.like.escape) {
        const ast_expr *esc = x->u.like.escape;
        if (esc->kind != AST_STRING || esc->u.str.len != 1)
            return fail(e, esc->span, ERR_TYPE, "ESCAPE needs a one-character string");
        c->escape = esc->u.str.s[0];
    }
    return c;
}

static expr *compile_case(scope *sc, const ast_expr *x, err *e)
{
    int n = x->u.kase.nwhens;
    expr *c = node(sc, EX_CASE, NULL, 2 * n + 1);
    expr *operand = x->u.kase.operand ? compile(sc, x->u.kase.operand, e) : NULL;
    if (x->u.kase.operand && !operand)
        return NULL;
    const sqltype *t = types_scalar(TYPE_NULL);
    for (int i = 0; i < n; i++) {
        expr *w = compile(sc, x->u.kase.whens[i].when, e);
        expr *th = w ? compile(sc, x->u.kase.whens[i].then, e) : NULL;
        if (!th)
            return NULL;
        if (operand) { /* simple CASE: operand = when */
            expr *eq = node(sc, EX_CMP, types_scalar(TYPE_BOOLEAN), 2);
            eq->op = EXOP_EQ;
            eq->args[0] = operand;
            eq->args[1] = w;
            w = eq;
        } else if (w->type->kind != TYPE_BOOLEAN && w->type->kind != TYPE_NULL)
            return fail(e, x->u.kase.whens[i].when->span, ERR_TYPE, "WHEN needs a BOOLEAN condition");
        c->args[2 * i] = w;
        c->args[2 * i + 1] = th;
        if (!(t = types_widen(&sc->p->arena, t, th->type)))
            return fail(e, x->u.kase.whens[i].then->span, ERR_TYPE, "THEN results must all have the same type");
    }
    expr *otherwise = x->u.kase.otherwise ? compile(sc, x->u.kase.otherwise, e) : node(sc, EX_CONST, t, 0);
    if (!otherwise)
        return NULL;
    if (!x->u.kase.otherwise)
        otherwise->constant = value_null();
    else if (!(t = types_widen(&sc->p->arena, t, otherwise->type)))
        return fail(e, x->u.kase.otherwise->span, ERR_TYPE, "ELSE result must have the THEN results' type");
    if (t->kind == TYPE_NULL)
        return fail(e, x->span, ERR_TYPE, "Invalid Case expression. All case branches have NULL type");
    c->type = t;
    for (int i = 0; i < n; i++)
        c->args[2 * i + 1] = coerce(sc, c->args[2 * i + 1], t);
    c->args[2 * n] = coerce(sc, otherwise, t);
    return c;
}

static expr *compile_cast(scope *sc, const ast_expr *x, err *e)
{
    expr *a = compile(sc, x->u.cast.value, e);
    if (!a)
        return NULL;
    if (analyze_check_type(sc->cat, x->u.cast.type, e))
        return NULL;
    const sqltype *t = analyze_type(&sc->p->arena, sc->cat, x->u.cast.type);
    if (!expr_can_cast(a->type, t)) {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "Cast of %s to %s is not supported", type_text(sc, a->type),
               type_text(sc, t));
        return NULL;
    }
    expr *c = node(sc, EX_CAST, t, 1);
    c->args[0] = a;
    return c;
}

/* A lambda argument of call c to fn: its parameters take the element
 * types of argument 0 (and the state type of argument 1 for REDUCE). */
static expr *compile_lambda(scope *sc, const func_def *fn, expr *c, const ast_expr *x, err *e)
{
    const sqltype *params[4];
    int np = 0;
    const sqltype *coll = c->args[0] ? c->args[0]->type : NULL;
    if (fn->reduces) {
        if (!c->args[1])
            return fail(e, x->span, ERR_TYPE, "the initial state must not be a lambda");
        params[np++] = c->args[1]->type;
    }
    if (coll && coll->kind == TYPE_ARRAY)
        params[np++] = coll->elem;
    else if (coll && coll->kind == TYPE_MAP)
        params[np++] = coll->key, params[np++] = coll->value;
    else {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "%s needs an ARRAY or MAP as its first argument for this lambda",
               fn->name);
        return NULL;
    }
    if (x->u.lambda.nparams != np) {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "this lambda for %s needs %d parameter%s, not %d", fn->name, np,
               np == 1 ? "" : "s", x->u.lambda.nparams);
        return NULL;
    }
    if (sc->nvars + np > EXPR_MAX_VARS)
        return fail(e, x->span, ERR_TOO_DEEP, "lambdas nested too deeply");
    int first = sc->nvars;
    for (int i = 0; i < np; i++)
        sc->vars[sc->nvars++] = (lambda_var){x->u.lambda.params[i].name, params[i]};
    expr *body = compile(sc, x->u.lambda.body, e);
    sc->nvars = first;
    if (!body)
        return NULL;
    expr *l = node(sc, EX_LAMBDA, body->type, 1);
    l->args[0] = body;
    l->column = first;
    l->column_count = np;
    return l;
}

/* A time unit written as a function argument (DATEADD(DAYS, 1, d)): ksqlDB's
 * grammar reads MILLISECOND[S] .. DAY[S] there as a unit, which our parser
 * leaves as a bare name.  When no column or lambda parameter has that name,
 * it becomes the STRING constant of the unit's plural upper-case name;
 * NULL otherwise. */
static expr *time_unit_arg(scope *sc, const ast_expr *x)
{
    static const char *const units[] = {"MILLISECOND", "SECOND", "MINUTE", "HOUR", "DAY"};
    if (x->kind != AST_COLUMN || x->u.col.qualifier.name)
        return NULL;
    const char *name = x->u.col.name.name;
    size_t len = strlen(name);
    if (len && (name[len - 1] == 'S' || name[len - 1] == 's'))
        len--;
    for (int i = 0; i < 5; i++) {
        if (strlen(units[i]) != len || strncasecmp(units[i], name, len))
            continue;
        if (sc->cols && schema_find(sc->cols, name) >= 0)
            return NULL;
        for (int v = 0; v < sc->nvars; v++)
            if (!strcmp(sc->vars[v].name, name))
                return NULL;
        expr *c = node(sc, EX_CONST, types_scalar(TYPE_STRING), 0);
        const char *text = arena_printf(&sc->p->arena, "%sS", units[i]);
        c->constant = value_string(text, (uint32_t)strlen(text));
        return c;
    }
    return NULL;
}

static expr *compile_tablefn(scope *sc, const tablefn_def *fn, const ast_expr *x, err *e);

static expr *compile_call(scope *sc, const ast_expr *x, err *e)
{
    const tablefn_def *tf = tablefn_find(x->u.call.name.name);
    if (tf)
        return compile_tablefn(sc, tf, x, e);
    const func_def *fn = func_find(x->u.call.name.name);
    if (!fn) {
        err_at(e, ERR_UNKNOWN_FUNCTION, x->u.call.name.span.off, x->u.call.name.span.len,
               "function '%s' does not exist", x->u.call.name.name);
        const char *best = NULL;
        int best_d = 3;
        for (int i = 0; i < func_count(); i++) {
            int d = schema_edit_distance(x->u.call.name.name, func_at(i)->name);
            if (d < best_d)
                best_d = d, best = func_at(i)->name;
        }
        if (best)
            err_hint(e, "did you mean %s?", best);
        else
            err_hint(e, "SHOW FUNCTIONS lists the functions Eddy has");
        return NULL;
    }
    int n = x->u.call.nargs;
    if (x->u.call.star || x->u.call.distinct || n < fn->min_args || (fn->max_args >= 0 && n > fn->max_args)) {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "wrong arguments for %s", fn->name);
        err_hint(e, "%s", fn->signature);
        return NULL;
    }
    expr *c = node(sc, EX_CALL, NULL, n);
    c->fn = fn;
    for (int i = 0; i < n; i++)
        if (x->u.call.args[i]->kind != AST_LAMBDA && !(c->args[i] = time_unit_arg(sc, x->u.call.args[i])) &&
            !(c->args[i] = compile(sc, x->u.call.args[i], e)))
            return NULL;
    for (int i = 0; i < n; i++)
        if (x->u.call.args[i]->kind == AST_LAMBDA && !(c->args[i] = compile_lambda(sc, fn, c, x->u.call.args[i], e)))
            return NULL;
    const sqltype **types = arena_alloc(&sc->p->arena, sizeof(sqltype *) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        types[i] = c->args[i]->type;
    char why[160] = "";
    c->type = fn->resolve(types, n, &sc->p->arena, why, sizeof why);
    if (!c->type) {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "%s %s", fn->name, why);
        err_hint(e, "%s", fn->signature);
        return NULL;
    }
    return c;
}

static expr *compile_deref(scope *sc, const ast_expr *x, err *e)
{
    expr *base = compile(sc, x->u.deref.base, e);
    if (!base)
        return NULL;
    const char *name = x->u.deref.field.name;
    if (base->type->kind != TYPE_STRUCT) {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "-> needs a STRUCT on its left, not %s", type_text(sc, base->type));
        return NULL;
    }
    for (int i = 0; i < base->type->nfields; i++)
        if (!strcasecmp(base->type->fields[i].name, name)) {
            expr *c = node(sc, EX_FIELD, base->type->fields[i].type, 1);
            c->args[0] = base;
            c->column = i;
            return c;
        }
    err_at(e, ERR_UNKNOWN_COLUMN, x->u.deref.field.span.off, x->u.deref.field.span.len,
           "field '%s' does not exist in %s", name, type_text(sc, base->type));
    return NULL;
}

static expr *compile_subscript(scope *sc, const ast_expr *x, err *e)
{
    expr *base = compile(sc, x->u.subscript.base, e);
    expr *idx = base ? compile(sc, x->u.subscript.index, e) : NULL;
    if (!idx)
        return NULL;
    const sqltype *t = base->type;
    if (t->kind == TYPE_ARRAY) {
        if (idx->type->kind != TYPE_INT && idx->type->kind != TYPE_BIGINT)
            return fail(e, x->u.subscript.index->span, ERR_TYPE, "an array index must be an INT or BIGINT");
    } else if (t->kind == TYPE_MAP) {
        if (!comparable(t->key, idx->type))
            return fail(e, x->u.subscript.index->span, ERR_TYPE, "the map key does not match the map's key type");
    } else {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "[] needs an ARRAY or MAP, not %s", type_text(sc, t));
        return NULL;
    }
    expr *c = node(sc, EX_SUBSCRIPT, t->kind == TYPE_ARRAY ? t->elem : t->value, 2);
    c->args[0] = base;
    c->args[1] = idx;
    return c;
}

/* The common type of n expressions (widening numbers), cast to it. */
/* When the elements of a constructor do not widen to one type, ksqlDB
 * gives literals the type of the first element that is not a literal,
 * where they convert to it ('true' to BOOLEAN, 10 to STRING, '1' to
 * INT): that type, with the literals converted, or NULL. */
static const sqltype *unify_literals(scope *sc, expr **xs, int n, int step, err *e)
{
    const sqltype *t = NULL;
    for (int i = 0; i < n && !t; i += step)
        if (xs[i]->kind != EX_CONST)
            t = xs[i]->type;
    if (!t)
        return NULL;
    for (int i = 0; i < n; i += step) {
        const sqltype *w = types_widen(&sc->p->arena, xs[i]->type, t);
        if (w && types_equal(w, t))
            continue;
        expr *c;
        if (xs[i]->kind != EX_CONST || coerce_in_const(sc, xs[i], t, &c, e) != IN_ITEM_OK ||
            !types_equal(c->type, t))
            return NULL;
        xs[i] = c;
    }
    return t;
}

static const sqltype *unify(scope *sc, expr **xs, int n, int step, ast_span span, const char *what, err *e)
{
    const sqltype *t = types_scalar(TYPE_NULL);
    for (int i = 0; i < n && t; i += step)
        t = types_widen(&sc->p->arena, t, xs[i]->type);
    if (!t && !(t = unify_literals(sc, xs, n, step, e))) {
        err_at(e, ERR_TYPE, span.off, span.len, "all %s must have the same type", what);
        return NULL;
    }
    for (int i = 0; i < n; i += step)
        xs[i] = coerce(sc, xs[i], t);
    return t;
}

static expr *compile_array(scope *sc, const ast_expr *x, err *e)
{
    int n = x->u.list.n;
    if (n == 0)
        return fail(e, x->span, ERR_TYPE, "Array constructor cannot be empty");
    expr *c = node(sc, EX_MAKE_LIST, NULL, n);
    if (!compile_args(sc, c, (const ast_expr *const *)x->u.list.items, n, e))
        return NULL;
    const sqltype *elem = unify(sc, c->args, n, 1, x->span, "array elements", e);
    if (!elem)
        return NULL;
    if (elem->kind == TYPE_NULL)
        return fail(e, x->span, ERR_TYPE,
                    "Cannot construct an array with all NULL elements (see "
                    "https://github.com/confluentinc/ksql/issues/4239). As a workaround, you may cast a NULL value "
                    "to the desired type.");
    c->type = types_array(&sc->p->arena, elem);
    return c;
}

static expr *compile_map(scope *sc, const ast_expr *x, err *e)
{
    int n = x->u.map.n;
    if (n == 0)
        return fail(e, x->span, ERR_TYPE, "Map constructor cannot be empty");
    expr *c = node(sc, EX_MAKE_LIST, NULL, 2 * n);
    for (int i = 0; i < n; i++)
        if (!(c->args[2 * i] = compile(sc, x->u.map.entries[i].key, e)) ||
            !(c->args[2 * i + 1] = compile(sc, x->u.map.entries[i].value, e)))
            return NULL;
    const sqltype *k = unify(sc, c->args, 2 * n, 2, x->span, "map keys", e);
    const sqltype *v = k ? unify(sc, c->args + 1, 2 * n - 1, 2, x->span, "map values", e) : NULL;
    if (!v)
        return NULL;
    c->type = types_map(&sc->p->arena, k->kind == TYPE_NULL ? types_scalar(TYPE_STRING) : k,
                        v->kind == TYPE_NULL ? types_scalar(TYPE_STRING) : v);
    return c;
}

static expr *compile_struct(scope *sc, const ast_expr *x, err *e)
{
    int n = x->u.strct.n;
    expr *c = node(sc, EX_MAKE_LIST, NULL, n);
    sqltype *t = arena_alloc(&sc->p->arena, sizeof *t);
    sqlfield *f = arena_alloc(&sc->p->arena, sizeof *f * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        if (!(c->args[i] = compile(sc, x->u.strct.entries[i].value, e)))
            return NULL;
        f[i].name = arena_strdup(&sc->p->arena, x->u.strct.entries[i].name.name);
        f[i].type = c->args[i]->type->kind == TYPE_NULL ? types_scalar(TYPE_STRING) : c->args[i]->type;
        c->args[i] = coerce(sc, c->args[i], f[i].type);
        for (int j = 0; j < i; j++)
            if (!strcmp(f[j].name, f[i].name))
                return fail(e, x->u.strct.entries[i].name.span, ERR_TYPE, "duplicate field name in STRUCT");
    }
    t->kind = TYPE_STRUCT;
    t->fields = f;
    t->nfields = n;
    c->type = t;
    return c;
}

/* ---- aggregation ------------------------------------------------------ */

static bool is_aggregate_call(const ast_expr *x)
{
    return x->kind == AST_CALL && agg_find(x->u.call.name.name);
}

/* How many calls `is` picks appear anywhere in x (their arguments
 * included). */
static int count_calls(const ast_expr *x, bool (*is)(const ast_expr *))
{
    if (!x)
        return 0;
    int n = is(x);
    switch (x->kind) {
    case AST_UNARY: return n + count_calls(x->u.unary.operand, is);
    case AST_BINARY: return n + count_calls(x->u.binary.left, is) + count_calls(x->u.binary.right, is);
    case AST_IS_NULL:
    case AST_IS_DISTINCT: return n + count_calls(x->u.test.left, is) + count_calls(x->u.test.right, is);
    case AST_BETWEEN:
        return n + count_calls(x->u.between.value, is) + count_calls(x->u.between.low, is) +
               count_calls(x->u.between.high, is);
    case AST_IN:
        for (int i = 0; i < x->u.in.n; i++)
            n += count_calls(x->u.in.list[i], is);
        return n + count_calls(x->u.in.value, is);
    case AST_LIKE: return n + count_calls(x->u.like.value, is) + count_calls(x->u.like.pattern, is);
    case AST_CASE:
        for (int i = 0; i < x->u.kase.nwhens; i++)
            n += count_calls(x->u.kase.whens[i].when, is) + count_calls(x->u.kase.whens[i].then, is);
        return n + count_calls(x->u.kase.operand, is) + count_calls(x->u.kase.otherwise, is);
    case AST_CAST: return n + count_calls(x->u.cast.value, is);
    case AST_CALL:
        for (int i = 0; i < x->u.call.nargs; i++)
            n += count_calls(x->u.call.args[i], is);
        return n;
    case AST_DEREF: return n + count_calls(x->u.deref.base, is);
    case AST_SUBSCRIPT: return n + count_calls(x->u.subscript.base, is) + count_calls(x->u.subscript.index, is);
    case AST_ARRAY:
        for (int i = 0; i < x->u.list.n; i++)
            n += count_calls(x->u.list.items[i], is);
        return n;
    default: return n;
    }
}

/* Whether an aggregate call appears anywhere in x (lambdas included). */
static bool contains_aggregate(const ast_expr *x) { return count_calls(x, is_aggregate_call) > 0; }

static bool is_tablefn_call(const ast_expr *x) { return x->kind == AST_CALL && tablefn_find(x->u.call.name.name); }

/* A table function call in a SELECT item: the row slot the flat-map step
 * fills with the function's current value (plan.h, plan_flatmap). */
static expr *compile_tablefn(scope *sc, const tablefn_def *fn, const ast_expr *x, err *e)
{
    plan_flatmap *f = sc->p->flatmap;
    if (sc->in_tablefn)
        return fail(e, x->span, ERR_INVALID, "Table functions cannot be nested.");
    if (!sc->tablefn_ok || !f)
        return fail(e, x->span, ERR_INVALID, "Table functions can only be used in the SELECT clause of a stream query.");
    if (x->u.call.star || x->u.call.distinct || x->u.call.nargs != 1 || x->u.call.args[0]->kind == AST_LAMBDA) {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "wrong arguments for %s", fn->name);
        err_hint(e, "%s", fn->signature);
        return NULL;
    }
    sc->in_tablefn = true;
    expr *arg = compile(sc, x->u.call.args[0], e);
    sc->in_tablefn = false;
    if (!arg)
        return NULL;
    char why[160] = "";
    const sqltype *t = fn->resolve(arg->type, &sc->p->arena, why, sizeof why);
    if (!t) {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "Function '%s' does not accept parameters (%s): it %s",
               fn->name, type_text(sc, arg->type), why);
        err_hint(e, "%s", fn->signature);
        return NULL;
    }
    if (f->nfns == f->cap)
        return fail(e, x->span, ERR_INVALID, "more table function calls than counted");
    int i = f->nfns++;
    f->fns[i] = fn;
    f->args[i] = arg;
    f->types[i] = t;
    expr *c = node(sc, EX_COLUMN, t, 0);
    c->column = f->base + i;
    return c;
}

static bool reads_row(const expr *x)
{
    if (x->kind == EX_COLUMN || x->kind == EX_VAR)
        return true;
    for (int i = 0; i < x->nargs; i++)
        if (reads_row(x->args[i]))
            return true;
    return false;
}

/* x compiled over the input row, or NULL (errors dropped: a trial). */
static expr *compile_over_input(scope *sc, const ast_expr *x)
{
    err trial;
    err_clear(&trial);
    bool post = sc->post;
    sc->post = false;
    expr *c = compile(sc, x, &trial);
    sc->post = post;
    return c;
}

static expr *agg_slot(scope *sc, int slot, const sqltype *type)
{
    expr *c = node(sc, EX_COLUMN, type, 0);
    c->column = slot;
    return c;
}

/* An aggregate call in SELECT or HAVING: its arguments are compiled over
 * the input row; equal calls share one slot of the aggregate row. */
static expr *compile_aggregate(scope *sc, const ast_expr *x, err *e)
{
    const agg_def *def = agg_find(x->u.call.name.name);
    plan_agg *g = sc->agg;
    int n = x->u.call.star ? 0 : x->u.call.nargs;
    if (n < def->min_args || n > def->max_args) {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "wrong number of arguments for %s", def->name);
        err_hint(e, "%s", def->signature);
        return NULL;
    }
    agg_call c = {.def = def, .nargs = n};
    c.args = arena_alloc(&sc->p->arena, sizeof(expr *) * (size_t)(n ? n : 1));
    bool post = sc->post;
    sc->post = false;
    for (int i = 0; i < n; i++) {
        if (contains_aggregate(x->u.call.args[i])) {
            sc->post = post;
            return fail(e, x->span, ERR_INVALID, "Aggregate functions can not be nested");
        }
        if (!(c.args[i] = compile(sc, x->u.call.args[i], e))) {
            sc->post = post;
            return NULL;
        }
    }
    sc->post = post;
    /* COUNT(constant) counts rows, like COUNT(*) */
    if (!strcmp(def->name, "COUNT") && n == 1 && !reads_row(c.args[0]))
        c.nargs = 0;
    for (int i = 0; i < g->ncalls; i++) {
        bool same = g->calls[i].def == def && g->calls[i].nargs == c.nargs;
        for (int a = 0; same && a < c.nargs; a++)
            same = expr_equal(g->calls[i].args[a], c.args[a]);
        if (same)
            return agg_slot(sc, g->ngroup + 2 + i, g->calls[i].type);
    }
    char why[160] = "";
    if (def->resolve(&c, &sc->p->arena, why, sizeof why)) {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "%s %s", def->name, why);
        err_hint(e, "%s", def->signature);
        return NULL;
    }
    if (g->window.kind == WINDOW_SESSION && !def->merge) {
        err_at(e, ERR_UNSUPPORTED, x->span.off, x->span.len,
               "%s cannot be used in a SESSION window: its states cannot be merged", def->name);
        return NULL;
    }
    agg_call *calls = arena_alloc(&sc->p->arena, sizeof(agg_call) * (size_t)(g->ncalls + 1));
    if (g->ncalls)
        memcpy(calls, g->calls, sizeof(agg_call) * (size_t)g->ncalls);
    calls[g->ncalls] = c;
    g->calls = calls;
    return agg_slot(sc, g->ngroup + 2 + g->ncalls++, c.type);
}

static void note_uncovered(scope *sc, const ast_expr *x)
{
    buf text = BUF_INIT;
    ast_print_expr(x, &text);
    buf_printf(&sc->uncovered, "%s%s", sc->nuncovered++ ? ", " : "", text.data ? text.data : "?");
    buf_free(&text);
}

/* In SELECT/HAVING of a GROUP BY query: returns 1 with *out set when x
 * is an aggregate call, a grouped expression, an aggregate-free
 * expression built from grouped ones, or one that reads no row; 0 to
 * compile x's parts the usual way (x holds an aggregate somewhere); -1 on
 * error.  An aggregate-free expression reading columns that are not
 * grouped is noted in sc->uncovered, outermost first, and all of them
 * are reported together, as ksqlDB does. */
static int compile_post(scope *sc, const ast_expr *x, err *e, expr **out)
{
    if (is_aggregate_call(x))
        return (*out = compile_aggregate(sc, x, e)) ? 1 : -1;
    if (contains_aggregate(x))
        return 0;
    if (x->kind == AST_COLUMN && !x->u.col.qualifier.name && sc->agg->window.kind != WINDOW_NONE &&
        (!strcmp(x->u.col.name.name, "WINDOWSTART") || !strcmp(x->u.col.name.name, "WINDOWEND"))) {
        if (!strcmp(sc->post_clause, "HAVING")) {
            err_at(e, ERR_INVALID, x->span.off, x->span.len,
                   "Window bounds column %s can only be used in the SELECT clause of windowed aggregations and "
                   "can not be passed to aggregate functions.",
                   x->u.col.name.name);
            return -1;
        }
        if (sc->right) { /* as in ksqlDB: not over a join (the bounds are in the windowed key) */
            err_at(e, ERR_UNKNOWN_COLUMN, x->span.off, x->span.len, "SELECT column '%s' cannot be resolved.",
                   x->u.col.name.name);
            err_hint(e, "a windowed aggregation over a join has its window bounds in its windowed key only");
            return -1;
        }
        *out = agg_slot(sc, sc->agg->ngroup + (strcmp(x->u.col.name.name, "WINDOWSTART") ? 1 : 0),
                        types_scalar(TYPE_BIGINT));
        return 1;
    }
    expr *in = compile_over_input(sc, x);
    if (!in && x->kind == AST_COLUMN) /* say what is wrong with the name */
        return compile_parts(sc, x, e) ? 0 : -1;
    if (in) {
        for (int i = 0; i < sc->agg->ngroup; i++)
            if (expr_equal(in, sc->agg->group[i])) {
                *out = agg_slot(sc, i, sc->agg->group[i]->type);
                return 1;
            }
        if (!reads_row(in)) {
            *out = in;
            return 1;
        }
    }
    if (x->kind != AST_COLUMN && !strcmp(sc->post_clause, "HAVING"))
        return 0; /* HAVING names the columns themselves, as ksqlDB does */
    if (x->kind != AST_COLUMN) {
        /* covered when all its parts are: try them, and forget what they
         * note if they are not (the message names x itself) */
        int before = sc->nuncovered;
        size_t len = sc->uncovered.len;
        err trial;
        err_clear(&trial);
        expr *parts = compile_parts(sc, x, &trial);
        if (parts && sc->nuncovered == before) {
            *out = parts;
            return 1;
        }
        sc->nuncovered = before;
        sc->uncovered.len = len;
        if (sc->uncovered.data)
            sc->uncovered.data[len] = '\0';
    }
    note_uncovered(sc, x);
    *out = node(sc, EX_CONST, in ? in->type : types_scalar(TYPE_NULL), 0); /* reported later */
    (*out)->constant = value_null();
    return 1;
}

static expr *compile(scope *sc, const ast_expr *x, err *e)
{
    if (sc->post) {
        expr *r = NULL;
        int rc = compile_post(sc, x, e, &r);
        if (rc)
            return rc > 0 ? r : NULL;
    }
    return compile_parts(sc, x, e);
}

static expr *compile_parts(scope *sc, const ast_expr *x, err *e)
{
    if (++sc->depth > ANALYZE_MAX_DEPTH) {
        sc->depth--;
        return fail(e, x->span, ERR_TOO_DEEP, "expression nested too deeply");
    }
    expr *c;
    switch (x->kind) {
    case AST_NULL:
    case AST_BOOL:
    case AST_INT:
    case AST_DECIMAL:
    case AST_DOUBLE:
    case AST_STRING: c = compile_literal(sc, x, e); break;
    case AST_COLUMN: c = compile_column(sc, x, e); break;
    case AST_UNARY: c = compile_unary(sc, x, e); break;
    case AST_BINARY: c = compile_binary(sc, x, e); break;
    case AST_IS_NULL:
    case AST_IS_DISTINCT: c = compile_test(sc, x, e); break;
    case AST_BETWEEN: c = compile_between(sc, x, e); break;
    case AST_IN: c = compile_in(sc, x, e); break;
    case AST_LIKE: c = compile_like(sc, x, e); break;
    case AST_CASE: c = compile_case(sc, x, e); break;
    case AST_CAST: c = compile_cast(sc, x, e); break;
    case AST_CALL: c = compile_call(sc, x, e); break;
    case AST_DEREF: c = compile_deref(sc, x, e); break;
    case AST_SUBSCRIPT: c = compile_subscript(sc, x, e); break;
    case AST_ARRAY: c = compile_array(sc, x, e); break;
    case AST_MAP: c = compile_map(sc, x, e); break;
    case AST_STRUCT: c = compile_struct(sc, x, e); break;
    case AST_LAMBDA: c = fail(e, x->span, ERR_INVALID, "a lambda is only allowed as a function argument"); break;
    case AST_STAR: c = fail(e, x->span, ERR_INVALID, "* is only allowed as a select item or in COUNT(*)"); break;
    default: c = fail(e, x->span, ERR_UNSUPPORTED, "this kind of expression is not supported yet"); break;
    }
    sc->depth--;
    return c;
}

/* ---- types ------------------------------------------------------------ */

static const char *const builtin_types[] = {"BOOLEAN", "INT",   "INTEGER", "BIGINT", "DOUBLE",
                                            "DECIMAL", "STRING", "VARCHAR", "BYTES", "DATE",
                                            "TIME", "TIMESTAMP", "ARRAY", "MAP", "STRUCT"};

bool analyze_builtin_type_name(const char *name)
{
    for (size_t i = 0; i < sizeof builtin_types / sizeof *builtin_types; i++)
        if (!strcasecmp(name, builtin_types[i]))
            return true;
    return false;
}

int analyze_check_type(const catalog *c, const ast_type *t, err *e)
{
    const char *const *names = builtin_types;
    if (!t)
        return 0;
    if (t->kind == TYPE_NULL && t->custom.name) {
        if (c && catalog_type_find(c, t->custom.name))
            return 0;
        err_at(e, ERR_TYPE, t->custom.span.off, t->custom.span.len, "unknown type '%s'", t->custom.name);
        const char *best = NULL;
        int best_d = 3, nbuiltin = (int)(sizeof builtin_types / sizeof *builtin_types);
        for (int i = 0; i < nbuiltin + (c ? c->ntypes : 0); i++) {
            const char *name = i < nbuiltin ? names[i] : c->types[i - nbuiltin]->name;
            int d = schema_edit_distance(t->custom.name, name);
            if (d < best_d)
                best_d = d, best = name;
        }
        if (best)
            err_hint(e, "did you mean %s?", best);
        else
            err_hint(e, "CREATE TYPE names a type; SHOW TYPES lists them");
        return -1;
    }
    if (analyze_check_type(c, t->elem, e) || analyze_check_type(c, t->key, e) ||
        analyze_check_type(c, t->value, e))
        return -1;
    for (int i = 0; i < t->nfields; i++)
        if (analyze_check_type(c, t->fields[i].type, e))
            return -1;
    return 0;
}

const sqltype *analyze_type(arena *a, const catalog *c, const ast_type *t)
{
    switch (t->kind) {
    case TYPE_DECIMAL: return types_decimal(a, t->precision, t->scale);
    case TYPE_ARRAY: return types_array(a, analyze_type(a, c, t->elem));
    case TYPE_MAP: return types_map(a, analyze_type(a, c, t->key), analyze_type(a, c, t->value));
    case TYPE_STRUCT: {
        sqltype *s = arena_alloc(a, sizeof *s);
        s->kind = TYPE_STRUCT;
        sqlfield *f = arena_alloc(a, sizeof *f * (size_t)(t->nfields ? t->nfields : 1));
        for (int i = 0; i < t->nfields; i++) {
            f[i].name = arena_strdup(a, t->fields[i].name.name);
            f[i].type = analyze_type(a, c, t->fields[i].type);
        }
        s->fields = f;
        s->nfields = t->nfields;
        return s;
    }
    case TYPE_NULL:
        if (t->custom.name) /* a custom type: the user's copy of it */
            return types_copy(a, catalog_type_find(c, t->custom.name));
        return types_scalar(t->kind);
    default: return types_scalar(t->kind);
    }
}

/* ---- queries ---------------------------------------------------------- */

/* ksqlDB refuses these clauses outright in the cases below; everything
 * else not built yet is refused as "not supported yet". */
static int check_clauses(const ast_query *q, err *e)
{
    if (q->window.kind != AST_WINDOW_NONE && q->ngroup_by == 0)
        return err_at(e, ERR_INVALID, q->window.span.off, q->window.span.len,
                      "WINDOW clause requires a GROUP BY clause.");
    if (q->having && q->ngroup_by == 0)
        return err_at(e, ERR_INVALID, q->having->span.off, q->having->span.len,
                      "HAVING clause requires a GROUP BY clause.");
    if (q->emit == AST_EMIT_FINAL && q->window.kind == AST_WINDOW_NONE)
        return err_at(e, ERR_INVALID, q->span.off, q->span.len, "EMIT FINAL is only supported for windowed aggregations.");
    return 0;
}

static void copy_io(arena *a, plan_io *dst, const source *s)
{
    dst->name = arena_strdup(a, s->name);
    dst->topic = arena_strdup(a, s->topic);
    dst->key_format = s->key_format;
    dst->value_format = s->value_format;
    schema_copy(a, &dst->schema, &s->schema);
    dst->names = serde_names_new(&dst->schema, a);
    for (int i = 0; i < s->schema.n; i++)
        dst->has_headers |= s->schema.cols[i].header;
    dst->partitions = s->partitions;
    dst->is_table = s->kind == SOURCE_TABLE;
    dst->window_kind = s->window_kind;
    dst->window_size = s->window_size;
    dst->ts_column = s->ts_column;
    dst->ts_format = s->ts_format ? arena_strdup(a, s->ts_format) : NULL;
}

/* Whether a source of the query (any side of a join) has column name. */
static bool source_column(scope *sc, const char *name)
{
    if (!sc->right)
        return schema_find(sc->cols, name) >= 0;
    scope_right sides[PLAN_MAX_JOINS + 1];
    int n = join_sides(sc, sides);
    for (int i = 0; i < n; i++)
        if (schema_find(sides[i].cols, name) >= 0)
            return true;
    return false;
}

/* The next KSQL_COL_<n>: n counts generated names, skipping the names
 * the sources' own columns have, as ksqlDB does. */
static const char *generated_name(scope *sc, int *generated)
{
    for (;;) {
        const char *name = arena_printf(&sc->p->arena, "KSQL_COL_%d", (*generated)++);
        if (!source_column(sc, name))
            return name;
    }
}

/* Output name of an unaliased item: a column keeps its name, anything
 * else gets KSQL_COL_<n> (generated_name), as in ksqlDB. */
static const char *item_name(scope *sc, const ast_select_item *it, int *generated)
{
    if (it->alias.name)
        return arena_strdup(&sc->p->arena, it->alias.name);
    const char *q = it->expr->kind == AST_COLUMN ? it->expr->u.col.qualifier.name : NULL;
    if (q && sc->right) { /* a column several sources have: <ALIAS>_<COLUMN> */
        const char *name = it->expr->u.col.name.name;
        scope_right sides[PLAN_MAX_JOINS + 1];
        int n = join_sides(sc, sides), have = 0;
        const scope_right *named = NULL;
        for (int i = 0; i < n; i++) {
            have += schema_find(sides[i].cols, name) >= 0;
            if (!named && names_side(q, sides[i].source, sides[i].alias))
                named = &sides[i];
        }
        for (int k = 0; k < 3; k++) /* every source has the pseudo columns */
            have += 2 * !strcmp(name, pseudo_columns[k].name);
        if (have > 1 && named)
            return arena_printf(&sc->p->arena, "%s_%s", side_name(named), name);
    }
    if (it->expr->kind == AST_COLUMN)
        return arena_strdup(&sc->p->arena, it->expr->u.col.name.name);
    if (it->expr->kind == AST_DEREF)
        return arena_strdup(&sc->p->arena, it->expr->u.deref.field.name);
    return generated_name(sc, generated);
}

typedef struct out_list {
    column *cols;
    expr **exprs;
    int n, cap;
} out_list;

static int out_add(scope *sc, out_list *o, const char *name, expr *x, bool key, ast_span span, err *e)
{
    for (int i = 0; i < o->n; i++)
        if (strcmp(o->cols[i].name, name) == 0)
            return err_at(e, ERR_INVALID, span.off, span.len, "duplicate column name '%s' in the result", name),
                   err_hint(e, "give one of them another name with AS"), -1;
    if (o->n == o->cap) {
        int cap = o->cap ? o->cap * 2 : 16;
        column *cols = arena_alloc(&sc->p->arena, sizeof(column) * (size_t)cap);
        expr **exprs = arena_alloc(&sc->p->arena, sizeof(expr *) * (size_t)cap);
        if (o->n) {
            memcpy(cols, o->cols, sizeof(column) * (size_t)o->n);
            memcpy(exprs, o->exprs, sizeof(expr *) * (size_t)o->n);
        }
        o->cols = cols, o->exprs = exprs, o->cap = cap;
    }
    const sqltype *t = x->type->kind == TYPE_NULL ? types_scalar(TYPE_STRING) : x->type;
    o->cols[o->n] = (column){.name = name, .type = t, .key = key};
    o->exprs[o->n++] = x;
    return 0;
}

static bool name_taken(const out_list *o, const char *name)
{
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->cols[i].name, name))
            return true;
    return false;
}

/* The joined row's key (the join-key slot). */
static expr *join_key_ref(scope *sc)
{
    const plan_join *pj = sc->p->join;
    expr *c = node(sc, EX_COLUMN, pj->key_type, 0);
    c->column = pj->key_slot;
    return c;
}

/* Whether output column x (named `name`) is a key column of the result:
 * with PARTITION BY, when it computes a partition expression (each may
 * be selected once); otherwise when it is a source key column as is. */
static int key_of(scope *sc, expr **xp, const char *name, ast_span span, bool *key, err *e)
{
    const expr *x = *xp;
    if (sc->agg) { /* a grouped expression selected as is is a key */
        *key = false;
        if (x->kind != EX_COLUMN || x->column >= sc->agg->ngroup)
            return 0;
        if (sc->ptaken[x->column])
            return err_at(e, ERR_INVALID, span.off, span.len,
                          "The projection contains a key column (`%s`) more than once, aliased as: %s and %s.",
                          sc->ptaken[x->column], sc->ptaken[x->column], name);
        sc->ptaken[x->column] = name;
        *key = true;
        return 0;
    }
    if (!sc->partitioned) {
        *key = x->kind == EX_COLUMN && x->column < sc->cols->n && sc->cols->cols[x->column].key;
        return 0;
    }
    *key = false;
    for (int i = 0; i < sc->npexprs; i++) {
        const plan_join *pj = sc->join_keyed ? sc->p->join : NULL;
        /* the other side's join column or expression names the key too */
        bool full = pj && ((pj->left_outer && pj->right_outer) || pj->foreign_key);
        bool chain = pj && sc->p->nmore; /* keyed by the last join's key */
        bool right_key = pj && i == 0 && !full && pj->right_key >= 0 && !pj->right_key_expr &&
                         x->kind == EX_COLUMN && x->column == pj->right_base + pj->right_key &&
                         (!chain || expr_equal(pj->left_key, sc->pexprs[0]));
        right_key |= pj && i == 0 && !full && pj->right_key_expr && expr_equal(pj->right_key_expr, x) &&
                     (!chain || expr_equal(pj->left_key, sc->pexprs[0]));
        for (int m = 0; chain && i == 0 && m < sc->p->nmore; m++) { /* a table joined on the key */
            const plan_join *mj = &sc->p->more[m];
            right_key |= x->kind == EX_COLUMN && x->column == mj->right_base + mj->right_key &&
                         expr_equal(mj->left_key, sc->pexprs[0]);
        }
        if (!right_key && !expr_equal(sc->pexprs[i], x))
            continue;
        if (sc->ptaken[i])
            return err_at(e, ERR_INVALID, span.off, span.len,
                          "The projection contains a key column (`%s`) more than once, aliased as: %s and %s.",
                          sc->ptaken[i], sc->ptaken[i], name);
        sc->ptaken[i] = name;
        *key = true;
        /* a join's key may come from either side: read the joined key when
         * the side named can be missing from a result row */
        if (chain && right_key) /* the value every table was looked up with */
            *xp = sc->pexprs[0];
        else if (pj && !chain && (right_key || pj->right_outer || pj->stream_stream))
            *xp = join_key_ref(sc);
    }
    return 0;
}

/* SELECT * in a JOIN: every column of every source, named
 * <ALIAS>_<COLUMN> as ksqlDB names them (the alias defaults to the source
 * name); S.* only those of S. */
static int add_join_star(scope *sc, out_list *o, const ast_select_item *it, err *e)
{
    const char *q = it->expr->u.col.qualifier.name;
    scope_right sides[PLAN_MAX_JOINS + 1];
    int n = join_sides(sc, sides), named = 0;
    for (int i = 0; i < n; i++)
        named += !q || names_side(q, sides[i].source, sides[i].alias);
    if (!named)
        return err_at(e, ERR_UNKNOWN_SOURCE, it->span.off, it->span.len,
                      "'%s' is not a valid stream/table name or alias.", q);
    for (int side = 0; side < n; side++) {
        const scope_right *sd = &sides[side];
        if (q && !names_side(q, sd->source, sd->alias))
            continue;
        for (int c = 0; c < sd->cols->n; c++) {
            expr *x = column_ref(sc, sd->cols, sd->base, c);
            const char *name = arena_printf(&sc->p->arena, "%s_%s", side_name(sd), sd->cols->cols[c].name);
            /* SELECT * names several sources' join columns: the first is the key */
            bool key = false, taken = sc->npexprs && sc->ptaken[0];
            if ((!taken && key_of(sc, &x, name, it->span, &key, e)) || out_add(sc, o, name, x, key, it->span, e))
                return -1;
        }
    }
    return 0;
}

static int add_star(scope *sc, out_list *o, const ast_select_item *it, err *e)
{
    if (sc->right)
        return add_join_star(sc, o, it, e);
    const char *q = it->expr->u.col.qualifier.name;
    if (q && strcmp(q, sc->source) != 0 && !(sc->alias && strcmp(q, sc->alias) == 0))
        return err_at(e, ERR_UNKNOWN_SOURCE, it->span.off, it->span.len, "'%s' is not a source in this query", q);
    /* PARTITION BY re-keys before the projection, as ksqlDB plans it: the
     * source's value columns come first and its old key columns after
     * them (two passes); without it the source's order holds. */
    bool rekeyed = sc->partitioned && !sc->p->in.window_kind;
    for (int i = 0; i < (rekeyed ? 2 : 1) * sc->cols->n; i++) {
        int c = i % sc->cols->n;
        if (rekeyed && sc->cols->cols[c].key != (i >= sc->cols->n))
            continue;
        expr *x = node(sc, EX_COLUMN, sc->cols->cols[c].type, 0);
        x->column = c;
        sc->p->needed[c] = true;
        if (sc->cols->cols[c].key)
            sc->p->needs_key = true;
        bool key;
        if (key_of(sc, &x, sc->cols->cols[c].name, it->span, &key, e) ||
            out_add(sc, o, sc->cols->cols[c].name, x, key, it->span, e))
            return -1;
        /* a windowed source's window bounds follow its key, as ksqlDB lists
         * them; a persistent query keeps them in its windowed keys instead */
        bool last_key = sc->cols->cols[c].key && (c + 1 == sc->cols->n || !sc->cols->cols[c + 1].key);
        for (int w = 0; last_key && sc->p->in.window_kind && !sc->sink && w < 2; w++) {
            expr *b = node(sc, EX_COLUMN, types_scalar(TYPE_BIGINT), 0);
            b->column = sc->cols->n + 3 + w;
            if (out_add(sc, o, w ? "WINDOWEND" : "WINDOWSTART", b, false, it->span, e))
                return -1;
        }
    }
    return 0;
}

/* PARTITION BY e1, e2, ...: compiles the new key expressions.  Select
 * aliases are not visible here, as in ksqlDB.  PARTITION BY NULL means
 * no key at all. */
static int compile_partition_by(scope *sc, const ast_query *q, err *e)
{
    if (!q->npartition_by)
        return 0;
    sc->partitioned = true;
    if (q->npartition_by == 1 && q->partition_by[0]->kind == AST_NULL)
        return 0;
    sc->pexprs = arena_alloc(&sc->p->arena, sizeof(expr *) * (size_t)q->npartition_by);
    sc->ptaken = arena_alloc(&sc->p->arena, sizeof(char *) * (size_t)q->npartition_by);
    sc->npexprs = 0; /* over a join: instead of its key */
    for (int i = 0; i < q->npartition_by; i++) {
        const ast_expr *px = q->partition_by[i];
        expr *x = compile(sc, px, e);
        if (!x) {
            if (e->code == ERR_UNKNOWN_COLUMN && px->kind == AST_COLUMN) {
                err_at(e, ERR_UNKNOWN_COLUMN, px->span.off, px->span.len,
                       "PARTITION BY column '%s' cannot be resolved.", px->u.col.name.name);
            }
            return -1;
        }
        sc->pexprs[sc->npexprs++] = x;
    }
    return 0;
}

/* The text ksqlDB shows for a partition expression: SOURCE.COL for a
 * column, the expression as written otherwise. */
static const char *partition_text(scope *sc, const ast_query *q, int i)
{
    if (sc->join_keyed && synthetic_join_key(sc->p->join))
        return "ROWKEY";
    const ast_expr *px = sc->join_keyed ? sc->join_left_ast : q->partition_by[i];
    if (px->kind == AST_COLUMN)
        return arena_printf(&sc->p->arena, "%s.%s", px->u.col.qualifier.name ? px->u.col.qualifier.name : sc->source,
                            px->u.col.name.name);
    buf b = BUF_INIT;
    ast_print_expr(px, &b);
    char *t = arena_strdup(&sc->p->arena, b.data ? b.data : "");
    buf_free(&b);
    return t;
}

/* After the select items: with SELECT *, partition expressions nobody
 * selected become key columns by themselves; otherwise each must be
 * selected. */
static int add_partition_keys(scope *sc, out_list *o, const ast_query *q, int *generated, err *e)
{
    bool star = false, bare_star = false;
    for (int i = 0; i < q->nitems; i++) {
        star |= q->items[i].expr->kind == AST_STAR;
        bare_star |= q->items[i].expr->kind == AST_STAR && !q->items[i].expr->u.col.qualifier.name;
    }
    buf missing = BUF_INIT, example = BUF_INIT;
    int nmissing = 0;
    for (int i = 0; i < sc->npexprs; i++) {
        if (sc->ptaken[i])
            continue;
        /* a synthetic join key comes with SELECT *, not with S.* */
        if (star && !(sc->join_keyed && sc->p->join->synthetic_key && sc->sink && !bare_star)) {
            const ast_expr *px = sc->join_keyed ? sc->join_left_ast : q->partition_by[i];
            bool synthetic = sc->join_keyed && synthetic_join_key(sc->p->join);
            const char *name = synthetic               ? "ROWKEY"
                               : px->kind == AST_COLUMN ? px->u.col.name.name
                               : px->kind == AST_DEREF ? px->u.deref.field.name
                                                       : generated_name(sc, generated);
            if (out_add(sc, o, arena_strdup(&sc->p->arena, name), sc->pexprs[i], true, px->span, e))
                return -1;
            continue;
        }
        const char *text = partition_text(sc, q, i);
        buf_printf(&missing, "%s%s", nmissing ? " and " : "", text);
        buf_printf(&example, "%s%s", nmissing++ ? ", " : "", text);
    }
    if (nmissing && !sc->sink) /* a push query may leave its key out */
        nmissing = 0;
    if (nmissing) {
        ast_span at = sc->join_keyed ? sc->join_left_ast->span : q->partition_by[0]->span;
        err_at(e, ERR_INVALID, at.off, at.len,
               "The query used to build `%s` must include the %s expression%s %s in its projection "
               "(eg, SELECT %s...).",
               sc->sink ? sc->sink : "the result", sc->join_keyed ? "join" : "partitioning", nmissing > 1 ? "s" : "",
               missing.data, example.data);
    }
    buf_free(&missing);
    buf_free(&example);
    return nmissing ? -1 : 0;
}

/* x->*: every field of struct x as its own column, named as the field
 * (ksqlDB's struct-all select item). */
static int add_struct_star(scope *sc, out_list *o, const ast_select_item *it, err *e)
{
    const ast_expr *base_ast = it->expr->u.deref.base;
    expr *base = compile(sc, base_ast, e);
    if (!base)
        return -1;
    if (base->type->kind != TYPE_STRUCT)
        return err_at(e, ERR_TYPE, it->span.off, it->span.len, "->* needs a STRUCT on its left, not %s",
                      type_text(sc, base->type));
    for (int i = 0; i < base->type->nfields; i++) {
        if (i && !(base = compile(sc, base_ast, e))) /* each column its own tree */
            return -1;
        expr *x = node(sc, EX_FIELD, base->type->fields[i].type, 1);
        x->args[0] = base;
        x->column = i;
        const char *name = arena_strdup(&sc->p->arena, base->type->fields[i].name);
        bool key;
        if (key_of(sc, &x, name, it->span, &key, e) || out_add(sc, o, name, x, key, it->span, e))
            return -1;
    }
    return 0;
}

/* A grouped result's key columns follow the GROUP BY's order, as in
 * ksqlDB, wherever the projection lists them: the key slots of o are
 * sorted by group index (a grouped key is that group's column). */
static void order_group_keys(out_list *o)
{
    for (int i = 0; i < o->n; i++) {
        if (!o->cols[i].key)
            continue;
        int best = i;
        for (int j = i + 1; j < o->n; j++)
            if (o->cols[j].key && o->exprs[j]->column < o->exprs[best]->column)
                best = j;
        column c = o->cols[i];
        expr *x = o->exprs[i];
        o->cols[i] = o->cols[best], o->exprs[i] = o->exprs[best];
        o->cols[best] = c, o->exprs[best] = x;
    }
}

static int compile_items(scope *sc, const ast_query *q, err *e)
{
    out_list o = {0};
    int generated = 0;
    sc->tablefn_ok = sc->p->flatmap != NULL;
    for (int i = 0; i < q->nitems; i++) {
        const ast_select_item *it = &q->items[i];
        if (it->expr->kind == AST_STAR) {
            if (sc->agg)
                return err_at(e, ERR_UNSUPPORTED, it->span.off, it->span.len,
                              "SELECT * with GROUP BY is not supported yet; name the columns");
            if (add_star(sc, &o, it, e))
                return -1;
            continue;
        }
        if (it->expr->kind == AST_STRUCT_STAR) {
            if (add_struct_star(sc, &o, it, e))
                return -1;
            continue;
        }
        expr *x = compile(sc, it->expr, e);
        if (!x)
            return -1;
        const char *name = item_name(sc, it, &generated);
        /* a field name taken from a struct gets _1, _2, ... when it clashes
         * with a column before it or any column of the sources (ksqlDB) */
        for (int n = 1; !it->alias.name && it->expr->kind == AST_DEREF && (name_taken(&o, name) || source_column(sc, name));
             n++)
            name = arena_printf(&sc->p->arena, "%s_%d", item_name(sc, it, &generated), n);
        bool key;
        if (key_of(sc, &x, name, it->span, &key, e) || out_add(sc, &o, name, x, key, it->span, e))
            return -1;
    }
    if (sc->partitioned && add_partition_keys(sc, &o, q, &generated, e))
        return -1;
    if (sc->agg)
        order_group_keys(&o);
    sc->p->out.schema.cols = o.cols;
    sc->p->out.schema.n = o.n;
    sc->p->project = o.exprs;
    return 0;
}

static bool is_aggregation(const ast_query *q)
{
    if (q->ngroup_by || q->having)
        return true;
    for (int i = 0; i < q->nitems; i++)
        if (contains_aggregate(q->items[i].expr))
            return true;
    return false;
}

/* The text ksqlDB shows for a GROUP BY expression: SOURCE.COL for a
 * column, the expression otherwise. */
static const char *group_text(scope *sc, const ast_expr *x)
{
    if (x->kind == AST_COLUMN)
        return arena_printf(&sc->p->arena, "%s.%s", sc->source, x->u.col.name.name);
    buf b = BUF_INIT;
    ast_print_expr(x, &b);
    char *t = arena_strdup(&sc->p->arena, b.data ? b.data : "");
    buf_free(&b);
    return t;
}

static int compile_group_by(scope *sc, const ast_query *q, plan_agg *g, err *e)
{
    g->group = arena_alloc(&sc->p->arena, sizeof(expr *) * (size_t)(q->ngroup_by + 1));
    for (int i = 0; i < q->ngroup_by; i++) {
        const ast_expr *gx = q->group_by[i];
        if (contains_aggregate(gx)) {
            const ast_expr *call = gx;
            return err_at(e, ERR_INVALID, gx->span.off, gx->span.len,
                          "GROUP BY does not support aggregate functions: %s is an aggregate function.",
                          call->kind == AST_CALL ? call->u.call.name.name : "this");
        }
        expr *x = compile(sc, gx, e);
        if (!x)
            return -1;
        for (int j = 0; j < g->ngroup; j++)
            if (expr_equal(g->group[j], x))
                return err_at(e, ERR_INVALID, gx->span.off, gx->span.len, "Duplicate GROUP BY expression: %s",
                              group_text(sc, gx));
        g->group[g->ngroup++] = x;
    }
    return 0;
}

#define DAY_MS (24LL * 60 * 60 * 1000)

static int compile_window(scope *sc, const ast_query *q, plan_agg *g, err *e)
{
    const ast_window *w = &q->window;
    plan_window *pw = &g->window;
    if (w->kind == AST_WINDOW_NONE)
        return 0;
    pw->kind = w->kind == AST_WINDOW_TUMBLING ? WINDOW_TUMBLING : w->kind == AST_WINDOW_HOPPING ? WINDOW_HOPPING : WINDOW_SESSION;
    pw->size = w->size.ms;
    pw->advance = w->kind == AST_WINDOW_HOPPING ? w->advance.ms : w->size.ms;
    pw->grace = w->grace.present ? w->grace.ms : DAY_MS;
    pw->retention = pw->size + pw->grace;
    if (w->retention.present && w->retention.ms > pw->retention)
        pw->retention = w->retention.ms;
    pw->emit_final = q->emit == AST_EMIT_FINAL;
    if (pw->size <= 0)
        return err_at(e, ERR_INVALID, w->span.off, w->span.len, "the window size must be positive");
    if (pw->kind == WINDOW_SESSION && sc->p->in.is_table)
        return err_at(e, ERR_UNSUPPORTED, w->span.off, w->span.len,
                      "SESSION windows over a table are not supported");
    if (pw->kind == WINDOW_HOPPING && (pw->advance <= 0 || pw->advance > pw->size))
        return err_at(e, ERR_INVALID, w->span.off, w->span.len,
                      "ADVANCE BY must be positive and not larger than the window SIZE");
    if (w->retention.present && w->retention.ms < pw->size + (w->grace.present ? w->grace.ms : 0))
        return err_at(e, ERR_INVALID, w->retention.span.off, w->retention.span.len,
                      "The retention period must be at least the window size plus the grace period");
    return 0;
}

/* SELECT ... GROUP BY ... [HAVING ...]: the aggregation stage and the
 * projection over its row. */
static int compile_aggregation(scope *sc, const ast_query *q, err *e)
{
    plan *p = sc->p;
    plan_agg *g = arena_alloc(&p->arena, sizeof *g);
    if (q->ngroup_by == 0) {
        const ast_expr *first = NULL;
        for (int i = 0; i < q->nitems && !first; i++)
            if (contains_aggregate(q->items[i].expr))
                first = q->items[i].expr;
        buf t = BUF_INIT;
        if (first && first->kind == AST_CALL && first->u.call.star)
            buf_printf(&t, "%s(ROWTIME)", first->u.call.name.name); /* ksqlDB counts ROWTIME for * */
        else if (first)
            ast_print_expr(first, &t);
        err_at(e, ERR_INVALID, q->span.off, q->span.len,
               "CREATE TABLE AS SELECT statement does not support aggregate function [%s] without a GROUP BY clause.",
               t.data ? t.data : "");
        buf_free(&t);
        return -1;
    }
    if (compile_group_by(sc, q, g, e) || compile_window(sc, q, g, e))
        return -1;
    sc->agg = g;
    sc->ptaken = arena_alloc(&p->arena, sizeof(char *) * (size_t)g->ngroup);
    sc->post = true;
    sc->post_clause = "SELECT";
    if (compile_items(sc, q, e))
        return -1;
    if (q->having) {
        sc->post_clause = "HAVING";
        if (!(g->having = compile(sc, q->having, e)))
            return -1;
        if (g->having->type->kind != TYPE_BOOLEAN && g->having->type->kind != TYPE_NULL)
            return err_at(e, ERR_TYPE, q->having->span.off, q->having->span.len,
                          "Type error in HAVING expression: Should evaluate to boolean but is %s instead.",
                          type_text(sc, g->having->type));
    }
    sc->post = false;
    if (sc->nuncovered && !strcmp(sc->post_clause, "HAVING"))
        return err_at(e, ERR_INVALID, q->having->span.off, q->having->span.len,
                      "Non-aggregate HAVING expression not part of GROUP BY: %s\nConsider switching the HAVING clause "
                      "to a WHERE clause before the GROUP BY.",
                      sc->uncovered.data);
    if (sc->nuncovered)
        return err_at(e, ERR_INVALID, q->span.off, q->span.len,
                      "Non-aggregate %s expression(s) not part of GROUP BY: %s\nEither add the column(s) to the GROUP "
                      "BY or remove them from the SELECT.",
                      sc->post_clause, sc->uncovered.data);
    if (g->ncalls == 0)
        return err_at(e, ERR_INVALID, q->span.off, q->span.len,
                      "GROUP BY requires aggregate functions in either the SELECT or HAVING clause.");
    for (int i = 0; sc->sink && i < g->ngroup; i++)
        if (!sc->ptaken[i]) {
            const char *t = q->group_by[i]->kind == AST_COLUMN ? q->group_by[i]->u.col.name.name
                                                                : group_text(sc, q->group_by[i]);
            return err_at(e, ERR_INVALID, q->group_by[i]->span.off, q->group_by[i]->span.len,
                          "The query used to build `%s` must include the grouping expression %s in its projection "
                          "(eg, SELECT %s...).",
                          sc->sink, t, t);
        }
    g->nrow = g->ngroup + g->ncalls + 2;
    g->key_types = arena_alloc(&p->arena, sizeof(sqltype *) * (size_t)(g->ngroup + 1));
    for (int i = 0; i < g->ngroup; i++)
        g->key_types[i] = g->group[i]->type;
    /* state row: the latest event time folded in (the result's timestamp,
     * as Kafka Streams stamps aggregates), then each call's state */
    g->nstate = 1;
    for (int i = 0; i < g->ncalls; i++)
        g->nstate += g->calls[i].nstate;
    g->state_types = arena_alloc(&p->arena, sizeof(sqltype *) * (size_t)(g->nstate + 1));
    g->state_types[0] = types_scalar(TYPE_BIGINT);
    for (int i = 0, k = 1; i < g->ncalls; i++)
        for (int j = 0; j < g->calls[i].nstate; j++)
            g->state_types[k++] = g->calls[i].state_types[j];
    p->agg = g;
    return 0;
}

/* The right side's columns after the left's in the row. */
static void join_layout(const source *rs, plan *p, const ast_join *j)
{
    p->join = arena_alloc(&p->arena, sizeof *p->join);
    copy_io(&p->arena, &p->join->right, rs);
    p->join->right_base = p->in.schema.n + PLAN_PSEUDO;
    p->join->left_outer = j->kind == AST_JOIN_LEFT || j->kind == AST_JOIN_FULL;
    p->join->right_outer = j->kind == AST_JOIN_RIGHT || j->kind == AST_JOIN_FULL;
    p->join->right_key = -1;
    for (int i = 0; i < rs->schema.n; i++)
        if (rs->schema.cols[i].key)
            p->join->right_key = i;
    p->join->key_slot = p->join->right_base + rs->schema.n + PLAN_PSEUDO;
    p->join->time_slot = p->join->key_slot + 1;
    p->nrow = p->join->time_slot + 1;
}

/* The right stream of a stream-stream JOIN ... WITHIN: the window, and
 * what is supported (two unwindowed streams). */
static int prepare_stream_join(const ast_query *q, const source *rs, plan *p, err *e)
{
    const ast_join *j = &q->joins[0];
    if (!j->within_before.present)
        return err_at(e, ERR_INVALID, j->span.off, j->span.len,
                      "Stream-Stream joins must have a WITHIN clause specified. None was provided. To learn "
                      "about how to specify a WITHIN clause with a stream-stream join, please visit: "
                      "https://docs.confluent.io/current/ksql/docs/syntax-reference.html#create-stream-as-select");
    if (p->in.window_kind || rs->window_kind)
        return err_at(e, ERR_UNSUPPORTED, j->span.off, j->span.len,
                      "stream-stream joins of windowed streams are not supported yet");
    bool right_headers = false;
    for (int i = 0; i < rs->schema.n; i++)
        right_headers |= rs->schema.cols[i].header;
    if (p->in.has_headers || right_headers) /* the held records keep only keys and values */
        return err_at(e, ERR_UNSUPPORTED, j->span.off, j->span.len,
                      "stream-stream joins of streams with HEADER columns are not supported yet");
    join_layout(rs, p, j);
    p->join->stream_stream = true;
    p->join->before = j->within_before.ms;
    p->join->after = j->within_after.present ? j->within_after.ms : j->within_before.ms;
    /* ksqlDB's default grace for a join without GRACE PERIOD: 24 hours */
    p->join->grace = j->within_grace.present ? j->within_grace.ms : 24LL * 3600 * 1000;
    p->join->hold_unmatched = j->within_grace.present;
    return 0;
}

/* Whether x reads only row slots in [lo, hi). */
static bool reads_within(const expr *x, int lo, int hi)
{
    if (x->kind == EX_COLUMN && (x->column < lo || x->column >= hi))
        return false;
    for (int i = 0; i < x->nargs; i++)
        if (!reads_within(x->args[i], lo, hi))
            return false;
    return true;
}

static bool reads_only_below(const expr *x, int limit) { return reads_within(x, 0, limit); }

static const source *join_source(const catalog *c, const ast_join *j, err *e)
{
    const source *rs = catalog_find(c, j->right.name.name);
    if (!rs) {
        err_at(e, ERR_UNKNOWN_SOURCE, j->right.name.span.off, j->right.name.span.len, "%s does not exist",
               j->right.name.name);
        const char *near = catalog_suggest(c, j->right.name.name);
        if (near)
            err_hint(e, "did you mean %s?", near);
    }
    return rs;
}

/* a JOIN b JOIN c ...: every join after the first is a table looked up
 * for each row of a stream (the first join's result), laid out after
 * what comes before it in the row. */
static int prepare_more_joins(const catalog *c, const ast_query *q, plan *p, err *e)
{
    if (q->njoins > PLAN_MAX_JOINS)
        return err_at(e, ERR_UNSUPPORTED, q->joins[PLAN_MAX_JOINS].span.off, q->joins[PLAN_MAX_JOINS].span.len,
                      "a query may join at most %d sources", PLAN_MAX_JOINS + 1);
    p->more = arena_alloc(&p->arena, sizeof *p->more * (size_t)q->njoins);
    for (int i = 1; i < q->njoins; i++) {
        const ast_join *j = &q->joins[i];
        const source *rs = join_source(c, j, e);
        if (!rs)
            return -1;
        if (p->in.is_table || rs->kind != SOURCE_TABLE)
            return err_at(e, ERR_UNSUPPORTED, j->span.off, j->span.len,
                          "joins of more than two sources are supported when a stream (or two streams joined "
                          "WITHIN) is joined with tables; this joins %s %s",
                          p->in.is_table ? "a table first" : "a stream", rs->kind == SOURCE_TABLE ? "" : "later");
        if (j->kind != AST_JOIN_INNER && j->kind != AST_JOIN_LEFT)
            return err_at(e, ERR_INVALID, j->span.off, j->span.len,
                          "Invalid join type: %s join not supported for stream-table join.",
                          j->kind == AST_JOIN_FULL ? "full-outer" : "right");
        if (j->within_before.present)
            return err_at(e, ERR_INVALID, j->span.off, j->span.len,
                          "A window definition was provided for a Stream-Table join. These joins are not "
                          "windowed.");
        if (schema_key_count(&rs->schema) != 1)
            return err_at(e, ERR_UNSUPPORTED, j->span.off, j->span.len,
                          "joining a table with %d key columns is not supported yet", schema_key_count(&rs->schema));
        plan_join *m = &p->more[p->nmore++];
        memset(m, 0, sizeof *m);
        copy_io(&p->arena, &m->right, rs);
        m->right_base = p->nrow;
        m->left_outer = j->kind == AST_JOIN_LEFT;
        m->key_slot = -1;
        for (int k = 0; k < rs->schema.n; k++)
            if (rs->schema.cols[k].key)
                m->right_key = k;
        p->nrow += rs->schema.n + PLAN_PSEUDO;
    }
    return 0;
}

/* ON a = b of a join: both sides compiled (an equality is all ksqlDB
 * joins on). */
static int compile_on_sides(scope *sc, const ast_join *j, expr **l, expr **r, err *e)
{
    const ast_expr *on = j->on;
    if (!on || on->kind != AST_BINARY || on->u.binary.op != AST_OP_EQ)
        return err_at(e, ERR_INVALID, on ? on->span.off : j->span.off, on ? on->span.len : j->span.len,
                      "Unsupported join expression: a stream-table join needs ON <stream expression> = "
                      "<table primary key>");
    *l = compile(sc, on->u.binary.left, e);
    *r = *l ? compile(sc, on->u.binary.right, e) : NULL;
    return *r ? 0 : -1;
}

/* ON of a join after the first: <expression over what comes before> =
 * <the table's primary key> (either order). */
static int compile_more_condition(scope *sc, const ast_join *j, plan_join *m, const ast_expr **left_ast, err *e)
{
    const ast_expr *on = j->on;
    expr *l, *r;
    if (compile_on_sides(sc, j, &l, &r, e))
        return -1;
    int key = m->right_base + m->right_key;
    *left_ast = on->u.binary.left;
    if (l->kind == EX_COLUMN && l->column == key) {
        expr *t = l;
        l = r;
        r = t;
        *left_ast = on->u.binary.right;
    }
    if (r->kind != EX_COLUMN || r->column != key || !reads_only_below(l, m->right_base))
        return err_at(e, ERR_INVALID, on->span.off, on->span.len,
                      "Invalid join condition: stream-table joins require to join on the table's primary key "
                      "with an expression over the sources before it"),
               err_hint(e, "join on %s.%s", j->right.alias.name ? j->right.alias.name : m->right.name,
                        m->right.schema.cols[m->right_key].name),
               -1;
    const sqltype *kt = m->right.schema.cols[m->right_key].type;
    if (!types_equal(l->type, kt)) {
        if (!(types_is_numeric(l->type) && types_is_numeric(kt)))
            return err_at(e, ERR_TYPE, on->span.off, on->span.len,
                          "Invalid join condition: types don't match. Got %s = %s.", type_text(sc, l->type),
                          type_text(sc, kt));
        l = coerce(sc, l, kt);
    }
    m->left_key = l;
    m->key_type = kt;
    return 0;
}

/* The table of a stream-table JOIN: checks what is supported and lays
 * its columns out after the stream's in the row. */
static int prepare_join(const catalog *c, const ast_query *q, plan *p, err *e)
{
    const ast_join *j = &q->joins[0];
    const source *rs = join_source(c, j, e);
    if (!rs)
        return -1;
    bool lk = p->in.value_format.kind == FORMAT_KAFKA, rk = rs->value_format.kind == FORMAT_KAFKA;
    if (lk || rk)
        return err_at(e, ERR_UNSUPPORTED, j->span.off, j->span.len,
                      "Source(s) %s%s%s are using the 'KAFKA' value format. This format does not yet support JOIN.",
                      lk ? p->in.name : "", lk && rk ? ", " : "", rk ? rs->name : "");
    bool stream_stream = rs->kind != SOURCE_TABLE;
    if (stream_stream && p->in.is_table)
        return err_at(e, ERR_UNSUPPORTED, j->span.off, j->span.len,
                      "joins with a table on the left and a stream on the right are not supported yet");
    if (stream_stream)
        return prepare_stream_join(q, rs, p, e);
    bool table_table = p->in.is_table;
    if (!table_table && j->kind != AST_JOIN_INNER && j->kind != AST_JOIN_LEFT)
        return err_at(e, ERR_INVALID, j->span.off, j->span.len,
                      "Invalid join type: %s join not supported for stream-table join. Got STREAM [%s] %s JOIN "
                      "TABLE [%s].",
                      j->kind == AST_JOIN_FULL ? "full-outer" : "right", p->in.name,
                      j->kind == AST_JOIN_FULL ? "FULL OUTER" : "RIGHT", rs->name);
    if (j->within_before.present)
        return err_at(e, ERR_INVALID, j->span.off, j->span.len,
                      "A window definition was provided for a Stream-Table join. These joins are not windowed. "
                      "Please drop the window definition (ie. the WITHIN clause) and try to execute your "
                      "Stream-Table join again.");
    if (schema_key_count(&rs->schema) != 1)
        return err_at(e, ERR_UNSUPPORTED, j->span.off, j->span.len,
                      "joining a table with %d key columns is not supported yet", schema_key_count(&rs->schema));
    join_layout(rs, p, j);
    p->join->table_table = table_table;
    return 0;
}


static int numeric_rank(const sqltype *t)
{
    switch (t->kind) {
    case TYPE_INT: return 1;
    case TYPE_BIGINT: return 2;
    case TYPE_DECIMAL: return 3;
    case TYPE_DOUBLE: return 4;
    default: return 0;
    }
}

/* ON a = b of a stream-stream join: a over the left stream, b over the
 * right (either order); both become the join key, of one type (the wider
 * of two numeric types).  Every record is keyed by its side's expression,
 * so a join on value columns needs no key columns at all. */
static int compile_stream_join_condition(scope *sc, const ast_expr *on, expr *l, expr *r, err *e)
{
    plan_join *pj = sc->p->join;
    const ast_expr *left_ast = on->u.binary.left;
    int mid = pj->right_base, hi = pj->key_slot;
    if (!(reads_within(l, 0, mid) && reads_within(r, mid, hi)) && reads_within(r, 0, mid) &&
        reads_within(l, mid, hi)) {
        expr *t = l;
        l = r;
        r = t;
        left_ast = on->u.binary.right;
    }
    if (!reads_within(l, 0, mid) || !reads_within(r, mid, hi))
        return err_at(e, ERR_INVALID, on->span.off, on->span.len,
                      "Invalid join condition: each side of the comparison must read one of the joined streams, "
                      "one side the left and the other the right.");
    if (!types_equal(l->type, r->type)) {
        int lr = numeric_rank(l->type), rr = numeric_rank(r->type);
        if (!lr || !rr || (lr == rr))
            return err_at(e, ERR_TYPE, on->span.off, on->span.len,
                          "Invalid join condition: types don't match. Got %s = %s.", type_text(sc, l->type),
                          type_text(sc, r->type));
        if (lr < rr)
            l = coerce(sc, l, r->type);
        else
            r = coerce(sc, r, l->type);
    }
    /* the key is named after a side's column; ROWKEY when neither is one */
    bool lcol = l->kind == EX_COLUMN, rcol = r->kind == EX_COLUMN;
    pj->synthetic_key = !lcol && !rcol;
    sc->join_left_ast = !lcol && rcol ? (left_ast == on->u.binary.left ? on->u.binary.right : on->u.binary.left)
                                      : left_ast;
    pj->left_key = l;
    pj->right_key_expr = r;
    pj->key_type = l->type;
    return 0;
}

static bool synthetic_join_key(const plan_join *pj)
{
    return pj->synthetic_key || (pj->left_outer && pj->right_outer);
}

/* The join key is the result's key: the left side's join expression
 * names it (or the right side's, see key_of); a FULL OUTER join's key is
 * a column of its own, ROWKEY, as either side may be missing. */
static int join_key_columns(scope *sc)
{
    const plan_join *pj = sc->p->join;
    sc->partitioned = true;
    sc->pexprs = arena_alloc(&sc->p->arena, sizeof(expr *));
    sc->ptaken = arena_alloc(&sc->p->arena, sizeof(char *));
    sc->ptaken[0] = NULL;
    sc->pexprs[0] = synthetic_join_key(pj) ? join_key_ref(sc) : pj->left_key;
    sc->npexprs = 1;
    return 0;
}

/* A foreign-key join's result is keyed by the left table's primary key:
 * every key column of it must be selected. */
static int foreign_key_columns(scope *sc)
{
    int n = schema_key_count(sc->cols);
    sc->partitioned = true;
    sc->pexprs = arena_alloc(&sc->p->arena, sizeof(expr *) * (size_t)(n + 1));
    sc->ptaken = arena_alloc(&sc->p->arena, sizeof(char *) * (size_t)(n + 1));
    sc->npexprs = 0;
    for (int i = 0; i < sc->cols->n; i++)
        if (sc->cols->cols[i].key) {
            sc->ptaken[sc->npexprs] = NULL;
            sc->pexprs[sc->npexprs++] = column_ref(sc, sc->cols, 0, i);
        }
    return 0;
}

/* ON <stream expression> = <table key column> (either order): the
 * stream's side becomes the key looked up in the table, and the key of
 * the result. */
static int compile_join_condition(scope *sc, const ast_query *q, err *e)
{
    const ast_join *j = &q->joins[0];
    plan_join *pj = sc->p->join;
    const ast_expr *on = j->on;
    expr *l, *r;
    if (compile_on_sides(sc, j, &l, &r, e))
        return -1;
    if (pj->stream_stream) {
        if (compile_stream_join_condition(sc, on, l, r, e))
            return -1;
        return join_key_columns(sc);
    }
    int key_slot = pj->right_base + pj->right_key;
    const ast_expr *stream_side = on->u.binary.left;
    if (l->kind == EX_COLUMN && l->column == key_slot) {
        expr *t = l;
        l = r;
        r = t;
        stream_side = on->u.binary.right;
    }
    bool left_is_key = l->kind == EX_COLUMN && l->column < sc->cols->n && sc->cols->cols[l->column].key;
    if (pj->table_table && !left_is_key) { /* ON <left expression> = <right primary key> */
        const ast_join_kind k = j->kind;
        if (k == AST_JOIN_RIGHT || k == AST_JOIN_FULL)
            return err_at(e, ERR_INVALID, j->span.off, j->span.len, "%s OUTER JOIN on a foreign key is not supported",
                          k == AST_JOIN_RIGHT ? "RIGHT" : "FULL");
        pj->foreign_key = true;
    }
    if (pj->table_table && !pj->foreign_key && sc->p->in.key_format.kind != pj->right.key_format.kind)
        return err_at(e, ERR_UNSUPPORTED, j->span.off, j->span.len,
                      "joining tables with different key formats (%s and %s) is not supported yet",
                      format_name(sc->p->in.key_format.kind), format_name(pj->right.key_format.kind));
    if (r->kind != EX_COLUMN || r->column != key_slot || !reads_only_below(l, pj->right_base)) {
        err_at(e, ERR_INVALID, on->span.off, on->span.len,
               "Invalid join condition: stream-table joins require to join on the table's primary key. Got %s.",
               "this condition");
        err_hint(e, "join on %s.%s", sc->right->alias ? sc->right->alias : sc->right->source,
                 pj->right.schema.cols[pj->right_key].name);
        return -1;
    }
    const sqltype *kt = pj->right.schema.cols[pj->right_key].type;
    if (!types_equal(l->type, kt)) {
        if (!(types_is_numeric(l->type) && types_is_numeric(kt))) {
            err_at(e, ERR_TYPE, on->span.off, on->span.len, "Invalid join condition: types don't match. Got %s = %s.",
                   type_text(sc, l->type), type_text(sc, kt));
            return -1;
        }
        l = coerce(sc, l, kt);
    }
    pj->left_key = l;
    pj->key_type = kt;
    sc->join_left_ast = stream_side;
    if (pj->foreign_key)
        return foreign_key_columns(sc);
    return join_key_columns(sc);
}

/* Table functions in SELECT: the flat-map step, with two row slots per
 * call (its current value, its argument's value).  Only a stream query
 * without aggregation or JOIN may have them. */
static int prepare_flatmap(const ast_query *q, plan *p, err *e)
{
    int n = 0;
    const ast_select_item *first = NULL;
    for (int i = 0; i < q->nitems; i++) {
        int k = count_calls(q->items[i].expr, is_tablefn_call);
        if (k && !first)
            first = &q->items[i];
        n += k;
    }
    if (!n)
        return 0;
    if (p->in.is_table)
        return err_at(e, ERR_INVALID, first->span.off, first->span.len,
                      "Table source is not supported with table functions");
    if (is_aggregation(q))
        return err_at(e, ERR_INVALID, first->span.off, first->span.len,
                      "Table functions cannot be used with aggregations.");
    if (p->join)
        return err_at(e, ERR_UNSUPPORTED, first->span.off, first->span.len,
                      "table functions over a join are not supported yet");
    plan_flatmap *f = arena_alloc(&p->arena, sizeof *f);
    memset(f, 0, sizeof *f);
    f->fns = arena_alloc(&p->arena, sizeof *f->fns * (size_t)n);
    f->args = arena_alloc(&p->arena, sizeof *f->args * (size_t)n);
    f->types = arena_alloc(&p->arena, sizeof *f->types * (size_t)n);
    f->cap = n;
    f->base = p->nrow;
    p->nrow += 2 * n;
    p->flatmap = f;
    return 0;
}

plan *analyze_query(const catalog *c, const ast_query *q, err *e) { return analyze_query_for(c, q, NULL, e); }

plan *analyze_query_for(const catalog *c, const ast_query *q, const char *sink, err *e)
{
    if (check_clauses(q, e))
        return NULL;
    const source *s = catalog_find(c, q->from.name.name);
    if (!s) {
        err_at(e, ERR_UNKNOWN_SOURCE, q->from.name.span.off, q->from.name.span.len,
               "%s does not exist", q->from.name.name);
        const char *near = catalog_suggest(c, q->from.name.name);
        if (near)
            err_hint(e, "did you mean %s?", near);
        else
            err_hint(e, "SHOW STREAMS and SHOW TABLES list what exists");
        return NULL;
    }
    plan *p = plan_new();
    copy_io(&p->arena, &p->in, s);
    p->out.ts_column = -1;
    p->nrow = p->in.schema.n + PLAN_PSEUDO;
    p->rowtime = p->in.schema.n;
    p->rowpartition = p->in.schema.n + 1;
    p->rowoffset = p->in.schema.n + 2;
    if (q->njoins && (prepare_join(c, q, p, e) || prepare_more_joins(c, q, p, e)))
        goto fail;
    if (prepare_flatmap(q, p, e))
        goto fail;
    p->needed = arena_alloc(&p->arena, sizeof(bool) * (size_t)p->nrow);
    if (p->in.ts_column >= 0) { /* read whether or not the query names it */
        p->needed[p->in.ts_column] = true;
        p->needs_key |= p->in.schema.cols[p->in.ts_column].key;
    }
    if (p->join && p->join->stream_stream && p->join->right.ts_column >= 0) { /* the right stream's, too */
        p->needed[p->join->right_base + p->join->right.ts_column] = true;
    }
    p->limit = q->limit;
    scope sc = {.p = p, .cat = c, .cols = &p->in.schema, .source = p->in.name, .alias = q->from.alias.name,
                .sink = sink};
    scope_right right;
    if (p->join) {
        right = (scope_right){&p->join->right.schema, p->join->right.name, q->joins[0].right.alias.name,
                              p->join->right_base};
        sc.right = &right;
        sc.join_keyed = !q->npartition_by;
        sc.more = arena_alloc(&p->arena, sizeof *sc.more * (size_t)q->njoins);
        for (int i = 0; i < p->nmore; i++)
            sc.more[i] = (scope_right){&p->more[i].right.schema, p->more[i].right.name,
                                       q->joins[i + 1].right.alias.name, p->more[i].right_base};
        sc.nmore = p->nmore;
        if (compile_join_condition(&sc, q, e))
            goto fail;
        if (is_aggregation(q) && (p->join->stream_stream || p->join->table_table)) {
            err_at(e, ERR_UNSUPPORTED, q->joins[0].span.off, q->joins[0].span.len,
                   "GROUP BY over a %s join is not supported yet (over a stream-table join it is)",
                   p->join->stream_stream ? "stream-stream" : "table-table");
            goto fail;
        }
        for (int i = 0; i < p->nmore; i++)
            if (compile_more_condition(&sc, &q->joins[i + 1], &p->more[i], &sc.join_left_ast, e))
                goto fail;
        if (p->nmore) /* the result is keyed by the last join's key, as ksqlDB re-keys for each */
            sc.pexprs[0] = p->more[p->nmore - 1].left_key;
    }
    if (q->where) {
        if (!(p->where = compile(&sc, q->where, e)))
            goto fail;
        if (p->where->type->kind != TYPE_BOOLEAN && p->where->type->kind != TYPE_NULL) {
            err_at(e, ERR_TYPE, q->where->span.off, q->where->span.len,
                   "Type error in WHERE expression: Should evaluate to boolean but is %s instead.",
                   type_text(&sc, p->where->type));
            goto fail;
        }
    }
    if (is_aggregation(q)) {
        sc.partitioned = false; /* grouped: keyed by the GROUP BY, not by a join */
        sc.join_keyed = false;
        int rc = compile_aggregation(&sc, q, e);
        buf_free(&sc.uncovered);
        if (rc)
            goto fail;
    } else if (compile_partition_by(&sc, q, e) || compile_items(&sc, q, e))
        goto fail;
    p->partitioned = sc.partitioned;
    return p;
fail:
    plan_free(p);
    return NULL;
}

int analyze_constant(const ast_expr *x, const sqltype *t, const char *column, arena *a,
                     value *out, err *e)
{
    plan *p = plan_new();
    scope sc = {.p = p, .source = ""};
    int rc = -1;
    expr *c = compile(&sc, x, e);
    if (!c)
        goto done;
    bool fits = types_equal(c->type, t) || c->type->kind == TYPE_NULL ||
                (types_is_numeric(c->type) && types_is_numeric(t) &&
                 (t->kind == TYPE_DOUBLE || t->kind == TYPE_DECIMAL ||
                  (t->kind == TYPE_BIGINT && c->type->kind == TYPE_INT)));
    if (!fits) {
        err_at(e, ERR_TYPE, x->span.off, x->span.len, "expected a %s value for column %s, got %s",
               type_text(&sc, t), column, type_text(&sc, c->type));
        goto done;
    }
    eval_ctx cx = {.a = a, .e = e};
    value v;
    if (expr_eval(c, NULL, &cx, &v) || expr_cast(&v, c->type, t, &cx, out)) {
        e->has_span = true, e->off = x->span.off, e->len = x->span.len;
        goto done;
    }
    /* Strings may point into the plan's arena: copy them out. */
    *out = value_copy(a, out, t);
    rc = 0;
done:
    plan_free(p);
    return rc;
}
