/* tablefn.c — see tablefn.h. */
#include "tablefn.h"

#include <stdio.h>
#include <string.h>

/* ---- EXPLODE(ARRAY<T>) -> T: one row per element --------------------------- */

static const sqltype *explode_resolve(const sqltype *arg, arena *a, char *why, size_t n)
{
    if (arg->kind != TYPE_ARRAY) {
        snprintf(why, n, "expects an ARRAY argument");
        return NULL;
    }
    return arg->elem;
}

static int explode_count(const value *arg) { return arg->null ? 0 : arg->u.list->n; }

static int explode_at(const value *arg, int k, const sqltype *type, eval_ctx *cx, value *out)
{
    *out = arg->u.list->items[k];
    return 0;
}

/* ---- CUBE_EXPLODE(ARRAY<T>) -> ARRAY<T>: every combination ---------------- */

/* ksqlDB's cube: each element kept or replaced by NULL, all elements
 * NULL first; a NULL element gives no combinations of its own. */
static const sqltype *cube_resolve(const sqltype *arg, arena *a, char *why, size_t n)
{
    if (arg->kind != TYPE_ARRAY) {
        snprintf(why, n, "expects an ARRAY argument");
        return NULL;
    }
    return arg;
}

#define CUBE_MAX_BITS 30

static int cube_count(const value *arg)
{
    if (arg->null)
        return 0;
    int bits = 0;
    for (int i = 0; i < arg->u.list->n; i++)
        bits += !arg->u.list->items[i].null;
    return bits > CUBE_MAX_BITS ? 1 << CUBE_MAX_BITS : 1 << bits;
}

/* Combination k: bit b (from the most significant) of k keeps the b-th
 * non-NULL element. */
static int cube_at(const value *arg, int k, const sqltype *type, eval_ctx *cx, value *out)
{
    const value_list *in = arg->u.list;
    int bits = 0;
    for (int i = 0; i < in->n; i++)
        bits += !in->items[i].null;
    value_list *l = arena_alloc(cx->a, sizeof *l);
    l->n = in->n;
    l->items = arena_alloc(cx->a, sizeof(value) * (size_t)(in->n ? in->n : 1));
    for (int i = 0, b = bits - 1; i < in->n; i++) {
        l->items[i] = value_null();
        if (in->items[i].null)
            continue;
        if (b < CUBE_MAX_BITS && (k >> b) & 1)
            l->items[i] = in->items[i];
        b--;
    }
    *out = (value){.u.list = l};
    return 0;
}

#define TABLEFN_LIST(X)                                                                                    \
    X(EXPLODE, explode, "EXPLODE(ARRAY<T>) -> T",                                                         \
      "One row per element of the array; NULL or empty arrays give no rows.")                             \
    X(CUBE_EXPLODE, cube, "CUBE_EXPLODE(ARRAY<T>) -> ARRAY<T>",                                           \
      "One row per combination of the array's elements, each kept or replaced by NULL.")

#define TABLEFN__ENTRY(name, fn, sig, desc) {#name, fn##_resolve, fn##_count, fn##_at, sig, desc},
static const tablefn_def defs[] = {TABLEFN_LIST(TABLEFN__ENTRY)};
#define NDEFS (int)(sizeof defs / sizeof *defs)

const tablefn_def *tablefn_find(const char *upper_name)
{
    for (int i = 0; i < NDEFS; i++)
        if (!strcmp(defs[i].name, upper_name))
            return &defs[i];
    return NULL;
}

int tablefn_count(void) { return NDEFS; }

const tablefn_def *tablefn_at(int i) { return i >= 0 && i < NDEFS ? &defs[i] : NULL; }
