/* table_rows — a table's current rows, followed from its topic: record
 * key bytes -> value bytes in a kvstore, tombstones deleting.  Used by
 * stream-table joins (the rows a stream record is joined with) and by
 * aggregations over tables (the row an update replaces).
 *
 * The topic is its own changelog: opening reads it from the start up to
 * where following resumes, so the rows are exactly those of that point.
 * Not thread-safe: one owner at a time.
 */
#ifndef EDDY_TABLE_ROWS_H
#define EDDY_TABLE_ROWS_H

#include "../storage/kvstore.h"
#include "../storage/log.h"

typedef struct table_rows {
    log_topic *topic;
    log_reader **readers; /* one per partition, at the resume position */
    int n;
    kvstore *rows;
} table_rows;

/* Rows as of `resume` (an offset per partition; NULL = the end of every
 * partition), following from there. */
table_rows *table_rows_open(log_topic *t, const int64_t *resume, err *e);
/* Applies up to `max` new records per partition; returns how many. */
long table_rows_follow(table_rows *tr, int max, err *e);
int64_t table_rows_position(const table_rows *tr, int partition);
void table_rows_close(table_rows *tr);

#endif
