/* test_parse — the SQL parser: one behaviour per test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "parser/ast.h"
#include "parser/parse.h"

/* ---- helpers ------------------------------------------------------------- */

static arena A;

static int setup(void **state)
{
    arena_init(&A, 0);
    return 0;
}

static int teardown(void **state)
{
    arena_free(&A);
    return 0;
}

/* Parses exactly one statement, failing the test on any error. */
static ast_stmt *parse1(const char *sql)
{
    parser p;
    err e;
    parser_init(&p, &A, sql, strlen(sql));
    ast_stmt *s = parse_next(&p, &e);
    if (!s) {
        buf b = BUF_INIT;
        err_render(&e, sql, strlen(sql), &b);
        fail_msg("parse of <%s> failed: %s", sql, b.data ? b.data : "(no statement)");
    }
    ast_stmt *more = parse_next(&p, &e);
    assert_null(more);
    assert_int_equal(e.code, ERR_OK);
    return s;
}

static ast_expr *expr1(const char *sql)
{
    parser p;
    err e;
    parser_init(&p, &A, sql, strlen(sql));
    ast_expr *x = parse_expression(&p, &e);
    if (!x)
        fail_msg("expression <%s> failed: %s", sql, e.msg);
    return x;
}

/* The rendered error of the first statement of sql (caller frees). */
static char *error_of(const char *sql, err_code *code)
{
    parser p;
    err e;
    buf b = BUF_INIT;
    parser_init(&p, &A, sql, strlen(sql));
    ast_stmt *s = parse_next(&p, &e);
    if (s)
        fail_msg("<%s> parsed but should not have", sql);
    assert_int_not_equal(e.code, ERR_OK);
    if (code)
        *code = e.code;
    err_render(&e, sql, strlen(sql), &b);
    return buf_take(&b);
}

static void assert_error(const char *sql, const char *expected_prefix)
{
    char *text = error_of(sql, NULL);
    if (strncmp(text, expected_prefix, strlen(expected_prefix)) != 0)
        fail_msg("error for <%s>:\n%s\nexpected to start with:\n%s", sql, text, expected_prefix);
    free(text);
}

static void assert_error_contains(const char *sql, const char *needle)
{
    char *text = error_of(sql, NULL);
    if (!strstr(text, needle))
        fail_msg("error for <%s>:\n%s\nexpected to contain:\n%s", sql, text, needle);
    free(text);
}

/* ---- statements ------------------------------------------------------------ */

static void test_create_stream_with_columns_key_and_props(void **state)
{
    ast_stmt *s = parse1("CREATE STREAM pageviews (id INT KEY, `Url` STRING, ts BIGINT) "
                         "WITH (kafka_topic='pv', value_format='JSON', partitions=4);");
    assert_int_equal(s->kind, AST_CREATE_SOURCE);
    assert_int_equal(s->u.create.source, AST_SOURCE_STREAM);
    assert_string_equal(s->u.create.name.name, "PAGEVIEWS");
    assert_int_equal(s->u.create.ncolumns, 3);
    assert_string_equal(s->u.create.columns[0].name.name, "ID");
    assert_int_equal(s->u.create.columns[0].type->kind, TYPE_INT);
    assert_true(s->u.create.columns[0].key);
    assert_string_equal(s->u.create.columns[1].name.name, "Url");
    assert_true(s->u.create.columns[1].name.quoted);
    assert_false(s->u.create.columns[1].key);
    assert_int_equal(s->u.create.nprops, 3);
    assert_string_equal(s->u.create.props[0].key, "KAFKA_TOPIC");
    assert_int_equal(s->u.create.props[0].value->kind, AST_STRING);
    assert_string_equal(s->u.create.props[0].value->u.str.s, "pv");
    assert_int_equal(s->u.create.props[2].value->kind, AST_INT);
    assert_int_equal(s->u.create.props[2].value->u.i, 4);
}

static void test_create_table_or_replace_if_not_exists_primary_key(void **state)
{
    ast_stmt *s = parse1("create or replace table if not exists users "
                         "(id STRING PRIMARY KEY, name VARCHAR) with (kafka_topic='u')");
    assert_int_equal(s->kind, AST_CREATE_SOURCE);
    assert_int_equal(s->u.create.source, AST_SOURCE_TABLE);
    assert_true(s->u.create.or_replace);
    assert_true(s->u.create.if_not_exists);
    assert_true(s->u.create.columns[0].primary_key);
    assert_int_equal(s->u.create.columns[1].type->kind, TYPE_STRING);
}

static void test_create_stream_header_columns(void **state)
{
    ast_stmt *s = parse1("CREATE STREAM s (h ARRAY<STRUCT<KEY STRING, VALUE BYTES>> HEADERS, "
                         "k BYTES HEADER('trace')) WITH (kafka_topic='t');");
    assert_true(s->u.create.columns[0].headers);
    assert_null(s->u.create.columns[0].header_key);
    assert_true(s->u.create.columns[1].headers);
    assert_string_equal(s->u.create.columns[1].header_key, "trace");
}

static void test_column_types_nest(void **state)
{
    ast_stmt *s = parse1("CREATE STREAM s (a MAP<STRING, ARRAY<DECIMAL(10, 2)>>, "
                         "b STRUCT<x INT, `y` DATE, z TIMESTAMP>, c TIME, d BOOLEAN, e DOUBLE) "
                         "WITH (kafka_topic='t');");
    ast_type *a = s->u.create.columns[0].type;
    assert_int_equal(a->kind, TYPE_MAP);
    assert_int_equal(a->key->kind, TYPE_STRING);
    assert_int_equal(a->value->kind, TYPE_ARRAY);
    assert_int_equal(a->value->elem->kind, TYPE_DECIMAL);
    assert_int_equal(a->value->elem->precision, 10);
    assert_int_equal(a->value->elem->scale, 2);
    ast_type *b = s->u.create.columns[1].type;
    assert_int_equal(b->kind, TYPE_STRUCT);
    assert_int_equal(b->nfields, 3);
    assert_string_equal(b->fields[1].name.name, "y");
    assert_int_equal(b->fields[2].type->kind, TYPE_TIMESTAMP);
}

static void test_non_reserved_keywords_are_column_names(void **state)
{
    ast_stmt *s = parse1("CREATE STREAM s (key STRING KEY, value INT, size INT, timestamp BIGINT, "
                         "date DATE, time TIME, type STRING, window_start INT, day INT, emit INT) "
                         "WITH (kafka_topic='t');");
    assert_int_equal(s->u.create.ncolumns, 10);
    assert_string_equal(s->u.create.columns[0].name.name, "KEY");
    assert_true(s->u.create.columns[0].key);
    assert_string_equal(s->u.create.columns[2].name.name, "SIZE");
    assert_string_equal(s->u.create.columns[9].name.name, "EMIT");
    s = parse1("SELECT key, size, timestamp, type FROM s WHERE value > 1 EMIT CHANGES;");
    assert_int_equal(s->u.select->nitems, 4);
    assert_string_equal(s->u.select->items[2].expr->u.col.name.name, "TIMESTAMP");
}

