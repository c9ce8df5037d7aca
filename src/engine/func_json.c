/* func_json.c — JSON functions on JSON text held in STRING values:
 * EXTRACTJSONFIELD, IS_JSON_STRING, JSON_ARRAY_CONTAINS,
 * JSON_ARRAY_LENGTH, JSON_CONCAT, JSON_ITEMS, JSON_KEYS, JSON_RECORDS,
 * and TO_JSON_STRING (any value as JSON text).
 *
 * The text is read by a small parser of our own into an arena tree rather
 * than with jansson, because ksqlDB (Jackson with BigDecimal floats) keeps
 * a number's text as written: EXTRACTJSONFIELD of 1.23450 is "1.23450".
 * Containers are written back compactly, as Jackson's toString does.
 * Text that is not JSON makes these functions return NULL (FALSE for
 * IS_JSON_STRING and JSON_ARRAY_CONTAINS), never an error. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "func_internal.h"
#include "serde.h"
#include "timefmt.h"

#define JSON_MAX_DEPTH 128

typedef struct jnode jnode;
struct jnode {
    char kind;        /* o(bject) a(rray) s(tring) n(umber) t(rue) f(alse) z (null) */
    const char *text; /* string: decoded; number: as written */
    size_t len;
    int n;            /* children (objects: key/value pairs count) */
    jnode *kids;      /* array elements, or object values */
    jnode *keys;      /* object keys (kind 's') */
};

typedef struct jparser {
    const char *p;
    size_t n, at;
    arena *a;
    int depth;
} jparser;

static void skip_ws(jparser *j)
{
    while (j->at < j->n && (j->p[j->at] == ' ' || j->p[j->at] == '\t' || j->p[j->at] == '\n' || j->p[j->at] == '\r'))
        j->at++;
}

static void put_utf8(buf *b, unsigned cp)
{
    if (cp < 0x80)
        buf_putc(b, (char)cp);
    else if (cp < 0x800) {
        buf_putc(b, (char)(0xC0 | cp >> 6));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xE0 | cp >> 12));
        buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_putc(b, (char)(0xF0 | cp >> 18));
        buf_putc(b, (char)(0x80 | (cp >> 12 & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp >> 6 & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

static int parse_string(jparser *j, jnode *out)
{
    if (j->at >= j->n || j->p[j->at] != '"')
        return -1;
    j->at++;
    buf b = BUF_INIT;
    int rc = -1;
    while (j->at < j->n) {
        unsigned char c = (unsigned char)j->p[j->at++];
        if (c == '"') {
            rc = 0;
            break;
        }
        if (c < 0x20)
            break;
        if (c != '\\') {
            buf_putc(&b, (char)c);
            continue;
        }
        if (j->at >= j->n)
            break;
        char e = j->p[j->at++];
        const char *map = strchr("\"\\/bfnrt", e);
        if (map && e != 'u') {
            static const char repl[] = "\"\\/\b\f\n\r\t";
            buf_putc(&b, repl[map - "\"\\/bfnrt"]);
            continue;
        }
        unsigned cp, lo;
        if (e != 'u' || j->at + 4 > j->n || serde_hex4(j->p + j->at, &cp))
            break;
        j->at += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && j->at + 6 <= j->n && j->p[j->at] == '\\' && j->p[j->at + 1] == 'u' &&
            !serde_hex4(j->p + j->at + 2, &lo) && lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            j->at += 6;
        }
        put_utf8(&b, cp);
    }
    if (rc == 0) {
        out->kind = 's';
        out->text = arena_strndup(j->a, b.data ? b.data : "", b.len);
        out->len = b.len;
    }
    buf_free(&b);
    return rc;
}

static int parse_number(jparser *j, jnode *out)
{
    size_t s = j->at;
    const char *p = j->p;
    if (j->at < j->n && p[j->at] == '-')
        j->at++;
    size_t d = j->at;
    while (j->at < j->n && isdigit((unsigned char)p[j->at]))
        j->at++;
    if (j->at == d || (p[d] == '0' && j->at - d > 1))
        return -1;
    if (j->at < j->n && p[j->at] == '.') {
        size_t f = ++j->at;
        while (j->at < j->n && isdigit((unsigned char)p[j->at]))
            j->at++;
        if (j->at == f)
            return -1;
    }
    if (j->at < j->n && (p[j->at] == 'e' || p[j->at] == 'E')) {
        j->at++;
        if (j->at < j->n && (p[j->at] == '+' || p[j->at] == '-'))
            j->at++;
        size_t x = j->at;
        while (j->at < j->n && isdigit((unsigned char)p[j->at]))
            j->at++;
        if (j->at == x)
            return -1;
    }
    out->kind = 'n';
    out->text = p + s;
    out->len = j->at - s;
    return 0;
}

static int parse_value(jparser *j, jnode *out);

/* Reads the members of an array (or object, with keys) into arena arrays. */
static int parse_container(jparser *j, jnode *out, bool object)
{
    char close = object ? '}' : ']';
    j->at++;
    int cap = 0;
    out->kind = object ? 'o' : 'a';
    skip_ws(j);
    if (j->at < j->n && j->p[j->at] == close) {
        j->at++;
        return 0;
    }
    for (;;) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 4;
            jnode *k = arena_alloc(j->a, sizeof *k * (size_t)cap);
            jnode *kk = object ? arena_alloc(j->a, sizeof *kk * (size_t)cap) : NULL;
            if (out->n) {
                memcpy(k, out->kids, sizeof *k * (size_t)out->n);
                if (object)
                    memcpy(kk, out->keys, sizeof *kk * (size_t)out->n);
            }
            out->kids = k, out->keys = kk;
        }
        skip_ws(j);
        if (object) {
            if (parse_string(j, &out->keys[out->n]))
                return -1;
            skip_ws(j);
            if (j->at >= j->n || j->p[j->at++] != ':')
                return -1;
        }
        if (parse_value(j, &out->kids[out->n]))
            return -1;
        out->n++;
        skip_ws(j);
        if (j->at >= j->n)
            return -1;
        char c = j->p[j->at++];
        if (c == close)
            return 0;
        if (c != ',')
            return -1;
    }
}

