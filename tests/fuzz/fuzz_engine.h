/* fuzz_engine — what the server fuzzers share: an engine on a fresh
 * temporary directory (never removed: the fuzzer's process owns it until
 * it ends) holding a stream SRC of every common type with a few rows and
 * a table T counting them by ID.  No background threads: a pull query
 * catches the table up itself. */
#ifndef EDDY_FUZZ_ENGINE_H
#define EDDY_FUZZ_ENGINE_H

#include <stdio.h>
#include <stdlib.h>

#include "engine/engine.h"

/* The engine, for as long as the process lives; aborts on failure.  who
 * names the fuzzer in the directory's name. */
static engine *fuzz_engine(const char *who)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/eddy-fuzz-%s-XXXXXX", who);
    if (!mkdtemp(dir))
        abort();
    engine_config cfg = {.data_dir = dir, .background = false, .flush = LOG_FLUSH_NONE};
    err e;
    err_clear(&e);
    engine *en = engine_open(&cfg, NULL, &e);
    if (!en)
        abort();
    static const char sql[] =
        "CREATE STREAM src (id INT KEY, name STRING, d DOUBLE, ok BOOLEAN, ts TIMESTAMP, a ARRAY<INT>, "
        "m MAP<STRING, INT>, dec DECIMAL(5,2)) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON', PARTITIONS=1);"
        "CREATE TABLE t AS SELECT id, COUNT(*) AS n, LATEST_BY_OFFSET(name) AS name, SUM(d) AS d "
        "FROM src GROUP BY id;"
        "INSERT INTO src (id, name, d, ok, ts, a, m, dec) VALUES (1, 'a', 1.5, true, FROM_UNIXTIME(0), "
        "ARRAY[1,2], "
        "MAP('k' := 1), 1.25);"
        "INSERT INTO src (id, name, d, ok, ts, a, m, dec) VALUES (2, NULL, -0.5, false, "
        "FROM_UNIXTIME(1700000000000), "
        "ARRAY[3], MAP('x' := 2), -3.5);"
        "INSERT INTO src (id, name) VALUES (1, 'it''s');";
    engine_session s;
    engine_session_init(&s);
    engine_output quiet = {0};
    if (engine_execute(en, &s, sql, sizeof sql - 1, &quiet, &e)) {
        fprintf(stderr, "fuzz_%s: setup: %s\n", who, e.msg);
        abort();
    }
    engine_session_free(&s);
    return en;
}

#endif
