/* test_serde.c — record formats as a user sees them: JSON records decoded
 * into typed values (only the needed columns, names matched ignoring
 * case, ksqlDB's coercions), malformed JSON refused with a reason, and
 * DECIMAL / BYTES written the way ksqlDB writes them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "engine/serde.h"

/* K STRING KEY, B BOOLEAN, I INT, L BIGINT, D DOUBLE, DEC DECIMAL(5,2),
 * S STRING, Y BYTES, A ARRAY<INT>, M MAP<STRING, INT>, ST STRUCT<X INT, Y STRING>, BIG DECIMAL(38,0) */
enum { K, B, I, L, D, DEC, S, Y, A, M, ST, BIG, NCOLS };
static schema sch;
static arena ar;
static value row[NCOLS];
static err e;

static int setup(void **state)
{
    arena_init(&ar, 0);
    static column cols[NCOLS];
    static sqlfield f[2];
    f[0] = (sqlfield){"X", types_scalar(TYPE_INT)};
    f[1] = (sqlfield){"Y", types_scalar(TYPE_STRING)};
    sqltype *st = arena_alloc(&ar, sizeof *st);
    st->kind = TYPE_STRUCT, st->fields = f, st->nfields = 2;
    cols[K] = (column){.name = "K", .type = types_scalar(TYPE_STRING), .key = true};
    cols[B] = (column){.name = "B", .type = types_scalar(TYPE_BOOLEAN), .key = false};
    cols[I] = (column){.name = "I", .type = types_scalar(TYPE_INT), .key = false};
    cols[L] = (column){.name = "L", .type = types_scalar(TYPE_BIGINT), .key = false};
    cols[D] = (column){.name = "D", .type = types_scalar(TYPE_DOUBLE), .key = false};
    cols[DEC] = (column){.name = "DEC", .type = types_decimal(&ar, 5, 2), .key = false};
    cols[S] = (column){.name = "S", .type = types_scalar(TYPE_STRING), .key = false};
    cols[Y] = (column){.name = "Y", .type = types_scalar(TYPE_BYTES), .key = false};
    cols[A] = (column){.name = "A", .type = types_array(&ar, types_scalar(TYPE_INT)), .key = false};
    cols[M] = (column){.name = "M", .type = types_map(&ar, types_scalar(TYPE_STRING), types_scalar(TYPE_INT)), .key = false};
    cols[ST] = (column){.name = "ST", .type = st, .key = false};
    cols[BIG] = (column){.name = "BIG", .type = types_decimal(&ar, 38, 0), .key = false};
    sch.cols = cols;
    sch.n = NCOLS;
    return 0;
}

static int teardown(void **state)
{
    arena_free(&ar);
    return 0;
}

static int decode_needed(const char *json, const bool *needed)
{
    err_clear(&e);
    fmt f = {.kind = FORMAT_JSON};
    return serde_decode_value(&f, (const uint8_t *)json, (int32_t)strlen(json), &sch, needed, row, &ar, &e);
}

static int decode(const char *json) { return decode_needed(json, NULL); }

/* The column as the shell shows it. */
static const char *text(int col)
{
    static char out[256];
    buf b = BUF_INIT;
    value_to_text(&row[col], sch.cols[col].type, &b);
    snprintf(out, sizeof out, "%s", b.data ? b.data : "");
    buf_free(&b);
    return out;
}

static void test_each_type_decodes(void **state)
{
    assert_int_equal(decode("{\"B\":true,\"I\":-12,\"L\":9223372036854775807,\"D\":1.5e3,\"DEC\":1.2,\"S\":\"hi\","
                            "\"Y\":\"AQID\",\"A\":[1,null,3],\"M\":{\"a\":1},\"ST\":{\"X\":5,\"Y\":\"q\"},"
                            "\"BIG\":12345678901234567890123456789012345678}"),
                     0);
    assert_string_equal(text(B), "true");
    assert_string_equal(text(I), "-12");
    assert_string_equal(text(L), "9223372036854775807");
    assert_string_equal(text(D), "1500.0");
    assert_string_equal(text(DEC), "1.20");
    assert_string_equal(text(S), "hi");
    assert_int_equal(row[Y].u.s.len, 3);
    assert_memory_equal(row[Y].u.s.p, "\1\2\3", 3);
    assert_string_equal(text(A), "[1, null, 3]");
    assert_string_equal(text(M), "{a=1}");
    assert_string_equal(text(ST), "{X=5, Y=q}");
    assert_string_equal(text(BIG), "12345678901234567890123456789012345678");
}

