/* types.c — see types.h. */
#include "types.h"

#include <string.h>

static const char *const kind_names[] = {
#define X(name, sql) sql,
    TYPE_KINDS(X)
#undef X
};

static const sqltype scalars[] = {
#define X(name, sql) {.kind = TYPE_##name},
    TYPE_KINDS(X)
#undef X
};

const char *types_kind_name(type_kind kind) { return kind_names[kind]; }

const sqltype *types_scalar(type_kind kind)
{
    if (kind == TYPE_ARRAY || kind == TYPE_MAP || kind == TYPE_STRUCT || kind == TYPE_DECIMAL)
        return NULL;
    return &scalars[kind];
}

const sqltype *types_array(arena *a, const sqltype *elem)
{
    sqltype *t = arena_alloc(a, sizeof *t);
    t->kind = TYPE_ARRAY;
    t->elem = elem;
    return t;
}

const sqltype *types_map(arena *a, const sqltype *key, const sqltype *value)
{
    sqltype *t = arena_alloc(a, sizeof *t);
    t->kind = TYPE_MAP;
    t->key = key;
    t->value = value;
    return t;
}

const sqltype *types_decimal(arena *a, int precision, int scale)
{
    sqltype *t = arena_alloc(a, sizeof *t);
    t->kind = TYPE_DECIMAL;
    t->precision = precision;
    t->scale = scale;
    return t;
}

const sqltype *types_copy(arena *a, const sqltype *t)
{
    if (!t)
        return NULL;
    if (types_scalar(t->kind) == t)
        return t;
    sqltype *c = arena_alloc(a, sizeof *c);
    *c = *t;
    c->elem = types_copy(a, t->elem);
    c->key = types_copy(a, t->key);
    c->value = types_copy(a, t->value);
    if (t->nfields) {
        sqlfield *f = arena_alloc(a, sizeof *f * (size_t)t->nfields);
        for (int i = 0; i < t->nfields; i++) {
            f[i].name = arena_strdup(a, t->fields[i].name);
            f[i].type = types_copy(a, t->fields[i].type);
        }
        c->fields = f;
    }
    return c;
}

bool types_equal(const sqltype *a, const sqltype *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind)
        return false;
    switch (a->kind) {
    case TYPE_DECIMAL:
        return a->precision == b->precision && a->scale == b->scale;
    case TYPE_ARRAY:
        return types_equal(a->elem, b->elem);
    case TYPE_MAP:
        return types_equal(a->key, b->key) && types_equal(a->value, b->value);
    case TYPE_STRUCT:
        if (a->nfields != b->nfields)
            return false;
        for (int i = 0; i < a->nfields; i++)
            if (strcmp(a->fields[i].name, b->fields[i].name) ||
                !types_equal(a->fields[i].type, b->fields[i].type))
                return false;
        return true;
    default:
        return true;
    }
}

bool types_is_numeric(const sqltype *t)
{
    return t->kind == TYPE_INT || t->kind == TYPE_BIGINT || t->kind == TYPE_DOUBLE ||
           t->kind == TYPE_DECIMAL;
}

static int numeric_rank(type_kind k)
{
    switch (k) {
    case TYPE_INT: return 1;
    case TYPE_BIGINT: return 2;
    case TYPE_DECIMAL: return 3;
    case TYPE_DOUBLE: return 4;
    default: return 0;
    }
}

const sqltype *types_as_decimal(arena *a, const sqltype *t)
{
    switch (t->kind) {
    case TYPE_INT: return types_decimal(a, 10, 0);
    case TYPE_BIGINT: return types_decimal(a, 19, 0);
    default: return t;
    }
}

const sqltype *types_widen(arena *a, const sqltype *x, const sqltype *y)
{
    if (x->kind == TYPE_NULL)
        return y;
    if (y->kind == TYPE_NULL)
        return x;
    int rx = numeric_rank(x->kind), ry = numeric_rank(y->kind);
    if (!rx || !ry)
        return types_equal(x, y) ? x : NULL;
    /* DecimalUtil.widen: an integer joins a DECIMAL as DECIMAL(10|19, 0) */
    if ((x->kind == TYPE_DECIMAL && ry < 3) || (y->kind == TYPE_DECIMAL && rx < 3)) {
        x = types_as_decimal(a, x);
        y = types_as_decimal(a, y);
    }
    if (x->kind == TYPE_DECIMAL && y->kind == TYPE_DECIMAL) {
        int scale = x->scale > y->scale ? x->scale : y->scale;
        int ix = x->precision - x->scale, iy = y->precision - y->scale;
        return types_decimal(a, (ix > iy ? ix : iy) + scale, scale);
    }
    return rx >= ry ? x : y;
}

void types_print(const sqltype *t, buf *out)
{
    switch (t->kind) {
    case TYPE_DECIMAL:
        buf_printf(out, "DECIMAL(%d, %d)", t->precision, t->scale);
        break;
    case TYPE_ARRAY:
        buf_puts(out, "ARRAY<");
        types_print(t->elem, out);
        buf_putc(out, '>');
        break;
    case TYPE_MAP:
        buf_puts(out, "MAP<");
        types_print(t->key, out);
        buf_puts(out, ", ");
        types_print(t->value, out);
        buf_putc(out, '>');
        break;
    case TYPE_STRUCT:
        buf_puts(out, "STRUCT<");
        for (int i = 0; i < t->nfields; i++) {
            buf_printf(out, "%s%s ", i ? ", " : "", t->fields[i].name);
            types_print(t->fields[i].type, out);
        }
        buf_putc(out, '>');
        break;
    default:
        buf_puts(out, kind_names[t->kind]);
    }
}
