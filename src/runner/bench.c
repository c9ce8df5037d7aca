/* bench.c — `eddy bench`: measures the hot paths and prints figures.
 *
 *   eddy bench log   [--records N] [--json]  append and read throughput of
 *                                   the log per record size and flush policy
 *   eddy bench query [--records N]  Nexmark q0, q1, q2 as persistent queries
 *                                   over N Nexmark-style bid records (JSON)
 *   eddy bench window [--records N] q5/q7-like windowed aggregations over
 *                                   N bids (bench_stateful.c)
 *   eddy bench pull [--keys N]      pull-query latency on an N-key table
 *                                   (bench_stateful.c)
 *   eddy bench server [--keys N] [--clients C] [--seconds S] [--subscribers P]
 *                     [--push-rows R] [--server-binary EDDY]
 *                                   pull queries/s and latency over HTTP and
 *                                   pgwire, push fan-out (bench_server.c)
 *   eddy bench nexmark ...          the Nexmark queries (bench_nexmark.c)
 *
 * Each run uses a fresh temporary data directory, removed afterwards.
 * Figures: records/s, MB/s, CPU seconds, peak RSS.  Nothing here asserts
 * a speed; `make bench` runs both and prints the figures. */
#define _XOPEN_SOURCE 700
#include "bench.h"
#include "bench_nexmark.h"
#include "bench_parse.h"
#include "bench_server.h"
#include "bench_stateful.h"
#include "nexmark_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../engine/engine.h"
#include "../storage/log.h"
#include "bench_clock.h"
#include "bench_engine.h"

#define BENCH_BATCH 256

static long parse_records(int argc, char **argv, const char *flag, long def)
{
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], flag))
            return atol(argv[i + 1]);
    return def;
}

/* ---- eddy bench log ---- */

typedef struct log_result {
    long records;
    double append_s, read_s, cpu_s;
    size_t bytes; /* value bytes appended */
} log_result;

/* The disk's sequential write speed, as `dd bs=1M count=256
 * conv=fdatasync` measures it into dir; MB/s, or -1 when dd fails. */
static double bench_disk_mb_s(const char *dir)
{
    char cmd[512], line[256];
    snprintf(cmd, sizeof cmd,
             "dd if=/dev/zero of=%s/dd.tmp bs=1M count=256 conv=fdatasync 2>&1; rm -f %s/dd.tmp",
             dir, dir);
    FILE *p = popen(cmd, "r");
    double mb_s = -1;
    while (p && fgets(line, sizeof line, p)) {
        long long bytes;
        double secs;
        /* "268435456 bytes (268 MB, 256 MiB) copied, 0.69 s, 385 MB/s" */
        const char *c = strstr(line, "copied, ");
        if (c && sscanf(line, "%lld", &bytes) == 1 && sscanf(c + 8, "%lf", &secs) == 1 &&
            secs > 0)
            mb_s = (double)bytes / 1e6 / secs;
    }
    if (p)
        pclose(p);
    return mb_s;
}

/* Appends n records of `size` value bytes to a new topic with policy fl
 * in batches of BENCH_BATCH, then reads them all back. */
static int bench_log_case(eventlog *l, int size, log_flush fl, long n, log_result *res, err *e)
{
    char name[64];
    snprintf(name, sizeof name, "bench-%d-%s", size, log_flush_name(fl));
    log_topic_config cfg = {.partitions = 1, .flush = fl};
    log_topic *t = log_topic_create(l, name, &cfg, e);
    if (!t)
        return -1;
    uint8_t *val = malloc((size_t)size);
    for (int i = 0; i < size; i++)
        val[i] = (uint8_t)('a' + i % 26);
    log_record recs[BENCH_BATCH];
    *res = (log_result){0};
    double c0 = bench_clock_cpu(), t0 = bench_clock_now();
    int rc = 0;
    for (long i = 0; i < n && rc == 0;) {
        int k = 0;
        for (; k < BENCH_BATCH && i < n; k++, i++)
            recs[k] = (log_record){.timestamp = 1700000000000LL + i / 10, .key_len = -1,
                                   .value = val, .value_len = size};
        rc = log_append(t, 0, recs, k, e);
    }
    res->append_s = bench_clock_now() - t0;
    res->cpu_s = bench_clock_cpu() - c0;
    res->bytes = (size_t)n * (size_t)size;
    free(val);
    if (rc < 0)
        return -1;
    log_reader *r = log_reader_open(t, 0, 0);
    int k;
    t0 = bench_clock_now();
    while ((k = log_read(r, recs, BENCH_BATCH, e)) > 0)
        res->records += k;
    res->read_s = bench_clock_now() - t0;
    log_reader_close(r);
    return k < 0 ? -1 : 0;
}

