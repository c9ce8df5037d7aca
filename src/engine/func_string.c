/* func_string.c — string functions (ksqlDB's "Strings" functions).
 *
 * Strings are UTF-8; positions and lengths count characters (code
 * points), where ksqlDB's Java counts UTF-16 units — the two differ only
 * for characters outside the Basic Multilingual Plane.  Case conversion
 * (UCASE, LCASE, INITCAP) changes ASCII letters only.  Regular expression
 * functions live in func_regex.c.
 *
 * CONCAT, CONCAT_WS, LEN, SUBSTRING, LPAD and RPAD also take BYTES (all
 * their text arguments BYTES), as ksqlDB's overloads do; positions and
 * lengths then count bytes.  TO_BYTES / FROM_BYTES convert between STRING
 * and BYTES, and INT_ / BIGINT_ / DOUBLE_FROM_BYTES read numbers.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "func_internal.h"

/* ---- helpers ------------------------------------------------------------ */

static int null_out(value *out)
{
    *out = value_null();
    return 0;
}

/* The byte offset of character number `n` (0-based) in s, or len. */
static uint32_t u8_offset(const char *s, uint32_t len, int64_t n)
{
    uint32_t i = 0;
    while (i < len && n > 0) {
        i++;
        while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        n--;
    }
    return i;
}

static int64_t u8_count(const char *s, uint32_t len)
{
    int64_t n = 0;
    for (uint32_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Characters of a STRING, or bytes of a BYTES value (`bytes`). */
static int64_t units(bool bytes, const char *s, uint32_t len) { return bytes ? len : u8_count(s, len); }

/* The byte offset of unit n (characters, or bytes for BYTES), or len. */
static uint32_t unit_offset(bool bytes, const char *s, uint32_t len, int64_t n)
{
    if (bytes)
        return n < 0 ? 0 : n > len ? len : (uint32_t)n;
    return u8_offset(s, len, n);
}

static bool of_bytes(const expr *c) { return c->args[0]->type->kind == TYPE_BYTES; }

/* Appends code point cp as UTF-8 to d; returns the bytes written. */
static int u8_put(char *d, uint32_t cp)
{
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | cp >> 6);
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | cp >> 12);
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | cp >> 18);
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static value_list *new_list(eval_ctx *cx, int n)
{
    value_list *l = arena_alloc(cx->a, sizeof *l);
    l->n = n;
    l->items = arena_alloc(cx->a, sizeof(value) * (size_t)(n ? n : 1));
    return l;
}

static value list_value(const value_list *l)
{
    value v = {.u.list = l};
    return v;
}

static bool str_eq(const value *a, const char *b)
{
    return a->u.s.len == strlen(b) && strncasecmp(a->u.s.p, b, a->u.s.len) == 0;
}

/* ---- result types ------------------------------------------------------- */

static bool is(const sqltype *t, type_kind k) { return t->kind == k || t->kind == TYPE_NULL; }

/* Argument i is STRING when sig[i] is 's', INT when 'i'; sig's last
 * letter repeats for variadic calls. */
static bool args_match(const sqltype **a, int n, const char *sig)
{
    size_t m = strlen(sig);
    for (int i = 0; i < n; i++) {
        char k = sig[(size_t)i < m ? (size_t)i : m - 1];
        if (!is(a[i], k == 'i' ? TYPE_INT : TYPE_STRING))
            return false;
    }
    return true;
}

/* Like args_match, where 'b' stands for STRING or BYTES: every 'b'
 * argument must be of the same one of the two, which *kind gets (STRING
 * when they are all NULL). */
static bool text_args_match(const sqltype **a, int n, const char *sig, type_kind *kind)
{
    size_t m = strlen(sig);
    *kind = TYPE_NULL;
    for (int i = 0; i < n; i++) {
        char k = sig[(size_t)i < m ? (size_t)i : m - 1];
        type_kind t = a[i]->kind;
        if (k != 'b') {
            if (!is(a[i], k == 'i' ? TYPE_INT : TYPE_STRING))
                return false;
        } else if (t != TYPE_NULL) {
            if ((t != TYPE_STRING && t != TYPE_BYTES) || (*kind != TYPE_NULL && *kind != t))
                return false;
            *kind = t;
        }
    }
    if (*kind == TYPE_NULL)
        *kind = TYPE_STRING;
    return true;
}

/* A resolver over 'b' arguments: the result is INT when `to_int`, else
 * the arguments' kind (STRING or BYTES). */
#define RES_TEXT(fname, sig, to_int, what)                                                   \
    static const sqltype *fname(const sqltype **a, int n, arena *ar, char *why, size_t wn)   \
    {                                                                                        \
        type_kind k;                                                                         \
        if (text_args_match(a, n, sig, &k))                                                  \
            return types_scalar(to_int ? TYPE_INT : k);                                      \
        snprintf(why, wn, "expects %s", what);                                               \
        return NULL;                                                                         \
    }
RES_TEXT(res_len, "b", true, "a STRING")
RES_TEXT(res_substring, "bii", false, "(STRING, INT [, INT])")
RES_TEXT(res_pad, "bib", false, "(STRING, INT, STRING)")
RES_TEXT(res_concat, "b", false, "STRING arguments")

