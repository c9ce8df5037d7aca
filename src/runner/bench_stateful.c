/* bench_stateful.c — `eddy bench window` and `eddy bench pull`: figures for
 * windowed aggregations and pull queries (see bench_stateful.h).
 *
 * Input is appended straight into the log with log_append before the
 * engine opens, so the timed part is only the engine: from the CREATE
 * TABLE ... AS SELECT to the end of engine_pump (every input record read,
 * aggregated, its changes and outputs appended and committed).  The
 * engine runs without its runtime thread, so a query uses one core:
 * events per CPU second is the per-core figure.
 *
 * Measurement: wall time by CLOCK_MONOTONIC, CPU time by getrusage
 * (user + system), peak RSS by getrusage's ru_maxrss, current RSS by
 * /proc/self/statm.  Pull latency is clock_gettime around one
 * engine_execute of the whole statement (parse, plan, scan, rows handed
 * to an engine_output that only counts them). */
#define _XOPEN_SOURCE 700
#include "bench_stateful.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../engine/engine.h"
#include "../storage/log.h"
#include "bench_clock.h"
#include "bench_engine.h"
#include "nexmark_gen.h"

#define PULL_QUERIES 10000  /* pull queries per size, unless over budget */
#define PULL_BUDGET_S 15.0  /* wall-clock budget for them */
#define PULL_MIN_QUERIES 50 /* run at least this many even over budget */
#define PULL_SCANS 3        /* full table scans; the median is printed */

/* Resident set size now, in KiB (second field of /proc/self/statm, in
 * pages); -1 when it cannot be read. */
static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size, resident;
    int got = f ? fscanf(f, "%ld %ld", &size, &resident) : 0;
    if (f)
        fclose(f);
    return got == 2 ? resident * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

/* ---- running statements ---- */

/* An engine_output that counts rows and prints nothing. */
typedef struct row_counter {
    long rows;
} row_counter;

static void count_row(void *ctx, const value *values)
{
    (void)values;
    ((row_counter *)ctx)->rows++;
}

static int run_sql(engine *en, engine_session *s, const char *sql, row_counter *rc)
{
    err e;
    err_clear(&e);
    engine_output out = {.ctx = rc, .row = count_row};
    if (engine_execute(en, s, sql, strlen(sql), rc ? &out : NULL, &e)) {
        fprintf(stderr, "eddy bench: %s\n  in: %s\n", e.msg, sql);
        return -1;
    }
    return 0;
}

/* Rows of `SELECT * FROM name;`; sets *secs to the time it took, or
 * returns -1. */
static long scan_rows(engine *en, engine_session *s, const char *name, double *secs)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT * FROM %s;", name);
    row_counter rc = {0};
    double t0 = bench_clock_now();
    if (run_sql(en, s, sql, &rc))
        return -1;
    *secs = bench_clock_now() - t0;
    return rc.rows;
}

/* Records in every partition of topic `name` of the log in dir, or -1. */
static long topic_records(const char *dir, const char *name)
{
    err e;
    err_clear(&e);
    log_options lo = {.manual_maintenance = true};
    eventlog *l = log_open(dir, &lo, &e);
    log_topic *t = l ? log_topic_find(l, name) : NULL;
    long n = t ? 0 : -1;
    for (int p = 0; t && p < log_topic_partitions(t); p++)
        n += (long)(log_end_offset(t, p) - log_start_offset(t, p));
    log_close(l);
    return n;
}

static void keep_first_name(void *ctx, const char *name)
{
    char *out = ctx;
    if (!out[0])
        snprintf(out, 256, "%s", name);
}

/* ---- eddy bench window ---- */

typedef struct window_case {
    const char *name; /* the table, also the subdirectory */
    const char *what; /* one line: what the query computes */
    const char *sql;
    const char *left_out; /* what the real Nexmark query does beyond this */
} window_case;

