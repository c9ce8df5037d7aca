/* test_func_math.c — ksqlDB's numeric functions: result types, NULL in ->
 * NULL out, Java's NaN/Infinity results, and ROUND's HALF_UP rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "eval_harness.h"

static void test_round_without_places_rounds_half_up_to_an_integer(void **s)
{
    assert_string_equal(eval("ROUND(D)"), "8");
    assert_string_equal(eval("ROUND(2.5E0)"), "3");
    assert_string_equal(eval("ROUND(-2.5E0)"), "-2");
    assert_string_equal(eval_type("ROUND(D)"), "BIGINT");
    assert_string_equal(eval_type("ROUND(I)"), "INTEGER");
    assert_string_equal(eval("ROUND(DEC)"), "12");
    assert_string_equal(eval_type("ROUND(DEC)"), "DECIMAL(4, 0)");
}

static void test_round_with_places_keeps_the_type(void **s)
{
    assert_string_equal(eval("ROUND(1.005E0, 2)"), "1.01");
    assert_string_equal(eval("ROUND(12345.678E0, -2)"), "12300.0");
    assert_string_equal(eval("ROUND(DEC, 2)"), "12.350");
    assert_string_equal(eval("ROUND(DEC, -1)"), "10.000");
    assert_string_equal(eval("ROUND(1234, -2)"), "1200");
    assert_string_equal(eval("ROUND(D, N)"), "null");
}

static void test_trunc_cuts_toward_zero(void **s)
{
    assert_string_equal(eval("TRUNC(-1.7E0)"), "-1");
    assert_string_equal(eval("TRUNC(DEC, 1)"), "12.300");
    assert_string_equal(eval("TRUNC(DEC)"), "12");
    assert_string_equal(eval("TRUNC(12345.678E0, 2)"), "12345.67");
}

static void test_ceil_floor_abs_sign(void **s)
{
    assert_string_equal(eval("CEIL(D)"), "8.0");
    assert_string_equal(eval("FLOOR(-D)"), "-8.0");
    assert_string_equal(eval("CEIL(DEC)"), "13.000");
    assert_string_equal(eval("FLOOR(I)"), "7");
    assert_string_equal(eval("ABS(-B)"), "10000000000");
    assert_string_equal(eval("SIGN(-D)"), "-1");
    assert_string_equal(eval("SIGN(0)"), "0");
    assert_string_equal(eval("SIGN(N)"), "null");
}

static void test_logarithms_and_roots_follow_java_math(void **s)
{
    assert_string_equal(eval("LN(0)"), "-Infinity");
    assert_string_equal(eval("LN(-1)"), "NaN");
    assert_string_equal(eval("LOG(100, 10000)"), "2.0");
    assert_string_equal(eval("LOG(1, 5)"), "NaN");
    assert_string_equal(eval("SQRT(4)"), "2.0");
    assert_string_equal(eval("SQRT(-1)"), "NaN");
    assert_string_equal(eval("CBRT(27)"), "3.0");
    assert_string_equal(eval("EXP(0)"), "1.0");
    assert_string_equal(eval("POWER(15, 13)"), "1.946195068359375E15");
    assert_string_equal(eval("POWER(N, 2)"), "null");
}

static void test_trigonometry_in_radians(void **s)
{
    assert_string_equal(eval("PI()"), "3.141592653589793");
    assert_string_equal(eval("DEGREES(PI())"), "180.0");
    assert_string_equal(eval("RADIANS(180)"), "3.141592653589793");
    assert_string_equal(eval("SIN(0)"), "0.0");
    assert_string_equal(eval("COS(0)"), "1.0");
    assert_string_equal(eval("COT(0)"), "Infinity");
    assert_string_equal(eval("ASIN(2)"), "NaN");
    assert_string_equal(eval("ROUND(ATAN2(-2, 0), 13)"), "-1.5707963267949");
}

static void test_greatest_and_least_skip_nulls(void **s)
{
    assert_string_equal(eval("GREATEST(1, 5, NULL, 3)"), "5");
    assert_string_equal(eval("LEAST(I, N, 3)"), "3");
    assert_string_equal(eval("GREATEST(I, D)"), "7.9");
    assert_string_equal(eval("GREATEST('apple', 'banana', NS)"), "banana");
    assert_string_equal(eval("GREATEST(DT, NULL, '2021-01-01')"), "2021-01-01");
    assert_string_equal(eval("LEAST(TS, '2020-01-01T00:00:00')"), "2020-01-01T00:00:00.000");
    assert_string_equal(eval("LEAST(N, N)"), "null");
}

static void test_greatest_of_int_and_bigint_is_ambiguous_as_in_ksqldb(void **s)
{
    assert_string_equal(eval("GREATEST(I, B)"),
                        "ERROR: GREATEST cannot be resolved due to ambiguous method parameters (INTEGER, BIGINT)");
    assert_string_equal(eval("LEAST(NULL, NULL)"),
                        "ERROR: LEAST cannot be resolved due to ambiguous method parameters (null, null)");
}

static void test_random_is_between_zero_and_one(void **s)
{
    assert_string_equal(eval("RANDOM() >= 0 AND RANDOM() < 1"), "true");
}

static void test_geo_distance_in_km_and_miles(void **s)
{
    assert_string_equal(eval("GEO_DISTANCE(0, 0, 0, 90, 'parsecs')"),
                        "ERROR: GEO_DISTANCE: unknown unit 'parsecs' (use KM or MILES)");
    /* a quarter of the equator: pi/2 times the radius (6371 km, 3959 mi) */
    assert_string_equal(eval("ROUND(GEO_DISTANCE(0, 0, 0, 90), 3)"), "10007.543");
    assert_string_equal(eval("ROUND(GEO_DISTANCE(0, 0, 0, 90, 'miles'), 3)"), "6218.783");
    assert_string_equal(eval("GEO_DISTANCE(1, 2, 1, 2)"), "0.0");
    assert_string_equal(eval("GEO_DISTANCE(91, 0, 0, 0)"),
                        "ERROR: GEO_DISTANCE: a latitude must be in [-90, 90] and a longitude in [-180, 180]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_without_places_rounds_half_up_to_an_integer),
        cmocka_unit_test(test_round_with_places_keeps_the_type),
        cmocka_unit_test(test_trunc_cuts_toward_zero),
        cmocka_unit_test(test_ceil_floor_abs_sign),
        cmocka_unit_test(test_logarithms_and_roots_follow_java_math),
        cmocka_unit_test(test_trigonometry_in_radians),
        cmocka_unit_test(test_greatest_and_least_skip_nulls),
        cmocka_unit_test(test_greatest_of_int_and_bigint_is_ambiguous_as_in_ksqldb),
        cmocka_unit_test(test_random_is_between_zero_and_one),
        cmocka_unit_test(test_geo_distance_in_km_and_miles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