static void bench_log_print(int size, log_flush fl, const log_result *r, bool json)
{
    double mb = (double)r->bytes / 1e6;
    if (json) {
        printf("{\"bench\":\"log-append\",\"record_bytes\":%d,\"policy\":\"%s\",\"records\":%ld,"
               "\"records_per_s\":%.0f,\"mb_per_s\":%.1f,\"cpu_s\":%.3f}\n",
               size, log_flush_name(fl), r->records, (double)r->records / r->append_s,
               mb / r->append_s, r->cpu_s);
        printf("{\"bench\":\"log-read\",\"record_bytes\":%d,\"policy\":\"%s\",\"records\":%ld,"
               "\"records_per_s\":%.0f,\"mb_per_s\":%.1f}\n",
               size, log_flush_name(fl), r->records, (double)r->records / r->read_s,
               mb / r->read_s);
    } else {
        printf("log append %4d B %-5s: %8ld records in %6.3f s: %9.0f records/s, %7.1f MB/s, "
               "%.2f CPU s\n",
               size, log_flush_name(fl), r->records, r->append_s,
               (double)r->records / r->append_s, mb / r->append_s, r->cpu_s);
        printf("log read   %4d B %-5s: %8ld records in %6.3f s: %9.0f records/s, %7.1f MB/s\n",
               size, log_flush_name(fl), r->records, r->read_s, (double)r->records / r->read_s,
               mb / r->read_s);
    }
    fflush(stdout);
}

/* 100-byte and 1-KiB records under each flush policy, beside the disk's
 * own sequential write speed measured in the same run.  n is the count
 * of 100-byte records; 1-KiB runs use n / 4 (about 256 MB at 1M). */
static int bench_log(long n, const char *dir, bool json)
{
    err e;
    err_clear(&e);
    double disk = bench_disk_mb_s(dir);
    if (json)
        printf("{\"bench\":\"disk-seq-write\",\"tool\":\"dd bs=1M count=256 conv=fdatasync\","
               "\"mb_per_s\":%.1f}\n", disk);
    else
        printf("disk sequential write (dd bs=1M count=256 conv=fdatasync): %.1f MB/s\n", disk);
    log_options lo = {.manual_maintenance = true};
    eventlog *l = log_open(dir, &lo, &e);
    int sizes[] = {100, 1024};
    log_flush pols[] = {LOG_FLUSH_NONE, LOG_FLUSH_GROUP, LOG_FLUSH_BATCH};
    int rc = l ? 0 : -1;
    for (int si = 0; si < 2 && rc == 0; si++) {
        for (int pi = 0; pi < 3 && rc == 0; pi++) {
            long count = sizes[si] == 100 ? n : (n / 4 > 0 ? n / 4 : 1);
            log_result r;
            rc = bench_log_case(l, sizes[si], pols[pi], count, &r, &e);
            if (rc == 0 && r.records != count)
                rc = err_set(&e, ERR_IO, "read %ld records back, not %ld", r.records, count);
            if (rc == 0)
                bench_log_print(sizes[si], pols[pi], &r, json);
        }
    }
    if (rc < 0)
        fprintf(stderr, "eddy bench: %s\n", e.msg);
    log_close(l);
    if (!json)
        printf("peak RSS: %ld MB\n", (bench_clock_peak_rss_kb() / 1024));
    return rc < 0 ? 1 : 0;
}

/* Nexmark's stateless queries (../shared/bench/nexmark.sql), over the
 * generator's field names.  Each runs alone: the ones before it have
 * already consumed all of `bid`. */
typedef struct {
    const char *name, *what, *sql;
} stateless_query;

static const stateless_query stateless_queries[] = {
    {"q0", "pass-through", "CREATE STREAM q0 AS SELECT auction, bidder, price, date_time, extra FROM bid;"},
    {"q1", "currency conversion", "CREATE STREAM q1 AS SELECT auction, bidder, 0.908 * price AS price, "
                                  "date_time, extra FROM bid;"},
    {"q2", "selection", "CREATE STREAM q2 AS SELECT auction, price FROM bid WHERE auction % 123 = 0;"},
};

