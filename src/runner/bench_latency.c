/* bench_latency.c — see bench_latency.h. */
#define _XOPEN_SOURCE 700
#include "bench_latency.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/mem.h"
#include "bench_clock.h"

#define TICK_NS 1000000LL  /* the producer appends once per millisecond */
#define APPEND_MAX 1024    /* records per log_append */
#define TAIL_READ 256

typedef struct shared {
    engine *en;
    log_topic *const *topics;
    unsigned inputs;
    log_topic *sink;
    long events;
    double rate;
    const struct pregen *events_pre; /* what the producer appends */
    int64_t base_ms;
    int64_t *first_ns; /* per event-time ms since base_ms: first append, 0 = none */
    size_t nslots;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t appended; /* bumped after each append (under mu) */
    bool producer_done;
    int producer_rc;
    err perr;
    int64_t start_ns;

    bool tail_stop; /* atomic */
    double *lat;    /* ms, one per matched result */
    long nlat, cap, results, unmatched, tombstones;
    int64_t close_after;  /* EMIT FINAL: a window's close - its start, else 0 */
    double *closed_lat;   /* ms from the window's close, one per such result */
    long nclosed, closed_cap;
    int tail_rc;
    err terr;
    int64_t last_result_ns;
} shared;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* ---- the producer ---- */

/* The events to append, generated before the clock starts: generating
 * JSON is slower than some queries read (q3 reads 8 % of the events, so
 * 200 K events/s read are 2.5 M generated), and a producer that
 * generated as it went fell behind and appended ever larger batches, whose
 * size then showed up as latency. */
typedef struct pregen {
    buf vals;
    size_t *offs;   /* event i's bytes: vals[offs[i], offs[i + 1]) */
    int64_t *times;
    uint8_t *kinds;
    long n;
} pregen;

/* Generates the events of the kinds in `inputs` (the others are generated
 * and dropped, so the sequence is nexmark_gen's) until `events` are kept. */
static void pregen_fill(pregen *p, unsigned inputs, long events)
{
    nexmark_gen g;
    nexmark_gen_init(&g, NEXMARK_SEED, NEXMARK_BASE_MS, NEXMARK_GAP_US);
    p->offs = mem_alloc(sizeof *p->offs * (size_t)(events + 1));
    p->times = mem_alloc(sizeof *p->times * (size_t)(events ? events : 1));
    p->kinds = mem_alloc((size_t)(events ? events : 1));
    buf skip = BUF_INIT;
    while (p->n < events) {
        nexmark_kind k = nexmark_gen_kind(g.n);
        int64_t t = nexmark_gen_time(&g, g.n);
        if (!(inputs & (1u << k))) {
            buf_reset(&skip);
            nexmark_gen_next(&g, &skip);
            continue;
        }
        p->offs[p->n] = p->vals.len;
        p->times[p->n] = t;
        p->kinds[p->n++] = (uint8_t)k;
        nexmark_gen_next(&g, &p->vals);
    }
    p->offs[p->n] = p->vals.len;
    buf_free(&skip);
}

static void pregen_free(pregen *p)
{
    buf_free(&p->vals);
    free(p->offs);
    free(p->times);
    free(p->kinds);
}

/* Appends events [from, to) of one kind, in batches of APPEND_MAX. */
static int append_kind(shared *s, nexmark_kind k, long from, long to, err *e)
{
    const pregen *p = s->events_pre;
    log_record recs[APPEND_MAX];
    int n = 0;
    for (long i = from; i <= to; i++) {
        if (n == APPEND_MAX || (i == to && n)) {
            if (log_append(s->topics[k], 0, recs, n, e))
                return -1;
            n = 0;
        }
        if (i < to && p->kinds[i] == k)
            recs[n++] = (log_record){.timestamp = p->times[i],
                                     .key_len = -1,
                                     .value = (const uint8_t *)p->vals.data + p->offs[i],
                                     .value_len = (int32_t)(p->offs[i + 1] - p->offs[i])};
    }
    return 0;
}

/* The events due by now (at `rate` from start), appended as one batch per
 * kind; their event times stamped first.  Returns how many were
 * appended, or -1. */
