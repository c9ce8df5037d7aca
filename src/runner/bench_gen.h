/* bench_gen — Nexmark-style bid records for the `eddy bench` cases.
 *
 * The model is ../shared/bench/nexmark_gen.py's: hot auctions and
 * bidders, prices with a long tail, event time advancing 100 us per event
 * from 1700000000000 ms.  Deterministic: the same n gives the same bids.
 * Values are JSON objects with fields auction, bidder, price, channel,
 * url, dateTime, extra. */
#ifndef EDDY_BENCH_GEN_H
#define EDDY_BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../storage/log.h"

/* Appends bid number i as JSON to out; rng is the generator's state
 * (seed it with any non-zero value and pass it to every call). */
void bench_gen_bid(uint64_t i, uint64_t *rng, buf *out);

/* Appends n bids to partition 0 of t in batches, with null keys and
 * record timestamps equal to the bids' event times.  Sets *bytes to the
 * value bytes written.  Returns the seconds taken, or -1 with e set. */
double bench_gen_load_bids(log_topic *t, long n, size_t *bytes, err *e);

#endif
