/* serde — record formats: bytes in a topic <-> typed values in a row.
 *
 * Formats (one X-macro list): JSON, KAFKA (Kafka's primitive serializers:
 * big-endian INT/BIGINT/DOUBLE, UTF-8 STRING), DELIMITED (CSV), NONE (no
 * columns).  A row is an array of values indexed like the schema's
 * columns; decoding fills only the slots of the part (key or value) being
 * decoded, and only columns marked in `needed` when it is given.
 *
 * Decoded strings point into the record bytes or into arena `a`, so a row
 * is valid while both are.  JSON records are decoded in one pass without
 * building a tree (serde_json.c); BYTES travel as base64 text in JSON and
 * DELIMITED and as raw bytes in KAFKA.  Malformed input gives ERR_FORMAT with a reason;
 * it never crashes.
 */
#ifndef EDDY_SERDE_H
#define EDDY_SERDE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/err.h"
#include "schema.h"
#include "value.h"

#define FORMATS(X)            \
    X(JSON, "JSON")           \
    X(KAFKA, "KAFKA")         \
    X(DELIMITED, "DELIMITED") \
    X(NONE, "NONE")

typedef enum format {
#define X(name, text) FORMAT_##name,
    FORMATS(X)
#undef X
} format;

/* A format with the options the WITH clause gives it. */
typedef struct fmt {
    format kind;
    bool unwrapped; /* WRAP_SINGLE_VALUE=false: one value column, written bare */
    char delim;     /* DELIMITED field separator; 0 means ',' */
} fmt;

/* Case-insensitive; false for unknown names. */
bool format_parse(const char *name, format *out);
const char *format_name(format f);
/* Whether format f can hold the key (keys=true) or value columns of s;
 * when not, `why` says so in ksqlDB's words. */
bool format_check(format f, const schema *s, bool keys, char *why, size_t n);

int serde_decode_key(const fmt *f, const uint8_t *p, int32_t len, const schema *s, value *row,
                     arena *a, err *e);
int serde_decode_value(const fmt *f, const uint8_t *p, int32_t len, const schema *s,
                       const bool *needed, value *row, arena *a, err *e);
/* The column names of s prepared once (at plan time) for the JSON decoder
 * to match record members against, without folding a name per record;
 * read-only after, in arena a, valid while s is. */
typedef struct serde_names serde_names;
serde_names *serde_names_new(const schema *s, arena *a);
/* What the JSON decoder learned from the records of one stream: the
 * column the i-th member of the last record named, tried first for the
 * i-th member of the next (a topic's records mostly keep one member
 * order).  A hint, checked against each key: it never changes a result.
 * Zeroed to start; owned by the caller, one per stream decoded in turn. */
#define SERDE_MEMO_MEMBERS 32
typedef struct serde_memo {
    const serde_names *names; /* what col is for */
    int n;
    int16_t col[SERDE_MEMO_MEMBERS]; /* -1: no column */
} serde_memo;
/* serde_decode_value with the prepared names of s (NULL: none) and a
 * memo of the stream's member order (NULL: none). */
int serde_decode_value_named(const fmt *f, const uint8_t *p, int32_t len, const schema *s, const serde_names *names,
                             serde_memo *memo, const bool *needed, value *row, arena *a, err *e);
/* Appends the encoded key (key columns of s) to out; *is_null when there
 * are no key columns or the single key is null. */
int serde_encode_key(const fmt *f, const schema *s, const value *row, buf *out, bool *is_null,
                     err *e);
/* Appends the encoded value (non-key columns of s) to out. */
int serde_encode_value(const fmt *f, const schema *s, const value *row, buf *out, err *e);

/* An encoder of one part (key or value) of records of one schema in one
 * format: what serde_encode_key and serde_encode_value write, with the
 * per-schema work (which columns, their names as JSON) done once, when a
 * query starts, not per record.  f is copied; s is borrowed and must
 * outlive the encoder.  serde_encoder_free releases what init took. */
typedef struct serde_encoder {
    fmt f;
    const schema *s;
    bool keys;
    int only;      /* JSON: the one column written bare, else -1 */
    int n;         /* JSON written as an object: its columns, else 0 */
    int *cols;     /* their indexes in s */
    uint32_t *pre; /* n + 1 offsets: column i's prefix is text[pre[i], pre[i + 1]) */
    char *text;    /* `{"A":` `,"B":` ... */
    bool none;     /* a key part without columns: always a null key */
} serde_encoder;

void serde_encoder_init(serde_encoder *c, const fmt *f, const schema *s, bool keys);
void serde_encoder_free(serde_encoder *c);
/* Appends the encoded part of row to out; for a key, *is_null as
 * serde_encode_key says (a value part always sets it false). */
int serde_encoder_run(const serde_encoder *c, const value *row, buf *out, bool *is_null, err *e);

/* JSON <-> value conversions with ksqlDB's coercions (a number for a
 * STRING column becomes its text, "12" for an INT column becomes 12). */
int serde_json_to_value(json_t *j, const sqltype *t, arena *a, value *out, err *e);
void serde_value_to_json_text(const value *v, const sqltype *t, buf *out);
void serde_json_string(const char *p, size_t len, buf *out);
/* The 4 hex digits of a JSON \uXXXX escape at p; -1 when not hex. */
int serde_hex4(const char *p, unsigned *out);

/* Internal to the serde module (serde_json.c). */
int serde__json_decode(const uint8_t *p, int32_t len, const schema *s, const serde_names *names, serde_memo *memo,
                       bool keys, bool unwrapped, const bool *needed, value *row, arena *a, err *e);
/* Field text (DELIMITED, a JSON string) as a scalar of type t. */
int serde__text_to_value(const char *p, uint32_t n, const sqltype *t, arena *a, value *out, err *e);

#endif
