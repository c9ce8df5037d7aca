/* test_func_regex.c — REGEXP_* functions, with ksqlDB's documented
 * examples (Java escapes \d \w \s translated to POSIX classes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eval_harness.h"

static void test_regexp_extract_whole_match_or_group(void **s)
{
    assert_string_equal(eval("REGEXP_EXTRACT('(.*) (.*)', 'hello there', 2)"), "there");
    assert_string_equal(eval("REGEXP_EXTRACT('test.', 'some_test_string')"), "test_");
    assert_string_equal(eval("REGEXP_EXTRACT('test.', 'nothing')"), "null");
    assert_string_equal(eval("REGEXP_EXTRACT('(a)', 'abc', 5)"), "null");
    assert_string_equal(eval("REGEXP_EXTRACT('x', NS)"), "null");
}

static void test_regexp_extract_all_every_match(void **s)
{
    assert_string_equal(eval("REGEXP_EXTRACT_ALL('(\\w+) (\\w+)', 'hello there nice day', 2)"), "[there, day]");
    assert_string_equal(eval("REGEXP_EXTRACT_ALL('\\d+', 'a1b22c333')"), "[1, 22, 333]");
    assert_string_equal(eval("REGEXP_EXTRACT_ALL('z', 'abc')"), "[]");
}

static void test_regexp_replace_all_matches_with_group_references(void **s)
{
    assert_string_equal(eval("REGEXP_REPLACE('baababaa', '(ab)+', 'cat')"), "bacataa");
    assert_string_equal(eval("REGEXP_REPLACE('baabbabaa', '(ab)+', 'cat')"), "bacatbcataa");
    assert_string_equal(eval("REGEXP_REPLACE('john smith', '(\\w+) (\\w+)', '$2, $1')"), "smith, john");
    assert_string_equal(eval("REGEXP_REPLACE(T, NS, 'x')"), "null");
}

static void test_regexp_split_to_array_keeps_empty_parts(void **s)
{
    assert_string_equal(eval("REGEXP_SPLIT_TO_ARRAY('aabcda', '(ab|cd)')"), "[a, , a]");
    assert_string_equal(eval("REGEXP_SPLIT_TO_ARRAY('zxy', '(ab|cd)')"), "[zxy]");
    assert_string_equal(eval("REGEXP_SPLIT_TO_ARRAY('a1b2', '[0-9]')"), "[a, b, ]");
    assert_string_equal(eval("REGEXP_SPLIT_TO_ARRAY('abc', '')"), "[a, b, c]");
}

static void test_invalid_pattern_fails_the_record(void **s)
{
    const char *want = "ERROR: REGEXP_EXTRACT: invalid regular expression '(': ";
    assert_true(strncmp(eval("REGEXP_EXTRACT('(', 'abc')"), want, strlen(want)) == 0);
}

/* Patterns are compiled once per thread and kept by their text: many
 * patterns in turn (more than the cache holds, so slots are shared and
 * replaced), each met again, still match as their own text says, and a
 * pattern that differs from a kept one by a character is not taken for
 * it. */
static void test_many_patterns_in_turn_each_match_as_written(void **s)
{
    char sql[128], want[32];
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 40; i++) {
            snprintf(sql, sizeof sql, "REGEXP_EXTRACT('x%dy', 'ax%dyb')", i, i);
            snprintf(want, sizeof want, "x%dy", i);
            assert_string_equal(eval(sql), want);
            snprintf(sql, sizeof sql, "REGEXP_EXTRACT('x%dy', 'ax%dyb')", i, i + 1);
            assert_string_equal(eval(sql), "null");
        }
    assert_string_equal(eval("REGEXP_EXTRACT('ab', 'xaby')"), "ab");
    assert_string_equal(eval("REGEXP_EXTRACT('ac', 'xaby')"), "null");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regexp_extract_whole_match_or_group),
        cmocka_unit_test(test_regexp_extract_all_every_match),
        cmocka_unit_test(test_regexp_replace_all_matches_with_group_references),
        cmocka_unit_test(test_regexp_split_to_array_keeps_empty_parts),
        cmocka_unit_test(test_invalid_pattern_fails_the_record),
        cmocka_unit_test(test_many_patterns_in_turn_each_match_as_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