static int parse_value(jparser *j, jnode *out)
{
    memset(out, 0, sizeof *out);
    skip_ws(j);
    if (j->at >= j->n || ++j->depth > JSON_MAX_DEPTH)
        return -1;
    int rc;
    char c = j->p[j->at];
    if (c == '{' || c == '[')
        rc = parse_container(j, out, c == '{');
    else if (c == '"')
        rc = parse_string(j, out);
    else if (c == '-' || isdigit((unsigned char)c))
        rc = parse_number(j, out);
    else {
        static const struct {
            const char *word;
            char kind;
        } words[] = {{"true", 't'}, {"false", 'f'}, {"null", 'z'}};
        rc = -1;
        for (int i = 0; i < 3; i++) {
            size_t l = strlen(words[i].word);
            if (j->at + l <= j->n && !memcmp(j->p + j->at, words[i].word, l)) {
                out->kind = words[i].kind;
                j->at += l;
                rc = 0;
            }
        }
    }
    j->depth--;
    return rc;
}

/* The tree of the JSON value the text starts with, or NULL when it does
 * not start with one.  Text after that value is ignored, as Jackson's
 * readTree (which ksqlDB's functions use) ignores trailing tokens. */
static jnode *json_parse_text(const value *v, arena *a)
{
    jparser j = {v->u.s.p, v->u.s.len, 0, a, 0};
    jnode *root = arena_alloc(a, sizeof *root);
    return parse_value(&j, root) ? NULL : root;
}

/* Compact JSON text of a node. */
static void json_write(const jnode *x, buf *out)
{
    switch (x->kind) {
    case 'o':
    case 'a':
        buf_putc(out, x->kind == 'o' ? '{' : '[');
        for (int i = 0; i < x->n; i++) {
            if (i)
                buf_putc(out, ',');
            if (x->kind == 'o') {
                serde_json_string(x->keys[i].text, x->keys[i].len, out);
                buf_putc(out, ':');
            }
            json_write(&x->kids[i], out);
        }
        buf_putc(out, x->kind == 'o' ? '}' : ']');
        break;
    case 's': serde_json_string(x->text, x->len, out); break;
    case 'n': buf_append(out, x->text, x->len); break;
    case 't': buf_puts(out, "true"); break;
    case 'f': buf_puts(out, "false"); break;
    default: buf_puts(out, "null");
    }
}

static value buf_value(eval_ctx *cx, buf *b)
{
    value v = func_string_copy(cx, b->data ? b->data : "", b->len);
    buf_free(b);
    return v;
}

/* A node as ksqlDB's functions return it in a STRING: a string node's
 * text, anything else its JSON text. */
static value node_text(const jnode *x, eval_ctx *cx)
{
    if (x->kind == 's')
        return value_string(x->text, (uint32_t)x->len);
    buf b = BUF_INIT;
    json_write(x, &b);
    return buf_value(cx, &b);
}

