/* runtime_join.c — see runtime_join.h.  In order: sending a joined row
 * (every join kind does), the table-table and foreign-key joins'
 * updates, then the stream-stream join (decoding and keeping each side's
 * records, meeting the other side's, holding the outer ones, the read
 * order, the state's rebuild on start). */
#include "runtime_join.h"

#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "codec.h"
#include "runtime_internal.h"

/* ---- a joined row; table-table join ----------------------------------- */

/* Sends the joined row (or, when `gone`, a tombstone for its key) of a
 * row whose left part is decoded (or NULL) and the right record r (NULL
 * and not `gone`: the row's right part is filled already). */
static void send_joined(query *q, query_task *t, const log_record *rec, value *row, value *out, const value *key,
                        const join_rec *r, bool gone, eval_ctx *cx)
{
    const plan *p = q->plan;
    plan_result res;
    if (gone) { /* only the key columns: from the join key */
        res = PLAN_TOMBSTONE;
        row[p->join->key_slot] = *key;
        for (int i = 0; i < p->out.schema.n; i++)
            if (p->out.schema.cols[i].key && expr_eval(p->project[i], row, cx, &out[i]))
                res = PLAN_ERROR;
    } else {
        cx->column_errors = 0;
        res = r ? join_finish(p, row, key, r, q->more, out, cx) : join_finish_filled(p, row, key, q->more, out, cx);
    }
    int64_t ts = rec->timestamp;
    if (res == PLAN_EMIT || res == PLAN_TOMBSTONE) {
        if ((res == PLAN_TOMBSTONE || plan_result_timestamp(p, row, out, &ts, cx->e) == 0) &&
            runtime__encode_output(q, out, res == PLAN_TOMBSTONE, NULL, 0, ts, -1, cx->e) == 0) {
            q->emitted++;
            if (cx->column_errors) /* sent, with NULL for what failed */
                runtime__note_column_error(q, t, rec, cx);
        } else
            runtime__note_error(q, t, rec, cx);
    } else if (res == PLAN_ERROR)
        runtime__note_error(q, t, rec, cx);
}

/* Decodes a left row (key and value bytes) into `row`, with its join key. */
static bool decode_left(query *q, const log_record *rec, const uint8_t *val, int32_t vlen, value *row, value *out,
                        value *key, eval_ctx *cx)
{
    log_record left = *rec;
    left.value = val;
    left.value_len = vlen;
    err_clear(cx->e);
    if (plan_apply(q->plan, &left, 0, row, out, cx) == PLAN_ERROR)
        return false;
    return expr_eval(q->plan->join->left_key, row, cx, key) == 0;
}

/* A row without a left side (a right row without a match): its left
 * part NULL, its time the right record's. */
static void null_left(const plan *p, value *row, int64_t ts)
{
    for (int i = 0; i < p->join->right_base; i++)
        row[i] = value_null();
    row[p->join->time_slot] = value_bigint(ts);
}

/* Whether a joined row exists for a key with (or without) a left and a
 * right row. */
static bool join_exists(const plan_join *j, bool left, bool right)
{
    return (left && right) || (left && j->left_outer) || (right && j->right_outer);
}

/* A table-table join's update of either table: the joined row of its key
 * is sent again when it exists after the update, and a tombstone when it
 * existed only before (both tables are keyed by the join key, in the same
 * key format). */
