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

/* v at scale s as text, in a static buffer. */
static char *text_of(dec128 v, int s)
{
    static char out[64];
    buf b = BUF_INIT;
    decimal_to_text(v, s, &b);
    snprintf(out, sizeof out, "%s", b.data);
    buf_free(&b);
    return out;
}

static char *parse_text(const char *in, int p, int s)
{
    dec128 v;
    return decimal_parse(in, strlen(in), p, s, &v) ? "ERROR" : text_of(v, s);
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

/* v (at scale `from`) moved to scale `to`, as text; "OVERFLOW" on -1. */
static char *rescaled(dec128 v, int from, int to)
{
    dec128 r;
    return decimal_rescale(v, from, to, &r) ? "OVERFLOW" : text_of(r, to);
}

/* Dropping digits rounds HALF_UP (away from zero at .5) for values
 * within 64 bits and past them alike. */
static void test_rescale_rounds_half_up_at_every_size(void **state)
{
    assert_string_equal(rescaled(-1005, 3, 2), "-1.01");
    assert_string_equal(rescaled(-1004, 3, 2), "-1.00");
    assert_string_equal(rescaled(15, 1, 0), "2");
    assert_string_equal(rescaled(-15, 1, 0), "-2");
    assert_string_equal(rescaled(14, 1, 0), "1");
    assert_string_equal(rescaled(-14, 1, 0), "-1");
    assert_string_equal(rescaled(7, 2, 2), "0.07");
    /* the most negative 64-bit value, and one past the largest */
    assert_string_equal(rescaled(INT64_MIN, 1, 0), "-922337203685477581");
    assert_string_equal(rescaled((dec128)INT64_MAX + 1, 1, 0), "922337203685477581");
    /* 18 dropped digits, then 19 */
    assert_string_equal(rescaled(500000000000000000, 18, 0), "1");
    assert_string_equal(rescaled(-500000000000000000, 18, 0), "-1");
    assert_string_equal(rescaled(499999999999999999, 18, 0), "0");
    assert_string_equal(rescaled(5000000000000000000, 19, 0), "1");
    assert_string_equal(rescaled(-4999999999999999999, 19, 0), "0");
}

static void test_rescale_up_is_exact_or_overflows(void **state)
{
    assert_string_equal(rescaled(INT64_MIN, 0, 18), "-9223372036854775808.000000000000000000");
    assert_string_equal(rescaled(INT64_MAX, 0, 19), "9223372036854775807.0000000000000000000");
    assert_string_equal(rescaled(INT64_MIN, 0, 20), "OVERFLOW"); /* past 2^127 */
    assert_string_equal(rescaled(-12, 0, 2), "-12.00");
}

/* a * b as DECIMAL(38, s), as text; "NULL" when ksqlDB gives NULL. */
static char *product(dec128 a, int sa, dec128 b, int sb, int s)
{
    dec128 r;
    return decimal_arith(DECIMAL_MUL, a, sa, b, sb, 38, s, &r) ? "NULL" : text_of(r, s);
}

/* Products of 64-bit operands are exact up to 2^126; larger operands
 * still multiply, and a product past 38 digits is NULL. */
static void test_products_are_exact_at_the_64_bit_edges(void **state)
{
    assert_string_equal(product(INT64_MAX, 0, INT64_MAX, 0, 0), "85070591730234615847396907784232501249");
    assert_string_equal(product(INT64_MIN, 0, INT64_MIN, 0, 0), "85070591730234615865843651857942052864");
    assert_string_equal(product(INT64_MIN, 0, 1, 0, 0), "-9223372036854775808");
    assert_string_equal(product(-150, 0, 908, 3, 3), "-136.200"); /* BIGINT * 0.908 */
    assert_string_equal(product(150, 0, -908, 3, 3), "-136.200");
    assert_string_equal(product(-150, 0, -908, 3, 3), "136.200");
    assert_string_equal(product((dec128)10000000000000000000U, 0, (dec128)10000000000000000000U, 0, 0),
                        "NULL"); /* 10^38: 39 digits */
    assert_string_equal(product((dec128)10000000000000000000U, 0, (dec128)9999999999999999999U, 0, 0),
                        "99999999999999999990000000000000000000");
    assert_string_equal(product((dec128)INT64_MAX * 4, 0, (dec128)INT64_MAX * 4, 0, 0), "NULL"); /* past 2^127 */
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
        cmocka_unit_test(test_rescale_rounds_half_up_at_every_size),
        cmocka_unit_test(test_rescale_up_is_exact_or_overflows),
        cmocka_unit_test(test_products_are_exact_at_the_64_bit_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
