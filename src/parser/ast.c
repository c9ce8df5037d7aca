/* ast.c — the SQL printer and structural equality of syntax trees.
 *
 * The printer writes canonical SQL: keywords upper case, names through
 * ast_print_ident, every operator application in parentheses (so no
 * precedence rule is needed to read it back), durations in their largest
 * exact unit.  parse(print(t)) is equal to t by ast_stmt_equal, which
 * ignores spans and whether a name was quoted (quoting is spelling).
 */
#include "ast.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lex.h"

/* ---- names and literals -------------------------------------------------- */

static bool ast_is_plain_name(const char *s)
{
    if (!((*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static void ast_print_quoted_ident(const char *name, buf *out)
{
    buf_putc(out, '`');
    for (const char *c = name; *c; c++) {
        if (*c == '`')
            buf_putc(out, '`');
        buf_putc(out, *c);
    }
    buf_putc(out, '`');
}

void ast_print_ident(const char *name, buf *out)
{
    if (ast_is_plain_name(name) && !lex_is_reserved(lex_keyword(name, strlen(name))))
        buf_puts(out, name);
    else
        ast_print_quoted_ident(name, out);
}

/* A name in a place where a non-reserved keyword would be read as that
 * keyword (ARRAY[..], MAP(..), DESCRIBE STREAMS, ...): quote every keyword. */
static void ast_print_ident_strict(const char *name, buf *out)
{
    if (lex_is_keyword(lex_keyword(name, strlen(name))))
        ast_print_quoted_ident(name, out);
    else
        ast_print_ident(name, out);
}

static void ast_print_string(const char *s, size_t len, buf *out)
{
    buf_putc(out, '\'');
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\'')
            buf_putc(out, '\'');
        buf_putc(out, s[i]);
    }
    buf_putc(out, '\'');
}

/* The shortest %E form that reads back to the same double; the exponent
 * keeps it a DOUBLE literal rather than a DECIMAL. */
static void ast_print_double(double d, buf *out)
{
    char text[64];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(text, sizeof text, "%.*E", prec, d);
        if (strtod(text, NULL) == d)
            break;
    }
    buf_puts(out, text);
}

static void ast_print_duration(int64_t ms, buf *out)
{
    static const struct {
        int64_t ms;
        const char *one, *many;
    } units[] = {
        {86400000, "DAY", "DAYS"},   {3600000, "HOUR", "HOURS"},         {60000, "MINUTE", "MINUTES"},
        {1000, "SECOND", "SECONDS"}, {1, "MILLISECOND", "MILLISECONDS"},
    };
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (ms != 0 && ms % units[i].ms != 0)
            continue;
        if (ms == 0 && units[i].ms != 1)
            continue;
        int64_t n = ms / units[i].ms;
        buf_printf(out, "%" PRId64 " %s", n, n == 1 ? units[i].one : units[i].many);
        return;
    }
}

const char *ast_op_name(ast_op op)
{
    switch (op) {
    case AST_OP_NEG: return "-";
    case AST_OP_PLUS: return "+";
    case AST_OP_NOT: return "NOT";
    case AST_OP_ADD: return "+";
    case AST_OP_SUB: return "-";
    case AST_OP_MUL: return "*";
    case AST_OP_DIV: return "/";
    case AST_OP_MOD: return "%";
    case AST_OP_CONCAT: return "||";
    case AST_OP_EQ: return "=";
    case AST_OP_NE: return "<>";
    case AST_OP_LT: return "<";
    case AST_OP_LE: return "<=";
    case AST_OP_GT: return ">";
    case AST_OP_GE: return ">=";
    case AST_OP_AND: return "AND";
    case AST_OP_OR: return "OR";
    }
    return "?";
}

/* ---- types ---------------------------------------------------------------- */

void ast_print_type(const ast_type *t, buf *out)
{
    static const char *const names[] = {
#define X(name, sql) sql,
        TYPE_KINDS(X)
#undef X
    };
    if (t->kind == TYPE_NULL && t->custom.name) {
        ast_print_ident_strict(t->custom.name, out); /* a keyword here would be read as the type */
        return;
    }
    buf_puts(out, names[t->kind]);
    switch (t->kind) {
    case TYPE_DECIMAL: buf_printf(out, "(%d, %d)", t->precision, t->scale); break;
    case TYPE_ARRAY:
        buf_putc(out, '<');
        ast_print_type(t->elem, out);
        buf_putc(out, '>');
        break;
    case TYPE_MAP:
        buf_putc(out, '<');
        ast_print_type(t->key, out);
        buf_puts(out, ", ");
        ast_print_type(t->value, out);
        buf_putc(out, '>');
        break;
    case TYPE_STRUCT:
        buf_putc(out, '<');
        for (int i = 0; i < t->nfields; i++) {
            if (i)
                buf_puts(out, ", ");
            ast_print_ident(t->fields[i].name.name, out);
            buf_putc(out, ' ');
            ast_print_type(t->fields[i].type, out);
        }
        buf_putc(out, '>');
        break;
    default: break;
    }
}

