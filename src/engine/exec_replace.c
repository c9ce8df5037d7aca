/* exec_replace.c — what CREATE OR REPLACE may change, as ksqlDB's
 * in-place upgrades allow it.  Only checks: exec_ddl.c builds the new
 * source or query as for a plain CREATE, asks here whether it may take
 * the old one's place, then swaps them.
 *
 * A declared stream or table (CREATE STREAM ... WITH) keeps its kind,
 * topic, formats and windowing; its columns may only grow: the old ones
 * stay, in order, with their types and keys, and new value columns come
 * last (readers that know the old columns still read new records).  A
 * source stream or table (CREATE SOURCE ...) cannot be replaced.
 *
 * A query's result (CREATE ... AS SELECT) is replaced by a new query with
 * the old one's id, so it resumes from the committed offsets and writes
 * the same topic: nothing already written is written again.  The columns
 * follow the same rule, and the query must read the same source with the
 * same PARTITION BY (the keys of what is there must not change).  Queries
 * with state (GROUP BY, JOIN) cannot be replaced yet: their state was
 * built by the old query. */
#include <stdio.h>
#include <string.h>

#include "../parser/parse.h"
#include "engine_internal.h"

static const char *kind_word(source_kind k) { return k == SOURCE_STREAM ? "stream" : "table"; }

static void column_text(const column *c, buf *out)
{
    buf_printf(out, "`%s` ", c->name);
    types_print(c->type, out);
    if (c->key)
        buf_puts(out, " KEY");
}

/* The old columns must open the new ones, unchanged; the rest must be
 * value columns. */
static int check_columns(exec_ctx *x, const char *name, source_kind kind, const schema *old, const schema *now,
                         const ast_ident *at)
{
    buf bad = BUF_INIT;
    for (int i = 0; i < old->n; i++) {
        const column *o = &old->cols[i], *c = i < now->n ? &now->cols[i] : NULL;
        if (!c || strcmp(o->name, c->name) || o->key != c->key || !types_equal(o->type, c->type)) {
            buf_puts(&bad, bad.len ? ", " : "");
            column_text(o, &bad);
        }
    }
    for (int i = old->n; i < now->n && !bad.len; i++)
        if (now->cols[i].key) {
            buf_puts(&bad, "new key ");
            column_text(&now->cols[i], &bad);
        }
    if (!bad.len)
        return 0;
    err_at(x->e, ERR_INVALID, at->span.off, at->span.len,
           "Cannot replace %s %s: its columns can only be extended with new value columns at the end; "
           "changed, missing, moved or added as a key: %s",
           kind_word(kind), name, bad.data);
    err_hint(x->e, "to change it otherwise, DROP %s and create it again", name);
    buf_free(&bad);
    return -1;
}

static int check_same(exec_ctx *x, const char *name, source_kind kind, const char *what, const char *was,
                      const char *now, const ast_ident *at)
{
    if (!strcmp(was, now))
        return 0;
    return err_at(x->e, ERR_INVALID, at->span.off, at->span.len, "Cannot replace %s %s: its %s cannot change (%s -> %s)",
                  kind_word(kind), name, what, was, now);
}

/* What any replacement keeps: not a source stream/table, the kind, the
 * topic and formats, the columns' rule. */
static int check_common(exec_ctx *x, const source *old, const source *s, bool read_only, const ast_ident *at)
{
    if (old->read_only || read_only)
        return err_at(x->e, ERR_INVALID, at->span.off, at->span.len,
                      "Cannot add %s '%s': CREATE OR REPLACE is not supported on source %ss.", kind_word(old->kind),
                      old->name, kind_word(old->kind));
    if (old->kind != s->kind)
        return err_at(x->e, ERR_INVALID, at->span.off, at->span.len,
                      "Cannot replace %s %s with a %s: DROP it first", kind_word(old->kind), old->name,
                      kind_word(s->kind));
    if (check_same(x, old->name, old->kind, "topic", old->topic, s->topic, at) ||
        check_same(x, old->name, old->kind, "key format", format_name(old->key_format.kind),
                   format_name(s->key_format.kind), at) ||
        check_same(x, old->name, old->kind, "value format", format_name(old->value_format.kind),
                   format_name(s->value_format.kind), at))
        return -1;
    if (old->window_kind != s->window_kind || old->window_size != s->window_size)
        return err_at(x->e, ERR_INVALID, at->span.off, at->span.len, "Cannot replace %s %s: its windowing cannot change",
                      kind_word(old->kind), old->name);
    return check_columns(x, old->name, old->kind, &old->schema, &s->schema, at);
}

