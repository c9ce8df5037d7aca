/* exec_explain.c — EXPLAIN <query>, EXPLAIN CREATE ... AS SELECT, EXPLAIN
 * <query id>: the operators a query runs, from its sink down to its
 * sources, one per line, each with what it does (the expressions as
 * written), its keys and the state it keeps.  Nothing is run or created.
 * Runs under the engine lock, as every dispatched statement.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../parser/ast.h"
#include "../parser/parse.h"
#include "analyze.h"
#include "engine_internal.h"
#include "serde.h"

static void line(exec_ctx *x, int depth, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void line(exec_ctx *x, int depth, const char *fmt, ...)
{
    if (!x->out || !x->out->message)
        return;
    char text[2048];
    int n = snprintf(text, sizeof text, "%*s> ", 2 * depth, "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
    va_end(ap);
    x->out->message(x->out->ctx, text);
}

/* An expression as written, in a buffer the caller frees. */
static const char *text_of(const ast_expr *e, buf *b)
{
    buf_reset(b);
    if (e)
        ast_print_expr(e, b);
    return b->data ? b->data : "";
}

static void columns_of(const schema *s, buf *b)
{
    buf_reset(b);
    for (int i = 0; i < s->n; i++) {
        buf_printf(b, "%s%s ", i ? ", " : "", s->cols[i].name);
        types_print(s->cols[i].type, b);
        if (s->cols[i].key)
            buf_puts(b, " KEY");
    }
    if (!b->data)
        buf_puts(b, "");
}

static const char *join_kind(const plan_join *j)
{
    if (j->left_outer && j->right_outer)
        return "FULL OUTER";
    return j->left_outer ? "LEFT" : j->right_outer ? "RIGHT" : "INNER";
}

static void source_line(exec_ctx *x, int depth, const plan_io *io, const char *alias)
{
    line(x, depth, "[ SOURCE ] %s %s%s%s | topic %s (%d partition%s, key %s, value %s)", io->is_table ? "TABLE" : "STREAM",
         io->name, alias ? " AS " : "", alias ? alias : "", io->topic, io->partitions, io->partitions == 1 ? "" : "s",
         format_name(io->key_format.kind), format_name(io->value_format.kind));
}

/* The joins of q from the last (the top) down to the FROM source. */
static void explain_joins(exec_ctx *x, int depth, const plan *p, const ast_query *q, buf *t)
{
    for (int i = p->nmore - 1; i >= 0; i--) {
        const plan_join *m = &p->more[i];
        line(x, depth, "[ JOIN ] %s stream-table, ON %s | looks %s up by its primary key in its rows, followed "
                       "from its topic",
             m->left_outer ? "LEFT" : "INNER", text_of(q->joins[i + 1].on, t), m->right.name);
        source_line(x, depth + 2, &m->right, q->joins[i + 1].right.alias.name);
        depth++;
    }
    const plan_join *j = p->join;
    const ast_join *aj = &q->joins[0];
    if (j->stream_stream)
        line(x, depth,
             "[ JOIN ] %s stream-stream WITHIN (%lld ms before, %lld ms after) GRACE %lld ms, ON %s | each side "
             "kept in a window store keyed by its side of ON%s%s",
             join_kind(j), (long long)j->before, (long long)j->after, (long long)j->grace, text_of(aj->on, t),
             j->synthetic_key || (j->left_outer && j->right_outer) ? "; result key ROWKEY" : "",
             j->hold_unmatched ? "; unmatched records held until their window closes" : "");
    else if (j->foreign_key)
        line(x, depth, "[ JOIN ] %s foreign-key table-table, ON %s | keyed by %s's primary key; an index from "
                       "the foreign key to the left rows that have it",
             join_kind(j), text_of(aj->on, t), p->in.name);
    else if (j->table_table)
        line(x, depth, "[ JOIN ] %s table-table on primary keys, ON %s | both tables' rows kept", join_kind(j),
             text_of(aj->on, t));
    else
        line(x, depth, "[ JOIN ] %s stream-table, ON %s | looks %s up by its primary key in its rows, followed "
                       "from its topic",
             join_kind(j), text_of(aj->on, t), j->right.name);
    source_line(x, depth + 1, &p->in, q->from.alias.name);
    source_line(x, depth + 1, &j->right, aj->right.alias.name);
}