static void test_missing_fields_and_json_null_are_null(void **state)
{
    assert_int_equal(decode("{\"I\":null}"), 0);
    assert_true(row[I].null);
    assert_true(row[S].null);
    assert_true(row[ST].null);
}

static void test_ksqldb_coercions(void **state)
{
    assert_int_equal(decode("{\"I\":\"12\",\"L\":12.9,\"B\":\"TRUE\",\"S\":12.50,\"D\":\"2.5\",\"DEC\":\"3.145\"}"), 0);
    assert_string_equal(text(I), "12");
    assert_string_equal(text(L), "12");
    assert_string_equal(text(B), "true");
    assert_string_equal(text(S), "12.50");
    assert_string_equal(text(D), "2.5");
    assert_string_equal(text(DEC), "3.15"); /* HALF_UP into the scale */
    assert_int_equal(decode("{\"S\": {\"a\" : [1, \"x y\"]}}"), 0);
    assert_string_equal(text(S), "{\"a\":[1,\"x y\"]}");
    assert_int_equal(decode("{\"S\":true}"), 0);
    assert_string_equal(text(S), "true");
}

static void test_values_that_do_not_fit_the_column_are_refused(void **state)
{
    assert_int_equal(decode("{\"I\":\"twelve\"}"), -1);
    assert_int_equal(e.code, ERR_FORMAT);
    assert_non_null(strstr(e.msg, "column I"));
    assert_int_equal(decode("{\"I\":2147483648}"), -1);
    assert_int_equal(decode("{\"L\":9223372036854775808}"), -1);
    assert_int_equal(decode("{\"DEC\":1000}"), -1); /* DECIMAL(5,2) holds < 1000 */
    assert_int_equal(decode("{\"A\":{\"x\":1}}"), -1);
    assert_int_equal(decode("{\"Y\":\"not base64!\"}"), -1);
    assert_int_equal(decode("{\"B\":1}"), -1);
}

static void test_big_numbers_for_double_and_decimal(void **state)
{
    assert_int_equal(decode("{\"D\":123456789012345678901234567890,\"BIG\":-1E37}"), 0);
    assert_string_equal(text(D), "1.2345678901234568E29");
    assert_string_equal(text(BIG), "-10000000000000000000000000000000000000");
}

static void test_field_names_match_ignoring_case(void **state)
{
    assert_int_equal(decode("{\"i\":1,\"dEc\":2.5,\"st\":{\"x\":3}}"), 0);
    assert_string_equal(text(I), "1");
    assert_string_equal(text(DEC), "2.50");
    assert_string_equal(text(ST), "{X=3, Y=null}");
}

static void test_only_needed_columns_are_decoded(void **state)
{
    bool needed[NCOLS] = {0};
    needed[S] = true;
    row[I] = value_int(99); /* a column not needed is left alone */
    /* I holds what would not read as INT: skipped, so no error */
    assert_int_equal(decode_needed("{\"I\":\"nope\",\"A\":{\"deep\":[[{}]]},\"S\":\"x\"}", needed), 0);
    assert_string_equal(text(S), "x");
    assert_int_equal(row[I].u.i, 99);
    /* skipped fields are still checked: the record must be valid JSON */
    assert_int_equal(decode_needed("{\"I\":[1,],\"S\":\"x\"}", needed), -1);
}

static void test_strings_without_escapes_are_slices_of_the_record(void **state)
{
    const char *json = "{\"S\":\"plain\"}";
    assert_int_equal(decode(json), 0);
    assert_ptr_equal(row[S].u.s.p, json + 6);
}

static void test_escapes_and_surrogate_pairs_are_unescaped(void **state)
{
    assert_int_equal(decode("{\"S\":\"a\\\"b\\\\c\\/d\\n\\u00e9\\ud83d\\ude00\\u0000z\"}"), 0);
    assert_int_equal(row[S].u.s.len, 16);
    assert_memory_equal(row[S].u.s.p, "a\"b\\c/d\n\xc3\xa9\xf0\x9f\x98\x80\0z", 16);
    assert_int_equal(decode("{\"S\":\"caf\xc3\xa9\"}"), 0);
    assert_string_equal(text(S), "caf\xc3\xa9");
}

