/* op_join.c — see op_join.h. */
#include "op_join.h"

#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "codec.h"
#include "serde.h"

/* The table's key bytes for the stream's join key, in the table's key
 * format (what its records carry). */
int join_table_key(const plan_join *j, const value *k, buf *out, bool *is_null, err *e)
{
    value row[64];
    int n = j->right.schema.n;
    if (n > 64)
        return err_set(e, ERR_UNSUPPORTED, "table with more than 64 columns");
    for (int i = 0; i < n; i++)
        row[i] = value_null();
    row[j->right_key] = *k;
    return serde_encode_key(&j->right.key_format, &j->right.schema, row, out, is_null, e);
}

/* The two forms of a table row (see join_table). */
#define FORM_RAW 0
#define FORM_CODEC 1

/* A table update is kept raw: decoded (once) by the first lookup that
 * meets it, as most rows of some tables are never met (q3's persons). */
static void put_raw(void *ctx, const uint8_t *v, int32_t vlen, buf *out)
{
    (void)ctx;
    buf_putc(out, FORM_RAW);
    buf_append(out, v, vlen > 0 ? (size_t)vlen : 0);
}

join_table *join_table_open(const plan *p, const plan_join *j, log_topic *t, const int64_t *resume, err *e)
{
    join_table *jt = mem_alloc(sizeof *jt);
    int n = j->right.schema.n;
    jt->p = p;
    jt->j = j;
    jt->types = mem_alloc(sizeof *jt->types * (size_t)(n + 1));
    for (int i = 0; i < n; i++)
        jt->types[i] = j->right.schema.cols[i].type;
    table_form form = {put_raw, NULL};
    if (!(jt->rows = table_rows_open(t, resume, &form, e))) {
        join_table_close(jt);
        return NULL;
    }
    return jt;
}

void join_table_close(join_table *jt)
{
    if (!jt)
        return;
    table_rows_close(jt->rows);
    free(jt->types);
    buf_free(&jt->key);
    buf_free(&jt->form);
    free(jt);
}

/* Fills right[0, n) from the table row v[0, vlen) of the store key in
 * jt->key (found at *pos): a raw row is decoded from its format and,
 * when that succeeds, kept in codec form from then on. */
static int decode_row(const plan *p, join_table *jt, const uint8_t *v, size_t vlen, const kvstore_pos *pos,
                      value *right, eval_ctx *cx)
{
    const plan_join *j = jt->j;
    int n = j->right.schema.n;
    if (v[0] == FORM_RAW) {
        if (serde_decode_value(&j->right.value_format, v + 1, (int32_t)(vlen - 1), &j->right.schema,
                               p->needed + j->right_base, right, cx->a, cx->e))
            return -1;
        buf_reset(&jt->form);
        buf_putc(&jt->form, FORM_CODEC);
        codec_encode(right, jt->types, n, &jt->form);
        kvstore_put_at(jt->rows->rows, pos, jt->key.data, jt->key.len, jt->form.data, jt->form.len);
        /* decoded again from the kept bytes: what was decoded may point
         * into the raw bytes just replaced */
        v = (const uint8_t *)jt->form.data;
        vlen = jt->form.len;
    }
    return codec_decode(v + 1, vlen - 1, jt->types, n, right, cx->a, cx->e);
}

/* Looks the table of join j up with its key over the row (set in *k):
 * fills its columns (NULL without a match), and *found. */
static int lookup(const plan *p, const plan_join *j, join_table *jt, value *row, value *k, bool *found, eval_ctx *cx)
{
    value *right = row + j->right_base;
    for (int i = 0; i < j->right.schema.n + PLAN_PSEUDO; i++)
        right[i] = value_null();
    *found = false;
    if (expr_eval(j->left_key, row, cx, k))
        return -1;
    if (k->null || !jt)
        return 0;
    bool is_null;
    buf_reset(&jt->key);
    if (join_table_key(j, k, &jt->key, &is_null, cx->e))
        return -1;
    size_t vlen = 0;
    kvstore_pos pos;
    /* the value bytes live in the store, unchanged while this row is used
     * (tables are only updated between records) */
    const uint8_t *v = is_null ? NULL : kvstore_find(jt->rows->rows, jt->key.data, jt->key.len, &vlen, &pos);
    if (!v || !vlen)
        return 0;
    *found = true;
    int rc = decode_row(p, jt, v, vlen, &pos, right, cx);
    right[j->right_key] = *k;
    return rc;
}

/* The rest of a joined row once the first join's right part is filled
 * (`found`: it has a right row): the later tables, WHERE, the projection. */