int engine__replace_source(exec_ctx *x, const source *old, const source *s)
{
    const ast_ident *at = &x->stmt->u.create.name;
    if (old->derived && !old->read_only)
        return err_at(x->e, ERR_INVALID, at->span.off, at->span.len,
                      "Cannot replace %s %s: it is the result of a query; use CREATE OR REPLACE %s %s AS SELECT ...",
                      kind_word(old->kind), old->name, old->kind == SOURCE_STREAM ? "STREAM" : "TABLE", old->name);
    return check_common(x, old, s, x->stmt->u.create.read_only, at);
}

/* The PARTITION BY expressions of a query, as SQL text. */
static void partition_text(const ast_query *q, buf *out)
{
    for (int i = 0; q && i < q->npartition_by; i++) {
        buf_puts(out, i ? ", " : "");
        ast_print_expr(q->partition_by[i], out);
    }
}

/* The old statement's PARTITION BY against the new one's. */
static bool same_partitioning(const source *old, const ast_query *now)
{
    arena a;
    arena_init(&a, 4096);
    ast_stmt *st = parse_stored(&a, old->sql);
    buf was = BUF_INIT, is = BUF_INIT;
    partition_text(st && st->kind == AST_CREATE_AS ? st->u.create_as.query : NULL, &was);
    partition_text(now, &is);
    bool same = st && st->kind == AST_CREATE_AS && !strcmp(was.data ? was.data : "", is.data ? is.data : "");
    buf_free(&was);
    buf_free(&is);
    arena_free(&a);
    return same;
}

int engine__replace_query(exec_ctx *x, const source *old, const source *s, const plan *p)
{
    const ast_ident *at = &x->stmt->u.create_as.name;
    const ast_query *aq = x->stmt->u.create_as.query;
    if (!old->derived)
        return err_at(x->e, ERR_INVALID, at->span.off, at->span.len,
                      "Cannot replace %s %s: it was declared by CREATE %s, not created by a query", kind_word(old->kind),
                      old->name, old->kind == SOURCE_STREAM ? "STREAM" : "TABLE");
    query *q = old->writer ? engine__find_query(x->en, old->writer) : NULL;
    if (q && old->kind == s->kind && (q->plan->agg || q->plan->join || p->agg || p->join))
        return err_at(x->e, ERR_UNSUPPORTED, aq->span.off, aq->span.len,
                      "Cannot replace %s %s: replacing a query with GROUP BY or JOIN is not supported yet (its state "
                      "was built by query %s)",
                      kind_word(old->kind), old->name, q->id);
    if (check_common(x, old, s, false, at))
        return -1;
    if (!q)
        return 0; /* no query writes it any more: the new one starts afresh */
    const plan *was = q->plan;
    if (strcmp(was->in.name, p->in.name))
        return err_at(x->e, ERR_INVALID, aq->from.span.off, aq->from.span.len,
                      "Cannot replace %s %s: query %s reads %s, the new query reads %s; a replacing query must read "
                      "the same source",
                      kind_word(old->kind), old->name, q->id, was->in.name, p->in.name);
    if (!same_partitioning(old, aq))
        return err_at(x->e, ERR_INVALID, aq->span.off, aq->span.len,
                      "Cannot replace %s %s: its PARTITION BY cannot change (the keys of its records would)",
                      kind_word(old->kind), old->name);
    return 0;
}
