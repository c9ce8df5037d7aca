/* bench_server — `eddy bench server`: what `eddy server` answers over the
 * network, measured from outside by clients in this process.
 *
 * It builds a table of N keys in dir (bench_stateful.h), starts `eddy
 * server` on it as a child process on free loopback ports (HTTP and
 * pgwire), then for each protocol runs C client threads, each on one
 * keep-alive connection, doing pull queries by random key for S seconds
 * (`SELECT * FROM t WHERE id = K;` on /query-stream, and as a Simple Query
 * over pgwire); then P push-query subscribers on /query-stream while rows
 * are inserted through /inserts-stream.  Prints queries/s, latency
 * p50/p99/max, the server's CPU seconds and peak RSS (from /proc), rows
 * delivered/s.  Clients and server share the machine's cores: the
 * figures say how many there are.  Asserts no speed. */
#ifndef EDDY_BENCH_SERVER_H
#define EDDY_BENCH_SERVER_H

typedef struct bench_server_opts {
    long keys;          /* rows of the table (default 1000000) */
    int clients;        /* concurrent connections per protocol (64) */
    double seconds;     /* per protocol (5) */
    int subscribers;    /* push-query subscribers (100; 0: no push phase) */
    long push_rows;     /* rows inserted while they listen (20000) */
    const char *binary; /* the eddy to start as the server (NULL: this one) */
} bench_server_opts;

/* Runs in dir (fresh; the caller removes it).  Returns 0, or 1 when a
 * phase failed (a query error, a wrong answer, a server that did not
 * start). */
int bench_server(const bench_server_opts *o, const char *dir);

#endif