static void test_insert_values_with_columns(void **state)
{
    ast_stmt *s = parse1("INSERT INTO s (id, name) VALUES (1, 'it''s');");
    assert_int_equal(s->kind, AST_INSERT_VALUES);
    assert_string_equal(s->u.insert_values.target.name, "S");
    assert_int_equal(s->u.insert_values.ncolumns, 2);
    assert_int_equal(s->u.insert_values.nvalues, 2);
    assert_string_equal(s->u.insert_values.values[1]->u.str.s, "it's");
    s = parse1("INSERT INTO s VALUES (NULL, -1.5)");
    assert_int_equal(s->u.insert_values.ncolumns, 0);
    assert_int_equal(s->u.insert_values.values[0]->kind, AST_NULL);
    assert_int_equal(s->u.insert_values.values[1]->kind, AST_UNARY);
}

static void test_select_where_emit_limit(void **state)
{
    ast_stmt *s = parse1("SELECT id, name AS n, amount * 2 total FROM orders o "
                         "WHERE amount > 10 EMIT CHANGES LIMIT 5;");
    assert_int_equal(s->kind, AST_SELECT);
    ast_query *q = s->u.select;
    assert_int_equal(q->nitems, 3);
    assert_string_equal(q->items[1].alias.name, "N");
    assert_string_equal(q->items[2].alias.name, "TOTAL");
    assert_string_equal(q->from.name.name, "ORDERS");
    assert_string_equal(q->from.alias.name, "O");
    assert_non_null(q->where);
    assert_int_equal(q->emit, AST_EMIT_CHANGES);
    assert_int_equal(q->limit, 5);
}

static void test_pull_query_has_no_emit_and_no_limit(void **state)
{
    ast_stmt *s = parse1("SELECT * FROM t WHERE id = 'k';");
    assert_int_equal(s->u.select->emit, AST_EMIT_NONE);
    assert_int_equal(s->u.select->limit, -1);
    assert_int_equal(s->u.select->items[0].expr->kind, AST_STAR);
    assert_null(s->u.select->items[0].expr->u.col.qualifier.name);
}

static void test_qualified_star_and_columns(void **state)
{
    ast_stmt *s = parse1("SELECT o.*, c.name FROM orders o JOIN customers c ON o.cid = c.id "
                         "EMIT CHANGES;");
    ast_expr *star = s->u.select->items[0].expr;
    assert_int_equal(star->kind, AST_STAR);
    assert_string_equal(star->u.col.qualifier.name, "O");
    ast_expr *col = s->u.select->items[1].expr;
    assert_int_equal(col->kind, AST_COLUMN);
    assert_string_equal(col->u.col.qualifier.name, "C");
    assert_string_equal(col->u.col.name.name, "NAME");
}

static void test_show_and_list(void **state)
{
    ast_stmt *s = parse1("SHOW STREAMS;");
    assert_int_equal(s->kind, AST_SHOW);
    assert_int_equal(s->u.show.what, AST_SHOW_STREAMS);
    assert_false(s->u.show.extended);
    s = parse1("list tables extended");
    assert_int_equal(s->u.show.what, AST_SHOW_TABLES);
    assert_true(s->u.show.extended);
    assert_int_equal(parse1("SHOW QUERIES")->u.show.what, AST_SHOW_QUERIES);
    assert_int_equal(parse1("SHOW TOPICS")->u.show.what, AST_SHOW_TOPICS);
    assert_int_equal(parse1("SHOW FUNCTIONS")->u.show.what, AST_SHOW_FUNCTIONS);
    assert_int_equal(parse1("SHOW PROPERTIES")->u.show.what, AST_SHOW_PROPERTIES);
    assert_int_equal(parse1("SHOW VARIABLES")->u.show.what, AST_SHOW_VARIABLES);
    assert_int_equal(parse1("SHOW TYPES")->u.show.what, AST_SHOW_TYPES);
}

static void test_describe_forms(void **state)
{
    ast_stmt *s = parse1("DESCRIBE pageviews;");
    assert_int_equal(s->kind, AST_DESCRIBE);
    assert_false(s->u.describe.extended);
    assert_string_equal(s->u.describe.name.name, "PAGEVIEWS");
    s = parse1("DESCRIBE EXTENDED pageviews;");
    assert_true(s->u.describe.extended);
    s = parse1("DESCRIBE FUNCTION substring;");
    assert_int_equal(s->kind, AST_DESCRIBE_FUNCTION);
    assert_string_equal(s->u.describe.name.name, "SUBSTRING");
    s = parse1("DESCRIBE STREAMS;");
    assert_int_equal(s->kind, AST_SHOW);
    assert_int_equal(s->u.show.what, AST_SHOW_STREAMS);
    assert_true(s->u.show.extended);
    s = parse1("DESCRIBE TABLES EXTENDED;");
    assert_int_equal(s->u.show.what, AST_SHOW_TABLES);
}

static void test_drop_forms(void **state)
{
    ast_stmt *s = parse1("DROP STREAM IF EXISTS s DELETE TOPIC;");
    assert_int_equal(s->kind, AST_DROP);
    assert_int_equal(s->u.drop.source, AST_SOURCE_STREAM);
    assert_true(s->u.drop.if_exists);
    assert_true(s->u.drop.delete_topic);
    s = parse1("DROP TABLE t;");
    assert_int_equal(s->u.drop.source, AST_SOURCE_TABLE);
    assert_false(s->u.drop.if_exists);
    assert_false(s->u.drop.delete_topic);
    s = parse1("DROP TYPE address;");
    assert_true(s->u.drop.is_type);
    assert_string_equal(s->u.drop.name.name, "ADDRESS");
}

static void test_terminate_pause_resume(void **state)
{
    ast_stmt *s = parse1("TERMINATE CSAS_OUT_3;");
    assert_int_equal(s->kind, AST_TERMINATE);
    assert_string_equal(s->u.terminate.query_id.name, "CSAS_OUT_3");
    assert_false(s->u.terminate.all);
    s = parse1("TERMINATE ALL;");
    assert_true(s->u.terminate.all);
    assert_int_equal(parse1("PAUSE q1")->kind, AST_PAUSE);
    assert_true(parse1("RESUME ALL")->u.terminate.all);
}

static void test_set_accepts_unquoted_numbers_and_booleans(void **state)
{
    assert_string_equal(parse1("SET 'ksql.x'=0;")->u.set.value, "0");
    assert_string_equal(parse1("SET 'ksql.x'=false;")->u.set.value, "false");
    assert_string_equal(parse1("SET 'ksql.x'=-1.5;")->u.set.value, "-1.5");
    assert_error("SET 'ksql.x'=abc;", "line 1:14: syntax error: expected a value (a string in quotes, "
                                      "a number, TRUE or FALSE) but found 'abc'");
}

static void test_struct_star_is_a_whole_select_item(void **state)
{
    ast_stmt *s = parse1("SELECT i.v1->a->*, v2->* FROM s i EMIT CHANGES;");
    ast_expr *x = s->u.select->items[0].expr;
    assert_int_equal(x->kind, AST_STRUCT_STAR);
    assert_int_equal(x->u.deref.base->kind, AST_DEREF);
    assert_string_equal(x->u.deref.base->u.deref.field.name, "A");
    assert_int_equal(s->u.select->items[1].expr->kind, AST_STRUCT_STAR);
    assert_error("SELECT f(v->*) FROM s;",
                 "line 1:13: syntax error: ->* (all fields of a struct) can only be a whole select item");
    assert_error_contains("SELECT v->* + 1 FROM s;", "expected FROM but found '+'");
    assert_error_contains("SELECT * FROM s WHERE v->* = 1;", "can only be a whole select item");
}