void runtime_join_table_update(query *q, query_task *t, const log_record *rec, value *row, value *out, eval_ctx *cx)
{
    if (rec->key_len < 0)
        return;
    const plan_join *j = q->plan->join;
    const uint8_t *k = rec->key;
    size_t kl = (size_t)rec->key_len, llen = 0, rlen = 0;
    bool before = join_exists(j, kvstore_get(q->rows, k, kl, &llen) != NULL,
                              kvstore_get(q->right_rows, k, kl, &rlen) != NULL);
    kvstore *own = t->right ? q->right_rows : q->rows;
    if (rec->value_len < 0)
        kvstore_delete(own, k, kl);
    else
        kvstore_put(own, k, kl, rec->value, (size_t)rec->value_len);
    const uint8_t *lv = kvstore_get(q->rows, k, kl, &llen), *rv = kvstore_get(q->right_rows, k, kl, &rlen);
    bool after = join_exists(j, lv != NULL, rv != NULL);
    if (!before && !after)
        return;
    /* the left bytes go into the batch arena: decoding keeps pointers;
     * without a left row its key columns still come from the key bytes
     * (the tables' common key), for the join key and a tombstone's key */
    uint8_t *copy = NULL;
    if (lv) {
        copy = arena_alloc(cx->a, llen + 1);
        memcpy(copy, lv, llen);
    }
    value key;
    if (!decode_left(q, rec, copy, lv ? (int32_t)llen : -1, row, out, &key, cx)) {
        runtime__note_error(q, t, rec, cx);
        return;
    }
    if (!lv && after) /* a right row without a left one */
        null_left(q->plan, row, rec->timestamp);
    join_rec r = {rec->timestamp, NULL, rv, 0, (int32_t)rlen};
    send_joined(q, t, rec, row, out, &key, &r, !after, cx);
}

/* ---- foreign-key table-table join ------------------------------------ */

/* The left row of key bytes `key` (from the store) decoded, with its
 * foreign key; false when it has none or cannot be decoded. */
static bool decode_stored_left(query *q, const log_record *rec, const uint8_t *key, int32_t klen, value *row,
                               value *out, value *fk, eval_ctx *cx)
{
    size_t len = 0;
    const uint8_t *v = kvstore_get(q->rows, key, (size_t)klen, &len);
    if (!v)
        return false;
    /* copies in the batch arena: decoding keeps pointers, the store changes */
    uint8_t *kc = arena_alloc(cx->a, (size_t)klen + 1), *vc = arena_alloc(cx->a, len + 1);
    memcpy(kc, key, (size_t)klen);
    memcpy(vc, v, len);
    log_record left = *rec;
    left.key = kc;
    left.key_len = klen;
    return decode_left(q, &left, vc, (int32_t)len, row, out, fk, cx);
}

/* The right row a foreign key meets, or NULL. */
static const uint8_t *fk_right(query *q, const value *fk, size_t *len, eval_ctx *cx)
{
    if (fk->null)
        return NULL;
    buf kb = BUF_INIT;
    bool is_null = true;
    const uint8_t *rv = NULL;
    if (join_table_key(q->plan->join, fk, &kb, &is_null, cx->e) == 0 && !is_null)
        rv = kvstore_get(q->right_rows, kb.data, kb.len, len);
    buf_free(&kb);
    return rv;
}

/* A left-table update of a foreign-key join: the index follows its
 * foreign key; the joined row (its key the left row's) is sent, or a
 * tombstone when the row is deleted, or no longer meets a right row in an
 * INNER join. */
