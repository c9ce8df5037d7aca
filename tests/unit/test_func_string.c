/* test_func_string.c — ksqlDB's string functions, with the examples of
 * ksqlDB's scalar-function reference as expectations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "eval_harness.h"

static void test_concat_ws_skips_nulls_and_null_separator_gives_null(void **s)
{
    assert_string_equal(eval("CONCAT_WS(', ', 'apple', 'banana', NULL, 'date')"), "apple, banana, date");
    assert_string_equal(eval("CONCAT_WS(NS, 'a', 'b')"), "null");
    assert_string_equal(eval("CONCAT_WS('-', NS)"), "");
}

static void test_instr_finds_occurrences_forward_and_backward(void **s)
{
    assert_string_equal(eval("INSTR('CORPORATE FLOOR', 'OR')"), "2");
    assert_string_equal(eval("INSTR('CORPORATE FLOOR', 'OR', 3)"), "5");
    assert_string_equal(eval("INSTR('CORPORATE FLOOR', 'OR', 3, 2)"), "14");
    assert_string_equal(eval("INSTR('CORPORATE FLOOR', 'OR', -3)"), "5");
    assert_string_equal(eval("INSTR('CORPORATE FLOOR', 'OR', -3, 2)"), "2");
    assert_string_equal(eval("INSTR('CORPORATE FLOOR', 'MISSING')"), "0");
    /* the needle's first byte met before the match, and at the ends */
    assert_string_equal(eval("INSTR('aaab', 'aab')"), "2");
    assert_string_equal(eval("INSTR('abababx', 'abx')"), "5");
    assert_string_equal(eval("INSTR('abc', 'c')"), "3");
    assert_string_equal(eval("INSTR('abc', 'abcd')"), "0");
    assert_string_equal(eval("INSTR('abcab', 'ab', -1)"), "4");
    assert_string_equal(eval("INSTR('xaabaa', 'aab', -1)"), "2");
    assert_string_equal(eval("INSTR('abc', 'x', -1)"), "0");
}

static void test_lpad_and_rpad_pad_or_cut(void **s)
{
    assert_string_equal(eval("LPAD('Foo', 7, 'Bar')"), "BarBFoo");
    assert_string_equal(eval("LPAD('Foo', 2, 'Bar')"), "Fo");
    assert_string_equal(eval("LPAD('', 2, 'Bar')"), "Ba");
    assert_string_equal(eval("LPAD('123', 5, '0')"), "00123");
    assert_string_equal(eval("RPAD('Foo', 7, 'Bar')"), "FooBarB");
    assert_string_equal(eval("RPAD('Foo', 2, 'Bar')"), "Fo");
    assert_string_equal(eval("RPAD('', 2, 'Bar')"), "Ba");
}

static void test_pad_with_empty_pad_or_negative_length_is_null(void **s)
{
    assert_string_equal(eval("LPAD('Foo', 7, '')"), "null");
    assert_string_equal(eval("RPAD('Foo', -1, 'x')"), "null");
    assert_string_equal(eval("RPAD(NS, 3, 'x')"), "null");
}

static void test_mask_family_masks_by_character_class(void **s)
{
    assert_string_equal(eval("MASK('My Test $123')"), "Xx-Xxxx--nnn");
    assert_string_equal(eval("MASK('My Test $123', '*', NULL, '1', NULL)"), "*y *est $111");
    assert_string_equal(eval("MASK_KEEP_LEFT('My Test $123', 4)"), "My Txxx--nnn");
    assert_string_equal(eval("MASK_KEEP_RIGHT('My Test $123', 4)"), "Xx-Xxxx-$123");
    assert_string_equal(eval("MASK_LEFT('My Test $123', 4)"), "Xx-Xest $123");
    assert_string_equal(eval("MASK_RIGHT('My Test $123', 4)"), "My Test -nnn");
}

static void test_chr_from_code_point_or_escape(void **s)
{
    assert_string_equal(eval("CHR(75)"), "K");
    assert_string_equal(eval("CHR('\\u004b')"), "K");
    assert_string_equal(eval("CHR(22909)"), "\xe5\xa5\xbd");
    assert_string_equal(eval("CHR('\\u597d')"), "\xe5\xa5\xbd");
    assert_string_equal(eval("CHR(-1)"), "null");
    assert_string_equal(eval("CHR('bogus')"), "null");
}

