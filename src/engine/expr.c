/* expr.c — see expr.h.  A switch on node kind; operands were cast to the
 * node's type by the analyzer, so each arithmetic case handles one type. */
#include "expr.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "func.h"
#include "timefmt.h"

static int eval_args(const expr *x, const value *row, eval_ctx *cx, value *vals)
{
    for (int i = 0; i < x->nargs; i++)
        if (expr_eval(x->args[i], row, cx, &vals[i]))
            return -1;
    return 0;
}

/* Integer arithmetic follows Java's (ksqlDB's) rules: wrap-around on
 * overflow, division truncating toward zero; division by zero gives NULL
 * (ksqlDB returns null rather than failing the record). */
static int arith_int64(expr_op op, int64_t a, int64_t b, int64_t *out)
{
    switch (op) {
    case EXOP_ADD: *out = (int64_t)((uint64_t)a + (uint64_t)b); return 0;
    case EXOP_SUB: *out = (int64_t)((uint64_t)a - (uint64_t)b); return 0;
    case EXOP_MUL: *out = (int64_t)((uint64_t)a * (uint64_t)b); return 0;
    case EXOP_DIV:
        if (b == 0)
            return 1;
        *out = (a == INT64_MIN && b == -1) ? a : a / b;
        return 0;
    case EXOP_MOD:
        if (b == 0)
            return 1;
        *out = (b == -1) ? 0 : a % b;
        return 0;
    default: return 1;
    }
}

static double arith_double(expr_op op, double a, double b)
{
    switch (op) {
    case EXOP_ADD: return a + b;
    case EXOP_SUB: return a - b;
    case EXOP_MUL: return a * b;
    case EXOP_DIV: return a / b;
    case EXOP_MOD: return fmod(a, b);
    default: return NAN;
    }
}

static int eval_arith(const expr *x, const value *v, value *out)
{
    if (v[0].null || v[1].null) {
        *out = value_null();
        return 0;
    }
    out->null = false;
    int64_t r;
    switch (x->type->kind) {
    case TYPE_INT:
        if (arith_int64(x->op, v[0].u.i, v[1].u.i, &r))
            *out = value_null();
        else
            out->u.i = (int32_t)(uint32_t)(uint64_t)r;
        return 0;
    case TYPE_BIGINT:
        if (arith_int64(x->op, v[0].u.l, v[1].u.l, &r))
            *out = value_null();
        else
            out->u.l = r;
        return 0;
    case TYPE_DOUBLE: out->u.d = arith_double(x->op, v[0].u.d, v[1].u.d); return 0;
    case TYPE_DECIMAL: {
        /* Exact, into ksqlDB's result type (analyze.c gave each operand
         * its own DECIMAL type); NULL where ksqlDB's BigDecimal
         * arithmetic fails: x / 0, x % 0, an inexact quotient. */
        _Static_assert((int)EXOP_MOD - (int)EXOP_ADD == (int)DECIMAL_MOD - (int)DECIMAL_ADD, "op order");
        dec128 r;
        if (decimal_arith((decimal_op)(x->op - EXOP_ADD), value_dec(&v[0]), x->args[0]->type->scale,
                          value_dec(&v[1]), x->args[1]->type->scale, x->type->precision, x->type->scale, &r))
            *out = value_null();
        else
            *out = value_decimal(r);
        return 0;
    }
    default: *out = value_null(); return 0;
    }
}

static bool cmp_holds(expr_op op, int c)
{
    switch (op) {
    case EXOP_EQ: return c == 0;
    case EXOP_NE: return c != 0;
    case EXOP_LT: return c < 0;
    case EXOP_LE: return c <= 0;
    case EXOP_GT: return c > 0;
    case EXOP_GE: return c >= 0;
    default: return false;
    }
}

static bool values_equal(const value *a, const sqltype *ta, const value *b, const sqltype *tb)
{
    if (a->null || b->null)
        return a->null && b->null;
    return value_equal(a, ta, b, tb);
}

