/* serde.c — see serde.h.  JSON is parsed with jansson; everything is
 * written by hand into a buf (shortest round-trip doubles, no per-record
 * allocation beyond the buffer). */
#include "serde.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/mem.h"

static const char *const format_names[] = {
#define X(name, text) text,
    FORMATS(X)
#undef X
};

bool format_parse(const char *name, format *out)
{
    for (size_t i = 0; i < sizeof format_names / sizeof *format_names; i++)
        if (strcasecmp(name, format_names[i]) == 0) {
            *out = (format)i;
            return true;
        }
    return false;
}

const char *format_name(format f) { return format_names[f]; }

static bool has_map(const sqltype *t)
{
    if (!t)
        return false;
    if (t->kind == TYPE_MAP)
        return true;
    for (int i = 0; i < t->nfields; i++)
        if (has_map(t->fields[i].type))
            return true;
    return has_map(t->elem);
}

static bool has_non_string_map_key(const sqltype *t)
{
    if (!t)
        return false;
    if (t->kind == TYPE_MAP && t->key->kind != TYPE_STRING)
        return true;
    for (int i = 0; i < t->nfields; i++)
        if (has_non_string_map_key(t->fields[i].type))
            return true;
    return has_non_string_map_key(t->elem) || has_non_string_map_key(t->value);
}

/* The first type kind in t (depth first) that format f cannot hold. */
static bool format_holds(format f, const sqltype *t, type_kind *bad)
{
    bool composite = t->kind == TYPE_ARRAY || t->kind == TYPE_MAP || t->kind == TYPE_STRUCT;
    if ((f == FORMAT_DELIMITED || f == FORMAT_KAFKA) && composite) {
        *bad = t->kind;
        return false;
    }
    if (f == FORMAT_KAFKA && t->kind != TYPE_INT && t->kind != TYPE_BIGINT && t->kind != TYPE_DOUBLE &&
        t->kind != TYPE_STRING && t->kind != TYPE_BYTES) {
        *bad = t->kind;
        return false;
    }
    return true;
}

bool format_check(format f, const schema *s, bool keys, char *why, size_t n)
{
    int count = 0;
    for (int i = 0; i < s->n; i++) {
        if (!column_in_part(&s->cols[i], keys))
            continue;
        count++;
        type_kind bad;
        if (keys && has_map(s->cols[i].type)) {
            buf t = BUF_INIT;
            types_print(s->cols[i].type, &t);
            snprintf(why, n,
                     "Map keys, including types that contain maps, are not supported as they may lead to "
                     "unexpected behavior due to inconsistent serialization. Key column name: `%s`. Column type: %s.",
                     s->cols[i].name, t.data);
            buf_free(&t);
            return false;
        }
        if (f == FORMAT_JSON && has_non_string_map_key(s->cols[i].type)) {
            snprintf(why, n, "JSON only supports MAP types with STRING keys");
            return false;
        }
        if (!format_holds(f, s->cols[i].type, &bad)) {
            snprintf(why, n, "The '%s' format does not support type '%s'", format_name(f), types_kind_name(bad));
            return false;
        }
    }
    if (f == FORMAT_KAFKA && count > 1) {
        snprintf(why, n, "The 'KAFKA' format only supports a single field. Got %d %s columns.", count,
                 keys ? "key" : "value");
        return false;
    }
    if (f == FORMAT_NONE && count > 0) {
        snprintf(why, n, "The 'NONE' format can only be used when no columns are defined. Got %d %s columns.",
                 count, keys ? "key" : "value");
        return false;
    }
    return true;
}

/* ---- JSON text -> values --------------------------------------------- */

static int parse_int64_text(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end)
        return -1;
    *out = v;
    return 0;
}

static int json_to_integer(json_t *j, int64_t *out)
{
    if (json_is_integer(j)) {
        *out = json_integer_value(j);
        return 0;
    }
    if (json_is_real(j)) {
        double d = json_real_value(j);
        if (!(d >= -9.2e18 && d <= 9.2e18))
            return -1;
        *out = (int64_t)d;
        return 0;
    }
    if (json_is_string(j))
        return parse_int64_text(json_string_value(j), out);
    return -1;
}