static long produce_tick(shared *s, long sent, err *e)
{
    double due_f = s->rate * (double)(now_ns() - s->start_ns) / 1e9;
    long due = due_f > (double)s->events ? s->events : (long)due_f;
    const pregen *p = s->events_pre;
    int64_t stamp = now_ns();
    for (long i = sent; i < due; i++) {
        size_t slot = (size_t)(p->times[i] - s->base_ms);
        if (slot < s->nslots && !__atomic_load_n(&s->first_ns[slot], __ATOMIC_RELAXED))
            __atomic_store_n(&s->first_ns[slot], stamp, __ATOMIC_RELAXED);
    }
    for (int k = 0; k < NEXMARK_KINDS; k++)
        if ((s->inputs & (1u << k)) && append_kind(s, (nexmark_kind)k, sent, due, e))
            return -1;
    return due - sent;
}

static void *producer(void *arg)
{
    shared *s = arg;
    long sent = 0;
    int rc = 0;
    for (int64_t tick = 1; sent < s->events; tick++) {
        long n = produce_tick(s, sent, &s->perr);
        if (n < 0) {
            rc = -1;
            break;
        }
        sent += n;
        pthread_mutex_lock(&s->mu);
        s->appended++;
        pthread_cond_signal(&s->cv);
        pthread_mutex_unlock(&s->mu);
        int64_t next = s->start_ns + tick * TICK_NS;
        struct timespec ts = {.tv_sec = next / 1000000000LL, .tv_nsec = next % 1000000000LL};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
    pthread_mutex_lock(&s->mu);
    s->producer_done = true;
    s->producer_rc = rc;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* ---- the tail of the result topic ---- */

/* ms from a slot's first append to `seen`, appended to *lat. */
static void add_latency(double **lat, long *n, long *cap, int64_t first, int64_t seen)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 4096;
        *lat = mem_realloc(*lat, sizeof **lat * (size_t)*cap);
    }
    (*lat)[(*n)++] = (double)(seen - first) / 1e6;
}

/* The first append of the event-time slot `ms`, or 0. */
static int64_t slot_first(const shared *s, int64_t ms)
{
    size_t slot = (size_t)(ms - s->base_ms);
    return slot < s->nslots ? __atomic_load_n(&s->first_ns[slot], __ATOMIC_RELAXED) : 0;
}

/* EMIT FINAL: a windowed result's key ends with its window's start
 * (8 bytes, big-endian); timed from the first input at its close too. */
static void note_closed(shared *s, const log_record *r, int64_t seen)
{
    if (!s->close_after || r->key_len < 8)
        return;
    int64_t close = be64_get(r->key + r->key_len - 8) + s->close_after, first = slot_first(s, close);
    if (first)
        add_latency(&s->closed_lat, &s->nclosed, &s->closed_cap, first, seen);
}

static void note_result(shared *s, const log_record *r, int64_t seen)
{
    s->results++;
    if (r->value_len < 0) {
        s->tombstones++;
        return;
    }
    note_closed(s, r, seen);
    int64_t first = slot_first(s, r->timestamp);
    if (!first) {
        s->unmatched++;
        return;
    }
    add_latency(&s->lat, &s->nlat, &s->cap, first, seen);
}

static void *tail(void *arg)
{
    shared *s = arg;
    int parts = log_topic_partitions(s->sink);
    log_reader **r = mem_alloc(sizeof *r * (size_t)parts);
    for (int p = 0; p < parts; p++)
        r[p] = log_reader_open(s->sink, p, 0);
    log_record recs[TAIL_READ];
    for (;;) {
        bool stopping = __atomic_load_n(&s->tail_stop, __ATOMIC_ACQUIRE);
        long got = 0;
        for (int p = 0; p < parts; p++) {
            int n;
            while ((n = log_read(r[p], recs, TAIL_READ, &s->terr)) > 0) {
                int64_t seen = now_ns();
                for (int i = 0; i < n; i++)
                    note_result(s, &recs[i], seen);
                s->last_result_ns = seen;
                got += n;
            }
            if (n < 0) {
                s->tail_rc = -1;
                stopping = true;
            }
        }
        if (got == 0 && stopping)
            break;
        if (got == 0) /* one partition in this benchmark; others are polled */
            log_wait(s->sink, 0, log_reader_position(r[0]), parts > 1 ? 1 : 20);
    }
    for (int p = 0; p < parts; p++)
        log_reader_close(r[p]);
    free(r);
    return NULL;
}

