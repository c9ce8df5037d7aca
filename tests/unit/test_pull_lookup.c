/* test_pull_lookup — engine_session.lookups_only, what a server runs on its
 * network thread: a pull query by key on a caught-up table runs; anything
 * else is declined with ERR_DEFERRED before it reports anything. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "temp_dir.h"

#include "base/buf.h"
#include "engine/engine.h"

typedef struct seen {
    int headers, rows;
} seen;

static void on_header(void *ctx, const schema *cols, bool streaming)
{
    ((seen *)ctx)->headers++;
}

static void on_row(void *ctx, const value *vals)
{
    ((seen *)ctx)->rows++;
}

/* Runs sql; returns the error code (ERR_OK when it ran). */
static err_code run(engine *en, engine_session *s, const char *sql, seen *got)
{
    err e;
    err_clear(&e);
    memset(got, 0, sizeof *got);
    engine_output out = {.ctx = got, .header = on_header, .row = on_row};
    return engine_execute(en, s, sql, strlen(sql), &out, &e) ? e.code : ERR_OK;
}

/* A table t counting the records of stream src per id, with `records`
 * records of ids 0..9 inserted and not yet aggregated (no runtime thread). */
static engine *open_with_table(char *dir, engine_session *s, int records)
{
    strcpy(dir, "/tmp/eddy-test-pull-XXXXXX");
    assert_non_null(mkdtemp(dir));
    engine_config cfg = {.data_dir = dir, .background = false, .flush = LOG_FLUSH_NONE};
    err e;
    engine *en = engine_open(&cfg, NULL, &e);
    assert_non_null(en);
    engine_session_init(s);
    seen got;
    assert_int_equal(run(en, s,
                         "CREATE STREAM src (id INT, x INT) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON', "
                         "PARTITIONS=1); CREATE TABLE t AS SELECT id, COUNT(*) AS n FROM src GROUP BY id;",
                         &got),
                     ERR_OK);
    buf ins = BUF_INIT;
    for (int i = 0; i < records; i++)
        buf_printf(&ins, "INSERT INTO src (id, x) VALUES (%d, %d);", i % 10, i);
    assert_int_equal(run(en, s, ins.data, &got), ERR_OK);
    buf_free(&ins);
    return en;
}

static void close_all(engine *en, engine_session *s, const char *dir)
{
    engine_session_free(s);
    engine_close(en);
    temp_dir_remove(dir);
}

static void test_lookups_only_runs_a_pull_by_key(void **state)
{
    char dir[64];
    engine_session s;
    engine *en = open_with_table(dir, &s, 20);
    s.lookups_only = true;
    seen got;
    assert_int_equal(run(en, &s, "SELECT * FROM t WHERE id = 3;", &got), ERR_OK);
    assert_int_equal(got.headers, 1);
    assert_int_equal(got.rows, 1);
    assert_int_equal(run(en, &s, "SELECT n FROM t WHERE id = 42;", &got), ERR_OK);
    assert_int_equal(got.rows, 0);
    /* a real error stays an error */
    assert_int_equal(run(en, &s, "SELECT nope FROM t WHERE id = 3;", &got), ERR_UNKNOWN_COLUMN);
    close_all(en, &s, dir);
}

static void test_lookups_only_declines_everything_else_silently(void **state)
{
    char dir[64];
    engine_session s;
    engine *en = open_with_table(dir, &s, 20);
    s.lookups_only = true;
    static const char *const others[] = {
        "SELECT * FROM t WHERE n = 2;",             /* a scan of the table */
        "SELECT * FROM t;",                         /* all of it */
        "SELECT * FROM src WHERE id = 3;",          /* a stream */
        "SELECT * FROM src EMIT CHANGES LIMIT 1;",  /* a push query */
        "SHOW STREAMS;",
        "INSERT INTO src (id, x) VALUES (1, 1);",
    };
    seen got;
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        assert_int_equal(run(en, &s, others[i], &got), ERR_DEFERRED);
        assert_int_equal(got.headers + got.rows, 0);
    }
    s.lookups_only = false; /* the INSERT was not run */
    assert_int_equal(run(en, &s, "SELECT * FROM src;", &got), ERR_OK);
    assert_int_equal(got.rows, 20);
    close_all(en, &s, dir);
}

static void test_lookups_only_declines_a_table_far_behind_its_input(void **state)
{
    char dir[64];
    engine_session s;
    engine *en = open_with_table(dir, &s, 3000);
    seen got;
    s.lookups_only = true;
    assert_int_equal(run(en, &s, "SELECT n FROM t WHERE id = 3;", &got), ERR_DEFERRED);
    assert_int_equal(got.headers + got.rows, 0);
    s.lookups_only = false; /* a worker catches it up */
    assert_int_equal(run(en, &s, "SELECT n FROM t WHERE id = 3;", &got), ERR_OK);
    assert_int_equal(got.rows, 1);
    s.lookups_only = true;
    assert_int_equal(run(en, &s, "SELECT n FROM t WHERE id = 3;", &got), ERR_OK);
    assert_int_equal(got.rows, 1);
    close_all(en, &s, dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookups_only_runs_a_pull_by_key),
        cmocka_unit_test(test_lookups_only_declines_everything_else_silently),
        cmocka_unit_test(test_lookups_only_declines_a_table_far_behind_its_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
