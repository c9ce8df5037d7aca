/* test_proclog.c — processing log entries as a reader of the stream
 * KSQL_PROCESSING_LOG sees them: decoded with the columns its statement
 * declares, ksqlDB's MESSAGE struct filled for the kind of error, and text
 * that is not UTF-8 still written as valid JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"
#include "engine/analyze.h"
#include "engine/proclog.h"
#include "engine/serde.h"
#include "parser/parse.h"

static arena ar;
static schema sch;
static value row[16];

/* The stream's schema, from the statement the engine runs on open. */
static int setup(void **state)
{
    arena_init(&ar, 0);
    const char *sql = proclog_create_statement();
    parser p;
    parser_init(&p, &ar, sql, strlen(sql));
    err e;
    err_clear(&e);
    ast_stmt *st = parse_next(&p, &e);
    if (!st || st->kind != AST_CREATE_SOURCE || st->u.create.ncolumns > 16)
        return -1;
    sch.n = st->u.create.ncolumns;
    sch.cols = arena_alloc(&ar, sizeof(column) * (size_t)sch.n);
    for (int i = 0; i < sch.n; i++)
        sch.cols[i] = (column){.name = st->u.create.columns[i].name.name, .type = analyze_type(&ar, NULL, st->u.create.columns[i].type), .key = false};
    return 0;
}

static int teardown(void **state)
{
    arena_free(&ar);
    return 0;
}

/* Encodes en and decodes it as the stream's row. */
static void decode_entry(const proclog_entry *en)
{
    buf b = BUF_INIT;
    proclog_encode(en, &b);
    /* decoded strings point into the record: it lives in the arena */
    char *text = arena_strndup(&ar, b.data, b.len);
    buf_free(&b);
    fmt json = {FORMAT_JSON, false, 0};
    err e;
    err_clear(&e);
    if (serde_decode_value(&json, (const uint8_t *)text, (int32_t)strlen(text), &sch, NULL, row, &ar, &e))
        fail_msg("%s: %s", text, e.msg);
}

static const value *col(const char *name) { return &row[schema_find(&sch, name)]; }

static void assert_text(const value *v, const char *want)
{
    assert_false(v->null);
    assert_int_equal(v->u.s.len, strlen(want));
    assert_memory_equal(v->u.s.p, want, strlen(want));
}

/* MESSAGE->field (a struct), or MESSAGE->field->sub. */
static const value *message_field(int i) { return &col("MESSAGE")->u.list->items[i]; }
enum { TYPE, DESER, PROC, SER };

static void test_a_bad_value_is_a_deserialization_error_with_its_bytes(void **state)
{
    proclog_entry en = {.query_id = "CSAS_OUT_1", .kind = PROCLOG_DESERIALIZATION, .topic = "s", .partition = 2,
                        .offset = 41, .bytes = (const uint8_t *)"{bad", .len = 4,
                        .message = "invalid JSON: ':' expected at byte 4", .time = 1700000000000};
    decode_entry(&en);
    assert_text(col("LOGGER"), "processing.CSAS_OUT_1.deserializer");
    assert_text(col("LEVEL"), "ERROR");
    assert_int_equal(col("TIME")->u.l, 1700000000000);
    assert_text(col("QUERY_ID"), "CSAS_OUT_1");
    assert_text(col("TOPIC"), "s");
    assert_int_equal(col("PARTITION")->u.i, 2);
    assert_int_equal(col("OFFSET")->u.l, 41);
    assert_text(col("ERROR"), "invalid JSON: ':' expected at byte 4");
    assert_int_equal(message_field(TYPE)->u.i, 0);
    assert_true(message_field(PROC)->null);
    assert_true(message_field(SER)->null);
    const value *d = message_field(DESER)->u.list->items; /* TARGET, ERRORMESSAGE, RECORDB64, CAUSE, topic */
    assert_text(&d[0], "value");
    assert_text(&d[1], "invalid JSON: ':' expected at byte 4");
    assert_text(&d[2], "e2JhZA==");
    assert_int_equal(d[3].u.list->n, 0);
    assert_text(&d[4], "s");
}

static void test_a_bad_key_says_so(void **state)
{
    proclog_entry en = {.query_id = "Q", .kind = PROCLOG_DESERIALIZATION, .key = true, .topic = "t",
                        .bytes = (const uint8_t *)"1", .len = 1, .message = "KAFKA INT needs 4 bytes, got 1"};
    decode_entry(&en);
    assert_text(&message_field(DESER)->u.list->items[0], "key");
    assert_text(&message_field(DESER)->u.list->items[2], "MQ==");
}

static void test_a_failed_expression_carries_the_record_and_the_hint(void **state)
{
    proclog_entry en = {.query_id = "Q", .kind = PROCLOG_RECORD_PROCESSING, .topic = "t",
                        .bytes = (const uint8_t *)"{\"A\":\"x\"}", .len = 9, .message = "cannot cast 'x' to INTEGER",
                        .hint = "use TRY_CAST"};
    decode_entry(&en);
    assert_text(col("LOGGER"), "processing.Q.processing");
    assert_int_equal(message_field(TYPE)->u.i, 1);
    assert_true(message_field(DESER)->null);
    const value *p = message_field(PROC)->u.list->items; /* ERRORMESSAGE, RECORD, CAUSE */
    assert_text(&p[0], "cannot cast 'x' to INTEGER");
    assert_text(&p[1], "{\"A\":\"x\"}");
    assert_int_equal(p[2].u.list->n, 1);
    assert_text(&p[2].u.list->items[0], "use TRY_CAST");
}

static void test_an_output_that_cannot_be_written_is_a_serialization_error(void **state)
{
    proclog_entry en = {.query_id = "Q", .kind = PROCLOG_SERIALIZATION, .topic = "t", .message = "too big"};
    decode_entry(&en);
    assert_int_equal(message_field(TYPE)->u.i, 3);
    assert_text(&message_field(SER)->u.list->items[1], "too big");
}

static void test_text_that_is_not_utf8_is_still_valid_json(void **state)
{
    const uint8_t raw[] = {'a', 0xff, 0xc3, 0xa9, 'b'}; /* a, a stray byte, é, b */
    proclog_entry en = {.query_id = "Q", .kind = PROCLOG_RECORD_PROCESSING, .topic = "t", .bytes = raw,
                        .len = (int32_t)sizeof raw, .message = "cannot read \xfe"};
    buf b = BUF_INIT;
    proclog_encode(&en, &b);
    json_t *j = json_loads(b.data, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "ERROR")), "cannot read ?");
    json_t *rec = json_object_get(json_object_get(json_object_get(j, "MESSAGE"), "RECORDPROCESSINGERROR"), "RECORD");
    assert_string_equal(json_string_value(rec), "a?\xc3\xa9"
                                                "b");
    json_decref(j);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_bad_value_is_a_deserialization_error_with_its_bytes),
        cmocka_unit_test(test_a_bad_key_says_so),
        cmocka_unit_test(test_a_failed_expression_carries_the_record_and_the_hint),
        cmocka_unit_test(test_an_output_that_cannot_be_written_is_a_serialization_error),
        cmocka_unit_test(test_text_that_is_not_utf8_is_still_valid_json),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
