/* schema — the columns of a stream, table or query result.
 *
 * Column names are normalized (upper-cased unless quoted) and compared
 * exactly.  A schema owns nothing: names and types live in the arena of
 * the catalog entry or plan that holds it.
 */
#ifndef EDDY_SCHEMA_H
#define EDDY_SCHEMA_H

#include <stdbool.h>

#include "../base/arena.h"
#include "types.h"

typedef struct column {
    const char *name;
    const sqltype *type;
    bool key; /* KEY (stream) or PRIMARY KEY (table) column */
    /* A header column reads the record's headers, not its key or value:
     * HEADERS (all, as ARRAY<STRUCT<KEY STRING, VALUE BYTES>>) when
     * header_key is NULL, else HEADER('header_key') (BYTES). */
    bool header;
    const char *header_key;
} column;

typedef struct schema {
    column *cols;
    int n;
} schema;

/* Whether column c is serialized in the record's key (keys) or value
 * (!keys); a header column is in neither. */
static inline bool column_in_part(const column *c, bool keys)
{
    return keys ? c->key : !c->key && !c->header;
}

/* Index of the column called name, or -1. */
int schema_find(const schema *s, const char *name);
int schema_key_count(const schema *s);
/* Columns serialized in the value (not key, not header columns). */
int schema_value_count(const schema *s);
/* Deep copy into arena a. */
void schema_copy(arena *a, schema *dst, const schema *src);
/* The known column name closest to `name` (for "did you mean"), or NULL. */
const char *schema_suggest(const schema *s, const char *name);
/* Levenshtein distance, case-insensitive; used for suggestions. */
int schema_edit_distance(const char *a, const char *b);

#endif