static void test_window_may_be_named(void **state)
{
    ast_stmt *s = parse1("SELECT id, COUNT(*) FROM s WINDOW w1 SESSION (1 SECOND) GROUP BY id;");
    assert_int_equal(s->u.select->window.kind, AST_WINDOW_SESSION);
    assert_int_equal(s->u.select->window.size.ms, 1000);
}

static void test_digit_led_name_is_an_alias(void **state)
{
    ast_stmt *s = parse1("SELECT ROUND(v, -1) AS 1R FROM s;");
    assert_string_equal(s->u.select->items[0].alias.name, "1R");
}

static void test_set_unset_define_undefine(void **state)
{
    ast_stmt *s = parse1("SET 'auto.offset.reset' = 'earliest';");
    assert_int_equal(s->kind, AST_SET);
    assert_string_equal(s->u.set.name, "auto.offset.reset");
    assert_string_equal(s->u.set.value, "earliest");
    s = parse1("UNSET 'auto.offset.reset';");
    assert_int_equal(s->kind, AST_UNSET);
    assert_null(s->u.set.value);
    s = parse1("DEFINE env = 'prod';");
    assert_int_equal(s->kind, AST_DEFINE);
    assert_string_equal(s->u.define.name.name, "ENV");
    assert_string_equal(s->u.define.value, "prod");
    s = parse1("UNDEFINE env;");
    assert_int_equal(s->kind, AST_UNDEFINE);
    assert_null(s->u.define.value);
}

/* ---- parse_next protocol ------------------------------------------------ */

static void test_statements_come_one_at_a_time_with_spans(void **state)
{
    const char *sql = " ;; SHOW STREAMS ;\n  DROP TABLE t;;\nSHOW TOPICS";
    parser p;
    err e;
    parser_init(&p, &A, sql, strlen(sql));
    ast_stmt *s = parse_next(&p, &e);
    assert_non_null(s);
    assert_int_equal(s->span.off, 4);
    assert_int_equal(s->span.len, strlen("SHOW STREAMS"));
    s = parse_next(&p, &e);
    assert_int_equal(s->kind, AST_DROP);
    assert_memory_equal(sql + s->span.off, "DROP TABLE t", s->span.len);
    s = parse_next(&p, &e);
    assert_int_equal(s->u.show.what, AST_SHOW_TOPICS);
    assert_null(parse_next(&p, &e));
    assert_int_equal(e.code, ERR_OK);
    assert_null(parse_next(&p, &e));
    assert_int_equal(e.code, ERR_OK);
}

static void test_parsing_resumes_after_a_bad_statement(void **state)
{
    const char *sql = "SELECT FROM x; SHOW TABLES;";
    parser p;
    err e;
    parser_init(&p, &A, sql, strlen(sql));
    assert_null(parse_next(&p, &e));
    assert_int_equal(e.code, ERR_SYNTAX);
    ast_stmt *s = parse_next(&p, &e);
    assert_non_null(s);
    assert_int_equal(s->kind, AST_SHOW);
}

static void test_empty_input_is_end_not_error(void **state)
{
    parser p;
    err e;
    const char *sql = "  -- nothing\n /* here */ ; ";
    parser_init(&p, &A, sql, strlen(sql));
    assert_null(parse_next(&p, &e));
    assert_int_equal(e.code, ERR_OK);
}

static void test_is_complete_needs_a_final_semicolon(void **state)
{
    assert_false(parse_is_complete("", 0));
    assert_false(parse_is_complete("SELECT * FROM s", 15));
    assert_true(parse_is_complete("SELECT * FROM s;", 16));
    assert_true(parse_is_complete("SELECT * FROM s; -- done\n", 25));
    assert_false(parse_is_complete("SELECT ';", 9));
    assert_false(parse_is_complete("SELECT 1; /* ;", 14));
    assert_false(parse_is_complete("SELECT `;", 9));
    assert_false(parse_is_complete("SELECT 1; SELECT 2", 18));
}

/* ---- expressions ------------------------------------------------------------ */

static void test_multiplication_binds_tighter_than_addition(void **state)
{
    ast_expr *x = expr1("1 + 2 * 3");
    assert_int_equal(x->kind, AST_BINARY);
    assert_int_equal(x->u.binary.op, AST_OP_ADD);
    assert_int_equal(x->u.binary.right->u.binary.op, AST_OP_MUL);
}

static void test_subtraction_is_left_associative(void **state)
{
    ast_expr *x = expr1("10 - 2 - 3");
    assert_int_equal(x->u.binary.op, AST_OP_SUB);
    assert_int_equal(x->u.binary.left->kind, AST_BINARY);
    assert_int_equal(x->u.binary.right->u.i, 3);
}

static void test_not_binds_looser_than_comparison_tighter_than_and(void **state)
{
    ast_expr *x = expr1("NOT a = b AND c");
    assert_int_equal(x->u.binary.op, AST_OP_AND);
    ast_expr *n = x->u.binary.left;
    assert_int_equal(n->kind, AST_UNARY);
    assert_int_equal(n->u.unary.op, AST_OP_NOT);
    assert_int_equal(n->u.unary.operand->u.binary.op, AST_OP_EQ);
}

static void test_and_binds_tighter_than_or(void **state)
{
    ast_expr *x = expr1("a OR b AND c");
    assert_int_equal(x->u.binary.op, AST_OP_OR);
    assert_int_equal(x->u.binary.right->u.binary.op, AST_OP_AND);
}

static void test_concat_binds_tighter_than_comparison(void **state)
{
    ast_expr *x = expr1("a || b = c");
    assert_int_equal(x->u.binary.op, AST_OP_EQ);
    assert_int_equal(x->u.binary.left->u.binary.op, AST_OP_CONCAT);
    x = expr1("a || b + c");
    assert_int_equal(x->u.binary.op, AST_OP_CONCAT);
    assert_int_equal(x->u.binary.right->u.binary.op, AST_OP_ADD);
}

static void test_unary_minus_binds_tightest(void **state)
{
    ast_expr *x = expr1("-a * b");
    assert_int_equal(x->u.binary.op, AST_OP_MUL);
    assert_int_equal(x->u.binary.left->kind, AST_UNARY);
    assert_int_equal(x->u.binary.left->u.unary.op, AST_OP_NEG);
}

static void test_parentheses_override_precedence(void **state)
{
    ast_expr *x = expr1("(1 + 2) * 3");
    assert_int_equal(x->u.binary.op, AST_OP_MUL);
    assert_int_equal(x->u.binary.left->u.binary.op, AST_OP_ADD);
}

