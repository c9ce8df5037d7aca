/* proclog — the processing log: where a persistent query reports a record
 * it could not decode, evaluate or encode, so users can query the reason.
 *
 * The log is the topic PROCLOG_TOPIC (ksqlDB's default name, one
 * partition) under the read-only stream PROCLOG_STREAM, which the engine
 * declares with proclog_create_statement() each time it opens, before it
 * replays the command topic (so recorded queries over the stream find
 * it).  Its columns are ksqlDB's (LOGGER, LEVEL, TIME, MESSAGE, with the
 * MESSAGE struct's TYPE numbers 0 = deserialization, 1 = record
 * processing, 3 = serialization), then Eddy's own: QUERY_ID, TOPIC,
 * PARTITION and OFFSET of the failed record, and ERROR, the reason in one
 * line.  Records have no key; values are JSON.
 *
 * This module only knows the stream's shape and how to encode one entry;
 * the runtime decides when to write one and makes the write part of the
 * query's batch commit (see runtime.h).  Pure functions, any thread.
 */
#ifndef EDDY_PROCLOG_H
#define EDDY_PROCLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/buf.h"

#define PROCLOG_TOPIC "default_ksql_processing_log"
#define PROCLOG_STREAM "KSQL_PROCESSING_LOG"

/* The MESSAGE->TYPE of an entry: ksqlDB's numbers. */
typedef enum proclog_kind {
    PROCLOG_DESERIALIZATION = 0,
    PROCLOG_RECORD_PROCESSING = 1,
    PROCLOG_SERIALIZATION = 3,
} proclog_kind;

/* One failed record.  Every pointer is borrowed for the call. */
typedef struct proclog_entry {
    const char *query_id;
    proclog_kind kind;
    bool key;                /* the key (not the value) failed to decode */
    const char *topic;       /* the record's topic, partition and offset */
    int partition;
    int64_t offset;
    const uint8_t *bytes;    /* what failed to decode (base64 in RECORDB64), or
                              * the input value (text in RECORD); NULL: none */
    int32_t len;
    const char *message;     /* the reason */
    const char *hint;        /* NULL or "": none; else the one CAUSE */
    int64_t time;            /* when it happened, ms since the epoch */
} proclog_entry;

/* The CREATE SOURCE STREAM statement that declares the log's stream. */
const char *proclog_create_statement(void);

/* Appends the entry's JSON value to out.  Text that is not valid UTF-8
 * (from a binary record) has its bad bytes replaced by '?'. */
void proclog_encode(const proclog_entry *en, buf *out);

#endif
