/* decimal — exact DECIMAL(p, s) arithmetic on 128-bit unscaled integers.
 *
 * A DECIMAL value is an unscaled integer u with the scale s taken from its
 * type: the number is u / 10^s.  ksqlDB allows precision up to 38 digits,
 * and 10^38 - 1 < 2^127, so a signed 128-bit integer holds every value.
 *
 * The rules follow ksqlDB (Java BigDecimal):
 *  - result types of + - * / % are ksqlDB's SqlDecimal rules
 *    (decimal_result_type), INT and BIGINT taking part as DECIMAL(10, 0)
 *    and DECIMAL(19, 0);
 *  - arithmetic is exact (RoundingMode.UNNECESSARY): a quotient that does
 *    not fit the result scale, or a division by zero, is an error that
 *    makes the result NULL;
 *  - conversions into a narrower scale (CAST, reading a record) round
 *    HALF_UP, and a value with more integer digits than p - s allows is
 *    an overflow ("Numeric field overflow").
 *
 * Everything here is pure: no allocation except into the given buf.
 */
#ifndef EDDY_DECIMAL_H
#define EDDY_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"

__extension__ typedef __int128 dec128;
__extension__ typedef unsigned __int128 udec128;

#define DECIMAL_MAX_PRECISION 38

/* 10^n for 0 <= n <= 38. */
dec128 decimal_pow10(int n);
/* Number of decimal digits of |v| (1 for 0). */
int decimal_digits(dec128 v);
/* Whether v (at scale s) fits DECIMAL(p, s): at most p - s integer digits. */
bool decimal_fits(dec128 v, int precision);

/* v at scale `from` moved to scale `to`, rounding HALF_UP (away from zero
 * at .5) when digits are dropped.  -1 when the result overflows 128 bits. */
int decimal_rescale(dec128 v, int from, int to, dec128 *out);

/* Reads decimal text ([+-]digits[.digits][e[+-]digits], surrounding
 * blanks allowed) as DECIMAL(p, s), rounding HALF_UP.  -1 on bad syntax
 * or overflow of the type. */
int decimal_parse(const char *p, size_t n, int precision, int scale, dec128 *out);
/* A double as DECIMAL(p, s): Java's BigDecimal.valueOf(d) (the shortest
 * text that reads back as d) rounded HALF_UP.  -1 for NaN, infinities
 * and overflow. */
int decimal_from_double(double d, int precision, int scale, dec128 *out);
/* An integer as DECIMAL(p, s); -1 on overflow. */
int decimal_from_int(int64_t l, int precision, int scale, dec128 *out);
double decimal_to_double(dec128 v, int scale);
/* BigDecimal.longValue(): the integer part (truncated toward zero),
 * wrapped to 64 bits. */
int64_t decimal_to_int64(dec128 v, int scale);
/* 10^0 .. 10^19: the powers of ten that fit 64 bits. */
extern const uint64_t decimal_pow10_u64[20];
/* Writes the decimal digits of m so that they end just before `end`
 * (room for 20 is enough); returns where they start. */
char *decimal_u64_digits(uint64_t m, char *end);
/* The longest text of decimal_text_at: a sign, "0." and 39 digits. */
#define DECIMAL_TEXT_MAX 44
/* decimal_to_text's text written at t (room for DECIMAL_TEXT_MAX bytes,
 * no NUL) for 0 <= scale <= DECIMAL_MAX_PRECISION; returns its end. */
char *decimal_text_at(dec128 v, int scale, char *t);
/* Plain text, with exactly `scale` decimals ("1.20", "-0.05", "7"). */
void decimal_to_text(dec128 v, int scale, buf *out);

/* Three-way comparison of a (scale sa) and b (scale sb). */
int decimal_compare(dec128 a, int sa, dec128 b, int sb);

typedef enum decimal_op { DECIMAL_ADD, DECIMAL_SUB, DECIMAL_MUL, DECIMAL_DIV, DECIMAL_MOD } decimal_op;

/* ksqlDB's result type of DECIMAL(p1, s1) op DECIMAL(p2, s2):
 *   + -  precision max(s1,s2) + max(p1-s1, p2-s2) + 1, scale max(s1,s2)
 *   *    precision p1 + p2 + 1,                        scale s1 + s2
 *   /    precision p1 - s1 + s2 + max(6, s1 + p2 + 1), scale max(6, s1 + p2 + 1)
 *   %    precision min(p1-s1, p2-s2) + max(s1,s2),     scale max(s1,s2)
 * (SqlDecimal.add/multiply/divide/modulus). */
void decimal_result_type(decimal_op op, int p1, int s1, int p2, int s2, int *p, int *s);

/* a op b into the result type (p, s).  0 on success; 1 when ksqlDB
 * gives NULL (division or modulus by zero, an inexact quotient, a result
 * that does not fit). */
int decimal_arith(decimal_op op, dec128 a, int sa, dec128 b, int sb, int p, int s, dec128 *out);

#endif