static bool is_composite(const sqltype *t)
{
    return t->kind == TYPE_ARRAY || t->kind == TYPE_MAP || t->kind == TYPE_STRUCT;
}

/* x[i]: arrays count from 1, negative indexes from the end; a missing
 * element or map key is NULL. */
static void eval_subscript(const expr *x, const value *v, value *out)
{
    *out = value_null();
    if (v[0].null || v[1].null)
        return;
    const value_list *l = v[0].u.list;
    const sqltype *t = x->args[0]->type;
    if (t->kind == TYPE_MAP) {
        for (int i = 0; i + 1 < l->n; i += 2)
            if (!l->items[i].null && value_equal(&l->items[i], t->key, &v[1], x->args[1]->type)) {
                *out = l->items[i + 1];
                return;
            }
        return;
    }
    int64_t idx = x->args[1]->type->kind == TYPE_INT ? v[1].u.i : v[1].u.l;
    if (idx < 0)
        idx += l->n + 1;
    if (idx >= 1 && idx <= l->n)
        *out = l->items[idx - 1];
}

/* LIKE with % and _ by backtracking on the last %; linear in practice. */
bool expr_like(const char *s, uint32_t slen, const char *p, uint32_t plen, char escape)
{
    uint32_t si = 0, pi = 0, star_p = UINT32_MAX, star_s = 0;
    while (si < slen) {
        if (pi < plen && escape && p[pi] == escape && pi + 1 < plen) {
            if (p[pi + 1] == s[si]) {
                si++, pi += 2;
                continue;
            }
        } else if (pi < plen && p[pi] == '%') {
            star_p = ++pi;
            star_s = si;
            continue;
        } else if (pi < plen && (p[pi] == '_' || p[pi] == s[si])) {
            si++, pi++;
            continue;
        }
        if (star_p == UINT32_MAX)
            return false;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < plen && p[pi] == '%')
        pi++;
    return pi == plen;
}

static int eval_logic(const expr *x, const value *row, eval_ctx *cx, value *out)
{
    /* Three-valued logic: FALSE AND NULL = FALSE, TRUE OR NULL = TRUE. */
    bool is_and = x->kind == EX_AND;
    bool saw_null = false;
    for (int i = 0; i < 2; i++) {
        value v;
        if (expr_eval(x->args[i], row, cx, &v))
            return -1;
        if (v.null)
            saw_null = true;
        else if (v.u.b != is_and) {
            *out = value_bool(!is_and);
            return 0;
        }
    }
    *out = saw_null ? value_null() : value_bool(is_and);
    return 0;
}

static int eval_case(const expr *x, const value *row, eval_ctx *cx, value *out)
{
    int pairs = (x->nargs - 1) / 2;
    for (int i = 0; i < pairs; i++) {
        bool hit;
        if (expr_eval_pred(x->args[2 * i], row, cx, &hit))
            return -1;
        if (hit)
            return expr_eval(x->args[2 * i + 1], row, cx, out);
    }
    return expr_eval(x->args[x->nargs - 1], row, cx, out);
}

static int eval_in(const expr *x, const value *row, eval_ctx *cx, value *out)
{
    value v;
    if (expr_eval(x->args[0], row, cx, &v))
        return -1;
    if (v.null) {
        *out = value_null();
        return 0;
    }
    bool saw_null = false;
    for (int i = 1; i < x->nargs; i++) {
        value w;
        if (expr_eval(x->args[i], row, cx, &w))
            return -1;
        if (w.null)
            saw_null = true;
        else if (value_equal(&v, x->args[0]->type, &w, x->args[i]->type)) {
            *out = value_bool(!x->negated);
            return 0;
        }
    }
    *out = saw_null ? value_null() : value_bool(x->negated);
    return 0;
}