static const sqltype *res_to_bytes(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (args_match(a, n, "s"))
        return types_scalar(TYPE_BYTES);
    snprintf(why, wn, "expects (STRING, STRING)");
    return NULL;
}

static const sqltype *res_from_bytes(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (is(a[0], TYPE_BYTES) && is(a[1], TYPE_STRING))
        return types_scalar(TYPE_STRING);
    snprintf(why, wn, "expects (BYTES, STRING)");
    return NULL;
}

/* INT_FROM_BYTES and kin: (BYTES [, STRING byte order]). */
static const sqltype *res_num_bytes(const sqltype **a, int n, type_kind k, char *why, size_t wn)
{
    if (is(a[0], TYPE_BYTES) && (n < 2 || is(a[1], TYPE_STRING)))
        return types_scalar(k);
    snprintf(why, wn, "expects (BYTES [, STRING])");
    return NULL;
}
static const sqltype *res_int_bytes(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return res_num_bytes(a, n, TYPE_INT, why, wn);
}
static const sqltype *res_bigint_bytes(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return res_num_bytes(a, n, TYPE_BIGINT, why, wn);
}
static const sqltype *res_double_bytes(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return res_num_bytes(a, n, TYPE_DOUBLE, why, wn);
}

#define RES(fname, sig, result, what)                                                        \
    static const sqltype *fname(const sqltype **a, int n, arena *ar, char *why, size_t wn)   \
    {                                                                                        \
        if (args_match(a, n, sig))                                                           \
            return result;                                                                   \
        snprintf(why, wn, "expects %s", what);                                               \
        return NULL;                                                                         \
    }
RES(res_instr, "ssii", types_scalar(TYPE_INT), "(STRING, STRING [, INT [, INT]])")
RES(res_mask, "s", types_scalar(TYPE_STRING), "STRING arguments")
RES(res_mask_n, "sis", types_scalar(TYPE_STRING), "(STRING, INT [, STRING ...])")
RES(res_split, "s", types_array(ar, types_scalar(TYPE_STRING)), "(STRING, STRING)")
RES(res_split_map, "s", types_map(ar, types_scalar(TYPE_STRING), types_scalar(TYPE_STRING)), "three STRINGs")
RES(res_elt, "is", types_scalar(TYPE_STRING), "(INT, STRING, ...)")
RES(res_field, "s", types_scalar(TYPE_INT), "STRING arguments")

static const sqltype *res_chr(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (is(a[0], TYPE_INT) || a[0]->kind == TYPE_STRING)
        return types_scalar(TYPE_STRING);
    snprintf(why, wn, "expects an INT code point or a STRING '\\uXXXX'");
    return NULL;
}

static const sqltype *res_none(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return types_scalar(TYPE_STRING);
}

/* ---- case, length, trimming --------------------------------------------- */

static int f_case(const value *v, eval_ctx *cx, value *out, int (*conv)(int))
{
    if (v[0].null)
        return null_out(out);
    char *p = arena_alloc(cx->a, v[0].u.s.len + 1);
    for (uint32_t i = 0; i < v[0].u.s.len; i++) {
        unsigned char ch = (unsigned char)v[0].u.s.p[i];
        p[i] = ch < 0x80 ? (char)conv(ch) : (char)ch;
    }
    *out = value_string(p, v[0].u.s.len);
    return 0;
}

static int f_ucase(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_case(v, cx, out, toupper); }
static int f_lcase(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_case(v, cx, out, tolower); }

/* INITCAP: the first letter of each whitespace-delimited word upper case,
 * the other letters lower case. */
static int f_initcap(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (f_case(v, cx, out, tolower) || out->null)
        return 0;
    char *p = (char *)out->u.s.p;
    bool start = true;
    for (uint32_t i = 0; i < out->u.s.len; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (start && ch < 0x80)
            p[i] = (char)toupper(ch);
        start = isspace(ch) != 0;
    }
    return 0;
}

static int f_len(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null)
        return null_out(out);
    *out = value_int((int32_t)units(of_bytes(c), v[0].u.s.p, v[0].u.s.len));
    return 0;
}

/* Java's String.trim: strips characters up to and including the space. */
static int f_trim(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null)
        return null_out(out);
    const char *p = v[0].u.s.p;
    uint32_t len = v[0].u.s.len;
    while (len && (unsigned char)*p <= ' ')
        p++, len--;
    while (len && (unsigned char)p[len - 1] <= ' ')
        len--;
    *out = value_string(p, len);
    return 0;
}

/* ---- joining and cutting ------------------------------------------------ */

/* Joins the non-NULL values v[from..n) with sep between them. */
static value join(eval_ctx *cx, const value *v, int from, int n, const char *sep, uint32_t seplen)
{
    size_t total = 0;
    int parts = 0;
    for (int i = from; i < n; i++)
        if (!v[i].null)
            total += v[i].u.s.len + (parts++ ? seplen : 0);
    char *p = arena_alloc(cx->a, total + 1), *w = p;
    parts = 0;
    for (int i = from; i < n; i++) {
        if (v[i].null)
            continue;
        if (parts++) {
            memcpy(w, sep, seplen);
            w += seplen;
        }
        memcpy(w, v[i].u.s.p, v[i].u.s.len);
        w += v[i].u.s.len;
    }
    return value_string(p, (uint32_t)total);
}

