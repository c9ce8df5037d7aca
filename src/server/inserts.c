/* inserts.c — see inserts.h. */
#include "inserts.h"

#include <ctype.h>
#include <stdio.h>

static int plain_identifier(const char *s)
{
    if (!*s || !(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

void inserts_name(const char *target, buf *out)
{
    if (plain_identifier(target)) {
        buf_puts(out, target);
        return;
    }
    buf_putc(out, '`');
    for (const char *p = target; *p; p++) {
        buf_putc(out, *p);
        if (*p == '`')
            buf_putc(out, '`');
    }
    buf_putc(out, '`');
}

/* value as a SQL literal. */
static int literal(const char *key, json_t *v, buf *out, buf *msg)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        buf_putc(out, '\'');
        for (const char *p = json_string_value(v); *p; p++) {
            buf_putc(out, *p);
            if (*p == '\'')
                buf_putc(out, '\'');
        }
        buf_putc(out, '\'');
        return 0;
    case JSON_INTEGER:
        buf_printf(out, "%lld", (long long)json_integer_value(v));
        return 0;
    case JSON_REAL:
        buf_printf(out, "%.17g", json_real_value(v));
        return 0;
    case JSON_TRUE: buf_puts(out, "TRUE"); return 0;
    case JSON_FALSE: buf_puts(out, "FALSE"); return 0;
    case JSON_NULL: buf_puts(out, "NULL"); return 0;
    case JSON_ARRAY: {
        buf_puts(out, "ARRAY[");
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            if (i)
                buf_puts(out, ", ");
            if (literal(key, e, out, msg))
                return -1;
        }
        buf_putc(out, ']');
        return 0;
    }
    case JSON_OBJECT:
        break;
    }
    buf_printf(msg, "Column %s: a JSON object as a value is not supported (STRUCT or MAP?)", key);
    return -1;
}

int inserts_statement(const char *target, json_t *row, buf *out, buf *msg)
{
    if (!json_is_object(row)) {
        buf_puts(msg, "A row must be a JSON object");
        return -1;
    }
    if (!json_object_size(row)) {
        buf_puts(msg, "A row must have at least one column");
        return -1;
    }
    buf_puts(out, "INSERT INTO ");
    inserts_name(target, out);
    buf_puts(out, " (");
    const char *k;
    json_t *v;
    int i = 0;
    json_object_foreach(row, k, v) {
        if (i++)
            buf_puts(out, ", ");
        inserts_name(k, out);
    }
    buf_puts(out, ") VALUES (");
    i = 0;
    json_object_foreach(row, k, v) {
        if (i++)
            buf_puts(out, ", ");
        if (literal(k, v, out, msg))
            return -1;
    }
    buf_puts(out, ");");
    return 0;
}
