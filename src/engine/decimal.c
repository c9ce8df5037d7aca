/* decimal.c — see decimal.h. */
#include "decimal.h"

#include "dtoa.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define E1(n) ((dec128)(n))
#define E19 ((dec128)10000000000000000000ULL)
static const dec128 pow10_table[DECIMAL_MAX_PRECISION + 1] = {
    E1(1ULL), E1(10ULL), E1(100ULL), E1(1000ULL), E1(10000ULL), E1(100000ULL), E1(1000000ULL),
    E1(10000000ULL), E1(100000000ULL), E1(1000000000ULL), E1(10000000000ULL), E1(100000000000ULL),
    E1(1000000000000ULL), E1(10000000000000ULL), E1(100000000000000ULL), E1(1000000000000000ULL),
    E1(10000000000000000ULL), E1(100000000000000000ULL), E1(1000000000000000000ULL), E19,
    E19 * 10, E19 * 100, E19 * 1000, E19 * 10000, E19 * 100000, E19 * 1000000, E19 * 10000000,
    E19 * 100000000, E19 * 1000000000, E19 * 10000000000ULL, E19 * 100000000000ULL,
    E19 * 1000000000000ULL, E19 * 10000000000000ULL, E19 * 100000000000000ULL,
    E19 * 1000000000000000ULL, E19 * 10000000000000000ULL, E19 * 100000000000000000ULL,
    E19 * 1000000000000000000ULL, E19 * E19};

dec128 decimal_pow10(int n) { return pow10_table[n < 0 ? 0 : n > DECIMAL_MAX_PRECISION ? DECIMAL_MAX_PRECISION : n]; }

static udec128 magnitude(dec128 v) { return v < 0 ? (udec128)0 - (udec128)v : (udec128)v; }

int decimal_digits(dec128 v)
{
    udec128 m = magnitude(v);
    int d = 1;
    while (d <= DECIMAL_MAX_PRECISION && m >= (udec128)pow10_table[d])
        d++;
    return d;
}

bool decimal_fits(dec128 v, int precision)
{
    if (precision > DECIMAL_MAX_PRECISION)
        return true; /* every 128-bit value below 10^38 fits */
    return magnitude(v) < (udec128)pow10_table[precision];
}

static bool fits64(dec128 v) { return v == (dec128)(int64_t)v; }

/* a * b, or -1 when it leaves the +-(2^127 - 1) range.  (No
 * __builtin_mul_overflow: clang lowers it for 128 bits to a compiler-rt
 * routine that libgcc lacks.) */
static int mul_checked(dec128 a, dec128 b, dec128 *out)
{
    /* both within 64 bits (the common case): |a * b| <= 2^126 cannot
     * overflow, and one 64 x 64 -> 128-bit multiply gives it exactly */
    if (fits64(a) && fits64(b)) {
        *out = (dec128)(int64_t)a * (int64_t)b;
        return 0;
    }
    udec128 ma = magnitude(a), mb = magnitude(b), limit = ((udec128)1 << 127) - 1;
    if (ma && mb > limit / ma)
        return -1;
    udec128 m = ma * mb;
    *out = (a < 0) != (b < 0) ? -(dec128)m : (dec128)m;
    return 0;
}