/* ---- expressions ---------------------------------------------------------- */

static void ast_print_list(ast_expr *const *items, int n, buf *out)
{
    for (int i = 0; i < n; i++) {
        if (i)
            buf_puts(out, ", ");
        ast_print_expr(items[i], out);
    }
}

/* The base of x->f or x[i]; a negative literal needs parentheses there. */
static void ast_print_base(const ast_expr *e, buf *out)
{
    bool paren = e->kind == AST_INT && e->u.i < 0;
    if (paren)
        buf_putc(out, '(');
    ast_print_expr(e, out);
    if (paren)
        buf_putc(out, ')');
}

static void ast_print_case(const ast_expr *e, buf *out)
{
    buf_puts(out, "CASE");
    if (e->u.kase.operand) {
        buf_putc(out, ' ');
        ast_print_expr(e->u.kase.operand, out);
    }
    for (int i = 0; i < e->u.kase.nwhens; i++) {
        buf_puts(out, " WHEN ");
        ast_print_expr(e->u.kase.whens[i].when, out);
        buf_puts(out, " THEN ");
        ast_print_expr(e->u.kase.whens[i].then, out);
    }
    if (e->u.kase.otherwise) {
        buf_puts(out, " ELSE ");
        ast_print_expr(e->u.kase.otherwise, out);
    }
    buf_puts(out, " END");
}

static void ast_print_call(const ast_expr *e, buf *out)
{
    ast_print_ident_strict(e->u.call.name.name, out);
    buf_putc(out, '(');
    if (e->u.call.star)
        buf_putc(out, '*');
    if (e->u.call.distinct)
        buf_puts(out, "DISTINCT ");
    ast_print_list(e->u.call.args, e->u.call.nargs, out);
    buf_putc(out, ')');
}

static void ast_print_lambda(const ast_expr *e, buf *out)
{
    buf_putc(out, '(');
    for (int i = 0; i < e->u.lambda.nparams; i++) {
        if (i)
            buf_puts(out, ", ");
        ast_print_ident(e->u.lambda.params[i].name, out);
    }
    buf_puts(out, ") => ");
    ast_print_expr(e->u.lambda.body, out);
}