/* CONCAT skips NULL arguments, as ksqlDB's does. */
static int f_concat(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    *out = join(cx, v, 0, c->nargs, "", 0);
    return 0;
}

/* CONCAT_WS(sep, ...): NULL separator -> NULL; NULL values are skipped. */
static int f_concat_ws(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null)
        return null_out(out);
    *out = join(cx, v, 1, c->nargs, v[0].u.s.p, v[0].u.s.len);
    return 0;
}

/* SUBSTRING(s, pos [, len]): 1-based; a negative pos counts from the end. */
static int f_substring(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, c->nargs))
        return null_out(out);
    const char *s = v[0].u.s.p;
    bool bytes = of_bytes(c);
    int64_t len = units(bytes, s, v[0].u.s.len), pos = v[1].u.i;
    int64_t start = pos > 0 ? pos - 1 : pos < 0 ? len + pos : 0;
    if (start < 0)
        start = 0;
    if (start > len)
        start = len;
    int64_t count = c->nargs > 2 ? v[2].u.i : len - start;
    if (count < 0)
        count = 0;
    if (start + count > len)
        count = len - start;
    uint32_t b = unit_offset(bytes, s, v[0].u.s.len, start);
    uint32_t e = b + unit_offset(bytes, s + b, v[0].u.s.len - b, count);
    *out = value_string(s + b, e - b);
    return 0;
}

/* Byte offset of the first match of needle in hay at or after byte `from`
 * (-1 when none); with `back`, the last match starting at or before it. */
static int64_t find(const char *hay, int64_t hlen, const char *needle, int64_t nlen, int64_t from, bool back)
{
    /* candidates are the places of the needle's first byte (memchr,
     * memrchr), not every byte: SPLIT(url, '/') scans the url once */
    if (!back) {
        int64_t i = from < 0 ? 0 : from;
        if (nlen == 0)
            return i <= hlen ? i : -1;
        while (i + nlen <= hlen) {
            const char *c = memchr(hay + i, needle[0], (size_t)(hlen - nlen + 1 - i));
            if (!c)
                return -1;
            i = c - hay;
            if (!memcmp(c + 1, needle + 1, (size_t)nlen - 1))
                return i;
            i++;
        }
        return -1;
    }
    int64_t i = from > hlen - nlen ? hlen - nlen : from;
    if (nlen == 0)
        return i >= 0 ? i : -1;
    while (i >= 0) {
        const char *c = memrchr(hay, needle[0], (size_t)i + 1);
        if (!c)
            return -1;
        i = c - hay;
        if (!memcmp(c + 1, needle + 1, (size_t)nlen - 1))
            return i;
        i--;
    }
    return -1;
}

/* INSTR(s, sub [, pos [, occurrence]]): the 1-based character position of
 * the occurrence-th match searching forward from pos, or backward from
 * the pos-th character from the end when pos is negative; 0 when absent
 * and (as ksqlDB's int result cannot be NULL) when s or sub is NULL. */
static int f_instr(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    *out = value_int(0);
    if (v[0].null || v[1].null || (c->nargs > 2 && v[2].null) || (c->nargs > 3 && v[3].null))
        return c->nargs > 2 && !v[0].null && !v[1].null ? null_out(out) : 0;
    const char *s = v[0].u.s.p;
    int64_t slen = v[0].u.s.len, chars = u8_count(s, v[0].u.s.len);
    int64_t pos = c->nargs > 2 ? v[2].u.i : 1, nth = c->nargs > 3 ? v[3].u.i : 1;
    if (nth <= 0 || pos == 0)
        return 0;
    bool back = pos < 0;
    int64_t from_char = back ? chars + pos : pos - 1;
    if (from_char < 0 || (!back && from_char > chars))
        return 0;
    int64_t at = u8_offset(s, (uint32_t)slen, from_char);
    for (int64_t k = 0; k < nth; k++) {
        at = find(s, slen, v[1].u.s.p, v[1].u.s.len, at, back);
        if (at < 0)
            return 0;
        if (k + 1 < nth)
            at += back ? -1 : 1;
    }
    *out = value_int((int32_t)u8_count(s, (uint32_t)at) + 1);
    return 0;
}

/* LPAD/RPAD(s, len, pad): s cut or padded to len characters with pad
 * repeated; NULL for a NULL argument, an empty pad or a negative len. */
static int f_pad(const expr *c, const value *v, eval_ctx *cx, value *out, bool left)
{
    if (func_any_null(v, 3) || v[2].u.s.len == 0 || v[1].u.i < 0)
        return null_out(out);
    const char *s = v[0].u.s.p, *pad = v[2].u.s.p;
    bool bytes = of_bytes(c);
    int64_t want = v[1].u.i, have = units(bytes, s, v[0].u.s.len);
    if (have >= want) {
        *out = value_string(s, unit_offset(bytes, s, v[0].u.s.len, want));
        return 0;
    }
    int64_t padchars = units(bytes, pad, v[2].u.s.len), need = want - have;
    int64_t reps = need / padchars;
    uint32_t tail = unit_offset(bytes, pad, v[2].u.s.len, need % padchars);
    size_t padbytes = (size_t)reps * v[2].u.s.len + tail;
    if (padbytes + v[0].u.s.len > UINT32_MAX / 2)
        return err_set(cx->e, ERR_EVAL, "%s result too long", left ? "LPAD" : "RPAD");
    char *p = arena_alloc(cx->a, padbytes + v[0].u.s.len + 1);
    char *w = p + (left ? 0 : v[0].u.s.len);
    for (int64_t r = 0; r < reps; r++, w += v[2].u.s.len)
        memcpy(w, pad, v[2].u.s.len);
    memcpy(w, pad, tail);
    memcpy(left ? p + padbytes : p, s, v[0].u.s.len);
    *out = value_string(p, (uint32_t)(padbytes + v[0].u.s.len));
    return 0;
}

