/* pgparams.c — see pgparams.h. */
#include "pgparams.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* PostgreSQL's type OIDs (pg_type.dat) that take a number or a boolean. */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_NUMERIC 1700

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The end of the quoted run starting at p (a quote char); a doubled
 * quote stays inside.  An unclosed one runs to the end. */
static const char *skip_quoted(const char *p)
{
    char q = *p++;
    for (; *p; p++)
        if (*p == q) {
            if (p[1] != q)
                return p + 1;
            p++;
        }
    return p;
}

/* Where the next placeholder starts at or after p (NULL: none); *num is
 * its number (capped above PGPARAMS_MAX) and *end just past it. */
static const char *next_placeholder(const char *start, const char *p, long *num, const char **end)
{
    while (*p) {
        if (*p == '\'' || *p == '"' || *p == '`')
            p = skip_quoted(p);
        else if (p[0] == '-' && p[1] == '-')
            p += strcspn(p, "\n");
        else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else if (*p == '$' && isdigit((unsigned char)p[1]) && (p == start || !ident_char(p[-1]))) {
            long n = 0;
            const char *d = p + 1;
            for (; isdigit((unsigned char)*d); d++)
                n = n > PGPARAMS_MAX ? n : n * 10 + (*d - '0');
            *num = n;
            *end = d;
            return p;
        } else
            p++;
    }
    return NULL;
}

int pgparams_count(const char *text)
{
    int max = 0;
    long n;
    const char *end;
    for (const char *p = text; (p = next_placeholder(text, p, &n, &end)); p = end) {
        if (n > PGPARAMS_MAX)
            return -1;
        if (n > max)
            max = (int)n;
    }
    return max;
}

/* Whether s[0..len) is a number as SQL writes one: [-+]digits[.digits][e[-+]digits]. */
static bool is_number(const char *s, int32_t len)
{
    int32_t i = 0, digits = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        i++;
    for (; i < len && isdigit((unsigned char)s[i]); i++)
        digits++;
    if (i < len && s[i] == '.')
        for (i++; i < len && isdigit((unsigned char)s[i]); i++)
            digits++;
    if (!digits)
        return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '-' || s[i] == '+'))
            i++;
        if (i >= len || !isdigit((unsigned char)s[i]))
            return false;
        while (i < len && isdigit((unsigned char)s[i]))
            i++;
    }
    return i == len;
}

/* 1 for a true boolean text, 0 for a false one, -1 for neither. */
static int bool_value(const char *s, int32_t len)
{
    static const char *const yes[] = {"t", "true", "y", "yes", "on", "1"};
    static const char *const no[] = {"f", "false", "n", "no", "off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if ((int32_t)strlen(yes[i]) == len && !strncasecmp(s, yes[i], (size_t)len))
            return 1;
        if ((int32_t)strlen(no[i]) == len && !strncasecmp(s, no[i], (size_t)len))
            return 0;
    }
    return -1;
}

/* Appends the literal of p (the n-th).  Returns 0 or -1 (sqlstate and
 * msg set). */
static int literal(const pgparam *p, long n, buf *out, char *sqlstate, char *msg, size_t msglen)
{
    if (p->len < 0) {
        buf_puts(out, "NULL");
        return 0;
    }
    snprintf(sqlstate, 6, "22P02");
    if (memchr(p->data, '\0', (size_t)p->len)) { /* the statement is a C string */
        snprintf(sqlstate, 6, "22021");
        snprintf(msg, msglen, "invalid byte sequence in parameter $%ld: 0x00", n);
        return -1;
    }
    switch (p->oid) {
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_FLOAT4:
    case OID_FLOAT8:
    case OID_NUMERIC:
        if (!is_number(p->data, p->len)) {
            snprintf(msg, msglen, "invalid input syntax for a number in parameter $%ld: \"%.*s\"", n,
                     p->len > 64 ? 64 : (int)p->len, p->data);
            return -1;
        }
        if (p->data[0] == '+') /* SQL has no unary plus */
            buf_append(out, p->data + 1, (size_t)p->len - 1);
        else {
            if (p->data[0] == '-') /* `x -$1` must not become a comment */
                buf_putc(out, ' ');
            buf_append(out, p->data, (size_t)p->len);
        }
        return 0;
    case OID_BOOL: {
        int b = bool_value(p->data, p->len);
        if (b < 0) {
            snprintf(msg, msglen, "invalid input syntax for type boolean in parameter $%ld: \"%.*s\"", n,
                     p->len > 64 ? 64 : (int)p->len, p->data);
            return -1;
        }
        buf_puts(out, b ? "TRUE" : "FALSE");
        return 0;
    }
    default:
        buf_putc(out, '\'');
        for (int32_t i = 0; i < p->len; i++) {
            buf_putc(out, p->data[i]);
            if (p->data[i] == '\'')
                buf_putc(out, '\'');
        }
        buf_putc(out, '\'');
        return 0;
    }
}

int pgparams_substitute(const char *text, const pgparam *params, int n, buf *out, char *sqlstate, char *msg,
                        size_t msglen)
{
    long num;
    const char *end, *from = text;
    for (const char *p = text; (p = next_placeholder(text, p, &num, &end)); from = p = end) {
        buf_append(out, from, (size_t)(p - from));
        if (!params) {
            buf_puts(out, "NULL");
            continue;
        }
        if (num < 1 || num > n) {
            snprintf(sqlstate, 6, "08P01");
            snprintf(msg, msglen, "there is no parameter $%ld: the Bind gave %d", num, n);
            return -1;
        }
        if (literal(&params[num - 1], num, out, sqlstate, msg, msglen))
            return -1;
    }
    buf_puts(out, from);
    return 0;
}