/* Predicates: (x IS [NOT] NULL), (x [NOT] BETWEEN a AND b), ... */
static void ast_print_predicate(const ast_expr *e, buf *out)
{
    buf_putc(out, '(');
    switch (e->kind) {
    case AST_IS_NULL:
        ast_print_expr(e->u.test.left, out);
        buf_puts(out, e->u.test.negated ? " IS NOT NULL" : " IS NULL");
        break;
    case AST_IS_DISTINCT:
        ast_print_expr(e->u.test.left, out);
        buf_puts(out, e->u.test.negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ");
        ast_print_expr(e->u.test.right, out);
        break;
    case AST_BETWEEN:
        ast_print_expr(e->u.between.value, out);
        buf_puts(out, e->u.between.negated ? " NOT BETWEEN " : " BETWEEN ");
        ast_print_expr(e->u.between.low, out);
        buf_puts(out, " AND ");
        ast_print_expr(e->u.between.high, out);
        break;
    case AST_IN:
        ast_print_expr(e->u.in.value, out);
        buf_puts(out, e->u.in.negated ? " NOT IN (" : " IN (");
        ast_print_list(e->u.in.list, e->u.in.n, out);
        buf_putc(out, ')');
        break;
    default: /* AST_LIKE */
        ast_print_expr(e->u.like.value, out);
        buf_puts(out, e->u.like.negated ? " NOT LIKE " : " LIKE ");
        ast_print_expr(e->u.like.pattern, out);
        if (e->u.like.escape) {
            buf_puts(out, " ESCAPE ");
            ast_print_expr(e->u.like.escape, out);
        }
        break;
    }
    buf_putc(out, ')');
}

static void ast_print_constructor(const ast_expr *e, buf *out)
{
    if (e->kind == AST_ARRAY) {
        buf_puts(out, "ARRAY[");
        ast_print_list(e->u.list.items, e->u.list.n, out);
        buf_putc(out, ']');
        return;
    }
    buf_puts(out, e->kind == AST_MAP ? "MAP(" : "STRUCT(");
    int n = e->kind == AST_MAP ? e->u.map.n : e->u.strct.n;
    for (int i = 0; i < n; i++) {
        if (i)
            buf_puts(out, ", ");
        if (e->kind == AST_MAP)
            ast_print_expr(e->u.map.entries[i].key, out);
        else
            ast_print_ident(e->u.strct.entries[i].name.name, out);
        buf_puts(out, " := ");
        ast_print_expr(e->kind == AST_MAP ? e->u.map.entries[i].value : e->u.strct.entries[i].value, out);
    }
    buf_putc(out, ')');
}

void ast_print_expr(const ast_expr *e, buf *out)
{
    switch (e->kind) {
    case AST_NULL: buf_puts(out, "NULL"); break;
    case AST_BOOL: buf_puts(out, e->u.b ? "TRUE" : "FALSE"); break;
    case AST_INT: buf_printf(out, "%" PRId64, e->u.i); break;
    case AST_DECIMAL: buf_puts(out, e->u.dec.text); break;
    case AST_DOUBLE: ast_print_double(e->u.d, out); break;
    case AST_STRING: ast_print_string(e->u.str.s, e->u.str.len, out); break;
    case AST_COLUMN:
    case AST_STAR:
        if (e->u.col.qualifier.name) {
            ast_print_ident_strict(e->u.col.qualifier.name, out);
            buf_putc(out, '.');
        }
        if (e->kind == AST_STAR)
            buf_putc(out, '*');
        else
            ast_print_ident_strict(e->u.col.name.name, out);
        break;
    case AST_UNARY:
        /* "(- x)": the space keeps "- -1" from becoming a comment */
        buf_printf(out, "(%s ", ast_op_name(e->u.unary.op));
        ast_print_expr(e->u.unary.operand, out);
        buf_putc(out, ')');
        break;
    case AST_BINARY:
        buf_putc(out, '(');
        ast_print_expr(e->u.binary.left, out);
        buf_printf(out, " %s ", ast_op_name(e->u.binary.op));
        ast_print_expr(e->u.binary.right, out);
        buf_putc(out, ')');
        break;
    case AST_IS_NULL:
    case AST_IS_DISTINCT:
    case AST_BETWEEN:
    case AST_IN:
    case AST_LIKE: ast_print_predicate(e, out); break;
    case AST_CASE: ast_print_case(e, out); break;
    case AST_CAST:
        buf_puts(out, "CAST(");
        ast_print_expr(e->u.cast.value, out);
        buf_puts(out, " AS ");
        ast_print_type(e->u.cast.type, out);
        buf_putc(out, ')');
        break;
    case AST_CALL: ast_print_call(e, out); break;
    case AST_DEREF:
        ast_print_base(e->u.deref.base, out);
        buf_puts(out, "->");
        ast_print_ident(e->u.deref.field.name, out);
        break;
    case AST_SUBSCRIPT:
        ast_print_base(e->u.subscript.base, out);
        buf_putc(out, '[');
        ast_print_expr(e->u.subscript.index, out);
        buf_putc(out, ']');
        break;
    case AST_LAMBDA: ast_print_lambda(e, out); break;
    case AST_ARRAY:
    case AST_MAP:
    case AST_STRUCT: ast_print_constructor(e, out); break;
    case AST_INTERVAL:
        buf_puts(out, "INTERVAL ");
        ast_print_duration(e->u.interval.ms, out);
        break;
    case AST_STRUCT_STAR:
        ast_print_base(e->u.deref.base, out);
        buf_puts(out, "->*");
        break;
    }
}

/* ---- queries -------------------------------------------------------------- */

static void ast_print_relation(const ast_relation *r, buf *out)
{
    ast_print_ident(r->name.name, out);
    if (r->alias.name) {
        buf_puts(out, " AS ");
        ast_print_ident(r->alias.name, out);
    }
}

static void ast_print_join(const ast_join *j, buf *out)
{
    static const char *const kinds[] = {
        [AST_JOIN_INNER] = " INNER JOIN ",
        [AST_JOIN_LEFT] = " LEFT JOIN ",
        [AST_JOIN_RIGHT] = " RIGHT JOIN ",
        [AST_JOIN_FULL] = " FULL OUTER JOIN ",
    };
    buf_puts(out, kinds[j->kind]);
    ast_print_relation(&j->right, out);
    if (j->within_before.present) {
        buf_puts(out, " WITHIN ");
        if (j->within_before.ms == j->within_after.ms) {
            ast_print_duration(j->within_before.ms, out);
        } else {
            buf_putc(out, '(');
            ast_print_duration(j->within_before.ms, out);
            buf_puts(out, ", ");
            ast_print_duration(j->within_after.ms, out);
            buf_putc(out, ')');
        }
        if (j->within_grace.present) {
            buf_puts(out, " GRACE PERIOD ");
            ast_print_duration(j->within_grace.ms, out);
        }
    }
    buf_puts(out, " ON ");
    ast_print_expr(j->on, out);
}

static void ast_print_window(const ast_window *w, buf *out)
{
    static const char *const kinds[] = {
        [AST_WINDOW_TUMBLING] = " WINDOW TUMBLING (SIZE ",
        [AST_WINDOW_HOPPING] = " WINDOW HOPPING (SIZE ",
        [AST_WINDOW_SESSION] = " WINDOW SESSION (",
    };
    buf_puts(out, kinds[w->kind]);
    ast_print_duration(w->size.ms, out);
    if (w->kind == AST_WINDOW_HOPPING) {
        buf_puts(out, ", ADVANCE BY ");
        ast_print_duration(w->advance.ms, out);
    }
    if (w->retention.present) {
        buf_puts(out, ", RETENTION ");
        ast_print_duration(w->retention.ms, out);
    }
    if (w->grace.present) {
        buf_puts(out, ", GRACE PERIOD ");
        ast_print_duration(w->grace.ms, out);
    }
    buf_putc(out, ')');
}

void ast_print_query(const ast_query *q, buf *out)
{
    buf_puts(out, "SELECT ");
    for (int i = 0; i < q->nitems; i++) {
        if (i)
            buf_puts(out, ", ");
        ast_print_expr(q->items[i].expr, out);
        if (q->items[i].alias.name) {
            buf_puts(out, " AS ");
            ast_print_ident(q->items[i].alias.name, out);
        }
    }
    buf_puts(out, " FROM ");
    ast_print_relation(&q->from, out);
    for (int i = 0; i < q->njoins; i++)
        ast_print_join(&q->joins[i], out);
    if (q->window.kind != AST_WINDOW_NONE)
        ast_print_window(&q->window, out);
    if (q->where) {
        buf_puts(out, " WHERE ");
        ast_print_expr(q->where, out);
    }
    if (q->ngroup_by) {
        buf_puts(out, " GROUP BY ");
        ast_print_list(q->group_by, q->ngroup_by, out);
    }
    if (q->having) {
        buf_puts(out, " HAVING ");
        ast_print_expr(q->having, out);
    }
    if (q->npartition_by) {
        buf_puts(out, " PARTITION BY ");
        ast_print_list(q->partition_by, q->npartition_by, out);
    }
    if (q->emit != AST_EMIT_NONE)
        buf_puts(out, q->emit == AST_EMIT_CHANGES ? " EMIT CHANGES" : " EMIT FINAL");
    if (q->limit >= 0)
        buf_printf(out, " LIMIT %" PRId64, q->limit);
}

/* ---- statements ----------------------------------------------------------- */

static void ast_print_props(const ast_property *props, int n, buf *out)
{
    if (n == 0)
        return;
    buf_puts(out, " WITH (");
    for (int i = 0; i < n; i++) {
        if (i)
            buf_puts(out, ", ");
        const char *k = props[i].key;
        if (ast_is_plain_name(k) && !lex_is_keyword(lex_keyword(k, strlen(k))))
            buf_puts(out, k);
        else
            ast_print_string(k, strlen(k), out);
        buf_puts(out, "=");
        const ast_expr *v = props[i].value;
        if (v->kind == AST_UNARY && v->u.unary.op == AST_OP_NEG) {
            buf_putc(out, '-'); /* a property value is a literal: -1, not (- 1) */
            v = v->u.unary.operand;
        }
        ast_print_expr(v, out);
    }
    buf_putc(out, ')');
}

static void ast_print_create_head(const char *what, bool or_replace, bool if_not_exists,
                                  const ast_ident *name, buf *out)
{
    buf_puts(out, "CREATE ");
    if (or_replace)
        buf_puts(out, "OR REPLACE ");
    buf_puts(out, what);
    if (if_not_exists)
        buf_puts(out, " IF NOT EXISTS");
    buf_putc(out, ' ');
    ast_print_ident(name->name, out);
}

static void ast_print_column_def(const ast_column_def *c, buf *out)
{
    ast_print_ident(c->name.name, out);
    buf_putc(out, ' ');
    ast_print_type(c->type, out);
    if (c->key)
        buf_puts(out, " KEY");
    if (c->primary_key)
        buf_puts(out, " PRIMARY KEY");
    if (c->headers && c->header_key) {
        buf_puts(out, " HEADER(");
        ast_print_string(c->header_key, strlen(c->header_key), out);
        buf_putc(out, ')');
    } else if (c->headers) {
        buf_puts(out, " HEADERS");
    }
}

static void ast_print_create(const ast_stmt *s, buf *out)
{
    const char *what = s->u.create.source == AST_SOURCE_TABLE ? "TABLE" : "STREAM";
    ast_print_create_head(what, s->u.create.or_replace, s->u.create.if_not_exists, &s->u.create.name, out);
    if (s->u.create.ncolumns) {
        buf_puts(out, " (");
        for (int i = 0; i < s->u.create.ncolumns; i++) {
            if (i)
                buf_puts(out, ", ");
            ast_print_column_def(&s->u.create.columns[i], out);
        }
        buf_putc(out, ')');
    }
    ast_print_props(s->u.create.props, s->u.create.nprops, out);
}

static void ast_print_insert_values(const ast_stmt *s, buf *out)
{
    buf_puts(out, "INSERT INTO ");
    ast_print_ident(s->u.insert_values.target.name, out);
    if (s->u.insert_values.ncolumns) {
        buf_puts(out, " (");
        for (int i = 0; i < s->u.insert_values.ncolumns; i++) {
            if (i)
                buf_puts(out, ", ");
            ast_print_ident(s->u.insert_values.columns[i].name, out);
        }
        buf_putc(out, ')');
    }
    buf_puts(out, " VALUES (");
    ast_print_list(s->u.insert_values.values, s->u.insert_values.nvalues, out);
    buf_putc(out, ')');
}

static void ast_print_show(const ast_stmt *s, buf *out)
{
    static const char *const what[] = {
        [AST_SHOW_STREAMS] = "STREAMS",     [AST_SHOW_TABLES] = "TABLES",
        [AST_SHOW_QUERIES] = "QUERIES",     [AST_SHOW_TOPICS] = "TOPICS",
        [AST_SHOW_FUNCTIONS] = "FUNCTIONS", [AST_SHOW_PROPERTIES] = "PROPERTIES",
        [AST_SHOW_VARIABLES] = "VARIABLES", [AST_SHOW_TYPES] = "TYPES",
    };
    buf_printf(out, "SHOW %s%s", what[s->u.show.what], s->u.show.extended ? " EXTENDED" : "");
}

static void ast_print_drop(const ast_stmt *s, buf *out)
{
    buf_puts(out, s->u.drop.is_type                      ? "DROP TYPE "
                  : s->u.drop.source == AST_SOURCE_TABLE ? "DROP TABLE "
                                                         : "DROP STREAM ");
    if (s->u.drop.if_exists)
        buf_puts(out, "IF EXISTS ");
    ast_print_ident(s->u.drop.name.name, out);
    if (s->u.drop.delete_topic)
        buf_puts(out, " DELETE TOPIC");
}

static void ast_print_terminate(const ast_stmt *s, buf *out)
{
    buf_puts(out, s->kind == AST_TERMINATE ? "TERMINATE " : s->kind == AST_PAUSE ? "PAUSE " : "RESUME ");
    if (s->u.terminate.all)
        buf_puts(out, "ALL");
    else
        ast_print_ident(s->u.terminate.query_id.name, out);
}

static void ast_print_print(const ast_stmt *s, buf *out)
{
    buf_puts(out, "PRINT ");
    ast_print_string(s->u.print.topic.name, strlen(s->u.print.topic.name), out);
    if (s->u.print.from_beginning)
        buf_puts(out, " FROM BEGINNING");
    if (s->u.print.interval >= 0)
        buf_printf(out, " INTERVAL %" PRId64, s->u.print.interval);
    if (s->u.print.limit >= 0)
        buf_printf(out, " LIMIT %" PRId64, s->u.print.limit);
}

void ast_print_stmt(const ast_stmt *s, buf *out)
{
    switch (s->kind) {
    case AST_CREATE_SOURCE: ast_print_create(s, out); break;
    case AST_CREATE_AS:
        ast_print_create_head(s->u.create_as.source == AST_SOURCE_TABLE ? "TABLE" : "STREAM",
                              s->u.create_as.or_replace, s->u.create_as.if_not_exists, &s->u.create_as.name,
                              out);
        ast_print_props(s->u.create_as.props, s->u.create_as.nprops, out);
        buf_puts(out, " AS ");
        ast_print_query(s->u.create_as.query, out);
        break;
    case AST_INSERT_VALUES: ast_print_insert_values(s, out); break;
    case AST_INSERT_SELECT:
        buf_puts(out, "INSERT INTO ");
        ast_print_ident(s->u.insert_select.target.name, out);
        ast_print_props(s->u.insert_select.props, s->u.insert_select.nprops, out);
        buf_putc(out, ' ');
        ast_print_query(s->u.insert_select.query, out);
        break;
    case AST_SELECT: ast_print_query(s->u.select, out); break;
    case AST_SHOW: ast_print_show(s, out); break;
    case AST_DESCRIBE:
        buf_puts(out, s->u.describe.extended ? "DESCRIBE EXTENDED " : "DESCRIBE ");
        ast_print_ident_strict(s->u.describe.name.name, out);
        break;
    case AST_DESCRIBE_FUNCTION:
        buf_puts(out, "DESCRIBE FUNCTION ");
        ast_print_ident(s->u.describe.name.name, out);
        break;
    case AST_DROP: ast_print_drop(s, out); break;
    case AST_TERMINATE:
    case AST_PAUSE:
    case AST_RESUME: ast_print_terminate(s, out); break;
    case AST_SET:
        buf_puts(out, "SET ");
        ast_print_string(s->u.set.name, strlen(s->u.set.name), out);
        buf_puts(out, " = ");
        ast_print_string(s->u.set.value, strlen(s->u.set.value), out);
        break;
    case AST_UNSET:
        buf_puts(out, "UNSET ");
        ast_print_string(s->u.set.name, strlen(s->u.set.name), out);
        break;
    case AST_DEFINE:
        buf_puts(out, "DEFINE ");
        ast_print_ident(s->u.define.name.name, out);
        buf_puts(out, " = ");
        ast_print_string(s->u.define.value, strlen(s->u.define.value), out);
        break;
    case AST_UNDEFINE:
        buf_puts(out, "UNDEFINE ");
        ast_print_ident(s->u.define.name.name, out);
        break;
    case AST_EXPLAIN:
        buf_puts(out, "EXPLAIN ");
        if (s->u.explain.stmt)
            ast_print_stmt(s->u.explain.stmt, out);
        else
            ast_print_ident_strict(s->u.explain.query_id.name, out);
        break;
    case AST_PRINT: ast_print_print(s, out); break;
    case AST_RUN_SCRIPT:
        buf_puts(out, "RUN SCRIPT ");
        ast_print_string(s->u.run_script.path, strlen(s->u.run_script.path), out);
        break;
    case AST_CREATE_TYPE:
        buf_puts(out, "CREATE TYPE ");
        ast_print_ident(s->u.create_type.name.name, out);
        buf_puts(out, " AS ");
        ast_print_type(s->u.create_type.type, out);
        break;
    }
}

/* ---- equality --------------------------------------------------------------- */

static bool ast_str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static bool ast_ident_eq(const ast_ident *a, const ast_ident *b)
{
    return ast_str_eq(a->name, b->name);
}

static bool ast_type_eq(const ast_type *a, const ast_type *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind || a->precision != b->precision || a->scale != b->scale ||
        a->nfields != b->nfields || !ast_str_eq(a->custom.name, b->custom.name))
        return false;
    if (!ast_type_eq(a->elem, b->elem) || !ast_type_eq(a->key, b->key) || !ast_type_eq(a->value, b->value))
        return false;
    for (int i = 0; i < a->nfields; i++)
        if (!ast_ident_eq(&a->fields[i].name, &b->fields[i].name) ||
            !ast_type_eq(a->fields[i].type, b->fields[i].type))
            return false;
    return true;
}

