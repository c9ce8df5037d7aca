/* test_dtoa.c — the shortest digits that read back as a double: known
 * answers (Java's Double.toString), and the exact fast path against the
 * printf / strtod search it replaces, on edge cases and a few million
 * random doubles of its range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "engine/dtoa.h"

/* "digits e exp10" of d by dtoa_shortest, for comparing as a string. */
static const char *shortest(double d, int min_digits)
{
    static char text[64];
    char digits[32];
    int exp10, nd = dtoa_shortest(d, min_digits, digits, &exp10);
    snprintf(text, sizeof text, "%.*se%d", nd, digits, exp10);
    return text;
}

static void test_known_shortest_digits(void **state)
{
    (void)state;
    assert_string_equal(shortest(0.3, 2), "3e-1");
    assert_string_equal(shortest(0.1 + 0.2, 2), "30000000000000004e-1");
    assert_string_equal(shortest(123.456, 2), "123456e2");
    assert_string_equal(shortest(0.001, 2), "1e-3");
    assert_string_equal(shortest(9999999.0, 2), "9999999e6");
    assert_string_equal(shortest(1e7, 2), "1e7");
    assert_string_equal(shortest(-2.5, 1), "25e0");
    assert_string_equal(shortest(1.0 / 3, 2), "3333333333333333e-1");
    assert_string_equal(shortest(773.616, 2), "773616e2");
    /* outside the fast range, the search: Double.MIN_VALUE is 4.9E-324 */
    assert_string_equal(shortest(4.9e-324, 2), "49e-324");
    assert_string_equal(shortest(4.9e-324, 1), "5e-324");
}

/* Fails with the double's bits when the fast path and the search differ. */
static void check_same(double d, int min_digits)
{
    char a[32], b[32];
    int ea, eb;
    int na = dtoa_shortest(d, min_digits, a, &ea);
    int nb = dtoa_shortest_loop(d, min_digits, b, &eb);
    if (na != nb || ea != eb || memcmp(a, b, (size_t)na) != 0) {
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        fail_msg("%.17g (bits %016llx, min %d): fast %.*se%d, search %.*se%d", d, (unsigned long long)bits,
                 min_digits, na, a, ea, nb, b, eb);
    }
}

static void check_around(double d)
{
    double below = nextafter(d, 0), above = nextafter(d, INFINITY);
    for (int min = 1; min <= 2; min++) {
        check_same(d, min);
        check_same(-d, min);
        check_same(below, min);
        check_same(above, min);
    }
}

static void test_fast_path_matches_search_on_edges(void **state)
{
    (void)state;
    for (int e = -3; e <= 7; e++) /* powers of ten, the range's ends among them */
        check_around(pow(10, e));
    static const double ties[] = {0.5, 2.5, 0.125, 0.0625, 1.5, 1234.5, 0.0015, 999999.5, 9999999.5, 0.00125};
    for (size_t i = 0; i < sizeof ties / sizeof ties[0]; i++)
        check_around(ties[i]);
    check_around(0.1 + 0.2);
    check_around(0.1);
    check_around(0.7);
    check_around(1.0 / 3);
    for (int e = -10; e <= 24; e++) /* 2^52 boundaries: m = 2^52 and its neighbours */
        check_around(ldexp(1, e));
    for (int i = 1; i < 1000; i++) { /* round decimals of every length */
        check_around(i / 1000.0);
        check_around(i * 9999.991);
        check_around(i * 0.908);
    }
}

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: fixed seed, the same doubles every run */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static void test_fast_path_matches_search_on_random_doubles(void **state)
{
    (void)state;
    uint64_t s = 42;
    long checked = 0;
    /* any bits in the binades of the range (mostly 16-17 digits) */
    while (checked < 500000) {
        uint64_t r = rng_next(&s);
        int binade = (int)(r % 34) - 10; /* 2^-10 .. 2^23 */
        double d = ldexp((double)((rng_next(&s) >> 11) | (1ULL << 52)), binade - 52);
        if (d < 1e-3 || d >= 1e7)
            continue;
        check_same(r & 1 ? -d : d, (int)(r >> 1 & 1) + 1);
        checked++;
    }
    /* prices and rates: few digits, the common case */
    for (long i = 0; i < 1500000; i++) {
        uint64_t r = rng_next(&s);
        double d =
            (double)(r % 100000000) / (double)(1ULL << (r >> 40) % 4) / pow(10, (double)((r >> 32) % 9));
        if (d < 1e-3 || d >= 1e7)
            continue;
        check_same(d, (int)(r >> 50 & 1) + 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_shortest_digits),
        cmocka_unit_test(test_fast_path_matches_search_on_edges),
        cmocka_unit_test(test_fast_path_matches_search_on_random_doubles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
