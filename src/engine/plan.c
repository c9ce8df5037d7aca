/* plan.c — see plan.h. */
#include "plan.h"

#include <stdlib.h>

#include "../base/mem.h"

plan *plan_new(void)
{
    plan *p = mem_alloc(sizeof *p);
    arena_init(&p->arena, 8192);
    p->limit = -1;
    return p;
}

void plan_free(plan *p)
{
    if (!p)
        return;
    arena_free(&p->arena);
    free(p);
}

plan_result plan_apply(const plan *p, const log_record *rec, int partition, value *row,
                       value *out, eval_ctx *cx)
{
    /* A stream record without a value has no row to filter; ksqlDB passes
     * it on as a record with the same key and no value when nothing
     * filters, and drops it otherwise. */
    bool tombstone = rec->value_len < 0 && !p->in.is_table;
    if (tombstone && p->where)
        return PLAN_SKIP;
    if (p->needs_key &&
        serde_decode_key(&p->in.key_format, rec->key, rec->key_len, &p->in.schema, row, cx->a, cx->e))
        return PLAN_ERROR;
    if (serde_decode_value(&p->in.value_format, rec->value, rec->value_len, &p->in.schema,
                           p->needed, row, cx->a, cx->e))
        return PLAN_ERROR;
    row[p->rowtime] = value_bigint(rec->timestamp);
    row[p->rowpartition] = value_int(partition);
    row[p->rowoffset] = value_bigint(rec->offset);
    if (p->where) {
        bool keep;
        if (expr_eval_pred(p->where, row, cx, &keep))
            return PLAN_ERROR;
        if (!keep)
            return PLAN_SKIP;
    }
    for (int i = 0; i < p->out.schema.n; i++)
        if ((!tombstone || p->out.schema.cols[i].key) && expr_eval(p->project[i], row, cx, &out[i]))
            return PLAN_ERROR;
    return tombstone ? PLAN_TOMBSTONE : PLAN_EMIT;
}