static void test_malformed_json_is_refused_with_a_reason(void **state)
{
    const char *bad[] = {
        "",
        "{",
        "{\"I\":1,}",
        "{\"I\":1} x",
        "{\"I\":01}",
        "{\"I\":1.}",
        "{\"I\":-}",
        "{\"I\":1e}",
        "{\"S\":\"abc}",
        "{\"S\":\"\\x\"}",
        "{\"S\":\"\\ud83d\"}",
        "{\"S\":\"\\ude00\"}",
        "{\"S\":\"tab\there\"}",
        "{\"S\":\"\xc3\"}",
        "{\"S\":\"\xed\xa0\x80\"}",
        "{\"I\":tru}",
        "{'I':1}",
        "{\"I\" 1}",
        "[1,2",
        "{\"A\":[1 2]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (decode(bad[i]) != -1)
            fail_msg("accepted malformed JSON: %s", bad[i]);
        assert_int_equal(e.code, ERR_FORMAT);
    }
    assert_int_equal(decode("{\"S\":\"abc}"), -1);
    assert_non_null(strstr(e.msg, "invalid JSON: unterminated string"));
}

static void test_a_record_that_is_not_an_object_is_refused(void **state)
{
    assert_int_equal(decode("[1]"), -1);
    assert_string_equal(e.msg, "expected a JSON object");
}

static void test_unwrapped_single_value(void **state)
{
    schema one = {sch.cols + DEC, 1};
    fmt f = {.kind = FORMAT_JSON, .unwrapped = true};
    err_clear(&e);
    assert_int_equal(serde_decode_value(&f, (const uint8_t *)" 7.125 ", 7, &one, NULL, row + DEC, &ar, &e), 0);
    assert_string_equal(text(DEC), "7.13");
}

/* Decodes a copy of json in a buffer of exactly its length (no NUL after
 * it), so a read past the record's end is caught by the sanitizers. */
static const serde_names *names; /* the prepared names decode_exact uses, or NULL */
static serde_memo *memo;         /* and the member order it learns, or NULL */

static int decode_exact(const char *json, const bool *needed)
{
    size_t n = strlen(json);
    char *copy = malloc(n ? n : 1);
    memcpy(copy, json, n);
    err_clear(&e);
    fmt f = {.kind = FORMAT_JSON};
    int rc = serde_decode_value_named(&f, (const uint8_t *)copy, (int32_t)n, &sch, names, memo, needed, row, &ar, &e);
    /* strings may point into the record: keep them readable for the test */
    if (rc == 0) {
        char *kept = arena_alloc(&ar, n ? n : 1);
        memcpy(kept, copy, n);
        for (int i = 0; i < NCOLS; i++)
            if (!row[i].null && (sch.cols[i].type->kind == TYPE_STRING) && row[i].u.s.p >= copy &&
                row[i].u.s.p <= copy + n)
                row[i].u.s.p = kept + (row[i].u.s.p - copy);
    }
    free(copy);
    return rc;
}