static int f_lpad(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_pad(c, v, cx, out, true); }
static int f_rpad(const expr *c, const value *v, eval_ctx *cx, value *out) { return f_pad(c, v, cx, out, false); }

/* REPLACE(s, old, new): every occurrence of old replaced; an empty old
 * inserts new around every character, as Java's String.replace does. */
static int f_replace(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, 3))
        return null_out(out);
    const char *s = v[0].u.s.p, *old = v[1].u.s.p, *nw = v[2].u.s.p;
    uint32_t slen = v[0].u.s.len, olen = v[1].u.s.len, nlen = v[2].u.s.len;
    size_t hits = 0;
    if (olen == 0)
        hits = (size_t)u8_count(s, slen) + 1;
    else
        for (int64_t at = 0; (at = find(s, slen, old, olen, at, false)) >= 0; at += olen)
            hits++;
    size_t total = slen - hits * (olen ? olen : 0) + hits * nlen;
    char *p = arena_alloc(cx->a, total + 1), *w = p;
    uint32_t i = 0;
    while (i <= slen) {
        bool hit = olen ? (i + olen <= slen && !memcmp(s + i, old, olen)) : true;
        if (hit) {
            memcpy(w, nw, nlen);
            w += nlen;
            if (olen) {
                i += olen;
                continue;
            }
        }
        if (i == slen)
            break;
        uint32_t next = i + u8_offset(s + i, slen - i, 1);
        memcpy(w, s + i, next - i);
        w += next - i;
        i = next;
    }
    *out = value_string(p, (uint32_t)(w - p));
    return 0;
}

/* Splits s on delim into arena strings; an empty delim splits every
 * character. */
static value_list *split(eval_ctx *cx, const char *s, uint32_t len, const char *d, uint32_t dlen)
{
    int n = 1;
    if (!dlen)
        n = (int)u8_count(s, len);
    else
        for (int64_t at = 0; (at = find(s, len, d, dlen, at, false)) >= 0; at += dlen)
            n++;
    value_list *l = new_list(cx, n);
    if (!dlen) {
        for (int i = 0, off = 0; i < n; i++) {
            uint32_t step = u8_offset(s + off, len - (uint32_t)off, 1);
            l->items[i] = value_string(s + off, step);
            off += (int)step;
        }
        if (n == 0) { /* SPLIT('', '') is [''] in ksqlDB */
            l->n = 1;
            l->items[0] = value_string(s, 0);
        }
        return l;
    }
    int64_t start = 0;
    for (int i = 0; i < n; i++) {
        int64_t at = i + 1 < n ? find(s, len, d, dlen, start, false) : len;
        l->items[i] = value_string(s + start, (uint32_t)(at - start));
        start = at + dlen;
    }
    return l;
}

static int f_split(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, 2))
        return null_out(out);
    *out = list_value(split(cx, v[0].u.s.p, v[0].u.s.len, v[1].u.s.p, v[1].u.s.len));
    return 0;
}

/* SPLIT_TO_MAP(s, entry_delim, kv_delim): entries split on entry_delim,
 * each split on kv_delim into key and value (entries without kv_delim
 * are dropped; a later key wins); NULL for NULL or empty delimiters. */
static int f_split_to_map(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, 3) || !v[1].u.s.len || !v[2].u.s.len)
        return null_out(out);
    value_list *entries = split(cx, v[0].u.s.p, v[0].u.s.len, v[1].u.s.p, v[1].u.s.len);
    value_list *m = new_list(cx, entries->n * 2);
    m->n = 0;
    for (int i = 0; i < entries->n; i++) {
        const value *e = &entries->items[i];
        value_list *kv = split(cx, e->u.s.p, e->u.s.len, v[2].u.s.p, v[2].u.s.len);
        if (e->u.s.len == 0 || kv->n < 2)
            continue;
        int j = 0;
        while (j < m->n && !(m->items[j].u.s.len == kv->items[0].u.s.len &&
                             !memcmp(m->items[j].u.s.p, kv->items[0].u.s.p, kv->items[0].u.s.len)))
            j += 2;
        m->items[j] = kv->items[0];
        m->items[j + 1] = kv->items[1];
        if (j == m->n)
            m->n += 2;
    }
    *out = list_value(m);
    return 0;
}

/* ---- masking ------------------------------------------------------------ */

/* MASK family: upper case letters, lower case letters, digits and other
 * characters replaced by their mask (defaults X, x, n, -; a NULL mask
 * keeps that class).  Only characters [from, to) are masked. */
