/* test_codec — the state codec (codec.h): the general layout of a row
 * of NULLs, numbers and strings; and its fixed-size rows: a row of
 * present numbers decodes from, and is written over, its bytes in place,
 * with the layout codec.h describes (a flag byte 1, then the value
 * little-endian: INT 4 bytes, BIGINT and DOUBLE 8, DECIMAL 16); any other
 * row is refused with nothing written.  Expected bytes are written out by
 * hand from that layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "engine/codec.h"

static const uint8_t count_state[18] = {
    1, 0x10, 0x27, 0, 0, 0, 0, 0, 0, /* 10000 */
    1, 3, 0, 0, 0, 0, 0, 0, 0,       /* 3 */
};

static void decodes_a_row_of_present_numbers(void **state)
{
    (void)state;
    const sqltype *types[2] = {types_scalar(TYPE_BIGINT), types_scalar(TYPE_BIGINT)};
    value v[2];
    assert_true(codec_decode_fixed(count_state, sizeof count_state, types, 2, v));
    assert_false(v[0].null);
    assert_int_equal(v[0].u.l, 10000);
    assert_false(v[1].null);
    assert_int_equal(v[1].u.l, 3);
}

static void writes_a_row_over_its_bytes(void **state)
{
    (void)state;
    const sqltype *types[2] = {types_scalar(TYPE_BIGINT), types_scalar(TYPE_BIGINT)};
    uint8_t bytes[18];
    memcpy(bytes, count_state, sizeof bytes);
    value v[2] = {value_bigint(10000), value_bigint(4)};
    assert_true(codec_encode_fixed(v, types, 2, bytes, sizeof bytes));
    uint8_t want[18] = {1, 0x10, 0x27, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(bytes, want, sizeof want);
}

/* INT, BOOLEAN, DOUBLE, DECIMAL and negative numbers: written where and as
 * codec_encode writes them, and read back. */
static void agrees_with_the_general_codec(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 1024);
    const sqltype *types[5] = {types_scalar(TYPE_INT), types_scalar(TYPE_BOOLEAN), types_scalar(TYPE_DOUBLE),
                               types_decimal(&a, 20, 2), types_scalar(TYPE_TIMESTAMP)};
    value v[5] = {value_int(-2), value_bool(true), value_double(-1.5), value_decimal(-12345), value_bigint(-7)};
    buf b = {0};
    codec_encode(v, types, 5, &b);
    assert_int_equal(b.len, 5 + 4 + 1 + 8 + 16 + 8);
    uint8_t over[64];
    memset(over, 0xee, sizeof over);
    assert_true(codec_encode_fixed(v, types, 5, over, b.len));
    assert_memory_equal(over, b.data, b.len);
    value back[5];
    assert_true(codec_decode_fixed((const uint8_t *)b.data, b.len, types, 5, back));
    assert_int_equal(back[0].u.i, -2);
    assert_true(back[1].u.b);
    assert_true(back[2].u.d == -1.5);
    assert_true(value_dec(&back[3]) == -12345);
    assert_int_equal(back[4].u.l, -7);
    buf_free(&b);
    arena_free(&a);
}

/* The general codec's layout for a row of NULLs (one 0 byte, whatever
 * the type), numbers and strings, appended after what the buffer holds
 * (still NUL-terminated), and read back. */
static void encodes_nulls_numbers_and_strings_after_the_buffers_bytes(void **state)
{
    (void)state;
    arena a;
    arena_init(&a, 1024);
    const sqltype *types[6] = {types_scalar(TYPE_BIGINT), types_scalar(TYPE_STRING), types_scalar(TYPE_INT),
                               types_scalar(TYPE_DOUBLE), types_scalar(TYPE_STRING), types_scalar(TYPE_BOOLEAN)};
    value v[6] = {value_bigint(258), value_null(),          value_int(-1),
                  value_null(),      value_string("ab", 2), value_bool(true)};
    buf b = {0};
    buf_append(&b, "xy", 2);
    codec_encode(v, types, 6, &b);
    uint8_t want[] = {'x', 'y', 1, 2, 1, 0, 0, 0, 0, 0, 0, /* 258 */
                      0,                                   /* NULL */
                      1, 0xff, 0xff, 0xff, 0xff,           /* -1 */
                      0,                                   /* NULL */
                      1, 2, 'a', 'b',                      /* "ab" */
                      1, 1};                               /* true */
    assert_int_equal(b.len, sizeof want);
    assert_memory_equal(b.data, want, sizeof want);
    assert_int_equal(b.data[b.len], '\0');
    value back[6];
    err e;
    err_clear(&e);
    assert_int_equal(codec_decode((const uint8_t *)b.data + 2, b.len - 2, types, 6, back, &a, &e), 0);
    assert_int_equal(back[0].u.l, 258);
    assert_true(back[1].null);
    assert_int_equal(back[2].u.i, -1);
    assert_true(back[3].null);
    assert_int_equal(back[4].u.s.len, 2);
    assert_memory_equal(back[4].u.s.p, "ab", 2);
    assert_true(back[5].u.b);
    buf_free(&b);
    arena_free(&a);
}

/* A NULL (a MIN's state before its first value), a string, or bytes of
 * another length: refused, so the caller takes the general path. */
static void refuses_other_rows(void **state)
{
    (void)state;
    const sqltype *two[2] = {types_scalar(TYPE_BIGINT), types_scalar(TYPE_BIGINT)};
    const sqltype *with_string[2] = {types_scalar(TYPE_BIGINT), types_scalar(TYPE_STRING)};
    value v[2];
    uint8_t null_max[10] = {1, 0x10, 0x27, 0, 0, 0, 0, 0, 0, 0};
    assert_false(codec_decode_fixed(null_max, sizeof null_max, two, 2, v));
    assert_false(codec_decode_fixed(count_state, sizeof count_state - 1, two, 2, v));
    assert_false(codec_decode_fixed(count_state, sizeof count_state, with_string, 2, v));
    uint8_t longer[19] = {0};
    memcpy(longer, count_state, sizeof count_state);
    assert_false(codec_decode_fixed(longer, sizeof longer, two, 2, v));

    uint8_t bytes[18];
    memcpy(bytes, count_state, sizeof bytes);
    value with_null[2] = {value_bigint(1), value_null()};
    assert_false(codec_encode_fixed(with_null, two, 2, bytes, sizeof bytes));
    value present[2] = {value_bigint(1), value_bigint(2)};
    assert_false(codec_encode_fixed(present, two, 2, bytes, sizeof bytes - 1));
    value text[2] = {value_bigint(1), value_string("ab", 2)};
    assert_false(codec_encode_fixed(text, with_string, 2, bytes, sizeof bytes));
    assert_memory_equal(bytes, count_state, sizeof bytes); /* untouched */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_a_row_of_present_numbers),
        cmocka_unit_test(writes_a_row_over_its_bytes),
        cmocka_unit_test(agrees_with_the_general_codec),
        cmocka_unit_test(refuses_other_rows),
        cmocka_unit_test(encodes_nulls_numbers_and_strings_after_the_buffers_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