static void test_literal_kinds(void **state)
{
    assert_int_equal(expr1("42")->kind, AST_INT);
    assert_int_equal(expr1("9223372036854775807")->u.i, INT64_MAX);
    ast_expr *d = expr1("1.50");
    assert_int_equal(d->kind, AST_DECIMAL);
    assert_string_equal(d->u.dec.text, "1.50");
    assert_int_equal(d->u.dec.precision, 3);
    assert_int_equal(d->u.dec.scale, 2);
    d = expr1("0.05");
    assert_int_equal(d->u.dec.precision, 3);
    assert_int_equal(d->u.dec.scale, 2);
    d = expr1("10.0");
    assert_int_equal(d->u.dec.precision, 3);
    assert_int_equal(d->u.dec.scale, 1);
    d = expr1("7.");
    assert_int_equal(d->u.dec.precision, 1);
    assert_int_equal(d->u.dec.scale, 0);
    ast_expr *f = expr1("1.5E3");
    assert_int_equal(f->kind, AST_DOUBLE);
    assert_true(f->u.d == 1500.0);
    assert_int_equal(expr1("'x'")->kind, AST_STRING);
    assert_true(expr1("TRUE")->u.b);
    assert_false(expr1("false")->u.b);
    assert_int_equal(expr1("NULL")->kind, AST_NULL);
}

static void test_decimal_between_minus_one_and_one_gets_scale_plus_one(void **state)
{
    ast_expr *d = expr1("0.8");
    assert_int_equal(d->u.dec.precision, 2);
    assert_int_equal(d->u.dec.scale, 1);
    d = expr1(".005");
    assert_int_equal(d->u.dec.precision, 4);
    assert_int_equal(d->u.dec.scale, 3);
}

static void assert_span_text(const char *src, ast_span sp, const char *text)
{
    if (sp.len != strlen(text) || memcmp(src + sp.off, text, sp.len) != 0)
        fail_msg("span <%.*s>, expected <%s>", (int)sp.len, src + sp.off, text);
}

static void test_nodes_carry_source_spans(void **state)
{
    const char *sql = "SELECT a + b * c AS x, f(y) FROM s AS t JOIN u ON t.k = u.k WINDOW "
                      "TUMBLING (SIZE 5 SECONDS) WHERE NOT z;";
    ast_stmt *s = parse1(sql);
    ast_query *q = s->u.select;
    assert_span_text(sql, q->items[0].expr->span, "a + b * c");
    assert_span_text(sql, q->items[0].expr->u.binary.right->span, "b * c");
    assert_span_text(sql, q->items[0].span, "a + b * c AS x");
    assert_span_text(sql, q->items[1].expr->span, "f(y)");
    assert_span_text(sql, q->from.span, "s AS t");
    assert_span_text(sql, q->joins[0].span, "JOIN u ON t.k = u.k");
    assert_span_text(sql, q->joins[0].on->span, "t.k = u.k");
    assert_span_text(sql, q->window.span, "WINDOW TUMBLING (SIZE 5 SECONDS)");
    assert_span_text(sql, q->window.size.span, "5 SECONDS");
    assert_span_text(sql, q->where->span, "NOT z");
    assert_span_text(sql, s->span,
                     "SELECT a + b * c AS x, f(y) FROM s AS t JOIN u ON t.k = u.k WINDOW "
                     "TUMBLING (SIZE 5 SECONDS) WHERE NOT z");
    s = parse1("CREATE STREAM s (id INT KEY) WITH (kafka_topic='t');");
    assert_span_text("CREATE STREAM s (id INT KEY) WITH (kafka_topic='t');", s->u.create.columns[0].span,
                     "id INT KEY");
}

static void test_most_negative_integer_is_a_literal(void **state)
{
    ast_expr *x = expr1("-9223372036854775808");
    assert_int_equal(x->kind, AST_INT);
    assert_true(x->u.i == INT64_MIN);
}

static void test_integer_overflow_is_a_syntax_error(void **state)
{
    assert_error("SELECT 9223372036854775808 FROM s;",
                 "line 1:8: syntax error: invalid numeric literal: 9223372036854775808 (a BIGINT holds "
                 "-9223372036854775808 to 9223372036854775807)");
    assert_error_contains("SELECT -9223372036854775809 FROM s;",
                          "line 1:9: syntax error: invalid numeric literal: -9223372036854775809");
    assert_error("SELECT * FROM s LIMIT 99999999999999999999;",
                 "line 1:23: syntax error: integer 99999999999999999999 is too large");
}

static void test_double_overflow_is_a_syntax_error(void **state)
{
    assert_error("SELECT 1.7976931348623159E308 FROM s;",
                 "line 1:8: syntax error: number overflows DOUBLE: 1.7976931348623159E308");
}

static void test_predicates(void **state)
{
    ast_expr *x = expr1("a IS NOT NULL");
    assert_int_equal(x->kind, AST_IS_NULL);
    assert_true(x->u.test.negated);
    x = expr1("a IS DISTINCT FROM b + 1");
    assert_int_equal(x->kind, AST_IS_DISTINCT);
    assert_false(x->u.test.negated);
    assert_int_equal(x->u.test.right->kind, AST_BINARY);
    x = expr1("a NOT BETWEEN 1 AND 2 AND b");
    assert_int_equal(x->u.binary.op, AST_OP_AND);
    assert_int_equal(x->u.binary.left->kind, AST_BETWEEN);
    assert_true(x->u.binary.left->u.between.negated);
    x = expr1("a IN (1, 2, 3)");
    assert_int_equal(x->kind, AST_IN);
    assert_int_equal(x->u.in.n, 3);
    x = expr1("name NOT LIKE 'a!%' ESCAPE '!'");
    assert_int_equal(x->kind, AST_LIKE);
    assert_true(x->u.like.negated);
    assert_string_equal(x->u.like.escape->u.str.s, "!");
}

static void test_calls_star_distinct_and_lambdas(void **state)
{
    ast_expr *x = expr1("count(*)");
    assert_int_equal(x->kind, AST_CALL);
    assert_string_equal(x->u.call.name.name, "COUNT");
    assert_true(x->u.call.star);
    x = expr1("COUNT(DISTINCT a)");
    assert_true(x->u.call.distinct);
    x = expr1("transform(xs, x => x + 1)");
    assert_int_equal(x->u.call.args[1]->kind, AST_LAMBDA);
    assert_int_equal(x->u.call.args[1]->u.lambda.nparams, 1);
    x = expr1("reduce(xs, 0, (s, x) => s + x)");
    assert_int_equal(x->u.call.args[2]->u.lambda.nparams, 2);
    x = expr1("f((a), b)");
    assert_int_equal(x->u.call.args[0]->kind, AST_COLUMN);
}

static void test_case_cast_constructors_and_postfix(void **state)
{
    ast_expr *x = expr1("CASE WHEN a > 1 THEN 'big' ELSE 'small' END");
    assert_int_equal(x->kind, AST_CASE);
    assert_null(x->u.kase.operand);
    assert_int_equal(x->u.kase.nwhens, 1);
    x = expr1("CASE a WHEN 1 THEN 'one' WHEN 2 THEN 'two' END");
    assert_non_null(x->u.kase.operand);
    assert_int_equal(x->u.kase.nwhens, 2);
    assert_null(x->u.kase.otherwise);
    x = expr1("CAST(a AS DECIMAL(4, 2))");
    assert_int_equal(x->kind, AST_CAST);
    assert_int_equal(x->u.cast.type->kind, TYPE_DECIMAL);
    x = expr1("ARRAY[1, 2][1]");
    assert_int_equal(x->kind, AST_SUBSCRIPT);
    assert_int_equal(x->u.subscript.base->kind, AST_ARRAY);
    x = expr1("MAP('a' := 1, 'b' := 2)");
    assert_int_equal(x->u.map.n, 2);
    x = expr1("STRUCT(a := 1, `b` := 'x')->a");
    assert_int_equal(x->kind, AST_DEREF);
    assert_string_equal(x->u.deref.field.name, "A");
    x = expr1("INTERVAL 2 SECONDS");
    assert_int_equal(x->kind, AST_INTERVAL);
    assert_int_equal(x->u.interval.ms, 2000);
}