static int mask(const expr *c, const value *v, int first_mask, int64_t from, int64_t to, eval_ctx *cx, value *out)
{
    const char *defaults = "Xxn-";
    int masks[4];
    for (int k = 0; k < 4; k++) {
        int i = first_mask + k;
        if (i >= c->nargs)
            masks[k] = defaults[k];
        else if (v[i].null || v[i].u.s.len == 0)
            masks[k] = -1;
        else
            masks[k] = (unsigned char)v[i].u.s.p[0];
    }
    const char *s = v[0].u.s.p;
    uint32_t len = v[0].u.s.len;
    char *p = arena_alloc(cx->a, len + 1), *w = p;
    int64_t ch = 0;
    for (uint32_t i = 0; i < len; ch++) {
        uint32_t step = u8_offset(s + i, len - i, 1);
        unsigned char b = (unsigned char)s[i];
        int k = b < 0x80 && isupper(b) ? 0 : b < 0x80 && islower(b) ? 1 : b < 0x80 && isdigit(b) ? 2 : 3;
        if (ch >= from && ch < to && masks[k] >= 0)
            *w++ = (char)masks[k];
        else {
            memcpy(w, s + i, step);
            w += step;
        }
        i += step;
    }
    *out = value_string(p, (uint32_t)(w - p));
    return 0;
}

static int f_mask(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null)
        return null_out(out);
    return mask(c, v, 1, 0, INT64_MAX, cx, out);
}

/* MASK_KEEP_LEFT, MASK_KEEP_RIGHT, MASK_LEFT, MASK_RIGHT: which part of
 * the string (by the count in argument 1) is masked. */
static int mask_part(const expr *c, const value *v, eval_ctx *cx, value *out, bool keep, bool left)
{
    if (v[0].null || v[1].null)
        return null_out(out);
    if (v[1].u.i < 0)
        return err_set(cx->e, ERR_EVAL, "%s: the number of characters must not be negative", c->fn->name);
    int64_t n = v[1].u.i, len = u8_count(v[0].u.s.p, v[0].u.s.len);
    int64_t from = 0, to = len;
    if (keep && left)
        from = n;
    else if (keep)
        to = len - n;
    else if (left)
        to = n;
    else
        from = len - n;
    return mask(c, v, 2, from, to, cx, out);
}

static int f_mask_keep_left(const expr *c, const value *v, eval_ctx *cx, value *out) { return mask_part(c, v, cx, out, true, true); }
static int f_mask_keep_right(const expr *c, const value *v, eval_ctx *cx, value *out) { return mask_part(c, v, cx, out, true, false); }
static int f_mask_left(const expr *c, const value *v, eval_ctx *cx, value *out) { return mask_part(c, v, cx, out, false, true); }
static int f_mask_right(const expr *c, const value *v, eval_ctx *cx, value *out) { return mask_part(c, v, cx, out, false, false); }

/* ---- characters and identifiers ----------------------------------------- */

static int hexval(int ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/* Reads "\uXXXX" at s; returns the unit or -1. */
static int32_t read_u_escape(const char *s, uint32_t len)
{
    if (len < 6 || s[0] != '\\' || s[1] != 'u')
        return -1;
    int32_t u = 0;
    for (int i = 2; i < 6; i++) {
        int h = hexval((unsigned char)s[i]);
        if (h < 0)
            return -1;
        u = u * 16 + h;
    }
    return u;
}

/* CHR(code) or CHR('\uXXXX'[\uXXXX]): one character; NULL when the input
 * is not one valid code point. */
static int f_chr(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null)
        return null_out(out);
    int64_t cp;
    if (c->args[0]->type->kind == TYPE_INT) {
        cp = v[0].u.i;
    } else {
        const char *s = v[0].u.s.p;
        uint32_t len = v[0].u.s.len;
        int32_t hi = read_u_escape(s, len), lo = len == 12 ? read_u_escape(s + 6, 6) : -1;
        if (hi < 0 || (len != 6 && len != 12))
            return null_out(out);
        if (len == 12) {
            if (hi < 0xD800 || hi > 0xDBFF || lo < 0xDC00 || lo > 0xDFFF)
                return null_out(out);
            cp = 0x10000 + ((int64_t)(hi - 0xD800) << 10) + (lo - 0xDC00);
        } else {
            cp = hi;
        }
    }
    if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return null_out(out);
    char *p = arena_alloc(cx->a, 5);
    *out = value_string(p, (uint32_t)u8_put(p, (uint32_t)cp));
    return 0;
}

/* UUID(): a random (version 4) UUID as 36 characters. */
static int f_uuid(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    unsigned char r[16];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
        for (int i = 0; i < 16; i++)
            r[i] = (unsigned char)(lrand48() >> 7);
    r[6] = (unsigned char)((r[6] & 0x0F) | 0x40);
    r[8] = (unsigned char)((r[8] & 0x3F) | 0x80);
    char *p = arena_alloc(cx->a, 37), *w = p;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *w++ = '-';
        w += snprintf(w, 3, "%02x", r[i]);
    }
    *out = value_string(p, 36);
    return 0;
}

/* ELT(n, s1, s2, ...): s_n, or NULL when n is out of range. */
static int f_elt(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null || v[0].u.i < 1 || v[0].u.i >= c->nargs)
        return null_out(out);
    *out = v[v[0].u.i];
    return 0;
}

