/* test_expr.c — expression evaluation as a user sees it: a SELECT item
 * over one record of stream S, compiled and evaluated, shown as the shell
 * shows values.  Expectations follow ksqlDB's documented semantics (Java
 * integer arithmetic, three-valued logic, NULL in -> NULL out). */
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

static void test_arithmetic_follows_precedence(void **s)
{
    assert_string_equal(eval("1 + 2 * 3"), "7");
    assert_string_equal(eval("(1 + 2) * 3"), "9");
    assert_string_equal(eval("I - 2 - 1"), "4");
}

static void test_integer_division_truncates_toward_zero(void **s)
{
    assert_string_equal(eval("I / 2"), "3");
    assert_string_equal(eval("-I / 2"), "-3");
    assert_string_equal(eval("I % -3"), "1");
    assert_string_equal(eval("-I % 3"), "-1");
}

static void test_integer_division_by_zero_is_null(void **s)
{
    assert_string_equal(eval("I / 0"), "null");
    assert_string_equal(eval("I % 0"), "null");
}

static void test_int_overflow_wraps_like_java(void **s)
{
    assert_string_equal(eval("2147483647 + I - 6"), "-2147483648");
}

static void test_mixed_types_widen(void **s)
{
    assert_string_equal(eval("I + B"), "10000000007");
    assert_string_equal(eval("I + D"), "14.9");
    assert_string_equal(eval("D / 2"), "3.95");
}

static void test_doubles_print_like_java(void **s)
{
    assert_string_equal(eval("D * 0 + 0.5E0 + 0.25E0"), "0.75");
    assert_string_equal(eval("D - D + 1E7"), "1.0E7");
    assert_string_equal(eval("1E0 / 3E0"), "0.3333333333333333");
    assert_string_equal(eval("4.9E-324"), "4.9E-324");
    assert_string_equal(eval("-1.7976931348623157E308"), "-1.7976931348623157E308");
    assert_string_equal(eval("1E23"), "1.0E23");
}

static void test_null_propagates_through_arithmetic(void **s)
{
    assert_string_equal(eval("N + 1"), "null");
    assert_string_equal(eval("-N"), "null");
}

/* ksqlDB checks for NULL before comparing: a comparison with a NULL
 * operand is FALSE (its null__null-equals case: `ID = COL0` with ID null
 * gives false). */
static void test_comparison_with_null_is_false(void **s)
{
    assert_string_equal(eval("N > 1"), "false");
    assert_string_equal(eval("N = N"), "false");
    assert_string_equal(eval("NOT (N > 1)"), "true");
    assert_string_equal(eval("N BETWEEN 1 AND 9"), "false");
}

static void test_three_valued_logic(void **s)
{
    assert_string_equal(eval("BN AND FALSE"), "false");
    assert_string_equal(eval("BN OR TRUE"), "true");
    assert_string_equal(eval("BN AND TRUE"), "null");
    assert_string_equal(eval("NOT BN"), "null");
    assert_string_equal(eval("NOT I > 1"), "false");
}

static void test_is_null_and_distinct_from(void **s)
{
    assert_string_equal(eval("N IS NULL"), "true");
    assert_string_equal(eval("I IS NOT NULL"), "true");
    assert_string_equal(eval("N IS DISTINCT FROM 1"), "true");
    assert_string_equal(eval("N IS NOT DISTINCT FROM N"), "true");
    assert_string_equal(eval("I IS DISTINCT FROM 7"), "false");
}

static void test_between_and_in(void **s)
{
    assert_string_equal(eval("I BETWEEN 1 AND 7"), "true");
    assert_string_equal(eval("I NOT BETWEEN 1 AND 7"), "false");
    assert_string_equal(eval("I IN (1, 7)"), "true");
    assert_string_equal(eval("I IN (1, 2)"), "false");
    assert_string_equal(eval("I IN (1, NULL)"), "null");
    assert_string_equal(eval("T IN ('x', 'hello')"), "true");
}

/* ksqlDB coerces IN list literals to the tested value's type: strings
 * parse, numbers widen, anything becomes a STRING, and the same inside
 * ARRAY, MAP and STRUCT constructors (a STRUCT with a field the value
 * lacks is never equal; one it lacks is NULL). */
