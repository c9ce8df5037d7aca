/* func_url.c — URL functions (ksqlDB's "URLs" functions).
 *
 * A URL is split the way java.net.URI splits it (RFC 2396/3986):
 * scheme ":" ["//" [userinfo "@"] host [":" port]] path ["?" query]
 * ["#" fragment].  A string that is not a valid URI (a space, a control
 * character, one of "<>\^`{|}, or a bad %-escape) gives NULL from every
 * URL_EXTRACT_* function.  Path, query and fragment come back
 * %-decoded; parameters use application/x-www-form-urlencoded rules
 * (URL_ENCODE_PARAM, URL_DECODE_PARAM, URL_EXTRACT_PARAMETER).
 */
#include <string.h>

#include "func_internal.h"

typedef struct span {
    const char *p;
    uint32_t len;
    bool set;
} span;

typedef struct url_parts {
    span scheme, host, port, path, query, fragment;
} url_parts;

static int null_out(value *out)
{
    *out = value_null();
    return 0;
}

static int hexval(int ch)
{
    return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

static bool valid_uri_chars(const char *s, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= 0x20 || ch == 0x7F || strchr("\"<>\\^`{|}", ch))
            return false;
        if (ch == '%' && (i + 2 >= len || hexval((unsigned char)s[i + 1]) < 0 || hexval((unsigned char)s[i + 2]) < 0))
            return false;
    }
    return true;
}

static span make_span(const char *p, const char *e)
{
    span s = {p, (uint32_t)(e - p), true};
    return s;
}

