/* engine — Eddy's engine as the front ends see it.
 *
 * An engine owns one data directory: the log, the catalog (rebuilt on open
 * by replaying the command topic `_eddy_command_topic`) and the persistent
 * queries.  Front ends hand it statement text and receive results through
 * an engine_output they implement; the engine never prints.
 *
 * Threads: engine_execute may be called from one thread at a time per
 * session; any number of sessions may share an engine.  With
 * `background` set, a runtime thread keeps persistent queries running
 * while the front end waits for input; without it, the caller drives them
 * with engine_pump (as `eddy test` does, for determinism).
 *
 * Ownership: strings and values passed to engine_output callbacks are
 * valid only during the call.
 */
#ifndef EDDY_ENGINE_H
#define EDDY_ENGINE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../storage/log.h"
#include "schema.h"
#include "value.h"

typedef struct engine engine;

typedef struct engine_config {
    const char *data_dir;
    bool background;   /* run persistent queries on a runtime thread */
    log_flush flush;   /* default durability of topics */
    bool check_only;   /* statements are checked, not run: queries (SELECT,
                        * PRINT) are compiled and INSERTs encoded but nothing
                        * is read or written (for `eddy check`, on a copy) */
} engine_config;

/* Per-connection state: SET properties. */
typedef struct engine_session {
    char **keys, **values;
    int n;
    /* Base directory for RUN SCRIPT paths; NULL = current directory. */
    const char *script_dir;
    /* Run only what takes microseconds: a pull query by key on a
     * materialized table that is (nearly) caught up with its input.  Any
     * other statement that compiles is not run (nothing is reported) and
     * engine_execute fails with ERR_DEFERRED, so
     * a server can answer lookups on its network thread and hand the rest
     * to a worker. */
    bool lookups_only;
} engine_session;

void engine_session_init(engine_session *s);
void engine_session_free(engine_session *s);
/* The property's value, or NULL.  'ksql.streams.' prefixes are ignored. */
const char *engine_session_get(const engine_session *s, const char *key);

/* What the engine reports.  Any callback may be NULL. */
typedef struct engine_output {
    void *ctx;
    /* A statement's short outcome: "Stream S created.", ... */
    void (*message)(void *ctx, const char *text);
    /* Starts a set of rows with these columns (names and types).
     * `streaming`: rows arrive over time (a push query), so show each
     * at once rather than waiting for the set to end. */
    void (*header)(void *ctx, const schema *columns, bool streaming);
    /* One row: one value per header column. */
    void (*row)(void *ctx, const value *values);
    /* Ends the current set of rows; note may be NULL or e.g. "Limit reached". */
    void (*footer)(void *ctx, const char *note);
    /* Polled while a push query waits for rows: true stops it. */
    bool (*cancelled)(void *ctx);
} engine_output;

/* Opens the engine on cfg->data_dir (created if needed).  Warnings met
 * while replaying the command topic (a statement that no longer applies)
 * are appended to `warnings` when given. */
engine *engine_open(const engine_config *cfg, buf *warnings, err *e);
/* Stops the runtime thread and every query, closes the log. */
void engine_close(engine *en);

/* Runs every statement in src[0..len) in order and stops at the first
 * error, whose span points into src.  Returns 0 or -1. */
int engine_execute(engine *en, engine_session *s, const char *src, size_t len,
                   const engine_output *out, err *e);

/* For `eddy check`: runs every statement in src (an engine opened with
 * check_only) and calls report for each one refused, with the error's span
 * into src, going on after errors.  Returns the number of errors. */
int engine_check(engine *en, engine_session *s, const char *src, size_t len,
                 void (*report)(void *ctx, const err *e), void *ctx);

/* Runs persistent queries until none has input left.  Returns the number
 * of records processed. */
long engine_pump(engine *en);

/* The engine's log, for a tool that appends input records straight to
 * its topics and reads outputs as they appear (`eddy bench nexmark`).
 * Such appends do not wake the runtime thread: that tool drives the
 * queries itself with engine_pump.  Valid until engine_close. */
eventlog *engine_log(engine *en);

/* For `eddy test`: writes one record to a topic, with key and value given
 * as JSON and serialized in the formats of the stream or table over the
 * topic (values of a DELIMITED topic are given as the CSV text). */
int engine_produce_json(engine *en, const char *topic, json_t *key, json_t *value,
                        int64_t timestamp, err *e);
/* The same for a windowed topic: the key gets the window appended as
 * Kafka's windowed serializers write it (start; for a session end, start).
 * headers (NULL = none): the record's headers as [{"KEY": "k", "VALUE":
 * base64 or null}, ...]. */
int engine_produce_json_windowed(engine *en, const char *topic, json_t *key, json_t *value, json_t *headers,
                                 int64_t timestamp, const int64_t *wstart, int64_t wend, err *e);
/* Creates topic `name` with `partitions` partitions unless it exists
 * (`eddy test` creates its input topics first, as ksqlDB's runner does). */
int engine_create_topic(engine *en, const char *name, int partitions, err *e);
/* For `eddy test`: appends to `records` one object per record of topic
 * (every partition, in offset order per partition, then by partition):
 * {"topic", "key", "value", "timestamp", "partition", "offset"} decoded
 * with the formats of the source over the topic. */
int engine_dump_topic_json(engine *en, const char *topic, json_t *records, err *e);
/* Fills ends[p] with the end offset (the offset the next record will get)
 * of partition p of topic, for p < max.  Returns the topic's number of
 * partitions, or -1 when it does not exist. */
int engine_topic_end_offsets(engine *en, const char *topic, int64_t *ends, int max);
/* Calls fn with the topic of every source created by a persistent query
 * (CREATE ... AS SELECT), in creation order. */
void engine_sink_topic_names(engine *en, void (*fn)(void *ctx, const char *name), void *ctx);

/* For shell completion: calls fn with every stream/table name and every
 * column name the catalog knows (only stream/table names when
 * sources_only). */
void engine_names(engine *en, bool sources_only, void (*fn)(void *ctx, const char *name), void *ctx);

#endif
