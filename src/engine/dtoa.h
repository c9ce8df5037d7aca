/* dtoa — the shortest decimal digits that read back as a double.
 *
 * What Java's Double.toString and BigDecimal.valueOf print is found in
 * Eddy by a search: for n = min_digits, min_digits + 1, ... 17, the
 * double correctly rounded to n significant digits (printf's "%.*e",
 * ties to even) until strtod reads that text back as the same double.
 * dtoa_shortest_loop is that search, literally.  dtoa_shortest gives the
 * same digits without printf or strtod for 1e-3 <= |d| < 1e7 (the
 * numbers Java prints without an exponent), by exact integer arithmetic
 * on d's binary form, and falls back to the loop elsewhere.
 *
 * Pure functions; any thread.
 */
#ifndef EDDY_DTOA_H
#define EDDY_DTOA_H

/* The significant digits of finite, non-zero d (no sign, no trailing
 * zeros, at most 17, written to digits without a NUL) and the power of
 * ten of the first one: d reads as 0.d1d2... * 10^(*exp10 + 1).  Returns
 * the number of digits.  min_digits is 1 or 2 (Java's Double.toString
 * looks at two digits at least: 4.9E-324, not 5.0E-324). */
int dtoa_shortest(double d, int min_digits, char *digits, int *exp10);
/* The same by the printf / strtod search, for any finite non-zero d. */
int dtoa_shortest_loop(double d, int min_digits, char *digits, int *exp10);

#endif
