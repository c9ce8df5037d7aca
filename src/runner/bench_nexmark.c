/* bench_nexmark.c — `eddy bench nexmark` (see bench_nexmark.h and
 * nexmark_usage below for what is measured and how).
 *
 * Each query runs in a child process, in two phases, each over a fresh
 * data directory under one temporary directory:
 *   1. throughput: the events are appended to topics person, auction and
 *      bid (only the kinds the query reads; 1 partition, no fsync), the
 *      engine opens without its runtime thread, and the time from
 *      creating the query to the end of engine_pump (every input read,
 *      every result appended and committed) is measured, in wall and CPU
 *      time (getrusage, user + system).  Peak RSS is the child's
 *      ru_maxrss at the end of this phase.
 *   2. latency: the same events appended by a producer thread at half the
 *      rate phase 1 reached, while the query runs (bench_latency.h). */
#define _XOPEN_SOURCE 700
#include "bench_nexmark.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../engine/engine.h"
#include "bench_clock.h"
#include "bench_engine.h"
#include "bench_latency.h"
#include "nexmark_gen.h"
#include "nexmark_queries.h"

#define DEFAULT_EVENTS 1000000

typedef struct options {
    long events;
    double rate;        /* --rate: the latency run's input rate, or 0 */
    bool json;
    const char *ndjson; /* write the events there and stop */
    const nexmark_query *q[64];
    int nq;
} options;

typedef struct figures {
    long events, outputs, peak_rss_kb;
    double secs, cpu;
    latency_result lat;
} figures;

static void nexmark_usage(FILE *f)
{
    fputs("usage: eddy bench nexmark [--events N] [--queries q0,q1,...] [--rate R] [--json]\n"
          "       eddy bench nexmark --ndjson DIR [--events N]\n"
          "\n"
          "Generates N Nexmark events (default 1000000; Person, Auction, Bid at 1:3:46, the model and\n"
          "the exact output of ../shared/bench/nexmark_gen.py, seed 42) as JSON into the embedded log of\n"
          "a fresh temporary data directory, and runs each query (default: all Eddy can express) in\n"
          "its own process as persistent queries from the start of the log to its end.\n"
          "\n"
          "Per query:\n"
          "  events         the events of the kinds the query reads (q0: the bids; q3: persons and\n"
          "                 auctions), appended before the query starts\n"
          "  events/s       events / wall time from creating the query to the last result committed\n"
          "                 (the engine's runtime on one thread, no fsync)\n"
          "  per core       events / CPU seconds (user + system, getrusage) over the same span\n"
          "  output rows    records in the query's result topic (a table: every change)\n"
          "  peak RSS       the process's high-water resident set after that run\n"
          "  p50/p99        latency in ms, measured in a second run over a fresh directory: a producer\n"
          "                 thread appends the same events at half the events/s above, in a batch every\n"
          "                 millisecond, while the query runs; a result's latency is the time it became\n"
          "                 readable in the result topic minus the time the producer began appending the\n"
          "                 first event whose event time (ms) equals the result's timestamp (Eddy stamps a\n"
          "                 result with the event time of the input that made it; EMIT FINAL: the\n"
          "                 window's latest input), so the figure errs long, never short; tombstones are\n"
          "                 not timed (q11's, for a session merged into a later one, carry the time of\n"
          "                 the session they take back, not of the input that merged it); EMIT FINAL\n"
          "                 (q7): also timed from the first input at or past the result's window's\n"
          "                 end + grace, before which it cannot come\n"
          "\n"
          "  --queries q0,q3  run these only (a query Eddy cannot express is refused with the reason)\n"
          "  --rate R         the latency run's input rate, R events/s (of the kinds the query reads)\n"
          "                   instead of half the measured events/s: two builds compared at one rate\n"
          "  --json           one JSON object per query per line: query, events, events_per_s,\n"
          "                   events_per_s_per_core, output_rows, p50_latency_ms, p99_latency_ms,\n"
          "                   peak_rss_mb (latencies null when no result came; the queries Eddy\n"
          "                   cannot express are listed on stderr)\n"
          "  --ndjson DIR     write the events to DIR/person.ndjson, auction.ndjson, bid.ndjson (as\n"
          "                   nexmark_gen.py does) and run nothing\n",
          f);
}

