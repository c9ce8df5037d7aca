/* ast — the syntax tree of Eddy's SQL dialect (ksqlDB's).
 *
 * The parser builds these nodes in an arena owned by the caller; the whole
 * tree dies with that arena.  Every node carries its source span (byte
 * offset and length into the text given to the parser), so later stages
 * can point errors at it.  Names are stored normalized: unquoted
 * identifiers upper-cased as ksqlDB does, back-quoted or double-quoted ones
 * kept as written; all strings are NUL-terminated arena copies.
 *
 * The tree is read-only after parsing.  The engine's analyzer reads it and
 * produces a plan; the runtime never sees an AST.
 *
 * ast_print renders a tree back as canonical SQL, so that parse → print →
 * parse yields an equal tree.
 */
#ifndef EDDY_AST_H
#define EDDY_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/type_kind.h"

typedef struct ast_span {
    uint32_t off, len;
} ast_span;

typedef struct ast_ident {
    const char *name; /* normalized, NUL-terminated */
    bool quoted;      /* was back-quoted or double-quoted */
    ast_span span;
} ast_ident;

/* ---- types ------------------------------------------------------------ */

typedef struct ast_type ast_type;
typedef struct ast_field {
    ast_ident name;
    ast_type *type;
} ast_field;

struct ast_type {
    type_kind kind;
    int precision, scale;   /* DECIMAL(p, s) */
    ast_type *elem;         /* ARRAY<elem> */
    ast_type *key, *value;  /* MAP<key, value> */
    ast_field *fields;      /* STRUCT<name type, ...> */
    int nfields;
    ast_span span;
    /* A type made by CREATE TYPE, used by name: kind is TYPE_NULL and
     * custom.name is set (normalized as any identifier).  The analyzer
     * resolves it against the catalog's types. */
    ast_ident custom;
};

/* ---- expressions ------------------------------------------------------ */

typedef enum ast_expr_kind {
    AST_NULL,      /* NULL */
    AST_BOOL,      /* TRUE / FALSE: u.b */
    AST_INT,       /* integer literal: u.i (fits int64); INT if it fits int32 */
    AST_DECIMAL,   /* 1.5 : text, precision and scale in u.dec */
    AST_DOUBLE,    /* 1.5E3 : u.d */
    AST_STRING,    /* 'it''s' : u.str (unescaped) */
    AST_COLUMN,    /* [qualifier.]name : u.col */
    AST_STAR,      /* * or qual.* (select items, COUNT(*)) : u.col.qualifier */
    AST_UNARY,     /* op operand : u.unary */
    AST_BINARY,    /* left op right : u.binary */
    AST_IS_NULL,   /* x IS [NOT] NULL : u.test */
    AST_IS_DISTINCT, /* x IS [NOT] DISTINCT FROM y : u.test */
    AST_BETWEEN,   /* x [NOT] BETWEEN lo AND hi : u.between */
    AST_IN,        /* x [NOT] IN (list) : u.in */
    AST_LIKE,      /* x [NOT] LIKE pattern [ESCAPE 'c'] : u.like */
    AST_CASE,      /* CASE [operand] WHEN .. THEN .. [ELSE ..] END : u.kase */
    AST_CAST,      /* CAST(x AS type) : u.cast */
    AST_CALL,      /* f(args) / f(DISTINCT args) / COUNT(*) : u.call */
    AST_DEREF,     /* x->field : u.deref */
    AST_SUBSCRIPT, /* x[i] : u.subscript */
    AST_LAMBDA,    /* x => body, (x, y) => body : u.lambda */
    AST_ARRAY,     /* ARRAY[a, b] : u.list */
    AST_MAP,       /* MAP(k := v, ...) : u.map */
    AST_STRUCT,    /* STRUCT(name := v, ...) : u.strct */
    AST_INTERVAL,  /* INTERVAL n unit (time literal in ms) : u.interval */
    AST_STRUCT_STAR, /* x->* (all fields of a struct; a whole select item only) : u.deref.base */
} ast_expr_kind;

typedef enum ast_op {
    /* unary */
    AST_OP_NEG,
    AST_OP_PLUS,
    AST_OP_NOT,
    /* binary, arithmetic */
    AST_OP_ADD,
    AST_OP_SUB,
    AST_OP_MUL,
    AST_OP_DIV,
    AST_OP_MOD,
    AST_OP_CONCAT, /* || */
    /* binary, comparison */
    AST_OP_EQ,
    AST_OP_NE, /* <> and != */
    AST_OP_LT,
    AST_OP_LE,
    AST_OP_GT,
    AST_OP_GE,
    /* binary, logical */
    AST_OP_AND,
    AST_OP_OR,
} ast_op;

typedef struct ast_expr ast_expr;

typedef struct ast_when {
    ast_expr *when, *then;
} ast_when;

typedef struct ast_map_entry {
    ast_expr *key, *value;
} ast_map_entry;

