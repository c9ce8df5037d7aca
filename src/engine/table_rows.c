/* table_rows.c — see table_rows.h. */
#include "table_rows.h"

#include <stdlib.h>

#include "../base/mem.h"

#define TABLE_BATCH 256

static void apply(table_rows *tr, const log_record *r)
{
    if (r->key_len < 0)
        return; /* a table row needs its key */
    if (r->value_len < 0) {
        kvstore_delete(tr->rows, r->key, (size_t)r->key_len);
    } else if (tr->form.put) {
        buf_reset(&tr->kept);
        tr->form.put(tr->form.ctx, r->value, r->value_len, &tr->kept);
        kvstore_put(tr->rows, r->key, (size_t)r->key_len, tr->kept.data, tr->kept.len);
    } else {
        kvstore_put(tr->rows, r->key, (size_t)r->key_len, r->value, (size_t)r->value_len);
    }
}

table_rows *table_rows_open(log_topic *t, const int64_t *resume, const table_form *form, err *e)
{
    table_rows *tr = mem_alloc(sizeof *tr);
    tr->topic = t;
    tr->form = form ? *form : (table_form){NULL, NULL};
    tr->n = log_topic_partitions(t);
    tr->readers = mem_alloc(sizeof(log_reader *) * (size_t)tr->n);
    tr->rows = kvstore_new();
    log_record recs[TABLE_BATCH];
    for (int p = 0; p < tr->n; p++) {
        int64_t stop = resume ? resume[p] : log_end_offset(t, p);
        tr->readers[p] = log_reader_open(t, p, 0);
        int k = TABLE_BATCH;
        while (log_reader_position(tr->readers[p]) < stop) {
            int64_t left = stop - log_reader_position(tr->readers[p]);
            k = log_read(tr->readers[p], recs, left < TABLE_BATCH ? (int)left : TABLE_BATCH, e);
            if (k <= 0)
                break;
            for (int i = 0; i < k; i++)
                apply(tr, &recs[i]);
        }
        if (k < 0) {
            table_rows_close(tr);
            return NULL;
        }
    }
    return tr;
}

long table_rows_follow(table_rows *tr, int max, err *e)
{
    log_record recs[TABLE_BATCH];
    long total = 0;
    if (max > TABLE_BATCH)
        max = TABLE_BATCH;
    for (int p = 0; p < tr->n; p++) {
        int k = log_read(tr->readers[p], recs, max, e);
        if (k < 0)
            return -1;
        for (int i = 0; i < k; i++)
            apply(tr, &recs[i]);
        total += k;
    }
    return total;
}

int64_t table_rows_position(const table_rows *tr, int partition) { return log_reader_position(tr->readers[partition]); }

void table_rows_close(table_rows *tr)
{
    if (!tr)
        return;
    for (int p = 0; p < tr->n; p++)
        if (tr->readers[p])
            log_reader_close(tr->readers[p]);
    free(tr->readers);
    kvstore_free(tr->rows);
    buf_free(&tr->kept);
    free(tr);
}
