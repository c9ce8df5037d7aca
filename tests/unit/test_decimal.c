/* test_decimal.c — DECIMAL as ksqlDB computes it: exact 128-bit values up
 * to precision 38, SqlDecimal's result types, HALF_UP where ksqlDB
 * rounds, NULL where its BigDecimal arithmetic fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eval_harness.h"
#include "engine/decimal.h"

static char *parse_text(const char *in, int p, int s)
{
    static char out[64];
    dec128 v;
    if (decimal_parse(in, strlen(in), p, s, &v))
        return "ERROR";
    buf b = BUF_INIT;
    decimal_to_text(v, s, &b);
    snprintf(out, sizeof out, "%s", b.data);
    buf_free(&b);
    return out;
}

static void test_text_rounds_half_up_into_the_scale(void **state)
{
    assert_string_equal(parse_text("1.005", 5, 2), "1.01");
    assert_string_equal(parse_text("-1.005", 5, 2), "-1.01");
    assert_string_equal(parse_text("1.0049", 5, 2), "1.00");
    assert_string_equal(parse_text("0.5", 1, 0), "1");
    assert_string_equal(parse_text("1.2", 4, 2), "1.20");
    assert_string_equal(parse_text("-0.05", 3, 2), "-0.05");
    assert_string_equal(parse_text("1.5e2", 5, 1), "150.0");
    assert_string_equal(parse_text("125E-3", 4, 2), "0.13");
}

static void test_text_past_the_precision_overflows(void **state)
{
    assert_string_equal(parse_text("1000", 3, 0), "ERROR");
    assert_string_equal(parse_text("99.995", 4, 2), "ERROR"); /* rounds to 100.00 */
    assert_string_equal(parse_text("1.2.3", 5, 2), "ERROR");
    assert_string_equal(parse_text("", 5, 2), "ERROR");
    assert_string_equal(parse_text("1e", 5, 2), "ERROR");
}

static void test_precision_38_round_trips(void **state)
{
    assert_string_equal(parse_text("12345678901234567890123456789.123456789", 38, 9),
                        "12345678901234567890123456789.123456789");
    assert_string_equal(parse_text("-99999999999999999999999999999999999999", 38, 0),
                        "-99999999999999999999999999999999999999");
    assert_string_equal(parse_text("100000000000000000000000000000000000000", 38, 0), "ERROR");
    /* 40 significant digits, 11 dropped by the scale: 29 + 10 kept is still too many */
    assert_string_equal(parse_text("89012304567830456789012368945.71234567800000", 38, 10), "ERROR");
}

static void test_result_types_follow_ksqldb(void **state)
{
    int p, s;
    decimal_result_type(DECIMAL_ADD, 4, 2, 4, 2, &p, &s);
    assert_true(p == 5 && s == 2);
    decimal_result_type(DECIMAL_SUB, 4, 2, 10, 0, &p, &s);
    assert_true(p == 13 && s == 2);
    decimal_result_type(DECIMAL_MUL, 4, 2, 4, 2, &p, &s);
    assert_true(p == 9 && s == 4);
    decimal_result_type(DECIMAL_DIV, 4, 2, 4, 2, &p, &s);
    assert_true(p == 11 && s == 7);
    decimal_result_type(DECIMAL_MOD, 4, 2, 5, 3, &p, &s);
    assert_true(p == 5 && s == 3);
}

/* DEC is DECIMAL(6, 3) = 12.345 in the harness row. */
static void test_arithmetic_is_exact(void **state)
{
    assert_string_equal(eval("DEC + DEC"), "24.690");
    assert_string_equal(eval("DEC - 0.345"), "12.000");
    assert_string_equal(eval("DEC * DEC"), "152.399025");
    assert_string_equal(eval("DEC + I"), "19.345");
    assert_string_equal(eval("DEC / 5"), "2.46900000000000"); /* scale max(6, 3 + 10 + 1) */
    assert_string_equal(eval("DEC % 5"), "2.345");
    assert_string_equal(eval("-DEC"), "-12.345");
    assert_string_equal(eval("0.1 + 0.2"), "0.3");
    assert_string_equal(eval("CAST('12345678901234567890123456789.5' AS DECIMAL(38, 1)) + 1"),
                        "12345678901234567890123456790.5");
}

