/* nexmark_gen.c — see nexmark_gen.h.
 *
 * Every draw mirrors one call of nexmark_gen.py, in the same order:
 * random.choice(seq) and random.randrange(n) both take _randbelow(n),
 * which draws getrandbits(k) (the top k bits of one 32-bit output, k the
 * bit length of n) until the value is below n.  C leaves the order of
 * evaluating a call's arguments open, so each draw is its own statement. */
#include "nexmark_gen.h"

#include <time.h>

#define MT_N 624
#define MT_M 397
#define FIRST_ID 1000
#define FIRST_CATEGORY 10
#define CATEGORIES 5
#define HOT_AUCTION_RATIO 2
#define HOT_BIDDER_RATIO 4
#define HOT_SELLER_RATIO 4
#define LOAD_BATCH 256

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const first_names[] = {"Peter", "Paul",  "Luke",  "John",   "Saul",  "Vicky",
                                          "Kate",  "Julie", "Sarah", "Deiter", "Walter"};
static const char *const last_names[] = {"Shultz", "Abrams", "Spencer", "White", "Bartels",
                                         "Walton", "Smith",  "Jones",   "Noris"};
static const char *const last_names_lower[] = {"shultz", "abrams", "spencer", "white", "bartels",
                                               "walton", "smith",  "jones",   "noris"};
static const char *const domains[] = {"gmail.com", "hotmail.com", "yahoo.com"};
static const char *const cities[] = {"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland",
                                     "Bend",    "Redmond",     "Seattle",       "Kent",  "Cheyenne"};
static const char *const states[] = {"AZ", "CA", "ID", "OR", "WA", "WY"};
static const char *const channels[] = {"Google", "Facebook", "Baidu", "Apple"};

/* ---- MT19937, seeded as Python seeds it from a small integer ---- */

/* Python's random.seed(n) for 0 <= n < 2^32: init_by_array with the one
 * 32-bit word n. */
static void mt_seed(nexmark_gen *g, uint32_t seed)
{
    uint32_t *mt = g->mt;
    mt[0] = 19650218u;
    for (int i = 1; i < MT_N; i++)
        mt[i] = 1812433253u * (mt[i - 1] ^ (mt[i - 1] >> 30)) + (uint32_t)i;
    int i = 1;
    for (int k = MT_N; k; k--) { /* max(N, key length 1) rounds */
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525u)) + seed;
        if (++i >= MT_N)
            mt[0] = mt[MT_N - 1], i = 1;
    }
    for (int k = MT_N - 1; k; k--) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
        if (++i >= MT_N)
            mt[0] = mt[MT_N - 1], i = 1;
    }
    mt[0] = 0x80000000u;
    g->mti = MT_N;
}