/* FIELD(s, s1, s2, ...): the 1-based position of s among s1.., else 0. */
static int f_field(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    *out = value_int(0);
    if (v[0].null)
        return 0;
    for (int i = 1; i < c->nargs; i++)
        if (!v[i].null && v[i].u.s.len == v[0].u.s.len && !memcmp(v[i].u.s.p, v[0].u.s.p, v[0].u.s.len)) {
            *out = value_int(i);
            return 0;
        }
    return 0;
}

/* ---- ENCODE ------------------------------------------------------------- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64val(int ch)
{
    const char *p = ch ? strchr(B64, ch) : NULL;
    return p ? (int)(p - B64) : -1;
}

/* Text in `enc` to bytes in *out (arena); -1 when malformed. */
static int decode_text(const char *s, uint32_t len, const char *enc, eval_ctx *cx, char **out, uint32_t *olen)
{
    char *d = arena_alloc(cx->a, len + 1);
    uint32_t n = 0;
    if (!strcmp(enc, "hex")) {
        /* 0x.. may have an odd number of digits (a leading 0 is implied);
         * X'..' and bare hex may not. */
        bool odd_ok = false;
        if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
            s += 2, len -= 2, odd_ok = true;
        else if (len >= 3 && (s[0] == 'X' || s[0] == 'x') && s[1] == '\'' && s[len - 1] == '\'')
            s += 2, len -= 3;
        if (len % 2 && !odd_ok)
            return -1;
        for (uint32_t i = 0, first = len % 2; i < len; i += 2 - first, first = 0) {
            int hi = first ? 0 : hexval((unsigned char)s[i]), lo = hexval((unsigned char)s[first ? i : i + 1]);
            if (hi < 0 || lo < 0)
                return -1;
            d[n++] = (char)(hi * 16 + lo);
        }
    } else if (!strcmp(enc, "base64")) {
        uint32_t acc = 0;
        int bits = 0;
        for (uint32_t i = 0; i < len && s[i] != '='; i++) {
            int b = b64val((unsigned char)s[i]);
            if (b < 0)
                return -1;
            acc = acc << 6 | (uint32_t)b;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                d[n++] = (char)(acc >> bits);
            }
        }
    } else if (!strcmp(enc, "ascii")) {
        /* Java's US-ASCII encoder writes '?' for every other character. */
        for (uint32_t i = 0; i < len; i++) {
            unsigned char b = (unsigned char)s[i];
            if (b < 0x80)
                d[n++] = (char)b;
            else if ((b & 0xC0) != 0x80)
                d[n++] = '?';
        }
    } else {
        memcpy(d, s, len);
        n = len;
    }
    *out = d;
    *olen = n;
    return 0;
}

/* The length of a valid UTF-8 sequence at s (1..4), or 0. */
static int u8_valid(const unsigned char *s, uint32_t left)
{
    int n = s[0] < 0x80 ? 1 : (s[0] & 0xE0) == 0xC0 ? 2 : (s[0] & 0xF0) == 0xE0 ? 3 : (s[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (!n || (uint32_t)n > left || (n == 2 && s[0] < 0xC2))
        return 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Bytes to text in `enc`; bytes that are not valid ASCII / UTF-8 become
 * U+FFFD, as Java's decoders do. */
static value encode_bytes(const char *b, uint32_t len, const char *enc, eval_ctx *cx)
{
    char *p = arena_alloc(cx->a, (size_t)len * 3 + 4), *w = p;
    const unsigned char *u = (const unsigned char *)b;
    if (!strcmp(enc, "hex")) {
        for (uint32_t i = 0; i < len; i++)
            w += snprintf(w, 3, "%02x", u[i]);
    } else if (!strcmp(enc, "base64")) {
        for (uint32_t i = 0; i < len; i += 3) {
            uint32_t x = (uint32_t)u[i] << 16 | (i + 1 < len ? (uint32_t)u[i + 1] << 8 : 0) | (i + 2 < len ? u[i + 2] : 0);
            *w++ = B64[x >> 18 & 63];
            *w++ = B64[x >> 12 & 63];
            *w++ = i + 1 < len ? B64[x >> 6 & 63] : '=';
            *w++ = i + 2 < len ? B64[x & 63] : '=';
        }
    } else {
        bool ascii = !strcmp(enc, "ascii");
        for (uint32_t i = 0; i < len;) {
            int n = ascii ? (u[i] < 0x80) : u8_valid(u + i, len - i);
            if (n) {
                memcpy(w, b + i, (size_t)n);
                w += n, i += (uint32_t)n;
            } else {
                w += u8_put(w, 0xFFFD);
                i++;
            }
        }
    }
    return value_string(p, (uint32_t)(w - p));
}

static const char *encoding_name(const value *v)
{
    static const char *const names[] = {"hex", "utf8", "ascii", "base64"};
    for (int i = 0; i < 4; i++)
        if (str_eq(v, names[i]))
            return names[i];
    return NULL;
}

/* ENCODE(s, from, to): s read in encoding `from` and written in `to`
 * (hex, utf8, ascii, base64).  An unknown encoding fails the record, as
 * ksqlDB's exception does; input malformed for `from` gives NULL (hex
 * may carry a 0x prefix or be written X'..'). */
static int f_encode(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, 3))
        return null_out(out);
    const char *from = encoding_name(&v[1]), *to = encoding_name(&v[2]);
    if (!from || !to)
        return err_set(cx->e, ERR_EVAL, "ENCODE: unsupported encoding '%.*s' (use hex, utf8, ascii or base64)",
                       (int)(from ? v[2].u.s.len : v[1].u.s.len), from ? v[2].u.s.p : v[1].u.s.p);
    char *bytes;
    uint32_t n;
    if (decode_text(v[0].u.s.p, v[0].u.s.len, from, cx, &bytes, &n))
        return null_out(out);
    *out = encode_bytes(bytes, n, to, cx);
    return 0;
}

/* TO_BYTES(s, enc): s read in encoding enc (hex, utf8, ascii, base64);
 * text malformed for enc fails the record, as ksqlDB's exception does. */
static int f_to_bytes(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, 2))
        return null_out(out);
    const char *enc = encoding_name(&v[1]);
    char *bytes;
    uint32_t n;
    if (!enc)
        return err_set(cx->e, ERR_EVAL, "TO_BYTES: unsupported encoding '%.*s' (use hex, utf8, ascii or base64)",
                       (int)v[1].u.s.len, v[1].u.s.p);
    if (decode_text(v[0].u.s.p, v[0].u.s.len, enc, cx, &bytes, &n))
        return err_set(cx->e, ERR_EVAL, "TO_BYTES: the text is not %s", enc);
    *out = value_string(bytes, n);
    return 0;
}

