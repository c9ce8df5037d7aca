/* print.c — see print.h. */
#include "print.h"

#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/mem.h"

void printer_init(printer *p, FILE *out, const volatile sig_atomic_t *interrupted)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->interrupted = interrupted;
}

static void clear_set(printer *p)
{
    for (int r = 0; r < p->nrows; r++) {
        for (int c = 0; c < p->ncols; c++)
            free(p->rows[r][c]);
        free(p->rows[r]);
    }
    free(p->rows);
    for (int c = 0; c < p->ncols; c++)
        free(p->names[c]);
    free(p->names);
    free(p->widths);
    free(p->types);
    p->rows = NULL;
    p->names = NULL;
    p->widths = NULL;
    p->types = NULL;
    p->nrows = p->cap = p->ncols = 0;
    p->count = 0;
}

void printer_free(printer *p)
{
    clear_set(p);
}

static void on_message(void *ctx, const char *text)
{
    printer *p = ctx;
    fprintf(p->out, "%s\n", text);
    fflush(p->out);
}

static void rule(printer *p)
{
    fputc('+', p->out);
    for (int c = 0; c < p->ncols; c++) {
        for (int i = 0; i < p->widths[c] + 2; i++)
            fputc('-', p->out);
        fputc('+', p->out);
    }
    fputc('\n', p->out);
}

static void line(printer *p, char *const *cells)
{
    fputc('|', p->out);
    for (int c = 0; c < p->ncols; c++)
        fprintf(p->out, " %-*s |", p->widths[c], cells[c]);
    fputc('\n', p->out);
}

/* Text width in characters: count UTF-8 lead bytes. */
static int text_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

void printer_header_names(printer *p, const char *const *names, int n, bool streaming)
{
    clear_set(p);
    p->ncols = n;
    p->streaming = streaming;
    p->names = mem_alloc(sizeof(char *) * (size_t)(n + 1));
    p->widths = mem_alloc(sizeof(int) * (size_t)(n + 1));
    p->types = mem_alloc(sizeof(sqltype *) * (size_t)(n + 1));
    for (int c = 0; c < n; c++) {
        p->names[c] = mem_strdup(names[c]);
        p->types[c] = NULL;
        p->widths[c] = text_width(p->names[c]);
        if (streaming && p->widths[c] < 12)
            p->widths[c] = 12;
    }
    if (streaming) {
        rule(p);
        line(p, p->names);
        rule(p);
        fflush(p->out);
    }
}

static void on_header(void *ctx, const schema *cols, bool streaming)
{
    printer *p = ctx;
    const char **names = mem_alloc(sizeof(char *) * (size_t)(cols->n + 1));
    for (int c = 0; c < cols->n; c++)
        names[c] = cols->cols[c].name;
    printer_header_names(p, names, cols->n, streaming);
    free(names);
    for (int c = 0; c < cols->n; c++)
        p->types[c] = cols->cols[c].type;
}

void printer_row_cells(printer *p, char **cells)
{
    /* one line per row: newlines in values would break the table */
    for (int c = 0; c < p->ncols; c++)
        for (char *s = cells[c]; *s; s++)
            if (*s == '\n' || *s == '\r')
                *s = ' ';
    p->count++;
    if (p->streaming) {
        line(p, cells);
        fflush(p->out);
        for (int c = 0; c < p->ncols; c++)
            free(cells[c]);
        free(cells);
        return;
    }
    for (int c = 0; c < p->ncols; c++) {
        int w = text_width(cells[c]);
        if (w > p->widths[c])
            p->widths[c] = w;
    }
    if (p->nrows == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->rows = mem_realloc(p->rows, sizeof(char **) * (size_t)p->cap);
    }
    p->rows[p->nrows++] = cells;
}

static void on_row(void *ctx, const value *vals)
{
    printer *p = ctx;
    char **cells = mem_alloc(sizeof(char *) * (size_t)(p->ncols + 1));
    for (int c = 0; c < p->ncols; c++) {
        buf b = BUF_INIT;
        value_to_text(&vals[c], p->types[c], &b);
        cells[c] = buf_take(&b);
    }
    printer_row_cells(p, cells);
}

static void on_footer(void *ctx, const char *note)
{
    printer *p = ctx;
    if (!p->streaming) {
        rule(p);
        line(p, p->names);
        rule(p);
        for (int r = 0; r < p->nrows; r++)
            line(p, p->rows[r]);
    }
    rule(p);
    if (note)
        fprintf(p->out, "%s\n", note);
    fflush(p->out);
    clear_set(p);
}

static bool on_cancelled(void *ctx)
{
    printer *p = ctx;
    return p->interrupted && *p->interrupted;
}

engine_output printer_output(printer *p)
{
    engine_output o = {p, on_message, on_header, on_row, on_footer, on_cancelled};
    return o;
}
