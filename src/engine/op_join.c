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