static int json_to_double(json_t *j, double *out)
{
    if (json_is_number(j)) {
        *out = json_number_value(j);
        return 0;
    }
    if (json_is_string(j)) {
        char *end;
        *out = strtod(json_string_value(j), &end);
        return end == json_string_value(j) || *end ? -1 : 0;
    }
    return -1;
}

static int json_to_decimal(json_t *j, const sqltype *t, dec128 *out)
{
    char tmp[64];
    if (json_is_integer(j))
        snprintf(tmp, sizeof tmp, "%" PRId64, (int64_t)json_integer_value(j));
    else if (json_is_real(j))
        return decimal_from_double(json_real_value(j), t->precision, t->scale, out);
    else if (json_is_string(j))
        return decimal_parse(json_string_value(j), json_string_length(j), t->precision, t->scale, out);
    else
        return -1;
    return decimal_parse(tmp, strlen(tmp), t->precision, t->scale, out);
}

static json_t *json_get_ci(json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    if (v)
        return v;
    const char *k;
    json_t *x;
    json_object_foreach(obj, k, x)
    {
        if (strcasecmp(k, name) == 0)
            return x;
    }
    return NULL;
}

static int coerce_error(err *e, json_t *j, const sqltype *t)
{
    char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    buf tb = BUF_INIT;
    types_print(t, &tb);
    err_set(e, ERR_FORMAT, "cannot read %.60s as %s", text ? text : "?", tb.data);
    free(text);
    buf_free(&tb);
    return -1;
}

static int json_list_to_value(json_t *j, const sqltype *t, arena *a, value *out, err *e)
{
    value_list *l = arena_alloc(a, sizeof *l);
    if (t->kind == TYPE_ARRAY) {
        if (!json_is_array(j))
            return coerce_error(e, j, t);
        l->n = (int)json_array_size(j);
        l->items = arena_alloc(a, sizeof(value) * (size_t)l->n);
        for (int i = 0; i < l->n; i++)
            if (serde_json_to_value(json_array_get(j, (size_t)i), t->elem, a, &l->items[i], e))
                return -1;
    } else if (t->kind == TYPE_MAP) {
        if (!json_is_object(j))
            return coerce_error(e, j, t);
        l->n = (int)json_object_size(j) * 2;
        l->items = arena_alloc(a, sizeof(value) * (size_t)l->n);
        const char *k;
        json_t *x;
        int i = 0;
        json_object_foreach(j, k, x)
        {
            json_t *kj = json_string(k);
            int rc = serde_json_to_value(kj, t->key, a, &l->items[i], e);
            json_decref(kj);
            if (rc || serde_json_to_value(x, t->value, a, &l->items[i + 1], e))
                return -1;
            i += 2;
        }
    } else {
        if (!json_is_object(j))
            return coerce_error(e, j, t);
        l->n = t->nfields;
        l->items = arena_alloc(a, sizeof(value) * (size_t)(l->n ? l->n : 1));
        for (int i = 0; i < t->nfields; i++) {
            json_t *x = json_get_ci(j, t->fields[i].name);
            if (serde_json_to_value(x, t->fields[i].type, a, &l->items[i], e))
                return -1;
        }
    }
    out->null = false;
    out->u.list = l;
    return 0;
}

