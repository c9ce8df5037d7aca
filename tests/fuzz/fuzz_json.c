/* fuzz_json — libFuzzer target for the JSON record decoder (serde_json.c).
 *
 * Decodes the input as a record of a schema holding every type, three
 * ways: all columns, every other column (the `needed` path that skips
 * fields), and as a single unwrapped value.  Checks:
 *  - the decoder and jansson agree on what is valid JSON (jansson refuses
 *    some valid documents: integers past 64 bits, numbers out of double
 *    range, nesting past its limit; those are the only allowed
 *    differences, and the decoder caps nesting at its own depth; input
 *    with a raw NUL byte is not compared, jansson stops reading there);
 *  - a decoded row encodes to JSON that decodes again without error
 *    (encoder and decoder agree).
 * Crashes, leaks and sanitizer reports are bugs.
 *
 * Build and run: `make fuzz-json` (FUZZ_SECONDS, default 60).
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "engine/serde.h"

static schema fuzz_schema;

static void build_schema(arena *a)
{
    static column cols[13];
    static sqlfield st[2];
    const sqltype *s = types_scalar(TYPE_STRING);
    st[0] = (sqlfield){"A", s};
    st[1] = (sqlfield){"B", types_array(a, s)};
    sqltype *stt = arena_alloc(a, sizeof *stt);
    stt->kind = TYPE_STRUCT;
    stt->fields = st;
    stt->nfields = 2;
    cols[0] = (column){.name = "K", .type = s, .key = true};
    cols[1] = (column){.name = "B", .type = types_scalar(TYPE_BOOLEAN), .key = false};
    cols[2] = (column){.name = "I", .type = types_scalar(TYPE_INT), .key = false};
    cols[3] = (column){.name = "L", .type = types_scalar(TYPE_BIGINT), .key = false};
    cols[4] = (column){.name = "D", .type = types_scalar(TYPE_DOUBLE), .key = false};
    cols[5] = (column){.name = "DEC", .type = types_decimal(a, 10, 2), .key = false};
    cols[6] = (column){.name = "DEC38", .type = types_decimal(a, 38, 10), .key = false};
    cols[7] = (column){.name = "S", .type = s, .key = false};
    cols[8] = (column){.name = "Y", .type = types_scalar(TYPE_BYTES), .key = false};
    cols[9] = (column){.name = "A", .type = types_array(a, types_scalar(TYPE_INT)), .key = false};
    cols[10] = (column){.name = "M", .type = types_map(a, s, types_scalar(TYPE_DOUBLE)), .key = false};
    cols[11] = (column){.name = "ST", .type = stt, .key = false};
    cols[12] = (column){.name = "TS", .type = types_scalar(TYPE_TIMESTAMP), .key = false};
    fuzz_schema.cols = cols;
    fuzz_schema.n = 13;
}

/* Whether jansson's refusal is one of the documented differences. */
static bool jansson_limit(const char *why)
{
    return strstr(why, "too big") || strstr(why, "overflow") || strstr(why, "nesting") || strstr(why, "real number");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static arena sa;
    static bool init;
    if (!init) {
        arena_init(&sa, 0);
        build_schema(&sa);
        init = true;
    }
    arena a;
    arena_init(&a, 0);
    value row[13];
    err e;
    bool needed[13], half[13];
    for (int i = 0; i < 13; i++)
        needed[i] = true, half[i] = i % 2;
    fmt f = {.kind = FORMAT_JSON};
    err_clear(&e);
    int rc = serde_decode_value(&f, data, (int32_t)size, &fuzz_schema, needed, row, &a, &e);
    bool syntax = rc && strncmp(e.msg, "invalid JSON", 12) == 0;

    json_error_t je;
    json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    /* jansson stops reading at a raw NUL byte; such input is not compared */
    bool has_nul = memchr(data, 0, size) != NULL;
    if (j && syntax && !has_nul && !strstr(e.msg, "nesting too deep")) {
        fprintf(stderr, "decoder refused what jansson reads: %s\n", e.msg);
        abort();
    }
    if (!j && rc == 0 && !has_nul && !jansson_limit(je.text)) {
        fprintf(stderr, "decoder accepted what jansson refuses: %s\n", je.text);
        abort();
    }
    json_decref(j);

    if (rc == 0) {
        buf out = BUF_INIT;
        value row2[13];
        serde_encode_value(&f, &fuzz_schema, row, &out, &e);
        err_clear(&e);
        if (serde_decode_value(&f, (const uint8_t *)out.data, (int32_t)out.len, &fuzz_schema, needed, row2, &a, &e)) {
            fprintf(stderr, "re-decoding our own output failed: %s\n%.*s\n", e.msg, (int)out.len, out.data);
            abort();
        }
        buf_free(&out);
    }
    err_clear(&e);
    serde_decode_value(&f, data, (int32_t)size, &fuzz_schema, half, row, &a, &e);
    fmt unwrapped = {.kind = FORMAT_JSON, .unwrapped = true};
    schema one = {fuzz_schema.cols + 10, 1};
    err_clear(&e);
    serde_decode_value(&unwrapped, data, (int32_t)size, &one, NULL, row, &a, &e);
    arena_free(&a);
    return 0;
}
