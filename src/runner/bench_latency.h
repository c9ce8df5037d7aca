/* bench_latency — end-to-end latency of a running persistent query at a
 * fixed input rate (the second phase of `eddy bench nexmark`).
 *
 * Three threads: a producer appends Nexmark events straight into the
 * input topics at `rate` events per second (a batch every millisecond
 * holding the events due by then; the events are generated before the
 * clock starts, as generating them can be slower than the query reads
 * them); the calling thread drives the
 * queries with engine_pump whenever the producer has appended (what the
 * engine's runtime thread does after an INSERT); a tail thread follows
 * the result topic with log_wait and stamps each result when it becomes
 * readable.
 *
 * A result's latency is (the time it became readable in the result
 * topic) - (the time the producer began appending the first input
 * event whose event time equals the result's record timestamp).  Eddy
 * stamps a result with the event time of the input that produced it (a
 * stream's row: its input; an aggregate: the record that changed it, or
 * for EMIT FINAL the window's latest record; a join: the later side), so
 * this is the time from that input entering the log to its result
 * leaving the query.  Event times advance 0.1 ms per event, several
 * events share a millisecond, and the earliest of them counts: the
 * figure errs long, never short.
 *
 * The engine must have been opened without its runtime thread, with the
 * query already created over the (empty) input topics. */
#ifndef EDDY_BENCH_LATENCY_H
#define EDDY_BENCH_LATENCY_H

#include "../engine/engine.h"
#include "nexmark_gen.h"

typedef struct latency_result {
    long events;    /* input events appended */
    long results;   /* results read from the result topic */
    long unmatched; /* results whose timestamp no input event had */
    long tombstones; /* results with no value, not timed: a tombstone that takes
                      * back a session merged into a later one carries the
                      * time of that session, not of the input that ended it */
    double secs;    /* wall time from the first append to the last result */
    double p50_ms, p99_ms, max_ms;
    /* EMIT FINAL (close_after_ms > 0): the same results timed from the
     * first input at or past their window's close (start + close_after_ms),
     * which a result cannot come before: the engine's share of the wait */
    long closed_timed;
    double closed_p50_ms, closed_p99_ms;
} latency_result;

/* Appends `events` events of the kinds in `inputs` (bit 1 << kind; the
 * others are generated and dropped, so the sequence is nexmark_gen's)
 * to topics[kind] at `rate` events per second, runs the engine's queries
 * until they have read everything, and measures the latency of every
 * record appended to `sink`.  Returns 0, or -1 with e set. */
int bench_latency_run(engine *en, log_topic *const topics[NEXMARK_KINDS], unsigned inputs, log_topic *sink,
                      long events, double rate, int64_t close_after_ms, latency_result *out, err *e);

#endif
