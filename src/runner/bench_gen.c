/* bench_gen.c — see bench_gen.h. */
#include "bench_gen.h"

#include <time.h>

#define BENCH_GEN_BATCH 256

static double gen_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t bid_time(uint64_t i)
{
    return 1700000000000LL + (int64_t)(i / 10);
}

void bench_gen_bid(uint64_t i, uint64_t *rng, buf *out)
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
               (long long)bid_time(i));
}

double bench_gen_load_bids(log_topic *t, long n, size_t *bytes, err *e)
{
    buf vals = BUF_INIT;
    log_record recs[BENCH_GEN_BATCH];
    size_t offs[BENCH_GEN_BATCH + 1];
    int64_t times[BENCH_GEN_BATCH];
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    double t0 = gen_now_s();
    *bytes = 0;
    for (long i = 0; i < n;) {
        int k = 0;
        buf_reset(&vals);
        for (; k < BENCH_GEN_BATCH && i < n; k++, i++) {
            offs[k] = vals.len;
            times[k] = bid_time((uint64_t)i);
            bench_gen_bid((uint64_t)i, &rng, &vals);
        }
        offs[k] = vals.len;
        for (int j = 0; j < k; j++)
            recs[j] = (log_record){.timestamp = times[j],
                                   .key_len = -1,
                                   .value = (const uint8_t *)vals.data + offs[j],
                                   .value_len = (int32_t)(offs[j + 1] - offs[j])};
        *bytes += vals.len;
        if (log_append(t, 0, recs, k, e)) {
            buf_free(&vals);
            return -1;
        }
    }
    buf_free(&vals);
    return gen_now_s() - t0;
}