int serde_json_to_value(json_t *j, const sqltype *t, arena *a, value *out, err *e)
{
    if (!j || json_is_null(j)) {
        *out = value_null();
        return 0;
    }
    out->null = false;
    int64_t i;
    switch (t->kind) {
    case TYPE_BOOLEAN:
        if (json_is_boolean(j))
            out->u.b = json_is_true(j);
        else if (json_is_string(j) && !strcasecmp(json_string_value(j), "true"))
            out->u.b = true;
        else if (json_is_string(j) && !strcasecmp(json_string_value(j), "false"))
            out->u.b = false;
        else
            return coerce_error(e, j, t);
        return 0;
    case TYPE_INT:
        if (json_to_integer(j, &i) || i < INT32_MIN || i > INT32_MAX)
            return coerce_error(e, j, t);
        out->u.i = (int32_t)i;
        return 0;
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP:
    case TYPE_DATE:
    case TYPE_TIME:
        if (json_to_integer(j, &out->u.l))
            return coerce_error(e, j, t);
        return 0;
    case TYPE_DOUBLE:
        if (json_to_double(j, &out->u.d))
            return coerce_error(e, j, t);
        return 0;
    case TYPE_DECIMAL: {
        dec128 d;
        if (json_to_decimal(j, t, &d))
            return coerce_error(e, j, t);
        *out = value_decimal(d);
        return 0;
    }
    case TYPE_BYTES:
        if (!json_is_string(j) || value_base64_decode(json_string_value(j), json_string_length(j), a, out))
            return coerce_error(e, j, t);
        return 0;
    case TYPE_STRING:
        if (json_is_string(j)) {
            out->u.s.len = (uint32_t)json_string_length(j);
            out->u.s.p = arena_strndup(a, json_string_value(j), out->u.s.len);
        } else {
            char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
            out->u.s.len = (uint32_t)strlen(text);
            out->u.s.p = arena_strndup(a, text, out->u.s.len);
            free(text);
        }
        return 0;
    case TYPE_ARRAY:
    case TYPE_MAP:
    case TYPE_STRUCT:
        return json_list_to_value(j, t, a, out, e);
    case TYPE_NULL:
        *out = value_null();
        return 0;
    }
    return coerce_error(e, j, t);
}

/* ---- values -> JSON text --------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (0 when it is not one). */
static size_t utf8_len(const unsigned char *p, size_t left)
{
    size_t n = p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 && p[0] <= 0xDF ? 2 : 0;
    if (!n || n > left)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Bytes a JSON string cannot hold as they are: control characters, '"',
 * '\\' and everything from 0x80 (UTF-8, checked apart). */
static const uint8_t json_escape[256] = {
    ['"'] = 1, ['\\'] = 1,
#define C8(b)                                                                                                \
    [b] = 1, [b + 1] = 1, [b + 2] = 1, [b + 3] = 1, [b + 4] = 1, [b + 5] = 1, [b + 6] = 1, [b + 7] = 1
#define C32(b) C8(b), C8(b + 8), C8(b + 16), C8(b + 24)
    C32(0x00), C32(0x80),  C32(0xA0), C32(0xC0), C32(0xE0),
#undef C32
#undef C8
};

/* The escape of a byte below 0x80 that needs one. */
static void json_escape_ascii(unsigned char c, buf *out)
{
    switch (c) {
    case '"': buf_append(out, "\\\"", 2); break;
    case '\\': buf_append(out, "\\\\", 2); break;
    case '\n': buf_append(out, "\\n", 2); break;
    case '\r': buf_append(out, "\\r", 2); break;
    case '\t': buf_append(out, "\\t", 2); break;
    default: buf_printf(out, "\\u%04x", c);
    }
}

void serde_json_string(const char *p, size_t len, buf *out)
{
    /* most strings need no escape: room for all of it and both quotes
     * at once, and one copy of each run that needs none */
    buf_reserve(out, len + 2);
    out->data[out->len++] = '"';
    size_t i = 0;
    while (i < len) {
        size_t plain = i;
        while (plain < len && !json_escape[(unsigned char)p[plain]])
            plain++;
        if (plain > i) {
            buf_append(out, p + i, plain - i);
            i = plain;
            continue;
        }
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x80) { /* keep valid UTF-8; a stray byte becomes \u00XX, so the text stays JSON */
            size_t n = utf8_len((const unsigned char *)p + i, len - i);
            if (n)
                buf_append(out, p + i, n);
            else
                buf_printf(out, "\\u%04x", c);
            i += n ? n : 1;
            continue;
        }
        json_escape_ascii(c, out);
        i++;
    }
    buf_putc(out, '"');
}