static bool ast_expr_eq(const ast_expr *a, const ast_expr *b);

static bool ast_list_eq(ast_expr *const *a, int na, ast_expr *const *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++)
        if (!ast_expr_eq(a[i], b[i]))
            return false;
    return true;
}

static bool ast_expr_eq_more(const ast_expr *a, const ast_expr *b);

static bool ast_expr_eq(const ast_expr *a, const ast_expr *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case AST_NULL: return true;
    case AST_BOOL: return a->u.b == b->u.b;
    case AST_INT: return a->u.i == b->u.i;
    case AST_DECIMAL:
        return ast_str_eq(a->u.dec.text, b->u.dec.text) && a->u.dec.precision == b->u.dec.precision &&
               a->u.dec.scale == b->u.dec.scale;
    case AST_DOUBLE: return memcmp(&a->u.d, &b->u.d, sizeof a->u.d) == 0;
    case AST_STRING: return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
    case AST_COLUMN:
    case AST_STAR:
        return ast_ident_eq(&a->u.col.qualifier, &b->u.col.qualifier) &&
               ast_ident_eq(&a->u.col.name, &b->u.col.name);
    case AST_UNARY:
        return a->u.unary.op == b->u.unary.op && ast_expr_eq(a->u.unary.operand, b->u.unary.operand);
    case AST_BINARY:
        return a->u.binary.op == b->u.binary.op && ast_expr_eq(a->u.binary.left, b->u.binary.left) &&
               ast_expr_eq(a->u.binary.right, b->u.binary.right);
    case AST_IS_NULL:
    case AST_IS_DISTINCT:
        return a->u.test.negated == b->u.test.negated && ast_expr_eq(a->u.test.left, b->u.test.left) &&
               ast_expr_eq(a->u.test.right, b->u.test.right);
    case AST_BETWEEN:
        return a->u.between.negated == b->u.between.negated &&
               ast_expr_eq(a->u.between.value, b->u.between.value) &&
               ast_expr_eq(a->u.between.low, b->u.between.low) &&
               ast_expr_eq(a->u.between.high, b->u.between.high);
    case AST_IN:
        return a->u.in.negated == b->u.in.negated && ast_expr_eq(a->u.in.value, b->u.in.value) &&
               ast_list_eq(a->u.in.list, a->u.in.n, b->u.in.list, b->u.in.n);
    case AST_LIKE:
        return a->u.like.negated == b->u.like.negated && ast_expr_eq(a->u.like.value, b->u.like.value) &&
               ast_expr_eq(a->u.like.pattern, b->u.like.pattern) &&
               ast_expr_eq(a->u.like.escape, b->u.like.escape);
    default: return ast_expr_eq_more(a, b);
    }
}

