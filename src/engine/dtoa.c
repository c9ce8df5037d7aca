/* dtoa.c — see dtoa.h. */
#include "dtoa.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"

__extension__ typedef unsigned __int128 u128;

/* The digits of the text "d.ddde[+-]XX" (trailing zeros dropped). */
static int digits_of_text(const char *text, char *digits, int *exp10)
{
    const char *e = strchr(text, 'e');
    *exp10 = atoi(e + 1);
    int nd = 0;
    for (const char *c = text; c < e; c++)
        if (*c >= '0' && *c <= '9')
            digits[nd++] = *c;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    return nd;
}

int dtoa_shortest_loop(double d, int min_digits, char *digits, int *exp10)
{
    char tmp[40];
    for (int prec = min_digits; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    return digits_of_text(tmp, digits, exp10);
}

/* Whether m / 2^s >= 10^j, exactly (-3 <= j <= 6, s <= 62). */
static bool at_least_pow10(uint64_t m, int s, int j)
{
    if (j >= 0)
        return (u128)m >= (u128)decimal_pow10_u64[j] << s;
    return (u128)m * decimal_pow10_u64[-j] >= (u128)1 << s;
}

/* d = m / 2^s with 2^52 < m < 2^53 and 1e-3 <= d < 1e7, so 29 <= s <= 62.
 * Its round-trip interval is [(2m - 1) / 2^(s+1), (2m + 1) / 2^(s+1)],
 * the bounds read back as d when m is even (ties go to even); m = 2^52,
 * whose lower neighbour is closer, is left to the loop.  For n digits
 * the candidate is c * 10^q with q = k - n + 1 (k: d's decimal exponent)
 * and c = d / 10^q rounded half to even, as printf rounds.  Every
 * product stays below 2^121. */
static int shortest_fast(uint64_t m, int s, int min_digits, char *digits, int *exp10)
{
    int k = 6;
    while (k > -3 && !at_least_pow10(m, s, k))
        k--;
    bool even = (m & 1) == 0;
    for (int n = min_digits; n <= 17; n++) {
        int q = k - n + 1;
        uint64_t c;
        bool inside;
        if (q >= 0) {
            /* d >= 10^q, so the divisor 10^q * 2^s is at most m */
            uint64_t div = decimal_pow10_u64[q] << s, r = m % div;
            c = m / div;
            if (2 * (u128)r > div || (2 * (u128)r == div && (c & 1)))
                c++;
            u128 x = (u128)c * decimal_pow10_u64[q] << (s + 1);
            u128 lo = 2 * (u128)m - 1, hi = 2 * (u128)m + 1;
            inside = even ? x >= lo && x <= hi : x > lo && x < hi;
        } else {
            u128 num = (u128)m * decimal_pow10_u64[-q], mask = ((u128)1 << s) - 1, r = num & mask;
            u128 half = (u128)1 << (s - 1);
            c = (uint64_t)(num >> s);
            if (r > half || (r == half && (c & 1)))
                c++;
            u128 x = (u128)c << (s + 1);
            u128 lo = (2 * (u128)m - 1) * decimal_pow10_u64[-q],
                 hi = (2 * (u128)m + 1) * decimal_pow10_u64[-q];
            inside = even ? x >= lo && x <= hi : x > lo && x < hi;
        }
        if (!inside)
            continue;
        char tmp[24], *end = tmp + sizeof tmp;
        char *p = decimal_u64_digits(c, end);
        int nd = (int)(end - p);
        *exp10 = q + nd - 1; /* c may have rounded up to 10^n */
        while (nd > 1 && p[nd - 1] == '0')
            nd--;
        memcpy(digits, p, (size_t)nd);
        return nd;
    }
    return -1; /* not reached: 17 digits always read back */
}

int dtoa_shortest(double d, int min_digits, char *digits, int *exp10)
{
    double a = fabs(d);
    if (a >= 1e-3 && a < 1e7) {
        uint64_t bits;
        memcpy(&bits, &a, sizeof bits);
        uint64_t m = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
        int s = 1075 - (int)(bits >> 52);
        if (m != 1ULL << 52) {
            int nd = shortest_fast(m, s, min_digits, digits, exp10);
            if (nd > 0)
                return nd;
        }
    }
    return dtoa_shortest_loop(d, min_digits, digits, exp10);
}