void serde_value_to_json_text(const value *v, const sqltype *t, buf *out)
{
    if (v->null) {
        buf_append(out, "null", 4);
        return;
    }
    switch (t->kind) {
    case TYPE_STRING: serde_json_string(v->u.s.p, v->u.s.len, out); break;
    case TYPE_INT: value_int64_text(v->u.i, out); break;
    case TYPE_BIGINT: value_int64_text(v->u.l, out); break;
    case TYPE_BOOLEAN: buf_append(out, v->u.b ? "true" : "false", v->u.b ? 4 : 5); break;
    case TYPE_DECIMAL: decimal_to_text(value_dec(v), t->scale, out); break;
    case TYPE_BYTES: /* base64, as ksqlDB writes BYTES in JSON */
        buf_putc(out, '"');
        value_base64_encode((const uint8_t *)v->u.s.p, v->u.s.len, out);
        buf_putc(out, '"');
        break;
    case TYPE_DOUBLE:
        if (!isfinite(v->u.d)) {
            /* JSON has no NaN/Infinity; write them as strings as Jackson
             * does with its non-numeric option. */
            buf_putc(out, '"');
            value_to_text(v, t, out);
            buf_putc(out, '"');
        } else
            value_to_text(v, t, out);
        break;
    case TYPE_ARRAY:
        buf_putc(out, '[');
        for (int i = 0; i < v->u.list->n; i++) {
            if (i)
                buf_putc(out, ',');
            serde_value_to_json_text(&v->u.list->items[i], t->elem, out);
        }
        buf_putc(out, ']');
        break;
    case TYPE_MAP:
        buf_putc(out, '{');
        for (int i = 0; i + 1 < v->u.list->n; i += 2) {
            if (i)
                buf_putc(out, ',');
            buf tmp = BUF_INIT;
            value_to_text(&v->u.list->items[i], t->key, &tmp);
            serde_json_string(tmp.data, tmp.len, out);
            buf_free(&tmp);
            buf_putc(out, ':');
            serde_value_to_json_text(&v->u.list->items[i + 1], t->value, out);
        }
        buf_putc(out, '}');
        break;
    case TYPE_STRUCT:
        buf_putc(out, '{');
        for (int i = 0; i < t->nfields && i < v->u.list->n; i++) {
            if (i)
                buf_putc(out, ',');
            serde_json_string(t->fields[i].name, strlen(t->fields[i].name), out);
            buf_putc(out, ':');
            serde_value_to_json_text(&v->u.list->items[i], t->fields[i].type, out);
        }
        buf_putc(out, '}');
        break;
    /* the formats hold temporal values as numbers: ms, days, ms of day */
    case TYPE_TIMESTAMP:
    case TYPE_DATE:
    case TYPE_TIME: value_int64_text(v->u.l, out); break;
    default: value_to_text(v, t, out);
    }
}

/* ---- JSON ------------------------------------------------------------ */

static int json_encode_columns(const schema *s, bool keys, bool unwrapped, const value *row, buf *out)
{
    int want = 0, only = -1;
    for (int i = 0; i < s->n; i++)
        if (column_in_part(&s->cols[i], keys))
            want++, only = i;
    if ((keys || unwrapped) && want == 1) {
        serde_value_to_json_text(&row[only], s->cols[only].type, out);
        return 0;
    }
    buf_putc(out, '{');
    bool first = true;
    for (int i = 0; i < s->n; i++) {
        if (!column_in_part(&s->cols[i], keys))
            continue;
        if (!first)
            buf_putc(out, ',');
        first = false;
        serde_json_string(s->cols[i].name, strlen(s->cols[i].name), out);
        buf_putc(out, ':');
        serde_value_to_json_text(&row[i], s->cols[i].type, out);
    }
    buf_putc(out, '}');
    return 0;
}