/* ---- the run ---- */

/* Runs the queries whenever the producer has appended, until it is done
 * and they have read everything. */
static void pump_until_done(shared *s)
{
    uint64_t seen = 0;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (s->appended == seen && !s->producer_done)
            pthread_cond_wait(&s->cv, &s->mu);
        seen = s->appended;
        bool done = s->producer_done;
        pthread_mutex_unlock(&s->mu);
        engine_pump(s->en);
        if (done)
            return;
    }
}

int bench_latency_run(engine *en, log_topic *const topics[NEXMARK_KINDS], unsigned inputs, log_topic *sink,
                      long events, double rate, int64_t close_after_ms, latency_result *out, err *e)
{
    shared s = {.en = en, .topics = topics, .inputs = inputs, .sink = sink, .events = events, .rate = rate,
                .base_ms = NEXMARK_BASE_MS, .close_after = close_after_ms};
    /* an event-time slot per millisecond up to the last event read: of
     * every 50 events, 1 is a person, 3 are auctions, 46 are bids */
    int per50 = (inputs & (1u << NEXMARK_PERSON) ? 1 : 0) + (inputs & (1u << NEXMARK_AUCTION) ? 3 : 0) +
                (inputs & (1u << NEXMARK_BID) ? 46 : 0);
    s.nslots = (size_t)((double)events * 50.0 / per50 * NEXMARK_GAP_US / 1000.0) + 64;
    s.first_ns = mem_alloc(s.nslots * sizeof *s.first_ns);
    pregen pre = {BUF_INIT, NULL, NULL, NULL, 0};
    pregen_fill(&pre, inputs, events);
    s.events_pre = &pre;
    err_clear(&s.perr);
    err_clear(&s.terr);
    pthread_mutex_init(&s.mu, NULL);
    pthread_cond_init(&s.cv, NULL);
    s.start_ns = now_ns();
    pthread_t prod, tl;
    int rc = 0;
    if (pthread_create(&tl, NULL, tail, &s)) {
        rc = err_set(e, ERR_IO, "cannot start the tail thread");
        goto done;
    }
    if (pthread_create(&prod, NULL, producer, &s)) {
        __atomic_store_n(&s.tail_stop, true, __ATOMIC_RELEASE);
        pthread_join(tl, NULL);
        rc = err_set(e, ERR_IO, "cannot start the producer thread");
        goto done;
    }
    pump_until_done(&s);
    pthread_join(prod, NULL);
    __atomic_store_n(&s.tail_stop, true, __ATOMIC_RELEASE);
    log_wake(sink);
    pthread_join(tl, NULL);
    if (s.producer_rc) {
        *e = s.perr;
        rc = -1;
    } else if (s.tail_rc) {
        *e = s.terr;
        rc = -1;
    }
    bench_clock_sort(s.lat, s.nlat);
    bench_clock_sort(s.closed_lat, s.nclosed);
    *out = (latency_result){.events = events,
                            .results = s.results,
                            .unmatched = s.unmatched,
                            .tombstones = s.tombstones,
                            .secs = (double)((s.last_result_ns ? s.last_result_ns : now_ns()) - s.start_ns) / 1e9,
                            .p50_ms = bench_clock_percentile(s.lat, s.nlat, 0.50),
                            .p99_ms = bench_clock_percentile(s.lat, s.nlat, 0.99),
                            .max_ms = s.nlat ? s.lat[s.nlat - 1] : 0,
                            .closed_timed = s.nclosed,
                            .closed_p50_ms = bench_clock_percentile(s.closed_lat, s.nclosed, 0.50),
                            .closed_p99_ms = bench_clock_percentile(s.closed_lat, s.nclosed, 0.99)};
done:
    pregen_free(&pre);
    free(s.lat);
    free(s.closed_lat);
    free(s.first_ns);
    pthread_cond_destroy(&s.cv);
    pthread_mutex_destroy(&s.mu);
    return rc;
}