/* ---- errors ------------------------------------------------------------------ */

static void test_error_points_at_the_offending_token(void **state)
{
    assert_error("SELECT a FROM s WHERE (a = 1 FROM x;",
                 "line 1:30: syntax error: expected ')' but found 'FROM'\n"
                 "  SELECT a FROM s WHERE (a = 1 FROM x;\n"
                 "                               ^^^^");
}

static void test_error_on_a_later_line_has_its_line_and_column(void **state)
{
    assert_error("SELECT a,\n       b\nFROM s WHERE;",
                 "line 3:13: syntax error: expected an expression but found ';'");
}

static void test_error_at_end_of_input_points_after_the_last_token(void **state)
{
    assert_error("SELECT * FROM", "line 1:14: syntax error: unexpected end of input, "
                                  "expected a stream or table name");
}

static void test_misspelt_statement_keyword_gets_a_hint(void **state)
{
    assert_error_contains("SELEC * FROM s;", "hint: did you mean SELECT?");
    assert_error_contains("CRAETE STREAM s (a INT);", "hint: did you mean CREATE?");
}

static void test_missing_from_says_so(void **state)
{
    assert_error_contains("SELECT a b c;", "expected FROM but found 'c'");
    assert_error_contains("SELECT a;", "hint: a query reads from a stream or table");
    assert_error_contains("SELECT a b c;", "hint: separate select items with ','");
}

static void test_misspelt_keyword_gets_a_hint(void **state)
{
    assert_error_contains("SELECT * FORM s;", "hint: did you mean FROM?");
}

static void test_reserved_word_as_name_gets_a_hint(void **state)
{
    assert_error_contains("CREATE STREAM select (a INT);", "write `SELECT`");
}

static void test_lexical_error_is_reported_at_its_start(void **state)
{
    assert_error("SELECT 'abc FROM s;", "line 1:8: syntax error: unterminated string");
    assert_error("SELECT a # b FROM s;", "line 1:10: syntax error: unexpected character '#'");
}

static void test_deep_nesting_is_an_error_not_a_crash(void **state)
{
    size_t n = 100000;
    char *sql = malloc(n * 2 + 32);
    strcpy(sql, "SELECT ");
    size_t len = strlen(sql);
    for (size_t i = 0; i < n; i++)
        sql[len++] = '(';
    sql[len++] = '1';
    for (size_t i = 0; i < n; i++)
        sql[len++] = ')';
    strcpy(sql + len, " FROM s;");
    err_code code;
    char *text = error_of(sql, &code);
    assert_int_equal(code, ERR_TOO_DEEP);
    assert_non_null(strstr(text, "nested too deeply"));
    free(text);
    free(sql);
}

static void test_long_operator_chain_is_bounded(void **state)
{
    size_t n = 100000;
    char *sql = malloc(n * 4 + 32);
    strcpy(sql, "SELECT 1");
    size_t len = strlen(sql);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(sql + len, " + 1");
    strcpy(sql + len, " FROM s;");
    err_code code;
    free(error_of(sql, &code));
    assert_int_equal(code, ERR_TOO_DEEP);
    free(sql);
}

static void test_moderate_nesting_is_fine(void **state)
{
    ast_expr *x = expr1("((((((((((((((((((((1))))))))))))))))))))");
    assert_int_equal(x->kind, AST_INT);
}

/* ---- printer round trip ------------------------------------------------------ */

/* parse -> print -> parse gives an equal tree, and printing is stable. */
static void assert_round_trip(const char *sql)
{
    ast_stmt *a = parse1(sql);
    buf b1 = BUF_INIT, b2 = BUF_INIT;
    ast_print_stmt(a, &b1);
    ast_stmt *b = parse1(b1.data);
    if (!ast_stmt_equal(a, b))
        fail_msg("round trip changed <%s>\nprinted as <%s>", sql, b1.data);
    ast_print_stmt(b, &b2);
    assert_string_equal(b1.data, b2.data);
    buf_free(&b1);
    buf_free(&b2);
}