/* The composite kinds (CASE .. INTERVAL) of ast_expr_eq; same kind. */
static bool ast_expr_eq_more(const ast_expr *a, const ast_expr *b)
{
    switch (a->kind) {
    case AST_CASE:
        if (a->u.kase.nwhens != b->u.kase.nwhens || !ast_expr_eq(a->u.kase.operand, b->u.kase.operand) ||
            !ast_expr_eq(a->u.kase.otherwise, b->u.kase.otherwise))
            return false;
        for (int i = 0; i < a->u.kase.nwhens; i++)
            if (!ast_expr_eq(a->u.kase.whens[i].when, b->u.kase.whens[i].when) ||
                !ast_expr_eq(a->u.kase.whens[i].then, b->u.kase.whens[i].then))
                return false;
        return true;
    case AST_CAST:
        return ast_expr_eq(a->u.cast.value, b->u.cast.value) && ast_type_eq(a->u.cast.type, b->u.cast.type);
    case AST_CALL:
        return ast_ident_eq(&a->u.call.name, &b->u.call.name) && a->u.call.distinct == b->u.call.distinct &&
               a->u.call.star == b->u.call.star &&
               ast_list_eq(a->u.call.args, a->u.call.nargs, b->u.call.args, b->u.call.nargs);
    case AST_DEREF:
        return ast_expr_eq(a->u.deref.base, b->u.deref.base) &&
               ast_ident_eq(&a->u.deref.field, &b->u.deref.field);
    case AST_SUBSCRIPT:
        return ast_expr_eq(a->u.subscript.base, b->u.subscript.base) &&
               ast_expr_eq(a->u.subscript.index, b->u.subscript.index);
    case AST_LAMBDA:
        if (a->u.lambda.nparams != b->u.lambda.nparams || !ast_expr_eq(a->u.lambda.body, b->u.lambda.body))
            return false;
        for (int i = 0; i < a->u.lambda.nparams; i++)
            if (!ast_ident_eq(&a->u.lambda.params[i], &b->u.lambda.params[i]))
                return false;
        return true;
    case AST_ARRAY: return ast_list_eq(a->u.list.items, a->u.list.n, b->u.list.items, b->u.list.n);
    case AST_MAP:
        if (a->u.map.n != b->u.map.n)
            return false;
        for (int i = 0; i < a->u.map.n; i++)
            if (!ast_expr_eq(a->u.map.entries[i].key, b->u.map.entries[i].key) ||
                !ast_expr_eq(a->u.map.entries[i].value, b->u.map.entries[i].value))
                return false;
        return true;
    case AST_STRUCT:
        if (a->u.strct.n != b->u.strct.n)
            return false;
        for (int i = 0; i < a->u.strct.n; i++)
            if (!ast_ident_eq(&a->u.strct.entries[i].name, &b->u.strct.entries[i].name) ||
                !ast_expr_eq(a->u.strct.entries[i].value, b->u.strct.entries[i].value))
                return false;
        return true;
    case AST_INTERVAL: return a->u.interval.ms == b->u.interval.ms;
    case AST_STRUCT_STAR: return ast_expr_eq(a->u.deref.base, b->u.deref.base);
    default: return false;
    }
}

