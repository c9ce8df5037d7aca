/* test_pgparams — $n placeholders of a prepared statement replaced by the
 * literals of their text-format values, by declared type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/pgparams.h"

#define INT4 23
#define INT8 20
#define BOOL 16
#define NUMERIC 1700

static pgparam text(const char *s, int32_t oid)
{
    return (pgparam){s, s ? (int32_t)strlen(s) : -1, oid};
}

/* The substituted statement, or "ERROR sqlstate: message". */
static char *subst(const char *sql, const pgparam *p, int n, char *out, size_t cap)
{
    buf b = BUF_INIT;
    char state[6], msg[200];
    if (pgparams_substitute(sql, p, n, &b, state, msg, sizeof msg))
        snprintf(out, cap, "ERROR %s: %s", state, msg);
    else
        snprintf(out, cap, "%s", b.data ? b.data : "");
    buf_free(&b);
    return out;
}

static void test_pgparams_counts_placeholders_outside_strings_names_and_comments(void **state)
{
    assert_int_equal(pgparams_count("SELECT * FROM t"), 0);
    assert_int_equal(pgparams_count("SELECT * FROM t WHERE a = $2 AND b = $1"), 2);
    assert_int_equal(pgparams_count("SELECT '$3', \"$4\", `$5` FROM t -- $6\n WHERE x = $1 /* $7 */"), 1);
    assert_int_equal(pgparams_count("SELECT 'it''s $2' FROM t WHERE x = $1"), 1);
    assert_int_equal(pgparams_count("SELECT a$1 FROM t"), 0); /* part of a name */
    assert_int_equal(pgparams_count("SELECT $1000 FROM t"), 1000);
    assert_int_equal(pgparams_count("SELECT $1001 FROM t"), -1);
    assert_int_equal(pgparams_count("SELECT $99999999999999999999 FROM t"), -1);
    assert_int_equal(pgparams_count("SELECT 'unclosed $1"), 0);
}

static void test_pgparams_writes_literals_by_declared_type(void **state)
{
    char out[300];
    pgparam p[] = {text("a'b", 0),   text("42", INT4), text("-1.5e3", NUMERIC),
                   text("on", BOOL), text(NULL, INT8), text("+7", INT8)};
    assert_string_equal(
        subst("SELECT * FROM t WHERE s = $1 AND i = $2 AND d = x -$3 AND b = $4 AND n = $5 "
              "AND p = $6 AND again = $1",
              p, 6, out, sizeof out),
        "SELECT * FROM t WHERE s = 'a''b' AND i = 42 AND d = x - -1.5e3 AND b = TRUE AND n = NULL "
        "AND p = 7 AND again = 'a''b'");
    assert_string_equal(subst("SELECT '$1' FROM t WHERE x = $1", p, 1, out, sizeof out),
                        "SELECT '$1' FROM t WHERE x = 'a''b'");
    /* NULLs for every placeholder: to learn the columns before a Bind */
    assert_string_equal(subst("SELECT * FROM t WHERE a = $1 AND b = $2", NULL, 0, out, sizeof out),
                        "SELECT * FROM t WHERE a = NULL AND b = NULL");
}

static void test_pgparams_refuses_values_not_of_their_type(void **state)
{
    char out[300];
    pgparam bad_int[] = {text("1; DROP STREAM s", INT4)};
    assert_string_equal(
        subst("SELECT * FROM t WHERE i = $1", bad_int, 1, out, sizeof out),
        "ERROR 22P02: invalid input syntax for a number in parameter $1: \"1; DROP STREAM s\"");
    pgparam bad_bool[] = {text("maybe", BOOL)};
    assert_string_equal(subst("SELECT * FROM t WHERE b = $1", bad_bool, 1, out, sizeof out),
                        "ERROR 22P02: invalid input syntax for type boolean in parameter $1: \"maybe\"");
    pgparam empty[] = {text("", INT8)};
    assert_string_equal(subst("SELECT $1", empty, 1, out, sizeof out),
                        "ERROR 22P02: invalid input syntax for a number in parameter $1: \"\"");
    pgparam nul[] = {{"a\0' OR 'x'='x", 13, 0}};
    assert_string_equal(subst("SELECT * FROM t WHERE s = $1", nul, 1, out, sizeof out),
                        "ERROR 22021: invalid byte sequence in parameter $1: 0x00");
    pgparam one[] = {text("1", INT8)};
    assert_string_equal(subst("SELECT $2", one, 1, out, sizeof out),
                        "ERROR 08P01: there is no parameter $2: the Bind gave 1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgparams_counts_placeholders_outside_strings_names_and_comments),
        cmocka_unit_test(test_pgparams_writes_literals_by_declared_type),
        cmocka_unit_test(test_pgparams_refuses_values_not_of_their_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
