/* serde_json.c — the JSON record decoder (serde.h).
 *
 * One pass over the record bytes, no tree: the top-level object's field
 * names are matched case-insensitively against the schema's columns, the
 * columns marked `needed` are decoded straight into values, and every
 * other field is validated and skipped without building anything.
 * Strings without escapes are slices of the record bytes; escaped ones are
 * unescaped into the arena.  The input must be exactly valid JSON
 * (RFC 8259, UTF-8): anything else is ERR_FORMAT with the reason and the
 * byte offset, and the record is skipped.
 *
 * Speed, for records that are one plan's input (serde_names, serde_memo):
 * a member's key is first compared in place, 8 bytes at a time, with the
 * column most likely named there (the one the same member named in the
 * last record, or the column after the last one matched), else read and
 * looked up in a hash table of the names; the common values (integers,
 * strings without escapes) are read in one pass, plain runs 8 bytes at a
 * time.  Whatever a fast path does not take goes the general way, so the
 * results (and errors) are those of the general way.
 *
 * Coercions are ksqlDB's (its JSON deserializer): a number or a composite
 * read as STRING becomes its JSON text, "12" reads as INT 12, "true" as
 * BOOLEAN, a number with a fraction truncates into an integer column,
 * DECIMAL takes numbers and strings exactly (HALF_UP into the scale), and
 * BYTES is base64 text.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serde.h"

#define JSON_MAX_DEPTH 256

typedef struct jp {
    const char *start, *p, *end;
    arena *a;
    err *e;
    int depth;
} jp;

static int fail(jp *j, const char *what)
{
    return err_set(j->e, ERR_FORMAT, "invalid JSON: %s at byte %ld", what, (long)(j->p - j->start));
}

/* p past any blanks.  Every blank is at most ' ': most calls find none
 * and stop at once. */
