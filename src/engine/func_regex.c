/* func_regex.c — regular expression functions: REGEXP_EXTRACT,
 * REGEXP_EXTRACT_ALL, REGEXP_REPLACE, REGEXP_SPLIT_TO_ARRAY.
 *
 * ksqlDB uses Java's java.util.regex; Eddy uses POSIX extended regular
 * expressions (regcomp with REG_EXTENDED), translating Java's class
 * escapes \d \D \w \W \s \S (also inside brackets) and escaped
 * punctuation inside brackets.  Where the two differ, Eddy's behaviour
 * is POSIX's: alternation and repetition match leftmost-longest rather
 * than leftmost-first, and lazy quantifiers (*?), lookaround, (?:...)
 * groups, named groups, possessive quantifiers and \b are not supported
 * (a pattern using them fails to compile and fails the record, as an
 * invalid Java pattern does).
 *
 * A pattern is compiled once per thread and kept in a small cache of the
 * thread's latest patterns (REGEX_CACHE, found by the pattern's text), so
 * a query whose pattern is a literal compiles it once, not per record.
 */
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "../storage/kvstore.h"

#include "func_internal.h"

static int null_out(value *out)
{
    *out = value_null();
    return 0;
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

/* Appends the POSIX form of Java escape `ch` (after a backslash) to w;
 * in_class: inside [...].  Returns the new end. */
static char *translate_escape(char *w, char ch, bool in_class)
{
    const char *cls = NULL;
    switch (ch) {
    case 'd': cls = in_class ? "0-9" : "[0-9]"; break;
    case 'D': cls = in_class ? NULL : "[^0-9]"; break;
    case 'w': cls = in_class ? "[:alnum:]_" : "[[:alnum:]_]"; break;
    case 'W': cls = in_class ? NULL : "[^[:alnum:]_]"; break;
    case 's': cls = in_class ? "[:space:]" : "[[:space:]]"; break;
    case 'S': cls = in_class ? NULL : "[^[:space:]]"; break;
    case 't': cls = "\t"; break;
    case 'n': cls = "\n"; break;
    case 'r': cls = "\r"; break;
    default: break;
    }
    if (cls) {
        size_t n = strlen(cls);
        memcpy(w, cls, n);
        return w + n;
    }
    if (!in_class)
        *w++ = '\\';
    *w++ = ch;
    return w;
}

/* Java pattern text -> NUL-terminated POSIX ERE in the arena. */
static char *translate(const char *p, uint32_t len, arena *a)
{
    char *out = arena_alloc(a, (size_t)len * 14 + 1), *w = out;
    bool in_class = false;
    for (uint32_t i = 0; i < len; i++) {
        char ch = p[i];
        if (ch == '\\' && i + 1 < len) {
            w = translate_escape(w, p[++i], in_class);
            continue;
        }
        if (ch == '[' && !in_class) {
            in_class = true;
            *w++ = ch;
            if (i + 1 < len && p[i + 1] == '^')
                *w++ = p[++i];
            if (i + 1 < len && p[i + 1] == ']')
                *w++ = p[++i];
            continue;
        }
        if (ch == ']' && in_class)
            in_class = false;
        *w++ = ch;
    }
    *w = '\0';
    return out;
}

/* ---- the per-thread cache of compiled patterns ---- */

#define REGEX_CACHE 16 /* patterns per thread; a power of two */

typedef struct cached_regex {
    char *text; /* the pattern as given (Java form), NULL: empty slot */
    uint32_t len;
    regex_t re;
} cached_regex;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
    cached_regex *c = p;
    for (int i = 0; i < REGEX_CACHE; i++)
        if (c[i].text) {
            regfree(&c[i].re);
            free(c[i].text);
        }
    free(c);
}

static void cache_init(void) { pthread_key_create(&cache_key, cache_free); }

static cached_regex *thread_cache(void)
{
    pthread_once(&cache_once, cache_init);
    cached_regex *c = pthread_getspecific(cache_key);
    if (!c) {
        c = mem_alloc(REGEX_CACHE * sizeof *c);
        pthread_setspecific(cache_key, c);
    }
    return c;
}

/* The compiled pattern value (owned by the cache: valid until the next
 * call); NULL, failing the record, when it is invalid. */
