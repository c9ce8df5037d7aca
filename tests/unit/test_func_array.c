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

#include "eval_harness.h"

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