static plan_result join_rest(const plan *p, value *row, bool found, join_table *const *more, value *out,
                             eval_ctx *cx)
{
    if (!found && !p->join->left_outer)
        return PLAN_SKIP;
    for (int i = 0; i < p->nmore; i++) {
        value k;
        if (lookup(p, &p->more[i], more ? more[i] : NULL, row, &k, &found, cx))
            return PLAN_ERROR;
        if (!found && !p->more[i].left_outer)
            return PLAN_SKIP;
    }
    if (p->where) {
        bool keep;
        if (expr_eval_pred(p->where, row, cx, &keep))
            return PLAN_ERROR;
        if (!keep)
            return PLAN_SKIP;
    }
    if (p->agg) /* GROUP BY over the join: the row goes to the aggregation */
        return PLAN_EMIT;
    for (int i = 0; i < p->out.schema.n; i++)
        plan_eval_column(p, i, row, cx, &out[i]);
    return PLAN_EMIT;
}

plan_result join_finish(const plan *p, value *row, const value *jkey, const join_rec *r, join_table *const *more,
                        value *out, eval_ctx *cx)
{
    const plan_join *j = p->join;
    value *right = row + j->right_base;
    for (int i = 0; i < j->right.schema.n + PLAN_PSEUDO; i++)
        right[i] = value_null();
    row[j->key_slot] = *jkey;
    if (r->val) {
        if (r->key && serde_decode_key(&j->right.key_format, r->key, r->klen, &j->right.schema, right, cx->a, cx->e))
            return PLAN_ERROR;
        if (serde_decode_value(&j->right.value_format, r->val, r->vlen, &j->right.schema, p->needed + j->right_base,
                               right, cx->a, cx->e))
            return PLAN_ERROR;
        if (!r->key && j->right_key >= 0)
            right[j->right_key] = *jkey;
        if (r->ts >= 0)
            right[j->right.schema.n] = value_bigint(r->ts);
    }
    return join_rest(p, row, r->val != NULL, more, out, cx);
}

/* Whether x reads only row slots below `limit` and calls nothing (a call
 * may not give the same result twice, or may fail where WHERE would not
 * have called it). */
static bool reads_only_below(const expr *x, int limit)
{
    if (x->kind == EX_CALL || x->kind == EX_LAMBDA || x->kind == EX_VAR)
        return false;
    if (x->kind == EX_COLUMN && (x->column < 0 || x->column >= limit))
        return false;
    for (int i = 0; i < x->nargs; i++)
        if (x->args[i] && !reads_only_below(x->args[i], limit))
            return false;
    return true;
}

static int conjuncts_below(const expr *x, int limit, const expr **out, int n, int max)
{
    if (x->kind == EX_AND && x->nargs == 2) {
        n = conjuncts_below(x->args[0], limit, out, n, max);
        return conjuncts_below(x->args[1], limit, out, n, max);
    }
    if (n < max && reads_only_below(x, limit))
        out[n++] = x;
    return n;
}

int join_prefilter_build(const plan *p, const expr **out, int max)
{
    if (!p->join || !p->where || p->join->stream_stream || p->join->table_table || p->join->foreign_key)
        return 0;
    return conjuncts_below(p->where, p->join->right_base, out, 0, max);
}

bool join_prefilter_rejects(const expr *const *pre, int n, const value *row, eval_ctx *cx)
{
    for (int i = 0; i < n; i++) {
        bool keep;
        if (expr_eval_pred(pre[i], row, cx, &keep)) {
            err_clear(cx->e);
            return false;
        }
        if (!keep)
            return true;
    }
    return false;
}

plan_result join_finish_filled(const plan *p, value *row, const value *jkey, join_table *const *more, value *out,
                               eval_ctx *cx)
{
    row[p->join->key_slot] = *jkey;
    return join_rest(p, row, true, more, out, cx);
}

void join_store_key(const plan_join *j, const value *jkey, buf *out)
{
    buf_reset(out);
    codec_encode(jkey, &j->key_type, 1, out);
}

plan_result join_apply(const plan *p, join_table *table, join_table *const *more, value *row, value *out,
                       eval_ctx *cx)
{
    value k;
    bool found;
    if (lookup(p, p->join, table, row, &k, &found, cx))
        return PLAN_ERROR;
    row[p->join->key_slot] = k;
    return join_rest(p, row, found, more, out, cx);
}

/* ---- stream-stream: the window stores ---------------------------------- */

#define ENTRY_HEAD 16 /* timestamp (8), key length (4), value length (4) */

static int32_t get_be32(const uint8_t *p)
{
    return (int32_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]);
}

/* be64_get, inlined (read once per entry a trim or a lookup passes). */
static int64_t get_be64(const uint8_t *p)
{
    return (int64_t)((uint64_t)(uint32_t)get_be32(p) << 32 | (uint32_t)get_be32(p + 4));
}