/* Statements covering the grammar; also the seeds of the mutation fuzz. */
static const char *const corpus[] = {
    "CREATE STREAM s (id INT KEY, `Weird name` STRING, `a``b` BIGINT) WITH (kafka_topic='t', "
    "value_format='JSON', partitions=3, replicas=-1, flag=true, ratio=0.5, big=1e10)",
    "CREATE OR REPLACE TABLE IF NOT EXISTS t (id STRING PRIMARY KEY, m MAP<STRING, "
    "ARRAY<STRUCT<a INT, `b` DECIMAL(5, 2)>>>, h BYTES HEADER('x''y'), hs ARRAY<STRUCT<k "
    "STRING, v BYTES>> HEADERS) WITH (kafka_topic='t', 'value.format'='JSON')",
    "CREATE STREAM s WITH (kafka_topic='t', value_format='AVRO')",
    "CREATE TABLE agg WITH (kafka_topic='out') AS SELECT id, COUNT(*) AS n FROM s "
    "WINDOW TUMBLING (SIZE 1 HOUR, RETENTION 7 DAYS, GRACE PERIOD 10 MINUTES) "
    "GROUP BY id EMIT CHANGES",
    "CREATE STREAM j AS SELECT * FROM a INNER JOIN b WITHIN 1 HOUR ON a.id = b.id "
    "LEFT OUTER JOIN c WITHIN (1 SECOND, 2 MINUTES) GRACE PERIOD 3 SECONDS ON a.x = c.x "
    "EMIT CHANGES",
    "SELECT * FROM a FULL OUTER JOIN b ON a.id = b.id RIGHT JOIN c AS cc ON a.k = cc.k "
    "EMIT CHANGES",
    "SELECT x, COUNT(*) FROM s WINDOW HOPPING (SIZE 30 SECONDS, ADVANCE BY 10 SECONDS) "
    "GROUP BY (x, y) HAVING COUNT(*) > 1 EMIT FINAL",
    "SELECT x FROM s WINDOW SESSION (5 MINUTES, RETENTION 1 DAY, GRACE PERIOD 0 SECONDS) "
    "GROUP BY x EMIT CHANGES",
    "SELECT a + b * c - d / e % f AS r, -x, +y, NOT z, a || b || 'c' FROM s PARTITION BY "
    "a, b EMIT CHANGES LIMIT 10",
    "SELECT * FROM s WHERE a = 1 AND b <> 2 OR c != 3 AND d < 4 AND e <= 5 AND f > 6 AND g "
    ">= 7",
    "SELECT * FROM s WHERE a IS NULL AND b IS NOT NULL AND c IS DISTINCT FROM d AND e IS "
    "NOT DISTINCT FROM f AND g BETWEEN 1 AND 2 AND h NOT BETWEEN 'a' AND 'b' AND i IN (1, "
    "2) AND j NOT IN ('x') AND k LIKE 'a%' AND l NOT LIKE 'b!%' ESCAPE '!'",
    "SELECT CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END, CASE b WHEN "
    "1 THEN 'one' END, CAST(c AS DECIMAL(10, 3)), CAST(d AS ARRAY<MAP<STRING, INT>>) FROM s",
    "SELECT ARRAY[1, 2, 3][1], ARRAY[], MAP('a' := 1, 'b' := 2)['a'], MAP(), STRUCT(x := 1, "
    "`Y` := 'two')->x, STRUCT(), col->f->g[0] FROM s",
    "SELECT TRANSFORM(xs, x => x * 2), REDUCE(xs, 0, (acc, x) => acc + x), FILTER(m, (k, "
    "v) => v > 0), COUNT(DISTINCT a), INTERVAL 3 SECONDS FROM s",
    "SELECT 1, 1.5, 0.001, 1.5E3, 2e-5, 'it''s', TRUE, FALSE, NULL, -9223372036854775808, "
    "- -1 FROM s",
    "SELECT `select`, `From`, key, value, size, timestamp, `ARRAY`[1], `MAP`, \"lower\" "
    "FROM `my stream` AS `x y`",
    "SELECT emit FROM s partition BY emit EMIT CHANGES",
    "INSERT INTO s (a, `B`) VALUES (1, 'x')",
    "INSERT INTO s VALUES (ARRAY[1], STRUCT(a := 1))",
    "INSERT INTO s WITH (query_id='q1') SELECT * FROM t EMIT CHANGES",
    "INSERT INTO s SELECT * FROM t EMIT CHANGES",
    "SHOW STREAMS",
    "LIST TABLES EXTENDED",
    "SHOW QUERIES",
    "SHOW TOPICS EXTENDED",
    "SHOW FUNCTIONS",
    "SHOW PROPERTIES",
    "SHOW VARIABLES",
    "SHOW TYPES",
    "DESCRIBE s",
    "DESCRIBE EXTENDED s",
    "DESCRIBE FUNCTION concat",
    "DESCRIBE STREAMS",
    "DESCRIBE TABLES EXTENDED",
    "DESCRIBE `STREAMS`",
    "DESCRIBE `FUNCTION`",
    "DROP STREAM s",
    "DROP TABLE IF EXISTS t DELETE TOPIC",
    "DROP TYPE IF EXISTS addr",
    "DROP STREAM `IF`",
    "TERMINATE q1",
    "TERMINATE ALL",
    "PAUSE ALL",
    "RESUME `select`",
    "SET 'auto.offset.reset' = 'earliest'",
    "UNSET 'a'",
    "DEFINE v = 'x''y'",
    "UNDEFINE v",
    "EXPLAIN q1",
    "EXPLAIN SELECT * FROM s EMIT CHANGES",
    "EXPLAIN CREATE STREAM x AS SELECT * FROM s EMIT CHANGES",
    "PRINT 'topic' FROM BEGINNING INTERVAL 2 LIMIT 10",
    "PRINT my_topic",
    "RUN SCRIPT '/tmp/x.sql'",
    "CREATE TYPE address AS STRUCT<street STRING, zip INT>",
    "SELECT a FROM s WHERE x = 1 GROUP BY (a) EMIT CHANGES",
    "SELECT v->*, s.v->a->*, ARRAY[1][1] AS `1x`, 2y FROM s EMIT CHANGES",
    "SET 'ksql.x' = 0",
    "SET 'ksql.y' = false",
};
#define NCORPUS (sizeof corpus / sizeof corpus[0])

static void test_round_trip_of_many_statements(void **state)
{
    for (size_t i = 0; i < NCORPUS; i++)
        assert_round_trip(corpus[i]);
}

static void test_printer_parenthesizes_and_upper_cases(void **state)
{
    ast_stmt *s = parse1("select a+b*c as x from s where not a=1 and b like 'x' emit changes");
    buf b = BUF_INIT;
    ast_print_stmt(s, &b);
    assert_string_equal(b.data, "SELECT (A + (B * C)) AS X FROM S WHERE ((NOT (A = 1)) AND "
                                "(B LIKE 'x')) EMIT CHANGES");
    buf_free(&b);
}

static void test_print_ident_quotes_only_when_needed(void **state)
{
    buf b = BUF_INIT;
    ast_print_ident("ORDERS_2", &b);
    buf_putc(&b, ' ');
    ast_print_ident("Mixed", &b);
    buf_putc(&b, ' ');
    ast_print_ident("SELECT", &b);
    buf_putc(&b, ' ');
    ast_print_ident("a`b", &b);
    buf_putc(&b, ' ');
    ast_print_ident("SIZE", &b);
    assert_string_equal(b.data, "ORDERS_2 `Mixed` `SELECT` `a``b` SIZE");
    buf_free(&b);
}

static void test_equal_sees_differences(void **state)
{
    assert_false(ast_stmt_equal(parse1("SELECT a FROM s"), parse1("SELECT b FROM s")));
    assert_false(ast_stmt_equal(parse1("SELECT a FROM s"), parse1("SELECT a FROM s LIMIT 1")));
    assert_false(ast_stmt_equal(parse1("SELECT 1 + 2 * 3 FROM s"), parse1("SELECT (1 + 2) * 3 FROM s")));
    assert_false(ast_stmt_equal(parse1("SELECT 1.5 FROM s"), parse1("SELECT 1.50 FROM s")));
    assert_true(ast_stmt_equal(parse1("select a from s"), parse1("SELECT `A` FROM \"S\"")));
}

/* ---- fuzz ------------------------------------------------------------------ */

static uint64_t rng_state;
static uint32_t rng(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

/* Parses every statement of src; each one that parses must round-trip.
 * Returns how many parsed. */
static int fuzz_one(const char *src, size_t len)
{
    int parsed = 0;
    parser p;
    err e;
    arena a;
    arena_init(&a, 0);
    parser_init(&p, &a, src, len);
    for (int guard = 0; guard < 10000; guard++) {
        ast_stmt *s = parse_next(&p, &e);
        if (!s && e.code == ERR_OK)
            break;
        if (!s) {
            assert_true(e.has_span);
            assert_true(e.off <= len);
            continue;
        }
        buf b = BUF_INIT;
        ast_print_stmt(s, &b);
        parser q;
        err e2;
        parser_init(&q, &a, b.data, b.len);
        ast_stmt *t = parse_next(&q, &e2);
        if (!t || !ast_stmt_equal(s, t))
            fail_msg("fuzz round trip failed for <%.*s>\nprinted <%s>\n%s", (int)s->span.len,
                     src + s->span.off, b.data, e2.msg);
        buf_free(&b);
        parsed++;
    }
    arena_free(&a);
    (void)parse_is_complete(src, len);
    return parsed;
}

static void test_random_bytes_never_crash(void **state)
{
    rng_state = 12345;
    char src[256];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = rng() % sizeof src;
        for (size_t i = 0; i < len; i++)
            src[i] = (char)(rng() % 4 ? 32 + rng() % 95 : rng() % 256);
        fuzz_one(src, len);
    }
}