/* Splits s into its parts; false when it is not a valid URI. */
static bool url_parse(const char *s, uint32_t len, url_parts *u)
{
    memset(u, 0, sizeof *u);
    if (!valid_uri_chars(s, len) || len == 0)
        return false;
    const char *p = s, *end = s + len;
    const char *hash = memchr(p, '#', len);
    if (hash) {
        u->fragment = make_span(hash + 1, end);
        end = hash;
    }
    /* scheme: ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") ":" */
    const char *q = p;
    if (q < end && ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z')) {
        while (q < end && (((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z') || (*q >= '0' && *q <= '9') || strchr("+-.", *q)))
            q++;
        if (q < end && *q == ':') {
            u->scheme = make_span(p, q);
            p = q + 1;
        }
    }
    if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
        const char *a = p + 2, *ae = a;
        while (ae < end && *ae != '/' && *ae != '?')
            ae++;
        const char *at = NULL;
        for (const char *x = a; x < ae; x++)
            if (*x == '@')
                at = x;
        const char *h = at ? at + 1 : a, *he = ae;
        if (h < ae && *h == '[') { /* IPv6 literal */
            he = h;
            while (he < ae && *he != ']')
                he++;
            if (he == ae)
                return false;
            he++;
        } else {
            for (const char *x = h; x < ae; x++)
                if (*x == ':') {
                    he = x;
                    break;
                }
        }
        if (he < ae && *he == ':') {
            u->port = make_span(he + 1, ae);
            for (const char *x = he + 1; x < ae; x++)
                if (*x < '0' || *x > '9')
                    return false;
        }
        if (he > h)
            u->host = make_span(h, he);
        p = ae;
    } else if (u->scheme.set && (p >= end || *p != '/')) {
        return true; /* opaque, like mailto:x — no path or query */
    }
    const char *qm = memchr(p, '?', (size_t)(end - p));
    u->path = make_span(p, qm ? qm : end);
    if (qm)
        u->query = make_span(qm + 1, end);
    return true;
}

/* %-decodes s (with form rules, '+' is a space) into the arena; false on
 * a bad escape. */
static bool decode(eval_ctx *cx, const char *s, uint32_t len, bool form, value *out)
{
    char *d = arena_alloc(cx->a, len + 1), *w = d;
    for (uint32_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < len ? hexval((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < len ? hexval((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return false;
            *w++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *w++ = form && s[i] == '+' ? ' ' : s[i];
        }
    }
    *out = value_string(d, (uint32_t)(w - d));
    return true;
}

static int part_out(eval_ctx *cx, const span *s, bool decoded, value *out)
{
    if (!s->set)
        return null_out(out);
    if (!decoded) {
        *out = value_string(s->p, s->len);
        return 0;
    }
    if (!decode(cx, s->p, s->len, false, out))
        return null_out(out);
    return 0;
}

/* The URL_EXTRACT_* functions on their part of the URL. */
static int extract(const value *v, eval_ctx *cx, value *out, size_t offset, bool decoded)
{
    url_parts u;
    if (v[0].null || !url_parse(v[0].u.s.p, v[0].u.s.len, &u))
        return null_out(out);
    return part_out(cx, (const span *)((const char *)&u + offset), decoded, out);
}

#define EXTRACT(fname, part, decoded)                                                    \
    static int fname(const expr *c, const value *v, eval_ctx *cx, value *out)            \
    {                                                                                    \
        return extract(v, cx, out, offsetof(url_parts, part), decoded);                  \
    }
EXTRACT(f_fragment, fragment, true)
EXTRACT(f_host, host, false)
EXTRACT(f_path, path, true)
EXTRACT(f_protocol, scheme, false)
EXTRACT(f_query, query, true)

static int f_port(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    url_parts u;
    if (v[0].null || !url_parse(v[0].u.s.p, v[0].u.s.len, &u) || !u.port.set || u.port.len == 0 || u.port.len > 9)
        return null_out(out);
    int32_t port = 0;
    for (uint32_t i = 0; i < u.port.len; i++)
        port = port * 10 + (u.port.p[i] - '0');
    *out = value_int(port);
    return 0;
}

/* URL_EXTRACT_PARAMETER(url, name): the decoded value of the first
 * parameter whose decoded name is `name`; NULL when absent or without
 * a value. */
static int f_parameter(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    url_parts u;
    if (func_any_null(v, 2) || !url_parse(v[0].u.s.p, v[0].u.s.len, &u) || !u.query.set)
        return null_out(out);
    const char *p = u.query.p, *end = p + u.query.len;
    while (p <= end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pe = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pe - p));
        value name;
        if (decode(cx, p, (uint32_t)((eq ? eq : pe) - p), true, &name) && name.u.s.len == v[1].u.s.len &&
            !memcmp(name.u.s.p, v[1].u.s.p, name.u.s.len)) {
            if (!eq || !decode(cx, eq + 1, (uint32_t)(pe - eq - 1), true, out))
                return null_out(out);
            return 0;
        }
        if (!amp)
            break;
        p = amp + 1;
    }
    return null_out(out);
}

/* URL_ENCODE_PARAM: letters, digits and . - * _ stay; a space becomes
 * '+'; every other byte %XX (Java's URLEncoder with UTF-8). */
static int f_encode_param(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null)
        return null_out(out);
    static const char hex[] = "0123456789ABCDEF";
    char *d = arena_alloc(cx->a, (size_t)v[0].u.s.len * 3 + 1), *w = d;
    for (uint32_t i = 0; i < v[0].u.s.len; i++) {
        unsigned char ch = (unsigned char)v[0].u.s.p[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr(".-*_", ch)) {
            *w++ = (char)ch;
        } else if (ch == ' ') {
            *w++ = '+';
        } else {
            *w++ = '%';
            *w++ = hex[ch >> 4];
            *w++ = hex[ch & 15];
        }
    }
    *out = value_string(d, (uint32_t)(w - d));
    return 0;
}

/* URL_DECODE_PARAM: the inverse; a malformed %-escape fails the record,
 * as Java's URLDecoder throws. */
static int f_decode_param(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (v[0].null)
        return null_out(out);
    if (!decode(cx, v[0].u.s.p, v[0].u.s.len, true, out))
        return err_set(cx->e, ERR_EVAL, "URL_DECODE_PARAM: malformed %%-escape in '%.*s'", (int)v[0].u.s.len,
                       v[0].u.s.p);
    return 0;
}

static const sqltype *res_port(const sqltype **a, int n, arena *ar, char *why, size_t wn)
{
    return func_res_string(a, n, ar, why, wn) ? types_scalar(TYPE_INT) : NULL;
}

#define URL_FUNCTIONS(X)                                                                             \
    X(URL_DECODE_PARAM, 1, 1, func_res_string, f_decode_param, "URL_DECODE_PARAM(STRING) -> STRING", \
      "url", "The form-url-decoded value ('+' is a space, %XX a byte).")                             \
    X(URL_ENCODE_PARAM, 1, 1, func_res_string, f_encode_param, "URL_ENCODE_PARAM(STRING) -> STRING", \
      "url", "The value encoded for a URL query parameter.")                                         \
    X(URL_EXTRACT_FRAGMENT, 1, 1, func_res_string, f_fragment, "URL_EXTRACT_FRAGMENT(url) -> STRING", \
      "url", "The decoded fragment of the URL, NULL if none or not a valid URL.")                    \
    X(URL_EXTRACT_HOST, 1, 1, func_res_string, f_host, "URL_EXTRACT_HOST(url) -> STRING", "url",     \
      "The host of the URL, NULL if none or not a valid URL.")                                       \
    X(URL_EXTRACT_PARAMETER, 2, 2, func_res_string, f_parameter,                                     \
      "URL_EXTRACT_PARAMETER(url, name) -> STRING", "url",                                           \
      "The decoded value of query parameter `name`, NULL if absent, without value or not a valid URL.") \
    X(URL_EXTRACT_PATH, 1, 1, func_res_string, f_path, "URL_EXTRACT_PATH(url) -> STRING", "url",     \
      "The decoded path of the URL (empty if none), NULL if not a valid URL.")                       \
    X(URL_EXTRACT_PORT, 1, 1, res_port, f_port, "URL_EXTRACT_PORT(url) -> INT", "url",               \
      "The explicit port of the URL, NULL if none or not a valid URL.")                              \
    X(URL_EXTRACT_PROTOCOL, 1, 1, func_res_string, f_protocol, "URL_EXTRACT_PROTOCOL(url) -> STRING", \
      "url", "The scheme of the URL, NULL if none or not a valid URL.")                              \
    X(URL_EXTRACT_QUERY, 1, 1, func_res_string, f_query, "URL_EXTRACT_QUERY(url) -> STRING", "url",  \
      "The decoded query string of the URL, NULL if none or not a valid URL.")

FUNC_FAMILY(func_url_family, URL_FUNCTIONS);