static void put_be32(buf *b, int32_t v)
{
    uint8_t x[4] = {(uint8_t)((uint32_t)v >> 24), (uint8_t)((uint32_t)v >> 16), (uint8_t)((uint32_t)v >> 8),
                    (uint8_t)v};
    buf_append(b, x, 4);
}

/* One packed entry at p: its record, and its length. */
static size_t entry_read(const uint8_t *p, join_rec *r)
{
    r->ts = get_be64(p);
    r->klen = get_be32(p + 8);
    r->vlen = get_be32(p + 12);
    size_t kl = r->klen > 0 ? (size_t)r->klen : 0, vl = r->vlen > 0 ? (size_t)r->vlen : 0;
    r->key = r->klen >= 0 ? p + ENTRY_HEAD : NULL;
    r->val = r->vlen >= 0 ? p + ENTRY_HEAD + kl : NULL;
    return ENTRY_HEAD + kl + vl;
}

/* A key's value in a window store: the offset of its first live entry
 * (be32; the entries before it have expired), then the entries. */
#define WINDOW_HEAD 4

static void put_head(uint8_t *p, uint32_t head)
{
    p[0] = (uint8_t)(head >> 24), p[1] = (uint8_t)(head >> 16), p[2] = (uint8_t)(head >> 8), p[3] = (uint8_t)head;
}

/* Drops the records of store key skey (its kvstore_hash h) older than
 * `expire`: skipped by the head offset, then cut once they are half the
 * value (O(1) per record, amortized), or the key deleted when none is
 * left.  Returns its value (NULL when gone or missing); *len its length. */
static uint8_t *window_trim(kvstore *s, const uint8_t *skey, size_t sklen, uint64_t h, int64_t expire, size_t *len)
{
    kvstore_pos pos;
    uint8_t *v = kvstore_find_hashed_mut(s, skey, sklen, h, len, &pos);
    if (!v)
        return NULL;
    size_t at = WINDOW_HEAD + (uint32_t)get_be32(v), first = at;
    while (at + ENTRY_HEAD <= *len) {
        join_rec e;
        size_t n = entry_read(v + at, &e);
        if (e.ts >= expire)
            break;
        at += n;
    }
    if (at >= *len) {
        kvstore_delete(s, skey, sklen);
        return NULL;
    }
    if (at != first && 2 * (at - WINDOW_HEAD) >= *len) {
        buf b = BUF_INIT;
        uint8_t zero[WINDOW_HEAD] = {0};
        buf_append(&b, zero, WINDOW_HEAD);
        buf_append(&b, v + at, *len - at);
        kvstore_put(s, skey, sklen, b.data, b.len);
        buf_free(&b);
        return kvstore_get_mut(s, skey, sklen, len);
    }
    if (at != first)
        put_head(v, (uint32_t)(at - WINDOW_HEAD));
    return v;
}

/* A queued record (in memory only: native byte order): its timestamp,
 * its store key's hash (so that trimming does not hash the key again),
 * the key's length (each 8 bytes), the key. */
#define QUEUE_HEAD 24

typedef struct queued {
    int64_t ts;
    uint64_t hash;
    uint64_t klen;
} queued;
_Static_assert(sizeof(queued) == QUEUE_HEAD, "a queued record's head");

static queued queue_at(const join_window_queue *qu, size_t at)
{
    queued x;
    memcpy(&x, qu->q.data + at, sizeof x);
    return x;
}

/* Trims the keys of up to `max` of the oldest queued records older than
 * `expire`; the queue's buffer is cut once half of it is behind. */
static void queue_expire(kvstore *s, join_window_queue *qu, int64_t expire, int max)
{
    for (int i = 0; i < max && qu->head + QUEUE_HEAD <= qu->q.len; i++) {
        queued x = queue_at(qu, qu->head);
        if (x.ts >= expire)
            break;
        size_t len;
        window_trim(s, (const uint8_t *)qu->q.data + qu->head + QUEUE_HEAD, x.klen, x.hash, expire, &len);
        qu->head += QUEUE_HEAD + x.klen;
    }
    /* the next oldest keys are trimmed by the next adds: the next one's
     * entry is fetched meanwhile (its slot, by the add before), and the
     * one after's slot */
    if (qu->head + QUEUE_HEAD <= qu->q.len) {
        queued x = queue_at(qu, qu->head);
        kvstore_prefetch_entry_hashed(s, x.hash);
        size_t next = qu->head + QUEUE_HEAD + x.klen;
        if (next + QUEUE_HEAD <= qu->q.len)
            kvstore_prefetch_hashed(s, queue_at(qu, next).hash);
    }
    if (qu->head && 2 * qu->head >= qu->q.len) {
        memmove(qu->q.data, qu->q.data + qu->head, qu->q.len - qu->head);
        qu->q.len -= qu->head;
        qu->head = 0;
    }
}

