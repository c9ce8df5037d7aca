/* log_hash.c — Kafka's default partitioner, so a keyed record lands in the
 * partition Kafka would choose for it.
 *
 * log_murmur2 is MurmurHash2 (32-bit) exactly as Kafka's Utils.murmur2:
 * seed 0x9747b28c, the key read as little-endian 4-byte words, the 1–3
 * byte tail mixed in as in the reference, and Kafka's final mix (>>> 13,
 * * m, >>> 15).  Java's int arithmetic wraps, so uint32_t here.  The
 * partition is toPositive(h) % partitions, toPositive being h & 0x7fffffff
 * (not abs(), which differs for negative values).
 */
#include "log_internal.h"

uint32_t log_murmur2(const void *key, size_t len)
{
    const uint8_t *d = key;
    const uint32_t m = 0x5bd1e995u;
    const int r = 24;
    /* Kafka takes the length as a Java int. */
    uint32_t h = 0x9747b28cu ^ (uint32_t)len;
    size_t words = len / 4;
    for (size_t i = 0; i < words; i++) {
        const uint8_t *w = d + i * 4;
        uint32_t k = (uint32_t)w[0] | (uint32_t)w[1] << 8 | (uint32_t)w[2] << 16 |
                     (uint32_t)w[3] << 24;
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    const uint8_t *tail = d + (len & ~(size_t)3);
    switch (len % 4) {
    case 3:
        h ^= (uint32_t)tail[2] << 16;
        /* fall through */
    case 2:
        h ^= (uint32_t)tail[1] << 8;
        /* fall through */
    case 1:
        h ^= tail[0];
        h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return h;
}

int log_partition_for_key(const log_topic *t, const void *key, size_t len)
{
    if (t->cfg.partitions == 1) /* a query's output per result: no hash needed */
        return 0;
    return (int)((log_murmur2(key, len) & 0x7fffffffu) % (uint32_t)t->cfg.partitions);
}
