/* eval_harness.h — evaluates one SQL expression as a user sees it: the
 * item of `SELECT <expr> FROM S` over one record, compiled (parse,
 * analyze) and applied (plan_apply), shown as the shell shows values.
 * Shared by the function-family tests (test_func_*.c).
 *
 * S: ID INT KEY, I INT = 7, B BIGINT = 10000000000, D DOUBLE = 7.9,
 *    T STRING = 'hello', N INT = NULL, BN BOOLEAN = NULL,
 *    DEC DECIMAL(6, 3) = 12.345, NS STRING = NULL,
 *    AI ARRAY<INT> = [3, NULL, 1, 3], SA ARRAY<STRING> = ['b', 'a', 'b'],
 *    M MAP<STRING, INT> = {x: 1, y: 2}, TS TIMESTAMP = 1589234313000,
 *    DT DATE = 18393, TM TIME = 82713000,
 *    J STRING = '{"a": {"b": [1, 2.50, "c"]}, "k": "v"}'.
 */
#ifndef EDDY_EVAL_HARNESS_H
#define EDDY_EVAL_HARNESS_H

#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "engine/analyze.h"
#include "engine/catalog.h"
#include "engine/plan.h"
#include "parser/parse.h"

static const char *HARNESS_ROW =
    "{\"I\": 7, \"B\": 10000000000, \"D\": 7.9, \"T\": \"hello\", \"N\": null, "
    "\"BN\": null, \"DEC\": 12.345, \"NS\": null, \"AI\": [3, null, 1, 3], "
    "\"SA\": [\"b\", \"a\", \"b\"], \"M\": {\"x\": 1, \"y\": 2}, "
    "\"TS\": 1589234313000, \"DT\": 18393, \"TM\": 82713000, "
    "\"J\": \"{\\\"a\\\": {\\\"b\\\": [1, 2.50, \\\"c\\\"]}, \\\"k\\\": \\\"v\\\"}\"}";

static inline catalog *harness_catalog(void)
{
    static catalog c;
    static sqltype dec = {.kind = TYPE_DECIMAL, .precision = 6, .scale = 3};
    catalog_init(&c);
    source *s = catalog_source_new();
    s->name = "S";
    s->topic = "s";
    s->kind = SOURCE_STREAM;
    s->key_format = (fmt){.kind = FORMAT_KAFKA};
    s->value_format = (fmt){.kind = FORMAT_JSON};
    s->partitions = 1;
    static arena types; /* the composite column types, made once */
    static sqltype *ai, *sa, *m;
    if (!ai) {
        arena_init(&types, 1024);
        ai = (sqltype *)types_array(&types, types_scalar(TYPE_INT));
        sa = (sqltype *)types_array(&types, types_scalar(TYPE_STRING));
        m = (sqltype *)types_map(&types, types_scalar(TYPE_STRING), types_scalar(TYPE_INT));
    }
    static column cols[16];
    cols[0] = (column){.name = "ID", .type = types_scalar(TYPE_INT), .key = true};
    cols[1] = (column){.name = "I", .type = types_scalar(TYPE_INT), .key = false};
    cols[2] = (column){.name = "B", .type = types_scalar(TYPE_BIGINT), .key = false};
    cols[3] = (column){.name = "D", .type = types_scalar(TYPE_DOUBLE), .key = false};
    cols[4] = (column){.name = "T", .type = types_scalar(TYPE_STRING), .key = false};
    cols[5] = (column){.name = "N", .type = types_scalar(TYPE_INT), .key = false};
    cols[6] = (column){.name = "BN", .type = types_scalar(TYPE_BOOLEAN), .key = false};
    cols[7] = (column){.name = "DEC", .type = &dec, .key = false};
    cols[8] = (column){.name = "NS", .type = types_scalar(TYPE_STRING), .key = false};
    cols[9] = (column){.name = "AI", .type = ai, .key = false};
    cols[10] = (column){.name = "SA", .type = sa, .key = false};
    cols[11] = (column){.name = "M", .type = m, .key = false};
    cols[12] = (column){.name = "TS", .type = types_scalar(TYPE_TIMESTAMP), .key = false};
    cols[13] = (column){.name = "DT", .type = types_scalar(TYPE_DATE), .key = false};
    cols[14] = (column){.name = "TM", .type = types_scalar(TYPE_TIME), .key = false};
    cols[15] = (column){.name = "J", .type = types_scalar(TYPE_STRING), .key = false};
    s->schema.cols = cols;
    s->schema.n = 16;
    catalog_add(&c, s);
    return &c;
}

/* Evaluates `SELECT <expr_sql> FROM S` over the row; returns the value as
 * text (a static buffer, valid until the next call), or "ERROR: <message>"
 * when compiling or evaluating fails. */
static inline char *eval(const char *expr_sql)
{
    static char result[1024];
    catalog *c = harness_catalog();
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT %s FROM S EMIT CHANGES;", expr_sql);
    arena a;
    arena_init(&a, 4096);
    parser p;
    parser_init(&p, &a, sql, strlen(sql));
    err e;
    err_clear(&e);
    ast_stmt *st = parse_next(&p, &e);
    plan *pl = st ? analyze_query(c, st->u.select, &e) : NULL;
    if (!pl) {
        snprintf(result, sizeof result, "ERROR: %s", e.msg);
    } else {
        uint8_t key[4] = {0, 0, 0, 1};
        log_record rec = {.offset = 5, .timestamp = 1000, .key = key, .key_len = 4,
                          .value = (const uint8_t *)HARNESS_ROW, .value_len = (int32_t)strlen(HARNESS_ROW)};
        value *row = arena_alloc(&a, sizeof(value) * (size_t)pl->nrow), out[4];
        eval_ctx cx = {.a = &a, .e = &e};
        plan_result r = plan_apply(pl, &rec, 0, row, out, &cx);
        if (r == PLAN_EMIT && cx.column_errors) /* the column failed: NULL in a stream */
            r = PLAN_ERROR;
        buf b = BUF_INIT;
        if (r == PLAN_EMIT)
            value_to_text(&out[0], pl->out.schema.cols[0].type, &b);
        snprintf(result, sizeof result, "%s%s", r == PLAN_EMIT ? "" : "ERROR: ",
                 r == PLAN_EMIT ? (b.data ? b.data : "") : e.msg);
        buf_free(&b);
        plan_free(pl);
    }
    arena_free(&a);
    catalog_free(c);
    return result;
}

/* The type of `SELECT <expr_sql> FROM S`'s column, as DESCRIBE shows it. */
static inline char *eval_type(const char *expr_sql)
{
    static char result[256];
    catalog *c = harness_catalog();
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT %s FROM S EMIT CHANGES;", expr_sql);
    arena a;
    arena_init(&a, 4096);
    parser p;
    parser_init(&p, &a, sql, strlen(sql));
    err e;
    err_clear(&e);
    ast_stmt *st = parse_next(&p, &e);
    plan *pl = st ? analyze_query(c, st->u.select, &e) : NULL;
    if (!pl) {
        snprintf(result, sizeof result, "ERROR: %s", e.msg);
    } else {
        buf b = BUF_INIT;
        types_print(pl->out.schema.cols[0].type, &b);
        snprintf(result, sizeof result, "%s", b.data ? b.data : "");
        buf_free(&b);
        plan_free(pl);
    }
    arena_free(&a);
    catalog_free(c);
    return result;
}

#endif