static inline const char *ws_end(const char *p, const char *end)
{
    while (p < end && (unsigned char)*p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static inline void skip_ws(jp *j) { j->p = ws_end(j->p, j->end); }

int serde_hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            v |= (unsigned)((c | 0x20) - 'a' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Length of the well-formed UTF-8 sequence at p (lead byte >= 0x80), or
 * 0 (overlong forms, surrogates and code points past U+10FFFF are not
 * well-formed). */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    int n;
    unsigned min;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    if (end - p < n)
        return 0;
    unsigned cp = c & (0x3f >> (n - 1));
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

static char *put_utf8(char *d, unsigned cp)
{
    if (cp < 0x80) {
        *d++ = (char)cp;
    } else if (cp < 0x800) {
        *d++ = (char)(0xc0 | cp >> 6);
        *d++ = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *d++ = (char)(0xe0 | cp >> 12);
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *d++ = (char)(0x80 | (cp & 0x3f));
    } else {
        *d++ = (char)(0xf0 | cp >> 18);
        *d++ = (char)(0x80 | ((cp >> 12) & 0x3f));
        *d++ = (char)(0x80 | ((cp >> 6) & 0x3f));
        *d++ = (char)(0x80 | (cp & 0x3f));
    }
    return d;
}

/* The escape at j->p (just after the backslash) written to d (NULL:
 * validate only).  Returns the new d, or NULL with the error set. */
static char *unescape_one(jp *j, char *d, bool *ok)
{
    static const char simple_in[] = "\"\\/bfnrt", simple_out[] = "\"\\/\b\f\n\r\t";
    *ok = true;
    if (j->p >= j->end)
        return *ok = false, fail(j, "unterminated string"), NULL;
    char c = *j->p;
    const char *s = c ? strchr(simple_in, c) : NULL;
    if (s) {
        j->p++;
        if (d)
            *d++ = simple_out[s - simple_in];
        return d;
    }
    unsigned cp, lo;
    if (c != 'u' || j->end - j->p < 5 || serde_hex4(j->p + 1, &cp))
        return *ok = false, fail(j, "bad escape in string"), NULL;
    j->p += 5;
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return *ok = false, fail(j, "lone low surrogate in \\u escape"), NULL;
    if (cp >= 0xd800 && cp <= 0xdbff) {
        /* a high surrogate must be followed by an escaped low one */
        if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' || serde_hex4(j->p + 2, &lo) || lo < 0xdc00 ||
            lo > 0xdfff)
            return *ok = false, fail(j, "lone high surrogate in \\u escape"), NULL;
        j->p += 6;
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    return d ? put_utf8(d, cp) : d;
}

static bool plain_byte(unsigned char c) { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'; }

/* The first byte from p on that a string does not take as it is: '"',
 * '\\', a control character or a byte of a non-ASCII character (or end).
 * Eight bytes are tested at once while there are eight: a byte below n
 * sets its high bit in (x - n per byte), and the high bits of x itself
 * are the non-ASCII bytes.  A borrow can flag a byte wrongly only above
 * (later in memory than, on a little-endian machine) one flagged
 * rightly, so the lowest flag is the first such byte. */
static const char *plain_run_end(const char *p, const char *end)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t quote = x ^ (ones * '"'), bslash = x ^ (ones * '\\');
        uint64_t hit = ((quote - ones) | (bslash - ones) | (x - ones * 0x20) | x) & highs;
        if (hit) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return p + (__builtin_ctzll(hit) >> 3);
#else
            break;
#endif
        }
        p += 8;
    }
    while (p < end && plain_byte((unsigned char)*p))
        p++;
    return p;
}

/* A string at j->p (on the opening quote).  *s, *len: a slice of the
 * record when it has no escapes, else unescaped into the arena (or not
 * built at all when s is NULL). */
static int parse_string(jp *j, const char **s, uint32_t *len)
{
    const char *begin = ++j->p;
    bool escaped = false;
    for (;;) {
        j->p = plain_run_end(j->p, j->end); /* the common bytes, fast */
        if (j->p >= j->end)
            return fail(j, "unterminated string");
        unsigned char c = (unsigned char)*j->p;
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(j, "control character in string");
        if (c == '\\') {
            escaped = true;
            j->p++;
            bool ok;
            unescape_one(j, NULL, &ok);
            if (!ok)
                return -1;
            continue;
        }
        int n = utf8_len((const unsigned char *)j->p, (const unsigned char *)j->end);
        if (!n)
            return fail(j, "invalid UTF-8 in string");
        j->p += n;
    }
    const char *close = j->p++;
    if (!s)
        return 0;
    if (!escaped) {
        *s = begin;
        *len = (uint32_t)(close - begin);
        return 0;
    }
    /* second pass over the validated text: unescaping only shrinks it */
    char *d = arena_alloc(j->a, (size_t)(close - begin) + 1), *w = d;
    jp r = *j;
    r.p = begin;
    while (r.p < close) {
        if (*r.p != '\\') {
            *w++ = *r.p++;
            continue;
        }
        r.p++;
        bool ok;
        w = unescape_one(&r, w, &ok);
    }
    *s = d;
    *len = (uint32_t)(w - d);
    return 0;
}

/* A number at j->p; *is_int when it has neither fraction nor exponent. */
static int parse_number(jp *j, const char **text, uint32_t *len, bool *is_int)
{
    const char *b = j->p;
    *is_int = true;
    if (j->p < j->end && *j->p == '-')
        j->p++;
    if (j->p >= j->end || *j->p < '0' || *j->p > '9')
        return fail(j, "bad number");
    if (*j->p == '0')
        j->p++;
    else
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
            j->p++;
    if (j->p < j->end && *j->p == '.') {
        *is_int = false;
        j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9')
            return fail(j, "bad number: digits expected after '.'");
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
            j->p++;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        *is_int = false;
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
            j->p++;
        if (j->p >= j->end || *j->p < '0' || *j->p > '9')
            return fail(j, "bad number: digits expected in exponent");
        while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
            j->p++;
    }
    *text = b;
    *len = (uint32_t)(j->p - b);
    return 0;
}

static int literal(jp *j, const char *word, size_t n)
{
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n))
        return fail(j, "unexpected character");
    j->p += n;
    return 0;
}

static int skip_value(jp *j);

/* Walks an object or array at j->p, calling `each` for every member
 * (key set for objects) with j->p on its value; `each` must consume it. */
typedef int (*member_fn)(jp *j, void *ctx, const char *key, uint32_t klen);

/* Enters the composite at j->p ('{' or '['), j->p past it and blanks. */
static int open_composite(jp *j)
{
    if (++j->depth > JSON_MAX_DEPTH)
        return fail(j, "nesting too deep");
    j->p++;
    skip_ws(j);
    return 0;
}

/* True, with j->p past it, when `close` is at j->p: the composite ends. */
static bool close_composite(jp *j, char close)
{
    if (j->p >= j->end || *j->p != close)
        return false;
    j->p++;
    j->depth--;
    return true;
}

/* The ':' between an object member's key and value, blanks around it. */
static int member_colon(jp *j)
{
    skip_ws(j);
    if (j->p >= j->end || *j->p != ':')
        return fail(j, "':' expected");
    j->p++;
    skip_ws(j);
    return 0;
}

/* After a member's value: 1 when ',' says another follows (j->p on it),
 * 0 when `close` ends the composite, -1 (error set) otherwise. */
static int member_next(jp *j, char close)
{
    skip_ws(j);
    if (j->p < j->end && *j->p == ',') {
        j->p++;
        skip_ws(j);
        return 1;
    }
    if (close_composite(j, close))
        return 0;
    return fail(j, close == '}' ? "',' or '}' expected" : "',' or ']' expected");
}