static void test_in_list_literals_take_the_tested_type(void **s)
{
    assert_string_equal(eval("I IN ('7')"), "true");
    assert_string_equal(eval("DEC IN ('12.345', 1)"), "true");
    assert_string_equal(eval("T IN (true, 10, 'hello')"), "true");
    assert_string_equal(eval("'10.30' IN (10.30)"), "true");
    assert_string_equal(eval("'10.3' IN (10.30)"), "false");
    assert_string_equal(eval("BN IS NULL AND (1 = 1) IN ('Y')"), "true");
    assert_string_equal(eval("(1 = 1) IN ('no', 'tR')"), "true");
    assert_string_equal(eval("AI IN (ARRAY['3', NULL, '1', '3'])"), "true");
    assert_string_equal(eval("AI IN (ARRAY[3, 1])"), "false");
    assert_string_equal(eval("ARRAY[B, B] IN (ARRAY[-1, I - 8])"), "false");
    assert_string_equal(eval("ARRAY[-1 - B + B, B] IN (ARRAY[I - 8, 10000000000])"), "true");
    assert_string_equal(eval("M IN (MAP('x' := '1', 'y' := '2'))"), "true");
    assert_string_equal(eval("STRUCT(A := B, C := I) IN (STRUCT(C := '7', A := 10000000000))"), "true");
    assert_string_equal(eval("STRUCT(A := B, C := N) IN (STRUCT(A := 10000000000))"), "true");
    assert_string_equal(eval("STRUCT(A := B) IN (STRUCT(A := 10000000000, X := 1))"), "false");
    assert_string_equal(eval("I IN ('x')"), "ERROR: IN list value does not match the tested value's type");
}

/* A string compared with ROWTIME or a TIMESTAMP is read as a timestamp
 * (UTC unless it says otherwise; a partial one is completed). */
static void test_strings_compare_with_timestamps(void **s)
{
    assert_string_equal(eval("ROWTIME = '1970-01-01T00:00:01'"), "true");
    assert_string_equal(eval("ROWTIME < '1970'"), "false");
    assert_string_equal(eval("'1970-01-01T01:00:01.000+0100' = ROWTIME"), "true");
    assert_string_equal(eval("ROWTIME BETWEEN '1970-01-01T00:00:00.999' AND '1970-01-01T00:00:01Z'"), "true");
    assert_string_equal(eval("TS = '2020-05-11T21:58:33'"), "true");
    assert_string_equal(eval("TS > '2020-05'"), "true");
    assert_string_equal(eval("ROWTIME > 'soon'"), "ERROR: Failed to parse timestamp 'soon'");
    assert_string_equal(eval("I > '7'"), "ERROR: cannot compare INTEGER to STRING with >");
}

static void test_like_patterns(void **s)
{
    assert_string_equal(eval("T LIKE 'h%'"), "true");
    assert_string_equal(eval("T LIKE 'h_llo'"), "true");
    assert_string_equal(eval("T LIKE 'H%'"), "false");
    assert_string_equal(eval("T NOT LIKE '%z%'"), "true");
    assert_string_equal(eval("'50%' LIKE '50!%' ESCAPE '!'"), "true");
    assert_string_equal(eval("'50x' LIKE '50!%' ESCAPE '!'"), "false");
}

static void test_case_expressions(void **s)
{
    assert_string_equal(eval("CASE WHEN I > 5 THEN 'big' ELSE 'small' END"), "big");
    assert_string_equal(eval("CASE I WHEN 1 THEN 'one' WHEN 7 THEN 'seven' END"), "seven");
    assert_string_equal(eval("CASE WHEN N > 1 THEN 'x' END"), "null");
}

static void test_casts(void **s)
{
    assert_string_equal(eval("CAST('12' AS INT) + 1"), "13");
    assert_string_equal(eval("CAST(D AS INT)"), "7");
    assert_string_equal(eval("CAST(I AS STRING)"), "7");
    assert_string_equal(eval("CAST(I AS DOUBLE)"), "7.0");
    assert_string_equal(eval("CAST(N AS STRING)"), "null");
}

static void test_temporal_casts(void **s)
{
    assert_string_equal(eval("CAST('2020-05-11' AS DATE)"), "2020-05-11");
    assert_string_equal(eval("CAST('21:58:33' AS TIME)"), "21:58:33");
    assert_string_equal(eval("CAST('2020-05-11T21:58:33.000' AS TIMESTAMP)"), "2020-05-11T21:58:33.000");
    assert_string_equal(eval("CAST(TS AS DATE)"), "2020-05-11");
    assert_string_equal(eval("CAST(TS AS TIME)"), "21:58:33");
    assert_string_equal(eval("CAST(DT AS TIMESTAMP)"), "2020-05-11T00:00:00.000");
    assert_string_equal(eval("CAST('nope' AS DATE)"), "ERROR: cannot cast 'nope' to DATE");
    assert_string_equal(eval("CAST(TM AS DATE)"), "ERROR: Cast of TIME to DATE is not supported");
}

