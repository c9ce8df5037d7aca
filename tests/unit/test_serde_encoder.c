/* test_serde_encoder.c — the per-schema record encoder a query writes its
 * output with: JSON objects with the column names escaped, keys and
 * single values written bare, null keys reported, several records
 * appended one after another into one batch buffer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "engine/serde.h"

/* ID STRING KEY, "a\"b" BIGINT, S STRING, PRICE DECIMAL(5,2), OK BOOLEAN, D DOUBLE */
enum { ID, AB, S, PRICE, OK, D, NCOLS };
static schema sch;
static arena ar;
static column cols[NCOLS];

static int setup(void **state)
{
    (void)state;
    arena_init(&ar, 0);
    cols[ID] = (column){.name = "ID", .type = types_scalar(TYPE_STRING), .key = true};
    cols[AB] = (column){.name = "a\"b", .type = types_scalar(TYPE_BIGINT)};
    cols[S] = (column){.name = "S", .type = types_scalar(TYPE_STRING)};
    cols[PRICE] = (column){.name = "PRICE", .type = types_decimal(&ar, 5, 2)};
    cols[OK] = (column){.name = "OK", .type = types_scalar(TYPE_BOOLEAN)};
    cols[D] = (column){.name = "D", .type = types_scalar(TYPE_DOUBLE)};
    sch.cols = cols;
    sch.n = NCOLS;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(&ar);
    return 0;
}

static void fill(value *row, const char *id, int64_t ab, const char *s, dec128 price, bool ok, double d)
{
    row[ID] = id ? value_string(id, (uint32_t)strlen(id)) : value_null();
    row[AB] = value_bigint(ab);
    row[S] = s ? value_string(s, (uint32_t)strlen(s)) : value_null();
    row[PRICE] = value_decimal(price);
    row[OK] = value_bool(ok);
    row[D] = value_double(d);
}

static void test_value_is_an_object_with_escaped_names(void **state)
{
    (void)state;
    fmt f = {.kind = FORMAT_JSON};
    serde_encoder c;
    serde_encoder_init(&c, &f, &sch, false);
    value row[NCOLS];
    fill(row, "k1", -12, "x\ny\"", 120, true, 0.5);
    buf out = BUF_INIT;
    bool is_null = true;
    err e;
    assert_int_equal(serde_encoder_run(&c, row, &out, &is_null, &e), 0);
    assert_false(is_null);
    assert_string_equal(out.data,
                        "{\"a\\\"b\":-12,\"S\":\"x\\ny\\\"\",\"PRICE\":1.20,\"OK\":true,\"D\":0.5}");
    buf_free(&out);
    serde_encoder_free(&c);
}

static void test_records_append_one_after_another(void **state)
{
    (void)state;
    fmt f = {.kind = FORMAT_JSON};
    serde_encoder c;
    serde_encoder_init(&c, &f, &sch, false);
    value row[NCOLS];
    buf out = BUF_INIT;
    bool is_null;
    err e;
    fill(row, "k1", 1, NULL, -5, false, 1e7);
    assert_int_equal(serde_encoder_run(&c, row, &out, &is_null, &e), 0);
    fill(row, "k2", 9223372036854775807, "", 0, true, -0.001);
    assert_int_equal(serde_encoder_run(&c, row, &out, &is_null, &e), 0);
    assert_string_equal(
        out.data, "{\"a\\\"b\":1,\"S\":null,\"PRICE\":-0.05,\"OK\":false,\"D\":1.0E7}"
                  "{\"a\\\"b\":9223372036854775807,\"S\":\"\",\"PRICE\":0.00,\"OK\":true,\"D\":-0.001}");
    buf_free(&out);
    serde_encoder_free(&c);
}

static void test_single_key_is_bare_and_a_null_key_is_reported(void **state)
{
    (void)state;
    fmt f = {.kind = FORMAT_JSON};
    serde_encoder c;
    serde_encoder_init(&c, &f, &sch, true);
    value row[NCOLS];
    buf out = BUF_INIT;
    bool is_null = true;
    err e;
    fill(row, "k\\1", 0, NULL, 0, false, 0);
    assert_int_equal(serde_encoder_run(&c, row, &out, &is_null, &e), 0);
    assert_false(is_null);
    assert_string_equal(out.data, "\"k\\\\1\"");
    buf_reset(&out);
    fill(row, NULL, 0, NULL, 0, false, 0);
    assert_int_equal(serde_encoder_run(&c, row, &out, &is_null, &e), 0);
    assert_true(is_null);
    assert_int_equal(out.len, 0);
    buf_free(&out);
    serde_encoder_free(&c);
}

