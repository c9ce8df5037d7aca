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
#include "fuzz_conn.h"
#include "fuzz_credentials.h"
#include "fuzz_engine.h"
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
    fuzz_check_open(h.closed);
    buf_append(&h.pending, data, len);
    check_messages();
}

static void init(void)
{
    uv_loop_init(&loop);
    engine *en = fuzz_engine("pgwire");
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
    size_t step = fuzz_read_size(mode, size);
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
