/* plan — a compiled query, ready to run.
 *
 * The analyzer (analyze.c) builds a plan from a SELECT; the runtime and
 * push queries only ever see plans, never syntax.  A plan is immutable
 * once built and owns all its memory in its arena; plan_free releases it.
 *
 * The row a plan works on has one slot per source column (the source's
 * schema order) followed by the pseudo columns ROWTIME, ROWPARTITION and
 * ROWOFFSET.  plan_apply decodes a record into that row (only the columns
 * the plan reads), filters it and computes the output row.
 */
#ifndef EDDY_PLAN_H
#define EDDY_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../storage/log.h"
#include "agg.h"
#include "catalog.h"
#include "expr.h"
#include "tablefn.h"

typedef struct plan_io {
    const char *name;  /* source or sink name */
    const char *topic;
    fmt key_format, value_format;
    schema schema;     /* columns; key flags say which go in the record key */
    int partitions;
    bool is_table;
    int window_kind;   /* windowed keys (a window_kind), 0 = not windowed */
    int64_t window_size;
    int ts_column;     /* WITH (TIMESTAMP='col'): column giving the event time, or -1 */
    const char *ts_format; /* TIMESTAMP_FORMAT for a STRING ts_column, else NULL */
    bool has_headers;  /* some column reads the record's headers */
    const serde_names *names; /* the schema's names prepared for decoding */
} plan_io;

typedef enum window_kind {
    WINDOW_NONE,
    WINDOW_TUMBLING,
    WINDOW_HOPPING,
    WINDOW_SESSION,
} window_kind;

/* WINDOW ...: how records map to windows, and when a window closes
 * (stream time >= end + grace: later records for it are dropped). */
typedef struct plan_window {
    window_kind kind;
    int64_t size;      /* TUMBLING/HOPPING size; SESSION inactivity gap */
    int64_t advance;   /* HOPPING; = size for TUMBLING */
    int64_t grace;     /* default 24 hours, as ksqlDB */
    /* TUMBLING/HOPPING: a window leaves the store once every task's stream
     * time is this far past its start: RETENTION, but never less than
     * size + grace (so no record a window could still take is lost) */
    int64_t retention;
    bool emit_final;   /* EMIT FINAL: one result per window, when it closes */
} plan_window;

/* GROUP BY: the aggregation stage.  Its "aggregate row" has the group
 * values, then WINDOWSTART and WINDOWEND, then the aggregate results;
 * the plan's HAVING and projection read that row. */
typedef struct plan_agg {
    expr **group;      /* over the input row */
    int ngroup;
    agg_call *calls;   /* arguments over the input row */
    int ncalls;
    int nrow;          /* ngroup + 2 + ncalls */
    expr *having;      /* over the aggregate row, or NULL */
    const sqltype **key_types; /* the group values' types (store keys) */
    const sqltype **state_types; /* every call's state, concatenated */
    int nstate;
    plan_window window; /* kind WINDOW_NONE when not windowed */
} plan_agg;

/* JOIN of a stream with a table on the table's primary key (or of two
 * tables, or two streams within a window): the row has the left side's
 * slots, then the right side's columns at right_base and its pseudo
 * columns, then the join-key slot.  The runtime keeps the table's rows in a
 * store and looks each stream record's key up in it. */
typedef struct plan_join {
    plan_io right;      /* the table */
    int right_base;     /* first row slot of the table's columns */
    bool left_outer;    /* LEFT or FULL: rows of the left side without a match are kept */
    bool right_outer;   /* RIGHT or FULL: rows of the right side without a match are kept */
    /* the row slot holding the joined row's key: the join key, from the
     * left side or (a right row without a match) the right side; key
     * columns of the result read it */
    int key_slot;
    int time_slot;      /* the joined row's time (the later of its sides'):
                         * the result's timestamp; each side's ROWTIME is its own */
    const sqltype *key_type;
    bool synthetic_key; /* neither side of ON is a column: the key is ROWKEY */
    bool foreign_key;   /* table-table on an expression of the left table's
                         * columns = the right table's primary key; keyed by
                         * the left table's primary key */
    bool table_table;   /* both sides are tables, joined on their primary keys */
    /* stream-stream (WITHIN): both sides are streams joined on their key
     * columns; a left record at time t meets the right records of its key
     * in [t - before, t + after] (a right record, the mirror); each side's
     * records are kept for before + after + grace of stream time */
    bool stream_stream;
    int64_t before, after, grace;
    bool hold_unmatched; /* LEFT with GRACE PERIOD: a left record without a
                          * match waits for its window to close, then joins
                          * NULLs (without GRACE: at once, ksqlDB's older rule) */
    expr *left_key;     /* over the row: the value looked up in the table */
    int right_key;      /* the table's key column (index in right.schema) */
    expr *right_key_expr; /* stream-stream: the right side's join expression
                           * (over the row's right part), of key_type */
} plan_join;

