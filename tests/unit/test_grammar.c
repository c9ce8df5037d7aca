/* test_grammar — grammar/eddy.ebnf and the parser agree.
 *
 * Every line of the grammar document that starts with `(* example: ` and
 * ends with ` *)` must parse as exactly one statement and survive a
 * print/parse round trip; together the examples must cover every statement kind; and the document's list
 * of reserved words must be the lexer's.  Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "parser/ast.h"
#include "parser/lex.h"
#include "parser/parse.h"

#define GRAMMAR_PATH "grammar/eddy.ebnf"
#define EXAMPLE_OPEN "(* example: "
#define EXAMPLE_CLOSE " *)"

static char *read_grammar(void)
{
    FILE *f = fopen(GRAMMAR_PATH, "rb");
    if (!f)
        fail_msg("cannot open %s (run the test from the repository root)", GRAMMAR_PATH);
    buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    return buf_take(&b);
}

/* Calls fn on the text of every example line, with its line number. */
static int for_each_example(const char *text, void (*fn)(const char *sql, int line, void *ctx), void *ctx)
{
    int count = 0, line = 1;
    for (const char *p = text; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *l = strndup(p, len);
        char *start = strncmp(l, EXAMPLE_OPEN, strlen(EXAMPLE_OPEN)) == 0 ? l : NULL;
        if (start) {
            start += strlen(EXAMPLE_OPEN);
            char *end = strstr(start, EXAMPLE_CLOSE);
            if (!end)
                fail_msg("%s:%d: example without a closing '%s'", GRAMMAR_PATH, line, EXAMPLE_CLOSE);
            *end = '\0';
            fn(start, line, ctx);
            count++;
        }
        free(l);
        line++;
        p += len + (eol ? 1 : 0);
    }
    return count;
}

static void check_example(const char *sql, int line, void *ctx)
{
    bool *seen = ctx;
    arena a;
    arena_init(&a, 0);
    parser p;
    err e;
    parser_init(&p, &a, sql, strlen(sql));
    ast_stmt *s = parse_next(&p, &e);
    if (!s) {
        buf b = BUF_INIT;
        err_render(&e, sql, strlen(sql), &b);
        fail_msg("%s:%d: example does not parse:\n%s", GRAMMAR_PATH, line, b.data);
    }
    if (parse_next(&p, &e) || e.code != ERR_OK)
        fail_msg("%s:%d: example is more than one statement", GRAMMAR_PATH, line);
    seen[s->kind] = true;

    buf out = BUF_INIT;
    ast_print_stmt(s, &out);
    parser q;
    parser_init(&q, &a, out.data, out.len);
    ast_stmt *t = parse_next(&q, &e);
    if (!t || !ast_stmt_equal(s, t))
        fail_msg("%s:%d: example does not round-trip; printed as\n%s\n%s", GRAMMAR_PATH, line, out.data,
                 t ? "" : e.msg);
    buf_free(&out);
    arena_free(&a);
}

static void test_every_grammar_example_parses_and_round_trips(void **state)
{
    char *text = read_grammar();
    bool seen[AST_CREATE_TYPE + 1] = {0};
    int n = for_each_example(text, check_example, seen);
    assert_true(n > 0);
    free(text);
}

static void test_grammar_examples_cover_every_statement_kind(void **state)
{
    static const char *const names[] = {
        "CREATE_SOURCE", "CREATE_AS", "INSERT_VALUES", "INSERT_SELECT",
        "SELECT",        "SHOW",      "DESCRIBE",      "DESCRIBE_FUNCTION",
        "DROP",          "TERMINATE", "PAUSE",         "RESUME",
        "SET",           "UNSET",     "DEFINE",        "UNDEFINE",
        "EXPLAIN",       "PRINT",     "RUN_SCRIPT",    "CREATE_TYPE",
    };
    char *text = read_grammar();
    bool seen[AST_CREATE_TYPE + 1] = {0};
    for_each_example(text, check_example, seen);
    for (int k = 0; k <= AST_CREATE_TYPE; k++)
        if (!seen[k])
            fail_msg("%s has no example of statement kind AST_%s", GRAMMAR_PATH, names[k]);
    free(text);
}

static void test_grammar_lists_exactly_the_reserved_words(void **state)
{
    char *text = read_grammar();
    const char *from = strstr(text, "Reserved (never a name unless quoted):");
    assert_non_null(from);
    const char *to = strstr(from, "Every other keyword");
    assert_non_null(to);
    from = strchr(from, ':') + 1;
    int listed = 0;
    for (const char *p = from; p < to;) {
        while (p < to && !(*p >= 'A' && *p <= 'Z'))
            p++;
        const char *w = p;
        while (p < to && *p >= 'A' && *p <= 'Z')
            p++;
        if (p == w)
            continue;
        tok_kind k = lex_keyword(w, (size_t)(p - w));
        if (!lex_is_reserved(k))
            fail_msg("%s lists %.*s as reserved, the lexer does not", GRAMMAR_PATH, (int)(p - w), w);
        listed++;
    }
    int reserved = 0;
    for (int k = TK_FIRST_KEYWORD; k < TK__COUNT; k++)
        reserved += lex_is_reserved((tok_kind)k);
    assert_int_equal(listed, reserved);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_grammar_example_parses_and_round_trips),
        cmocka_unit_test(test_grammar_examples_cover_every_statement_kind),
        cmocka_unit_test(test_grammar_lists_exactly_the_reserved_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