void runtime_join_fk_left(query *q, query_task *t, const log_record *rec, value *row, value *out, eval_ctx *cx)
{
    if (rec->key_len < 0)
        return;
    const plan_join *j = q->plan->join;
    value fk;
    buf old_fk = BUF_INIT, new_fk = BUF_INIT;
    bool had_match = false;
    if (decode_stored_left(q, rec, rec->key, rec->key_len, row, out, &fk, cx) && !fk.null) {
        size_t len;
        join_store_key(j, &fk, &old_fk);
        had_match = fk_right(q, &fk, &len, cx) != NULL;
    }
    bool existed = kvstore_get(q->rows, rec->key, (size_t)rec->key_len, &(size_t){0}) != NULL;
    if (rec->value_len < 0)
        kvstore_delete(q->rows, rec->key, (size_t)rec->key_len);
    else
        kvstore_put(q->rows, rec->key, (size_t)rec->key_len, rec->value, (size_t)rec->value_len);
    bool ok = decode_left(q, rec, rec->value_len < 0 ? NULL : rec->value, rec->value_len, row, out, &fk, cx);
    if (ok && rec->value_len >= 0 && !fk.null)
        join_store_key(j, &fk, &new_fk);
    if (old_fk.len && (old_fk.len != new_fk.len || memcmp(old_fk.data, new_fk.data, old_fk.len))) {
        join_index_remove(q->fk_index, &old_fk, rec->key, rec->key_len);
    }
    if (new_fk.len)
        join_index_add(q->fk_index, &new_fk, rec->key, rec->key_len);
    buf_free(&old_fk);
    buf_free(&new_fk);
    if (!ok) {
        runtime__note_error(q, t, rec, cx);
        return;
    }
    if (rec->value_len < 0) {
        if (existed)
            send_joined(q, t, rec, row, out, &fk, NULL, true, cx);
        return;
    }
    size_t rlen = 0;
    const uint8_t *rv = fk_right(q, &fk, &rlen, cx);
    join_rec r = {rec->timestamp, NULL, rv, 0, (int32_t)rlen};
    if (rv || j->left_outer)
        send_joined(q, t, rec, row, out, &fk, &r, false, cx);
    else if (had_match)
        send_joined(q, t, rec, row, out, &fk, NULL, true, cx);
}

typedef struct fk_meet {
    query *q;
    query_task *t;
    const log_record *rec; /* the right update */
    value *row, *out;
    eval_ctx *cx;
} fk_meet;

/* A left row whose foreign key a right update has: joined again. */
static void fk_meet_left(void *ctx, const uint8_t *key, int32_t klen)
{
    fk_meet *m = ctx;
    query *q = m->q;
    value fk;
    if (!decode_stored_left(q, m->rec, key, klen, m->row, m->out, &fk, m->cx)) {
        runtime__note_error(q, m->t, m->rec, m->cx);
        return;
    }
    m->row[q->plan->join->time_slot] = value_bigint(m->rec->timestamp);
    join_rec r = {m->rec->timestamp, NULL, m->rec->value, 0, m->rec->value_len};
    bool gone = m->rec->value_len < 0 && !q->plan->join->left_outer;
    send_joined(q, m->t, m->rec, m->row, m->out, &fk, &r, gone, m->cx);
}

/* A right-table update of a foreign-key join: every left row with that
 * foreign key is joined with it (a deleted right row: INNER tombstones
 * them, LEFT joins NULLs). */
void runtime_join_fk_right(query *q, query_task *t, const log_record *rec, value *row, value *out, eval_ctx *cx)
{
    if (rec->key_len < 0)
        return;
    const plan_join *j = q->plan->join;
    if (rec->value_len < 0)
        kvstore_delete(q->right_rows, rec->key, (size_t)rec->key_len);
    else
        kvstore_put(q->right_rows, rec->key, (size_t)rec->key_len, rec->value, (size_t)rec->value_len);
    value *right = row + j->right_base;
    err_clear(cx->e);
    if (serde_decode_key(&j->right.key_format, rec->key, rec->key_len, &j->right.schema, right, cx->a, cx->e)) {
        runtime__note_error(q, t, rec, cx);
        return;
    }
    buf fk = BUF_INIT;
    join_store_key(j, &right[j->right_key], &fk);
    /* the left keys are copied: joining does not change the index, but
     * the bytes must outlive nothing else either */
    size_t len = 0;
    const uint8_t *list = kvstore_get(q->fk_index, fk.data, fk.len, &len);
    if (list) {
        kvstore *snap = kvstore_new();
        kvstore_put(snap, fk.data, fk.len, list, len);
        fk_meet m = {q, t, rec, row, out, cx};
        join_index_each(snap, &fk, fk_meet_left, &m);
        kvstore_free(snap);
    }
    buf_free(&fk);
}

