/* type_kind — the SQL type kinds, shared by the parser (type syntax) and
 * the engine (typed values).  One X-macro list: enum name and SQL name. */
#ifndef EDDY_TYPE_KIND_H
#define EDDY_TYPE_KIND_H

#define TYPE_KINDS(X)            \
    X(NULL, "NULL")              \
    X(BOOLEAN, "BOOLEAN")        \
    X(INT, "INTEGER")            \
    X(BIGINT, "BIGINT")          \
    X(DOUBLE, "DOUBLE")          \
    X(DECIMAL, "DECIMAL")        \
    X(STRING, "STRING")          \
    X(BYTES, "BYTES")            \
    X(DATE, "DATE")              \
    X(TIME, "TIME")              \
    X(TIMESTAMP, "TIMESTAMP")    \
    X(ARRAY, "ARRAY")            \
    X(MAP, "MAP")                \
    X(STRUCT, "STRUCT")

typedef enum type_kind {
#define X(name, sql) TYPE_##name,
    TYPE_KINDS(X)
#undef X
} type_kind;

#endif