static void test_division_that_fails_in_ksqldb_is_null(void **state)
{
    assert_string_equal(eval("DEC / 0"), "null");
    assert_string_equal(eval("DEC % 0"), "null");
    assert_string_equal(eval("1.00 / 3"), "null"); /* inexact: RoundingMode.UNNECESSARY */
}

static void test_decimal_with_double_is_double(void **state)
{
    assert_string_equal(eval("DEC + 0.5E0"), "12.845");
    assert_string_equal(eval("DEC * 2.0E0"), "24.69");
}

static void test_casts_round_half_up(void **state)
{
    assert_string_equal(eval("CAST('1.005' AS DECIMAL(5, 2))"), "1.01");
    assert_string_equal(eval("CAST(1.005E0 AS DECIMAL(5, 2))"), "1.01"); /* BigDecimal.valueOf(double) */
    assert_string_equal(eval("CAST(DEC AS DECIMAL(4, 1))"), "12.3");
    assert_string_equal(eval("CAST(DEC AS DECIMAL(5, 2))"), "12.35");
    assert_string_equal(eval("CAST(-DEC AS INT)"), "-12");
    assert_string_equal(eval("CAST(DEC AS DOUBLE)"), "12.345");
    assert_string_equal(eval("CAST(DEC AS STRING)"), "12.345");
    assert_string_equal(eval("CAST(I AS DECIMAL(3, 1))"), "7.0");
    assert_non_null(strstr(eval("CAST(B AS DECIMAL(4, 0))"), "ERROR"));
    assert_non_null(strstr(eval("CAST('abc' AS DECIMAL(4, 0))"), "ERROR"));
}

static void test_comparisons_are_exact_across_scales(void **state)
{
    assert_string_equal(eval("DEC > 12.3449"), "true");
    assert_string_equal(eval("DEC = 12.34500"), "true");
    assert_string_equal(eval("DEC < 13"), "true");
    assert_string_equal(eval("DEC BETWEEN 12 AND 12.345"), "true");
    assert_string_equal(eval("DEC IN (1, 12.345)"), "true");
}

/* Values above 2^64 print with every digit, the zeros in the middle too. */
static void test_text_of_values_above_64_bits(void **state)
{
    assert_string_equal(parse_text("50000000000000000007", 20, 0), "50000000000000000007");
    assert_string_equal(parse_text("-18446744073709551616", 20, 0), "-18446744073709551616");
    assert_string_equal(parse_text("99999999999999999999999999999999999999", 38, 0),
                        "99999999999999999999999999999999999999");
    assert_string_equal(parse_text("1234567890123456789.0123456789", 38, 10),
                        "1234567890123456789.0123456789");
    assert_string_equal(parse_text("-0.00000000000000000000000000000000000001", 38, 38),
                        "-0.00000000000000000000000000000000000001");
    assert_string_equal(parse_text("18446744073709551615", 20, 0), "18446744073709551615");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_rounds_half_up_into_the_scale),
        cmocka_unit_test(test_text_past_the_precision_overflows),
        cmocka_unit_test(test_precision_38_round_trips),
        cmocka_unit_test(test_result_types_follow_ksqldb),
        cmocka_unit_test(test_arithmetic_is_exact),
        cmocka_unit_test(test_division_that_fails_in_ksqldb_is_null),
        cmocka_unit_test(test_decimal_with_double_is_double),
        cmocka_unit_test(test_casts_round_half_up),
        cmocka_unit_test(test_comparisons_are_exact_across_scales),
        cmocka_unit_test(test_text_of_values_above_64_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
