/* value — one SQL value, as the engine passes it around.
 *
 * A value is a small tagged struct copied by value.  Strings and composite
 * values point into memory owned by someone else: a batch arena, a plan's
 * constants, or a record buffer; a value never owns memory.  Its lifetime is
 * the lifetime of what it points into (usually the batch being processed).
 *
 * DECIMAL is held as an unscaled 128-bit integer (decimal.h); the scale
 * comes from the value's type.  It is stored as two 64-bit halves so a
 * value stays 8-byte aligned and 24 bytes (arenas hand out 8-byte
 * aligned memory); read and write it with value_dec / value_decimal.
 * BYTES are raw bytes (p, len) like a STRING's, not text.  ARRAY holds
 * its elements, MAP alternating key/value entries, STRUCT one entry per
 * field in the type's order.
 */
#ifndef EDDY_VALUE_H
#define EDDY_VALUE_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/buf.h"
#include "decimal.h"
#include "types.h"

typedef struct value value;

typedef struct value_list {
    int n;
    value *items;
} value_list;

struct value {
    bool null;
    union {
        bool b;
        int32_t i;
        int64_t l;  /* BIGINT, TIMESTAMP (ms), DATE (days), TIME (ms) */
        struct { uint64_t lo; int64_t hi; } dec;   /* DECIMAL (unscaled) */
        double d;
        struct { const char *p; uint32_t len; } s; /* STRING, BYTES */
        const value_list *list;                    /* ARRAY, MAP, STRUCT */
    } u;
};

static inline value value_null(void) { value v = {.null = true}; return v; }
static inline value value_bool(bool b) { value v = {.u.b = b}; return v; }
static inline value value_int(int32_t i) { value v = {.u.i = i}; return v; }
static inline value value_bigint(int64_t l) { value v = {.u.l = l}; return v; }
static inline value value_double(double d) { value v = {.u.d = d}; return v; }
static inline value value_decimal(dec128 x)
{
    value v = {.u.dec = {(uint64_t)x, (int64_t)(x >> 64)}};
    return v;
}
static inline dec128 value_dec(const value *v)
{
    return (dec128)((udec128)(uint64_t)v->u.dec.hi << 64 | v->u.dec.lo);
}
static inline value value_string(const char *p, uint32_t len)
{
    value v = {.u.s = {p, len}};
    return v;
}

/* Appends the value as the shell shows it (strings unquoted, NULL as
 * "null", composites in ksqlDB's JSON-like form). */
void value_to_text(const value *v, const sqltype *t, buf *out);
/* Decimal text of an integer (the fast path of INT/BIGINT output). */
void value_int64_text(int64_t l, buf *out);
/* The value as a double (numeric types only). */
double value_as_double(const value *v, const sqltype *t);
/* Three-way comparison of two non-null values of comparable types
 * (numeric with numeric, string with string, boolean with boolean). */
int value_compare(const value *a, const sqltype *ta, const value *b, const sqltype *tb);
/* Deep equality of two non-null values of comparable types (composites
 * element by element, maps regardless of entry order). */
bool value_equal(const value *a, const sqltype *ta, const value *b, const sqltype *tb);
/* A deep copy of v (strings and composites) in arena a. */
value value_copy(arena *a, const value *v, const sqltype *t);
/* 10^n for n <= 18 (DECIMAL scaling: decimal_pow10). */
int64_t value_pow10(int n);
/* BYTES as base64 text (ksqlDB's text for BYTES, in JSON and DELIMITED). */
void value_base64_encode(const uint8_t *p, size_t n, buf *out);
/* base64 text as a BYTES value in arena a; -1 when it is not base64. */
int value_base64_decode(const char *p, size_t n, arena *a, value *out);

#endif
