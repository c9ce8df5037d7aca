/* test_parse_conformance — every ksqlDB conformance statement parses.
 *
 * Reads ../shared/conformance/cases/<case>/statements.sql (relative to the
 * repository root, where `make unit` runs the tests) and parses every
 * statement.  A case whose meta.json has `"expectedException": null` must
 * parse completely; a case that expects an error may fail anywhere (most
 * of those are semantic errors the analyzer reports, so many parse).
 * Every statement that parses must survive print -> parse -> equal.
 * When the conformance folder is missing, the test says so and skips.
 */
#include <dirent.h>
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
#include "parser/parse.h"

#define CASES_DIR "../shared/conformance/cases"

/* Whole file into a NUL-terminated heap string, or NULL. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b = BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    buf_putc(&b, '\0');
    *len = b.len - 1;
    return buf_take(&b);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the case folders (caller frees), or NULL if none. */
static char **list_cases(int *n)
{
    DIR *d = opendir(CASES_DIR);
    if (!d)
        return NULL;
    char **names = NULL;
    int cap = 0;
    *n = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            names = realloc(names, (size_t)cap * sizeof *names);
        }
        names[(*n)++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(names, (size_t)*n, sizeof *names, by_name);
    return names;
}

/* Prints s, parses the text again and fails the test unless the tree is
 * equal. */
static void check_round_trip(const char *where, const ast_stmt *s)
{
    buf sql = BUF_INIT;
    ast_print_stmt(s, &sql);
    arena a;
    arena_init(&a, 0);
    parser p;
    err e;
    parser_init(&p, &a, sql.data, sql.len);
    ast_stmt *again = parse_next(&p, &e);
    if (!again) {
        buf msg = BUF_INIT;
        err_render(&e, sql.data, sql.len, &msg);
        fail_msg("%s: the printed statement does not parse:\n%s\n%s", where, sql.data, msg.data);
    }
    if (!ast_stmt_equal(s, again))
        fail_msg("%s: the printed statement parses to a different tree:\n%s", where, sql.data);
    arena_free(&a);
    buf_free(&sql);
}

typedef struct tally {
    int cases, expect_ok, expect_error;
    int ok_parse, error_parse; /* cases that parse completely */
    int statements, round_trips;
    int failures;
} tally;

/* Parses every statement of one case; returns true when all parse. */
static bool parse_case(const char *name, const char *sql, size_t len, bool must_parse, tally *t)
{
    arena a;
    arena_init(&a, 0);
    parser p;
    err e;
    bool all = true;
    parser_init(&p, &a, sql, len);
    for (;;) {
        ast_stmt *s = parse_next(&p, &e);
        if (!s && e.code == ERR_OK)
            break;
        t->statements++;
        if (s) {
            check_round_trip(name, s);
            t->round_trips++;
            continue;
        }
        all = false;
        if (must_parse) {
            buf msg = BUF_INIT;
            err_render(&e, sql, len, &msg);
            print_error("%s/statements.sql does not parse:\n%s\n", name, msg.data);
            buf_free(&msg);
            t->failures++;
        }
    }
    arena_free(&a);
    return all;
}

static void test_conformance_statements_parse_and_round_trip(void **state)
{
    int n = 0;
    char **names = list_cases(&n);
    if (!names) {
        print_message("conformance: %s not found; skipping\n", CASES_DIR);
        skip();
    }
    tally t = {0};
    for (int i = 0; i < n; i++) {
        char path[1024];
        size_t len, mlen;
        snprintf(path, sizeof path, "%s/%s/meta.json", CASES_DIR, names[i]);
        char *meta = slurp(path, &mlen);
        snprintf(path, sizeof path, "%s/%s/statements.sql", CASES_DIR, names[i]);
        char *sql = slurp(path, &len);
        if (meta && sql) {
            bool must_parse = strstr(meta, "\"expectedException\": null") != NULL;
            t.cases++;
            if (must_parse)
                t.expect_ok++;
            else
                t.expect_error++;
            if (parse_case(names[i], sql, len, must_parse, &t)) {
                if (must_parse)
                    t.ok_parse++;
                else
                    t.error_parse++;
            }
        }
        free(meta);
        free(sql);
        free(names[i]);
    }
    free(names);
    print_message("conformance: %d cases, %d statements (%d round-tripped)\n", t.cases, t.statements,
                  t.round_trips);
    print_message("conformance: %d/%d cases without an expected error parse fully\n", t.ok_parse,
                  t.expect_ok);
    print_message("conformance: %d/%d cases expecting an error parse fully (the error is semantic), "
                  "%d fail to parse\n",
                  t.error_parse, t.expect_error, t.expect_error - t.error_parse);
    assert_true(t.cases > 0);
    assert_int_equal(t.failures, 0);
    assert_int_equal(t.ok_parse, t.expect_ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conformance_statements_parse_and_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
