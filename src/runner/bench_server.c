/* bench_server.c — `eddy bench server` (see bench_server.h).
 *
 * Measurement: each client thread times one request (send to the last
 * byte of its answer) with CLOCK_MONOTONIC; latencies of all threads are
 * merged and sorted (nearest-rank percentiles).  queries/s is the number
 * answered over the wall time of the phase.  The server's CPU time is
 * utime + stime of /proc/PID/stat across the phase, its peak RSS VmHWM of
 * /proc/PID/status. */
#define _XOPEN_SOURCE 700
#include "bench_server.h"
#include "bench_stateful.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/mem.h"
#include "../shell/http_client.h"

static double clock_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the server, a child process -------------------------------------- */

typedef struct child {
    pid_t pid;
    int http_port, pg_port;
    FILE *out; /* its stdout, where it says which ports it listens on */
} child;

static int child_start(const char *binary, const char *dir, child *c)
{
    int fds[2];
    if (pipe(fds))
        return -1;
    c->pid = fork();
    if (c->pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(binary, binary, "server", "--data", dir, "--listen", "127.0.0.1:0", "--pg-listen", "127.0.0.1:0",
              (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    c->out = fdopen(fds[0], "r");
    char line[512];
    while ((!c->http_port || !c->pg_port) && fgets(line, sizeof line, c->out)) {
        const char *p;
        if ((p = strstr(line, "pg listening on 127.0.0.1:")))
            c->pg_port = atoi(p + 26);
        else if ((p = strstr(line, ": listening on 127.0.0.1:")))
            c->http_port = atoi(p + 25);
    }
    if (c->http_port && c->pg_port)
        return 0;
    fprintf(stderr, "eddy bench: the server (%s) did not start\n", binary);
    return -1;
}

static void child_stop(child *c)
{
    kill(c->pid, SIGTERM);
    waitpid(c->pid, NULL, 0);
    fclose(c->out);
}

/* The child's user + system CPU seconds so far. */
static double child_cpu_s(const child *c)
{
    char path[64], text[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)c->pid);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    const char *p = strrchr(text, ')'); /* the name may hold spaces */
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* The child's peak RSS in MiB (VmHWM), or -1. */
static long child_peak_mb(const child *c)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)c->pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kb = atol(line + 6);
    if (f)
        fclose(f);
    return kb < 0 ? -1 : kb / 1024;
}

/* ---- a client connection ---------------------------------------------- */

typedef struct conn {
    int fd;
    char in[65536];
    size_t len, off; /* unread bytes: in[off..len) */
} conn;

static int conn_open(conn *c, int port)
{
    memset(c, 0, sizeof *c);
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1;
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof a)) {
        if (c->fd >= 0)
            close(c->fd);
        return -1;
    }
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct timeval tv = {10, 0}; /* a server that stops answering fails the run, never hangs it */
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return 0;
}

static int conn_send(conn *c, const char *p, size_t n)
{
    return http_client_send_all(c->fd, p, n);
}