int decimal_rescale(dec128 v, int from, int to, dec128 *out)
{
    if (to == from) {
        *out = v;
        return 0;
    }
    if (to > from) {
        if (to - from > DECIMAL_MAX_PRECISION)
            return v ? -1 : (*out = 0, 0);
        return mul_checked(v, pow10_table[to - from], out);
    }
    int drop = from - to;
    if (drop > DECIMAL_MAX_PRECISION) {
        *out = 0; /* |v| < 2^127 < 10^39 / 2: rounds to zero */
        return 0;
    }
    if (drop <= 18 && fits64(v)) { /* 64-bit division: the same steps as below */
        int64_t p64 = (int64_t)pow10_table[drop], v64 = (int64_t)v, q64 = v64 / p64, r64 = v64 % p64;
        int64_t mr64 = r64 < 0 ? -r64 : r64; /* |r| < p <= 10^18: no overflow */
        if (mr64 && mr64 >= p64 - mr64)
            q64 += v64 < 0 ? -1 : 1;
        *out = q64;
        return 0;
    }
    dec128 p = pow10_table[drop], q = v / p, r = v % p;
    udec128 mr = magnitude(r);
    /* HALF_UP: away from zero when the dropped part is at least half
     * (written as r >= p - r so it cannot overflow for p = 10^38) */
    if (mr && mr >= (udec128)p - mr)
        q += v < 0 ? -1 : 1;
    *out = q;
    return 0;
}

int decimal_parse(const char *p, size_t n, int precision, int scale, dec128 *out)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)p[i]))
        i++;
    while (n > i && isspace((unsigned char)p[n - 1]))
        n--;
    bool neg = false;
    if (i < n && (p[i] == '-' || p[i] == '+'))
        neg = p[i++] == '-';
    /* significant digits (leading zeros dropped), and the power of ten
     * of the last one */
    char digits[DECIMAL_MAX_PRECISION + 2];
    int nd = 0, dropped = 0; /* digits beyond the buffer: only their count and first matter */
    char first_dropped = '0';
    bool any = false, point = false;
    long exp10 = 0;
    for (; i < n; i++) {
        char c = p[i];
        if (c == '.' && !point) {
            point = true;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        any = true;
        if (point)
            exp10--;
        if (nd == 0 && c == '0')
            continue;
        if (nd < (int)sizeof digits) {
            digits[nd++] = c;
        } else {
            if (!dropped)
                first_dropped = c; /* HALF_UP needs only the first dropped digit */
            dropped++;
        }
    }
    if (!any)
        return -1;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < n && (p[i] == '-' || p[i] == '+'))
            eneg = p[i++] == '-';
        if (i >= n)
            return -1;
        long e = 0;
        for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
            if (e < 100000)
                e = e * 10 + (p[i] - '0');
        exp10 += eneg ? -e : e;
    }
    if (i != n)
        return -1;
    /* value = digits * 10^(exp10 + dropped); unscaled = that * 10^scale */
    long shift = exp10 + dropped + scale;
    dec128 v = 0;
    if (nd == 0) {
        *out = 0;
        return 0;
    }
    if (shift >= 0) {
        if (nd + shift > DECIMAL_MAX_PRECISION)
            return -1;
        for (int k = 0; k < nd; k++)
            v = v * 10 + (digits[k] - '0');
        v *= pow10_table[shift];
    } else {
        long keep = nd + shift; /* digits kept; the next one rounds */
        if (keep > DECIMAL_MAX_PRECISION)
            return -1; /* more than 38 digits: no DECIMAL holds it */
        char round_digit = keep >= 0 && keep < nd ? digits[keep] : keep == nd ? first_dropped : '0';
        for (long k = 0; k < keep; k++)
            v = v * 10 + (digits[k] - '0');
        if (round_digit >= '5')
            v++;
    }
    if (!decimal_fits(v, precision))
        return -1;
    *out = neg ? -v : v;
    return 0;
}

int decimal_from_double(double d, int precision, int scale, dec128 *out)
{
    if (!isfinite(d))
        return -1;
    if (d == 0)
        return decimal_parse("0", 1, precision, scale, out);
    /* digits * 10^(exp10 - nd + 1), as text decimal_parse reads */
    char digits[24], text[48];
    int exp10, nd = dtoa_shortest(d, 1, digits, &exp10);
    int n = snprintf(text, sizeof text, "%s%.*se%d", d < 0 ? "-" : "", nd, digits, exp10 - nd + 1);
    return decimal_parse(text, (size_t)n, precision, scale, out);
}