static void test_needed_columns_are_found_among_extra_missing_and_reordered_members(void **state)
{
    bool needed[NCOLS] = {0};
    needed[I] = needed[L] = needed[S] = needed[K] = true;
    /* members in another order than the schema's, names in other cases,
     * members that are no column, a name written with escapes, and D and
     * B missing; one schema, several records, as a topic's records come */
    const char *records[] = {
        "{\"extra\":{\"x\":[1,2]},\"s\":\"first\",\"zz\":1,\"l\":10,\"i\":1}",
        "{\"K\":\"a key column is not read from the value\",\"I\":2,\"L\":20,\"S\":\"second\"}",
        "{\"\\u0053\":\"third\",\"\\u006c\":30,\"unknown\":\"\\\"\",\"I\":3}",
        "{\"L\":40}",
        "{ \"s\" : \"fifth\" , \"i\" : 5 , \"Dec\" : 1.5 , \"l\" : 50 }",
    };
    const char *want_s[] = {"first", "second", "third", "null", "fifth"};
    const char *want_l[] = {"10", "20", "30", "40", "50"};
    const char *want_i[] = {"1", "2", "3", "null", "5"};
    serde_memo mo = {0};
    /* again after every other record; with names prepared; and with the
     * member order learned from record to record */
    for (int round = 0; round < 6; round++)
        for (size_t r = 0; r < sizeof records / sizeof *records; r++) {
            if (r == 0) /* names made once, as a plan makes them */
                names = round >= 2 ? serde_names_new(&sch, &ar) : NULL;
            memo = round >= 4 ? &mo : NULL;
            row[D] = value_int(-1); /* not needed: left alone */
            row[K] = value_int(-1); /* in the key, not the value */
            assert_int_equal(decode_exact(records[r], needed), 0);
            assert_int_equal(row[K].u.i, -1);
            assert_string_equal(text(S), want_s[r]);
            assert_string_equal(text(L), want_l[r]);
            assert_string_equal(text(I), want_i[r]);
            assert_int_equal(row[D].u.i, -1);
        }
    needed[DEC] = true;
    memo = NULL;
    for (int prepared = 0; prepared < 2; prepared++) {
        names = prepared ? serde_names_new(&sch, &ar) : NULL;
        /* a member named like a column but for one letter is not that column */
        assert_int_equal(decode_exact("{\"Lx\":1,\"xL\":2,\"L \":3,\"\":4,\"DE\":5,\"DECC\":6}", needed), 0);
        assert_true(row[L].null);
        assert_true(row[DEC].null);
        /* the last of two members naming the same column wins */
        assert_int_equal(decode_exact("{\"L\":1,\"l\":2}", needed), 0);
        assert_string_equal(text(L), "2");
        /* names of every length, matched ignoring case, near the record's end or not */
        column cols[3] = {{.name = "ABCDEFGH", .type = types_scalar(TYPE_BIGINT)},
                          {.name = "Abcdefghijklmnopq_1", .type = types_scalar(TYPE_BIGINT)},
                          {.name = "x", .type = types_scalar(TYPE_BIGINT)}};
        schema three = {cols, 3};
        const serde_names *m = prepared ? serde_names_new(&three, &ar) : NULL;
        fmt f = {.kind = FORMAT_JSON};
        const char *json[] = {"{\"abcdefgh\":1,\"ABCDEFGHIJKLMNOPQ_1\":2,\"X\":3}",
                              "{\"X\":3,\"abcdefghijklmnopq_1\":2,\"AbCdEfGh\":1,\"padding\":\"0123456789abcdef\"}",
                              "{\"abcdefgi\":9,\"abcdefghijklmnopq_2\":9,\"Y\":9,\"abcdefgh\":1,\"abcdefghijklmnopq_1\":2,"
                              "\"x\":3}"};
        for (int i = 0; i < 3; i++) {
            err_clear(&e);
            assert_int_equal(serde_decode_value_named(&f, (const uint8_t *)json[i], (int32_t)strlen(json[i]), &three, m, NULL,
                                                      NULL, row, &ar, &e),
                             0);
            assert_int_equal(row[0].u.l, 1);
            assert_int_equal(row[1].u.l, 2);
            assert_int_equal(row[2].u.l, 3);
        }
    }
    names = NULL;
}

static void test_only_letters_match_in_another_case(void **state)
{
    column cols[1] = {{.name = "A_1@", .type = types_scalar(TYPE_BIGINT)}};
    schema one = {cols, 1};
    fmt f = {.kind = FORMAT_JSON};
    /* '_' and DEL, '@' and '`' differ in the bit that makes a letter lower
     * case, and are not letters */
    const char *json[] = {"{\"a\x7f" "1@\":1}", "{\"a_1`\":1}", "{\"a_1@\":7}"};
    for (int i = 0; i < 3; i++) {
        err_clear(&e);
        assert_int_equal(serde_decode_value(&f, (const uint8_t *)json[i], (int32_t)strlen(json[i]), &one, NULL, row,
                                            &ar, &e),
                         0);
        assert_true(i < 2 ? row[0].null : row[0].u.l == 7);
    }
}

