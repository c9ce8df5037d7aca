/* exec_show.c — statements that only look: SHOW, DESCRIBE, DESCRIBE
 * FUNCTION, and SET/UNSET of session properties.  Results are rows of
 * text columns, laid out as ksqlDB's CLI shows them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/mem.h"
#include "engine_internal.h"
#include "func.h"
#include "tablefn.h"

#define MAX_COLS 8

/* A result of text columns. */
typedef struct text_table {
    exec_ctx *x;
    schema s;
    column cols[MAX_COLS];
} text_table;

static void table_begin(text_table *t, exec_ctx *x, int n, ...)
{
    t->x = x;
    t->s.cols = t->cols;
    t->s.n = n;
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        t->cols[i] = (column){.name = va_arg(ap, const char *), .type = types_scalar(TYPE_STRING), .key = false};
    va_end(ap);
    if (x->out && x->out->header)
        x->out->header(x->out->ctx, &t->s, false);
}

static void table_row(text_table *t, ...)
{
    value v[MAX_COLS];
    va_list ap;
    va_start(ap, t);
    for (int i = 0; i < t->s.n; i++) {
        const char *s = va_arg(ap, const char *);
        v[i] = s ? value_string(s, (uint32_t)strlen(s)) : value_null();
    }
    va_end(ap);
    if (t->x->out && t->x->out->row)
        t->x->out->row(t->x->out->ctx, v);
}

static void table_end(text_table *t)
{
    if (t->x->out && t->x->out->footer)
        t->x->out->footer(t->x->out->ctx, NULL);
}

static void show_sources(exec_ctx *x, source_kind kind)
{
    text_table t;
    table_begin(&t, x, 5, kind == SOURCE_STREAM ? "Stream Name" : "Table Name", "Kafka Topic", "Key Format",
                "Value Format", "Windowed");
    for (int i = 0; i < x->en->cat.n; i++) {
        source *s = x->en->cat.sources[i];
        if (s->kind == kind)
            table_row(&t, s->name, s->topic, format_name(s->key_format.kind), format_name(s->value_format.kind),
                      s->window_kind ? "true" : "false");
    }
    table_end(&t);
}

typedef struct topic_rows {
    text_table *t;
} topic_rows;

static void topic_row(void *ctx, log_topic *lt)
{
    topic_rows *tr = ctx;
    if (log_topic_name(lt)[0] == '_')
        return; /* internal topics */
    char parts[16];
    snprintf(parts, sizeof parts, "%d", log_topic_partitions(lt));
    table_row(tr->t, log_topic_name(lt), parts, "1");
}

static void show_topics(exec_ctx *x)
{
    text_table t;
    table_begin(&t, x, 3, "Kafka Topic", "Partitions", "Partition Replicas");
    topic_rows tr = {&t};
    log_topic_each(x->en->log, topic_row, &tr);
    table_end(&t);
}

static void show_queries(exec_ctx *x)
{
    text_table t;
    table_begin(&t, x, 6, "Query ID", "Query Type", "Status", "Sink Name", "Sink Kafka Topic", "Query String");
    for (int i = 0; i < x->en->nqueries; i++) {
        query *q = x->en->queries[i];
        char status[64];
        snprintf(status, sizeof status, q->errors ? "RUNNING:1 (%llu errors)" : "RUNNING:1",
                 (unsigned long long)q->errors);
        table_row(&t, q->id, "PERSISTENT", status, q->plan->out.name, q->plan->out.topic, q->sql);
    }
    table_end(&t);
}

static void show_functions(exec_ctx *x)
{
    text_table t;
    table_begin(&t, x, 2, "Function Name", "Category");
    for (int i = 0; i < func_count(); i++)
        table_row(&t, func_at(i)->name, func_at(i)->category);
    for (int i = 0; i < tablefn_count(); i++)
        table_row(&t, tablefn_at(i)->name, "TABLE");
    table_end(&t);
}

static void show_properties(exec_ctx *x)
{
    text_table t;
    table_begin(&t, x, 3, "Property", "Scope", "Value");
    const char *reset = engine_session_get(x->session, "auto.offset.reset");
    table_row(&t, "auto.offset.reset", "SESSION", reset ? reset : "latest");
    for (int i = 0; i < x->session->n; i++)
        if (strcasecmp(x->session->keys[i], "auto.offset.reset"))
            table_row(&t, x->session->keys[i], "SESSION", x->session->values[i]);
    table_end(&t);
}

static void show_types(exec_ctx *x)
{
    text_table t;
    table_begin(&t, x, 2, "Type Name", "Schema");
    for (int i = 0; i < x->en->cat.ntypes; i++) {
        buf text = BUF_INIT;
        types_print(x->en->cat.types[i]->type, &text);
        table_row(&t, x->en->cat.types[i]->name, text.data);
        buf_free(&text);
    }
    table_end(&t);
}

int engine__show(exec_ctx *x)
{
    switch (x->stmt->u.show.what) {
    case AST_SHOW_STREAMS: show_sources(x, SOURCE_STREAM); return 0;
    case AST_SHOW_TABLES: show_sources(x, SOURCE_TABLE); return 0;
    case AST_SHOW_TOPICS: show_topics(x); return 0;
    case AST_SHOW_QUERIES: show_queries(x); return 0;
    case AST_SHOW_FUNCTIONS: show_functions(x); return 0;
    case AST_SHOW_PROPERTIES: show_properties(x); return 0;
    case AST_SHOW_TYPES: show_types(x); return 0;
    default:
        return err_at(x->e, ERR_UNSUPPORTED, x->stmt->span.off, x->stmt->span.len,
                      "this SHOW statement is not supported yet");
    }
}