static const regex_t *compile(const value *pattern, eval_ctx *cx, const char *fn)
{
    const char *p = pattern->u.s.p;
    uint32_t len = pattern->u.s.len;
    cached_regex *c = &thread_cache()[kvstore_hash(p, len) & (REGEX_CACHE - 1)];
    if (c->text && c->len == len && memcmp(c->text, p, len) == 0)
        return &c->re;
    regex_t re;
    int rc = regcomp(&re, translate(p, len, cx->a), REG_EXTENDED);
    if (rc) {
        char msg[128];
        regerror(rc, &re, msg, sizeof msg);
        err_set(cx->e, ERR_EVAL, "%s: invalid regular expression '%.*s': %s", fn, (int)len, p, msg);
        return NULL;
    }
    if (c->text) { /* another pattern of the same slot: replaced */
        regfree(&c->re);
        free(c->text);
    }
    c->text = mem_alloc(len ? len : 1);
    memcpy(c->text, p, len);
    c->len = len;
    c->re = re;
    return &c->re;
}

#define MAXGROUPS 10

/* Finds the next match in s[from, len); false when there is none. */
static bool next_match(const regex_t *re, const char *s, uint32_t len, uint32_t from, regmatch_t *m)
{
    if (from > len)
        return false;
    m[0].rm_so = (regoff_t)from;
    m[0].rm_eo = (regoff_t)len;
    return regexec(re, s, MAXGROUPS, m, REG_STARTEND | (from ? REG_NOTBOL : 0)) == 0;
}

/* Where to search after match m: past it, or one character on when it
 * was empty. */
static uint32_t after(const char *s, uint32_t len, const regmatch_t *m)
{
    uint32_t e = (uint32_t)m[0].rm_eo;
    if (m[0].rm_eo > m[0].rm_so)
        return e;
    e++;
    while (e < len && ((unsigned char)s[e] & 0xC0) == 0x80)
        e++;
    return e;
}

static value group_value(const char *s, const regmatch_t *m, int g)
{
    if (g < 0 || g >= MAXGROUPS || m[g].rm_so < 0)
        return value_null();
    return value_string(s + m[g].rm_so, (uint32_t)(m[g].rm_eo - m[g].rm_so));
}

/* REGEXP_EXTRACT(pattern, s [, group]): the first match (or its group),
 * NULL when nothing matches or the group does not exist. */
static int f_extract(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, c->nargs))
        return null_out(out);
    const regex_t *re = compile(&v[0], cx, "REGEXP_EXTRACT");
    if (!re)
        return -1;
    regmatch_t m[MAXGROUPS];
    int g = c->nargs > 2 ? v[2].u.i : 0;
    *out = value_null();
    if (g >= 0 && (size_t)g <= re->re_nsub && next_match(re, v[1].u.s.p, v[1].u.s.len, 0, m))
        *out = group_value(v[1].u.s.p, m, g);
    return 0;
}

/* REGEXP_EXTRACT_ALL(pattern, s [, group]): every match (or its group). */
static int f_extract_all(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, c->nargs))
        return null_out(out);
    const regex_t *re = compile(&v[0], cx, "REGEXP_EXTRACT_ALL");
    if (!re)
        return -1;
    const char *s = v[1].u.s.p;
    uint32_t len = v[1].u.s.len;
    int g = c->nargs > 2 ? v[2].u.i : 0;
    if (g < 0 || (size_t)g > re->re_nsub) {
        return null_out(out);
    }
    regmatch_t m[MAXGROUPS];
    value_list *l = new_list(cx, (int)len + 1);
    l->n = 0;
    for (uint32_t at = 0; next_match(re, s, len, at, m); at = after(s, len, m))
        l->items[l->n++] = group_value(s, m, g);
    *out = list_value(l);
    return 0;
}

/* Appends the replacement for match m: $n is group n, \x is x (Java's
 * Matcher.appendReplacement). */
static void append_replacement(buf *b, const value *rep, const char *s, const regmatch_t *m)
{
    const char *r = rep->u.s.p;
    for (uint32_t i = 0; i < rep->u.s.len; i++) {
        if (r[i] == '\\' && i + 1 < rep->u.s.len) {
            buf_putc(b, r[++i]);
        } else if (r[i] == '$' && i + 1 < rep->u.s.len && r[i + 1] >= '0' && r[i + 1] <= '9') {
            value g = group_value(s, m, r[++i] - '0');
            if (!g.null)
                buf_append(b, g.u.s.p, g.u.s.len);
        } else {
            buf_putc(b, r[i]);
        }
    }
}