static int null_out(value *out)
{
    *out = value_null();
    return 0;
}

/* ---- JSON path ($.a.b[0]['c']) ----------------------------------------------- */

static const jnode *object_get(const jnode *o, const char *name, size_t len)
{
    if (o->kind != 'o')
        return NULL;
    for (int i = 0; i < o->n; i++)
        if (o->keys[i].len == len && !memcmp(o->keys[i].text, name, len))
            return &o->kids[i];
    return NULL;
}

/* Follows the path from x; NULL when a step is missing or the path is
 * malformed. */
static const jnode *json_path(const jnode *x, const char *p, size_t n)
{
    size_t i = 0;
    if (i < n && p[i] == '$')
        i++;
    while (x && i < n) {
        if (p[i] == '.') {
            size_t s = ++i;
            while (i < n && p[i] != '.' && p[i] != '[')
                i++;
            x = object_get(x, p + s, i - s);
        } else if (p[i] == '[') {
            i++;
            if (i < n && (p[i] == '\'' || p[i] == '"')) {
                char q = p[i++];
                size_t s = i;
                while (i < n && p[i] != q)
                    i++;
                if (i + 1 >= n || p[i + 1] != ']')
                    return NULL;
                x = object_get(x, p + s, i - s);
                i += 2;
                continue;
            }
            size_t s = i;
            long idx = 0;
            while (i < n && isdigit((unsigned char)p[i]))
                idx = idx * 10 + (p[i++] - '0');
            if (i == s || i >= n || p[i] != ']' || idx > 1000000000L)
                return NULL;
            i++;
            x = x->kind == 'a' && idx < x->n ? &x->kids[idx] : NULL;
        } else
            return NULL;
    }
    return x;
}

/* ---- result types --------------------------------------------------------- */

static const sqltype *res_string_to_bool(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return func_need(a[0], TYPE_STRING, "a STRING", why, wn) ? types_scalar(TYPE_BOOLEAN) : NULL;
}

static const sqltype *res_string_to_int(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return func_need(a[0], TYPE_STRING, "a STRING", why, wn) ? types_scalar(TYPE_INT) : NULL;
}

static const sqltype *res_string_array(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return func_need(a[0], TYPE_STRING, "a STRING", why, wn) ? types_array(ar, types_scalar(TYPE_STRING)) : NULL;
}

static const sqltype *res_records(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    const sqltype *s = types_scalar(TYPE_STRING);
    return func_need(a[0], TYPE_STRING, "a STRING", why, wn) ? types_map(ar, s, s) : NULL;
}

static const sqltype *res_contains(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!func_need(a[0], TYPE_STRING, "a STRING and a primitive value", why, wn))
        return NULL;
    type_kind k = a[1]->kind;
    if (k == TYPE_ARRAY || k == TYPE_MAP || k == TYPE_STRUCT) {
        snprintf(why, wn, "expects a STRING and a primitive value");
        return NULL;
    }
    return types_scalar(TYPE_BOOLEAN);
}

static const sqltype *res_any_to_string(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return types_scalar(TYPE_STRING);
}

/* ---- evaluators ------------------------------------------------------------- */

static int f_extract(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, 2))
        return null_out(out);
    const jnode *root = json_parse_text(&v[0], cx->a);
    const jnode *x = root ? json_path(root, v[1].u.s.p, v[1].u.s.len) : NULL;
    if (!x || x->kind == 'z')
        return null_out(out);
    *out = node_text(x, cx);
    return 0;
}

static int f_is_json(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    *out = value_bool(!v[0].null && json_parse_text(&v[0], cx->a) != NULL);
    return 0;
}

static int f_array_length(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    const jnode *x = v[0].null ? NULL : json_parse_text(&v[0], cx->a);
    if (!x || x->kind != 'a')
        return null_out(out);
    *out = value_int(x->n);
    return 0;
}