/* After a restart: the index from the restored left rows. */
typedef struct fk_rebuild {
    query *q;
    value *row, *out;
    eval_ctx *cx;
} fk_rebuild;

static void fk_index_row(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    fk_rebuild *b = ctx;
    log_record rec = {.key = key, .key_len = (int32_t)klen, .value = val, .value_len = (int32_t)vlen};
    value fk;
    arena_reset(b->cx->a);
    if (!decode_left(b->q, &rec, val, (int32_t)vlen, b->row, b->out, &fk, b->cx) || fk.null)
        return;
    buf sk = BUF_INIT;
    join_store_key(b->q->plan->join, &fk, &sk);
    join_index_add(b->q->fk_index, &sk, key, (int32_t)klen);
    buf_free(&sk);
}

void runtime_join_rebuild_fk_index(query *q)
{
    arena a;
    arena_init(&a, 4096);
    value *row = mem_alloc(sizeof(value) * (size_t)q->plan->nrow);
    value *out = mem_alloc(sizeof(value) * (size_t)(q->plan->out.schema.n + 1));
    err re;
    eval_ctx cx = {.a = &a, .e = &re};
    fk_rebuild b = {q, row, out, &cx};
    kvstore_each(q->rows, fk_index_row, &b);
    free(row);
    free(out);
    arena_free(&a);
}

/* ---- stream-stream join ---------------------------------------------- */

/* Decodes a right record into the row's right part, with its join key. */
static bool decode_right(query *q, join_rec *r, value *row, value *key, eval_ctx *cx)
{
    const plan *p = q->plan;
    const plan_join *j = p->join;
    static const value null_value = {.null = true}; /* copied: value_null() in a loop stalls on store forwarding */
    value *right = row + j->right_base;
    for (int i = 0; i < j->right.schema.n + PLAN_PSEUDO; i++)
        right[i] = null_value;
    err_clear(cx->e);
    cx->bad_part = 0;
    if (r->key && serde_decode_key(&j->right.key_format, r->key, r->klen, &j->right.schema, right, cx->a, cx->e))
        return cx->bad_part = EVAL_BAD_KEY, false;
    if (serde_decode_value(&j->right.value_format, r->val, r->vlen, &j->right.schema, p->needed + j->right_base,
                           right, cx->a, cx->e))
        return cx->bad_part = EVAL_BAD_VALUE, false;
    if (j->right.ts_column >= 0 && plan_event_time(&j->right, &right[j->right.ts_column], &r->ts, cx->e))
        return false; /* WITH (TIMESTAMP='col'): its event time from the column */
    right[j->right.schema.n] = value_bigint(r->ts);
    return expr_eval(j->right_key_expr, row, cx, key) == 0;
}

/* A record of one side decoded, with its join key and (its event time
 * being known only then, for the left side) its time set in r. */
static bool decode_side(query *q, bool right, const log_record *rec, join_rec *r, value *row, value *out, value *key,
                        eval_ctx *cx)
{
    const plan_join *j = q->plan->join;
    if (right && !decode_right(q, r, row, key, cx))
        return false;
    if (right && !r->key && j->right_key >= 0) /* no key bytes: its key column is the join key (join_finish) */
        row[j->right_base + j->right_key] = *key;
    if (right)
        return true;
    if (!decode_left(q, rec, r->val, r->vlen, row, out, key, cx))
        return false;
    r->ts = row[q->plan->rowtime].u.l;
    return true;
}

/* The row slots of one side of a stream-stream join: its columns and
 * pseudo columns (the left's from 0, the right's from right_base). */
static int side_base(const query *q, int side) { return side ? q->plan->join->right_base : 0; }

static int side_width(const query *q, int side)
{
    return (side ? q->plan->join->right.schema.n : q->plan->in.schema.n) + PLAN_PSEUDO;
}

