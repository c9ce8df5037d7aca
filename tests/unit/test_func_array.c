/* test_func_array.c — array functions as a user sees them: a SELECT item
 * over one record of stream S, shown as the shell shows values.
 * Expectations follow ksqlDB's documentation and its examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "engine/analyze.h"
#include "engine/catalog.h"
#include "engine/plan.h"
#include "parser/parse.h"

/* S: ID INT KEY, I INT, N INT (null), T STRING, AI ARRAY<INT>, 
 * ARRAY<STRING>, M MAP<STRING, INT>, TS TIMESTAMP, DT DATE, TM TIME,
 * J STRING (JSON text) */
static const char *ROW = "{\"I\": 7, \"N\": null, \"T\": \"hello\", \"AI\": [3, null, 1, 3], "
                         "\"SA\": [\"b\", \"a\", \"b\"], \"M\": {\"x\": 1, \"y\": 2}, "
                         "\"TS\": 1589234313000, \"DT\": 18393, \"TM\": 82713000, "
                         "\"J\": \"{\\\"a\\\": {\\\"b\\\": [1, 2.50, \\\"c\\\"]}, \\\"k\\\": \\\"v\\\"}\"}";

static catalog *make_catalog(arena *a)
{
    static catalog c;
    catalog_init(&c);
    source *s = catalog_source_new();
    s->name = "S";
    s->topic = "s";
    s->kind = SOURCE_STREAM;
    s->key_format = (fmt){.kind = FORMAT_KAFKA};
    s->value_format = (fmt){.kind = FORMAT_JSON};
    s->partitions = 1;
    static column cols[11];
    const sqltype *str = types_scalar(TYPE_STRING), *i = types_scalar(TYPE_INT);
    cols[0] = (column){"ID", i, true};
    cols[1] = (column){"I", i, false};
    cols[2] = (column){"N", i, false};
    cols[3] = (column){"T", str, false};
    cols[4] = (column){"AI", types_array(a, i), false};
    cols[5] = (column){"SA", types_array(a, str), false};
    cols[6] = (column){"M", types_map(a, str, i), false};
    cols[7] = (column){"TS", types_scalar(TYPE_TIMESTAMP), false};
    cols[8] = (column){"DT", types_scalar(TYPE_DATE), false};
    cols[9] = (column){"TM", types_scalar(TYPE_TIME), false};
    cols[10] = (column){"J", str, false};
    s->schema.cols = cols;
    s->schema.n = 11;
    catalog_add(&c, s);
    return &c;
}

/* Evaluates `SELECT <expr> FROM S` over ROW; returns the value as the
 * shell shows it, or "ERROR: <message>" when compiling or evaluating
 * fails. */
static char *eval(const char *expr_sql)
{
    static char result[1024];
    arena types;
    arena_init(&types, 1024);
    catalog *c = make_catalog(&types);
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
                          .value = (const uint8_t *)ROW, .value_len = (int32_t)strlen(ROW)};
        value row[32], out[4];
        eval_ctx cx = {.a = &a, .e = &e};
        plan_result r = plan_apply(pl, &rec, 0, row, out, &cx);
        buf b = BUF_INIT;
        if (r == PLAN_EMIT)
            value_to_text(&out[0], pl->out.schema.cols[0].type, &b);
        snprintf(result, sizeof result, "%s%s", r == PLAN_EMIT ? "" : "ERROR: ", r == PLAN_EMIT ? b.data : e.msg);
        buf_free(&b);
        plan_free(pl);
    }
    arena_free(&a);
    catalog_free(c);
    arena_free(&types);
    return result;
}

static void test_length_min_max_skip_nulls(void **s)
{
    assert_string_equal(eval("ARRAY_LENGTH(AI)"), "4");
    assert_string_equal(eval("ARRAY_MAX(AI)"), "3");
    assert_string_equal(eval("ARRAY_MIN(AI)"), "1");
    assert_string_equal(eval("ARRAY_MIN(SA)"), "a");
    assert_string_equal(eval("ARRAY_MAX(ARRAY[CAST(NULL AS INT)])"), "null");
    assert_string_equal(eval("ARRAY_LENGTH(CAST(NULL AS ARRAY<INT>))"), "null");
}

