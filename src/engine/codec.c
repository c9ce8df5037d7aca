/* codec.c — see codec.h. */
#include "codec.h"

#include <string.h>

/* Little-endian numbers of `bytes` bytes; 8 (most numbers) written out
 * byte by byte, which the compiler makes one load or store. */
static uint64_t load_le(const uint8_t *p, size_t bytes)
{
    if (bytes == 8)
        return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
               (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
    uint64_t v = 0;
    for (size_t i = bytes; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static void store_le(uint8_t *p, uint64_t v, size_t bytes)
{
    if (bytes == 8) {
        p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
        p[4] = (uint8_t)(v >> 32), p[5] = (uint8_t)(v >> 40), p[6] = (uint8_t)(v >> 48), p[7] = (uint8_t)(v >> 56);
        return;
    }
    for (size_t i = 0; i < bytes; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static void put_varint(buf *out, uint64_t v)
{
    uint8_t tmp[10];
    int n = 0;
    do {
        tmp[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            tmp[n] |= 0x80;
        n++;
    } while (v);
    buf_append(out, tmp, (size_t)n);
}

static void put_le(buf *out, uint64_t v, int bytes)
{
    uint8_t tmp[8];
    for (int i = 0; i < bytes; i++, v >>= 8)
        tmp[i] = (uint8_t)v;
    buf_append(out, tmp, (size_t)bytes);
}

static void encode_one(const value *v, const sqltype *t, buf *out)
{
    buf_putc(out, v->null ? 0 : 1);
    if (v->null)
        return;
    switch (t->kind) {
    case TYPE_BOOLEAN: buf_putc(out, v->u.b ? 1 : 0); break;
    case TYPE_INT: put_le(out, (uint32_t)v->u.i, 4); break;
    case TYPE_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &v->u.d, 8);
        put_le(out, bits, 8);
        break;
    }
    case TYPE_STRING:
    case TYPE_BYTES:
        put_varint(out, v->u.s.len);
        buf_append(out, v->u.s.p, v->u.s.len);
        break;
    case TYPE_ARRAY:
        put_varint(out, (uint64_t)v->u.list->n);
        for (int i = 0; i < v->u.list->n; i++)
            encode_one(&v->u.list->items[i], t->elem, out);
        break;
    case TYPE_MAP:
        put_varint(out, (uint64_t)v->u.list->n / 2);
        for (int i = 0; i + 1 < v->u.list->n; i += 2) {
            encode_one(&v->u.list->items[i], t->key, out);
            encode_one(&v->u.list->items[i + 1], t->value, out);
        }
        break;
    case TYPE_STRUCT:
        for (int i = 0; i < t->nfields; i++)
            encode_one(&v->u.list->items[i], t->fields[i].type, out);
        break;
    case TYPE_NULL: break;
    case TYPE_DECIMAL: /* 128-bit unscaled value (value.h) */
        put_le(out, v->u.dec.lo, 8);
        put_le(out, (uint64_t)v->u.dec.hi, 8);
        break;
    default: put_le(out, (uint64_t)v->u.l, 8); break; /* BIGINT, temporal */
    }
}

typedef struct reader {
    const uint8_t *p, *end;
    arena *a;
    err *e;
    int depth;
} reader;

static int short_input(reader *r) { return err_set(r->e, ERR_CORRUPT, "state bytes end too early"); }

static int get_varint(reader *r, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            return short_input(r);
        uint8_t b = *r->p++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return err_set(r->e, ERR_CORRUPT, "bad varint in state bytes");
}

static int get_le(reader *r, int bytes, uint64_t *v)
{
    if (r->end - r->p < bytes)
        return short_input(r);
    *v = load_le(r->p, (size_t)bytes);
    r->p += bytes;
    return 0;
}

static int decode_one(reader *r, const sqltype *t, value *v);

static int decode_list(reader *r, const sqltype *t, value *v)
{
    uint64_t n = 0;
    if (t->kind != TYPE_STRUCT && get_varint(r, &n))
        return -1;
    uint64_t items = t->kind == TYPE_STRUCT ? (uint64_t)t->nfields : t->kind == TYPE_MAP ? 2 * n : n;
    if (items > (uint64_t)(r->end - r->p)) /* every item takes at least one byte */
        return short_input(r);
    value_list *l = arena_alloc(r->a, sizeof *l);
    l->n = (int)items;
    l->items = arena_alloc(r->a, sizeof(value) * (size_t)(items ? items : 1));
    for (int i = 0; i < l->n; i++) {
        const sqltype *et = t->kind == TYPE_ARRAY ? t->elem
                            : t->kind == TYPE_MAP ? (i % 2 ? t->value : t->key)
                                                  : t->fields[i].type;
        if (decode_one(r, et, &l->items[i]))
            return -1;
    }
    v->u.list = l;
    return 0;
}

static int decode_one(reader *r, const sqltype *t, value *v)
{
    if (r->p >= r->end)
        return short_input(r);
    memset(v, 0, sizeof *v); /* not *v = value_null(): built aside, copied whole, a failed store forwarding */
    v->null = true;
    if (*r->p++ == 0)
        return 0;
    if (++r->depth > 64)
        return err_set(r->e, ERR_CORRUPT, "state nested too deeply");
    v->null = false;
    uint64_t x = 0;
    int rc = 0;
    switch (t->kind) {
    case TYPE_BOOLEAN:
        rc = get_le(r, 1, &x);
        v->u.b = x != 0;
        break;
    case TYPE_INT:
        rc = get_le(r, 4, &x);
        v->u.i = (int32_t)(uint32_t)x;
        break;
    case TYPE_DOUBLE:
        rc = get_le(r, 8, &x);
        memcpy(&v->u.d, &x, 8);
        break;
    case TYPE_STRING:
    case TYPE_BYTES:
        if ((rc = get_varint(r, &x)) == 0) {
            if (x > (uint64_t)(r->end - r->p))
                return short_input(r);
            v->u.s.p = arena_strndup(r->a, (const char *)r->p, (size_t)x);
            v->u.s.len = (uint32_t)x;
            r->p += x;
        }
        break;
    case TYPE_ARRAY:
    case TYPE_MAP:
    case TYPE_STRUCT: rc = decode_list(r, t, v); break;
    case TYPE_NULL: break;
    case TYPE_DECIMAL: /* 128-bit unscaled value (value.h) */
        if ((rc = get_le(r, 8, &x)) == 0) {
            v->u.dec.lo = x;
            if ((rc = get_le(r, 8, &x)) == 0)
                v->u.dec.hi = (int64_t)x;
        }
        break;
    default:
        rc = get_le(r, 8, &x);
        v->u.l = (int64_t)x;
        break;
    }
    r->depth--;
    return rc;
}

int codec_decode(const uint8_t *p, size_t len, const sqltype *const *types, int n, value *out, arena *a,
                 err *e)
{
    reader r = {p, p + len, a, e, 0};
    for (int i = 0; i < n; i++)
        if (decode_one(&r, types[i], &out[i]))
            return -1;
    if (r.p != r.end)
        return err_set(e, ERR_CORRUPT, "state bytes longer than their types");
    return 0;
}

/* The bytes a present value of type t takes after its flag byte when
 * that is fixed, else 0. */
static size_t fixed_size(const sqltype *t)
{
    switch (t->kind) {
    case TYPE_BOOLEAN: return 1;
    case TYPE_INT: return 4;
    case TYPE_BIGINT:
    case TYPE_DOUBLE:
    case TYPE_TIMESTAMP:
    case TYPE_DATE:
    case TYPE_TIME: return 8;
    case TYPE_DECIMAL: return 16;
    default: return 0;
    }
}

bool codec_decode_fixed(const uint8_t *p, size_t len, const sqltype *const *types, int n, value *out)
{
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        size_t size = fixed_size(types[i]);
        if (!size || at + 1 + size > len || p[at] != 1)
            return false;
        at += 1 + size;
    }
    if (at != len)
        return false;
    at = 0;
    for (int i = 0; i < n; i++, at++) {
        const sqltype *t = types[i];
        size_t size = fixed_size(t);
        uint64_t x = load_le(&p[at + 1], size < 8 ? size : 8);
        /* field by field: a value built aside and copied whole costs a
         * failed store-to-load forwarding per value */
        value *v = &out[i];
        v->null = false;
        switch (t->kind) {
        case TYPE_BOOLEAN: v->u.b = x != 0; break;
        case TYPE_INT: v->u.i = (int32_t)(uint32_t)x; break;
        case TYPE_DOUBLE: memcpy(&v->u.d, &x, 8); break;
        case TYPE_DECIMAL:
            v->u.dec.lo = x;
            v->u.dec.hi = (int64_t)load_le(&p[at + 9], 8);
            break;
        default: v->u.l = (int64_t)x; break;
        }
        at += size;
    }
    return true;
}

/* A present value of fixed size (fixed_size) written at p, after its
 * flag byte. */
static void put_fixed(const value *v, const sqltype *t, size_t size, uint8_t *p)
{
    uint64_t x;
    switch (t->kind) {
    case TYPE_BOOLEAN: x = v->u.b ? 1 : 0; break;
    case TYPE_INT: x = (uint32_t)v->u.i; break;
    case TYPE_DOUBLE: memcpy(&x, &v->u.d, 8); break;
    case TYPE_DECIMAL:
        x = v->u.dec.lo;
        store_le(&p[9], (uint64_t)v->u.dec.hi, 8);
        break;
    default: x = (uint64_t)v->u.l; break;
    }
    p[0] = 1;
    store_le(&p[1], x, size < 8 ? size : 8);
}

void codec_encode(const value *vals, const sqltype *const *types, int n, buf *out)
{
    for (int i = 0; i < n; i++) {
        const value *v = &vals[i];
        size_t size = v->null ? 0 : fixed_size(types[i]);
        if (!v->null && !size) {
            encode_one(v, types[i], out);
            continue;
        }
        /* NULL or a fixed-size value: written in place, not byte by byte
         * through buf calls (a window store packs rows of mostly these) */
        if (out->len + 1 + size + 1 > out->cap)
            buf_reserve(out, 1 + size);
        uint8_t *p = (uint8_t *)out->data + out->len;
        if (size)
            put_fixed(v, types[i], size, p);
        else
            p[0] = 0;
        out->len += 1 + size;
        out->data[out->len] = '\0';
    }
}

bool codec_encode_fixed(const value *vals, const sqltype *const *types, int n, uint8_t *p, size_t len)
{
    size_t at = 0;
    for (int i = 0; i < n; i++) {
        size_t size = fixed_size(types[i]);
        if (!size || vals[i].null)
            return false;
        at += 1 + size;
    }
    if (at != len)
        return false;
    at = 0;
    for (int i = 0; i < n; i++) {
        size_t size = fixed_size(types[i]);
        put_fixed(&vals[i], types[i], size, &p[at]);
        at += 1 + size;
    }
    return true;
}