/* Each side's slot types, for packing its decoded records (pack_side). */
void runtime_join_side_types(query *q)
{
    static const type_kind pseudo[PLAN_PSEUDO] = {TYPE_BIGINT, TYPE_INT, TYPE_BIGINT, TYPE_BIGINT, TYPE_BIGINT};
    for (int side = 0; side < 2; side++) {
        const schema *sc = side ? &q->plan->join->right.schema : &q->plan->in.schema;
        int n = side_width(q, side);
        q->side_types[side] = mem_alloc(sizeof *q->side_types[side] * (size_t)n);
        for (int i = 0; i < n; i++)
            q->side_types[side][i] = i < sc->n ? sc->cols[i].type : types_scalar(pseudo[i - sc->n]);
    }
}

/* A decoded record of one side as a window store keeps it: its columns
 * that the plan reads and its pseudo columns, codec-encoded into `out`
 * (so that meeting it costs a codec decode, not a decode of its format,
 * and the store holds what the join needs, not the whole record). */
static void pack_side(const query *q, int side, const value *row, buf *out)
{
    static const value none = {.null = true};
    int base = side_base(q, side), n = side_width(q, side), cols = n - PLAN_PSEUDO;
    const value *from = row + base;
    const bool *needed = q->plan->needed + base;
    buf_reset(out);
    /* a slot is packed as it is when kept or NULL already (as decoding
     * leaves the slots not read): each run of these in one call */
    for (int i = 0, k; i < n; i = k) {
        for (k = i; k < n && (k >= cols || needed[k] || from[k].null); k++)
            ;
        if (k > i)
            codec_encode(from + i, q->side_types[side] + i, k - i, out);
        else
            codec_encode(&none, q->side_types[side] + k++, 1, out);
    }
}

/* A kept record (pack_side) back into its side's slots of the row, with
 * its join key; false with cx->e set when it cannot be. */
static bool unpack_side(const query *q, int side, const join_rec *r, value *row, value *key, eval_ctx *cx)
{
    const plan_join *j = q->plan->join;
    err_clear(cx->e);
    if (codec_decode(r->val, (size_t)r->vlen, q->side_types[side], side_width(q, side), row + side_base(q, side), cx->a,
                     cx->e))
        return false;
    return expr_eval(side ? j->right_key_expr : j->left_key, row, cx, key) == 0;
}

static join_rec record_of(const log_record *rec)
{
    return (join_rec){rec->timestamp, rec->key_len >= 0 ? rec->key : NULL, rec->value, rec->key_len,
                      rec->value_len};
}

/* A record of one side meeting the kept records of the other. */
typedef struct stream_meet {
    query *q;
    query_task *t;
    const log_record *rec;
    join_rec self;  /* the record, as kept */
    value *row, *out;
    eval_ctx *cx;
    value key;     /* the record's join key */
    uint64_t hash; /* its store key's kvstore_hash */
    int other;     /* the side it meets */
    int matched;   /* how many records it met */
} stream_meet;

/* An unmatched record of an outer side, held until its window closes,
 * has met one of the other side: it is no longer held. */
static void unhold(query *q, int side, const join_rec *r)
{
    for (int i = 0; i < q->nheld; i++) {
        held_left *h = &q->held[i];
        if (h->side == side && h->ts == r->ts && h->klen == r->klen && h->vlen == r->vlen &&
            (h->klen <= 0 || !memcmp(h->key, r->key, (size_t)h->klen)) &&
            (h->vlen <= 0 || !memcmp(h->val, r->val, (size_t)h->vlen))) {
            free(h->key);
            free(h->val);
            *h = q->held[--q->nheld];
            return;
        }
    }
}

/* A record meets a kept record k of the other side (m->other): the
 * joined row's time is the later of the two (Kafka Streams'
 * KStreamKStreamJoin), its join key the left record's. */
