/* codec — a compact binary form of a row of typed values, for state
 * stores and their changelogs (aggregate states, table rows).
 *
 * The types are not written: the reader must know them (they come from
 * the plan).  Layout per value: one byte 0 = NULL / 1 = present, then
 * BOOLEAN 1 byte; INT 4 bytes; BIGINT, TIMESTAMP, DATE, TIME, DOUBLE and
 * DECIMAL 8 bytes (little-endian); STRING/BYTES a varint length and the
 * bytes; ARRAY and MAP a varint count then the items (MAP: key, value
 * pairs); STRUCT its fields in order.
 *
 * Decoded strings and lists live in the arena given to codec_decode.
 * Malformed bytes give ERR_CORRUPT, never a crash.
 */
#ifndef EDDY_CODEC_H
#define EDDY_CODEC_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/err.h"
#include "value.h"

void codec_encode(const value *vals, const sqltype *const *types, int n, buf *out);
int codec_decode(const uint8_t *p, size_t len, const sqltype *const *types, int n, value *out, arena *a,
                 err *e);

/* Fixed-size rows: every type BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL or
 * temporal, and every value present (not NULL), so each value sits at
 * the same offset in every such row (an aggregate state of numbers,
 * once set).  codec_decode_fixed decodes such a row of exactly `len`
 * bytes; codec_encode_fixed writes one over `len` bytes in place when its
 * encoding has exactly that length.  Both return false, having written
 * nothing, for any other row (the caller then takes the general path). */
bool codec_decode_fixed(const uint8_t *p, size_t len, const sqltype *const *types, int n, value *out);
bool codec_encode_fixed(const value *vals, const sqltype *const *types, int n, uint8_t *p, size_t len);

#endif
