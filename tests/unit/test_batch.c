/* test_batch — CRC-32C and the record-batch encoding: check values, round
 * trips, and that no byte string can make the decoder misbehave. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "storage/batch.h"
#include "storage/crc32c.h"

static void test_crc32c_matches_the_standard_check_value(void **state)
{
    /* The CRC catalogue's check value for CRC-32C (iSCSI, RFC 3720). */
    assert_int_equal(crc32c("123456789", 9), 0xE3069283u);
    assert_int_equal(crc32c("", 0), 0);
    /* RFC 3720 B.4: 32 bytes of zeros. */
    uint8_t zeros[32] = {0};
    assert_int_equal(crc32c(zeros, 32), 0x8A9136AAu);
}

static void test_crc32c_update_continues_a_crc(void **state)
{
    const char *s = "hello, streaming world";
    size_t n = strlen(s);
    for (size_t cut = 0; cut <= n; cut++)
        assert_int_equal(crc32c_update(crc32c(s, cut), s + cut, n - cut), crc32c(s, n));
}

/* The CRC by its definition, one bit at a time: the reference. */
static uint32_t crc32c_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    return ~c;
}

/* Long buffers (the sizes of real batches, and around the 12 KiB the
 * three-stream path takes at a time) and every split of a few. */
static void test_crc32c_of_long_buffers_matches_the_definition(void **state)
{
    size_t max = 50000;
    uint8_t *b = malloc(max);
    uint32_t x = 12345;
    for (size_t i = 0; i < max; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (uint8_t)(x >> 16);
    }
    static const size_t sizes[] = {0,     1,     7,     8,     4095,  4096,  12287,
                                   12288, 12289, 12295, 24576, 25000, 36864, 50000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t off = 0; off < 3; off++) /* unaligned starts too */
            if (sizes[i] + off <= max)
                assert_int_equal(crc32c(b + off, sizes[i]), crc32c_bitwise(b + off, sizes[i]));
    for (size_t cut = 0; cut <= 30000; cut += 997)
        assert_int_equal(crc32c_update(crc32c(b, cut), b + cut, 30000 - cut), crc32c_bitwise(b, 30000));
    free(b);
}

/* Encodes a fixed batch of three records at base offset `base`. */
static void encode_sample(buf *out, int64_t base)
{
    static const log_header h = {"h", 1, (const uint8_t *)"hv", 2};
    log_record recs[3] = {
        {.timestamp = 100, .key = (const uint8_t *)"k1", .key_len = 2,
         .value = (const uint8_t *)"v1", .value_len = 2, .headers = &h, .nheaders = 1},
        {.timestamp = 50, .key_len = -1, .value_len = -1},
        {.timestamp = 1LL << 40, .key = (const uint8_t *)"k3", .key_len = 2,
         .value = (const uint8_t *)"a longer value", .value_len = 14},
    };
    int64_t size = batch_size(recs, 3);
    batch_encode(out, base, recs, 3);
    assert_int_equal((int64_t)out->len, size);
}