int decimal_from_int(int64_t l, int precision, int scale, dec128 *out)
{
    if (decimal_rescale(l, 0, scale, out) || !decimal_fits(*out, precision))
        return -1;
    return 0;
}

const uint64_t decimal_pow10_u64[20] = {1ULL,
                                        10ULL,
                                        100ULL,
                                        1000ULL,
                                        10000ULL,
                                        100000ULL,
                                        1000000ULL,
                                        10000000ULL,
                                        100000000ULL,
                                        1000000000ULL,
                                        10000000000ULL,
                                        100000000000ULL,
                                        1000000000000ULL,
                                        10000000000000ULL,
                                        100000000000000ULL,
                                        1000000000000000ULL,
                                        10000000000000000ULL,
                                        100000000000000000ULL,
                                        1000000000000000000ULL,
                                        10000000000000000000ULL};

static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

char *decimal_u64_digits(uint64_t m, char *end)
{
    /* two digits per division by a constant (a multiplication) */
    while (m >= 100) {
        unsigned r = (unsigned)(m % 100);
        m /= 100;
        end -= 2;
        memcpy(end, digit_pairs + 2 * r, 2);
    }
    if (m >= 10) {
        end -= 2;
        memcpy(end, digit_pairs + 2 * m, 2);
    } else
        *--end = (char)('0' + m);
    return end;
}

/* The digits of |v|, most significant first, into d (at least 40 bytes);
 * returns how many.  One 128-bit division at most: above 2^64 the value
 * is split into the digits above and the 19 below 10^19. */
static int digits_of(dec128 v, char *d)
{
    char tmp[48], *end = tmp + sizeof tmp, *p;
    udec128 m = magnitude(v);
    if (m >> 64) {
        udec128 e19 = (udec128)E19;
        uint64_t lo = (uint64_t)(m % e19);
        p = decimal_u64_digits(lo, end);
        while (p > end - 19)
            *--p = '0';
        p = decimal_u64_digits((uint64_t)(m / e19), p);
    } else
        p = decimal_u64_digits((uint64_t)m, end);
    int n = (int)(end - p);
    memcpy(d, p, (size_t)n);
    return n;
}

char *decimal_text_at(dec128 v, int scale, char *t)
{
    char d[48];
    int n = digits_of(v, d);
    if (v < 0)
        *t++ = '-';
    if (scale <= 0) {
        memcpy(t, d, (size_t)n);
        t += n;
    } else if (n <= scale) {
        *t++ = '0';
        *t++ = '.';
        for (int i = n; i < scale; i++)
            *t++ = '0';
        memcpy(t, d, (size_t)n);
        t += n;
    } else {
        memcpy(t, d, (size_t)(n - scale));
        t += n - scale;
        *t++ = '.';
        memcpy(t, d + n - scale, (size_t)scale);
        t += scale;
    }
    return t;
}

void decimal_to_text(dec128 v, int scale, buf *out)
{
    if (scale > DECIMAL_MAX_PRECISION) { /* no type has it: kept simple */
        char d[48];
        int n = digits_of(v, d);
        buf_append(out, "-0." + (v >= 0), v < 0 ? 3 : 2);
        for (int i = n; i < scale; i++)
            buf_putc(out, '0');
        buf_append(out, d, (size_t)n);
        return;
    }
    /* composed in one local array, appended with one copy */
    char text[DECIMAL_TEXT_MAX];
    buf_append(out, text, (size_t)(decimal_text_at(v, scale, text) - text));
}

double decimal_to_double(dec128 v, int scale)
{
    /* exact operands give a correctly rounded quotient; else via text */
    static const double exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (v >= -((dec128)1 << 53) && v <= ((dec128)1 << 53) && scale >= 0 && scale <= 22)
        return (double)(int64_t)v / exact[scale];
    buf b = BUF_INIT;
    decimal_to_text(v, scale, &b);
    double d = strtod(b.data, NULL);
    buf_free(&b);
    return d;
}