static int eval_small(const expr *x, const value *row, eval_ctx *cx, value *out)
{
    value v[3];
    if (eval_args(x, row, cx, v))
        return -1;
    switch (x->kind) {
    case EX_NEG:
        *out = v[0];
        if (v[0].null)
            return 0;
        if (x->type->kind == TYPE_INT)
            out->u.i = (int32_t)(0u - (uint32_t)v[0].u.i);
        else if (x->type->kind == TYPE_DOUBLE)
            out->u.d = -v[0].u.d;
        else if (x->type->kind == TYPE_DECIMAL)
            *out = value_decimal(-value_dec(&v[0]));
        else
            out->u.l = (int64_t)(0u - (uint64_t)v[0].u.l);
        return 0;
    case EX_NOT: *out = v[0].null ? v[0] : value_bool(!v[0].u.b); return 0;
    case EX_ARITH: return eval_arith(x, v, out);
    case EX_CMP:
        /* ksqlDB compares with a null check first: any NULL operand
         * makes a comparison FALSE, not NULL. */
        if (v[0].null || v[1].null)
            *out = value_bool(false);
        else if (is_composite(x->args[0]->type))
            *out = value_bool(value_equal(&v[0], x->args[0]->type, &v[1], x->args[1]->type) == (x->op == EXOP_EQ));
        else
            *out = value_bool(cmp_holds(x->op, value_compare(&v[0], x->args[0]->type, &v[1], x->args[1]->type)));
        return 0;
    case EX_IS_NULL: *out = value_bool(v[0].null != x->negated); return 0;
    case EX_IS_DISTINCT:
        *out = value_bool(!values_equal(&v[0], x->args[0]->type, &v[1], x->args[1]->type) != x->negated);
        return 0;
    case EX_BETWEEN:
        if (v[0].null || v[1].null || v[2].null)
            *out = value_bool(false); /* as comparisons: NULL is not between */
        else {
            bool in = value_compare(&v[0], x->args[0]->type, &v[1], x->args[1]->type) >= 0 &&
                      value_compare(&v[0], x->args[0]->type, &v[2], x->args[2]->type) <= 0;
            *out = value_bool(in != x->negated);
        }
        return 0;
    case EX_LIKE:
        if (v[0].null || v[1].null)
            *out = value_null();
        else
            *out = value_bool(expr_like(v[0].u.s.p, v[0].u.s.len, v[1].u.s.p, v[1].u.s.len, x->escape) != x->negated);
        return 0;
    case EX_CONCAT:
        if (v[0].null || v[1].null)
            *out = value_null();
        else {
            char *p = arena_alloc(cx->a, (size_t)v[0].u.s.len + v[1].u.s.len + 1);
            memcpy(p, v[0].u.s.p, v[0].u.s.len);
            memcpy(p + v[0].u.s.len, v[1].u.s.p, v[1].u.s.len);
            *out = value_string(p, v[0].u.s.len + v[1].u.s.len);
        }
        return 0;
    case EX_CAST: return expr_cast(&v[0], x->args[0]->type, x->type, cx, out);
    case EX_FIELD: *out = v[0].null ? v[0] : v[0].u.list->items[x->column]; return 0;
    case EX_SUBSCRIPT: eval_subscript(x, v, out); return 0;
    default: return err_set(cx->e, ERR_EVAL, "unexpected expression node %d", x->kind);
    }
}

int expr_eval(const expr *x, const value *row, eval_ctx *cx, value *out)
{
    switch (x->kind) {
    case EX_CONST: *out = x->constant; return 0;
    case EX_COLUMN: *out = row[x->column]; return 0;
    case EX_AND:
    case EX_OR: return eval_logic(x, row, cx, out);
    case EX_CASE: return eval_case(x, row, cx, out);
    case EX_IN: return eval_in(x, row, cx, out);
    case EX_MAKE_LIST: {
        value_list *l = arena_alloc(cx->a, sizeof *l);
        l->n = x->nargs;
        l->items = arena_alloc(cx->a, sizeof(value) * (size_t)(x->nargs ? x->nargs : 1));
        for (int i = 0; i < x->nargs; i++)
            if (expr_eval(x->args[i], row, cx, &l->items[i]))
                return -1;
        out->null = false;
        out->u.list = l;
        return 0;
    }
    case EX_CALL: {
        value stack[8];
        value *args = x->nargs <= 8 ? stack : arena_alloc(cx->a, sizeof(value) * (size_t)x->nargs);
        for (int i = 0; i < x->nargs; i++) {
            if (x->args[i]->kind == EX_LAMBDA)
                args[i] = value_null(); /* the function calls it */
            else if (expr_eval(x->args[i], row, cx, &args[i]))
                return -1;
        }
        const value *saved = cx->row;
        cx->row = row;
        int rc = x->fn->eval(x, args, cx, out);
        cx->row = saved;
        return rc;
    }
    case EX_VAR: *out = cx->vars[x->column]; return 0;
    default: return eval_small(x, row, cx, out);
    }
}

