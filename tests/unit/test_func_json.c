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

#include "eval_harness.h"

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