int64_t decimal_to_int64(dec128 v, int scale)
{
    dec128 q = scale > 0 ? v / decimal_pow10(scale) : v;
    return (int64_t)(uint64_t)(udec128)q;
}

int decimal_compare(dec128 a, int sa, dec128 b, int sb)
{
    if (sa < sb) {
        if (decimal_rescale(a, sa, sb, &a))
            return a < 0 ? -1 : 1; /* too large in magnitude to scale: it dominates */
    } else if (sb < sa) {
        if (decimal_rescale(b, sb, sa, &b))
            return b < 0 ? 1 : -1;
    }
    return a < b ? -1 : a > b;
}

void decimal_result_type(decimal_op op, int p1, int s1, int p2, int s2, int *p, int *s)
{
    int smax = s1 > s2 ? s1 : s2;
    int i1 = p1 - s1, i2 = p2 - s2;
    switch (op) {
    case DECIMAL_ADD:
    case DECIMAL_SUB: *p = smax + (i1 > i2 ? i1 : i2) + 1, *s = smax; return;
    case DECIMAL_MUL: *p = p1 + p2 + 1, *s = s1 + s2; return;
    case DECIMAL_DIV: {
        int sd = s1 + p2 + 1 > 6 ? s1 + p2 + 1 : 6;
        *p = p1 - s1 + s2 + sd, *s = sd;
        return;
    }
    case DECIMAL_MOD: *p = (i1 < i2 ? i1 : i2) + smax, *s = smax; return;
    }
}

/* |a| / |b| (b != 0) continued for `k` more decimal digits; 1 when the
 * division does not end there (inexact: ksqlDB's UNNECESSARY rounding
 * fails) or a digit step would overflow. */
static int divide_digits(udec128 a, udec128 b, int k, udec128 *q)
{
    udec128 limit = ~(udec128)0 / 10;
    udec128 quo = a / b, rem = a % b;
    for (int i = 0; i < k; i++) {
        /* rem < b; 10 * rem must not wrap (only for b above 2^124) */
        if (quo > limit || rem > limit)
            return 1;
        rem *= 10;
        quo = quo * 10 + rem / b;
        rem %= b;
    }
    *q = quo;
    return rem != 0;
}

int decimal_arith(decimal_op op, dec128 a, int sa, dec128 b, int sb, int p, int s, dec128 *out)
{
    dec128 r;
    int sm = sa > sb ? sa : sb;
    switch (op) {
    case DECIMAL_ADD:
    case DECIMAL_SUB:
    case DECIMAL_MOD:
        if (decimal_rescale(a, sa, sm, &a) || decimal_rescale(b, sb, sm, &b))
            return 1;
        if (op == DECIMAL_MOD) {
            if (b == 0)
                return 1;
            r = a % b; /* Java's remainder: sign of the dividend */
        } else if (__builtin_add_overflow(a, op == DECIMAL_SUB ? -b : b, &r))
            return 1;
        if (decimal_rescale(r, sm, s, &r))
            return 1;
        break;
    case DECIMAL_MUL:
        if (mul_checked(a, b, &r) || decimal_rescale(r, sa + sb, s, &r))
            return 1;
        break;
    case DECIMAL_DIV: {
        if (b == 0)
            return 1;
        /* a/10^sa / (b/10^sb) at scale s: |a| / |b| with s + sb - sa
         * more digits (the result scale always exceeds sa - sb) */
        int k = s + sb - sa;
        udec128 q;
        if (k < 0 || divide_digits(magnitude(a), magnitude(b), k, &q) || q >> 127)
            return 1;
        r = (a < 0) != (b < 0) ? -(dec128)q : (dec128)q;
        break;
    }
    default: return 1;
    }
    if (!decimal_fits(r, p))
        return 1;
    *out = r;
    return 0;
}