static void test_replace_split_and_split_to_map(void **s)
{
    assert_string_equal(eval("REPLACE('anaconda', 'a', 'o')"), "onocondo");
    assert_string_equal(eval("REPLACE(T, NULL, 'o')"), "null");
    assert_string_equal(eval("SPLIT('a,b,,c', ',')"), "[a, b, , c]");
    assert_string_equal(eval("SPLIT('abc', '')"), "[a, b, c]");
    assert_string_equal(eval("SPLIT(',a,', ',')"), "[, a, ]");
    assert_string_equal(eval("SPLIT('a::b:::c', '::')"), "[a, b, :c]");
    assert_string_equal(eval("SPLIT('http://www.example.com/a/b', '/')[4]"), "a");
    assert_string_equal(eval("REPLACE('aaab', 'aab', 'X')"), "aX");
    assert_string_equal(eval("SPLIT_TO_MAP('apple:=green/cherry:=red', '/', ':=')"), "{apple=green, cherry=red}");
    assert_string_equal(eval("SPLIT_TO_MAP('a:1/a:2', '/', ':')"), "{a=2}");
    assert_string_equal(eval("SPLIT_TO_MAP('a:1', '', ':')"), "null");
}

static void test_substring_counts_characters_from_one_or_from_the_end(void **s)
{
    assert_string_equal(eval("SUBSTRING('stream', 1, 4)"), "stre");
    assert_string_equal(eval("SUBSTRING('stream', -3)"), "eam");
    assert_string_equal(eval("SUBSTRING('\xc3\xa9t\xc3\xa9', 2, 2)"), "t\xc3\xa9");
    assert_string_equal(eval("LEN('\xc3\xa9t\xc3\xa9')"), "3");
}

static void test_initcap_trim_and_case(void **s)
{
    assert_string_equal(eval("INITCAP('the quICK  brown fox')"), "The Quick  Brown Fox");
    assert_string_equal(eval("TRIM('  x y \t')"), "x y");
    assert_string_equal(eval("UCASE('abc')"), "ABC");
    assert_string_equal(eval("LCASE('ABC')"), "abc");
}

static void test_elt_and_field_are_complements(void **s)
{
    assert_string_equal(eval("ELT(2, 'a', 'b')"), "b");
    assert_string_equal(eval("ELT(3, 'a', 'b')"), "null");
    assert_string_equal(eval("ELT(0, 'a', 'b')"), "null");
    assert_string_equal(eval("FIELD('b', 'a', 'b')"), "2");
    assert_string_equal(eval("FIELD('z', 'a', 'b')"), "0");
    assert_string_equal(eval("FIELD(NS, 'a', NS)"), "0");
}

static void test_encode_between_hex_utf8_ascii_and_base64(void **s)
{
    assert_string_equal(eval("ENCODE('4578616d706C6521', 'hex', 'utf8')"), "Example!");
    assert_string_equal(eval("ENCODE('Example!', 'utf8', 'base64')"), "RXhhbXBsZSE=");
    assert_string_equal(eval("ENCODE('RXhhbXBsZSE=', 'base64', 'hex')"), "4578616d706c6521");
    assert_string_equal(eval("ENCODE('0x578616d706C6521', 'hex', 'base64')"), "BXhhbXBsZSE=");
    assert_string_equal(eval("ENCODE('\xce\x95', 'ascii', 'hex')"), "3f");
    assert_string_equal(eval("ENCODE('zz', 'hex', 'utf8')"), "null");
}

static void test_encode_with_unknown_encoding_fails_the_record(void **s)
{
    assert_string_equal(eval("ENCODE('x', 'utf8', 'rot13')"),
                        "ERROR: ENCODE: unsupported encoding 'rot13' (use hex, utf8, ascii or base64)");
}