/* Fills o->q from a comma-separated list; -1 (printed) for a name that
 * is not a query Eddy runs. */
static int parse_queries(const char *list, options *o)
{
    char name[16];
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        snprintf(name, sizeof name, "%.*s", (int)(n < 15 ? n : 15), p);
        const nexmark_query *q = nexmark_queries_find(name);
        const char *why = q ? NULL : nexmark_queries_why_missing(name);
        if (!q) {
            if (why)
                fprintf(stderr, "eddy bench nexmark: %s cannot be expressed in Eddy: %s\n", name, why);
            else
                fprintf(stderr, "eddy bench nexmark: no query %s\n", name);
            return -1;
        }
        if (o->nq < 64)
            o->q[o->nq++] = q;
        p += n + (p[n] == ',');
    }
    return o->nq ? 0 : (fprintf(stderr, "eddy bench nexmark: --queries names no query\n"), -1);
}

/* 0, 1 for --help, -1 for a usage error (printed). */
static int parse_options(int argc, char **argv, options *o)
{
    *o = (options){.events = DEFAULT_EVENTS};
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h"))
            return 1;
        if (!strcmp(a, "--json")) {
            o->json = true;
        } else if (!strcmp(a, "--events") && v) {
            char *end;
            o->events = strtol(v, &end, 10), i++;
            if (*end || o->events <= 0)
                return fprintf(stderr, "eddy bench nexmark: --events needs a positive number\n"), -1;
        } else if (!strcmp(a, "--queries") && v) {
            i++;
            if (parse_queries(v, o))
                return -1;
        } else if (!strcmp(a, "--rate") && v) {
            char *end;
            o->rate = strtod(v, &end), i++;
            if (*end || !(o->rate > 0))
                return fprintf(stderr, "eddy bench nexmark: --rate needs a positive number of events/s\n"), -1;
        } else if (!strcmp(a, "--ndjson") && v) {
            o->ndjson = v, i++;
        } else {
            return fprintf(stderr, "eddy bench nexmark: unknown option %s\n", a), -1;
        }
    }
    if (o->nq == 0) /* all of them */
        for (int i = 0; i < nexmark_queries_n && o->nq < 64; i++)
            o->q[o->nq++] = &nexmark_queries[i];
    return 0;
}

/* ---- --ndjson ---- */

static int write_ndjson(const char *dir, long events)
{
    if (mkdir(dir, 0777) && errno != EEXIST)
        return fprintf(stderr, "eddy bench nexmark: cannot create %s: %s\n", dir, strerror(errno)), 1;
    FILE *f[NEXMARK_KINDS];
    for (int k = 0; k < NEXMARK_KINDS; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.ndjson", dir, nexmark_gen_kind_name((nexmark_kind)k));
        if (!(f[k] = fopen(path, "w"))) {
            fprintf(stderr, "eddy bench nexmark: cannot write %s: %s\n", path, strerror(errno));
            while (k--)
                fclose(f[k]);
            return 1;
        }
    }
    nexmark_gen g;
    nexmark_gen_init(&g, NEXMARK_SEED, NEXMARK_BASE_MS, NEXMARK_GAP_US);
    buf b = BUF_INIT;
    for (long i = 0; i < events; i++) {
        buf_reset(&b);
        nexmark_kind k = nexmark_gen_next(&g, &b);
        buf_putc(&b, '\n');
        fwrite(b.data, 1, b.len, f[k]);
    }
    buf_free(&b);
    int rc = 0;
    for (int k = 0; k < NEXMARK_KINDS; k++)
        rc |= fclose(f[k]) != 0;
    if (rc)
        fprintf(stderr, "eddy bench nexmark: writing to %s failed\n", dir);
    return rc;
}

/* ---- one query ---- */

static void keep_last_name(void *ctx, const char *name)
{
    snprintf(ctx, 256, "%s", name);
}

/* Opens an engine on dir (bench_engine.h) with the streams the query
 * reads declared over new one-partition topics; NULL (printed) on failure. */