static const window_case window_cases[] = {
    {"q7", "tumbling 10 s, MAX(price) per auction, EMIT CHANGES",
     "CREATE TABLE q7 AS SELECT auction, MAX(price) AS maxprice FROM bid "
     "WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY auction;",
     "Nexmark q7 keeps, per window, the bid(s) with the highest price over all auctions "
     "(a global MAX joined back to the bids); here only the per-auction MAX, with no join"},
    {"q7_final", "tumbling 10 s, grace 0, MAX(price) per auction, EMIT FINAL",
     "CREATE TABLE q7_final AS SELECT auction, MAX(price) AS maxprice FROM bid "
     "WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 0 SECONDS) GROUP BY auction EMIT FINAL;",
     "as for q7; one result per auction and window once stream time passes its end (GRACE "
     "PERIOD 0: nexmark.sql gives none, and under the default grace no window of this run closes)"},
    {"q5", "hopping 10 s advance 2 s, COUNT(*) per auction, EMIT CHANGES",
     "CREATE TABLE q5 AS SELECT auction, COUNT(*) AS num FROM bid "
     "WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 2 SECONDS) GROUP BY auction;",
     "Nexmark q5 then keeps, per window, the auction(s) whose count is the window's maximum "
     "(a nested MAX over the counts and a join); here only the counting half"},
};

/* The bid stream, with event time taken from date_time as in nexmark.sql. */
static const char bid_ddl[] =
    "CREATE STREAM bid (auction BIGINT, bidder BIGINT, price BIGINT, channel STRING, url STRING, "
    "date_time BIGINT, extra STRING) WITH (KAFKA_TOPIC='bid', VALUE_FORMAT='JSON', TIMESTAMP='date_time');";

static int load_bid_topic(const char *dir, long n, size_t *bytes)
{
    err e;
    err_clear(&e);
    log_options lo = {.default_flush = LOG_FLUSH_NONE, .manual_maintenance = true};
    eventlog *l = log_open(dir, &lo, &e);
    log_topic *t = l ? log_topic_create(l, "bid", NULL, &e) : NULL;
    nexmark_gen g;
    nexmark_gen_init(&g, NEXMARK_SEED, NEXMARK_BASE_MS, NEXMARK_GAP_US);
    log_topic *topics[NEXMARK_KINDS] = {[NEXMARK_BID] = t};
    nexmark_load ld = {0};
    int rc = t && nexmark_gen_load(&g, topics, 0, n, &ld, &e) == 0 ? 0 : -1;
    *bytes = ld.bytes;
    if (rc)
        fprintf(stderr, "eddy bench: %s\n", e.msg);
    log_close(l);
    return rc;
}

/* One case, in the calling process: load, build the table, measure. */
static int window_run(const window_case *wc, long n, const char *dir)
{
    size_t bytes = 0;
    if (load_bid_topic(dir, n, &bytes))
        return 1;
    engine_session s;
    engine *en = bench_engine_open(dir, &s);
    if (!en)
        return 1;
    int rc = 1;
    if (run_sql(en, &s, bid_ddl, NULL) == 0) {
        double c0 = bench_clock_cpu(), t0 = bench_clock_now();
        if (run_sql(en, &s, wc->sql, NULL) == 0) {
            long done = engine_pump(en);
            double secs = bench_clock_now() - t0, cpu = bench_clock_cpu() - c0;
            long peak = bench_clock_peak_rss_kb();
            double scan_s = 0;
            long rows = scan_rows(en, &s, wc->name, &scan_s);
            char sink[256] = "";
            engine_sink_topic_names(en, keep_first_name, sink);
            engine_session_free(&s);
            engine_close(en);
            en = NULL;
            long outputs = sink[0] ? topic_records(dir, sink) : -1;
            printf("window %s (%s): %ld events (%.1f MB JSON) in %.3f s: %.0f events/s, "
                   "%.0f events per CPU second (%.2f CPU s), peak RSS %ld MB, %ld output records "
                   "(topic %s), %ld state-store rows (pull scan %.1f ms)\n",
                   wc->name, wc->what, done, (double)bytes / 1e6, secs, (double)done / secs,
                   (double)done / cpu, cpu, peak / 1024, outputs, sink, rows, scan_s * 1e3);
            printf("  left out: %s\n", wc->left_out);
            rc = done == n && rows >= 0 ? 0 : 1;
            if (done != n)
                fprintf(stderr, "eddy bench: %s processed %ld of %ld events\n", wc->name, done, n);
        }
    }
    if (en) {
        engine_session_free(&s);
        engine_close(en);
    }
    return rc;
}

typedef struct window_job {
    const window_case *wc;
    long n;
    const char *dir;
} window_job;

