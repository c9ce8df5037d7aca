/* nexmark_gen — Nexmark events (Person, Auction, Bid) for `eddy bench`.
 *
 * The model is ../shared/bench/nexmark_gen.py's, and so is the output: for
 * the same seed, base time and gap, event number n is the same JSON text,
 * byte for byte (the generator draws from a Mersenne Twister seeded and
 * consumed the way Python's random.Random is).  Of every 50 events 1 is a
 * person, 3 are auctions and 46 are bids; bids go to a recent ("hot")
 * auction 1 time in 2 and come from the newest person 1 time in 4; event
 * time starts at base_ms and advances gap_us microseconds per event.
 * Fields are lower_snake_case as in Flink's Nexmark DDL; date_time is
 * epoch milliseconds.
 *
 * A nexmark_gen is plain memory owned by its caller, used by one thread
 * at a time; nothing here allocates except the buf it appends to. */
#ifndef EDDY_NEXMARK_GEN_H
#define EDDY_NEXMARK_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"
#include "../storage/log.h"

#define NEXMARK_SEED 42
#define NEXMARK_BASE_MS 1700000000000LL
#define NEXMARK_GAP_US 100

typedef enum nexmark_kind { NEXMARK_PERSON, NEXMARK_AUCTION, NEXMARK_BID, NEXMARK_KINDS } nexmark_kind;

typedef struct nexmark_gen {
    uint32_t mt[624]; /* MT19937 state */
    int mti;
    uint64_t n; /* the next event's number */
    int64_t base_ms, gap_us;
} nexmark_gen;

/* Starts the sequence at event 0. */
void nexmark_gen_init(nexmark_gen *g, uint32_t seed, int64_t base_ms, int64_t gap_us);

/* The kind and event time of event number n (without generating it). */
nexmark_kind nexmark_gen_kind(uint64_t n);
int64_t nexmark_gen_time(const nexmark_gen *g, uint64_t n);

/* Appends the next event's JSON object (no newline) to out and returns
 * its kind. */
nexmark_kind nexmark_gen_next(nexmark_gen *g, buf *out);

/* The name of a kind's topic and file: "person", "auction", "bid". */
const char *nexmark_gen_kind_name(nexmark_kind k);

/* What nexmark_gen_load wrote. */
typedef struct nexmark_load {
    long count[NEXMARK_KINDS]; /* events appended, per kind */
    size_t bytes;              /* value bytes appended */
    double secs;               /* wall time taken */
} nexmark_load;

/* Generates events from g until `events` were generated or, when bids > 0,
 * until `bids` bids were; appends each to partition 0 of topics[kind]
 * (skipped when NULL) in batches, null key, record timestamp = event
 * time.  Returns 0, or -1 with e set. */
int nexmark_gen_load(nexmark_gen *g, log_topic *const topics[NEXMARK_KINDS], long events, long bids,
                     nexmark_load *out, err *e);

#endif
