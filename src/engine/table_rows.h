/* table_rows — a table's current rows, followed from its topic: record
 * key bytes -> value bytes in a kvstore, tombstones deleting.  Used by
 * stream-table joins (the rows a stream record is joined with) and by
 * aggregations over tables (the row an update replaces).
 *
 * The topic is its own changelog: opening reads it from the start up to
 * where following resumes, so the rows are exactly those of that point.
 * A form (optional) turns each value into the bytes kept for it, once
 * per update (a join keeps a row decoded, not as its format's bytes).
 * Not thread-safe: one owner at a time.
 */
#ifndef EDDY_TABLE_ROWS_H
#define EDDY_TABLE_ROWS_H

#include "../storage/kvstore.h"
#include "../storage/log.h"

/* How a row's value is kept: put appends to `out` the bytes kept for the
 * value bytes v[0, vlen). */
typedef struct table_form {
    void (*put)(void *ctx, const uint8_t *v, int32_t vlen, buf *out);
    void *ctx;
} table_form;

typedef struct table_rows {
    log_topic *topic;
    table_form form; /* put NULL: the value bytes themselves */
    buf kept;        /* scratch: a value's form */
    log_reader **readers; /* one per partition, at the resume position */
    int n;
    kvstore *rows;
} table_rows;

/* Rows as of `resume` (an offset per partition; NULL = the end of every
 * partition), following from there; kept in `form` (NULL: as they are). */
table_rows *table_rows_open(log_topic *t, const int64_t *resume, const table_form *form, err *e);
/* Applies up to `max` new records per partition; returns how many. */
long table_rows_follow(table_rows *tr, int max, err *e);
int64_t table_rows_position(const table_rows *tr, int partition);
void table_rows_close(table_rows *tr);

#endif