#define PREFIX_COPY 32               /* prefixes up to this long are copied as this many bytes */
#define ENCODE_ROOM DECIMAL_TEXT_MAX /* the longest scalar put_scalar writes */

/* An encoder writes a JSON object with the text before each value
 * (`{"A":`, `,"B":`, ...) made once; a part of one column written bare
 * is done as json_encode_columns does it, and every other format by
 * serde_encode_key / serde_encode_value. */
void serde_encoder_init(serde_encoder *c, const fmt *f, const schema *s, bool keys)
{
    *c = (serde_encoder){.f = *f, .s = s, .keys = keys, .only = -1};
    if (f->kind != FORMAT_JSON)
        return;
    int want = 0, only = -1;
    for (int i = 0; i < s->n; i++)
        if (column_in_part(&s->cols[i], keys))
            want++, only = i;
    if (want == 1 && (keys || f->unwrapped)) {
        c->only = only;
        return;
    }
    if (want == 0) {
        c->none = keys; /* no key columns: a null key */
        return;
    }
    c->cols = mem_alloc(sizeof *c->cols * (size_t)want);
    c->pre = mem_alloc(sizeof *c->pre * (size_t)(want + 1));
    buf text = BUF_INIT;
    for (int i = 0; i < s->n; i++) {
        if (!column_in_part(&s->cols[i], keys))
            continue;
        c->pre[c->n] = (uint32_t)text.len;
        c->cols[c->n++] = i;
        buf_putc(&text, c->n == 1 ? '{' : ',');
        serde_json_string(s->cols[i].name, strlen(s->cols[i].name), &text);
        buf_putc(&text, ':');
    }
    c->pre[c->n] = (uint32_t)text.len;
    /* zeros after the last prefix: each is copied as PREFIX_COPY bytes */
    buf_reserve(&text, PREFIX_COPY);
    memset(text.data + text.len, 0, PREFIX_COPY);
    c->text = buf_take(&text);
}

void serde_encoder_free(serde_encoder *c)
{
    free(c->cols);
    free(c->pre);
    free(c->text);
    *c = (serde_encoder){0};
}

/* Writes the digits of l at p; returns the end. */
static char *put_int64(char *p, int64_t l)
{
    uint64_t m = l < 0 ? (uint64_t)0 - (uint64_t)l : (uint64_t)l;
    if (l < 0)
        *p++ = '-';
    int n = 1;
    while (n < 20 && m >= decimal_pow10_u64[n])
        n++;
    decimal_u64_digits(m, p + n);
    return p + n;
}

/* Writes a scalar straight into room already reserved (at least
 * ENCODE_ROOM bytes at p); returns the end, or NULL for a type that
 * goes through serde_value_to_json_text. */
static char *put_scalar(char *p, const value *v, const sqltype *t)
{
    if (v->null) {
        memcpy(p, "null", 4);
        return p + 4;
    }
    switch (t->kind) {
    case TYPE_INT: return put_int64(p, v->u.i);
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP: /* the formats hold temporal values as numbers */
    case TYPE_DATE:
    case TYPE_TIME: return put_int64(p, v->u.l);
    case TYPE_BOOLEAN: memcpy(p, v->u.b ? "true" : "false", 5); return p + (v->u.b ? 4 : 5);
    case TYPE_DECIMAL:
        return t->scale <= DECIMAL_MAX_PRECISION ? decimal_text_at(value_dec(v), t->scale, p) : NULL;
    default: return NULL;
    }
}