static void meet_kept(void *ctx, const join_rec *k)
{
    stream_meet *m = ctx;
    m->matched++;
    if (m->q->nheld)
        unhold(m->q, m->other, k);
    value key;
    if (!unpack_side(m->q, m->other, k, m->row, &key, m->cx)) {
        runtime__note_error(m->q, m->t, m->rec, m->cx);
        return;
    }
    m->row[m->q->plan->join->time_slot] = value_bigint(k->ts > m->self.ts ? k->ts : m->self.ts);
    send_joined(m->q, m->t, m->rec, m->row, m->out, m->other ? &m->key : &key, NULL, false, m->cx);
}

/* An outer side's record that met nothing, joined with NULLs for the
 * other side. */
static void send_unmatched(query *q, query_task *t, int side, const log_record *rec, join_rec r, value *row,
                           value *out, eval_ctx *cx)
{
    log_record self = *rec; /* errors name the record being read */
    self.timestamp = r.ts;
    value key;
    if (!unpack_side(q, side, &r, row, &key, cx)) {
        runtime__note_error(q, t, rec, cx);
        return;
    }
    if (side) {
        null_left(q->plan, row, r.ts);
        send_joined(q, t, &self, row, out, &key, NULL, false, cx);
    } else {
        join_rec none = {r.ts, NULL, NULL, 0, -1};
        row[q->plan->join->time_slot] = value_bigint(r.ts);
        send_joined(q, t, &self, row, out, &key, &none, false, cx);
    }
}

static void hold(query *q, int side, const join_rec *r)
{
    if (q->nheld == q->capheld) {
        q->capheld = q->capheld ? 2 * q->capheld : 16;
        q->held = mem_realloc(q->held, sizeof *q->held * (size_t)q->capheld);
    }
    held_left *h = &q->held[q->nheld++];
    h->side = side;
    h->klen = r->key ? r->klen : -1;
    h->key = mem_alloc(h->klen > 0 ? (size_t)h->klen : 1);
    if (h->klen > 0)
        memcpy(h->key, r->key, (size_t)h->klen);
    h->vlen = r->vlen;
    h->val = mem_alloc(r->vlen > 0 ? (size_t)r->vlen : 1);
    if (r->vlen > 0)
        memcpy(h->val, r->val, (size_t)r->vlen);
    h->ts = r->ts;
}

/* Outer joins with GRACE PERIOD: the held records whose window and grace
 * have passed (ts + window on the other side + grace < stream time) join
 * NULLs, the oldest first.  The held bytes are copied into the batch
 * arena, as the output encodes from decoded values pointing into them. */
static void send_closed(query *q, query_task *t, const log_record *rec, int64_t now, value *row, value *out,
                        eval_ctx *cx)
{
    const plan_join *j = q->plan->join;
    for (;;) {
        int best = -1;
        for (int i = 0; i < q->nheld; i++) {
            const held_left *h = &q->held[i];
            if (h->ts + (h->side ? j->before : j->after) + j->grace < now &&
                (best < 0 || h->ts < q->held[best].ts))
                best = i;
        }
        if (best < 0)
            return;
        held_left h = q->held[best];
        q->held[best] = q->held[--q->nheld];
        uint8_t *key = arena_alloc(cx->a, (size_t)(h.klen > 0 ? h.klen : 0) + 1);
        uint8_t *val = arena_alloc(cx->a, (size_t)(h.vlen > 0 ? h.vlen : 0) + 1);
        if (h.klen > 0)
            memcpy(key, h.key, (size_t)h.klen);
        if (h.vlen > 0)
            memcpy(val, h.val, (size_t)h.vlen);
        free(h.key);
        free(h.val);
        join_rec r = {h.ts, h.klen >= 0 ? key : NULL, val, h.klen, h.vlen};
        send_unmatched(q, t, h.side, rec, r, row, out, cx);
    }
}

/* The oldest time side still keeps (its stream time - the window -
 * grace: older records have expired, whether or not dropped yet), or
 * `from` when that is later. */
