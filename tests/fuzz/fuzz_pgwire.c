/* fuzz_pgwire — libFuzzer target for the PostgreSQL wire protocol
 * (src/server/pgwire.c).
 *
 * The input is what a client sends on one connection: a startup packet
 * (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest), then
 * messages (Query, Parse, Bind, Describe, Execute, Close, Sync, Flush,
 * Terminate, PasswordMessage).  Its first byte picks how it is cut into
 * reads and whether the server asks for a password (basic credentials
 * user:secret); the rest goes, read by read, to a memory connection
 * (pgwire_open_memory) of a pgwire over a real engine holding a stream
 * and a table with a few rows, so queries run as they would for psql,
 * on libuv's thread pool or on the loop.
 *
 * Checks: everything the server sends is a sequence of whole backend
 * messages (type byte, length of at least 4; before the welcome a lone
 * 'N' answers an SSLRequest), nothing is sent after the connection
 * closed, and every connection is freed (leaks are reported).  Crashes
 * and sanitizer reports are bugs.
 *
 * Build and run: `make fuzz-pgwire` (FUZZ_SECONDS, default 60).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "base/buf.h"
#include "engine/engine.h"
#include "fuzz_credentials.h"
#include "server/auth.h"
#include "server/pgwire.h"

typedef struct harness {
    buf pending;   /* bytes of a backend message not complete yet */
    bool welcomed; /* an Authentication message has been sent */
    bool closed;
} harness;

static uv_loop_t loop;
static pgwire *open_pw, *locked_pw;
static harness h;

static void check_messages(void)
{
    size_t off = 0;
    while (off < h.pending.len) {
        const unsigned char *p = (const unsigned char *)h.pending.data + off;
        size_t avail = h.pending.len - off;
        if (!h.welcomed && p[0] == 'N' && (avail == 1 || p[1] != 0)) {
            off++; /* the answer to an SSLRequest */
            continue;
        }
        if (avail < 5)
            break;
        uint32_t len = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
        if (len < 4 || len > (64u << 20)) {
            fprintf(stderr, "the server sent a message '%c' of length %u\n", p[0], len);
            abort();
        }
        if (avail < 1 + (size_t)len)
            break;
        if (p[0] == 'R')
            h.welcomed = true;
        off += 1 + len;
    }
    memmove(h.pending.data, h.pending.data + off, h.pending.len - off);
    h.pending.len -= off;
}

static void sink(void *ctx, const char *data, size_t len)
{
    (void)ctx;
    if (!data) {
        h.closed = true;
        return;
    }
    if (h.closed) {
        fprintf(stderr, "sent after the connection closed\n");
        abort();
    }
    buf_append(&h.pending, data, len);
    check_messages();
}

static void setup_engine(engine **en)
{
    static char dir[] = "/tmp/eddy-fuzz-pgwire-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    engine_config cfg = {.data_dir = dir, .background = false, .flush = LOG_FLUSH_NONE};
    err e;
    err_clear(&e);
    *en = engine_open(&cfg, NULL, &e);
    if (!*en)
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
    if (engine_execute(*en, &s, sql, sizeof sql - 1, &quiet, &e)) {
        fprintf(stderr, "fuzz_pgwire: setup: %s\n", e.msg);
        abort();
    }
    engine_session_free(&s);
}

static void init(void)
{
    uv_loop_init(&loop);
    engine *en;
    setup_engine(&en);
    auth *credentials = fuzz_credentials();
    /* both live as long as the process: the engine and the credentials
     * are never freed */
    open_pw = pgwire_new(&loop, en, "fuzz", NULL);
    locked_pw = pgwire_new(&loop, en, "fuzz", credentials);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!open_pw)
        init();
    if (!size)
        return 0;
    unsigned mode = data[0];
    data++, size--;
    h.welcomed = h.closed = false;
    buf_reset(&h.pending);
    pgwire_conn *c = pgwire_open_memory(mode & 8 ? locked_pw : open_pw, sink, NULL);
    static const size_t sizes[] = {1, 2, 5, 9, 64, 512, 4096};
    size_t step = (mode & 7) == 7 ? size + 1 : sizes[mode & 7];
    for (size_t off = 0; off < size && !h.closed;) {
        size_t n = size - off < step ? size - off : step;
        pgwire_memory_input(c, (const char *)data + off, n);
        off += n;
        if (mode & 16)
            uv_run(&loop, UV_RUN_NOWAIT); /* a query may end between reads */
    }
    if (!h.closed)
        pgwire_memory_input(c, NULL, 0);
    uv_run(&loop, UV_RUN_DEFAULT); /* queries end, close callbacks free it */
    if (!h.closed) {
        fprintf(stderr, "the connection is still open after the client went away\n");
        abort();
    }
    return 0;
}