int expr_call_lambda(const expr *lambda, const value *params, eval_ctx *cx, value *out)
{
    for (int i = 0; i < lambda->column_count; i++)
        cx->vars[lambda->column + i] = params[i];
    return expr_eval(lambda->args[0], cx->row, cx, out);
}

int expr_eval_pred(const expr *x, const value *row, eval_ctx *cx, bool *out)
{
    value v;
    if (expr_eval(x, row, cx, &v))
        return -1;
    *out = !v.null && v.u.b;
    return 0;
}

static int cast_from_text(const value *in, const sqltype *to, eval_ctx *cx, value *out)
{
    char tmp[128];
    uint32_t n = in->u.s.len < sizeof tmp - 1 ? in->u.s.len : (uint32_t)sizeof tmp - 1;
    memcpy(tmp, in->u.s.p, n);
    tmp[n] = '\0';
    char *end;
    out->null = false;
    switch (to->kind) {
    case TYPE_INT:
    case TYPE_BIGINT: {
        long long v = strtoll(tmp, &end, 10);
        if (end == tmp || *end || (to->kind == TYPE_INT && (v < INT32_MIN || v > INT32_MAX)))
            return err_set(cx->e, ERR_EVAL, "cannot cast '%s' to %s", tmp, types_kind_name(to->kind));
        if (to->kind == TYPE_INT)
            out->u.i = (int32_t)v;
        else
            out->u.l = v;
        return 0;
    }
    case TYPE_DOUBLE: {
        double d = strtod(tmp, &end);
        if (end == tmp || *end)
            return err_set(cx->e, ERR_EVAL, "cannot cast '%s' to %s", tmp, types_kind_name(to->kind));
        out->u.d = d;
        return 0;
    }
    case TYPE_DECIMAL: {
        /* new BigDecimal(text) rounded HALF_UP to the scale (the whole
         * text: a long literal must not be cut at the buffer size) */
        dec128 d;
        if (decimal_parse(in->u.s.p, in->u.s.len, to->precision, to->scale, &d))
            return err_set(cx->e, ERR_EVAL, "cannot cast '%s' to DECIMAL(%d, %d)", tmp, to->precision, to->scale);
        *out = value_decimal(d);
        return 0;
    }
    case TYPE_BOOLEAN:
        /* ksqlDB: 'true' (any case) is TRUE, anything else FALSE. */
        out->u.b = strcasecmp(tmp, "true") == 0;
        return 0;
    case TYPE_DATE:
    case TYPE_TIME:
    case TYPE_TIMESTAMP: {
        /* ISO text, as ksqlDB's CAST reads it (the whole text: not cut) */
        const char *p = in->u.s.p;
        size_t n = in->u.s.len;
        int rc = to->kind == TYPE_DATE   ? timefmt_date_from_text(p, n, &out->u.l)
                 : to->kind == TYPE_TIME ? timefmt_time_from_text(p, n, &out->u.l)
                                         : timefmt_timestamp_from_text(p, n, &out->u.l);
        if (rc)
            return err_set(cx->e, ERR_EVAL, "cannot cast '%s' to %s", tmp, types_kind_name(to->kind));
        return 0;
    }
    default: return err_set(cx->e, ERR_EVAL, "cannot cast STRING to %s", types_kind_name(to->kind));
    }
}

