/* test_func_map.c — map functions as a user sees them: a SELECT item
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

static void test_keys_and_values(void **s)
{
    assert_string_equal(eval("ARRAY_SORT(MAP_KEYS(M))"), "[x, y]");
    assert_string_equal(eval("ARRAY_SORT(MAP_VALUES(M))"), "[1, 2]");
    assert_string_equal(eval("MAP_KEYS(CAST(NULL AS MAP<STRING, INT>))"), "null");
}

static void test_union_prefers_the_second_map(void **s)
{
    assert_string_equal(eval("MAP_UNION(MAP('a' := 1, 'b' := 2), MAP('b' := 3, 'c' := 4))"), "{a=1, b=3, c=4}");
    assert_string_equal(eval("MAP_UNION(MAP('a' := 1), CAST(NULL AS MAP<STRING, INT>))"), "{a=1}");
}

static void test_as_map_pairs_keys_with_values(void **s)
{
    assert_string_equal(eval("AS_MAP(ARRAY['a', 'b'], ARRAY[1, 2])"), "{a=1, b=2}");
    assert_string_equal(eval("AS_MAP(ARRAY['a', 'b'], ARRAY[1])"), "{a=1, b=null}");
    assert_string_equal(eval("AS_MAP(SA, CAST(NULL AS ARRAY<INT>))"), "null");
}

static void test_map_functions_refuse_non_maps(void **s)
{
    assert_non_null(strstr(eval("MAP_KEYS(AI)"), "MAP"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_and_values),
        cmocka_unit_test(test_union_prefers_the_second_map),
        cmocka_unit_test(test_as_map_pairs_keys_with_values),
        cmocka_unit_test(test_map_functions_refuse_non_maps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