static int walk_composite(jp *j, member_fn each, void *ctx)
{
    bool object = *j->p == '{';
    char close = object ? '}' : ']';
    if (open_composite(j))
        return -1;
    if (close_composite(j, close))
        return 0;
    for (;;) {
        const char *key = NULL;
        uint32_t klen = 0;
        if (object) {
            if (j->p >= j->end || *j->p != '"')
                return fail(j, "object key expected");
            if (parse_string(j, &key, &klen) || member_colon(j))
                return -1;
        }
        if (each(j, ctx, key, klen))
            return -1;
        int more = member_next(j, close);
        if (more <= 0)
            return more;
    }
}

static int skip_member(jp *j, void *ctx, const char *key, uint32_t klen) { return skip_value(j); }

static int skip_value(jp *j)
{
    if (j->p >= j->end)
        return fail(j, "value expected");
    const char *t;
    uint32_t n;
    bool is_int;
    switch (*j->p) {
    case '"': return parse_string(j, NULL, NULL);
    case '{':
    case '[': return walk_composite(j, skip_member, NULL);
    case 't': return literal(j, "true", 4);
    case 'f': return literal(j, "false", 5);
    case 'n': return literal(j, "null", 4);
    default: return parse_number(j, &t, &n, &is_int);
    }
}

/* ---- typed decoding ----------------------------------------------------- */

/* A decoded value written field by field into its slot: value.h's
 * constructors return a struct that GCC assembles on the stack and
 * copies with a 16-byte load over narrower stores, a store-forwarding
 * stall per value on this hot path. */
static void put_null(value *v)
{
    v->null = true;
    v->u.dec.lo = 0;
    v->u.dec.hi = 0;
}

static void put_integer(value *v, type_kind k, int64_t l)
{
    v->null = false;
    v->u.dec.hi = 0;
    v->u.dec.lo = 0;
    if (k == TYPE_INT)
        v->u.i = (int32_t)l;
    else
        v->u.l = l;
}

static void put_string(value *v, const char *p, uint32_t n)
{
    v->null = false;
    v->u.dec.hi = 0;
    v->u.s.p = p;
    v->u.s.len = n;
}

static int coerce_fail(jp *j, const char *text, uint32_t n, const sqltype *t)
{
    buf tb = BUF_INIT;
    types_print(t, &tb);
    err_set(j->e, ERR_FORMAT, "cannot read %.*s as %s", (int)(n > 60 ? 60 : n), text, tb.data);
    buf_free(&tb);
    return -1;
}

