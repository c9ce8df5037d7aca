/* value.c — see value.h. */
#include "value.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtoa.h"
#include "timefmt.h"

int64_t value_pow10(int n)
{
    int64_t p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

void value_int64_text(int64_t l, buf *out)
{
    /* by hand: printf was a third of the time of a JSON pass-through query */
    char tmp[24], *end = tmp + sizeof tmp;
    char *p = decimal_u64_digits(l < 0 ? (uint64_t)0 - (uint64_t)l : (uint64_t)l, end);
    if (l < 0)
        *--p = '-';
    buf_append(out, p, (size_t)(end - p));
}

/* Doubles print as Java's Double.toString does (ksqlDB's output): the
 * shortest digits that read back the same; plain notation with at least
 * one decimal for 1e-3 <= |d| < 1e7 ("19.0", "0.001"), else scientific
 * ("1.0E7", "1.5E-4"). */
static void double_to_text(double d, buf *out)
{
    if (isnan(d)) {
        buf_puts(out, "NaN");
        return;
    }
    if (isinf(d)) {
        buf_puts(out, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (d == 0) {
        buf_puts(out, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    char digits[32];
    int exp10;
    /* Java uses at least two digits: where one would do, the closest
     * two-digit decimal (Double.MIN_VALUE is 4.9E-324, not 5.0E-324) */
    int nd = dtoa_shortest(d, 2, digits, &exp10);
    if (d < 0)
        buf_putc(out, '-');
    if (exp10 >= -3 && exp10 < 7) {
        if (exp10 < 0) {
            buf_puts(out, "0.");
            for (int i = -1; i > exp10; i--)
                buf_putc(out, '0');
            buf_append(out, digits, (size_t)nd);
        } else {
            for (int i = 0; i <= exp10; i++)
                buf_putc(out, i < nd ? digits[i] : '0');
            buf_putc(out, '.');
            if (nd > exp10 + 1)
                buf_append(out, digits + exp10 + 1, (size_t)(nd - exp10 - 1));
            else
                buf_putc(out, '0');
        }
        return;
    }
    buf_putc(out, digits[0]);
    buf_putc(out, '.');
    if (nd > 1)
        buf_append(out, digits + 1, (size_t)(nd - 1));
    else
        buf_putc(out, '0');
    buf_printf(out, "E%d", exp10);
}

void value_to_text(const value *v, const sqltype *t, buf *out)
{
    if (v->null) {
        buf_puts(out, "null");
        return;
    }
    switch (t->kind) {
    case TYPE_BOOLEAN: buf_puts(out, v->u.b ? "true" : "false"); break;
    case TYPE_INT: value_int64_text(v->u.i, out); break;
    case TYPE_BIGINT: value_int64_text(v->u.l, out); break;
    /* ksqlDB's text of temporal values (CAST to STRING, the shell);
     * the formats write them as numbers (serde.c). */
    case TYPE_TIMESTAMP: timefmt_timestamp_text(v->u.l, out); break;
    case TYPE_DATE: timefmt_date_text(v->u.l, out); break;
    case TYPE_TIME: timefmt_time_text(v->u.l, out); break;
    case TYPE_DOUBLE: double_to_text(v->u.d, out); break;
    case TYPE_DECIMAL: decimal_to_text(value_dec(v), t->scale, out); break;
    case TYPE_STRING: buf_append(out, v->u.s.p, v->u.s.len); break;
    /* ksqlDB shows BYTES (and casts them to STRING) as base64 */
    case TYPE_BYTES: value_base64_encode((const uint8_t *)v->u.s.p, v->u.s.len, out); break;
    case TYPE_ARRAY:
        buf_putc(out, '[');
        for (int i = 0; i < v->u.list->n; i++) {
            if (i)
                buf_puts(out, ", ");
            value_to_text(&v->u.list->items[i], t->elem, out);
        }
        buf_putc(out, ']');
        break;
    case TYPE_MAP:
        buf_putc(out, '{');
        for (int i = 0; i + 1 < v->u.list->n; i += 2) {
            if (i)
                buf_puts(out, ", ");
            value_to_text(&v->u.list->items[i], t->key, out);
            buf_putc(out, '=');
            value_to_text(&v->u.list->items[i + 1], t->value, out);
        }
        buf_putc(out, '}');
        break;
    case TYPE_STRUCT:
        buf_putc(out, '{');
        for (int i = 0; i < t->nfields && i < v->u.list->n; i++) {
            buf_printf(out, "%s%s=", i ? ", " : "", t->fields[i].name);
            value_to_text(&v->u.list->items[i], t->fields[i].type, out);
        }
        buf_putc(out, '}');
        break;
    case TYPE_NULL: buf_puts(out, "null"); break;
    }
}

double value_as_double(const value *v, const sqltype *t)
{
    switch (t->kind) {
    case TYPE_INT: return v->u.i;
    case TYPE_BIGINT: return (double)v->u.l;
    case TYPE_DOUBLE: return v->u.d;
    case TYPE_DECIMAL: return decimal_to_double(value_dec(v), t->scale);
    default: return 0;
    }
}

/* An INT, BIGINT or DECIMAL as an unscaled 128-bit integer. */
static dec128 value_exact(const value *v, const sqltype *t)
{
    return t->kind == TYPE_DECIMAL ? value_dec(v) : t->kind == TYPE_INT ? v->u.i : v->u.l;
}

static int cmp_i64(int64_t a, int64_t b) { return a < b ? -1 : a > b; }

int value_compare(const value *a, const sqltype *ta, const value *b, const sqltype *tb)
{
    if (types_is_numeric(ta) && types_is_numeric(tb)) {
        bool integral_a = ta->kind == TYPE_INT || ta->kind == TYPE_BIGINT;
        bool integral_b = tb->kind == TYPE_INT || tb->kind == TYPE_BIGINT;
        if (integral_a && integral_b)
            return cmp_i64(ta->kind == TYPE_INT ? a->u.i : a->u.l, tb->kind == TYPE_INT ? b->u.i : b->u.l);
        /* DECIMAL with DECIMAL or an integer compares exactly (BigDecimal) */
        if ((ta->kind == TYPE_DECIMAL || integral_a) && (tb->kind == TYPE_DECIMAL || integral_b))
            return decimal_compare(value_exact(a, ta), ta->kind == TYPE_DECIMAL ? ta->scale : 0, value_exact(b, tb),
                                   tb->kind == TYPE_DECIMAL ? tb->scale : 0);
        double x = value_as_double(a, ta), y = value_as_double(b, tb);
        return x < y ? -1 : x > y;
    }
    switch (ta->kind) {
    case TYPE_STRING:
    case TYPE_BYTES: {
        uint32_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
        int c = memcmp(a->u.s.p, b->u.s.p, n);
        if (c)
            return c < 0 ? -1 : 1;
        return cmp_i64(a->u.s.len, b->u.s.len);
    }
    case TYPE_BOOLEAN: return (int)a->u.b - (int)b->u.b;
    case TYPE_TIMESTAMP:
    case TYPE_DATE:
    case TYPE_TIME: return cmp_i64(a->u.l, b->u.l);
    default: return 0;
    }
}

static bool element_equal(const value *a, const sqltype *ta, const value *b, const sqltype *tb)
{
    if (a->null || b->null)
        return a->null && b->null;
    return value_equal(a, ta, b, tb);
}

static bool map_has_entry(const value_list *m, const sqltype *t, const value *k, const value *v,
                          const sqltype *tk, const sqltype *tv)
{
    for (int i = 0; i + 1 < m->n; i += 2)
        if (element_equal(&m->items[i], t->key, k, tk))
            return element_equal(&m->items[i + 1], t->value, v, tv);
    return false;
}

bool value_equal(const value *a, const sqltype *ta, const value *b, const sqltype *tb)
{
    switch (ta->kind) {
    case TYPE_ARRAY:
        if (tb->kind != TYPE_ARRAY || a->u.list->n != b->u.list->n)
            return false;
        for (int i = 0; i < a->u.list->n; i++)
            if (!element_equal(&a->u.list->items[i], ta->elem, &b->u.list->items[i], tb->elem))
                return false;
        return true;
    case TYPE_MAP:
        if (tb->kind != TYPE_MAP || a->u.list->n != b->u.list->n)
            return false;
        for (int i = 0; i + 1 < a->u.list->n; i += 2)
            if (!map_has_entry(b->u.list, tb, &a->u.list->items[i], &a->u.list->items[i + 1], ta->key, ta->value))
                return false;
        return true;
    case TYPE_STRUCT:
        if (tb->kind != TYPE_STRUCT || ta->nfields != tb->nfields)
            return false;
        for (int i = 0; i < ta->nfields; i++)
            if (!element_equal(&a->u.list->items[i], ta->fields[i].type, &b->u.list->items[i], tb->fields[i].type))
                return false;
        return true;
    default: return value_compare(a, ta, b, tb) == 0;
    }
}

value value_copy(arena *a, const value *v, const sqltype *t)
{
    value c = *v;
    if (v->null)
        return c;
    switch (t->kind) {
    case TYPE_STRING:
    case TYPE_BYTES: c.u.s.p = arena_strndup(a, v->u.s.p, v->u.s.len); break;
    case TYPE_ARRAY:
    case TYPE_MAP:
    case TYPE_STRUCT: {
        value_list *l = arena_alloc(a, sizeof *l);
        l->n = v->u.list->n;
        l->items = arena_alloc(a, sizeof(value) * (size_t)(l->n ? l->n : 1));
        for (int i = 0; i < l->n; i++) {
            const sqltype *et = t->kind == TYPE_ARRAY ? t->elem
                                : t->kind == TYPE_MAP ? (i % 2 ? t->value : t->key)
                                                      : t->fields[i].type;
            l->items[i] = value_copy(a, &v->u.list->items[i], et);
        }
        c.u.list = l;
        break;
    }
    default: break;
    }
    return c;
}

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void value_base64_encode(const uint8_t *p, size_t n, buf *out)
{
    buf_reserve(out, (n + 2) / 3 * 4);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t w = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
        char q[4] = {b64_alphabet[w >> 18], b64_alphabet[(w >> 12) & 63], i + 1 < n ? b64_alphabet[(w >> 6) & 63] : '=',
                     i + 2 < n ? b64_alphabet[w & 63] : '='};
        buf_append(out, q, 4);
    }
}

static int b64_index(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Java's Base64.getDecoder(): padding optional at the end, nothing else
 * outside the alphabet. */
int value_base64_decode(const char *p, size_t n, arena *a, value *out)
{
    while (n && p[n - 1] == '=' && n % 4 != 1)
        n--;
    if (n % 4 == 1)
        return -1;
    uint8_t *d = arena_alloc(a, n / 4 * 3 + 3);
    size_t k = 0;
    uint32_t w = 0;
    for (size_t i = 0; i < n; i++) {
        int x = b64_index((unsigned char)p[i]);
        if (x < 0)
            return -1;
        w = w << 6 | (uint32_t)x;
        if (i % 4 == 3) {
            d[k++] = (uint8_t)(w >> 16), d[k++] = (uint8_t)(w >> 8), d[k++] = (uint8_t)w;
            w = 0;
        }
    }
    if (n % 4 == 2)
        d[k++] = (uint8_t)(w >> 4);
    else if (n % 4 == 3)
        d[k++] = (uint8_t)(w >> 10), d[k++] = (uint8_t)(w >> 2);
    *out = value_string((const char *)d, (uint32_t)k);
    return 0;
}