static bool ast_duration_eq(const ast_duration *a, const ast_duration *b)
{
    return a->present == b->present && (!a->present || a->ms == b->ms);
}

static bool ast_relation_eq(const ast_relation *a, const ast_relation *b)
{
    return ast_ident_eq(&a->name, &b->name) && ast_ident_eq(&a->alias, &b->alias);
}

static bool ast_window_eq(const ast_window *a, const ast_window *b)
{
    return a->kind == b->kind && ast_duration_eq(&a->size, &b->size) &&
           ast_duration_eq(&a->advance, &b->advance) && ast_duration_eq(&a->retention, &b->retention) &&
           ast_duration_eq(&a->grace, &b->grace);
}

static bool ast_join_eq(const ast_join *a, const ast_join *b)
{
    return a->kind == b->kind && ast_relation_eq(&a->right, &b->right) &&
           ast_duration_eq(&a->within_before, &b->within_before) &&
           ast_duration_eq(&a->within_after, &b->within_after) &&
           ast_duration_eq(&a->within_grace, &b->within_grace) && ast_expr_eq(a->on, b->on);
}

static bool ast_query_eq(const ast_query *a, const ast_query *b)
{
    if (!a || !b)
        return a == b;
    if (a->nitems != b->nitems || a->njoins != b->njoins || a->emit != b->emit || a->limit != b->limit ||
        !ast_relation_eq(&a->from, &b->from) || !ast_window_eq(&a->window, &b->window) ||
        !ast_expr_eq(a->where, b->where) || !ast_expr_eq(a->having, b->having) ||
        !ast_list_eq(a->group_by, a->ngroup_by, b->group_by, b->ngroup_by) ||
        !ast_list_eq(a->partition_by, a->npartition_by, b->partition_by, b->npartition_by))
        return false;
    for (int i = 0; i < a->nitems; i++)
        if (!ast_expr_eq(a->items[i].expr, b->items[i].expr) ||
            !ast_ident_eq(&a->items[i].alias, &b->items[i].alias))
            return false;
    for (int i = 0; i < a->njoins; i++)
        if (!ast_join_eq(&a->joins[i], &b->joins[i]))
            return false;
    return true;
}