/* Runs a case in dir/<name>. */
static int window_job_run(const void *arg)
{
    const window_job *j = arg;
    char sub[512];
    snprintf(sub, sizeof sub, "%s/%s", j->dir, j->wc->name);
    return window_run(j->wc, j->n, sub);
}

int bench_window(long n, const char *dir)
{
    printf("window: %ld bids, event time 100 us apart (%.1f s of event time), 1 partition, "
           "one query per process, engine without runtime thread (one core)\n",
           n, (double)n / 1e4);
    int rc = 0;
    for (size_t i = 0; i < sizeof window_cases / sizeof window_cases[0]; i++)
        rc |= bench_engine_in_child("window", window_job_run, &(window_job){&window_cases[i], n, dir});
    return rc;
}

/* ---- eddy bench pull ---- */

/* Appends n records {"id": (j * stride) % keys, "x": j % 1000} to topic
 * src (created when missing): with stride 1 and n = keys, one per key. */
static int append_keys(const char *dir, long n, long stride, long keys)
{
    err e;
    err_clear(&e);
    log_options lo = {.default_flush = LOG_FLUSH_NONE, .manual_maintenance = true};
    eventlog *l = log_open(dir, &lo, &e);
    log_topic *t = l ? log_topic_find(l, "src") : NULL;
    if (l && !t)
        t = log_topic_create(l, "src", NULL, &e);
    int64_t base = t ? log_end_offset(t, 0) : 0;
    int rc = t ? 0 : -1;
    buf vals = BUF_INIT;
    log_record recs[256];
    size_t offs[257];
    for (long i = 0; i < n && rc == 0;) {
        int k = 0;
        buf_reset(&vals);
        for (; k < 256 && i < n; k++, i++) {
            offs[k] = vals.len;
            buf_printf(&vals, "{\"id\":%ld,\"x\":%ld}", (long)((i * stride) % keys), i % 1000);
        }
        offs[k] = vals.len;
        for (int j = 0; j < k; j++)
            recs[j] = (log_record){.timestamp = 1700000000000LL + base + (i - k + j),
                                   .key_len = -1,
                                   .value = (const uint8_t *)vals.data + offs[j],
                                   .value_len = (int32_t)(offs[j + 1] - offs[j])};
        rc = log_append(t, 0, recs, k, &e);
    }
    if (rc)
        fprintf(stderr, "eddy bench: %s\n", e.msg);
    buf_free(&vals);
    log_close(l);
    return rc;
}

static int load_keys(const char *dir, long keys) { return append_keys(dir, keys, 1, keys); }

/* Times pull queries by random existing key until PULL_QUERIES ran or
 * the budget is spent; sorts lat and returns how many ran, or -1 (a
 * failed query, or one that did not return exactly one row). */
static int pull_by_key(engine *en, engine_session *s, long keys, double *lat)
{
    uint64_t rng = 0x2545F4914F6CDD1Dull;
    double start = bench_clock_now();
    int q = 0;
    for (; q < PULL_QUERIES && (q < PULL_MIN_QUERIES || bench_clock_now() - start < PULL_BUDGET_S); q++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT * FROM t WHERE id = %ld;", (long)(rng % (uint64_t)keys));
        row_counter rc = {0};
        double t0 = bench_clock_now();
        if (run_sql(en, s, sql, &rc))
            return -1;
        lat[q] = bench_clock_now() - t0;
        if (rc.rows != 1) {
            fprintf(stderr, "eddy bench: %s returned %ld rows, not 1\n", sql, rc.rows);
            return -1;
        }
    }
    bench_clock_sort(lat, q);
    return q;
}

/* Median of PULL_SCANS full scans, in seconds, or -1 when a scan fails or
 * does not return every key. */
static double pull_scan(engine *en, engine_session *s, long keys)
{
    double t[PULL_SCANS];
    for (int i = 0; i < PULL_SCANS; i++) {
        long rows = scan_rows(en, s, "t", &t[i]);
        if (rows != keys) {
            fprintf(stderr, "eddy bench: table scan returned %ld rows, not %ld\n", rows, keys);
            return -1;
        }
    }
    bench_clock_sort(t, PULL_SCANS);
    return t[PULL_SCANS / 2];
}