/* REGEXP_REPLACE(s, pattern, replacement): every match replaced. */
static int f_replace(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, 3))
        return null_out(out);
    const regex_t *re = compile(&v[1], cx, "REGEXP_REPLACE");
    if (!re)
        return -1;
    const char *s = v[0].u.s.p;
    uint32_t len = v[0].u.s.len, copied = 0;
    regmatch_t m[MAXGROUPS];
    buf b = BUF_INIT;
    for (uint32_t at = 0; next_match(re, s, len, at, m); at = after(s, len, m)) {
        buf_append(&b, s + copied, (size_t)m[0].rm_so - copied);
        append_replacement(&b, &v[2], s, m);
        copied = (uint32_t)m[0].rm_eo;
    }
    buf_append(&b, s + copied, len - copied);
    *out = func_string_copy(cx, b.data ? b.data : "", b.len);
    buf_free(&b);
    return 0;
}

/* REGEXP_SPLIT_TO_ARRAY(s, pattern): the parts between matches, keeping
 * empty parts (an empty match at the start adds none, as in Java); an
 * empty pattern splits every character. */
static int f_split(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, 2))
        return null_out(out);
    const regex_t *re = compile(&v[1], cx, "REGEXP_SPLIT_TO_ARRAY");
    if (!re)
        return -1;
    const char *s = v[0].u.s.p;
    uint32_t len = v[0].u.s.len, start = 0;
    regmatch_t m[MAXGROUPS];
    value_list *l = new_list(cx, (int)len + 2);
    l->n = 0;
    for (uint32_t at = 0; at < len && next_match(re, s, len, at, m); at = after(s, len, m)) {
        if (m[0].rm_eo == 0 || (m[0].rm_so == m[0].rm_eo && (uint32_t)m[0].rm_so >= len))
            continue;
        l->items[l->n++] = value_string(s + start, (uint32_t)m[0].rm_so - start);
        start = (uint32_t)m[0].rm_eo;
    }
    l->items[l->n++] = value_string(s + start, len - start);
    *out = list_value(l);
    return 0;
}

static const sqltype *res_extract(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    if (!func_need(a[0], TYPE_STRING, "(STRING pattern, STRING [, INT group])", why, wn) ||
        !func_need(a[1], TYPE_STRING, "(STRING pattern, STRING [, INT group])", why, wn) ||
        (n > 2 && !func_need(a[2], TYPE_INT, "(STRING pattern, STRING [, INT group])", why, wn)))
        return NULL;
    return types_scalar(TYPE_STRING);
}

static const sqltype *res_extract_all(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return res_extract(a, n, ar, why, wn) ? types_array(ar, types_scalar(TYPE_STRING)) : NULL;
}

static const sqltype *res_split(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return func_res_string(a, n, ar, why, wn) ? types_array(ar, types_scalar(TYPE_STRING)) : NULL;
}

#define JAVA_NOTE " POSIX extended syntax with Java's \\d \\w \\s; matches are leftmost-longest."
#define REGEX_FUNCTIONS(X)                                                                           \
    X(REGEXP_EXTRACT, 2, 3, res_extract, f_extract, "REGEXP_EXTRACT(pattern, STRING [, group]) -> STRING", \
      "string", "The first match of pattern (or its capturing group), NULL if none." JAVA_NOTE)     \
    X(REGEXP_EXTRACT_ALL, 2, 3, res_extract_all, f_extract_all,                                      \
      "REGEXP_EXTRACT_ALL(pattern, STRING [, group]) -> ARRAY<STRING>", "string",                    \
      "Every match of pattern (or its capturing group)." JAVA_NOTE)                                 \
    X(REGEXP_REPLACE, 3, 3, func_res_string, f_replace, "REGEXP_REPLACE(STRING, pattern, replacement) -> STRING", \
      "string", "Every match replaced; $n in the replacement is group n." JAVA_NOTE)                \
    X(REGEXP_SPLIT_TO_ARRAY, 2, 2, res_split, f_split, "REGEXP_SPLIT_TO_ARRAY(STRING, pattern) -> ARRAY<STRING>", \
      "string", "The parts of the string between matches of pattern." JAVA_NOTE)

FUNC_FAMILY(func_regex_family, REGEX_FUNCTIONS);