/* Makes at least n unread bytes available.  Returns 0 or -1 (closed). */
static int conn_need(conn *c, size_t n)
{
    if (n > sizeof c->in)
        return -1;
    if (c->off + n > sizeof c->in) {
        memmove(c->in, c->in + c->off, c->len - c->off);
        c->len -= c->off;
        c->off = 0;
    }
    while (c->len - c->off < n) {
        ssize_t r = recv(c->fd, c->in + c->len, sizeof c->in - c->len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        c->len += (size_t)r;
    }
    return 0;
}

/* ---- pull queries over HTTP ------------------------------------------- */

/* Reads one HTTP response; sets *rows when its body holds a row line (a
 * JSON array after the header line).  Content-Length and chunked bodies.
 * Returns the status, or -1. */
static int http_read(conn *c, bool *rows)
{
    char *end = NULL;
    for (size_t want = 1; !end; want = c->len - c->off + 1) {
        if (conn_need(c, want))
            return -1;
        end = memmem(c->in + c->off, c->len - c->off, "\r\n\r\n", 4);
    }
    char *head = c->in + c->off;
    int status = atoi(head + 9);
    size_t hlen = (size_t)(end + 4 - head);
    const char *cl = memmem(head, hlen, "Content-Length: ", 16);
    c->off += hlen;
    const char *body;
    size_t blen;
    if (cl) {
        blen = (size_t)atol(cl + 16);
        if (conn_need(c, blen))
            return -1;
        body = c->in + c->off;
    } else { /* chunked: up to the last chunk */
        char *last = NULL;
        for (size_t want = 5; !last; want = c->len - c->off + 1) {
            if (conn_need(c, want))
                return -1;
            last = memmem(c->in + c->off, c->len - c->off, "0\r\n\r\n", 5);
            if (last && last != c->in + c->off && last[-1] != '\n')
                last = NULL; /* "10\r\n\r\n" is not the end */
        }
        body = c->in + c->off;
        blen = (size_t)(last + 5 - body);
    }
    *rows = memmem(body, blen, "\n[", 2) != NULL;
    c->off += blen;
    return status;
}

typedef struct worker {
    pthread_t thread;
    int port;
    bool pg;
    long keys;
    uint64_t rng;
    double until;
    double *lat; /* seconds, one per answered query */
    size_t n, cap;
    long errors;
} worker;

static long next_key(worker *w)
{
    w->rng ^= w->rng << 13, w->rng ^= w->rng >> 7, w->rng ^= w->rng << 17;
    return (long)(w->rng % (uint64_t)w->keys);
}

static void record(worker *w, double secs)
{
    if (w->n == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 65536;
        w->lat = mem_realloc(w->lat, sizeof(double) * w->cap);
    }
    w->lat[w->n++] = secs;
}

static void http_loop(worker *w, conn *c)
{
    while (clock_s() < w->until) {
        char body[128], req[512];
        int bl = snprintf(body, sizeof body, "{\"sql\":\"SELECT * FROM t WHERE id = %ld;\"}", next_key(w));
        int rl = snprintf(req, sizeof req,
                          "POST /query-stream HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
                          "Content-Length: %d\r\n\r\n%s",
                          bl, body);
        double t0 = clock_s();
        bool rows = false;
        int status = conn_send(c, req, (size_t)rl) ? -2 : http_read(c, &rows);
        if (status != 200 || !rows) {
            if (!w->errors++)
                fprintf(stderr, "eddy bench: a pull query over HTTP got %d%s after %zu queries\n", status,
                        status == 200 ? " without a row" : "", w->n);
            return;
        }
        record(w, clock_s() - t0);
    }
}

/* ---- pull queries over pgwire ----------------------------------------- */

static uint32_t be32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

static void put_be32(char *p, uint32_t v)
{
    p[0] = (char)(v >> 24), p[1] = (char)(v >> 16), p[2] = (char)(v >> 8), p[3] = (char)v;
}

/* Reads messages up to ReadyForQuery; counts DataRows.  Returns 0, or -1
 * on an ErrorResponse or a closed connection. */
static int pg_until_ready(conn *c, long *rows)
{
    bool failed = false;
    for (;;) {
        if (conn_need(c, 5))
            return -1;
        char type = c->in[c->off];
        uint32_t len = be32(c->in + c->off + 1);
        if (len < 4 || conn_need(c, 1 + len))
            return -1;
        c->off += 1 + len;
        if (type == 'D')
            ++*rows;
        else if (type == 'E')
            failed = true;
        else if (type == 'Z')
            return failed ? -1 : 0;
    }
}

static int pg_startup(conn *c)
{
    static const char params[] = "user\0bench\0database\0eddy\0";
    char msg[64];
    uint32_t n = 8 + sizeof params; /* sizeof counts the final NUL */
    put_be32(msg, n);
    put_be32(msg + 4, 196608); /* protocol 3.0 */
    memcpy(msg + 8, params, sizeof params);
    long rows = 0;
    return conn_send(c, msg, n) || pg_until_ready(c, &rows) ? -1 : 0;
}

static void pg_loop(worker *w, conn *c)
{
    if (pg_startup(c)) {
        w->errors++;
        return;
    }
    while (clock_s() < w->until) {
        char msg[128];
        int sl = snprintf(msg + 5, sizeof msg - 5, "SELECT * FROM t WHERE id = %ld;", next_key(w));
        msg[0] = 'Q';
        put_be32(msg + 1, (uint32_t)(4 + sl + 1));
        double t0 = clock_s();
        long rows = 0;
        if (conn_send(c, msg, (size_t)(5 + sl + 1)) || pg_until_ready(c, &rows) || rows != 1) {
            w->errors++;
            return;
        }
        record(w, clock_s() - t0);
    }
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    conn *c = mem_alloc(sizeof *c);
    if (conn_open(c, w->port))
        w->errors++;
    else {
        if (w->pg)
            pg_loop(w, c);
        else
            http_loop(w, c);
        close(c->fd);
    }
    free(c);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
    size_t i = (size_t)(p * (double)n + 0.999999);
    return v[i ? (i > n ? n - 1 : i - 1) : 0];
}

/* One phase of pull queries by key over HTTP or pgwire. */
static int pull_phase(const bench_server_opts *o, const child *srv, bool pg)
{
    worker *ws = mem_alloc(sizeof(worker) * (size_t)o->clients);
    double cpu0 = child_cpu_s(srv), t0 = clock_s();
    for (int i = 0; i < o->clients; i++) {
        ws[i] = (worker){.port = pg ? srv->pg_port : srv->http_port, .pg = pg, .keys = o->keys,
                         .rng = 0x9E3779B97F4A7C15ull * (uint64_t)(i + 1), .until = t0 + o->seconds};
        pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]);
    }
    size_t total = 0;
    long errors = 0;
    for (int i = 0; i < o->clients; i++) {
        pthread_join(ws[i].thread, NULL);
        total += ws[i].n;
        errors += ws[i].errors;
    }
    double wall = clock_s() - t0, cpu = child_cpu_s(srv) - cpu0;
    double *all = mem_alloc(sizeof(double) * (total + 1));
    size_t k = 0;
    for (int i = 0; i < o->clients; i++) {
        memcpy(all + k, ws[i].lat, sizeof(double) * ws[i].n);
        k += ws[i].n;
        free(ws[i].lat);
    }
    qsort(all, total, sizeof *all, cmp_double);
    printf("  %s: %d keep-alive clients, %.1f s: %zu pull queries by key, %.0f queries/s, "
           "p50 %.0f us, p99 %.0f us, max %.1f ms; server CPU %.2f s (%.0f queries per server CPU "
           "second)%s\n",
           pg ? "pgwire Simple Query" : "HTTP /query-stream", o->clients, wall, total, (double)total / wall,
           total ? pct(all, total, 0.50) * 1e6 : 0, total ? pct(all, total, 0.99) * 1e6 : 0,
           total ? all[total - 1] * 1e3 : 0, cpu, cpu > 0 ? (double)total / cpu : 0,
           errors ? " — SOME CLIENTS FAILED" : "");
    free(all);
    free(ws);
    return errors || !total ? 1 : 0;
}