static int bench_query_one(engine *en, engine_session *s, const stateless_query *q, long n, size_t bytes)
{
    double c0 = bench_clock_cpu(), t0 = bench_clock_now();
    if (bench_engine_sql(en, s, q->sql))
        return 1;
    long done = engine_pump(en);
    double secs = bench_clock_now() - t0, cpu = bench_clock_cpu() - c0;
    printf("query %s (%s, JSON in/out): %ld records (%.1f MB) in %.3f s: %.0f records/s, "
           "%.0f records/s per CPU second, %.1f MB/s\n",
           q->name, q->what, done, (double)bytes / 1e6, secs, (double)done / secs, (double)done / cpu,
           (double)bytes / 1e6 / secs);
    fflush(stdout);
    if (done != n) {
        fprintf(stderr, "eddy bench: %s read %ld records, not %ld\n", q->name, done, n);
        return 1;
    }
    return 0;
}

static int bench_query(long n, const char *dir)
{
    err e;
    err_clear(&e);
    log_options lo = {.default_flush = LOG_FLUSH_NONE};
    eventlog *l = log_open(dir, &lo, &e);
    log_topic *t = l ? log_topic_create(l, "bid", NULL, &e) : NULL;
    nexmark_gen g;
    nexmark_gen_init(&g, NEXMARK_SEED, NEXMARK_BASE_MS, NEXMARK_GAP_US);
    log_topic *topics[NEXMARK_KINDS] = {[NEXMARK_BID] = t};
    nexmark_load ld;
    if (!t || nexmark_gen_load(&g, topics, 0, n, &ld, &e) < 0) {
        fprintf(stderr, "eddy bench: %s\n", e.msg);
        log_close(l);
        return 1;
    }
    log_close(l);
    engine_config cfg = {.data_dir = dir, .background = false, .flush = LOG_FLUSH_NONE};
    engine *en = engine_open(&cfg, NULL, &e);
    if (!en) {
        fprintf(stderr, "eddy bench: %s\n", e.msg);
        return 1;
    }
    engine_session s;
    engine_session_init(&s);
    int rc = 1;
    if (bench_engine_sql(en, &s, "SET 'auto.offset.reset'='earliest';"
                        "CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, "
                        "url STRING, date_time BIGINT, extra STRING) WITH (KAFKA_TOPIC='bid', VALUE_FORMAT='JSON');") ==
        0) {
        rc = 0;
        for (size_t i = 0; i < sizeof stateless_queries / sizeof *stateless_queries && rc == 0; i++)
            rc = bench_query_one(en, &s, &stateless_queries[i], n, ld.bytes);
    }
    engine_session_free(&s);
    engine_close(en);
    printf("peak RSS: %ld MB\n", (bench_clock_peak_rss_kb() / 1024));
    return rc;
}

static void bench_usage(FILE *f)
{
    fputs("usage: eddy bench log|query|window [--records N] [--json]\n"
              "       eddy bench pull|restore [--keys N]\n"
              "       eddy bench parse [--iterations N]\n"
              "       eddy bench server [--keys N] [--clients C] [--seconds S] [--subscribers P]\n"
              "                         [--push-rows R] [--server-binary EDDY]\n"
              "       eddy bench nexmark [--events N] [--queries q0,q1,...] [--json]\n"
              "\n"
              "  log     append N 100-byte and N/4 1-KiB records in batches of 256 under each\n"
              "          flush policy (none, group, batch), read them back, and measure the\n"
              "          disk with dd conv=fdatasync; --json: one JSON object per result\n"
              "  query   Nexmark q0 (pass-through), q1 (price * 0.908) and q2 (auction % 123 = 0)\n"
              "          as persistent queries over N bids, JSON in and out, one after another\n"
              "  window  Nexmark q7-like (tumbling MAX, EMIT CHANGES and EMIT FINAL) and q5-like\n"
              "          (hopping COUNT) windowed aggregations over N bids, each in its own process:\n"
              "          events/s, events per CPU second, peak RSS, output records, store rows\n"
              "  pull    a table of N keys (default 1000000): latency p50/p99/max of pull queries\n"
              "          by key (10000, fewer if over a time budget), table scan time, memory/key\n"
              "  restore a GROUP BY table of N keys (default 1000000), N/10 updates after its last\n"
              "          checkpoint: restart time from the checkpoint + changelog tail and from the\n"
              "          whole changelog, memory per key, checkpoint size\n"
              "  parse   parse a representative SQL script N times (statements/s, MB/s)\n"
              "  server  `eddy server` (EDDY, default this one) as a child on a table of N keys\n"
              "          (default 1000000): C keep-alive clients (64) doing pull queries by key\n"
              "          for S seconds (5) over HTTP, then over pgwire (queries/s, p50/p99, the\n"
              "          server's CPU time); P subscribers (100) to a push query while R rows\n"
              "          (20000) are inserted (rows/s delivered); the server's peak RSS\n"
              "  nexmark the Nexmark queries Eddy expresses: throughput, latency at a fixed rate,\n"
              "          peak RSS per query (see eddy bench nexmark --help)\n"
              "\n"
              "Runs in a fresh temporary data directory and prints records/s, MB/s and peak RSS.\n",
              f);
}

