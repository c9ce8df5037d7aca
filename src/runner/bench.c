/* bench.c — `eddy bench`: measures the hot paths and prints figures.
 *
 *   eddy bench log   [--records N]  append and read throughput of the log
 *   eddy bench query [--records N]  a filter + projection persistent query
 *                                   over N Nexmark-style bid records (JSON)
 *
 * Each run uses a fresh temporary data directory, removed afterwards.
 * Figures: records/s, MB/s, CPU seconds, peak RSS.  Nothing here asserts
 * a speed; `make bench` runs both and prints the figures. */
#define _XOPEN_SOURCE 700
#include "bench.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "../base/buf.h"
#include "../engine/engine.h"
#include "../storage/log.h"

#define BENCH_BATCH 256

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* A deterministic bid, shaped like Nexmark's (the model of
 * ../shared/bench/nexmark_gen.py): hot auctions and bidders, prices with a
 * long tail, event time advancing 100 us per event. */
static void make_bid(uint64_t i, uint64_t *rng, buf *out)
{
    *rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
    uint64_t r = *rng;
    long auction = (long)(r % 100 < 90 ? 1000 + r % 10 : 1000 + r % 10000);
    long bidder = (long)(r % 100 < 90 ? 2000 + (r >> 8) % 10 : 2000 + (r >> 8) % 100000);
    long price = (long)(100 + (r >> 16) % 10000000 / (1 + (r >> 40) % 1000));
    static const char *const channels[] = {"Google", "Facebook", "Baidu", "Apple"};
    buf_printf(out,
               "{\"auction\":%ld,\"bidder\":%ld,\"price\":%ld,\"channel\":\"%s\","
               "\"url\":\"https://www.nexmark.com/item.htm?query=1&channel_id=%lu\","
               "\"dateTime\":%lld,\"extra\":\"\"}",
               auction, bidder, price, channels[(r >> 20) % 4], (unsigned long)((r >> 24) % 1000),
               1700000000000LL + (long long)(i / 10));
}

/* Appends n bids to partition 0 of `topic` in batches; returns seconds. */
static double load_bids(log_topic *t, long n, size_t *bytes, err *e)
{
    buf vals = BUF_INIT;
    log_record recs[BENCH_BATCH];
    size_t offs[BENCH_BATCH + 1];
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    double t0 = now_s();
    *bytes = 0;
    for (long i = 0; i < n;) {
        int k = 0;
        buf_reset(&vals);
        for (; k < BENCH_BATCH && i < n; k++, i++) {
            offs[k] = vals.len;
            make_bid((uint64_t)i, &rng, &vals);
        }
        offs[k] = vals.len;
        for (int j = 0; j < k; j++)
            recs[j] = (log_record){.timestamp = 1700000000000LL + i / 10, .key_len = -1,
                                   .value = (const uint8_t *)vals.data + offs[j],
                                   .value_len = (int32_t)(offs[j + 1] - offs[j])};
        *bytes += vals.len;
        if (log_append(t, 0, recs, k, e)) {
            buf_free(&vals);
            return -1;
        }
    }
    buf_free(&vals);
    return now_s() - t0;
}

static long parse_records(int argc, char **argv, long def)
{
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--records"))
            return atol(argv[i + 1]);
    return def;
}

static int bench_log(long n, const char *dir)
{
    err e;
    err_clear(&e);
    log_options lo = {.default_flush = LOG_FLUSH_NONE};
    eventlog *l = log_open(dir, &lo, &e);
    log_topic *t = l ? log_topic_create(l, "bid", NULL, &e) : NULL;
    if (!t) {
        fprintf(stderr, "eddy bench: %s\n", e.msg);
        log_close(l);
        return 1;
    }
    size_t bytes;
    double c0 = cpu_s();
    double secs = load_bids(t, n, &bytes, &e);
    double cpu = cpu_s() - c0;
    if (secs < 0) {
        fprintf(stderr, "eddy bench: %s\n", e.msg);
        log_close(l);
        return 1;
    }
    printf("log append: %ld records (%.1f MB) in %.3f s: %.0f records/s, %.1f MB/s, %.2f CPU s\n", n,
           (double)bytes / 1e6, secs, (double)n / secs, (double)bytes / 1e6 / secs, cpu);
    log_reader *r = log_reader_open(t, 0, 0);
    log_record recs[BENCH_BATCH];
    long got = 0;
    int k;
    double t0 = now_s();
    while ((k = log_read(r, recs, BENCH_BATCH, &e)) > 0)
        got += k;
    secs = now_s() - t0;
    printf("log read:   %ld records in %.3f s: %.0f records/s, %.1f MB/s\n", got, secs, (double)got / secs,
           (double)bytes / 1e6 / secs);
    log_reader_close(r);
    log_close(l);
    printf("peak RSS: %ld MB\n", peak_rss_mb());
    return got == n ? 0 : 1;
}

static int run_sql(engine *en, engine_session *s, const char *sql)
{
    err e;
    err_clear(&e);
    if (engine_execute(en, s, sql, strlen(sql), NULL, &e)) {
        fprintf(stderr, "eddy bench: %s\n", e.msg);
        return -1;
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
    size_t bytes = 0;
    if (!t || load_bids(t, n, &bytes, &e) < 0) {
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
    if (run_sql(en, &s, "SET 'auto.offset.reset'='earliest';"
                        "CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, "
                        "url STRING, dateTime BIGINT, extra STRING) WITH (KAFKA_TOPIC='bid', VALUE_FORMAT='JSON');") ==
        0) {
        double c0 = cpu_s(), t0 = now_s();
        /* Nexmark q1 (currency conversion) with a filter, as one query. */
        if (run_sql(en, &s, "CREATE STREAM q1 AS SELECT auction, bidder, price * 908 / 1000 AS price, dateTime "
                            "FROM bid WHERE price > 100;") == 0) {
            long done = engine_pump(en);
            double secs = now_s() - t0, cpu = cpu_s() - c0;
            printf("query (filter + project, JSON in/out): %ld records (%.1f MB) in %.3f s: %.0f records/s, "
                   "%.0f records/s per CPU second, %.1f MB/s\n",
                   done, (double)bytes / 1e6, secs, (double)done / secs, (double)done / cpu,
                   (double)bytes / 1e6 / secs);
            rc = done == n ? 0 : 1;
        }
    }
    engine_session_free(&s);
    engine_close(en);
    printf("peak RSS: %ld MB\n", peak_rss_mb());
    return rc;
}

int bench_main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (strcmp(what, "log") && strcmp(what, "query")) {
        FILE *f = !strcmp(what, "--help") || !strcmp(what, "-h") ? stdout : stderr;
        fputs("usage: eddy bench log|query [--records N]\n"
              "\n"
              "  log     append N Nexmark-style bids to a topic in batches of 256, then read them\n"
              "  query   run a filter + projection persistent query over N bids (JSON in and out)\n"
              "\n"
              "Runs in a fresh temporary data directory and prints records/s, MB/s and peak RSS.\n",
              f);
        return f == stdout ? 0 : 2;
    }
    long n = parse_records(argc, argv, 1000000);
    if (n <= 0) {
        fprintf(stderr, "eddy bench: --records needs a positive number\n");
        return 2;
    }
    char dir[] = "/tmp/eddy-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("eddy bench: mkdtemp");
        return 1;
    }
    int rc = !strcmp(what, "log") ? bench_log(n, dir) : bench_query(n, dir);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