static void test_to_bytes_and_from_bytes_convert_text(void **s)
{
    assert_string_equal(eval("TO_BYTES('hello', 'utf8')"), "aGVsbG8=");
    assert_string_equal(eval_type("TO_BYTES('hello', 'utf8')"), "BYTES");
    assert_string_equal(eval("FROM_BYTES(TO_BYTES('aGVsbG8=', 'base64'), 'utf8')"), "hello");
    assert_string_equal(eval("FROM_BYTES(TO_BYTES('1ab2', 'hex'), 'hex')"), "1AB2");
    assert_string_equal(eval("FROM_BYTES(TO_BYTES(NS, 'hex'), 'hex')"), "null");
    assert_string_equal(eval("TO_BYTES('xyz', 'hex')"), "ERROR: TO_BYTES: the text is not hex");
}

static void test_numbers_from_bytes_read_big_or_little_endian(void **s)
{
    assert_string_equal(eval("INT_FROM_BYTES(TO_BYTES('000000ff', 'hex'))"), "255");
    assert_string_equal(eval("INT_FROM_BYTES(TO_BYTES('ff000000', 'hex'), 'LITTLE_ENDIAN')"), "255");
    assert_string_equal(eval("BIGINT_FROM_BYTES(TO_BYTES('ffffffffffffffff', 'hex'))"), "-1");
    assert_string_equal(eval("DOUBLE_FROM_BYTES(TO_BYTES('3ff8000000000000', 'hex'))"), "1.5");
    assert_string_equal(eval("INT_FROM_BYTES(TO_BYTES('00ff', 'hex'))"),
                        "ERROR: Number of bytes must be equal to 4, but found 2");
}

static void test_string_functions_take_bytes_and_count_bytes(void **s)
{
    assert_string_equal(eval("LEN(TO_BYTES('h\u00e9llo', 'utf8'))"), "6");
    assert_string_equal(eval("SUBSTRING(TO_BYTES('hello', 'utf8'), 2, 3)"), "ZWxs");
    assert_string_equal(eval_type("SUBSTRING(TO_BYTES('hello', 'utf8'), 2, 3)"), "BYTES");
    assert_string_equal(eval("LPAD(TO_BYTES('yes', 'utf8'), 8, TO_BYTES('no', 'utf8'))"), "bm9ub255ZXM=");
    assert_string_equal(eval("CONCAT(TO_BYTES('a', 'utf8'), NULL, TO_BYTES('b', 'utf8'))"), "YWI=");
    assert_string_equal(eval("CONCAT_WS(TO_BYTES('-', 'utf8'), TO_BYTES('a', 'utf8'), TO_BYTES('b', 'utf8'))"), "YS1i");
    assert_string_equal(eval("CONCAT(T, TO_BYTES('a', 'utf8'))"), "ERROR: CONCAT expects STRING arguments");
}

static void test_uuid_is_a_version_4_uuid(void **s)
{
    char *u = eval("UUID()");
    assert_int_equal(strlen(u), 36);
    assert_int_equal(u[14], '4');
    assert_int_equal(u[8], '-');
    assert_string_equal(eval("LEN(UUID())"), "36");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concat_ws_skips_nulls_and_null_separator_gives_null),
        cmocka_unit_test(test_instr_finds_occurrences_forward_and_backward),
        cmocka_unit_test(test_lpad_and_rpad_pad_or_cut),
        cmocka_unit_test(test_pad_with_empty_pad_or_negative_length_is_null),
        cmocka_unit_test(test_mask_family_masks_by_character_class),
        cmocka_unit_test(test_chr_from_code_point_or_escape),
        cmocka_unit_test(test_replace_split_and_split_to_map),
        cmocka_unit_test(test_substring_counts_characters_from_one_or_from_the_end),
        cmocka_unit_test(test_initcap_trim_and_case),
        cmocka_unit_test(test_elt_and_field_are_complements),
        cmocka_unit_test(test_encode_between_hex_utf8_ascii_and_base64),
        cmocka_unit_test(test_encode_with_unknown_encoding_fails_the_record),
        cmocka_unit_test(test_to_bytes_and_from_bytes_convert_text),
        cmocka_unit_test(test_numbers_from_bytes_read_big_or_little_endian),
        cmocka_unit_test(test_string_functions_take_bytes_and_count_bytes),
        cmocka_unit_test(test_uuid_is_a_version_4_uuid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