/* Java's Long.parseLong on the whole text (optional sign, digits). */
static int parse_int64(const char *p, uint32_t n, int64_t *out)
{
    uint32_t i = 0;
    bool neg = false;
    if (i < n && (p[i] == '-' || p[i] == '+'))
        neg = p[i++] == '-';
    if (i == n)
        return -1;
    uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

static int parse_double(const char *p, uint32_t n, double *out)
{
    char tmp[64];
    char *heap = NULL, *s = tmp;
    if (n >= sizeof tmp)
        s = heap = malloc((size_t)n + 1); /* only for absurdly long numbers */
    if (!s)
        return -1;
    memcpy(s, p, n);
    s[n] = '\0';
    char *end;
    *out = strtod(s, &end);
    int rc = n == 0 || end != s + n ? -1 : 0;
    free(heap);
    return rc;
}

/* A JSON number (number=true) or string token's text as a scalar of type
 * t.  Also the DELIMITED field reader (serde__text_to_value). */
static int scalar_from_text(jp *j, const char *p, uint32_t n, bool number, bool is_int, const sqltype *t,
                            value *out)
{
    int64_t l;
    out->null = false;
    switch (t->kind) {
    case TYPE_BOOLEAN:
        if (!number && n == 4 && !strncasecmp(p, "true", 4))
            out->u.b = true;
        else if (!number && n == 5 && !strncasecmp(p, "false", 5))
            out->u.b = false;
        else
            return coerce_fail(j, p, n, t);
        return 0;
    case TYPE_INT:
    case TYPE_BIGINT:
    case TYPE_TIMESTAMP:
    case TYPE_DATE:
    case TYPE_TIME:
        if (number && !is_int) {
            /* a fraction or exponent truncates toward zero */
            double d;
            if (parse_double(p, n, &d) || !(d >= -9.2e18 && d <= 9.2e18))
                return coerce_fail(j, p, n, t);
            l = (int64_t)d;
        } else if (parse_int64(p, n, &l))
            return coerce_fail(j, p, n, t);
        if (t->kind == TYPE_INT) {
            if (l < INT32_MIN || l > INT32_MAX)
                return coerce_fail(j, p, n, t);
            out->u.i = (int32_t)l;
        } else
            out->u.l = l;
        return 0;
    case TYPE_DOUBLE:
        if (parse_double(p, n, &out->u.d))
            return coerce_fail(j, p, n, t);
        return 0;
    case TYPE_DECIMAL: {
        dec128 d;
        if (decimal_parse(p, n, t->precision, t->scale, &d))
            return coerce_fail(j, p, n, t);
        *out = value_decimal(d);
        return 0;
    }
    case TYPE_STRING: put_string(out, p, n); return 0;
    case TYPE_BYTES:
        if (number || value_base64_decode(p, n, j->a, out))
            return coerce_fail(j, p, n, t);
        return 0;
    default: return coerce_fail(j, p, n, t);
    }
}

/* The JSON text of the value at j->p, compact (whitespace outside strings
 * dropped), for a composite read into a STRING column. */
static int composite_text(jp *j, const char **s, uint32_t *n)
{
    const char *b = j->p;
    if (skip_value(j))
        return -1;
    char *d = arena_alloc(j->a, (size_t)(j->p - b) + 1), *w = d;
    bool in_string = false;
    for (const char *c = b; c < j->p; c++) {
        if (in_string) {
            *w++ = *c;
            if (*c == '\\')
                *w++ = *++c;
            else if (*c == '"')
                in_string = false;
        } else if (*c != ' ' && *c != '\n' && *c != '\r' && *c != '\t') {
            in_string = *c == '"';
            *w++ = *c;
        }
    }
    *s = d;
    *n = (uint32_t)(w - d);
    return 0;
}

static int decode_typed(jp *j, const sqltype *t, value *out);

/* A growing list of values in the arena (elements, or key/value pairs). */
typedef struct list_build {
    const sqltype *t;
    value_list *l;
    int cap;
} list_build;

static value *list_push(jp *j, list_build *b)
{
    if (b->l->n == b->cap) {
        int cap = b->cap ? b->cap * 2 : 8;
        value *items = arena_alloc(j->a, sizeof(value) * (size_t)cap);
        if (b->l->n)
            memcpy(items, b->l->items, sizeof(value) * (size_t)b->l->n);
        b->l->items = items;
        b->cap = cap;
    }
    return &b->l->items[b->l->n++];
}

static int array_member(jp *j, void *ctx, const char *key, uint32_t klen)
{
    list_build *b = ctx;
    return decode_typed(j, b->t->elem, list_push(j, b));
}

static int map_member(jp *j, void *ctx, const char *key, uint32_t klen)
{
    list_build *b = ctx;
    value *k = list_push(j, b);
    if (scalar_from_text(j, key, klen, false, false, b->t->key, k))
        return -1;
    return decode_typed(j, b->t->value, list_push(j, b));
}

static int struct_member(jp *j, void *ctx, const char *key, uint32_t klen)
{
    list_build *b = ctx;
    for (int i = 0; i < b->t->nfields; i++) {
        const char *name = b->t->fields[i].name;
        if (strlen(name) == klen && !strncasecmp(name, key, klen))
            return decode_typed(j, b->t->fields[i].type, &b->l->items[i]);
    }
    return skip_value(j);
}

static int decode_composite(jp *j, const sqltype *t, value *out)
{
    bool want_object = t->kind != TYPE_ARRAY;
    if (*j->p != (want_object ? '{' : '['))
        return skip_value(j) ? -1 : coerce_fail(j, "(a value of another kind)", 25, t);
    list_build b = {.t = t, .l = arena_alloc(j->a, sizeof(value_list))};
    if (t->kind == TYPE_STRUCT) {
        b.l->n = t->nfields;
        b.l->items = arena_alloc(j->a, sizeof(value) * (size_t)(t->nfields ? t->nfields : 1));
        for (int i = 0; i < t->nfields; i++)
            b.l->items[i] = value_null();
    }
    member_fn each = t->kind == TYPE_ARRAY ? array_member : t->kind == TYPE_MAP ? map_member : struct_member;
    if (walk_composite(j, each, &b))
        return -1;
    if (!b.l->items)
        b.l->items = arena_alloc(j->a, sizeof(value));
    out->null = false;
    out->u.list = b.l;
    return 0;
}

static bool is_integral(type_kind k)
{
    return k == TYPE_BIGINT || k == TYPE_INT || k == TYPE_TIMESTAMP || k == TYPE_DATE || k == TYPE_TIME;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The run of decimal digits that starts the 8 bytes at p: its length in
 * *n (0 to 8) and its value.  Subtracting '0' bytewise leaves digits as
 * 0..9; a byte is one when its low 7 bits plus 0x76 stay below 0x80 and
 * it had no high bit (no carry crosses bytes).  The digits are shifted to
 * the top (zeros before them), then bytes are paired into 2-digit, 4-digit
 * and 8-digit numbers by three multiplications. */
static uint64_t digit_run8(const char *p, int *n)
{
    const uint64_t ones = 0x0101010101010101u;
    uint64_t x;
    memcpy(&x, p, 8);
    x ^= ones * '0';
    uint64_t other = (((x & ones * 0x7f) + ones * 0x76) | x) & ones * 0x80;
    int k = other ? __builtin_ctzll(other) >> 3 : 8;
    *n = k;
    if (k == 0)
        return 0;
    x <<= 8 * (8 - k);
    x = (x * 10 + (x >> 8)) & 0x00ff00ff00ff00ffu;
    x = (x * 100 + (x >> 16)) & 0x0000ffff0000ffffu;
    return (x * 10000 + (x >> 32)) & 0xffffffffu;
}
#endif

/* The run of up to 16 decimal digits at p, its length in *n. */
static uint64_t digit_run(const char *p, const char *end, int *n)
{
    uint64_t v = 0;
    int k = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    static const uint64_t pow10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    if (end - p >= 16) {
        v = digit_run8(p, &k);
        if (k == 8) {
            int k2;
            uint64_t w = digit_run8(p + 8, &k2);
            v = v * pow10[k2] + w;
            k += k2;
        }
        *n = k;
        return v;
    }
#endif
    while (p + k < end && (unsigned)(p[k] - '0') <= 9 && k < 16)
        v = v * 10 + (unsigned)(p[k++] - '0');
    *n = k;
    return v;
}

/* The end of the integer at p when it is the common case: at most 16
 * digits (they cannot overflow), no leading zero, no fraction, no
 * exponent; its value in *l.  NULL for anything else, which the general
 * path then reads (and refuses if it is not JSON). */
static inline const char *integer_end(const char *p, const char *end, int64_t *l)
{
    const char *digits = p + (p < end && *p == '-');
    int nd;
    uint64_t v = digit_run(digits, end, &nd);
    const char *q = digits + nd;
    if (nd == 0 || (nd > 1 && *digits == '0'))
        return NULL;
    if (q < end && ((unsigned)(*q - '0') <= 9 || *q == '.' || *q == 'e' || *q == 'E'))
        return NULL;
    *l = digits > p ? -(int64_t)v : (int64_t)v;
    return q;
}

/* An integer for an integral column, read in one pass when it is the
 * common case (integer_end).  Returns 1 when it read the number into
 * out, -1 with the error set (an INT out of range), 0 (j->p unmoved) for
 * anything else, which the general path then reads. */
static int integer_fast(jp *j, const sqltype *t, value *out)
{
    int64_t l;
    const char *q = integer_end(j->p, j->end, &l);
    if (!q)
        return 0;
    if (t->kind == TYPE_INT && (l < INT32_MIN || l > INT32_MAX))
        return coerce_fail(j, j->p, (uint32_t)(q - j->p), t);
    put_integer(out, t->kind, l);
    j->p = q;
    return 1;
}

static int decode_typed(jp *j, const sqltype *t, value *out)
{
    if (j->p >= j->end)
        return fail(j, "value expected");
    const char *s;
    uint32_t n;
    bool is_int;
    switch (*j->p) {
    case 'n':
        put_null(out);
        return literal(j, "null", 4);
    case '"':
        if (parse_string(j, &s, &n))
            return -1;
        if (t->kind == TYPE_ARRAY || t->kind == TYPE_MAP || t->kind == TYPE_STRUCT)
            return coerce_fail(j, s, n, t);
        return scalar_from_text(j, s, n, false, false, t, out);
    case 't':
    case 'f': {
        bool b = *j->p == 't';
        if (literal(j, b ? "true" : "false", b ? 4 : 5))
            return -1;
        if (t->kind == TYPE_BOOLEAN)
            *out = value_bool(b);
        else if (t->kind == TYPE_STRING)
            *out = value_string(b ? "true" : "false", b ? 4 : 5);
        else
            return coerce_fail(j, b ? "true" : "false", b ? 4 : 5, t);
        return 0;
    }
    case '{':
    case '[':
        if (t->kind == TYPE_STRING) {
            if (composite_text(j, &s, &n))
                return -1;
            put_string(out, s, n);
            return 0;
        }
        if (t->kind != TYPE_ARRAY && t->kind != TYPE_MAP && t->kind != TYPE_STRUCT)
            return skip_value(j) ? -1 : coerce_fail(j, "(an object or array)", 20, t);
        return decode_composite(j, t, out);
    default:
        if (is_integral(t->kind)) {
            int r = integer_fast(j, t, out);
            if (r)
                return r < 0 ? -1 : 0;
        }
        if (parse_number(j, &s, &n, &is_int))
            return -1;
        if (t->kind == TYPE_BOOLEAN || t->kind == TYPE_BYTES || t->kind == TYPE_ARRAY || t->kind == TYPE_MAP ||
            t->kind == TYPE_STRUCT)
            return coerce_fail(j, s, n, t);
        return scalar_from_text(j, s, n, true, is_int, t, out);
    }
}

/* ---- records ------------------------------------------------------------ */

static unsigned char fold(unsigned char c) { return c >= 'A' && c <= 'Z' ? c | 0x20 : c; }

/* Column names folded once (serde_names_new): a name that is plain ASCII
 * (no '"', '\\' or control character) in lower case, zero-padded to whole
 * 8-byte words, and its length; len 0 for the others.  When every name is
 * plain and no two are the same but for case, `slot` is an open-addressing
 * table of the columns by name_hash (-1: empty), so a member that is not
 * the column expected next is found without trying every column. */
struct serde_names {
    int n;
    uint32_t *len;
    uint64_t **folded;
    int *slot; /* NULL: not indexed */
    uint32_t mask;
    /* the value part: its columns, and next_value[i] the first of them
     * at or after column i (n: none), so no record asks column_in_part */
    int nvalue, *value_cols, *next_value;
};

/* A hash of a name ignoring ASCII case: its length and three of its bytes. */
static uint32_t name_hash(const char *p, uint32_t len)
{
    return len * 0x9E3779B1u ^ fold((unsigned char)p[0]) * 0x85EBCA6Bu ^
           fold((unsigned char)p[len - 1]) * 0xC2B2AE35u ^ fold((unsigned char)p[len / 2]) * 0x27D4EB2Fu;
}

/* Whether column name `name` is key[0 .. klen) ignoring ASCII case, as
 * strncasecmp compares in the C locale. */
static bool name_is(const char *name, const char *key, uint32_t klen)
{
    for (uint32_t i = 0; i < klen; i++)
        if (!name[i] || fold((unsigned char)name[i]) != fold((unsigned char)key[i]))
            return false;
    return name[klen] == '\0';
}

/* Fills m->slot, or leaves it NULL when a name is not plain or two names
 * differ only in case (find_column's order decides between those). */
static void names_index(serde_names *m, const schema *s, arena *a)
{
    uint32_t size = 8;
    while (size < 2 * (uint32_t)s->n)
        size *= 2;
    int *slot = arena_alloc(a, sizeof *slot * size);
    for (uint32_t k = 0; k < size; k++)
        slot[k] = -1;
    for (int i = 0; i < s->n; i++) {
        if (!m->len[i])
            return;
        uint32_t k = name_hash(s->cols[i].name, m->len[i]) & (size - 1);
        for (; slot[k] >= 0; k = (k + 1) & (size - 1))
            if (name_is(s->cols[slot[k]].name, s->cols[i].name, m->len[i]))
                return;
        slot[k] = i;
    }
    m->slot = slot;
    m->mask = size - 1;
}

serde_names *serde_names_new(const schema *s, arena *a)
{
    serde_names *m = arena_alloc(a, sizeof *m);
    m->n = s->n;
    m->len = arena_alloc(a, sizeof *m->len * (size_t)(s->n ? s->n : 1));
    m->folded = arena_alloc(a, sizeof *m->folded * (size_t)(s->n ? s->n : 1));
    m->slot = NULL;
    for (int i = 0; i < s->n; i++) {
        const char *name = s->cols[i].name;
        size_t n = strlen(name), k = 0;
        m->len[i] = 0;
        while (k < n && plain_byte((unsigned char)name[k]))
            k++;
        if (k < n || n == 0 || n > 4096)
            continue; /* matched the slow way */
        size_t words = (n + 7) / 8;
        uint8_t *f = arena_alloc(a, words * 8);
        memset(f, 0, words * 8);
        for (k = 0; k < n; k++)
            f[k] = fold((unsigned char)name[k]);
        m->folded[i] = (uint64_t *)f;
        m->len[i] = (uint32_t)n;
    }
    names_index(m, s, a);
    m->nvalue = 0;
    m->value_cols = arena_alloc(a, sizeof(int) * (size_t)(s->n ? s->n : 1));
    m->next_value = arena_alloc(a, sizeof(int) * (size_t)(s->n + 1));
    m->next_value[s->n] = s->n;
    for (int i = s->n - 1; i >= 0; i--)
        m->next_value[i] = column_in_part(&s->cols[i], false) ? i : m->next_value[i + 1];
    for (int i = 0; i < s->n; i++)
        if (column_in_part(&s->cols[i], false))
            m->value_cols[m->nvalue++] = i;
    return m;
}

typedef struct record_ctx {
    const schema *s;
    const serde_names *names; /* or NULL */
    serde_memo *memo;         /* or NULL; only with indexed names */
    bool keys;
    const bool *needed;
    value *row;
    int next; /* the column after the last one matched: members usually come in schema order */
} record_ctx;

/* The column of part c->keys named key[0 .. klen) ignoring case, or -1:
 * looked up in the names' table when there is one, else tried in turn
 * from the column after the last one matched. */
static int find_column(record_ctx *c, const char *key, uint32_t klen)
{
    const serde_names *m = c->names;
    if (m && m->slot) {
        if (klen == 0)
            return -1; /* no name is empty */
        for (uint32_t k = name_hash(key, klen) & m->mask; m->slot[k] >= 0; k = (k + 1) & m->mask) {
            int i = m->slot[k];
            if (m->len[i] == klen && name_is(c->s->cols[i].name, key, klen))
                return column_in_part(&c->s->cols[i], c->keys) ? (c->next = i + 1, i) : -1;
        }
        return -1;
    }
    int n = c->s->n;
    for (int k = 0; k < n; k++) {
        int i = (c->next + k) % n;
        const column *col = &c->s->cols[i];
        if (column_in_part(col, c->keys) && name_is(col->name, key, klen)) {
            c->next = i + 1;
            return i;
        }
    }
    return -1;
}

/* When the key at p (on its opening quote) is `name` byte for byte but
 * for ASCII case, with no escape or other byte a string does not take as
 * it is: the end of the key, else NULL.  The key is then valid JSON and
 * needs no copy, nor a search of the columns. */
static const char *key_is(const char *p, const char *end, const char *name)
{
    for (p++; *name; name++, p++) {
        if (p >= end)
            return NULL;
        unsigned char b = (unsigned char)*p, n = (unsigned char)*name, d = b ^ n;
        if (d == 0 ? !plain_byte(n) : d != 0x20 || (unsigned)((b | 0x20) - 'a') > 'z' - 'a')
            return NULL;
    }
    return p < end && *p == '"' ? p + 1 : NULL;
}

/* key_is for a name folded by serde_names_new, eight bytes at a time: the
 * record's upper-case ASCII letters are made lower case (a byte of 0x41 to
 * 0x5a gets 0x20; the additions cannot carry out of a byte of 7 bits) and
 * the words compared, the last one masked to the name's length.  As the
 * name holds only bytes a string takes as they are, a key equal to it
 * does too. */
static const char *key_is_folded(const char *p, const char *end, const uint64_t *name, uint32_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    p++;
    uint32_t words = (len + 7) / 8;
    if ((size_t)(end - p) < (size_t)words * 8 || (size_t)(end - p) <= len)
        return NULL; /* near the end of the record: the caller goes the slow way */
    for (uint32_t w = 0; w < words; w++) {
        uint64_t x;
        memcpy(&x, p + 8 * w, 8);
        uint64_t low7 = x & ~highs;
        uint64_t upper = (low7 + ones * (0x80 - 'A')) & ~(low7 + ones * (0x80 - 'Z' - 1)) & ~x & highs;
        uint64_t diff = (x | upper >> 2) ^ name[w];
        if (w + 1 == words && len % 8)
            diff &= ~(uint64_t)0 >> (64 - 8 * (len % 8));
        if (diff)
            return NULL;
    }
    return p[len] == '"' ? p + len + 1 : NULL;
#else
    return NULL;
#endif
}

/* The column member k (key at p) named in the last record, or else the
 * one find_column would try first, when the key is its name: the end of
 * the key, g set to the column; else NULL.  A memo is only kept with
 * indexed names, where no two names are the same but for case, so a key
 * equal to a name is that column whichever way it was guessed. */
static inline const char *member_guess(const record_ctx *c, int k, const char *p, const char *end, int *g)
{
    const serde_names *m = c->names;
    const serde_memo *mo = c->memo;
    if (mo && k < mo->n && mo->col[k] >= 0) {
        int i = mo->col[k];
        const char *q = key_is_folded(p, end, m->folded[i], m->len[i]);
        if (q) {
            *g = i;
            return q;
        }
    }
    int i = c->next;
    if (m && !c->keys)
        i = m->next_value[i];
    else
        while (i < c->s->n && !column_in_part(&c->s->cols[i], c->keys))
            i++;
    *g = i;
    if (i >= c->s->n)
        return NULL;
    return m && i < m->n && m->len[i] ? key_is_folded(p, end, m->folded[i], m->len[i])
                                      : key_is(p, end, c->s->cols[i].name);
}

/* The column the member key at j->p names, or -1 (none), with j->p past
 * the key; -2 when the key is not a valid string. */
static int member_column(jp *j, record_ctx *c)
{
    int g;
    const char *q = member_guess(c, INT32_MAX, j->p, j->end, &g);
    if (q) {
        j->p = q;
        c->next = g + 1;
        return g;
    }
    const char *key;
    uint32_t klen;
    if (parse_string(j, &key, &klen))
        return -2;
    return find_column(c, key, klen);
}

/* The value at j->p of a member that names column i (-1: none).  A column
 * the plan does not need is checked as JSON and skipped, not converted:
 * a record that is not valid JSON is refused whatever it holds (ksqlDB
 * parses the whole record), but a value that would not convert to a
 * column the query does not read is not an error. */
static int record_member(jp *j, record_ctx *c, int i)
{
    if (i < 0 || (c->needed && !c->needed[i]))
        return skip_value(j);
    if (decode_typed(j, c->s->cols[i].type, &c->row[i])) {
        if (j->e->code == ERR_FORMAT && strncmp(j->e->msg, "invalid JSON", 12)) {
            char why[sizeof j->e->msg];
            snprintf(why, sizeof why, "%s", j->e->msg);
            err_set(j->e, ERR_FORMAT, "column %s: %s", c->s->cols[i].name, why);
        }
        return -1;
    }
    return 0;
}

/* The common cases of a member's value at p, read without leaving
 * registers: an integer for an integral column, a string without escapes
 * or non-ASCII bytes for a STRING column, and either of them skipped for
 * a member the plan does not need.  The end of the value, or NULL for
 * anything else (record_member reads it then). */
static inline const char *member_value_fast(record_ctx *c, int i, const char *p, const char *end)
{
    bool skip = i < 0 || (c->needed && !c->needed[i]);
    type_kind k = skip ? TYPE_STRING : c->s->cols[i].type->kind;
    int64_t l;
    const char *q;
    if (p >= end)
        return NULL;
    if (*p == '"' && (skip || k == TYPE_STRING)) {
        q = plain_run_end(p + 1, end);
        if (q >= end || *q != '"')
            return NULL;
        if (!skip)
            put_string(&c->row[i], p + 1, (uint32_t)(q - p - 1));
        return q + 1;
    }
    if ((skip || (is_integral(k) && k != TYPE_INT)) && (q = integer_end(p, end, &l))) {
        if (!skip)
            put_integer(&c->row[i], k, l);
        return q;
    }
    return NULL;
}

/* The record's object at j->p ('{'), one member at a time: like
 * walk_composite, but the keys are matched to columns as they are read.
 * The common path keeps its place in a local (a register), not in j. */
static int decode_record(jp *j, record_ctx *c)
{
    if (open_composite(j))
        return -1;
    if (close_composite(j, '}'))
        return 0;
    const char *p = j->p, *end = j->end, *q;
    for (int k = 0;; k++) {
        if (p >= end || *p != '"')
            return j->p = p, fail(j, "object key expected");
        int i;
        if ((q = member_guess(c, k, p, end, &i))) {
            c->next = i + 1;
            p = q;
        } else {
            j->p = p;
            if ((i = member_column(j, c)) == -2)
                return -1;
            p = j->p;
        }
        if (c->memo && k < SERDE_MEMO_MEMBERS) {
            c->memo->col[k] = (int16_t)i;
            if (c->memo->n <= k)
                c->memo->n = k + 1;
        }
        p = ws_end(p, end);
        if (p >= end || *p != ':')
            return j->p = p, fail(j, "':' expected");
        p = ws_end(p + 1, end);
        if ((q = member_value_fast(c, i, p, end)))
            p = q;
        else {
            j->p = p;
            if (record_member(j, c, i))
                return -1;
            p = j->p;
        }
        p = ws_end(p, end);
        if (p < end && *p == ',') {
            p = ws_end(p + 1, end);
            continue;
        }
        j->p = p;
        if (close_composite(j, '}'))
            return 0;
        return fail(j, "',' or '}' expected");
    }
}

int serde__json_decode(const uint8_t *p, int32_t len, const schema *s, const serde_names *names, serde_memo *memo,
                       bool keys, bool unwrapped, const bool *needed, value *row, arena *a, err *e)
{
    jp j = {.start = (const char *)p, .p = (const char *)p, .end = (const char *)p + len, .a = a, .e = e};
    int want = 0, only = -1;
    if (names && !keys) /* the value columns, known in advance */
        for (; want < names->nvalue; want++) {
            only = names->value_cols[want];
            if (!needed || needed[only])
                put_null(&row[only]);
        }
    else
        for (int i = 0; i < s->n; i++)
            if (column_in_part(&s->cols[i], keys)) {
                want++, only = i;
                if (!needed || needed[i])
                    put_null(&row[i]);
            }
    skip_ws(&j);
    int rc;
    /* A single key column is written unwrapped (ksqlDB's JSON keys), and
     * so is a single value column with WRAP_SINGLE_VALUE=false; an object
     * with one field per column otherwise. */
    if ((keys || unwrapped) && want == 1)
        rc = decode_typed(&j, s->cols[only].type, &row[only]);
    else if (j.p < j.end && *j.p == '{') {
        if (!names || !names->slot || keys || s->n > INT16_MAX)
            memo = NULL;
        else if (memo && memo->names != names)
            *memo = (serde_memo){.names = names}; /* learned for another schema: start again */
        record_ctx c = {.s = s, .names = names, .memo = memo, .keys = keys, .needed = needed, .row = row};
        rc = decode_record(&j, &c);
    } else if (skip_value(&j))
        return -1;
    else
        return err_set(e, ERR_FORMAT, "expected a JSON object");
    if (rc)
        return -1;
    skip_ws(&j);
    if (j.p != j.end)
        return fail(&j, "end of input expected");
    return 0;
}

int serde__text_to_value(const char *p, uint32_t n, const sqltype *t, arena *a, value *out, err *e)
{
    jp j = {.start = p, .p = p, .end = p + n, .a = a, .e = e};
    return scalar_from_text(&j, p, n, false, false, t, out);
}