/* DESCRIBE EXTENDED: a query's state store, and how it was restored. */
static void describe_state(exec_ctx *x, const query *q)
{
    engine__message(x, "  state: %zu entries, %zu bytes; restored from %s + %llu log records; %llu checkpoints "
                       "written%s%s",
                    kvstore_count(q->store), kvstore_memory(q->store),
                    q->state_from_checkpoint ? "a checkpoint" : "no checkpoint",
                    (unsigned long long)q->state_replayed, (unsigned long long)q->state_checkpoints,
                    q->state_note[0] ? "; " : "", q->state_note);
}

int engine__describe(exec_ctx *x)
{
    const ast_ident *id = &x->stmt->u.describe.name;
    source *s = catalog_find(&x->en->cat, id->name);
    if (!s) {
        err_at(x->e, ERR_UNKNOWN_SOURCE, id->span.off, id->span.len, "Could not find STREAM/TABLE '%s' in the Metastore",
               id->name);
        const char *near = catalog_suggest(&x->en->cat, id->name);
        if (near)
            err_hint(x->e, "did you mean %s?", near);
        return -1;
    }
    engine__message(x, "Name                 : %s\nType                 : %s\nKafka topic          : %s (partitions: %d)\n"
                       "Key format           : %s\nValue format         : %s",
                    s->name, source_kind_name(s->kind), s->topic, s->partitions, format_name(s->key_format.kind),
                    format_name(s->value_format.kind));
    text_table t;
    table_begin(&t, x, 2, "Field", "Type");
    for (int i = 0; i < s->schema.n; i++) {
        buf type = BUF_INIT;
        types_print(s->schema.cols[i].type, &type);
        if (s->schema.cols[i].key)
            buf_puts(&type, s->kind == SOURCE_STREAM ? "  (key)" : "  (primary key)");
        else if (s->schema.cols[i].header && s->schema.cols[i].header_key)
            buf_printf(&type, "  (header('%s'))", s->schema.cols[i].header_key);
        else if (s->schema.cols[i].header)
            buf_puts(&type, "  (headers)");
        table_row(&t, s->schema.cols[i].name, type.data);
        buf_free(&type);
    }
    table_end(&t);
    if (x->stmt->u.describe.extended || s->writer) {
        for (int i = 0; i < x->en->nqueries; i++) {
            query *q = x->en->queries[i];
            if (strcmp(q->plan->out.name, s->name) && strcmp(q->plan->in.name, s->name))
                continue;
            engine__message(x, "%s %s: %s\n  processed %llu, emitted %llu, late %llu, errors %llu%s%s",
                            !strcmp(q->plan->out.name, s->name) ? "Writer" : "Reader", q->id, q->sql,
                            (unsigned long long)q->processed, (unsigned long long)q->emitted,
                            (unsigned long long)q->late, (unsigned long long)q->errors,
                            q->errors ? "; last: " : "", q->last_error);
            if (x->stmt->u.describe.extended && q->store)
                describe_state(x, q);
        }
    }
    return 0;
}

int engine__describe_function(exec_ctx *x)
{
    const ast_ident *id = &x->stmt->u.describe.name;
    const func_def *f = func_find(id->name);
    const tablefn_def *tf = f ? NULL : tablefn_find(id->name);
    if (tf) {
        engine__message(x, "Name        : %s\nCategory    : TABLE\nSignature   : %s\nDescription : %s", tf->name,
                        tf->signature, tf->description);
        return 0;
    }
    if (!f)
        return err_at(x->e, ERR_UNKNOWN_FUNCTION, id->span.off, id->span.len, "Can't find any functions with the name '%s'",
                      id->name);
    engine__message(x, "Name        : %s\nCategory    : %s\nSignature   : %s\nDescription : %s", f->name, f->category,
                    f->signature, f->description);
    return 0;
}

int engine__set(exec_ctx *x)
{
    const ast_stmt *st = x->stmt;
    engine_session *s = x->session;
    const char *name = st->u.set.name;
    if (st->kind == AST_SET && !strcasecmp(name, "auto.offset.reset") &&
        strcasecmp(st->u.set.value, "earliest") && strcasecmp(st->u.set.value, "latest"))
        return err_at(x->e, ERR_INVALID, st->span.off, st->span.len,
                      "Invalid value %s for configuration auto.offset.reset: String must be one of: latest, earliest, none",
                      st->u.set.value);
    for (int i = 0; i < s->n; i++)
        if (!strcasecmp(s->keys[i], name)) {
            free(s->keys[i]);
            free(s->values[i]);
            memmove(&s->keys[i], &s->keys[i + 1], sizeof(char *) * (size_t)(s->n - i - 1));
            memmove(&s->values[i], &s->values[i + 1], sizeof(char *) * (size_t)(s->n - i - 1));
            s->n--;
            break;
        }
    if (st->kind == AST_UNSET) {
        engine__message(x, "Successfully unset local property '%s'.", name);
        return 0;
    }
    s->keys = mem_realloc(s->keys, sizeof(char *) * (size_t)(s->n + 1));
    s->values = mem_realloc(s->values, sizeof(char *) * (size_t)(s->n + 1));
    s->keys[s->n] = mem_strdup(name);
    s->values[s->n++] = mem_strdup(st->u.set.value);
    engine__message(x, "Successfully changed local property '%s' to '%s'.", name, st->u.set.value);
    return 0;
}