static void test_batch_round_trips_records(void **state)
{
    buf b = BUF_INIT;
    encode_sample(&b, 42);
    batch_header h;
    assert_true(batch_parse_header((uint8_t *)b.data, &h));
    assert_int_equal(h.base_offset, 42);
    assert_int_equal(batch_total(&h), b.len);
    assert_int_equal(h.record_count, 3);
    assert_int_equal(h.last_offset_delta, 2);
    assert_int_equal(h.first_timestamp, 100);
    assert_int_equal(h.max_timestamp, 1LL << 40);
    assert_true(batch_crc_ok((uint8_t *)b.data, &h));

    batch_cursor c;
    batch_headers hs = {0};
    log_record r;
    batch_cursor_init(&c, (uint8_t *)b.data, &h);
    assert_int_equal(batch_cursor_next(&c, &r, &hs), 1);
    assert_int_equal(r.offset, 42);
    assert_int_equal(r.timestamp, 100);
    assert_memory_equal(r.key, "k1", 2);
    assert_int_equal(r.nheaders, 1);
    assert_memory_equal(hs.v[0].key, "h", 1);
    assert_memory_equal(hs.v[0].value, "hv", 2);
    assert_int_equal(batch_cursor_next(&c, &r, &hs), 1);
    assert_int_equal(r.offset, 43);
    assert_int_equal(r.timestamp, 50);
    assert_int_equal(r.key_len, -1);
    assert_int_equal(r.value_len, -1);
    assert_int_equal(batch_cursor_next(&c, &r, &hs), 1);
    assert_int_equal(r.offset, 44);
    assert_int_equal(r.timestamp, 1LL << 40);
    assert_memory_equal(r.value, "a longer value", 14);
    assert_int_equal(batch_cursor_next(&c, &r, &hs), 0);
    batch_headers_free(&hs);
    buf_free(&b);
}

static void test_batch_crc_covers_every_byte_but_itself(void **state)
{
    buf b = BUF_INIT;
    encode_sample(&b, 7);
    for (size_t i = 0; i < b.len; i++) {
        if (i >= 13 && i < 17)
            continue;
        for (int bit = 0; bit < 8; bit++) {
            uint8_t *p = (uint8_t *)b.data;
            p[i] ^= (uint8_t)(1 << bit);
            batch_header h;
            /* Either the header is rejected or the CRC is (the length may
             * now run past the buffer, so only check it when it fits). */
            if (batch_parse_header(p, &h) && batch_total(&h) <= (int64_t)b.len)
                assert_false(batch_crc_ok(p, &h));
            p[i] ^= (uint8_t)(1 << bit);
        }
    }
    buf_free(&b);
}

static void test_batch_size_rejects_oversized_batches(void **state)
{
    log_record r = {.key_len = -1, .value = (const uint8_t *)"", .value_len = BATCH_MAX_BYTES};
    assert_int_equal(batch_size(&r, 1), -1);
    r.value_len = 10;
    r.nheaders = -1;
    assert_int_equal(batch_size(&r, 1), -1);
}

/* Decodes p[0..n) as far as it goes; must never read out of bounds (ASan
 * watches) whatever the bytes are. */
static void decode_any(const uint8_t *p, size_t n)
{
    batch_header h;
    if (n < BATCH_HEADER_SIZE || !batch_parse_header(p, &h) || batch_total(&h) > (int64_t)n)
        return;
    batch_cursor c;
    batch_headers hs = {0};
    log_record r;
    batch_cursor_init(&c, p, &h);
    while (batch_cursor_next(&c, &r, &hs) == 1)
        assert_true(r.offset >= h.base_offset && r.offset <= h.base_offset + h.last_offset_delta);
    batch_headers_free(&hs);
}

static void test_batch_decoder_survives_mutations_and_truncation(void **state)
{
    buf b = BUF_INIT;
    encode_sample(&b, 1000);
    srand(99);
    for (int round = 0; round < 20000; round++) {
        size_t n = b.len - (size_t)(round % 3 == 0 ? rand() % (int)b.len : 0);
        uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees overreads */
        memcpy(copy, b.data, n);
        for (int k = 0; k < 1 + round % 5 && n > 0; k++)
            copy[rand() % n] = (uint8_t)rand();
        decode_any(copy, n);
        free(copy);
    }
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c_matches_the_standard_check_value),
        cmocka_unit_test(test_crc32c_update_continues_a_crc),
        cmocka_unit_test(test_crc32c_of_long_buffers_matches_the_definition),
        cmocka_unit_test(test_batch_round_trips_records),
        cmocka_unit_test(test_batch_crc_covers_every_byte_but_itself),
        cmocka_unit_test(test_batch_size_rejects_oversized_batches),
        cmocka_unit_test(test_batch_decoder_survives_mutations_and_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