static engine *open_engine(const char *dir, const nexmark_query *q, engine_session *s)
{
    engine *en = bench_engine_open(dir, s);
    int rc = en ? 0 : -1;
    for (int k = 0; k < NEXMARK_KINDS && rc == 0; k++)
        if (q->inputs & (1u << k)) {
            err e;
            err_clear(&e);
            rc = engine_create_topic(en, nexmark_gen_kind_name((nexmark_kind)k), 1, &e);
            if (rc)
                fprintf(stderr, "eddy bench nexmark: %s\n", e.msg);
            else
                rc = bench_engine_sql(en, s, nexmark_queries_ddl((nexmark_kind)k));
        }
    if (rc && en) {
        engine_session_free(s);
        engine_close(en);
        en = NULL;
    }
    return en;
}

static long topic_records(log_topic *t)
{
    long n = 0;
    for (int p = 0; t && p < log_topic_partitions(t); p++)
        n += (long)(log_end_offset(t, p) - log_start_offset(t, p));
    return n;
}

/* Phase 1: load, run to the end, measure. */
static int run_throughput(const nexmark_query *q, long events, const char *dir, figures *f)
{
    engine_session s;
    engine *en = open_engine(dir, q, &s);
    if (!en)
        return 1;
    err e;
    err_clear(&e);
    log_topic *topics[NEXMARK_KINDS] = {0};
    for (int k = 0; k < NEXMARK_KINDS; k++)
        if (q->inputs & (1u << k))
            topics[k] = log_topic_find(engine_log(en), nexmark_gen_kind_name((nexmark_kind)k));
    nexmark_gen g;
    nexmark_gen_init(&g, NEXMARK_SEED, NEXMARK_BASE_MS, NEXMARK_GAP_US);
    nexmark_load ld;
    int rc = 1;
    if (nexmark_gen_load(&g, topics, events, 0, &ld, &e)) {
        fprintf(stderr, "eddy bench nexmark: %s\n", e.msg);
        goto done;
    }
    double c0 = bench_clock_cpu(), t0 = bench_clock_now();
    if (bench_engine_sql(en, &s, q->sql))
        goto done;
    engine_pump(en);
    f->secs = bench_clock_now() - t0;
    f->cpu = bench_clock_cpu() - c0;
    f->events = ld.count[0] + ld.count[1] + ld.count[2];
    char sink[256] = "";
    engine_sink_topic_names(en, keep_last_name, sink);
    f->outputs = topic_records(log_topic_find(engine_log(en), sink));
    f->peak_rss_kb = bench_clock_peak_rss_kb();
    rc = 0;
done:
    engine_session_free(&s);
    engine_close(en);
    return rc;
}

/* Phase 2: the query first, then the events at `rate`. */
static int run_latency(const nexmark_query *q, long events, double rate, const char *dir, figures *f)
{
    engine_session s;
    engine *en = open_engine(dir, q, &s);
    if (!en)
        return 1;
    int rc = 1;
    if (bench_engine_sql(en, &s, q->sql) == 0) {
        log_topic *topics[NEXMARK_KINDS] = {0};
        for (int k = 0; k < NEXMARK_KINDS; k++)
            if (q->inputs & (1u << k))
                topics[k] = log_topic_find(engine_log(en), nexmark_gen_kind_name((nexmark_kind)k));
        char sink[256] = "";
        engine_sink_topic_names(en, keep_last_name, sink);
        err e;
        err_clear(&e);
        rc = bench_latency_run(en, topics, q->inputs, log_topic_find(engine_log(en), sink), events, rate,
                               q->close_after_ms, &f->lat, &e);
        if (rc)
            fprintf(stderr, "eddy bench nexmark: %s\n", e.msg);
    }
    engine_session_free(&s);
    engine_close(en);
    return rc ? 1 : 0;
}

/* A latency figure, or null in JSON when no result was timed. */
static void print_ms(double ms, long timed)
{
    if (timed)
        printf("%.3f", ms);
    else
        printf("null");
}