static void test_sort_puts_nulls_last(void **s)
{
    assert_string_equal(eval("ARRAY_SORT(AI)"), "[1, 3, 3, null]");
    assert_string_equal(eval("ARRAY_SORT(AI, 'DESC')"), "[3, 3, 1, null]");
    assert_string_equal(eval("ARRAY_SORT(ARRAY['foo', 'bar', 'baz'])"), "[bar, baz, foo]");
}

static void test_set_functions_follow_the_documented_examples(void **s)
{
    assert_string_equal(eval("ARRAY_DISTINCT(ARRAY[1, 1, 2, 3, 1, 2])"), "[1, 2, 3]");
    assert_string_equal(eval("ARRAY_DISTINCT(SA)"), "[b, a]");
    assert_string_equal(eval("ARRAY_EXCEPT(ARRAY[1, 2, 3, 1, 2], ARRAY[2, 3])"), "[1]");
    assert_string_equal(eval("ARRAY_INTERSECT(ARRAY[1, 2, 3, 1, 2], ARRAY[2, 1])"), "[1, 2]");
    assert_string_equal(eval("ARRAY_UNION(ARRAY[1, 2, 3, 1, 2], ARRAY[4, 1])"), "[1, 2, 3, 4]");
    assert_string_equal(eval("ARRAY_CONCAT(ARRAY[1, 2, 3, 1, 2], ARRAY[4, 1])"), "[1, 2, 3, 1, 2, 4, 1]");
    assert_string_equal(eval("ARRAY_UNION(AI, CAST(NULL AS ARRAY<INT>))"), "null");
}

static void test_contains_position_and_remove(void **s)
{
    assert_string_equal(eval("ARRAY_CONTAINS(SA, 'a')"), "true");
    assert_string_equal(eval("ARRAY_CONTAINS(AI, 2)"), "false");
    assert_string_equal(eval("ARRAY_CONTAINS(CAST(NULL AS ARRAY<INT>), 2)"), "false");
    assert_string_equal(eval("ARRAY_POSITION(ARRAY[7, 8, 9], 8)"), "2");
    assert_string_equal(eval("ARRAY_POSITION(ARRAY[7, 8, 9], 5)"), "0");
    assert_string_equal(eval("ARRAY_REMOVE(ARRAY[1, 2, 3, 2, 1], 2)"), "[1, 3, 1]");
    assert_string_equal(eval("ARRAY_REMOVE(AI, N)"), "[3, 1, 3]");
}

static void test_join_writes_elements_as_text(void **s)
{
    assert_string_equal(eval("ARRAY_JOIN(ARRAY[1, 2, 3], ' ')"), "1 2 3");
    assert_string_equal(eval("ARRAY_JOIN(AI)"), "3,null,1,3");
    assert_string_equal(eval("ARRAY_JOIN(ARRAY[1.5E0, 2.0E0], NULL)"), "1.52.0");
}

static void test_generate_series_and_slice(void **s)
{
    assert_string_equal(eval("GENERATE_SERIES(1, 5)"), "[1, 2, 3, 4, 5]");
    assert_string_equal(eval("GENERATE_SERIES(5, 1, -2)"), "[5, 3, 1]");
    assert_string_equal(eval("GENERATE_SERIES(1, 3, 0)"), "null");
    assert_string_equal(eval("SLICE(SA, 2, 3)"), "[a, b]");
    assert_string_equal(eval("SLICE(ARRAY[ARRAY['a'], ARRAY['b'], ARRAY['c']], 2, 3)"), "[[b], [c]]");
}

static void test_entries_of_a_map(void **s)
{
    assert_string_equal(eval("ENTRIES(MAP('b' := 2, 'a' := 1), true)"), "[{K=a, V=1}, {K=b, V=2}]");
    assert_string_equal(eval("ENTRIES(CAST(NULL AS MAP<STRING, INT>), true)"), "null");
}

static void test_array_functions_refuse_non_arrays(void **s)
{
    assert_non_null(strstr(eval("ARRAY_LENGTH(I)"), "ARRAY"));
    assert_non_null(strstr(eval("ARRAY_MAX(T)"), "ARRAY"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_length_min_max_skip_nulls),
        cmocka_unit_test(test_sort_puts_nulls_last),
        cmocka_unit_test(test_set_functions_follow_the_documented_examples),
        cmocka_unit_test(test_contains_position_and_remove),
        cmocka_unit_test(test_join_writes_elements_as_text),
        cmocka_unit_test(test_generate_series_and_slice),
        cmocka_unit_test(test_entries_of_a_map),
        cmocka_unit_test(test_array_functions_refuse_non_arrays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