static bool ast_props_eq(const ast_property *a, int na, const ast_property *b, int nb)
{
    if (na != nb)
        return false;
    for (int i = 0; i < na; i++)
        if (!ast_str_eq(a[i].key, b[i].key) || !ast_expr_eq(a[i].value, b[i].value))
            return false;
    return true;
}

static bool ast_column_eq(const ast_column_def *a, const ast_column_def *b)
{
    return ast_ident_eq(&a->name, &b->name) && ast_type_eq(a->type, b->type) && a->key == b->key &&
           a->primary_key == b->primary_key && a->headers == b->headers &&
           ast_str_eq(a->header_key, b->header_key);
}

static bool ast_create_eq(const ast_stmt *a, const ast_stmt *b)
{
    if (a->u.create.source != b->u.create.source || a->u.create.or_replace != b->u.create.or_replace ||
        a->u.create.if_not_exists != b->u.create.if_not_exists ||
        !ast_ident_eq(&a->u.create.name, &b->u.create.name) || a->u.create.ncolumns != b->u.create.ncolumns ||
        !ast_props_eq(a->u.create.props, a->u.create.nprops, b->u.create.props, b->u.create.nprops))
        return false;
    for (int i = 0; i < a->u.create.ncolumns; i++)
        if (!ast_column_eq(&a->u.create.columns[i], &b->u.create.columns[i]))
            return false;
    return true;
}