int serde_encoder_run(const serde_encoder *c, const value *row, buf *out, bool *is_null, err *e)
{
    *is_null = false;
    if (c->only >= 0) {
        if (c->keys && row[c->only].null) {
            *is_null = true;
            return 0;
        }
        serde_value_to_json_text(&row[c->only], c->s->cols[c->only].type, out);
        return 0;
    }
    if (c->none) {
        *is_null = true;
        return 0;
    }
    if (!c->n)
        return c->keys ? serde_encode_key(&c->f, c->s, row, out, is_null, e)
                       : serde_encode_value(&c->f, c->s, row, out, e);
    for (int i = 0; i < c->n; i++) {
        int col = c->cols[i];
        size_t plen = c->pre[i + 1] - c->pre[i];
        if (out->len + plen + PREFIX_COPY + ENCODE_ROOM + 1 > out->cap)
            buf_reserve(out, plen + PREFIX_COPY + ENCODE_ROOM);
        /* a fixed-size copy is a few moves, not a call; the bytes past
         * the prefix are overwritten next */
        char *p = out->data + out->len;
        if (plen <= PREFIX_COPY)
            memcpy(p, c->text + c->pre[i], PREFIX_COPY);
        else
            memcpy(p, c->text + c->pre[i], plen);
        p += plen;
        const sqltype *t = c->s->cols[col].type;
        char *end = put_scalar(p, &row[col], t);
        out->len = (size_t)((end ? end : p) - out->data);
        if (!end)
            serde_value_to_json_text(&row[col], t, out);
    }
    buf_putc(out, '}');
    return 0;
}

/* ---- KAFKA ----------------------------------------------------------- */

static uint64_t be_read(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static void be_write(buf *out, uint64_t v, int n)
{
    uint8_t tmp[8];
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        tmp[i] = (uint8_t)v;
    buf_append(out, tmp, (size_t)n);
}

static int kafka_decode(const uint8_t *p, int32_t len, const sqltype *t, value *out, arena *a,
                        err *e)
{
    out->null = false;
    switch (t->kind) {
    case TYPE_INT:
        if (len != 4)
            return err_set(e, ERR_FORMAT, "KAFKA INT needs 4 bytes, got %d", len);
        out->u.i = (int32_t)(uint32_t)be_read(p, 4);
        return 0;
    case TYPE_BIGINT:
        if (len != 8)
            return err_set(e, ERR_FORMAT, "KAFKA BIGINT needs 8 bytes, got %d", len);
        out->u.l = (int64_t)be_read(p, 8);
        return 0;
    case TYPE_DOUBLE: {
        if (len != 8)
            return err_set(e, ERR_FORMAT, "KAFKA DOUBLE needs 8 bytes, got %d", len);
        uint64_t bits = be_read(p, 8);
        memcpy(&out->u.d, &bits, 8);
        return 0;
    }
    case TYPE_STRING:
    case TYPE_BYTES: /* raw bytes: a slice of the record */
        out->u.s.p = (const char *)p;
        out->u.s.len = (uint32_t)len;
        return 0;
    default: return err_set(e, ERR_FORMAT, "the KAFKA format cannot hold this type");
    }
}

static int kafka_encode(const value *v, const sqltype *t, buf *out, err *e)
{
    switch (t->kind) {
    case TYPE_INT: be_write(out, (uint32_t)v->u.i, 4); return 0;
    case TYPE_BIGINT: be_write(out, (uint64_t)v->u.l, 8); return 0;
    case TYPE_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &v->u.d, 8);
        be_write(out, bits, 8);
        return 0;
    }
    case TYPE_STRING:
    case TYPE_BYTES: buf_append(out, v->u.s.p, v->u.s.len); return 0;
    default: return err_set(e, ERR_FORMAT, "the KAFKA format cannot hold this type");
    }
}

static int single_column(const schema *s, bool keys)
{
    int only = -1, n = 0;
    for (int i = 0; i < s->n; i++)
        if (column_in_part(&s->cols[i], keys))
            only = i, n++;
    return n == 1 ? only : -1 - n;
}

/* ---- DELIMITED ------------------------------------------------------- */

/* Splits one CSV line into fields; quoted fields may hold commas and ""
 * escapes.  Field texts are arena copies. */