static void test_many_columns_are_found_in_any_member_order(void **state)
{
    enum { N = 40 };
    column cols[N];
    char names[N][8];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "C%d", i);
        cols[i] = (column){.name = names[i], .type = types_scalar(TYPE_INT)};
    }
    schema many = {cols, N};
    value r[N];
    fmt f = {.kind = FORMAT_JSON};
    serde_memo mo = {0}; /* learns each order, then meets the next */
    for (int prepared = 0; prepared < 2; prepared++) {
        const serde_names *m = prepared ? serde_names_new(&many, &ar) : NULL;
        for (int order = 0; order < 6; order++) { /* forward, backward, strided (twice each), with members no column has */
            buf b = BUF_INIT;
            buf_putc(&b, '{');
            for (int k = 0; k < N; k++) {
                int i = order / 2 == 0 ? k : order / 2 == 1 ? N - 1 - k : (k * 7) % N;
                buf_printf(&b, "%s\"c%d\":%d,\"x%d\":0", k ? "," : "", i, i * 3, i);
            }
            buf_putc(&b, '}');
            err_clear(&e);
            assert_int_equal(
                serde_decode_value_named(&f, (const uint8_t *)b.data, (int32_t)b.len, &many, m, &mo, NULL, r, &ar, &e), 0);
            for (int i = 0; i < N; i++)
                assert_int_equal(r[i].u.i, i * 3);
            buf_free(&b);
        }
    }
}

static void test_names_that_differ_only_in_case_match_as_without_prepared_names(void **state)
{
    /* quoted identifiers "a" and "A" are two columns; a member matches
     * the first of them after the last column matched */
    column cols[2] = {{.name = "a", .type = types_scalar(TYPE_INT)}, {.name = "A", .type = types_scalar(TYPE_INT)}};
    schema two = {cols, 2};
    fmt f = {.kind = FORMAT_JSON};
    const char *json = "{\"A\":1,\"a\":2}";
    value r[2][2];
    for (int prepared = 0; prepared < 2; prepared++) {
        err_clear(&e);
        serde_memo mo = {0};
        for (int again = 0; again < 2; again++)
            assert_int_equal(serde_decode_value_named(&f, (const uint8_t *)json, (int32_t)strlen(json), &two,
                                                      prepared ? serde_names_new(&two, &ar) : NULL, &mo, NULL,
                                                      r[prepared], &ar, &e),
                             0);
    }
    assert_int_equal(r[0][0].u.i, 1);
    assert_int_equal(r[0][1].u.i, 2);
    assert_int_equal(r[1][0].u.i, r[0][0].u.i);
    assert_int_equal(r[1][1].u.i, r[0][1].u.i);
}

static void test_malformed_json_in_a_member_not_needed_is_refused(void **state)
{
    bool needed[NCOLS] = {0};
    needed[L] = true;
    /* D and the unknown members are not needed, yet the record must be JSON */
    const char *bad[] = {
        "{\"L\":1,\"D\":[1,]}",
        "{\"L\":1,\"D\":\"tab\there\"}",
        "{\"L\":1,\"D\":\"\\uZZZZ\"}",
        "{\"L\":1,\"D\":\"\xc3(\"}",
        "{\"L\":1,\"D\":01}",
        "{\"L\":1,\"D\":nul}",
        "{\"L\":1,\"nope\":{\"a\" 1}}",
        "{\"L\":1,\"D\":\"never closed}",
        "{\"L\":1,\"D\\x\":2}",
        "{\"L\":1,\"D\":2,}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (decode_exact(bad[i], needed) != -1)
            fail_msg("accepted malformed JSON: %s", bad[i]);
        assert_int_equal(e.code, ERR_FORMAT);
        assert_non_null(strstr(e.msg, "invalid JSON"));
    }
    /* a value that would not convert to a column not needed is no error */
    assert_int_equal(decode_exact("{\"L\":1,\"D\":\"not a double\",\"I\":[true]}", needed), 0);
    assert_string_equal(text(L), "1");
    /* but in a needed column it is, and says which column */
    assert_int_equal(decode_exact("{\"L\":\"x1\",\"D\":2}", needed), -1);
    assert_non_null(strstr(e.msg, "column L"));
}

