/* test_func_cond.c — ksqlDB's NULL functions: COALESCE, IFNULL, NULLIF, AS_VALUE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "eval_harness.h"

static void test_coalesce_returns_first_non_null(void **s)
{
    assert_string_equal(eval("COALESCE(N, NULL, I, 3)"), "7");
    assert_string_equal(eval("COALESCE(N, NULL)"), "null");
    assert_string_equal(eval("COALESCE(N, D)"), "7.9");
}

static void test_ifnull_returns_alternative_for_null(void **s)
{
    assert_string_equal(eval("IFNULL(NS, 'alt')"), "alt");
    assert_string_equal(eval("IFNULL(T, 'alt')"), "hello");
}

static void test_nullif_is_null_when_equal(void **s)
{
    assert_string_equal(eval("NULLIF(I, 7)"), "null");
    assert_string_equal(eval("NULLIF(I, 8)"), "7");
    assert_string_equal(eval("NULLIF(T, NS)"), "hello");
    assert_string_equal(eval("NULLIF(N, 1)"), "null");
    assert_string_equal(eval("NULLIF(ARRAY[1, 2], ARRAY[1, 2])"), "null");
}

static void test_as_value_returns_its_argument_as_a_value(void **s)
{
    assert_string_equal(eval("AS_VALUE(ID)"), "1");
    assert_string_equal(eval_type("AS_VALUE(ID)"), "INTEGER");
    assert_string_equal(eval("AS_VALUE(DEC)"), "12.345");
    assert_string_equal(eval_type("AS_VALUE(DEC)"), "DECIMAL(6, 3)");
    assert_string_equal(eval("AS_VALUE(NS)"), "null");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coalesce_returns_first_non_null),
        cmocka_unit_test(test_ifnull_returns_alternative_for_null),
        cmocka_unit_test(test_nullif_is_null_when_equal),
        cmocka_unit_test(test_as_value_returns_its_argument_as_a_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