/* FROM_BYTES(b, enc): the bytes written as text in encoding enc (hex in
 * upper case). */
static int f_from_bytes(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, 2))
        return null_out(out);
    const char *enc = encoding_name(&v[1]);
    if (!enc)
        return err_set(cx->e, ERR_EVAL, "FROM_BYTES: unsupported encoding '%.*s' (use hex, utf8, ascii or base64)",
                       (int)v[1].u.s.len, v[1].u.s.p);
    *out = encode_bytes(v[0].u.s.p, v[0].u.s.len, enc, cx);
    if (!strcmp(enc, "hex")) /* Guava's base16, upper case (ENCODE's is lower) */
        for (uint32_t i = 0; i < out->u.s.len; i++)
            ((char *)out->u.s.p)[i] = (char)toupper((unsigned char)out->u.s.p[i]);
    return 0;
}

/* The n-byte number in b (big-endian unless the optional byte order says
 * LITTLE_ENDIAN) into *bits; ksqlDB fails the record when b is not
 * exactly n bytes long or the byte order is unknown. */
static int bytes_number(const expr *c, const value *v, eval_ctx *cx, uint32_t n, uint64_t *bits)
{
    bool little = false;
    if (c->nargs > 1) {
        little = str_eq(&v[1], "LITTLE_ENDIAN");
        if (!little && !str_eq(&v[1], "BIG_ENDIAN"))
            return err_set(cx->e, ERR_EVAL, "%s: byte order must be BIG_ENDIAN or LITTLE_ENDIAN", c->fn->name);
    }
    if (v[0].u.s.len != n)
        return err_set(cx->e, ERR_EVAL, "Number of bytes must be equal to %u, but found %u", n, v[0].u.s.len);
    const unsigned char *u = (const unsigned char *)v[0].u.s.p;
    *bits = 0;
    for (uint32_t i = 0; i < n; i++)
        *bits = *bits << 8 | u[little ? n - 1 - i : i];
    return 0;
}

/* INT_FROM_BYTES, BIGINT_FROM_BYTES, DOUBLE_FROM_BYTES: the result type
 * says how many bytes and how to read them. */
static int f_num_from_bytes(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    uint64_t bits = 0;
    if (func_any_null(v, c->nargs))
        return null_out(out);
    if (bytes_number(c, v, cx, c->type->kind == TYPE_INT ? 4 : 8, &bits))
        return -1;
    if (c->type->kind == TYPE_INT) {
        *out = value_int((int32_t)(uint32_t)bits);
    } else if (c->type->kind == TYPE_BIGINT) {
        *out = value_bigint((int64_t)bits);
    } else {
        double d;
        memcpy(&d, &bits, sizeof d);
        *out = value_double(d);
    }
    return 0;
}

