/* test_func_url.c — URL functions, with the examples of ksqlDB's
 * reference (java.net.URI's split into parts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "eval_harness.h"

static void test_encode_and_decode_param(void **s)
{
    assert_string_equal(eval("URL_DECODE_PARAM('url%20encoded')"), "url encoded");
    assert_string_equal(eval("URL_ENCODE_PARAM('url encoded')"), "url+encoded");
    assert_string_equal(eval("URL_ENCODE_PARAM('?foo $bar')"), "%3Ffoo+%24bar");
    assert_string_equal(eval("URL_DECODE_PARAM(URL_ENCODE_PARAM('a&b=c d'))"), "a&b=c d");
}

static void test_malformed_escape_fails_decode(void **s)
{
    assert_string_equal(eval("URL_DECODE_PARAM('100%')"), "ERROR: URL_DECODE_PARAM: malformed %-escape in '100%'");
}

static void test_extract_parts(void **s)
{
    assert_string_equal(eval("URL_EXTRACT_FRAGMENT('http://test.com#frag')"), "frag");
    assert_string_equal(eval("URL_EXTRACT_FRAGMENT('http://test.com#frag%20space')"), "frag space");
    assert_string_equal(eval("URL_EXTRACT_FRAGMENT('http://www.nofragment.com')"), "null");
    assert_string_equal(eval("URL_EXTRACT_HOST('http://test.com:8080/path')"), "test.com");
    assert_string_equal(eval("URL_EXTRACT_HOST('http://test@confluent.io:8080')"), "confluent.io");
    assert_string_equal(eval("URL_EXTRACT_PATH('http://test.com/path/to#a')"), "/path/to");
    assert_string_equal(eval("URL_EXTRACT_PATH('http://www.test.com?query')"), "");
    assert_string_equal(eval("URL_EXTRACT_PORT('http://localhost:8080/path')"), "8080");
    assert_string_equal(eval("URL_EXTRACT_PORT('http://localhost/path')"), "null");
    assert_string_equal(eval("URL_EXTRACT_PROTOCOL('http://test.com?a=foo&b=bar')"), "http");
    assert_string_equal(eval("URL_EXTRACT_PROTOCOL('www.confluent.io')"), "null");
    assert_string_equal(eval("URL_EXTRACT_QUERY('http://test.com?a=foo%20bar&b=baz')"), "a=foo bar&b=baz");
    assert_string_equal(eval("URL_EXTRACT_QUERY('http://test.com/path')"), "null");
}

static void test_extract_parameter_decodes_name_and_value(void **s)
{
    assert_string_equal(eval("URL_EXTRACT_PARAMETER('http://test.com?a%20b=c%20d', 'a b')"), "c d");
    assert_string_equal(eval("URL_EXTRACT_PARAMETER('http://test.com?a=foo&b=bar', 'b')"), "bar");
    assert_string_equal(eval("URL_EXTRACT_PARAMETER('http://test.com?a=foo&three', 'three')"), "null");
    assert_string_equal(eval("URL_EXTRACT_PARAMETER('http://test.com?a=foo', 'c')"), "null");
}

static void test_invalid_url_gives_null(void **s)
{
    assert_string_equal(eval("URL_EXTRACT_HOST('http://bad host.com/')"), "null");
    assert_string_equal(eval("URL_EXTRACT_PATH('http://x.com/%zz')"), "null");
    assert_string_equal(eval("URL_EXTRACT_HOST(NS)"), "null");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_and_decode_param),
        cmocka_unit_test(test_malformed_escape_fails_decode),
        cmocka_unit_test(test_extract_parts),
        cmocka_unit_test(test_extract_parameter_decodes_name_and_value),
        cmocka_unit_test(test_invalid_url_gives_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