typedef struct ast_struct_entry {
    ast_ident name;
    ast_expr *value;
} ast_struct_entry;

struct ast_expr {
    ast_expr_kind kind;
    ast_span span;
    union {
        bool b;
        int64_t i;
        double d;
        struct { const char *s; uint32_t len; } str;
        struct { const char *text; int precision, scale; } dec;
        struct { ast_ident qualifier; ast_ident name; } col; /* qualifier.name NULL if absent */
        struct { ast_op op; ast_expr *operand; } unary;
        struct { ast_op op; ast_expr *left, *right; } binary;
        struct { bool negated; ast_expr *left, *right; } test; /* right NULL for IS NULL */
        struct { bool negated; ast_expr *value, *low, *high; } between;
        struct { bool negated; ast_expr *value; ast_expr **list; int n; } in;
        struct { bool negated; ast_expr *value, *pattern; ast_expr *escape; } like;
        struct { ast_expr *operand; ast_when *whens; int nwhens; ast_expr *otherwise; } kase;
        struct { ast_expr *value; ast_type *type; } cast;
        struct {
            ast_ident name; /* upper-cased */
            ast_expr **args;
            int nargs;
            bool distinct;
            bool star; /* COUNT(*) */
        } call;
        struct { ast_expr *base; ast_ident field; } deref;
        struct { ast_expr *base, *index; } subscript;
        struct { ast_ident *params; int nparams; ast_expr *body; } lambda;
        struct { ast_expr **items; int n; } list;
        struct { ast_map_entry *entries; int n; } map;
        struct { ast_struct_entry *entries; int n; } strct;
        struct { int64_t ms; } interval;
    } u;
};

/* ---- queries ---------------------------------------------------------- */

/* A duration such as `30 SECONDS`, kept in milliseconds. */
typedef struct ast_duration {
    bool present;
    int64_t ms;
    ast_span span;
} ast_duration;

typedef enum ast_window_kind {
    AST_WINDOW_NONE,
    AST_WINDOW_TUMBLING,
    AST_WINDOW_HOPPING,
    AST_WINDOW_SESSION,
} ast_window_kind;

typedef struct ast_window {
    ast_window_kind kind;
    ast_duration size;      /* TUMBLING/HOPPING SIZE; SESSION gap */
    ast_duration advance;   /* HOPPING ADVANCE BY */
    ast_duration retention; /* RETENTION */
    ast_duration grace;     /* GRACE PERIOD */
    ast_span span;
} ast_window;

typedef struct ast_select_item {
    ast_expr *expr; /* AST_STAR for * and qual.* */
    ast_ident alias; /* name NULL when no AS alias */
    ast_span span;
} ast_select_item;

typedef struct ast_relation {
    ast_ident name;
    ast_ident alias; /* name NULL when absent */
    ast_span span;
} ast_relation;

typedef enum ast_join_kind {
    AST_JOIN_INNER,
    AST_JOIN_LEFT,
    AST_JOIN_RIGHT,
    AST_JOIN_FULL,
} ast_join_kind;

typedef struct ast_join {
    ast_join_kind kind;
    ast_relation right;
    ast_duration within_before; /* WITHIN n unit sets both; WITHIN (b, a) */
    ast_duration within_after;
    ast_duration within_grace;  /* WITHIN ... GRACE PERIOD n unit */
    ast_expr *on;
    ast_span span;
} ast_join;

typedef enum ast_emit {
    AST_EMIT_NONE, /* pull query */
    AST_EMIT_CHANGES,
    AST_EMIT_FINAL,
} ast_emit;

typedef struct ast_query {
    ast_select_item *items;
    int nitems;
    ast_relation from;
    ast_join *joins;
    int njoins;
    ast_window window;     /* kind NONE when absent */
    ast_expr *where;       /* NULL when absent */
    ast_expr **group_by;
    int ngroup_by;
    ast_expr *having;
    ast_expr **partition_by;
    int npartition_by;
    ast_emit emit;
    int64_t limit;         /* -1 when absent */
    ast_span span;
} ast_query;

/* ---- statements ------------------------------------------------------- */

typedef struct ast_property {
    const char *key; /* upper-cased: KAFKA_TOPIC, VALUE_FORMAT, ... */
    ast_expr *value; /* a literal */
    ast_span span;
} ast_property;

typedef struct ast_column_def {
    ast_ident name;
    ast_type *type;
    bool key;         /* KEY (streams) */
    bool primary_key; /* PRIMARY KEY (tables) */
    bool headers;     /* HEADERS / HEADER('k') columns */
    const char *header_key;
    ast_span span;
} ast_column_def;