/* Every argument after the case is a known option (with its value), or
 * --help; anything else is a usage error, so a typo never starts a long run. */
static int check_bench_args(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
        if (!strcmp(argv[i], "--json"))
            continue;
        static const char *const valued[] = {"--records",     "--keys",      "--iterations",
                                             "--clients",     "--seconds",   "--subscribers",
                                             "--push-rows",   "--server-binary"};
        bool known = false;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
            known |= !strcmp(argv[i], valued[k]);
        if (known && i + 1 < argc) {
            i++;
            continue;
        }
        fprintf(stderr, "eddy bench: unknown option %s\n", argv[i]);
        return -1;
    }
    return 0;
}

int bench_main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "nexmark"))
        return bench_nexmark_main(argc, argv);
    bool known = !strcmp(what, "log") || !strcmp(what, "query") || !strcmp(what, "window") ||
                 !strcmp(what, "pull") || !strcmp(what, "restore") || !strcmp(what, "parse") ||
                 !strcmp(what, "server");
    int args = known ? check_bench_args(argc, argv) : 0;
    if (!known || args) {
        bool help = args > 0 || !strcmp(what, "--help") || !strcmp(what, "-h");
        bench_usage(help ? stdout : stderr);
        return help ? 0 : 2;
    }
    if (!strcmp(what, "parse")) {
        long iterations = 0;
        for (int i = 2; i + 1 < argc; i++)
            if (!strcmp(argv[i], "--iterations"))
                iterations = atol(argv[i + 1]);
        return bench_parse(iterations);
    }
    bool pull = !strcmp(what, "pull") || !strcmp(what, "restore"), server = !strcmp(what, "server");
    long n = parse_records(argc, argv, pull || server ? "--keys" : "--records", 1000000); /* keys: sized by --keys */
    if (n <= 0) {
        fprintf(stderr, "eddy bench: %s needs a positive number\n", pull || server ? "--keys" : "--records");
        return 2;
    }
    char dir[] = "/tmp/eddy-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("eddy bench: mkdtemp");
        return 1;
    }
    bool json = false;
    for (int i = 2; i < argc; i++)
        json |= !strcmp(argv[i], "--json");
    bench_server_opts so = {.keys = n,
                            .clients = (int)parse_records(argc, argv, "--clients", 64),
                            .seconds = (double)parse_records(argc, argv, "--seconds", 5),
                            .subscribers = (int)parse_records(argc, argv, "--subscribers", 100),
                            .push_rows = parse_records(argc, argv, "--push-rows", 20000)};
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--server-binary"))
            so.binary = argv[i + 1];
    if (server && (so.clients <= 0 || so.clients > 10000 || so.seconds <= 0 || so.subscribers < 0 ||
                   so.subscribers > 10000 || so.push_rows <= 0 || so.push_rows > 40000)) {
        fprintf(stderr, "eddy bench: server wants 1-10000 clients, positive seconds, 0-10000 subscribers "
                        "and 1-40000 push rows (one /inserts-stream body of at most 1 MiB)\n");
        bench_clock_remove_tree(dir);
        return 2;
    }
    int rc = server                    ? bench_server(&so, dir)
             : !strcmp(what, "log")    ? bench_log(n, dir, json)
             : !strcmp(what, "window") ? bench_window(n, dir)
             : !strcmp(what, "restore") ? bench_restore(n, dir)
             : pull                    ? bench_pull(n, dir)
                                       : bench_query(n, dir);
    bench_clock_remove_tree(dir);
    return rc;
}