static void queue_push(join_window_queue *qu, int64_t ts, const uint8_t *skey, size_t sklen, uint64_t h)
{
    queued x = {ts, h, sklen};
    buf_reserve(&qu->q, QUEUE_HEAD + sklen);
    memcpy(qu->q.data + qu->q.len, &x, QUEUE_HEAD);
    qu->q.len += QUEUE_HEAD;
    buf_append(&qu->q, skey, sklen);
}

void join_window_add(kvstore *s, join_window_queue *queue, const uint8_t *skey, size_t sklen, uint64_t hash,
                     const join_rec *r, int64_t expire)
{
    queue_expire(s, queue, expire, 2);
    if (r->ts < expire)
        return; /* expired already: not kept */
    size_t len = 0;
    uint8_t *v = window_trim(s, skey, sklen, hash, expire, &len);
    int32_t klen = r->key ? r->klen : -1;
    size_t kl = klen > 0 ? (size_t)klen : 0, vl = r->vlen > 0 ? (size_t)r->vlen : 0;
    uint8_t *p = kvstore_append_room(s, skey, sklen, (v ? 0 : WINDOW_HEAD) + ENTRY_HEAD + kl + vl);
    if (!v) { /* a new value: its head first */
        put_head(p, 0);
        p += WINDOW_HEAD;
    }
    uint64_t ts = (uint64_t)r->ts;
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(ts >> (56 - 8 * i));
    put_head(p + 8, (uint32_t)klen);
    put_head(p + 12, (uint32_t)r->vlen);
    if (kl)
        memcpy(p + ENTRY_HEAD, r->key, kl);
    if (vl)
        memcpy(p + ENTRY_HEAD + kl, r->val, vl);
    queue_push(queue, r->ts, skey, sklen, hash);
}

void join_window_each(const kvstore *s, const uint8_t *skey, size_t sklen, uint64_t hash, int64_t from, int64_t to,
                      join_window_fn fn, void *ctx)
{
    size_t len = 0;
    kvstore_pos pos;
    const uint8_t *p = kvstore_find_hashed(s, skey, sklen, hash, &len, &pos);
    for (size_t at = p ? WINDOW_HEAD + (uint32_t)get_be32(p) : 0; p && at + ENTRY_HEAD <= len;) {
        join_rec e;
        at += entry_read(p + at, &e);
        if (e.ts >= from && e.ts <= to)
            fn(ctx, &e);
    }
}

/* ---- foreign-key joins: the index ------------------------------------ */

/* Calls fn for each packed (length, be32; bytes) entry of p[0, len);
 * returns the offset of the entry equal to key, or -1. */
static long index_scan(const uint8_t *p, size_t len, const uint8_t *key, int32_t klen, join_index_fn fn, void *ctx)
{
    long found = -1;
    for (size_t at = 0; p && at + 4 <= len;) {
        int32_t n = get_be32(p + at);
        if (fn)
            fn(ctx, p + at + 4, n);
        if (key && found < 0 && n == klen && !memcmp(p + at + 4, key, (size_t)n))
            found = (long)at;
        at += 4 + (size_t)n;
    }
    return found;
}

void join_index_add(kvstore *ix, const buf *fk, const uint8_t *key, int32_t klen)
{
    size_t len = 0;
    const uint8_t *old = kvstore_get(ix, fk->data, fk->len, &len);
    if (index_scan(old, len, key, klen, NULL, NULL) >= 0)
        return;
    buf b = BUF_INIT;
    if (old)
        buf_append(&b, old, len);
    put_be32(&b, klen);
    buf_append(&b, key, (size_t)klen);
    kvstore_put(ix, fk->data, fk->len, b.data, b.len);
    buf_free(&b);
}

void join_index_remove(kvstore *ix, const buf *fk, const uint8_t *key, int32_t klen)
{
    size_t len = 0;
    const uint8_t *old = kvstore_get(ix, fk->data, fk->len, &len);
    long at = index_scan(old, len, key, klen, NULL, NULL);
    if (at < 0)
        return;
    size_t n = 4 + (size_t)klen;
    if (len == n) {
        kvstore_delete(ix, fk->data, fk->len);
        return;
    }
    buf b = BUF_INIT;
    buf_append(&b, old, (size_t)at);
    buf_append(&b, old + at + n, len - (size_t)at - n);
    kvstore_put(ix, fk->data, fk->len, b.data, b.len);
    buf_free(&b);
}

void join_index_each(const kvstore *ix, const buf *fk, join_index_fn fn, void *ctx)
{
    size_t len = 0;
    const uint8_t *p = kvstore_get(ix, fk->data, fk->len, &len);
    index_scan(p, len, NULL, 0, fn, ctx);
}
