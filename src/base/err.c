/* err.c — see err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const err_names[] = {
#define X(name, text) text,
    ERR_CODES(X)
#undef X
};

void err_clear(err *e)
{
    e->code = ERR_OK;
    e->has_span = false;
    e->off = e->len = 0;
    e->msg[0] = e->hint[0] = '\0';
}

const char *err_code_name(err_code code) { return err_names[code]; }

int err_set(err *e, err_code code, const char *fmt, ...)
{
    va_list ap;
    e->code = code;
    e->has_span = false;
    e->hint[0] = '\0';
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

int err_at(err *e, err_code code, uint32_t off, uint32_t len, const char *fmt, ...)
{
    va_list ap;
    e->code = code;
    e->has_span = true;
    e->off = off;
    e->len = len;
    e->hint[0] = '\0';
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return -1;
}

void err_hint(err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->hint, sizeof e->hint, fmt, ap);
    va_end(ap);
}

void err_shift(err *e, uint32_t delta)
{
    if (e->has_span)
        e->off += delta;
}

/* A UTF-8 continuation byte: part of the character before it. */
static bool continuation(char c) { return ((unsigned char)c & 0xC0) == 0x80; }

void err_line_col(const char *src, size_t src_len, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < off && i < src_len; i++) {
        if (src[i] == '\n')
            l++, c = 1;
        else if (!continuation(src[i]))
            c++; /* columns count characters, not bytes */
    }
    *line = l;
    *col = c;
}

void err_render(const err *e, const char *src, size_t src_len, buf *out)
{
    if (!e->has_span || !src || e->off > src_len) {
        buf_puts(out, e->msg);
        if (e->hint[0])
            buf_printf(out, "\nhint: %s", e->hint);
        return;
    }
    int line, col;
    err_line_col(src, src_len, e->off, &line, &col);
    buf_printf(out, "line %d:%d: %s\n", line, col, e->msg);
    size_t start = e->off;
    while (start > 0 && src[start - 1] != '\n')
        start--;
    size_t end = e->off;
    while (end < src_len && src[end] != '\n')
        end++;
    buf_puts(out, "  ");
    buf_append(out, src + start, end - start);
    buf_puts(out, "\n  ");
    for (size_t i = start; i < e->off; i++)
        if (!continuation(src[i]))
            buf_putc(out, src[i] == '\t' ? '\t' : ' ');
    size_t stop = e->off + (e->len ? e->len : 1);
    if (stop > end)
        stop = end > e->off ? end : e->off + 1;
    for (size_t i = e->off; i < stop; i++)
        if (i >= src_len || !continuation(src[i]))
            buf_putc(out, '^');
    if (e->hint[0])
        buf_printf(out, "\nhint: %s", e->hint);
}