static void test_unwrapped_single_value_is_bare(void **state)
{
    (void)state;
    column two[2] = {{.name = "ID", .type = types_scalar(TYPE_STRING), .key = true},
                     {.name = "N", .type = types_scalar(TYPE_INT)}};
    schema s = {two, 2};
    fmt f = {.kind = FORMAT_JSON, .unwrapped = true};
    serde_encoder c;
    serde_encoder_init(&c, &f, &s, false);
    value row[2] = {value_null(), value_int(-7)};
    buf out = BUF_INIT;
    bool is_null;
    err e;
    assert_int_equal(serde_encoder_run(&c, row, &out, &is_null, &e), 0);
    row[1] = value_null();
    assert_int_equal(serde_encoder_run(&c, row, &out, &is_null, &e), 0);
    assert_string_equal(out.data, "-7null");
    buf_free(&out);
    serde_encoder_free(&c);
}

static void test_other_formats_write_what_serde_encode_writes(void **state)
{
    (void)state;
    column two[2] = {{.name = "ID", .type = types_scalar(TYPE_STRING), .key = true},
                     {.name = "N", .type = types_scalar(TYPE_BIGINT)}};
    schema s = {two, 2};
    fmt f = {.kind = FORMAT_KAFKA};
    serde_encoder c;
    serde_encoder_init(&c, &f, &s, false);
    value row[2] = {value_null(), value_bigint(258)};
    buf out = BUF_INIT;
    bool is_null;
    err e;
    assert_int_equal(serde_encoder_run(&c, row, &out, &is_null, &e), 0);
    /* Kafka's LongSerializer: 8 bytes, big-endian */
    assert_int_equal(out.len, 8);
    assert_memory_equal(out.data, "\0\0\0\0\0\0\x01\x02", 8);
    buf_free(&out);
    serde_encoder_free(&c);
}

static void test_long_names_temporal_numbers_and_no_key_columns(void **state)
{
    (void)state;
    column three[3] = {{.name = "A_COLUMN_NAME_LONGER_THAN_THIRTY_TWO_BYTES", .type = types_scalar(TYPE_INT)},
                       {.name = "T", .type = types_scalar(TYPE_TIMESTAMP)},
                       {.name = "B", .type = types_scalar(TYPE_BOOLEAN)}};
    schema s = {three, 3};
    fmt f = {.kind = FORMAT_JSON};
    serde_encoder kc, vc;
    serde_encoder_init(&kc, &f, &s, true);
    serde_encoder_init(&vc, &f, &s, false);
    value row[3] = {value_int(-2147483647 - 1), value_bigint(1700000000000), value_bool(false)};
    buf out = BUF_INIT;
    bool is_null = false;
    err e;
    assert_int_equal(serde_encoder_run(&kc, row, &out, &is_null, &e), 0);
    assert_true(is_null);
    assert_int_equal(out.len, 0);
    assert_int_equal(serde_encoder_run(&vc, row, &out, &is_null, &e), 0);
    assert_false(is_null);
    /* TIMESTAMP travels as its milliseconds */
    assert_string_equal(out.data, "{\"A_COLUMN_NAME_LONGER_THAN_THIRTY_TWO_BYTES\":-2147483648,"
                                  "\"T\":1700000000000,\"B\":false}");
    buf_free(&out);
    serde_encoder_free(&kc);
    serde_encoder_free(&vc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value_is_an_object_with_escaped_names),
        cmocka_unit_test(test_records_append_one_after_another),
        cmocka_unit_test(test_single_key_is_bare_and_a_null_key_is_reported),
        cmocka_unit_test(test_unwrapped_single_value_is_bare),
        cmocka_unit_test(test_other_formats_write_what_serde_encode_writes),
        cmocka_unit_test(test_long_names_temporal_numbers_and_no_key_columns),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