/* Between INT, BIGINT, DOUBLE and DECIMAL, as ksqlDB's CastEvaluator:
 * Java narrowing for integers (a double truncates toward zero), exact
 * DECIMAL from integers, BigDecimal.valueOf(double), HALF_UP into a
 * smaller scale, and "Numeric field overflow" past the precision. */
static int cast_numeric(const value *in, const sqltype *from, const sqltype *to, eval_ctx *cx, value *out)
{
    out->null = false;
    bool integral = from->kind == TYPE_INT || from->kind == TYPE_BIGINT;
    int64_t l = from->kind == TYPE_INT ? in->u.i : in->u.l;
    double d = value_as_double(in, from);
    if (from->kind == TYPE_DECIMAL && to->kind != TYPE_DOUBLE && to->kind != TYPE_DECIMAL) {
        l = decimal_to_int64(value_dec(in), from->scale); /* BigDecimal.longValue() */
        integral = true;
    }
    dec128 dv;
    int rc = 0;
    switch (to->kind) {
    case TYPE_INT: out->u.i = integral ? (int32_t)l : (int32_t)(isfinite(d) ? (int64_t)d : 0); return 0;
    case TYPE_BIGINT: out->u.l = integral ? l : (int64_t)(isfinite(d) ? d : 0); return 0;
    case TYPE_DOUBLE: out->u.d = d; return 0;
    case TYPE_DECIMAL:
        if (integral)
            rc = decimal_from_int(l, to->precision, to->scale, &dv);
        else if (from->kind == TYPE_DOUBLE)
            rc = decimal_from_double(in->u.d, to->precision, to->scale, &dv);
        else
            rc = decimal_rescale(value_dec(in), from->scale, to->scale, &dv) || !decimal_fits(dv, to->precision);
        if (rc)
            return err_set(cx->e, ERR_EVAL,
                           "Numeric field overflow: A field with precision %d and scale %d must round to an absolute "
                           "value less than 10^%d",
                           to->precision, to->scale, to->precision - to->scale);
        *out = value_decimal(dv);
        return 0;
    default: return err_set(cx->e, ERR_EVAL, "cannot cast %s to %s", types_kind_name(from->kind), types_kind_name(to->kind));
    }
}

static bool is_kind(const sqltype *t, type_kind k) { return t->kind == k; }

bool expr_can_cast(const sqltype *from, const sqltype *to)
{
    bool composite = to->kind == TYPE_ARRAY || to->kind == TYPE_MAP || to->kind == TYPE_STRUCT;
    if (types_equal(from, to) || from->kind == TYPE_NULL || to->kind == TYPE_STRING ||
        (from->kind == TYPE_STRING && !composite) || (types_is_numeric(from) && types_is_numeric(to)))
        return true;
    if (is_kind(from, TYPE_TIMESTAMP))
        return is_kind(to, TYPE_DATE) || is_kind(to, TYPE_TIME);
    if (is_kind(from, TYPE_DATE))
        return is_kind(to, TYPE_TIMESTAMP);
    if (from->kind != to->kind)
        return false;
    switch (to->kind) {
    case TYPE_ARRAY: return expr_can_cast(from->elem, to->elem);
    case TYPE_MAP: return expr_can_cast(from->key, to->key) && expr_can_cast(from->value, to->value);
    case TYPE_STRUCT:
        for (int i = 0; i < to->nfields; i++)
            for (int j = 0; j < from->nfields; j++)
                if (!strcmp(to->fields[i].name, from->fields[j].name) &&
                    !expr_can_cast(from->fields[j].type, to->fields[i].type))
                    return false;
        return true;
    default: return false;
    }
}

/* ARRAY, MAP and STRUCT part by part: elements, keys and values, and
 * struct fields by name (a target field the source lacks is NULL). */
