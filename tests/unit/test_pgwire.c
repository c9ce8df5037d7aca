/* test_pgwire — the PostgreSQL protocol through memory connections
 * (pgwire_open_memory) over a real engine: a CancelRequest that names a
 * connection while its query runs stops it with 57014; a wrong key, or a
 * connection with no query running, changes nothing.  Deterministic: the
 * CancelRequest is handled before the loop runs again, so before the
 * query's answer can be sent. */
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
#include "server/pgwire.h"

typedef struct client {
    buf got; /* what the server sent */
    bool closed;
} client;

typedef struct fixture {
    char dir[64];
    engine *en;
    uv_loop_t loop;
    pgwire *pw;
} fixture;

static void sink(void *ctx, const char *data, size_t len)
{
    client *c = ctx;
    if (!data)
        c->closed = true;
    else
        buf_append(&c->got, data, len);
}

static void put32(buf *b, uint32_t v)
{
    char c[4] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};
    buf_append(b, c, 4);
}

static uint32_t get32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

/* The message types the client got from offset *off on, as a string
 * ("TDDCZ"), with the SQLSTATE of the first ErrorResponse in state. */
static void types_since(const client *c, size_t *off, char *types, size_t cap, char *state)
{
    size_t n = 0;
    state[0] = '\0';
    while (*off + 5 <= c->got.len && n + 1 < cap) {
        const char *p = c->got.data + *off;
        uint32_t len = get32(p + 1);
        if (p[0] == 'E' && !state[0]) /* fields: a code byte and a string each */
            for (const char *q = p + 5; q < p + 1 + len && *q; q += strlen(q) + 1)
                if (*q == 'C')
                    snprintf(state, 6, "%s", q + 1);
        types[n++] = p[0];
        *off += 1 + len;
    }
    types[n] = '\0';
}

static pgwire_conn *connect_client(fixture *fx, client *c)
{
    memset(c, 0, sizeof *c);
    pgwire_conn *pc = pgwire_open_memory(fx->pw, sink, c);
    buf b = BUF_INIT;
    static const char params[] = "user\0x\0database\0eddy\0";
    put32(&b, (uint32_t)(8 + sizeof params));
    put32(&b, 196608);
    buf_append(&b, params, sizeof params); /* ends with the last \0 */
    pgwire_memory_input(pc, b.data, b.len);
    buf_free(&b);
    return pc;
}

static void query(pgwire_conn *pc, const char *sql)
{
    buf b = BUF_INIT;
    buf_putc(&b, 'Q');
    put32(&b, (uint32_t)(4 + strlen(sql) + 1));
    buf_append(&b, sql, strlen(sql) + 1);
    pgwire_memory_input(pc, b.data, b.len);
    buf_free(&b);
}

/* The BackendKeyData of a welcomed client. */
static void backend_key(const client *c, uint32_t *pid, uint32_t *secret)
{
    for (size_t off = 0; off + 5 <= c->got.len; off += 1 + get32(c->got.data + off + 1))
        if (c->got.data[off] == 'K') {
            *pid = get32(c->got.data + off + 5);
            *secret = get32(c->got.data + off + 9);
            return;
        }
    fail_msg("no BackendKeyData");
}

/* The client goes away; its connection is closed and freed. */
static void hang_up(fixture *fx, pgwire_conn *pc, client *c)
{
    pgwire_memory_input(pc, NULL, 0);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    assert_true(c->closed);
    buf_free(&c->got);
}

/* A CancelRequest from a connection of its own (client c). */
static void cancel(fixture *fx, client *c, uint32_t pid, uint32_t secret)
{
    memset(c, 0, sizeof *c);
    pgwire_conn *pc = pgwire_open_memory(fx->pw, sink, c);
    buf b = BUF_INIT;
    put32(&b, 16);
    put32(&b, 80877102);
    put32(&b, pid);
    put32(&b, secret);
    pgwire_memory_input(pc, b.data, b.len);
    buf_free(&b);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    strcpy(fx->dir, "/tmp/eddy-test-pgwire-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    engine_config cfg = {.data_dir = fx->dir, .background = false, .flush = LOG_FLUSH_NONE};
    err e;
    fx->en = engine_open(&cfg, NULL, &e);
    assert_non_null(fx->en);
    buf sql = BUF_INIT;
    buf_puts(&sql,
             "CREATE STREAM s (id INT, x INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);");
    for (int i = 0; i < 50; i++)
        buf_printf(&sql, "INSERT INTO s (id, x) VALUES (%d, %d);", i, i * 2);
    engine_session s;
    engine_session_init(&s);
    engine_output quiet = {0};
    err_clear(&e);
    assert_int_equal(engine_execute(fx->en, &s, sql.data, sql.len, &quiet, &e), 0);
    engine_session_free(&s);
    buf_free(&sql);
    uv_loop_init(&fx->loop);
    fx->pw = pgwire_new(&fx->loop, fx->en, "test", NULL);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    pgwire_shutdown(fx->pw);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&fx->loop), 0);
    engine_close(fx->en);
    temp_dir_remove(fx->dir);
    free(fx);
    return 0;
}

static void test_pgwire_cancel_request_stops_the_named_running_query(void **state)
{
    fixture *fx = *state;
    client a, b;
    pgwire_conn *pa = connect_client(fx, &a);
    uint32_t pid, secret;
    backend_key(&a, &pid, &secret);
    size_t off = a.got.len;
    query(pa, "SELECT * FROM s;"); /* a scan: it runs on the thread pool */
    cancel(fx, &b, pid, secret);
    assert_true(b.closed);
    assert_int_equal(b.got.len, 0); /* no answer to a CancelRequest */
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    char types[64], sqlstate[6];
    types_since(&a, &off, types, sizeof types, sqlstate);
    assert_string_equal(types, "EZ");
    assert_string_equal(sqlstate, "57014");
    /* the connection goes on: the next query runs */
    query(pa, "SELECT * FROM s WHERE id = 7;");
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    types_since(&a, &off, types, sizeof types, sqlstate);
    assert_string_equal(types, "TDCZ");
    assert_false(a.closed);
    hang_up(fx, pa, &a);
}

static void test_pgwire_cancel_request_with_a_wrong_key_or_nothing_running_changes_nothing(void **state)
{
    fixture *fx = *state;
    client a, b, c;
    pgwire_conn *pa = connect_client(fx, &a);
    uint32_t pid, secret;
    backend_key(&a, &pid, &secret);
    size_t off = a.got.len;
    cancel(fx, &c, pid, secret); /* nothing running: ignored */
    assert_true(c.closed);
    query(pa, "SELECT * FROM s;");
    cancel(fx, &b, pid, secret ^ 1);
    assert_true(b.closed);
    uv_run(&fx->loop, UV_RUN_DEFAULT);
    char types[64], sqlstate[6];
    types_since(&a, &off, types, sizeof types, sqlstate);
    assert_int_equal(strlen(types), 53); /* T, 50 rows, C, Z */
    assert_string_equal(sqlstate, "");
    hang_up(fx, pa, &a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pgwire_cancel_request_stops_the_named_running_query, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_pgwire_cancel_request_with_a_wrong_key_or_nothing_running_changes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