static int pull_measure(engine *en, engine_session *s, long keys)
{
    long rss0 = rss_kb(), peak0 = bench_clock_peak_rss_kb();
    double t0 = bench_clock_now(), c0 = bench_clock_cpu();
    if (run_sql(en, s, "CREATE TABLE t AS SELECT id, COUNT(*) AS n, SUM(x) AS s FROM src GROUP BY id;", NULL))
        return 1;
    long done = engine_pump(en);
    double build = bench_clock_now() - t0, build_cpu = bench_clock_cpu() - c0;
    long rss1 = rss_kb(), peak1 = bench_clock_peak_rss_kb();
    printf("pull %ld keys: table built from %ld records in %.3f s (%.0f records/s, %.0f per CPU second)\n",
           keys, done, build, (double)done / build, (double)done / build_cpu);
    printf("  memory: RSS %ld -> %ld MB across the build (%.0f bytes/key), peak RSS %ld -> %ld MB "
           "(%.0f bytes/key)\n",
           rss0 / 1024, rss1 / 1024, (double)(rss1 - rss0) * 1024 / (double)keys, peak0 / 1024, peak1 / 1024,
           (double)(peak1 - peak0) * 1024 / (double)keys);
    double scan = pull_scan(en, s, keys);
    if (scan < 0)
        return 1;
    printf("  table scan SELECT * FROM t: %ld rows in %.2f ms (median of %d), %.0f ns/row\n", keys,
           scan * 1e3, PULL_SCANS, scan * 1e9 / (double)keys);
    double *lat = malloc(sizeof(double) * PULL_QUERIES);
    int q = pull_by_key(en, s, keys, lat);
    if (q > 0) {
        printf("  pull by key SELECT * FROM t WHERE id = <random key>: %d queries%s: p50 %.1f us, "
               "p99 %.1f us, max %.1f us\n",
               q, q < PULL_QUERIES ? " (cut from 10000 by the time budget)" : "",
               bench_clock_percentile(lat, q, 0.50) * 1e6, bench_clock_percentile(lat, q, 0.99) * 1e6, lat[q - 1] * 1e6);
    }
    free(lat);
    return q > 0 && done == keys ? 0 : 1;
}

int bench_build_table(const char *dir, long keys)
{
    if (load_keys(dir, keys))
        return -1;
    engine_session s;
    engine *en = bench_engine_open(dir, &s);
    if (!en)
        return -1;
    int rc = run_sql(en, &s,
                     "CREATE STREAM src (id BIGINT, x BIGINT) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');"
                     "CREATE TABLE t AS SELECT id, COUNT(*) AS n, SUM(x) AS s FROM src GROUP BY id;",
                     NULL);
    long done = rc ? 0 : engine_pump(en);
    engine_session_free(&s);
    engine_close(en);
    return rc || done != keys ? -1 : 0;
}

int bench_pull(long keys, const char *dir)
{
    if (load_keys(dir, keys))
        return 1;
    engine_session s;
    engine *en = bench_engine_open(dir, &s);
    if (!en)
        return 1;
    int rc = run_sql(en, &s,
                     "CREATE STREAM src (id BIGINT, x BIGINT) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');",
                     NULL)
                 ? 1
                 : pull_measure(en, &s, keys);
    engine_session_free(&s);
    engine_close(en);
    printf("  peak RSS: %ld MB\n", bench_clock_peak_rss_kb() / 1024);
    return rc;
}

/* ---- eddy bench restore ---- */

#define RESTORE_TAIL_STRIDE 7919 /* a prime: updates spread over the keys */
#define RESTORE_UPDATES 2        /* updates per key before the tail */

/* engine_output.message: keeps DESCRIBE EXTENDED's "state: ..." line. */
static void keep_state_line(void *ctx, const char *text)
{
    const char *p = strstr(text, "  state: ");
    if (p)
        snprintf(ctx, 512, "%s", p + 2);
}

typedef struct restore_step {
    const char *dir;
    const char *sql;  /* statements to run first, or NULL */
    const char *what; /* printed */
    long keys;
} restore_step;

/* One restart, timed: engine_open replays the catalog and starts the
 * query, which restores its store; then DESCRIBE EXTENDED T says from
 * what. */
