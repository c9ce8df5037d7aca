/* types — SQL types of the engine.
 *
 * A sqltype is immutable once built and lives in the arena of whatever owns
 * it (a catalog entry or a plan).  Scalar types are shared constants
 * (types_int(), ...); composite types point to their element/field types.
 */
#ifndef EDDY_TYPES_H
#define EDDY_TYPES_H

#include <stdbool.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/type_kind.h"

typedef struct sqltype sqltype;

typedef struct sqlfield {
    const char *name;
    const sqltype *type;
} sqlfield;

struct sqltype {
    type_kind kind;
    int precision, scale;          /* DECIMAL */
    const sqltype *elem;           /* ARRAY */
    const sqltype *key, *value;    /* MAP */
    const sqlfield *fields;        /* STRUCT */
    int nfields;
};

const sqltype *types_scalar(type_kind kind); /* NULL for composite kinds */
const sqltype *types_array(arena *a, const sqltype *elem);
const sqltype *types_map(arena *a, const sqltype *key, const sqltype *value);
const sqltype *types_decimal(arena *a, int precision, int scale);
/* Deep copy into arena a (so a catalog entry can outlive a statement). */
const sqltype *types_copy(arena *a, const sqltype *t);

bool types_equal(const sqltype *a, const sqltype *b);
bool types_is_numeric(const sqltype *t);
/* t as ksqlDB's DECIMAL view of it: INT is DECIMAL(10, 0), BIGINT
 * DECIMAL(19, 0); other types unchanged. */
const sqltype *types_as_decimal(arena *a, const sqltype *t);
/* The wider of two numeric types (INT < BIGINT < DECIMAL < DOUBLE), or NULL
 * when they do not combine. */
const sqltype *types_widen(arena *a, const sqltype *x, const sqltype *y);
/* ksqlDB's name: INTEGER, BIGINT, VARCHAR(STRING) is shown as STRING, ... */
void types_print(const sqltype *t, buf *out);
const char *types_kind_name(type_kind kind);

#endif