static void explain_plan(exec_ctx *x, const plan *p, const ast_query *q, bool table)
{
    buf t = BUF_INIT, cols = BUF_INIT;
    int depth = 0;
    columns_of(&p->out.schema, &cols);
    if (p->has_sink && p->out.topic)
        line(x, depth++, "[ SINK ] %s %s | topic %s (key %s, value %s) | %s", table ? "TABLE" : "STREAM",
             p->out.name, p->out.topic, format_name(p->out.key_format.kind), format_name(p->out.value_format.kind),
             cols.data);
    else if (p->has_sink) /* not created: its topic and formats are settled then */
        line(x, depth++, "[ SINK ] %s %s | %s", table ? "TABLE" : "STREAM", p->out.name, cols.data);
    else
        line(x, depth++, "[ OUTPUT ] %s | %s", q->emit == AST_EMIT_NONE ? "pull query" : "push query", cols.data);
    if (p->limit >= 0)
        line(x, depth++, "[ LIMIT ] %lld", (long long)p->limit);
    line(x, depth++, "[ PROJECT ] %d column%s", p->out.schema.n, p->out.schema.n == 1 ? "" : "s");
    if (p->flatmap)
        line(x, depth++, "[ FLAT MAP ] %d table function%s: a row per value", p->flatmap->nfns,
             p->flatmap->nfns == 1 ? "" : "s");
    if (p->agg) {
        if (q->having)
            line(x, depth++, "[ HAVING ] %s", text_of(q->having, &t));
        buf g = BUF_INIT;
        for (int i = 0; i < q->ngroup_by; i++) {
            buf_printf(&g, "%s", i ? ", " : "");
            ast_print_expr(q->group_by[i], &g);
        }
        const plan_window *w = &p->agg->window;
        static const char *const kinds[] = {"", "TUMBLING", "HOPPING", "SESSION"};
        if (w->kind)
            line(x, depth++, "[ AGGREGATE ] GROUP BY %s, WINDOW %s (size %lld ms, advance %lld ms, grace %lld ms)%s | "
                             "%d aggregate%s; state in a windowed store with a changelog",
                 g.data ? g.data : "()", kinds[w->kind], (long long)w->size, (long long)w->advance,
                 (long long)w->grace, w->emit_final ? ", EMIT FINAL" : "", p->agg->ncalls,
                 p->agg->ncalls == 1 ? "" : "s");
        else
            line(x, depth++, "[ AGGREGATE ] GROUP BY %s | %d aggregate%s; state in a store with a changelog",
                 g.data ? g.data : "()", p->agg->ncalls, p->agg->ncalls == 1 ? "" : "s");
        buf_free(&g);
    }
    if (q->npartition_by) {
        buf g = BUF_INIT;
        for (int i = 0; i < q->npartition_by; i++) {
            buf_printf(&g, "%s", i ? ", " : "");
            ast_print_expr(q->partition_by[i], &g);
        }
        line(x, depth++, "[ PARTITION BY ] %s | records re-keyed before the sink", g.data ? g.data : "");
        buf_free(&g);
    }
    if (q->where)
        line(x, depth++, "[ FILTER ] %s", text_of(q->where, &t));
    if (p->join)
        explain_joins(x, depth, p, q, &t);
    else
        source_line(x, depth, &p->in, q->from.alias.name);
    buf_free(&t);
    buf_free(&cols);
}

/* The query and the sink name a statement runs, or NULL. */
static const ast_query *query_of(const ast_stmt *st, const char **sink)
{
    *sink = NULL;
    switch (st->kind) {
    case AST_SELECT: return st->u.select;
    case AST_CREATE_AS: *sink = st->u.create_as.name.name; return st->u.create_as.query;
    case AST_INSERT_SELECT: *sink = st->u.insert_select.target.name; return st->u.insert_select.query;
    default: return NULL;
    }
}

static int explain_query_id(exec_ctx *x)
{
    const ast_ident *id = &x->stmt->u.explain.query_id;
    query *q = engine__find_query(x->en, id->name);
    if (!q) {
        return err_at(x->e, ERR_UNKNOWN_QUERY, id->span.off, id->span.len, "Query with id:%s does not exist",
                      id->name);
    }
    /* the statement again, for its expressions as written */
    arena a;
    arena_init(&a, 4096);
    const ast_stmt *st = parse_stored(&a, q->sql);
    const char *sink;
    const ast_query *aq = st ? query_of(st, &sink) : NULL;
    int rc = 0;
    if (aq) {
        engine__message(x, "ID                   : %s\nQuery                : %s", q->id, q->sql);
        const source *sink_src = catalog_find(&x->en->cat, q->plan->out.name);
        explain_plan(x, q->plan, aq, sink_src && sink_src->kind == SOURCE_TABLE);
    } else
        rc = err_at(x->e, ERR_INVALID, id->span.off, id->span.len, "query %s: its statement no longer parses",
                    q->id);
    arena_free(&a);
    return rc;
}

int engine__explain(exec_ctx *x)
{
    const ast_stmt *st = x->stmt->u.explain.stmt;
    if (!st)
        return explain_query_id(x);
    const char *sink;
    const ast_query *q = query_of(st, &sink);
    if (!q)
        return err_at(x->e, ERR_INVALID, st->span.off, st->span.len,
                      "EXPLAIN explains a query: SELECT, CREATE STREAM|TABLE ... AS SELECT or INSERT INTO ... "
                      "SELECT, or a running query's id");
    plan *p = analyze_query_for(&x->en->cat, q, sink, x->e); /* under the engine lock (dispatch) */
    if (!p)
        return -1;
    if (sink) { /* what the sink would be; the statement itself is not run */
        p->has_sink = true;
        p->out.name = sink;
        p->out.topic = NULL;
    }
    bool table = st->kind == AST_CREATE_AS && st->u.create_as.source == AST_SOURCE_TABLE;
    if (st->kind == AST_INSERT_SELECT) {
        const source *target = catalog_find(&x->en->cat, sink);
        table = target && target->kind == SOURCE_TABLE;
    }
    explain_plan(x, p, q, table);
    plan_free(p);
    return 0;
}