static void print_figures(const nexmark_query *q, const figures *f, double rate, bool json)
{
    double eps = (double)f->events / f->secs, per_core = (double)f->events / f->cpu;
    long timed = f->lat.results - f->lat.unmatched - f->lat.tombstones;
    if (json) {
        printf("{\"query\":\"%s\",\"events\":%ld,\"events_per_s\":%.0f,\"events_per_s_per_core\":%.0f,"
               "\"output_rows\":%ld,\"p50_latency_ms\":",
               q->name, f->events, eps, per_core, f->outputs);
        print_ms(f->lat.p50_ms, timed);
        printf(",\"p99_latency_ms\":");
        print_ms(f->lat.p99_ms, timed);
        printf(",\"peak_rss_mb\":%.1f}\n", (double)f->peak_rss_kb / 1024);
        return;
    }
    printf("%s (%s): %ld events in %.3f s: %.0f events/s, %.0f events/s per core (%.2f CPU s), %ld output rows, "
           "peak RSS %.1f MB\n",
           q->name, q->what, f->events, f->secs, eps, per_core, f->cpu, f->outputs, (double)f->peak_rss_kb / 1024);
    if (timed)
        printf("  latency at %.0f events/s: p50 %.3f ms, p99 %.3f ms, max %.3f ms over %ld results", rate,
               f->lat.p50_ms, f->lat.p99_ms, f->lat.max_ms, timed);
    else
        printf("  latency at %.0f events/s: no result to time", rate);
    if (f->lat.unmatched)
        printf(" (%ld results without an input of their timestamp left out)", f->lat.unmatched);
    if (f->lat.tombstones)
        printf(" (%ld tombstones not timed: each carries the time of the session it takes back)", f->lat.tombstones);
    printf("\n");
    if (f->lat.closed_timed)
        printf("  from the first input at or past the window's close: p50 %.3f ms, p99 %.3f ms over %ld results\n",
               f->lat.closed_p50_ms, f->lat.closed_p99_ms, f->lat.closed_timed);
    if (q->differs)
        printf("  differs from Nexmark: %s\n", q->differs);
}

/* Both phases of q, in this (child) process. */
static int run_query(const nexmark_query *q, long events, double fixed_rate, const char *dir, bool json)
{
    char d1[512], d2[512];
    snprintf(d1, sizeof d1, "%s/%s", dir, q->name);
    snprintf(d2, sizeof d2, "%s/%s-latency", dir, q->name);
    figures f = {0};
    if (run_throughput(q, events, d1, &f))
        return 1;
    double rate = fixed_rate > 0 ? fixed_rate : 0.5 * (double)f.events / f.secs;
    if (run_latency(q, f.events, rate, d2, &f))
        return 1;
    print_figures(q, &f, rate, json);
    if (f.lat.events != f.events)
        return 1;
    return 0;
}

typedef struct query_job {
    const nexmark_query *q;
    long events;
    double rate;
    const char *dir;
    bool json;
} query_job;

static int query_job_run(const void *ctx)
{
    const query_job *j = ctx;
    return run_query(j->q, j->events, j->rate, j->dir, j->json);
}

static void print_missing(FILE *f)
{
    fprintf(f, "not expressible in Eddy:\n");
    for (int i = 0; i < nexmark_queries_nmissing; i++)
        fprintf(f, "  %s: %s\n", nexmark_queries_missing[i].name, nexmark_queries_missing[i].why);
}

int bench_nexmark_main(int argc, char **argv)
{
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc) {
        nexmark_usage(rc > 0 ? stdout : stderr);
        return rc > 0 ? 0 : 2;
    }
    if (o.ndjson)
        return write_ndjson(o.ndjson, o.events);
    char dir[] = "/tmp/eddy-nexmark-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("eddy bench nexmark: mkdtemp");
        return 1;
    }
    if (!o.json)
        printf("nexmark: %ld events (person:auction:bid 1:3:46, event time 0.1 ms apart), JSON, 1 partition, "
               "no fsync, one query per process; %ld cores online\n",
               o.events, sysconf(_SC_NPROCESSORS_ONLN));
    rc = 0;
    for (int i = 0; i < o.nq; i++) {
        query_job j = {o.q[i], o.events, o.rate, dir, o.json};
        if (bench_engine_in_child(o.q[i]->name, query_job_run, &j)) {
            fprintf(stderr, "eddy bench nexmark: %s failed\n", o.q[i]->name);
            rc = 1;
        }
    }
    print_missing(o.json ? stderr : stdout);
    bench_clock_remove_tree(dir);
    return rc;
}