static int csv_split(const uint8_t *p, int32_t len, char delim, arena *a, const char **fields,
                     uint32_t *lens, bool *empty, int max, err *e)
{
    int n = 0;
    int32_t i = 0;
    for (;;) {
        if (n == max)
            return err_set(e, ERR_FORMAT, "too many fields in DELIMITED value (expected %d)", max);
        buf f = BUF_INIT;
        bool quoted = i < len && p[i] == '"';
        if (quoted) {
            i++;
            for (;;) {
                if (i >= len) {
                    buf_free(&f);
                    return err_set(e, ERR_FORMAT, "unterminated quote in DELIMITED value");
                }
                if (p[i] == '"' && i + 1 < len && p[i + 1] == '"')
                    buf_putc(&f, '"'), i += 2;
                else if (p[i] == '"') {
                    i++;
                    break;
                } else
                    buf_putc(&f, (char)p[i++]);
            }
        } else
            while (i < len && p[i] != delim)
                buf_putc(&f, (char)p[i++]);
        fields[n] = arena_strndup(a, f.data ? f.data : "", f.len);
        lens[n] = (uint32_t)f.len;
        empty[n] = !quoted && f.len == 0;
        buf_free(&f);
        n++;
        if (i >= len)
            return n;
        if (p[i] != delim)
            return err_set(e, ERR_FORMAT, "unexpected character after a quoted DELIMITED field");
        i++;
    }
}

static int delimited_field(const char *text, uint32_t len, bool empty, const sqltype *t,
                           arena *a, value *out, err *e)
{
    if (empty) {
        *out = value_null();
        return 0;
    }
    if (t->kind == TYPE_STRING) {
        *out = value_string(text, len);
        return 0;
    }
    return serde__text_to_value(text, len, t, a, out, e);
}

static int delimited_decode(const uint8_t *p, int32_t len, char delim, const schema *s, bool keys,
                            value *row, arena *a, err *e)
{
    int want = 0;
    for (int i = 0; i < s->n; i++)
        want += column_in_part(&s->cols[i], keys);
    const char **fields = arena_alloc(a, sizeof(char *) * (size_t)(want + 1));
    uint32_t *lens = arena_alloc(a, sizeof(uint32_t) * (size_t)(want + 1));
    bool *empty = arena_alloc(a, sizeof(bool) * (size_t)(want + 1));
    int n = csv_split(p, len, delim, a, fields, lens, empty, want ? want : 1, e);
    if (n < 0)
        return -1;
    if (n != want)
        return err_set(e, ERR_FORMAT, "DELIMITED value has %d fields, expected %d", n, want);
    for (int i = 0, f = 0; i < s->n; i++) {
        if (!column_in_part(&s->cols[i], keys))
            continue;
        if (delimited_field(fields[f], lens[f], empty[f], s->cols[i].type, a, &row[i], e))
            return -1;
        f++;
    }
    return 0;
}

/* Whether a DELIMITED field needs quotes, by Apache Commons CSV's MINIMAL
 * rule (what ksqlDB writes with): the record's first field when it starts
 * with anything but a letter or digit ("-10" is quoted there), any field
 * starting with a character up to '#', or holding the delimiter, a quote
 * or a line break, or ending in a space or control character. */
static bool delimited_needs_quotes(const buf *t, char delim, bool first)
{
    if (!t->len)
        return false;
    unsigned char c = (unsigned char)t->data[0];
    if (first && !isalnum(c))
        return true;
    if (c <= '#')
        return true;
    char special[5] = {delim, '"', '\n', '\r', 0};
    return strpbrk(t->data, special) || (unsigned char)t->data[t->len - 1] <= ' ';
}

static void delimited_encode(const schema *s, bool keys, char delim, const value *row, buf *out)
{
    bool first = true;
    for (int i = 0; i < s->n; i++) {
        if (!column_in_part(&s->cols[i], keys))
            continue;
        bool first_field = first;
        if (!first)
            buf_putc(out, delim);
        first = false;
        if (row[i].null)
            continue;
        buf tmp = BUF_INIT;
        type_kind k = s->cols[i].type->kind;
        if (k == TYPE_TIMESTAMP || k == TYPE_DATE || k == TYPE_TIME)
            buf_printf(&tmp, "%" PRId64, row[i].u.l); /* numbers, as in JSON */
        else
            value_to_text(&row[i], s->cols[i].type, &tmp);
        if (delimited_needs_quotes(&tmp, delim, first_field)) {
            buf_putc(out, '"');
            for (size_t k = 0; k < tmp.len; k++) {
                if (tmp.data[k] == '"')
                    buf_putc(out, '"');
                buf_putc(out, tmp.data[k]);
            }
            buf_putc(out, '"');
        } else
            buf_append(out, tmp.data ? tmp.data : "", tmp.len);
        buf_free(&tmp);
    }
}