static void test_integers_of_every_length_read_exactly(void **state)
{
    bool needed[NCOLS] = {0};
    needed[L] = needed[I] = needed[S] = true;
    char digits[32], json[128], want[40];
    for (int n = 1; n <= 19; n++) {
        for (int k = 0; k < n; k++)
            digits[k] = (char)('1' + (k * 7 + n) % 9);
        digits[n] = '\0';
        for (int neg = 0; neg < 2; neg++)
            for (int tail = 0; tail < 2; tail++) { /* last in the record, or more follows */
                snprintf(want, sizeof want, "%s%s", neg ? "-" : "", digits);
                snprintf(json, sizeof json, "{\"L\":%s%s}", want, tail ? ",\"S\":\"some more bytes after it\"" : "");
                assert_int_equal(decode_exact(json, needed), 0);
                assert_string_equal(text(L), want);
            }
    }
    assert_int_equal(decode_exact("{\"L\":0,\"S\":\"0000000000000000000\"}", needed), 0);
    assert_string_equal(text(L), "0");
    assert_int_equal(decode_exact("{\"L\":-0,\"S\":\"0000000000000000000\"}", needed), 0);
    assert_string_equal(text(L), "0");
    assert_int_equal(decode_exact("{\"L\":-9223372036854775808,\"S\":\"more bytes after\"}", needed), 0);
    assert_string_equal(text(L), "-9223372036854775808");
    assert_int_equal(decode_exact("{\"L\":1234567890123.9,\"S\":\"more bytes after\"}", needed), 0);
    assert_string_equal(text(L), "1234567890123"); /* a fraction truncates */
    assert_int_equal(decode_exact("{\"L\":12e2,\"S\":\"more bytes after\"}", needed), 0);
    assert_string_equal(text(L), "1200");
    assert_int_equal(decode_exact("{\"I\":-2147483648,\"S\":\"more bytes after\"}", needed), 0);
    assert_string_equal(text(I), "-2147483648");
    assert_int_equal(decode_exact("{\"I\":2147483648,\"S\":\"more bytes after\"}", needed), -1);
    assert_non_null(strstr(e.msg, "column I: cannot read 2147483648 as INT"));
    const char *bad[] = {"{\"L\":0123456789012345678,\"S\":\"x\"}", "{\"L\":-,\"S\":\"more bytes after\"}",
                         "{\"L\":1.,\"S\":\"more bytes after\"}", "{\"L\":--1,\"S\":\"more bytes after\"}",
                         "{\"L\":00}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (decode_exact(bad[i], needed) != -1)
            fail_msg("accepted malformed JSON: %s", bad[i]);
        assert_non_null(strstr(e.msg, "invalid JSON"));
    }
}