/* Whether JSON node x equals SQL value w of type t (numbers by value). */
static bool node_equals(const jnode *x, const value *w, const sqltype *t)
{
    if (w->null)
        return x->kind == 'z';
    switch (t->kind) {
    case TYPE_BOOLEAN: return (x->kind == 't' && w->u.b) || (x->kind == 'f' && !w->u.b);
    case TYPE_STRING: return x->kind == 's' && x->len == w->u.s.len && !memcmp(x->text, w->u.s.p, x->len);
    case TYPE_INT:
    case TYPE_BIGINT: {
        if (x->kind != 'n' || memchr(x->text, '.', x->len) || memchr(x->text, 'e', x->len) ||
            memchr(x->text, 'E', x->len))
            return false;
        char tmp[32];
        if (x->len >= sizeof tmp)
            return false;
        memcpy(tmp, x->text, x->len);
        tmp[x->len] = '\0';
        return strtoll(tmp, NULL, 10) == (t->kind == TYPE_INT ? w->u.i : w->u.l);
    }
    case TYPE_DOUBLE:
    case TYPE_DECIMAL: {
        if (x->kind != 'n')
            return false;
        char tmp[64];
        size_t l = x->len < sizeof tmp - 1 ? x->len : sizeof tmp - 1;
        memcpy(tmp, x->text, l);
        tmp[l] = '\0';
        return strtod(tmp, NULL) == value_as_double(w, t);
    }
    default: return false;
    }
}

static int f_array_contains(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    *out = value_bool(false);
    const jnode *x = v[0].null ? NULL : json_parse_text(&v[0], cx->a);
    if (!x || x->kind != 'a')
        return 0;
    for (int i = 0; i < x->n; i++)
        if (node_equals(&x->kids[i], &v[1], c->args[1]->type)) {
            *out = value_bool(true);
            return 0;
        }
    return 0;
}

/* Merges objects into one (a later key replaces an earlier one in place),
 * or, when any argument is not an object, concatenates them as arrays
 * (a non-array counts as a one-element array). */
static int f_concat(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    const jnode **xs = arena_alloc(cx->a, sizeof *xs * (size_t)c->nargs);
    bool all_objects = true;
    int total = 0;
    for (int i = 0; i < c->nargs; i++) {
        if (v[i].null || !(xs[i] = json_parse_text(&v[i], cx->a)))
            return null_out(out);
        all_objects = all_objects && xs[i]->kind == 'o';
        total += xs[i]->kind == 'o' || xs[i]->kind == 'a' ? xs[i]->n : 1;
    }
    jnode r = {.kind = all_objects ? 'o' : 'a'};
    r.kids = arena_alloc(cx->a, sizeof(jnode) * (size_t)(total ? total : 1));
    r.keys = all_objects ? arena_alloc(cx->a, sizeof(jnode) * (size_t)(total ? total : 1)) : NULL;
    for (int i = 0; i < c->nargs; i++) {
        const jnode *x = xs[i];
        if (!all_objects && x->kind != 'a') {
            r.kids[r.n++] = *x;
            continue;
        }
        for (int k = 0; k < x->n; k++) {
            int at = r.n;
            if (all_objects)
                for (int m = 0; m < r.n; m++)
                    if (r.keys[m].len == x->keys[k].len && !memcmp(r.keys[m].text, x->keys[k].text, r.keys[m].len))
                        at = m;
            if (all_objects)
                r.keys[at] = x->keys[k];
            r.kids[at] = x->kids[k];
            if (at == r.n)
                r.n++;
        }
    }
    buf b = BUF_INIT;
    json_write(&r, &b);
    *out = buf_value(cx, &b);
    return 0;
}

static value_list *new_list(eval_ctx *cx, int n)
{
    value_list *l = arena_alloc(cx->a, sizeof *l);
    l->items = arena_alloc(cx->a, sizeof(value) * (size_t)(n ? n : 1));
    return l;
}

static int f_items(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    const jnode *x = v[0].null ? NULL : json_parse_text(&v[0], cx->a);
    if (!x || x->kind != 'a')
        return null_out(out);
    value_list *l = new_list(cx, x->n);
    for (int i = 0; i < x->n; i++) {
        buf b = BUF_INIT;
        json_write(&x->kids[i], &b);
        l->items[l->n++] = buf_value(cx, &b);
    }
    out->null = false;
    out->u.list = l;
    return 0;
}

static int f_keys(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    const jnode *x = v[0].null ? NULL : json_parse_text(&v[0], cx->a);
    if (!x || x->kind != 'o')
        return null_out(out);
    value_list *l = new_list(cx, x->n);
    for (int i = 0; i < x->n; i++)
        l->items[l->n++] = value_string(x->keys[i].text, (uint32_t)x->keys[i].len);
    out->null = false;
    out->u.list = l;
    return 0;
}

static int f_records(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    const jnode *x = v[0].null ? NULL : json_parse_text(&v[0], cx->a);
    if (!x || x->kind != 'o')
        return null_out(out);
    value_list *l = new_list(cx, 2 * x->n);
    for (int i = 0; i < x->n; i++) {
        l->items[l->n++] = value_string(x->keys[i].text, (uint32_t)x->keys[i].len);
        l->items[l->n++] = x->kids[i].kind == 'z' ? value_null() : node_text(&x->kids[i], cx);
    }
    out->null = false;
    out->u.list = l;
    return 0;
}