typedef enum ast_stmt_kind {
    AST_CREATE_SOURCE,     /* CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] n (cols) WITH (...) */
    AST_CREATE_AS,         /* CREATE [OR REPLACE] STREAM|TABLE [IF NOT EXISTS] n [WITH (...)] AS SELECT */
    AST_INSERT_VALUES,     /* INSERT INTO n [(cols)] VALUES (...) */
    AST_INSERT_SELECT,     /* INSERT INTO n [WITH (...)] SELECT ... */
    AST_SELECT,            /* push or pull query */
    AST_SHOW,              /* SHOW|LIST STREAMS|TABLES|QUERIES|TOPICS|FUNCTIONS|PROPERTIES|VARIABLES|TYPES [EXTENDED] */
    AST_DESCRIBE,          /* DESCRIBE [EXTENDED] name */
    AST_DESCRIBE_FUNCTION, /* DESCRIBE FUNCTION name */
    AST_DROP,              /* DROP STREAM|TABLE|TYPE [IF EXISTS] name [DELETE TOPIC] */
    AST_TERMINATE,         /* TERMINATE query_id | ALL */
    AST_PAUSE,             /* PAUSE query_id | ALL */
    AST_RESUME,            /* RESUME query_id | ALL */
    AST_SET,               /* SET 'prop' = 'value' */
    AST_UNSET,             /* UNSET 'prop' */
    AST_DEFINE,            /* DEFINE name = 'value' */
    AST_UNDEFINE,          /* UNDEFINE name */
    AST_EXPLAIN,           /* EXPLAIN query_id | EXPLAIN statement */
    AST_PRINT,             /* PRINT topic [FROM BEGINNING] [INTERVAL n] [LIMIT n] */
    AST_RUN_SCRIPT,        /* RUN SCRIPT 'file' */
    AST_CREATE_TYPE,       /* CREATE TYPE name AS type */
} ast_stmt_kind;

typedef enum ast_source_kind {
    AST_SOURCE_STREAM,
    AST_SOURCE_TABLE,
} ast_source_kind;

typedef enum ast_show_what {
    AST_SHOW_STREAMS,
    AST_SHOW_TABLES,
    AST_SHOW_QUERIES,
    AST_SHOW_TOPICS,
    AST_SHOW_FUNCTIONS,
    AST_SHOW_PROPERTIES,
    AST_SHOW_VARIABLES,
    AST_SHOW_TYPES,
} ast_show_what;

typedef struct ast_stmt ast_stmt;

struct ast_stmt {
    ast_stmt_kind kind;
    ast_span span; /* the statement's text, without the trailing ';' */
    union {
        struct {
            ast_source_kind source;
            bool or_replace, if_not_exists;
            ast_ident name;
            ast_column_def *columns;
            int ncolumns;
            ast_property *props;
            int nprops;
            bool read_only;      /* CREATE SOURCE STREAM|TABLE */
        } create;                /* AST_CREATE_SOURCE */
        struct {
            ast_source_kind source;
            bool or_replace, if_not_exists;
            ast_ident name;
            ast_property *props;
            int nprops;
            ast_query *query;
        } create_as;             /* AST_CREATE_AS */
        struct {
            ast_ident target;
            ast_ident *columns; /* NULL/0 when no column list */
            int ncolumns;
            ast_expr **values;
            int nvalues;
        } insert_values;
        struct {
            ast_ident target;
            ast_property *props;
            int nprops;
            ast_query *query;
        } insert_select;
        ast_query *select;       /* AST_SELECT */
        struct { ast_show_what what; bool extended; } show;
        struct { ast_ident name; bool extended; } describe; /* also DESCRIBE FUNCTION */
        struct {
            ast_source_kind source; /* ignored for DROP TYPE */
            bool is_type;
            bool if_exists, delete_topic;
            ast_ident name;
        } drop;
        struct { ast_ident query_id; bool all; } terminate; /* also PAUSE/RESUME */
        struct { const char *name; const char *value; } set; /* value NULL for UNSET */
        struct { ast_ident name; const char *value; } define; /* value NULL for UNDEFINE */
        struct { ast_ident query_id; ast_stmt *stmt; } explain; /* one of the two */
        struct {
            ast_ident topic;
            bool from_beginning;
            int64_t interval; /* -1 when absent */
            int64_t limit;    /* -1 when absent */
        } print;
        struct { const char *path; } run_script;
        struct { ast_ident name; ast_type *type; } create_type;
    } u;
};

/* Appends canonical SQL for a statement / query / expression / type.  The
 * output parses back to an equal tree. */
void ast_print_stmt(const ast_stmt *s, buf *out);
void ast_print_query(const ast_query *q, buf *out);
void ast_print_expr(const ast_expr *e, buf *out);
void ast_print_type(const ast_type *t, buf *out);
/* Appends an identifier, back-quoting it when it is not a plain
 * upper-case name or is a reserved word. */
void ast_print_ident(const char *name, buf *out);

/* Structural equality ignoring spans (for round-trip tests). */
bool ast_stmt_equal(const ast_stmt *a, const ast_stmt *b);

/* SQL name of a binary/unary operator ("+", "AND", ...). */
const char *ast_op_name(ast_op op);

#endif