static void test_random_token_soup_never_crashes(void **state)
{
    static const char *const words[] = {
        "SELECT",   "*",      "FROM",     "s",       "t",      "a",         "b",        ",",       "(",
        ")",        "[",      "]",        "WHERE",   "=",      "+",         "-",        "AND",     "OR",
        "NOT",      "1",      "2.5",      "1e3",     "'x'",    "`q`",       "EMIT",     "CHANGES", "LIMIT",
        ";",        "JOIN",   "ON",       "WITHIN",  "1 HOUR", "WINDOW",    "TUMBLING", "SIZE",    "GROUP",
        "BY",       "CASE",   "WHEN",     "THEN",    "ELSE",   "END",       "CAST",     "AS",      "INT",
        "ARRAY",    "MAP",    "STRUCT",   "<",       ">",      ":=",        "=>",       "->",      ".",
        "IS",       "NULL",   "IN",       "BETWEEN", "LIKE",   "CREATE",    "STREAM",   "TABLE",   "WITH",
        "KEY",      "INSERT", "INTO",     "VALUES",  "SHOW",   "DESCRIBE",  "DROP",     "EXPLAIN", "PRINT",
        "DISTINCT", "||",     "%",        "/",       "HAVING", "PARTITION", "INTERVAL", "SECONDS", "TRUE",
        "x =>",     "f(",     "COUNT(*)", "--",      "/*",     "*/",
    };
    rng_state = 777;
    char src[1024];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0, n = rng() % 40;
        for (size_t i = 0; i < n; i++) {
            const char *w = words[rng() % (sizeof words / sizeof words[0])];
            size_t wl = strlen(w);
            if (len + wl + 2 >= sizeof src)
                break;
            memcpy(src + len, w, wl);
            len += wl;
            src[len++] = ' ';
        }
        fuzz_one(src, len);
    }
}

/* Tokens of a corpus statement, as spans. */
static int tokens_of(const char *sql, token *toks, int max)
{
    lexer l;
    err e;
    int n = 0;
    lex_init(&l, sql, strlen(sql));
    while (n < max && lex_next(&l, &toks[n], &e) && toks[n].kind != TK_EOF)
        n++;
    return n;
}

static void test_mutated_statements_never_crash_and_round_trip(void **state)
{
    enum { MAXT = 256 };
    token toks[MAXT], other[MAXT];
    char src[8192];
    int parsed = 0;
    rng_state = 4242;
    for (int iter = 0; iter < 30000; iter++) {
        const char *sql = corpus[rng() % NCORPUS], *osql = corpus[rng() % NCORPUS];
        int n = tokens_of(sql, toks, MAXT), on = tokens_of(osql, other, MAXT);
        size_t len = 0;
        int edits = 1 + (int)(rng() % 3);
        for (int i = 0; i < n; i++) {
            const char *text = sql + toks[i].off;
            uint32_t tl = toks[i].len;
            uint32_t r = edits > 0 ? rng() % (uint32_t)n : 1;
            if (r == 0) { /* an edit at this token */
                edits--;
                switch (rng() % 3) {
                case 0: continue; /* drop it */
                case 1: {         /* replace it by a token of another statement */
                    int j = (int)(rng() % (uint32_t)on);
                    text = osql + other[j].off;
                    tl = other[j].len;
                    break;
                }
                default: /* duplicate it */
                    memcpy(src + len, text, tl);
                    len += tl;
                    src[len++] = ' ';
                }
            }
            memcpy(src + len, text, tl);
            len += tl;
            src[len++] = ' ';
        }
        parsed += fuzz_one(src, len);
    }
    /* enough mutants are valid SQL for the round trip to be exercised */
    assert_true(parsed > 8000);
}

/* ksqlDB's CREATE TYPE names a type that columns, fields and casts then
 * use by name (conformance cases create-type__*). */
static void test_custom_type_names_parse_and_round_trip(void **state)
{
    ast_stmt *s = parse1("CREATE TABLE people (k STRING PRIMARY KEY, home Address, "
                         "others ARRAY<`Person`>, d `DATE`) WITH (kafka_topic='p', value_format='JSON');");
    ast_type *home = s->u.create.columns[1].type;
    assert_int_equal(home->kind, TYPE_NULL);
    assert_string_equal(home->custom.name, "ADDRESS");
    assert_int_equal(home->span.off, strlen("CREATE TABLE people (k STRING PRIMARY KEY, home "));
    assert_int_equal(home->span.len, strlen("Address"));
    assert_string_equal(s->u.create.columns[2].type->elem->custom.name, "Person");
    assert_true(s->u.create.columns[2].type->elem->custom.quoted);
    assert_string_equal(s->u.create.columns[3].type->custom.name, "DATE"); /* quoted: not the DATE type */
    assert_null(s->u.create.columns[0].type->custom.name);

    buf b = BUF_INIT;
    ast_print_stmt(s, &b);
    assert_non_null(strstr(b.data, "HOME ADDRESS, OTHERS ARRAY<`Person`>, D `DATE`"));
    ast_stmt *again = parse1(b.data);
    assert_true(ast_stmt_equal(s, again));
    buf_free(&b);
    /* a different custom name is a different tree */
    assert_false(ast_stmt_equal(parse1("SELECT CAST(x AS a) FROM s;"), parse1("SELECT CAST(x AS b) FROM s;")));
}

/* ---- regressions found by tests/fuzz/fuzz_parse.c ------------------------ */

/* The first error of src[0..n) (which may hold NUL bytes), rendered. */
static char *error_of_bytes(const char *src, size_t n)
{
    parser p;
    err e;
    buf b = BUF_INIT;
    parser_init(&p, &A, src, n);
    ast_stmt *s = parse_next(&p, &e);
    if (s)
        fail_msg("input parsed but should not have");
    err_render(&e, src, n, &b);
    return buf_take(&b);
}

/* `DESCRIBE "<NUL>x"` named the source "" (the name is NUL-terminated),
 * and printed back as DESCRIBE ``, which does not parse. */
static void test_nul_byte_inside_quoted_identifier_is_an_error(void **state)
{
    static const char sql[] = "DESCRIBE \"a\0b\";";
    char *text = error_of_bytes(sql, sizeof sql - 1);
    /* the source line holds the NUL byte itself, so compare the first line */
    assert_non_null(strchr(text, '\n'));
    *strchr(text, '\n') = '\0';
    assert_string_equal(text, "line 1:12: syntax error: a quoted identifier cannot contain a NUL byte (0x00)");
    free(text);
}

static void test_nul_byte_inside_string_is_an_error(void **state)
{
    static const char sql[] = "SET 'a\0' = 'b';";
    char *text = error_of_bytes(sql, sizeof sql - 1);
    assert_non_null(strstr(text, "syntax error: a string cannot contain a NUL byte (0x00)"));
    free(text);
}

/* Every operator prints parenthesized, so "+ + + x" prints as
 * "(+ (+ (+ x)))"; when parentheses cost a level, a tree near the cap
 * printed to text over it.  Accepted statements must print to SQL that
 * parses back (EXPLAIN, the command topic). */
static void test_statement_near_the_depth_cap_prints_back(void **state)
{
    const char *ops[] = {"+ ", "- ", "NOT ", "1 + ", "x * ", "a->"};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        for (int n = PARSE_MAX_DEPTH - 5; n <= PARSE_MAX_DEPTH + 1; n++) {
            buf sql = BUF_INIT;
            buf_puts(&sql, "SELECT ");
            for (int i = 0; i < n; i++)
                buf_puts(&sql, k == 5 && i == 0 ? "a" : (k == 5 ? "->f" : ops[k]));
            buf_puts(&sql, k == 5 ? " FROM s;" : "x FROM s;");
            parser p;
            err e;
            parser_init(&p, &A, sql.data, sql.len);
            ast_stmt *s = parse_next(&p, &e);
            if (s) {
                buf out = BUF_INIT;
                ast_print_stmt(s, &out);
                ast_stmt *again = parse1(out.data);
                assert_true(ast_stmt_equal(s, again));
                buf_free(&out);
            } else {
                assert_int_equal(e.code, ERR_TOO_DEEP);
            }
            buf_free(&sql);
        }
    }
}

