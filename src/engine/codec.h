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

#include <stdint.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/err.h"
#include "value.h"

void codec_encode(const value *vals, const sqltype *const *types, int n, buf *out);
int codec_decode(const uint8_t *p, size_t len, const sqltype *const *types, int n, value *out, arena *a,
                 err *e);

#endif
