/* proclog.c — see proclog.h. */
#include "proclog.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

/* ksqlDB's MESSAGE struct, less the errors Eddy never reports (production
 * and stream-thread errors: a query that cannot write its sink stops
 * making progress and says so in SHOW QUERIES instead). */
static const char create_sql[] =
    "CREATE SOURCE STREAM " PROCLOG_STREAM " ("
    "LOGGER STRING, LEVEL STRING, TIME BIGINT, "
    "MESSAGE STRUCT<TYPE INT, "
    "DESERIALIZATIONERROR STRUCT<TARGET STRING, ERRORMESSAGE STRING, RECORDB64 STRING, CAUSE ARRAY<STRING>, "
    "`topic` STRING>, "
    "RECORDPROCESSINGERROR STRUCT<ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>>, "
    "SERIALIZATIONERROR STRUCT<TARGET STRING, ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>, "
    "`topic` STRING>>, "
    "QUERY_ID STRING, TOPIC STRING, `PARTITION` INT, `OFFSET` BIGINT, ERROR STRING"
    ") WITH (KAFKA_TOPIC='" PROCLOG_TOPIC "', PARTITIONS=1, VALUE_FORMAT='JSON');";

const char *proclog_create_statement(void) { return create_sql; }

/* Length of the valid UTF-8 sequence at p (1 to 4 bytes), or 0. */
static size_t utf8_seq(const unsigned char *p, size_t left)
{
    size_t n = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || n > left || (n == 2 && p[0] < 0xC2))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* A JSON string of text; invalid UTF-8 bytes become '?'. */
static json_t *text(const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    char *copy = malloc(n + 1);
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq((const unsigned char *)s + i, n - i);
        if (k == 0) {
            copy[i++] = '?';
            continue;
        }
        memcpy(copy + i, s + i, k);
        i += k;
    }
    j = json_stringn(copy, n);
    free(copy);
    return j ? j : json_string("?");
}

static json_t *cause(const proclog_entry *en)
{
    json_t *a = json_array();
    if (en->hint && *en->hint)
        json_array_append_new(a, text(en->hint, strlen(en->hint)));
    return a;
}

static json_t *bytes_b64(const proclog_entry *en)
{
    if (!en->bytes || en->len < 0)
        return json_null();
    buf b = BUF_INIT;
    value_base64_encode(en->bytes, (size_t)en->len, &b);
    json_t *j = json_stringn(b.data ? b.data : "", b.len);
    buf_free(&b);
    return j;
}

static json_t *bytes_text(const proclog_entry *en)
{
    if (!en->bytes || en->len < 0)
        return json_null();
    return text((const char *)en->bytes, (size_t)en->len);
}

static json_t *message(const proclog_entry *en)
{
    json_t *m = json_pack("{s:i}", "TYPE", (int)en->kind);
    json_t *why = text(en->message, strlen(en->message));
    json_t *deser = json_null(), *proc = json_null(), *ser = json_null();
    if (en->kind == PROCLOG_DESERIALIZATION)
        deser = json_pack("{s:s, s:O, s:o, s:o, s:s?}", "TARGET", en->key ? "key" : "value", "ERRORMESSAGE", why, "RECORDB64",
                          bytes_b64(en), "CAUSE", cause(en), "topic", en->topic);
    else if (en->kind == PROCLOG_SERIALIZATION)
        ser = json_pack("{s:s, s:O, s:o, s:o, s:s?}", "TARGET", "value", "ERRORMESSAGE", why, "RECORD", json_null(), "CAUSE",
                        cause(en), "topic", en->topic);
    else
        proc = json_pack("{s:O, s:o, s:o}", "ERRORMESSAGE", why, "RECORD", bytes_text(en), "CAUSE", cause(en));
    json_object_set_new(m, "DESERIALIZATIONERROR", deser);
    json_object_set_new(m, "RECORDPROCESSINGERROR", proc);
    json_object_set_new(m, "SERIALIZATIONERROR", ser);
    json_decref(why);
    return m;
}

void proclog_encode(const proclog_entry *en, buf *out)
{
    static const char *const steps[] = {[PROCLOG_DESERIALIZATION] = "deserializer",
                                        [PROCLOG_RECORD_PROCESSING] = "processing",
                                        [PROCLOG_SERIALIZATION] = "serializer"};
    char logger[160];
    snprintf(logger, sizeof logger, "processing.%s.%s", en->query_id, steps[en->kind]);
    json_t *o = json_pack("{s:s, s:s, s:I, s:o}", "LOGGER", logger, "LEVEL", "ERROR", "TIME", (json_int_t)en->time, "MESSAGE",
                          message(en));
    json_object_set_new(o, "QUERY_ID", text(en->query_id, strlen(en->query_id)));
    json_object_set_new(o, "TOPIC", text(en->topic, strlen(en->topic)));
    json_object_set_new(o, "PARTITION", json_integer(en->partition));
    json_object_set_new(o, "OFFSET", json_integer(en->offset));
    json_object_set_new(o, "ERROR", text(en->message, strlen(en->message)));
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    buf_puts(out, s);
    free(s);
    json_decref(o);
}
