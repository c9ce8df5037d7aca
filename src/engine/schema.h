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
} column;

typedef struct schema {
    column *cols;
    int n;
} schema;

/* Index of the column called name, or -1. */
int schema_find(const schema *s, const char *name);
int schema_key_count(const schema *s);
/* Deep copy into arena a. */
void schema_copy(arena *a, schema *dst, const schema *src);
/* The known column name closest to `name` (for "did you mean"), or NULL. */
const char *schema_suggest(const schema *s, const char *name);
/* Levenshtein distance, case-insensitive; used for suggestions. */
int schema_edit_distance(const char *a, const char *b);

#endif