/* TO_JSON_STRING writes like the JSON format, except that DATE, TIME and
 * TIMESTAMP become their ISO text in quotes, as ksqlDB's does. */
static void to_json(const value *v, const sqltype *t, buf *out)
{
    if (v->null) {
        buf_puts(out, "null");
        return;
    }
    switch (t->kind) {
    case TYPE_DATE:
    case TYPE_TIME:
    case TYPE_TIMESTAMP: {
        buf tmp = BUF_INIT;
        value_to_text(v, t, &tmp);
        serde_json_string(tmp.data ? tmp.data : "", tmp.len, out);
        buf_free(&tmp);
        return;
    }
    case TYPE_ARRAY:
        buf_putc(out, '[');
        for (int i = 0; i < v->u.list->n; i++) {
            if (i)
                buf_putc(out, ',');
            to_json(&v->u.list->items[i], t->elem, out);
        }
        buf_putc(out, ']');
        return;
    case TYPE_MAP:
        buf_putc(out, '{');
        for (int i = 0; i + 1 < v->u.list->n; i += 2) {
            if (i)
                buf_putc(out, ',');
            buf tmp = BUF_INIT;
            value_to_text(&v->u.list->items[i], t->key, &tmp);
            serde_json_string(tmp.data ? tmp.data : "", tmp.len, out);
            buf_free(&tmp);
            buf_putc(out, ':');
            to_json(&v->u.list->items[i + 1], t->value, out);
        }
        buf_putc(out, '}');
        return;
    case TYPE_STRUCT:
        buf_putc(out, '{');
        for (int i = 0; i < t->nfields && i < v->u.list->n; i++) {
            if (i)
                buf_putc(out, ',');
            serde_json_string(t->fields[i].name, strlen(t->fields[i].name), out);
            buf_putc(out, ':');
            to_json(&v->u.list->items[i], t->fields[i].type, out);
        }
        buf_putc(out, '}');
        return;
    default: serde_value_to_json_text(v, t, out);
    }
}

static int f_to_json_string(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    buf b = BUF_INIT;
    to_json(&v[0], c->args[0]->type, &b);
    *out = buf_value(cx, &b);
    return 0;
}

#define JSON_FUNCTIONS(X)                                                                                     \
    X(EXTRACTJSONFIELD, 2, 2, func_res_string, f_extract, "EXTRACTJSONFIELD(STRING json, STRING path) -> STRING", \
      "json", "The value at a JSONPath ($.a.b[0]) as text; NULL when missing or not JSON.")                  \
    X(IS_JSON_STRING, 1, 1, res_string_to_bool, f_is_json, "IS_JSON_STRING(STRING) -> BOOLEAN", "json",      \
      "Whether the text is valid JSON.")                                                                       \
    X(JSON_ARRAY_CONTAINS, 2, 2, res_contains, f_array_contains,                                              \
      "JSON_ARRAY_CONTAINS(STRING json, value) -> BOOLEAN", "json",                                           \
      "Whether the JSON array holds the value.")                                                               \
    X(JSON_ARRAY_LENGTH, 1, 1, res_string_to_int, f_array_length, "JSON_ARRAY_LENGTH(STRING json) -> INT",   \
      "json", "The number of elements of a JSON array; NULL for anything else.")                              \
    X(JSON_CONCAT, 1, -1, func_res_string, f_concat, "JSON_CONCAT(STRING json, ...) -> STRING", "json",      \
      "Objects merged, or else the values concatenated as one array.")                                        \
    X(JSON_ITEMS, 1, 1, res_string_array, f_items, "JSON_ITEMS(STRING json) -> ARRAY<STRING>", "json",       \
      "The elements of a JSON array, each as JSON text.")                                                     \
    X(JSON_KEYS, 1, 1, res_string_array, f_keys, "JSON_KEYS(STRING json) -> ARRAY<STRING>", "json",          \
      "The keys of a JSON object.")                                                                            \
    X(JSON_RECORDS, 1, 1, res_records, f_records, "JSON_RECORDS(STRING json) -> MAP<STRING, STRING>", "json", \
      "The entries of a JSON object, values as text.")                                                        \
    X(TO_JSON_STRING, 1, 1, res_any_to_string, f_to_json_string, "TO_JSON_STRING(any) -> STRING", "json",    \
      "The value as JSON text.")

FUNC_FAMILY(func_json_family, JSON_FUNCTIONS);