/* Table functions in SELECT (a stream query only): each row the filter
 * keeps becomes n rows, n the most values any of the functions yields;
 * for row k the projection reads function i's k-th value from row slot
 * base + i (NULL past the end of a shorter one: ksqlDB zips them).  The
 * arguments, evaluated once per input row, are kept at base + nfns + i. */
typedef struct plan_flatmap {
    const tablefn_def **fns;
    expr **args;       /* over the input row */
    const sqltype **types; /* each function's value type */
    int nfns, cap;     /* calls compiled; slots reserved */
    int base;
} plan_flatmap;

#define PLAN_MAX_JOINS 8 /* sources joined to the FROM source */

/* Slots after a source's columns in the row: ROWTIME, ROWPARTITION,
 * ROWOFFSET, WINDOWSTART, WINDOWEND. */
#define PLAN_PSEUDO 5

typedef struct plan {
    arena arena;       /* owns everything reachable from the plan */
    plan_io in;
    int nrow;          /* row slots: in.schema.n + 3 pseudo columns */
    int rowtime, rowpartition, rowoffset; /* pseudo-column slots */
    bool *needed;      /* per slot: read by the plan, so decode it */
    bool needs_key;    /* any key column needed */
    expr *where;       /* NULL = every row */
    plan_io out;       /* result columns; sink topic when has_sink */
    expr **project;    /* one per out column (over the aggregate row with agg) */
    plan_agg *agg;     /* GROUP BY stage, or NULL for a stateless plan */
    plan_join *join;   /* JOIN, or NULL */
    /* a JOIN b JOIN c ...: the joins after the first, each a table looked
     * up (left_key over the row joined so far, its columns at right_base)
     * for every row the first join makes */
    plan_join *more;
    int nmore;
    plan_flatmap *flatmap; /* table functions, or NULL */
    bool has_sink;
    bool partitioned;  /* PARTITION BY: keys come from its expressions */
    int64_t limit;     /* -1 = none */
} plan;

plan *plan_new(void);
void plan_free(plan *p);

typedef enum plan_result {
    PLAN_EMIT,   /* out row computed */
    PLAN_TOMBSTONE, /* a stream record without a value, passed on: out
                     * holds the key columns, the value stays null */
    PLAN_SKIP,   /* filtered out, or a tombstone on a stream */
    PLAN_ERROR,  /* could not decode or evaluate: see cx->e */
} plan_result;

/* The timestamp of the result record for a row plan_apply produced: the
 * sink's TIMESTAMP column when it has one, else the row's ROWTIME.
 * ERR_EVAL when that column is NULL or negative (the record is skipped). */
int plan_result_timestamp(const plan *p, const value *row, const value *out, int64_t *ts, err *e);

/* The event time given by value v of io's TIMESTAMP column (BIGINT or
 * TIMESTAMP ms, or STRING read with io->ts_format).  ERR_EVAL when NULL,
 * unreadable or negative. */
int plan_event_time(const plan_io *io, const value *v, int64_t *ts, err *e);

/* Runs one record through the plan (with table functions: PLAN_SKIP when
 * it makes no rows, else row 0 of them; see plan_flatmap_rows).  `row`
 * has p->nrow slots and `out` p->out.schema.n slots; both hold values
 * pointing into cx->a or the record until the caller resets the arena. */
plan_result plan_apply(const plan *p, const log_record *rec, int partition, value *row,
                       value *out, eval_ctx *cx);

/* With p->flatmap: how many result rows the row plan_apply decoded
 * makes (plan_apply has already put row 0 in `out`), and row k of them
 * into `out`. */
int plan_flatmap_rows(const plan *p, const value *row);

/* A windowed key is the key and the window start (8 bytes, big-endian),
 * as Kafka's TimeWindowedSerializer writes it, or for a session the key,
 * its end and its start (SessionWindowedSerializer).  Returns the length
 * of the key part and sets the window's bounds (a time window ends
 * `size` after its start); a key too short to hold a window is returned
 * whole, with *start = *end = -1. */
int32_t plan_window_key_split(int window_kind, int64_t size, const uint8_t *key, int32_t key_len,
                              int64_t *start, int64_t *end);
plan_result plan_flatmap_row(const plan *p, value *row, int k, value *out, eval_ctx *cx);

/* Evaluates output column i of p's projection over `row` into *out.  As
 * in ksqlDB, a column whose expression fails (a bad CAST, a function's
 * error) becomes NULL and the record goes on: the failure is counted in
 * cx->column_errors, and the first one's column and reason are kept in
 * cx->failed_column and cx->e. */
void plan_eval_column(const plan *p, int i, const value *row, eval_ctx *cx, value *out);

/* Puts the name of the first failed column (cx->failed_column) in front
 * of cx->e's reason, for the processing log. */
void plan_name_failed_column(const plan *p, eval_ctx *cx);

#endif
