/* fuzz_parse — libFuzzer target for the lexer, parser and SQL printer.
 *
 * Parses every statement of the input.  For each statement that parses,
 * prints it back as canonical SQL, parses that text again and aborts
 * unless the second parse succeeds and gives an equal tree: the printer
 * and the parser must agree on every input the parser accepts.  Errors
 * are fine (they are the parser's job); crashes, hangs, leaks and
 * sanitizer reports are not.  Also exercises err_render on every error
 * and parse_is_complete on the whole input, as the shell does.
 *
 * Build and run: `make fuzz` (FUZZ_SECONDS, default 60).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "parser/ast.h"
#include "parser/parse.h"

/* Prints s, re-parses the text and checks the trees are equal. */
static void fuzz_round_trip(const ast_stmt *s)
{
    buf sql = BUF_INIT;
    ast_print_stmt(s, &sql);
    arena a;
    arena_init(&a, 0);
    parser p;
    err e;
    parser_init(&p, &a, sql.data ? sql.data : "", sql.len);
    ast_stmt *again = parse_next(&p, &e);
    if (!again) {
        buf msg = BUF_INIT;
        err_render(&e, sql.data, sql.len, &msg);
        fprintf(stderr, "printed statement does not parse:\n%.*s\n%s\n", (int)sql.len, sql.data, msg.data);
        abort();
    }
    if (!ast_stmt_equal(s, again)) {
        fprintf(stderr, "printed statement parses to a different tree:\n%.*s\n", (int)sql.len, sql.data);
        abort();
    }
    if (parse_next(&p, &e) || e.code != ERR_OK) {
        fprintf(stderr, "printed statement is more than one statement:\n%.*s\n", (int)sql.len, sql.data);
        abort();
    }
    arena_free(&a);
    buf_free(&sql);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *src = (const char *)data;
    arena a;
    arena_init(&a, 0);
    parser p;
    err e;
    parser_init(&p, &a, src, size);
    (void)parse_is_complete(src, size);
    /* Every error consumes input (parse_next skips past the next ';'), so
     * the number of statements and errors is bounded by the input size. */
    for (size_t guard = 0;; guard++) {
        if (guard > size + 1) {
            fprintf(stderr, "parse_next makes no progress\n");
            abort();
        }
        ast_stmt *s = parse_next(&p, &e);
        if (s) {
            fuzz_round_trip(s);
            continue;
        }
        if (e.code == ERR_OK)
            break;
        buf msg = BUF_INIT;
        err_render(&e, src, size, &msg);
        buf_free(&msg);
    }
    arena_free(&a);
    return 0;
}