static int64_t kept_from(const query *q, int side, int64_t from)
{
    const plan_join *j = q->plan->join;
    int64_t st = q->side_time[side];
    if (st == INT64_MIN)
        return from;
    int64_t expire = st - j->before - j->after - j->grace;
    return expire > from ? expire : from;
}

/* Keeps a record in its side's window store, unless its side's stream
 * time has passed it by the window and grace; false when it has no join
 * key (cannot be decoded: cx->e set; or a NULL key: joins nothing).
 * Its store key is left in q->join_key, its kvstore_hash in *hash. */
static bool keep_record(query *q, int side, const log_record *rec, join_rec *r, value *row, value *out, value *key,
                        uint64_t *hash, eval_ctx *cx)
{
    const plan_join *j = q->plan->join;
    if (!decode_side(q, side, rec, r, row, out, key, cx) || key->null)
        return false;
    pack_side(q, side, row, &q->join_pack);
    r->key = NULL;
    r->klen = -1;
    r->val = (const uint8_t *)q->join_pack.data;
    r->vlen = (int32_t)q->join_pack.len;
    join_store_key(j, key, &q->join_key);
    /* both stores' slots of the key are fetched while the expired
     * records of older keys are dropped (they overlap that work) */
    uint64_t h = *hash = kvstore_hash(q->join_key.data, q->join_key.len);
    kvstore_prefetch_hashed(q->rows, h);
    kvstore_prefetch_hashed(q->right_rows, h);
    if (r->ts > q->side_time[side])
        q->side_time[side] = r->ts;
    join_window_add(side ? q->right_rows : q->rows, &q->side_queue[side], (const uint8_t *)q->join_key.data,
                    q->join_key.len, h, r, q->side_time[side] - j->before - j->after - j->grace);
    return true;
}

/* A record of either stream of a JOIN ... WITHIN: kept in its side's
 * window store and joined with every kept record of the other side with
 * the same join key in its window ([t - before, t + after] for a left
 * record, mirrored for a right one).  A record of an outer side (LEFT,
 * RIGHT, FULL) that meets nothing joins NULLs, at once (no GRACE PERIOD,
 * or its window has already closed) or once its window closes, if no
 * record of the other side meets it meanwhile.  Each side is keyed by its
 * side's join expression (its key column, or any expression: a re-keyed
 * join), so records of any partition meet. */
void runtime_join_stream_record(query *q, query_task *t, const log_record *rec, value *row, value *out, eval_ctx *cx)
{
    const plan_join *j = q->plan->join;
    if (rec->value_len < 0)
        return; /* no value: joins nothing (ksqlDB drops it) */
    int side = t->right ? 1 : 0;
    stream_meet m = {q, t, rec, record_of(rec), row, out, cx, value_null(), 0, !side, 0};
    err_clear(cx->e);
    if (!keep_record(q, side, rec, &m.self, row, out, &m.key, &m.hash, cx)) {
        if (cx->e->code)
            runtime__note_error(q, t, rec, cx);
        return;
    }
    int64_t now = q->side_time[0] > q->side_time[1] ? q->side_time[0] : q->side_time[1];
    t->stream_time = now;
    int held = q->nheld;
    if (held)
        send_closed(q, t, rec, now, row, out, cx);
    /* held records sent meanwhile reused the row and the store key */
    if (q->nheld != held) {
        if (!unpack_side(q, side, &m.self, row, &m.key, cx)) {
            runtime__note_error(q, t, rec, cx);
            return;
        }
        join_store_key(j, &m.key, &q->join_key);
    }
    /* the other side's records from ts - back to ts + ahead (mirrored
     * for a right record) */
    int64_t ts = m.self.ts, back = side ? j->after : j->before, ahead = side ? j->before : j->after;
    join_window_each(side ? q->rows : q->right_rows, (const uint8_t *)q->join_key.data, q->join_key.len, m.hash,
                     kept_from(q, !side, ts - back), ts + ahead, meet_kept, &m);
    if (m.matched || !(side ? j->right_outer : j->left_outer))
        return;
    if (j->hold_unmatched && ts + (side ? j->before : j->after) >= now)
        hold(q, side, &m.self);
    else
        send_unmatched(q, t, side, rec, m.self, row, out, cx);
}