static uint32_t mt_next(nexmark_gen *g)
{
    uint32_t *mt = g->mt;
    if (g->mti >= MT_N) {
        /* in place: entries past N - M read words already regenerated,
         * as the reference's three loops do */
        for (int k = 0; k < MT_N; k++) {
            uint32_t y = (mt[k] & 0x80000000u) | (mt[(k + 1) % MT_N] & 0x7fffffffu);
            mt[k] = mt[(k + MT_M) % MT_N] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
        }
        g->mti = 0;
    }
    uint32_t y = mt[g->mti++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

/* Python's _randbelow(n) for 1 <= n < 2^32. */
static long below(nexmark_gen *g, long n)
{
    int k = 32 - __builtin_clz((unsigned)n);
    uint32_t r;
    do
        r = mt_next(g) >> (32 - k);
    while (r >= (uint32_t)n);
    return (long)r;
}

#define CHOICE(g, a) ((a)[below((g), (long)COUNT(a))])

/* ---- the event model ---- */

nexmark_kind nexmark_gen_kind(uint64_t n)
{
    uint64_t r = n % 50;
    return r < 1 ? NEXMARK_PERSON : r < 4 ? NEXMARK_AUCTION : NEXMARK_BID;
}

int64_t nexmark_gen_time(const nexmark_gen *g, uint64_t n)
{
    return g->base_ms + (int64_t)n * g->gap_us / 1000;
}

const char *nexmark_gen_kind_name(nexmark_kind k)
{
    return k == NEXMARK_PERSON ? "person" : k == NEXMARK_AUCTION ? "auction" : "bid";
}

void nexmark_gen_init(nexmark_gen *g, uint32_t seed, int64_t base_ms, int64_t gap_us)
{
    mt_seed(g, seed);
    g->n = 0;
    g->base_ms = base_ms;
    g->gap_us = gap_us;
}

/* The highest id of a kind among the first n events, counting ids from 0
 * (so -1 when there is none yet); `per` of the kind in every 50, the
 * first at position `offset`. */
static long last_id(uint64_t n, long per, long offset)
{
    long epoch = (long)(n / 50), r = (long)(n % 50) - offset;
    return epoch * per + (r < 0 ? 0 : r > per ? per : r) - 1;
}

static void gen_person(nexmark_gen *g, uint64_t n, int64_t t, buf *out)
{
    long id = FIRST_ID + last_id(n + 1, 1, 0);
    const char *first = CHOICE(g, first_names);
    const char *last = CHOICE(g, last_names);
    const char *mailbox = CHOICE(g, last_names_lower);
    const char *domain = CHOICE(g, domains);
    long card[4];
    for (int i = 0; i < 4; i++)
        card[i] = below(g, 10000);
    const char *city = CHOICE(g, cities);
    const char *state = CHOICE(g, states);
    buf_printf(out,
               "{\"id\":%ld,\"name\":\"%s %s\",\"email_address\":\"%s@%s\",\"credit_card\":\"%04ld %04ld %04ld "
               "%04ld\",\"city\":\"%s\",\"state\":\"%s\",\"date_time\":%lld,\"extra\":\"\"}",
               id, first, last, mailbox, domain, card[0], card[1], card[2], card[3], city, state, (long long)t);
}

/* The persons before event n: at least 1, so there is always someone. */
static long people_before(uint64_t n)
{
    long p = last_id(n, 1, 0) + 1;
    return p > 1 ? p : 1;
}

static void gen_auction(nexmark_gen *g, uint64_t n, int64_t t, buf *out)
{
    long id = FIRST_ID + last_id(n + 1, 3, 1), people = people_before(n);
    long seller = below(g, HOT_SELLER_RATIO) == 0 ? people - 1 : below(g, people);
    long initial = (1 + below(g, 999)) * 100;
    long reserve = initial + (1 + below(g, 999)) * 100;
    long expires = 1000 + below(g, 59000);
    long category = FIRST_CATEGORY + below(g, CATEGORIES);
    buf_printf(out,
               "{\"id\":%ld,\"item_name\":\"item-%ld\",\"description\":\"description of %ld\",\"initial_bid\":%ld,"
               "\"reserve\":%ld,\"date_time\":%lld,\"expires\":%lld,\"seller\":%ld,\"category\":%ld,\"extra\":\"\"}",
               id, id, id, initial, reserve, (long long)t, (long long)(t + expires), FIRST_ID + seller, category);
}

static void gen_bid(nexmark_gen *g, uint64_t n, int64_t t, buf *out)
{
    long auctions = last_id(n, 3, 1) + 1, people = people_before(n), auction;
    if (auctions < 1)
        auctions = 1;
    if (below(g, HOT_AUCTION_RATIO) == 0) {
        auction = auctions - 1 - below(g, auctions < 100 ? auctions : 100);
        if (auction < 0)
            auction = 0;
    } else {
        auction = below(g, auctions);
    }
    long bidder = below(g, HOT_BIDDER_RATIO) == 0 ? people - 1 : below(g, people);
    long price = 1 + below(g, 99999);
    const char *channel = CHOICE(g, channels);
    long channel_id = below(g, 1L << 20);
    buf_printf(out,
               "{\"auction\":%ld,\"bidder\":%ld,\"price\":%ld,\"channel\":\"%s\","
               "\"url\":\"https://www.nexmark.com/item.htm?query=1&channel_id=%ld\",\"date_time\":%lld,"
               "\"extra\":\"\"}",
               FIRST_ID + auction, FIRST_ID + bidder, price, channel, channel_id, (long long)t);
}

nexmark_kind nexmark_gen_next(nexmark_gen *g, buf *out)
{
    uint64_t n = g->n++;
    int64_t t = nexmark_gen_time(g, n);
    nexmark_kind k = nexmark_gen_kind(n);
    if (k == NEXMARK_PERSON)
        gen_person(g, n, t, out);
    else if (k == NEXMARK_AUCTION)
        gen_auction(g, n, t, out);
    else
        gen_bid(g, n, t, out);
    return k;
}

/* ---- loading into the log ---- */

/* The events of one kind waiting to be appended as one batch. */
typedef struct pending {
    buf vals;
    size_t offs[LOAD_BATCH + 1];
    int64_t times[LOAD_BATCH];
    int n;
} pending;

static int flush_pending(pending *p, log_topic *t, err *e)
{
    log_record recs[LOAD_BATCH];
    p->offs[p->n] = p->vals.len;
    for (int i = 0; i < p->n; i++)
        recs[i] = (log_record){.timestamp = p->times[i],
                               .key_len = -1,
                               .value = (const uint8_t *)p->vals.data + p->offs[i],
                               .value_len = (int32_t)(p->offs[i + 1] - p->offs[i])};
    int rc = p->n ? log_append(t, 0, recs, p->n, e) : 0;
    p->n = 0;
    buf_reset(&p->vals);
    return rc;
}

static double load_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int nexmark_gen_load(nexmark_gen *g, log_topic *const topics[NEXMARK_KINDS], long events, long bids,
                     nexmark_load *out, err *e)
{
    pending p[NEXMARK_KINDS] = {{.vals = BUF_INIT}, {.vals = BUF_INIT}, {.vals = BUF_INIT}};
    buf skip = BUF_INIT;
    double t0 = load_now_s();
    *out = (nexmark_load){0};
    int rc = 0;
    for (long i = 0; rc == 0 && (bids > 0 ? out->count[NEXMARK_BID] < bids : i < events); i++) {
        nexmark_kind k = nexmark_gen_kind(g->n);
        int64_t t = nexmark_gen_time(g, g->n);
        if (!topics[k]) { /* drawn all the same: the sequence stays the same */
            buf_reset(&skip);
            nexmark_gen_next(g, &skip);
            continue;
        }
        pending *q = &p[k];
        q->offs[q->n] = q->vals.len;
        q->times[q->n++] = t;
        nexmark_gen_next(g, &q->vals);
        out->count[k]++;
        if (q->n == LOAD_BATCH) {
            out->bytes += q->vals.len;
            rc = flush_pending(q, topics[k], e);
        }
    }
    for (int k = 0; k < NEXMARK_KINDS; k++) {
        out->bytes += p[k].vals.len;
        if (rc == 0 && topics[k])
            rc = flush_pending(&p[k], topics[k], e);
        buf_free(&p[k].vals);
    }
    buf_free(&skip);
    out->secs = load_now_s() - t0;
    return rc;
}