/* ---- push-query fan-out ----------------------------------------------- */

typedef struct subscriber {
    pthread_t thread;
    int port;
    atomic_bool ready, stop;
    atomic_long rows;
    bool failed;
} subscriber;

/* Counts row lines ("]\n", across reads) of a streamed push query. */
static void *subscriber_main(void *arg)
{
    subscriber *s = arg;
    conn *c = mem_alloc(sizeof *c);
    static const char body[] = "{\"sql\":\"SELECT id FROM src EMIT CHANGES;\"}";
    char req[256];
    int rl = snprintf(req, sizeof req,
                      "POST /query-stream HTTP/1.1\r\nHost: bench\r\nContent-Length: %zu\r\n\r\n%s",
                      sizeof body - 1, body);
    if (conn_open(c, s->port) || conn_send(c, req, (size_t)rl)) {
        s->failed = true;
        atomic_store(&s->ready, true);
        free(c);
        return NULL;
    }
    char prev = 0;
    while (!atomic_load(&s->stop)) {
        struct pollfd p = {c->fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        ssize_t r = recv(c->fd, c->in, sizeof c->in, 0);
        if (r <= 0)
            break;
        long rows = 0;
        for (ssize_t i = 0; i < r; prev = c->in[i++])
            rows += c->in[i] == '\n' && prev == ']';
        if (!atomic_load(&s->ready) && memmem(c->in, (size_t)r, "columnNames", 11))
            atomic_store(&s->ready, true);
        atomic_fetch_add(&s->rows, rows);
    }
    close(c->fd);
    free(c);
    return NULL;
}

/* Reads a whole chunked response of /inserts-stream (one ack line per
 * row) into all.  Returns 0 when it is complete and every ack is "ok". */
static int read_acks(conn *c, long rows, buf *all)
{
    for (;;) {
        buf_reserve(all, 65536);
        ssize_t r = recv(c->fd, all->data + all->len, 65536, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        all->len += (size_t)r;
        all->data[all->len] = '\0';
        if (all->len >= 5 && !memcmp(all->data + all->len - 5, "0\r\n\r\n", 5))
            break;
    }
    long ok = 0;
    for (const char *p = all->data; (p = strstr(p, "\"status\":\"ok\"")); p++)
        ok++;
    return strncmp(all->data, "HTTP/1.1 200", 12) || ok != rows ? -1 : 0;
}

/* Inserts o->push_rows rows into src with one /inserts-stream request;
 * returns 0 once every ack is in, or -1. */
static int insert_rows(const bench_server_opts *o, const child *srv)
{
    buf body = BUF_INIT, req = BUF_INIT;
    buf_puts(&body, "{\"target\":\"src\"}\n");
    for (long i = 0; i < o->push_rows; i++)
        buf_printf(&body, "{\"id\":%ld,\"x\":%ld}\n", i, i % 1000);
    buf_printf(&req, "POST /inserts-stream HTTP/1.1\r\nHost: bench\r\nContent-Length: %zu\r\n\r\n", body.len);
    buf_append(&req, body.data, body.len);
    conn *c = mem_alloc(sizeof *c);
    buf acks = BUF_INIT;
    int rc = conn_open(c, srv->http_port) || conn_send(c, req.data, req.len) || read_acks(c, o->push_rows, &acks)
                 ? -1
                 : 0;
    if (rc)
        fprintf(stderr, "eddy bench: /inserts-stream did not ack every row\n");
    if (c->fd >= 0)
        close(c->fd);
    free(c);
    buf_free(&acks);
    buf_free(&body);
    buf_free(&req);
    return rc;
}

static bool all_at(subscriber *subs, int n, long rows)
{
    for (int i = 0; i < n; i++)
        if (!subs[i].failed && atomic_load(&subs[i].rows) < rows)
            return false;
    return true;
}

static int push_phase(const bench_server_opts *o, const child *srv)
{
    int n = o->subscribers;
    subscriber *subs = mem_alloc(sizeof(subscriber) * (size_t)n);
    for (int i = 0; i < n; i++) {
        subs[i].port = srv->http_port;
        pthread_create(&subs[i].thread, NULL, subscriber_main, &subs[i]);
    }
    double deadline = clock_s() + 30;
    for (int i = 0; i < n; i++)
        while (!atomic_load(&subs[i].ready) && clock_s() < deadline)
            usleep(1000);
    double cpu0 = child_cpu_s(srv), t0 = clock_s();
    int rc = insert_rows(o, srv);
    double inserted = clock_s() - t0;
    deadline = clock_s() + 120;
    while (rc == 0 && !all_at(subs, n, o->push_rows) && clock_s() < deadline)
        usleep(1000);
    double wall = clock_s() - t0, cpu = child_cpu_s(srv) - cpu0;
    long delivered = 0, failed = 0, short_of = 0;
    for (int i = 0; i < n; i++) {
        atomic_store(&subs[i].stop, true);
        pthread_join(subs[i].thread, NULL);
        delivered += atomic_load(&subs[i].rows);
        failed += subs[i].failed || !atomic_load(&subs[i].ready);
        short_of += atomic_load(&subs[i].rows) < o->push_rows;
    }
    if (failed || short_of)
        fprintf(stderr, "eddy bench: %ld subscribers failed to start, %ld got fewer than %ld rows\n", failed,
                short_of, o->push_rows);
    printf("  push fan-out: %d subscribers to SELECT id FROM src EMIT CHANGES, %ld rows inserted with "
           "/inserts-stream in %.2f s (%.0f rows/s); %ld rows delivered in %.2f s (%.0f rows/s); server "
           "CPU %.2f s%s\n",
           n, o->push_rows, inserted, (double)o->push_rows / inserted, delivered, wall, (double)delivered / wall,
           cpu, rc || failed || delivered < (long)n * o->push_rows ? " — INCOMPLETE" : "");
    free(subs);
    return rc || failed || delivered < (long)n * o->push_rows;
}

/* ---- the whole run ---------------------------------------------------- */

/* One warm-up lookup: the server catches the table up at its first pull
 * query, which is not what the phases measure. */
static int warm_up(const child *srv)
{
    worker w = {.port = srv->http_port, .keys = 1, .rng = 1, .until = clock_s() + 0.001};
    conn *c = mem_alloc(sizeof *c);
    int rc = conn_open(c, w.port);
    if (rc == 0) {
        http_loop(&w, c);
        close(c->fd);
    }
    free(c);
    free(w.lat);
    return rc || w.errors ? -1 : 0;
}

int bench_server(const bench_server_opts *o, const char *dir)
{
    double t0 = clock_s();
    if (bench_build_table(dir, o->keys))
        return 1;
    printf("server %ld keys: table t built in %.1f s; server %s\n", o->keys, clock_s() - t0,
           o->binary ? o->binary : "(this eddy)");
    child srv = {0};
    t0 = clock_s();
    if (child_start(o->binary ? o->binary : "/proc/self/exe", dir, &srv))
        return 1;
    int rc = warm_up(&srv);
    if (rc)
        fprintf(stderr, "eddy bench: the warm-up pull query failed\n");
    else
        printf("  server up and its table caught up in %.1f s\n", clock_s() - t0);
    if (!rc)
        rc = pull_phase(o, &srv, false);
    if (!rc)
        rc = pull_phase(o, &srv, true);
    if (!rc && o->subscribers > 0)
        rc = push_phase(o, &srv);
    long peak = child_peak_mb(&srv);
    child_stop(&srv);
    printf("  server peak RSS: %ld MB\n", peak);
    return rc;
}