/* ---- entry points ---------------------------------------------------- */

static char delim_of(const fmt *f) { return f->delim ? f->delim : ','; }

static int decode_part(const fmt *f, const uint8_t *p, int32_t len, const schema *s, const serde_names *names,
                       serde_memo *memo, bool keys, const bool *needed, value *row, arena *a, err *e)
{
    if (len < 0) {
        for (int i = 0; i < s->n; i++)
            if (column_in_part(&s->cols[i], keys))
                row[i] = value_null();
        return 0;
    }
    switch (f->kind) {
    case FORMAT_JSON: return serde__json_decode(p, len, s, names, memo, keys, f->unwrapped, needed, row, a, e);
    case FORMAT_KAFKA: {
        int only = single_column(s, keys);
        if (only < 0)
            return only == -1 ? 0 : err_set(e, ERR_FORMAT, "the KAFKA format holds one column");
        return kafka_decode(p, len, s->cols[only].type, &row[only], a, e);
    }
    case FORMAT_DELIMITED: return delimited_decode(p, len, delim_of(f), s, keys, row, a, e);
    case FORMAT_NONE: return 0;
    }
    return err_set(e, ERR_FORMAT, "unknown format");
}

int serde_decode_key(const fmt *f, const uint8_t *p, int32_t len, const schema *s, value *row,
                     arena *a, err *e)
{
    return decode_part(f, p, len, s, NULL, NULL, true, NULL, row, a, e);
}

int serde_decode_value(const fmt *f, const uint8_t *p, int32_t len, const schema *s,
                       const bool *needed, value *row, arena *a, err *e)
{
    return decode_part(f, p, len, s, NULL, NULL, false, needed, row, a, e);
}

int serde_decode_value_named(const fmt *f, const uint8_t *p, int32_t len, const schema *s, const serde_names *names,
                             serde_memo *memo, const bool *needed, value *row, arena *a, err *e)
{
    return decode_part(f, p, len, s, names, memo, false, needed, row, a, e);
}

int serde_encode_key(const fmt *f, const schema *s, const value *row, buf *out, bool *is_null,
                     err *e)
{
    int only = single_column(s, true);
    *is_null = only == -1 || (only >= 0 && row[only].null);
    if (*is_null)
        return 0;
    switch (f->kind) {
    case FORMAT_JSON: return json_encode_columns(s, true, true, row, out);
    case FORMAT_KAFKA:
        if (only < 0)
            return err_set(e, ERR_FORMAT, "the KAFKA format holds one key column");
        return kafka_encode(&row[only], s->cols[only].type, out, e);
    case FORMAT_DELIMITED: delimited_encode(s, true, delim_of(f), row, out); return 0;
    case FORMAT_NONE: *is_null = true; return 0;
    }
    return 0;
}

int serde_encode_value(const fmt *f, const schema *s, const value *row, buf *out, err *e)
{
    switch (f->kind) {
    case FORMAT_JSON: return json_encode_columns(s, false, f->unwrapped, row, out);
    case FORMAT_KAFKA: {
        int only = single_column(s, false);
        if (only < 0)
            return err_set(e, ERR_FORMAT, "the KAFKA format holds one value column");
        if (row[only].null)
            return 0;
        return kafka_encode(&row[only], s->cols[only].type, out, e);
    }
    case FORMAT_DELIMITED: delimited_encode(s, false, delim_of(f), row, out); return 0;
    case FORMAT_NONE: return 0;
    }
    return 0;
}