static int restore_run(const void *arg)
{
    const restore_step *st = arg;
    long rss0 = rss_kb();
    double t0 = bench_clock_now(), c0 = bench_clock_cpu();
    engine_session s;
    engine *en = bench_engine_open(st->dir, &s);
    if (!en)
        return 1;
    double secs = bench_clock_now() - t0, cpu = bench_clock_cpu() - c0;
    long rss1 = rss_kb();
    char state[512] = "";
    engine_output out = {.ctx = state, .message = keep_state_line};
    err e;
    err_clear(&e);
    const char *sql = "DESCRIBE EXTENDED t;";
    int rc = engine_execute(en, &s, sql, strlen(sql), &out, &e) ? 1 : 0;
    size_t entries = 0, bytes = 0;
    if (sscanf(state, "state: %zu entries, %zu bytes", &entries, &bytes) != 2 || entries != (size_t)st->keys)
        rc = 1;
    printf("restore %ld keys, %s: %.3f s (%.2f CPU s); RSS +%ld MB across the restart (%.0f bytes/key), "
           "store %.0f bytes/key\n  %s\n",
           st->keys, st->what, secs, cpu, (rss1 - rss0) / 1024, (double)(rss1 - rss0) * 1024 / (double)st->keys,
           (double)bytes / (double)st->keys, state);
    engine_session_free(&s);
    engine_close(en);
    return rc;
}

/* Opens the engine, runs the statements (if any) and every query to the
 * end of its input, closes; prints how long that took. */
static int restore_phase(const void *arg)
{
    const restore_step *st = arg;
    engine_session s;
    engine *en = bench_engine_open(st->dir, &s);
    if (!en)
        return 1;
    double t0 = bench_clock_now();
    int rc = st->sql ? run_sql(en, &s, st->sql, NULL) : 0;
    long done = rc ? 0 : engine_pump(en);
    printf("  %s: %ld records in %.2f s\n", st->what, done, bench_clock_now() - t0);
    engine_session_free(&s);
    engine_close(en);
    return rc;
}

/* Size of the one checkpoint file under dir/state, removed when `remove`;
 * -1 when there is none. */
static long checkpoint_file(const char *dir, bool remove)
{
    char path[600];
    snprintf(path, sizeof path, "%s/state/CTAS_T_1.ckpt", dir);
    struct stat st;
    if (stat(path, &st) < 0)
        return -1;
    if (remove)
        unlink(path);
    return (long)st.st_size;
}

int bench_restore(long keys, const char *dir)
{
    long updates = RESTORE_UPDATES * keys, tail = keys / 10;
    printf("restore: a GROUP BY table of %ld keys (COUNT and SUM per key) built from %ld records, %ld "
           "updates, then %ld more (10%%) after its last checkpoint; one partition, engine without runtime "
           "thread, each phase in its own process\n",
           keys, keys, updates, tail);
    /* checkpoints by changes alone (the 10 s between them would leave a
     * short build without one); half the store apart, as by default */
    setenv("EDDY_CHECKPOINT_EVERY", "10000", 1);
    restore_step build = {dir,
                          "CREATE STREAM src (id BIGINT, x BIGINT) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');"
                          "CREATE TABLE t AS SELECT id, COUNT(*) AS n, SUM(x) AS s FROM src GROUP BY id;",
                          "build and updates", keys};
    restore_step more = {dir, NULL, "updates after the last checkpoint", keys};
    if (load_keys(dir, keys) || append_keys(dir, updates, RESTORE_TAIL_STRIDE, keys) ||
        bench_engine_in_child("restore", restore_phase, &build) || append_keys(dir, tail, RESTORE_TAIL_STRIDE + 2, keys) ||
        bench_engine_in_child("restore", restore_phase, &more))
        return 1;
    long size = checkpoint_file(dir, false);
    if (size < 0) {
        fprintf(stderr, "eddy bench: no checkpoint was written\n");
        return 1;
    }
    printf("  checkpoint file: %.1f MB (%.0f bytes/key)\n", (double)size / 1e6, (double)size / (double)keys);
    restore_step ck = {dir, NULL, "from the checkpoint + changelog tail", keys};
    int rc = bench_engine_in_child("restore", restore_run, &ck);
    checkpoint_file(dir, true);
    restore_step full = {dir, NULL, "from the whole changelog (checkpoint removed)", keys};
    rc |= bench_engine_in_child("restore", restore_run, &full);
    return rc;
}