static void test_many_parentheses_are_an_error_not_a_crash(void **state)
{
    err_code code;
    char sql[1024] = "SELECT ";
    for (int i = 0; i < PARSE_MAX_DEPTH + 1; i++)
        strcat(sql, "(");
    strcat(sql, "1");
    free(error_of(sql, &code));
    assert_int_equal(code, ERR_TOO_DEEP);
}

/* An empty struct prints as STRUCT<>, and '<>' is one token. */
static void test_empty_struct_type_round_trips(void **state)
{
    ast_stmt *s = parse1("SELECT CAST(x AS STRUCT< >) FROM s;");
    assert_int_equal(s->u.select->items[0].expr->u.cast.type->nfields, 0);
    buf b = BUF_INIT;
    ast_print_stmt(s, &b);
    assert_string_equal(b.data, "SELECT CAST(X AS STRUCT<>) FROM S");
    assert_true(ast_stmt_equal(s, parse1(b.data)));
    buf_free(&b);
}

/* Height of an expression tree (the kinds the shapes below build). */
static int expr_height(const ast_expr *x)
{
    int a = 0, b = 0;
    switch (x->kind) {
    case AST_UNARY: a = expr_height(x->u.unary.operand); break;
    case AST_BINARY:
        a = expr_height(x->u.binary.left);
        b = expr_height(x->u.binary.right);
        break;
    case AST_DEREF: a = expr_height(x->u.deref.base); break;
    case AST_SUBSCRIPT:
        a = expr_height(x->u.subscript.base);
        b = expr_height(x->u.subscript.index);
        break;
    case AST_IS_NULL: a = expr_height(x->u.test.left); break;
    default: break;
    }
    return 1 + (a > b ? a : b);
}

/* A left-deep chain whose first operand is itself deep ("+ + + x + 1 + 1",
 * "((a + a ...) + a ...)", "(deep)->f->g") was counted only by its
 * longest run, so trees far over the cap were accepted, and their
 * printed SQL (one parenthesis per operator) was refused (found by the
 * fuzzer).  Either the statement is refused, or its tree is within the
 * cap and prints back. */
static void test_depth_cap_bounds_the_height_of_any_tree(void **state)
{
    static const char *const shapes[][3] = {
        /* prefix (repeated), middle, suffix (repeated) */
        {"+ ", "x", " + 1"},
        {"(", "a", " + a)"},
        {"(NOT ", "a", ") IS NULL"},
        {"(", "a", ")->f"},
        {"(- ", "a", ")[1]"},
    };
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        for (int n = 90; n <= 130; n += 10) {
            buf sql = BUF_INIT;
            buf_puts(&sql, "SELECT ");
            for (int i = 0; i < n; i++)
                buf_puts(&sql, shapes[k][0]);
            buf_puts(&sql, shapes[k][1]);
            for (int i = 0; i < n; i++)
                buf_puts(&sql, k == 0 ? shapes[k][2] : shapes[k][2]);
            for (int i = 0; k == 0 && i < n; i++)
                buf_puts(&sql, " + 1");
            buf_puts(&sql, " FROM s;");
            parser p;
            err e;
            parser_init(&p, &A, sql.data, sql.len);
            ast_stmt *s = parse_next(&p, &e);
            if (!s) {
                assert_int_equal(e.code, ERR_TOO_DEEP);
            } else {
                assert_true(expr_height(s->u.select->items[0].expr) <= PARSE_MAX_DEPTH);
                buf out = BUF_INIT;
                ast_print_stmt(s, &out);
                assert_true(ast_stmt_equal(s, parse1(out.data)));
                buf_free(&out);
            }
            buf_free(&sql);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_create_stream_with_columns_key_and_props),
        T(test_create_table_or_replace_if_not_exists_primary_key),
        T(test_create_stream_header_columns),
        T(test_column_types_nest),
        T(test_non_reserved_keywords_are_column_names),
        T(test_insert_values_with_columns),
        T(test_select_where_emit_limit),
        T(test_pull_query_has_no_emit_and_no_limit),
        T(test_qualified_star_and_columns),
        T(test_show_and_list),
        T(test_describe_forms),
        T(test_drop_forms),
        T(test_terminate_pause_resume),
        T(test_set_unset_define_undefine),
        T(test_set_accepts_unquoted_numbers_and_booleans),
        T(test_struct_star_is_a_whole_select_item),
        T(test_window_may_be_named),
        T(test_digit_led_name_is_an_alias),
        T(test_statements_come_one_at_a_time_with_spans),
        T(test_parsing_resumes_after_a_bad_statement),
        T(test_empty_input_is_end_not_error),
        T(test_is_complete_needs_a_final_semicolon),
        T(test_multiplication_binds_tighter_than_addition),
        T(test_subtraction_is_left_associative),
        T(test_not_binds_looser_than_comparison_tighter_than_and),
        T(test_and_binds_tighter_than_or),
        T(test_concat_binds_tighter_than_comparison),
        T(test_unary_minus_binds_tightest),
        T(test_parentheses_override_precedence),
        T(test_literal_kinds),
        T(test_decimal_between_minus_one_and_one_gets_scale_plus_one),
        T(test_nodes_carry_source_spans),
        T(test_most_negative_integer_is_a_literal),
        T(test_integer_overflow_is_a_syntax_error),
        T(test_double_overflow_is_a_syntax_error),
        T(test_predicates),
        T(test_calls_star_distinct_and_lambdas),
        T(test_case_cast_constructors_and_postfix),
        T(test_error_points_at_the_offending_token),
        T(test_error_on_a_later_line_has_its_line_and_column),
        T(test_error_at_end_of_input_points_after_the_last_token),
        T(test_misspelt_statement_keyword_gets_a_hint),
        T(test_missing_from_says_so),
        T(test_misspelt_keyword_gets_a_hint),
        T(test_reserved_word_as_name_gets_a_hint),
        T(test_lexical_error_is_reported_at_its_start),
        T(test_deep_nesting_is_an_error_not_a_crash),
        T(test_long_operator_chain_is_bounded),
        T(test_moderate_nesting_is_fine),
        T(test_round_trip_of_many_statements),
        T(test_printer_parenthesizes_and_upper_cases),
        T(test_print_ident_quotes_only_when_needed),
        T(test_equal_sees_differences),
        T(test_random_bytes_never_crash),
        T(test_random_token_soup_never_crashes),
        T(test_mutated_statements_never_crash_and_round_trip),
        T(test_custom_type_names_parse_and_round_trip),
        T(test_nul_byte_inside_quoted_identifier_is_an_error),
        T(test_nul_byte_inside_string_is_an_error),
        T(test_statement_near_the_depth_cap_prints_back),
        T(test_many_parentheses_are_an_error_not_a_crash),
        T(test_empty_struct_type_round_trips),
        T(test_depth_cap_bounds_the_height_of_any_tree),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
