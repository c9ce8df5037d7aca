/* catalog — the streams and tables the engine knows, and the custom
 * types made by CREATE TYPE.
 *
 * A source is a named stream or table over a topic: its columns, its key
 * and value formats, and the statement that created it.  Each source owns
 * an arena holding all of its strings and types, so it can be dropped as
 * one.  The catalog itself is rebuilt on open by replaying the command
 * topic (see engine.c); it is not stored anywhere else.
 *
 * Not thread-safe: the engine calls it under its lock.
 */
#ifndef EDDY_CATALOG_H
#define EDDY_CATALOG_H

#include <stdbool.h>

#include "../base/arena.h"
#include "schema.h"
#include "serde.h"

typedef enum source_kind {
    SOURCE_STREAM,
    SOURCE_TABLE,
} source_kind;

typedef struct source {
    arena arena;        /* owns every pointer below */
    const char *name;
    source_kind kind;
    const char *topic;
    fmt key_format, value_format;
    schema schema;      /* key columns first, then value columns */
    int partitions;
    const char *sql;    /* the statement that created it */
    const char *writer; /* id of the persistent query writing it, or NULL */
    bool derived;       /* created by CREATE ... AS SELECT */
    bool read_only;     /* CREATE SOURCE STREAM|TABLE: no inserts, no topic deletion */
    int window_kind;    /* windowed keys: a window_kind of plan.h (0 = not windowed) */
    int64_t window_size; /* TUMBLING/HOPPING size, to tell a window's end from its start */
    int ts_column;      /* WITH (TIMESTAMP='col'): index in schema, or -1 */
    const char *ts_format; /* WITH (TIMESTAMP_FORMAT=...) for a STRING column */
} source;

/* A custom type: a name for a type (CREATE TYPE name AS type).  Sources
 * and plans that use one hold their own copy of the type, so dropping or
 * re-creating it changes nothing already made, as in ksqlDB. */
typedef struct custom_type {
    arena arena; /* owns name and type */
    const char *name;
    const sqltype *type;
} custom_type;

typedef struct catalog {
    source **sources;
    int n, cap;
    custom_type **types; /* in creation order */
    int ntypes, types_cap;
} catalog;

void catalog_init(catalog *c);
void catalog_free(catalog *c);
/* A new, empty source owned by the caller until catalog_add. */
source *catalog_source_new(void);
void catalog_source_free(source *s);
/* Takes ownership of s. */
void catalog_add(catalog *c, source *s);
source *catalog_find(const catalog *c, const char *name);
/* Takes ownership of s, which takes the place (and position) of the
 * source with its name, freed; added when there is none. */
void catalog_replace(catalog *c, source *s);
/* Removes and frees the named source; false if there is none. */
bool catalog_remove(catalog *c, const char *name);
/* Closest known name for "did you mean", or NULL. */
const char *catalog_suggest(const catalog *c, const char *name);
const char *source_kind_name(source_kind k); /* "STREAM" / "TABLE" */

/* Adds custom type `name` (copying name and t); the caller has checked
 * that no type has that name. */
void catalog_type_add(catalog *c, const char *name, const sqltype *t);
/* The custom type called name (borrowed until it is removed), or NULL. */
const sqltype *catalog_type_find(const catalog *c, const char *name);
/* Removes the named custom type; false if there is none. */
bool catalog_type_remove(catalog *c, const char *name);

#endif