static int cast_composite(const value *in, const sqltype *from, const sqltype *to, eval_ctx *cx, value *out)
{
    const value_list *src = in->u.list;
    int n = to->kind == TYPE_STRUCT ? to->nfields : src->n;
    value_list *dst = arena_alloc(cx->a, sizeof *dst);
    dst->n = n;
    dst->items = arena_alloc(cx->a, sizeof(value) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        const sqltype *ft = from->elem, *tt = to->elem;
        const value *item = &src->items[i];
        if (to->kind == TYPE_MAP) {
            ft = i % 2 ? from->value : from->key;
            tt = i % 2 ? to->value : to->key;
        } else if (to->kind == TYPE_STRUCT) {
            tt = to->fields[i].type;
            ft = NULL;
            for (int j = 0; j < from->nfields && !ft; j++)
                if (!strcmp(to->fields[i].name, from->fields[j].name))
                    ft = from->fields[j].type, item = &src->items[j];
            if (!ft) {
                dst->items[i] = value_null();
                continue;
            }
        }
        if (expr_cast(item, ft, tt, cx, &dst->items[i]))
            return -1;
    }
    out->null = false;
    out->u.list = dst;
    return 0;
}

/* TIMESTAMP to DATE (its UTC day) or TIME (its UTC time of day), DATE to
 * TIMESTAMP (its midnight UTC), as ksqlDB's CastEvaluator. */
static int cast_temporal(const value *in, const sqltype *from, const sqltype *to, eval_ctx *cx, value *out)
{
    const int64_t day = 86400000;
    out->null = false;
    if (from->kind == TYPE_TIMESTAMP && to->kind == TYPE_DATE)
        out->u.l = timefmt_floor_div(in->u.l, day);
    else if (from->kind == TYPE_TIMESTAMP && to->kind == TYPE_TIME)
        out->u.l = in->u.l - timefmt_floor_div(in->u.l, day) * day;
    else if (from->kind == TYPE_DATE && to->kind == TYPE_TIMESTAMP)
        out->u.l = in->u.l * day;
    else
        return err_set(cx->e, ERR_EVAL, "cannot cast %s to %s", types_kind_name(from->kind),
                       types_kind_name(to->kind));
    return 0;
}

int expr_cast(const value *in, const sqltype *from, const sqltype *to, eval_ctx *cx, value *out)
{
    if (in->null || types_equal(from, to) || from->kind == TYPE_NULL) {
        *out = in->null || from->kind == TYPE_NULL ? value_null() : *in;
        return 0;
    }
    if (to->kind == TYPE_STRING) {
        buf b = BUF_INIT;
        value_to_text(in, from, &b);
        char *p = arena_strndup(cx->a, b.data ? b.data : "", b.len);
        *out = value_string(p, (uint32_t)b.len);
        buf_free(&b);
        return 0;
    }
    if (from->kind == TYPE_STRING)
        return cast_from_text(in, to, cx, out);
    if (types_is_numeric(from) && types_is_numeric(to))
        return cast_numeric(in, from, to, cx, out);
    if (from->kind == to->kind && (to->kind == TYPE_ARRAY || to->kind == TYPE_MAP || to->kind == TYPE_STRUCT))
        return cast_composite(in, from, to, cx, out);
    if (from->kind == TYPE_TIMESTAMP || from->kind == TYPE_DATE)
        return cast_temporal(in, from, to, cx, out);
    return err_set(cx->e, ERR_EVAL, "cannot cast %s to %s", types_kind_name(from->kind), types_kind_name(to->kind));
}

void expr_columns_used(const expr *x, bool *used)
{
    if (!x)
        return;
    if (x->kind == EX_COLUMN)
        used[x->column] = true;
    for (int i = 0; i < x->nargs; i++)
        expr_columns_used(x->args[i], used);
}

bool expr_equal(const expr *a, const expr *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind || a->nargs != b->nargs || a->op != b->op || a->negated != b->negated ||
        a->column != b->column || a->fn != b->fn || a->escape != b->escape || !types_equal(a->type, b->type))
        return false;
    if (a->kind == EX_CONST) {
        if (a->constant.null || b->constant.null)
            return a->constant.null == b->constant.null;
        if (!value_equal(&a->constant, a->type, &b->constant, b->type))
            return false;
    }
    for (int i = 0; i < a->nargs; i++)
        if (!expr_equal(a->args[i], b->args[i]))
            return false;
    return true;
}
