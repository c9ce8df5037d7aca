/* test_func_json.c — JSON functions as a user sees them: a SELECT item
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

static void test_extract_follows_a_json_path(void **s)
{
    assert_string_equal(eval("EXTRACTJSONFIELD(J, '$.k')"), "v");
    assert_string_equal(eval("EXTRACTJSONFIELD(J, '$.a.b[1]')"), "2.50"); /* number text kept */
    assert_string_equal(eval("EXTRACTJSONFIELD(J, '$.a')"), "{\"b\":[1,2.50,\"c\"]}");
    assert_string_equal(eval("EXTRACTJSONFIELD(J, '$[''k'']')"), "v");
    assert_string_equal(eval("EXTRACTJSONFIELD(J, '$.missing')"), "null");
    assert_string_equal(eval("EXTRACTJSONFIELD(J, '$.a.b[7]')"), "null");
    assert_string_equal(eval("EXTRACTJSONFIELD('not json', '$.a')"), "null");
}

static void test_is_json_string(void **s)
{
    assert_string_equal(eval("IS_JSON_STRING('[1, 2, 3]')"), "true");
    assert_string_equal(eval("IS_JSON_STRING('\"abc\"')"), "true");
    assert_string_equal(eval("IS_JSON_STRING('abc')"), "false");
    assert_string_equal(eval("IS_JSON_STRING('')"), "false");
    assert_string_equal(eval("IS_JSON_STRING(NULL)"), "false");
}

static void test_json_arrays(void **s)
{
    assert_string_equal(eval("JSON_ARRAY_LENGTH('[1, 2, 3]')"), "3");
    assert_string_equal(eval("JSON_ARRAY_LENGTH('{}')"), "null");
    assert_string_equal(eval("JSON_ARRAY_CONTAINS('[1, 2, 3]', 3)"), "true");
    assert_string_equal(eval("JSON_ARRAY_CONTAINS('[\"a\", null]', 'a')"), "true");
    assert_string_equal(eval("JSON_ARRAY_CONTAINS('[1.5]', 1.5)"), "true");
    assert_string_equal(eval("JSON_ARRAY_CONTAINS('[1, 2]', 'x')"), "false");
    assert_string_equal(eval("JSON_ITEMS('[{\"type\": \"A\"}, 2]')"), "[{\"type\":\"A\"}, 2]");
}

static void test_concat_merges_objects_or_appends_arrays(void **s)
{
    assert_string_equal(eval("JSON_CONCAT('{\"a\": 1}', '{\"b\": 2}')"), "{\"a\":1,\"b\":2}");
    assert_string_equal(eval("JSON_CONCAT('{\"a\": {\"5\": 6}}', '{\"a\": {\"3\": 4}}')"), "{\"a\":{\"3\":4}}");
    assert_string_equal(eval("JSON_CONCAT('[1, 2]', '[3, 4]')"), "[1,2,3,4]");
    assert_string_equal(eval("JSON_CONCAT('[1, 2]', '{\"a\": 1}')"), "[1,2,{\"a\":1}]");
    assert_string_equal(eval("JSON_CONCAT('1', '')"), "null");
}

static void test_keys_and_records_of_an_object(void **s)
{
    const char *obj = "'{\"a\": \"abc\", \"b\": { \"c\": \"a\" }, \"d\": 1}'";
    char sql[200];
    snprintf(sql, sizeof sql, "JSON_KEYS(%s)", obj);
    assert_string_equal(eval(sql), "[a, b, d]");
    snprintf(sql, sizeof sql, "JSON_RECORDS(%s)", obj);
    assert_string_equal(eval(sql), "{a=abc, b={\"c\":\"a\"}, d=1}");
    assert_string_equal(eval("JSON_KEYS('[1]')"), "null");
}

static void test_to_json_string(void **s)
{
    assert_string_equal(eval("TO_JSON_STRING(ARRAY[1, 2])"), "[1,2]");
    assert_string_equal(eval("TO_JSON_STRING(STRUCT(id := 1, name := 'x'))"), "{\"ID\":1,\"NAME\":\"x\"}");
    assert_string_equal(eval("TO_JSON_STRING(T)"), "\"hello\"");
    assert_string_equal(eval("TO_JSON_STRING(TS)"), "\"2020-05-11T21:58:33.000\"");
    assert_string_equal(eval("TO_JSON_STRING(M['x'])"), "1");
    assert_string_equal(eval("TO_JSON_STRING(N)"), "null");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_extract_follows_a_json_path),
        cmocka_unit_test(test_is_json_string),
        cmocka_unit_test(test_json_arrays),
        cmocka_unit_test(test_concat_merges_objects_or_appends_arrays),
        cmocka_unit_test(test_keys_and_records_of_an_object),
        cmocka_unit_test(test_to_json_string),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