static bool ast_insert_values_eq(const ast_stmt *a, const ast_stmt *b)
{
    if (!ast_ident_eq(&a->u.insert_values.target, &b->u.insert_values.target) ||
        a->u.insert_values.ncolumns != b->u.insert_values.ncolumns)
        return false;
    for (int i = 0; i < a->u.insert_values.ncolumns; i++)
        if (!ast_ident_eq(&a->u.insert_values.columns[i], &b->u.insert_values.columns[i]))
            return false;
    return ast_list_eq(a->u.insert_values.values, a->u.insert_values.nvalues, b->u.insert_values.values,
                       b->u.insert_values.nvalues);
}

bool ast_stmt_equal(const ast_stmt *a, const ast_stmt *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case AST_CREATE_SOURCE: return ast_create_eq(a, b);
    case AST_CREATE_AS:
        return a->u.create_as.source == b->u.create_as.source &&
               a->u.create_as.or_replace == b->u.create_as.or_replace &&
               a->u.create_as.if_not_exists == b->u.create_as.if_not_exists &&
               ast_ident_eq(&a->u.create_as.name, &b->u.create_as.name) &&
               ast_props_eq(a->u.create_as.props, a->u.create_as.nprops, b->u.create_as.props,
                            b->u.create_as.nprops) &&
               ast_query_eq(a->u.create_as.query, b->u.create_as.query);
    case AST_INSERT_VALUES: return ast_insert_values_eq(a, b);
    case AST_INSERT_SELECT:
        return ast_ident_eq(&a->u.insert_select.target, &b->u.insert_select.target) &&
               ast_props_eq(a->u.insert_select.props, a->u.insert_select.nprops, b->u.insert_select.props,
                            b->u.insert_select.nprops) &&
               ast_query_eq(a->u.insert_select.query, b->u.insert_select.query);
    case AST_SELECT: return ast_query_eq(a->u.select, b->u.select);
    case AST_SHOW: return a->u.show.what == b->u.show.what && a->u.show.extended == b->u.show.extended;
    case AST_DESCRIBE:
    case AST_DESCRIBE_FUNCTION:
        return a->u.describe.extended == b->u.describe.extended &&
               ast_ident_eq(&a->u.describe.name, &b->u.describe.name);
    case AST_DROP:
        return a->u.drop.is_type == b->u.drop.is_type &&
               (a->u.drop.is_type || a->u.drop.source == b->u.drop.source) &&
               a->u.drop.if_exists == b->u.drop.if_exists &&
               a->u.drop.delete_topic == b->u.drop.delete_topic &&
               ast_ident_eq(&a->u.drop.name, &b->u.drop.name);
    case AST_TERMINATE:
    case AST_PAUSE:
    case AST_RESUME:
        return a->u.terminate.all == b->u.terminate.all &&
               ast_ident_eq(&a->u.terminate.query_id, &b->u.terminate.query_id);
    case AST_SET:
    case AST_UNSET:
        return ast_str_eq(a->u.set.name, b->u.set.name) && ast_str_eq(a->u.set.value, b->u.set.value);
    case AST_DEFINE:
    case AST_UNDEFINE:
        return ast_ident_eq(&a->u.define.name, &b->u.define.name) &&
               ast_str_eq(a->u.define.value, b->u.define.value);
    case AST_EXPLAIN:
        return ast_ident_eq(&a->u.explain.query_id, &b->u.explain.query_id) &&
               ast_stmt_equal(a->u.explain.stmt, b->u.explain.stmt);
    case AST_PRINT:
        return ast_ident_eq(&a->u.print.topic, &b->u.print.topic) &&
               a->u.print.from_beginning == b->u.print.from_beginning &&
               a->u.print.interval == b->u.print.interval && a->u.print.limit == b->u.print.limit;
    case AST_RUN_SCRIPT: return ast_str_eq(a->u.run_script.path, b->u.run_script.path);
    case AST_CREATE_TYPE:
        return ast_ident_eq(&a->u.create_type.name, &b->u.create_type.name) &&
               ast_type_eq(a->u.create_type.type, b->u.create_type.type);
    }
    return false;
}