static void test_composite_casts_convert_each_part(void **s)
{
    assert_string_equal(eval("CAST(AI AS ARRAY<STRING>)"), "[3, null, 1, 3]");
    assert_string_equal(eval_type("CAST(AI AS ARRAY<STRING>)"), "ARRAY<STRING>");
    assert_string_equal(eval("CAST(ARRAY[10000000000] AS ARRAY<INT>)"), "[1410065408]");
    assert_string_equal(eval("CAST(M AS MAP<STRING, DOUBLE>)"), eval("MAP('x' := 1.0, 'y' := 2.0)"));
    assert_string_equal(eval("CAST(STRUCT(A := 1, B := 'x') AS STRUCT<A STRING, C INT>)"), "{A=1, C=null}");
    assert_string_equal(eval("CAST(AI AS MAP<STRING, INT>)"),
                        "ERROR: Cast of ARRAY<INTEGER> to MAP<STRING, INTEGER> is not supported");
}

static void test_failed_cast_is_an_error(void **s)
{
    assert_string_equal(eval("CAST(T AS INT)"), "ERROR: cannot cast 'hello' to INTEGER");
}

static void test_string_functions(void **s)
{
    assert_string_equal(eval("UCASE(T)"), "HELLO");
    assert_string_equal(eval("LEN(T)"), "5");
    assert_string_equal(eval("SUBSTRING(T, 2, 3)"), "ell");
    assert_string_equal(eval("SUBSTRING(T, -3)"), "llo");
    assert_string_equal(eval("CONCAT(T, NULL, '!')"), "hello!");
    assert_string_equal(eval("TRIM('  x  ')"), "x");
}

static void test_null_handling_functions(void **s)
{
    assert_string_equal(eval("COALESCE(N, I)"), "7");
    assert_string_equal(eval("IFNULL(N, 3)"), "3");
    assert_string_equal(eval("ABS(-I)"), "7");
    assert_string_equal(eval("ROUND(D)"), "8");
}

static void test_pseudo_columns(void **s)
{
    assert_string_equal(eval("ROWTIME"), "1000");
    assert_string_equal(eval("ROWOFFSET"), "5");
    assert_string_equal(eval("ROWPARTITION"), "0");
    assert_string_equal(eval("ID"), "1");
}

static void test_type_errors_are_compile_errors(void **s)
{
    assert_string_equal(eval("T + 1"), "ERROR: cannot apply + to STRING and INTEGER");
    assert_string_equal(eval("UCASE(I)"), "ERROR: UCASE expects STRING arguments");
}

/* A constructor whose elements do not widen to one type: literals take
 * the type of the first element that is not a literal when they convert
 * to it (ksqlDB); otherwise the elements must agree. */
static void test_constructor_literals_take_the_column_type(void **s)
{
    (void)s;
    assert_string_equal(eval("MAP(T := BN, 'k' := 'true', 10 := 'no')"), "{hello=null, k=true, 10=false}");
    assert_string_equal(eval("ARRAY[T, 1, TRUE]"), "[hello, 1, true]");
    assert_string_equal(eval("ARRAY[I, '5']"), "[7, 5]");
    assert_string_equal(eval("ARRAY[I, 'x']"), "ERROR: all array elements must have the same type");
    assert_string_equal(eval("MAP('a' := I, 'b' := T)"), "ERROR: all map values must have the same type");
}

static void test_unknown_names_are_reported(void **s)
{
    assert_string_equal(eval("NAMEE"), "ERROR: column 'NAMEE' does not exist in S");
    assert_string_equal(eval("NOPE(I)"), "ERROR: function 'NOPE' does not exist");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arithmetic_follows_precedence),
        cmocka_unit_test(test_integer_division_truncates_toward_zero),
        cmocka_unit_test(test_integer_division_by_zero_is_null),
        cmocka_unit_test(test_int_overflow_wraps_like_java),
        cmocka_unit_test(test_mixed_types_widen),
        cmocka_unit_test(test_doubles_print_like_java),
        cmocka_unit_test(test_null_propagates_through_arithmetic),
        cmocka_unit_test(test_comparison_with_null_is_false),
        cmocka_unit_test(test_three_valued_logic),
        cmocka_unit_test(test_is_null_and_distinct_from),
        cmocka_unit_test(test_between_and_in),
        cmocka_unit_test(test_in_list_literals_take_the_tested_type),
        cmocka_unit_test(test_strings_compare_with_timestamps),
        cmocka_unit_test(test_like_patterns),
        cmocka_unit_test(test_case_expressions),
        cmocka_unit_test(test_casts),
        cmocka_unit_test(test_temporal_casts),
        cmocka_unit_test(test_composite_casts_convert_each_part),
        cmocka_unit_test(test_failed_cast_is_an_error),
        cmocka_unit_test(test_string_functions),
        cmocka_unit_test(test_null_handling_functions),
        cmocka_unit_test(test_pseudo_columns),
        cmocka_unit_test(test_type_errors_are_compile_errors),
        cmocka_unit_test(test_constructor_literals_take_the_column_type),
        cmocka_unit_test(test_unknown_names_are_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