/* Task t's next record unless it has none before its stop; -1 on error. */
static int join_head(query_task *t, int64_t stop, const log_record **rec, err *e)
{
    int n = runtime__look_fill(t, e);
    if (n < 0)
        return -1;
    *rec = n && t->look[t->ilook].offset < stop ? &t->look[t->ilook] : NULL;
    return 0;
}

/* The next record in the join's order (taken from its task's read-ahead:
 * valid until the next call), with its task; 0 when no task has one, -1
 * on error. */
int runtime_join_next(join_order *o, query_task **from, const log_record **rec, err *e)
{
    if (o->cur >= 0) {
        if (join_head(o->tasks[o->cur], o->stop[o->cur], rec, e))
            return -1;
        if (*rec && (*rec)->timestamp <= o->until) {
            *from = o->tasks[o->cur];
            (*from)->ilook++;
            return 1;
        }
    }
    const log_record *best = NULL;
    o->cur = -1;
    o->until = INT64_MAX;
    for (int i = 0; i < o->n; i++) {
        const log_record *r;
        if (join_head(o->tasks[i], o->stop[i], &r, e))
            return -1;
        if (!r)
            continue;
        if (!best || r->timestamp < best->timestamp) {
            if (best)
                o->until = best->timestamp;
            best = r;
            o->cur = i;
        } else if (r->timestamp < o->until)
            o->until = r->timestamp;
    }
    if (!best)
        return 0;
    *from = o->tasks[o->cur];
    *rec = best;
    (*from)->ilook++;
    return 1;
}

/* A stream-stream join's state (both window stores, each side's stream
 * time, the outer records held) has no changelog: it is rebuilt by
 * running both streams again, from their start to where their tasks
 * resume, in the order the join reads them (join_order), with nothing
 * written.  Records that arrived live far out of their time order, or
 * ties in time at the bounds of the batches that read them, can leave
 * the rebuilt held records different from those lost. */
int runtime_join_replay(query *q, log_topic *ltopic, log_topic *rtopic, err *e)
{
    int n = q->nsides;
    query_task *tt = mem_alloc(sizeof *tt * (size_t)(n + 1));
    query_task **order = mem_alloc(sizeof *order * (size_t)(n + 1));
    int64_t *stop = mem_alloc(sizeof *stop * (size_t)(n + 1));
    for (int i = 0; i < n; i++) {
        const query_task *src = q->sides[i];
        tt[i] = *src;
        order[i] = &tt[i];
        stop[i] = runtime_task_position(src);
        tt[i].reader = log_reader_open(i < q->ntasks ? ltopic : rtopic, src->partition, 0);
        tt[i].look = NULL;
        tt[i].nlook = tt[i].ilook = 0;
    }
    arena a;
    arena_init(&a, 64 * 1024);
    value *row = mem_alloc(sizeof(value) * (size_t)q->plan->nrow);
    value *out = mem_alloc(sizeof(value) * (size_t)(q->plan->out.schema.n + 1));
    err re;
    eval_ctx cx = {.a = &a, .e = &re};
    int rc;
    q->replaying = true;
    join_order o = {order, n, stop, -1, 0};
    query_task *t;
    const log_record *r;
    while ((rc = runtime_join_next(&o, &t, &r, e)) > 0) {
        arena_reset(&a);
        err_clear(&re);
        runtime_join_stream_record(q, t, r, row, out, &cx);
    }
    q->replaying = false;
    q->emitted = 0;
    for (int i = 0; i < n; i++) {
        log_reader_close(tt[i].reader);
        free(tt[i].look);
    }
    free(tt);
    free(order);
    free(stop);
    free(row);
    free(out);
    arena_free(&a);
    return rc < 0 ? -1 : 0;
}