#define S "string"
#define STRING_FUNCTIONS(X)                                                                          \
    X(CHR, 1, 1, res_chr, f_chr, "CHR(INT | STRING) -> STRING", S,                                   \
      "The character of a code point, given as a number or as '\\uXXXX'; NULL if not valid.")       \
    X(BIGINT_FROM_BYTES, 1, 2, res_bigint_bytes, f_num_from_bytes,                              \
      "BIGINT_FROM_BYTES(BYTES [, byte_order]) -> BIGINT", S,                                        \
      "The 8 bytes as a BIGINT, big-endian unless byte_order is 'LITTLE_ENDIAN'.")                    \
    X(CONCAT, 1, -1, res_concat, f_concat, "CONCAT(STRING | BYTES, ...) -> same", S,             \
      "The arguments joined; NULL arguments are skipped.")                                           \
    X(CONCAT_WS, 2, -1, res_concat, f_concat_ws, "CONCAT_WS(sep, STRING | BYTES, ...) -> same", S,   \
      "The arguments joined with sep between them; NULL arguments are skipped, a NULL sep gives NULL.") \
    X(DOUBLE_FROM_BYTES, 1, 2, res_double_bytes, f_num_from_bytes,                              \
      "DOUBLE_FROM_BYTES(BYTES [, byte_order]) -> DOUBLE", S,                                        \
      "The 8 bytes as an IEEE 754 DOUBLE, big-endian unless byte_order is 'LITTLE_ENDIAN'.")         \
    X(ELT, 1, -1, res_elt, f_elt, "ELT(n, STRING, ...) -> STRING", S,                                \
      "The n-th string argument (1-based), or NULL when there is none.")                             \
    X(ENCODE, 3, 3, func_res_string, f_encode, "ENCODE(STRING, from, to) -> STRING", S,              \
      "The string re-encoded between hex, utf8, ascii and base64.")                                  \
    X(FIELD, 1, -1, res_field, f_field, "FIELD(s, STRING, ...) -> INT", S,                           \
      "The 1-based position of s among the other arguments, or 0.")                                  \
    X(FROM_BYTES, 2, 2, res_from_bytes, f_from_bytes, "FROM_BYTES(BYTES, encoding) -> STRING", S,   \
      "The bytes as text in the encoding: hex, utf8, ascii or base64.")                               \
    X(INITCAP, 1, 1, func_res_string, f_initcap, "INITCAP(STRING) -> STRING", S,                     \
      "Each word with its first letter upper case and the rest lower case.")                         \
    X(INSTR, 2, 4, res_instr, f_instr, "INSTR(STRING, sub [, pos [, occurrence]]) -> INT", S,        \
      "The 1-based position of the occurrence-th sub from pos (backward when pos < 0), or 0.")       \
    X(INT_FROM_BYTES, 1, 2, res_int_bytes, f_num_from_bytes,                                       \
      "INT_FROM_BYTES(BYTES [, byte_order]) -> INT", S,                                              \
      "The 4 bytes as an INT, big-endian unless byte_order is 'LITTLE_ENDIAN'.")                      \
    X(LCASE, 1, 1, func_res_string, f_lcase, "LCASE(STRING) -> STRING", S, "The string in lower case.") \
    X(LEN, 1, 1, res_len, f_len, "LEN(STRING | BYTES) -> INT", S, "The length in characters (bytes for BYTES).")   \
    X(LPAD, 3, 3, res_pad, f_lpad, "LPAD(STRING | BYTES, len, pad) -> same", S,                            \
      "The string padded on the left with pad (or cut) to len characters.")                          \
    X(MASK, 1, 5, res_mask, f_mask, "MASK(STRING [, upper, lower, digit, other]) -> STRING", S,      \
      "The string with letters, digits and other characters replaced (X, x, n, - by default).")      \
    X(MASK_KEEP_LEFT, 2, 6, res_mask_n, f_mask_keep_left, "MASK_KEEP_LEFT(STRING, n [, masks]) -> STRING", S, \
      "MASK except for the first n characters.")                                                     \
    X(MASK_KEEP_RIGHT, 2, 6, res_mask_n, f_mask_keep_right, "MASK_KEEP_RIGHT(STRING, n [, masks]) -> STRING", S, \
      "MASK except for the last n characters.")                                                      \
    X(MASK_LEFT, 2, 6, res_mask_n, f_mask_left, "MASK_LEFT(STRING, n [, masks]) -> STRING", S,       \
      "MASK of the first n characters only.")                                                        \
    X(MASK_RIGHT, 2, 6, res_mask_n, f_mask_right, "MASK_RIGHT(STRING, n [, masks]) -> STRING", S,    \
      "MASK of the last n characters only.")                                                         \
    X(REPLACE, 3, 3, func_res_string, f_replace, "REPLACE(STRING, old, new) -> STRING", S,           \
      "The string with every occurrence of old replaced by new.")                                    \
    X(RPAD, 3, 3, res_pad, f_rpad, "RPAD(STRING | BYTES, len, pad) -> same", S,                            \
      "The string padded on the right with pad (or cut) to len characters.")                        \
    X(SPLIT, 2, 2, res_split, f_split, "SPLIT(STRING, delim) -> ARRAY<STRING>", S,                   \
      "The parts of the string between delimiters; an empty delim splits every character.")          \
    X(SPLIT_TO_MAP, 3, 3, res_split_map, f_split_to_map, "SPLIT_TO_MAP(STRING, entry_delim, kv_delim) -> MAP<STRING, STRING>", S, \
      "The key-value pairs of the string; NULL for a NULL or empty delimiter.")                      \
    X(SUBSTRING, 2, 3, res_substring, f_substring, "SUBSTRING(STRING | BYTES, pos [, len]) -> same", S,    \
      "Part of the string from 1-based position pos (from the end when negative), len characters long.") \
    X(TO_BYTES, 2, 2, res_to_bytes, f_to_bytes, "TO_BYTES(STRING, encoding) -> BYTES", S,          \
      "The text read in the encoding (hex, utf8, ascii or base64) as BYTES.")                         \
    X(TRIM, 1, 1, func_res_string, f_trim, "TRIM(STRING) -> STRING", S,                              \
      "The string without leading and trailing white space.")                                        \
    X(UCASE, 1, 1, func_res_string, f_ucase, "UCASE(STRING) -> STRING", S, "The string in upper case.") \
    X(UUID, 0, 0, res_none, f_uuid, "UUID() -> STRING", S, "A random (version 4) UUID.")

FUNC_FAMILY(func_string_family, STRING_FUNCTIONS);
