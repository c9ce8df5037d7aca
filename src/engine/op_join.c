/* op_join.c — see op_join.h. */
#include "op_join.h"

/* The table's key bytes for the stream's join key, in the table's key
 * format (what its records carry). */
static int table_key(const plan_join *j, const value *k, buf *out, bool *is_null, err *e)
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

plan_result join_finish(const plan *p, value *row, const value *key, const uint8_t *rval, int32_t rlen,
                        value *out, eval_ctx *cx)
{
    const plan_join *j = p->join;
    value *right = row + j->right_base;
    for (int i = 0; i < j->right.schema.n + PLAN_PSEUDO; i++)
        right[i] = value_null();
    if (rval) {
        if (serde_decode_value(&j->right.value_format, rval, rlen, &j->right.schema, p->needed + j->right_base,
                               right, cx->a, cx->e))
            return PLAN_ERROR;
        right[j->right_key] = *key;
    } else if (!j->left_outer)
        return PLAN_SKIP;
    if (p->where) {
        bool keep;
        if (expr_eval_pred(p->where, row, cx, &keep))
            return PLAN_ERROR;
        if (!keep)
            return PLAN_SKIP;
    }
    for (int i = 0; i < p->out.schema.n; i++)
        if (expr_eval(p->project[i], row, cx, &out[i]))
            return PLAN_ERROR;
    return PLAN_EMIT;
}

plan_result join_apply(const plan *p, const kvstore *table, value *row, value *out, eval_ctx *cx)
{
    const plan_join *j = p->join;
    value k;
    if (expr_eval(j->left_key, row, cx, &k))
        return PLAN_ERROR;
    const uint8_t *v = NULL;
    size_t vlen = 0;
    if (!k.null) {
        buf kb = BUF_INIT;
        bool is_null;
        if (table_key(j, &k, &kb, &is_null, cx->e)) {
            buf_free(&kb);
            return PLAN_ERROR;
        }
        /* the value bytes live in the store, unchanged while this row is
         * used (the table is only updated between records) */
        if (!is_null)
            v = kvstore_get(table, kb.data, kb.len, &vlen);
        buf_free(&kb);
    }
    return join_finish(p, row, &k, v, (int32_t)vlen, out, cx);
}

/* ---- stream-stream: the window stores ---------------------------------- */

#define ENTRY_HEAD 12 /* timestamp (8) and value length (4) */

static int32_t entry_len(const uint8_t *p)
{
    int32_t vlen = (int32_t)(((uint32_t)p[8] << 24) | ((uint32_t)p[9] << 16) | ((uint32_t)p[10] << 8) | p[11]);
    return ENTRY_HEAD + (vlen > 0 ? vlen : 0);
}

void join_window_add(kvstore *s, const uint8_t *key, size_t klen, int64_t ts, const uint8_t *val, int32_t vlen,
                     int64_t expire)
{
    if (ts < expire)
        return; /* expired already: not kept */
    buf b = BUF_INIT;
    size_t olen = 0;
    const uint8_t *old = kvstore_get(s, key, klen, &olen);
    for (size_t at = 0; old && at + ENTRY_HEAD <= olen;) {
        int32_t n = entry_len(old + at);
        if (be64_get(old + at) >= expire)
            buf_append(&b, old + at, (size_t)n);
        at += (size_t)n;
    }
    buf_put_be64(&b, ts);
    uint8_t len[4] = {(uint8_t)((uint32_t)vlen >> 24), (uint8_t)((uint32_t)vlen >> 16), (uint8_t)((uint32_t)vlen >> 8),
                      (uint8_t)vlen};
    buf_append(&b, len, 4);
    if (vlen > 0)
        buf_append(&b, val, (size_t)vlen);
    kvstore_put(s, key, klen, b.data, b.len);
    buf_free(&b);
}

void join_window_each(const kvstore *s, const uint8_t *key, size_t klen, int64_t from, int64_t to, join_window_fn fn,
                      void *ctx)
{
    size_t len = 0;
    const uint8_t *p = kvstore_get(s, key, klen, &len);
    for (size_t at = 0; p && at + ENTRY_HEAD <= len;) {
        int32_t n = entry_len(p + at);
        int64_t ts = be64_get(p + at);
        if (ts >= from && ts <= to)
            fn(ctx, ts, p + at + ENTRY_HEAD, n - ENTRY_HEAD);
        at += (size_t)n;
    }
}
