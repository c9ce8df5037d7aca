/* func_cond.c — conditional functions. */
#include "func_internal.h"

static int f_coalesce(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    for (int i = 0; i < c->nargs; i++)
        if (!v[i].null)
            return expr_cast(&v[i], c->args[i]->type, c->type, cx, out);
    *out = value_null();
    return 0;
}

#define COND_FUNCTIONS(X)                                                                      \
    X(COALESCE, 1, -1, func_res_common, f_coalesce, "COALESCE(a, b, ...) -> common type",     \
      "conditional", "The first argument that is not NULL.")                                   \
    X(IFNULL, 2, 2, func_res_common, f_coalesce, "IFNULL(a, b) -> common type", "conditional", \
      "a when it is not NULL, else b.")

FUNC_FAMILY(func_cond_family, COND_FUNCTIONS);
