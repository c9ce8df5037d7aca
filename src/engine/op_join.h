/* op_join — the JOIN stage of a plan: looks each stream row's join key
 * up in the table's current rows (a join_table: record key -> the row
 * decoded once per update, followed from the table's topic), fills the
 * table's columns of the row, then applies WHERE and the projection; and
 * the window stores of stream-stream joins.
 */
#ifndef EDDY_OP_JOIN_H
#define EDDY_OP_JOIN_H

#include "../storage/kvstore.h"
#include "plan.h"
#include "table_rows.h"

/* A table of a stream-table join (join j of plan p) as its lookups read
 * it: rows->rows maps a record key to its row, kept as a byte 0 and the
 * value bytes until a lookup first meets it, then as a byte 1 and the
 * codec encoding of the table's columns that the plan reads (the others
 * NULL): a row is decoded from its format at most once per update, not
 * once per stream record that meets it.  A row whose decode fails stays
 * raw (each lookup reports the error).  Its buffers serve its lookups
 * (no allocation per record).  One owner at a time. */
typedef struct join_table {
    const plan *p;
    const plan_join *j;
    table_rows *rows;
    const sqltype **types; /* the table's column types */
    buf key;               /* scratch: a lookup's table key bytes */
    buf form;              /* scratch: a row's codec form */
} join_table;

/* The table of join j, as of `resume` (see table_rows_open). */
join_table *join_table_open(const plan *p, const plan_join *j, log_topic *t, const int64_t *resume, err *e);
void join_table_close(join_table *jt);

/* For a row plan_apply decoded from the stream: PLAN_EMIT with `out`
 * computed, PLAN_SKIP (no match in an INNER join, or WHERE rejects), or
 * PLAN_ERROR.  `more`: the tables of p->more, in order (the tables
 * joined after the first: a JOIN b JOIN c ...).  With GROUP BY (p->agg)
 * the joined row is left for the aggregation, `out` untouched. */
plan_result join_apply(const plan *p, join_table *table, join_table *const *more, value *row, value *out,
                       eval_ctx *cx);
/* A record of one side of a join: its time, key and value bytes (val
 * NULL: no record). */
typedef struct join_rec {
    int64_t ts;
    const uint8_t *key, *val;
    int32_t klen, vlen;
} join_rec;

/* The joined row from a row whose left part is decoded (or all NULL, for
 * a right row without a match) and the right side's record: fills the
 * right part (its key columns from r->key, or from the join key `jkey`
 * when r->key is NULL) and the join-key slot, applies WHERE and the
 * projection (with the later tables `more`, as join_apply).  PLAN_SKIP
 * when WHERE rejects it, or when there is no right record and the join
 * keeps no unmatched left rows. */
plan_result join_finish(const plan *p, value *row, const value *jkey, const join_rec *r, join_table *const *more,
                        value *out, eval_ctx *cx);

/* A stream-table join's early filter: the conjuncts of WHERE (an AND of
 * them) that read only the stream's columns and call no function, into
 * out[0 .. max); returns how many.  A row one of them rejects cannot pass
 * WHERE whatever it joins, so it need not be looked up (q3: most auctions
 * are not of category 10). */
int join_prefilter_build(const plan *p, const expr **out, int max);
/* Whether a conjunct of join_prefilter_build rejects the row (FALSE or
 * NULL).  An evaluation error rejects nothing: the row goes on to WHERE,
 * which reports it if it is reached. */
bool join_prefilter_rejects(const expr *const *pre, int n, const value *row, eval_ctx *cx);

/* join_finish for a row whose right part is filled already (a
 * stream-stream join's kept record, decoded). */
plan_result join_finish_filled(const plan *p, value *row, const value *jkey, join_table *const *more, value *out,
                               eval_ctx *cx);

/* The store key of a join key value (codec encoding of the key type): both
 * sides of a join re-keyed on expressions meet on these bytes. */
void join_store_key(const plan_join *j, const value *jkey, buf *out);

/* The right table's key bytes for a join key value, in its key format
 * (what its records carry); *is_null when the key encodes to nothing. */
int join_table_key(const plan_join *j, const value *k, buf *out, bool *is_null, err *e);

/* A foreign-key join's index: from a foreign key's store key (see
 * join_store_key) to the keys of the left rows that have it, in the order
 * they took it.  add appends (once), remove drops one, each calls fn for
 * each (the bytes stay valid while the index is not changed). */
void join_index_add(kvstore *ix, const buf *fk, const uint8_t *key, int32_t klen);
void join_index_remove(kvstore *ix, const buf *fk, const uint8_t *key, int32_t klen);
typedef void (*join_index_fn)(void *ctx, const uint8_t *key, int32_t klen);
void join_index_each(const kvstore *ix, const buf *fk, join_index_fn fn, void *ctx);

/* A stream-stream join's window store of one side: a kvstore from a
 * store key (see join_store_key) to every kept record of that key,
 * packed one after another as (timestamp, be64; key length, be32; value
 * length, be32; key bytes; value bytes).  Adds a record, dropping the
 * key's records older than `expire` (the side's stream time - the window
 * - grace); a record older than that is not added.  `hash` is skey's
 * kvstore_hash (the caller has it for a prefetch already: it is not
 * computed again).
 *
 * `queue` (of this store; zeroed at first, buf_free'd at the end) lists
 * the records kept, oldest first, so that the records of a key that
 * meets no more records expire too: each add drops the expired records
 * of the keys of (at most) the two oldest records of the queue, so the
 * store holds about the records of the window, not every key ever seen. */
typedef struct join_window_queue {
    buf q;       /* (timestamp, store key's kvstore_hash, its length; store key) each (op_join.c) */
    size_t head; /* where the records not looked at yet begin */
} join_window_queue;
void join_window_add(kvstore *s, join_window_queue *queue, const uint8_t *skey, size_t sklen, uint64_t hash,
                     const join_rec *r, int64_t expire);
/* Calls fn for each record of store key `skey` (its kvstore_hash `hash`)
 * with a timestamp in [from, to], in arrival order.  The bytes stay valid while the store is
 * not changed; fn must not change it. */
typedef void (*join_window_fn)(void *ctx, const join_rec *r);
void join_window_each(const kvstore *s, const uint8_t *skey, size_t sklen, uint64_t hash, int64_t from, int64_t to,
                      join_window_fn fn, void *ctx);

#endif