static void test_strings_read_whatever_the_position_of_special_bytes(void **state)
{
    bool needed[NCOLS] = {0};
    needed[S] = true;
    /* an escape, a non-ASCII character or a closing quote at every offset
     * of a string, short and long, last in the record or not */
    const char *special[] = {"\\n", "\xc3\xa9", "\\u00e9", "\\\"", "\\\\"};
    const char *meaning[] = {"\n", "\xc3\xa9", "\xc3\xa9", "\"", "\\"};
    for (int len = 0; len < 24; len++)
        for (int at = 0; at <= len; at++)
            for (size_t k = 0; k < sizeof special / sizeof *special; k++)
                for (int tail = 0; tail < 2; tail++) {
                    char json[128], want[64];
                    snprintf(json, sizeof json, "{\"S\":\"%.*s%s%.*s\"%s}", at, "abcdefghijklmnopqrstuvwxyz",
                             special[k], len - at, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", tail ? ",\"L\":123456789" : "");
                    snprintf(want, sizeof want, "%.*s%s%.*s", at, "abcdefghijklmnopqrstuvwxyz", meaning[k], len - at,
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
                    assert_int_equal(decode_exact(json, needed), 0);
                    assert_int_equal(row[S].u.s.len, strlen(want));
                    assert_memory_equal(row[S].u.s.p, want, strlen(want));
                    /* a raw control character there is refused */
                    snprintf(json, sizeof json, "{\"S\":\"%.*s\x1f%.*s\"%s}", at, "abcdefghijklmnopqrstuvwxyz", len - at,
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ", tail ? ",\"L\":123456789" : "");
                    assert_int_equal(decode_exact(json, needed), -1);
                    assert_non_null(strstr(e.msg, "control character in string"));
                }
}

static void test_decimal_and_bytes_are_written_as_ksqldb_writes_them(void **state)
{
    assert_int_equal(decode("{\"DEC\":1.2,\"Y\":\"AQID\",\"S\":\"x\"}"), 0);
    column cols[3] = {sch.cols[DEC], sch.cols[Y], sch.cols[S]};
    schema three = {cols, 3};
    value vals[3] = {row[DEC], row[Y], row[S]};
    buf out = BUF_INIT;
    fmt f = {.kind = FORMAT_JSON};
    assert_int_equal(serde_encode_value(&f, &three, vals, &out, &e), 0);
    assert_string_equal(out.data, "{\"DEC\":1.20,\"Y\":\"AQID\",\"S\":\"x\"}");
    buf_reset(&out);
    fmt csv = {.kind = FORMAT_DELIMITED};
    assert_int_equal(serde_encode_value(&csv, &three, vals, &out, &e), 0);
    assert_string_equal(out.data, "1.20,AQID,x");
    buf_free(&out);
}

static void test_delimited_reads_decimal_and_bytes(void **state)
{
    column cols[2] = {sch.cols[DEC], sch.cols[Y]};
    schema two = {cols, 2};
    value vals[2];
    fmt csv = {.kind = FORMAT_DELIMITED};
    err_clear(&e);
    assert_int_equal(serde_decode_value(&csv, (const uint8_t *)"10.125,AAEC", 11, &two, NULL, vals, &ar, &e), 0);
    assert_int_equal(vals[1].u.s.len, 3);
    assert_memory_equal(vals[1].u.s.p, "\0\1\2", 3);
    buf b = BUF_INIT;
    value_to_text(&vals[0], cols[0].type, &b);
    assert_string_equal(b.data, "10.13");
    buf_free(&b);
}

static void test_kafka_bytes_are_raw(void **state)
{
    column col = sch.cols[Y];
    schema one = {&col, 1};
    value v;
    fmt k = {.kind = FORMAT_KAFKA};
    err_clear(&e);
    assert_int_equal(serde_decode_value(&k, (const uint8_t *)"\0\xff", 2, &one, NULL, &v, &ar, &e), 0);
    buf out = BUF_INIT;
    assert_int_equal(serde_encode_value(&k, &one, &v, &out, &e), 0);
    assert_int_equal(out.len, 2);
    assert_memory_equal(out.data, "\0\xff", 2);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_type_decodes),
        cmocka_unit_test(test_missing_fields_and_json_null_are_null),
        cmocka_unit_test(test_ksqldb_coercions),
        cmocka_unit_test(test_values_that_do_not_fit_the_column_are_refused),
        cmocka_unit_test(test_big_numbers_for_double_and_decimal),
        cmocka_unit_test(test_field_names_match_ignoring_case),
        cmocka_unit_test(test_only_needed_columns_are_decoded),
        cmocka_unit_test(test_strings_without_escapes_are_slices_of_the_record),
        cmocka_unit_test(test_escapes_and_surrogate_pairs_are_unescaped),
        cmocka_unit_test(test_malformed_json_is_refused_with_a_reason),
        cmocka_unit_test(test_a_record_that_is_not_an_object_is_refused),
        cmocka_unit_test(test_unwrapped_single_value),
        cmocka_unit_test(test_needed_columns_are_found_among_extra_missing_and_reordered_members),
        cmocka_unit_test(test_only_letters_match_in_another_case),
        cmocka_unit_test(test_many_columns_are_found_in_any_member_order),
        cmocka_unit_test(test_names_that_differ_only_in_case_match_as_without_prepared_names),
        cmocka_unit_test(test_malformed_json_in_a_member_not_needed_is_refused),
        cmocka_unit_test(test_integers_of_every_length_read_exactly),
        cmocka_unit_test(test_strings_read_whatever_the_position_of_special_bytes),
        cmocka_unit_test(test_decimal_and_bytes_are_written_as_ksqldb_writes_them),
        cmocka_unit_test(test_delimited_reads_decimal_and_bytes),
        cmocka_unit_test(test_kafka_bytes_are_raw),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
