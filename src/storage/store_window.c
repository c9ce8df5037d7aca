/* store_window.c — see store_window.h. */
#include "store_window.h"

#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/mem.h"

/* The keys of one window start: (u32 length, bytes) one after the other;
 * `pos` is where expiry has got to. */
typedef struct bucket {
    int64_t start;
    buf keys;
    size_t pos;
} bucket;

/* Buckets sorted by start; buckets[head..nb) are live (expiry takes from
 * the front, so the dead ones are only moved out now and then). */
struct window_index {
    bucket *buckets;
    size_t head, nb, cap;
    size_t count;
};

window_index *window_index_new(void) { return mem_alloc(sizeof(window_index)); }

void window_index_free(window_index *w)
{
    if (!w)
        return;
    for (size_t i = w->head; i < w->nb; i++)
        buf_free(&w->buckets[i].keys);
    free(w->buckets);
    free(w);
}

static int64_t key_start(const uint8_t *key, size_t klen) { return be64_get(key + klen - 8); }

/* The bucket of `start`, made when missing.  New windows are nearly
 * always the latest, so the search runs from the back. */
static bucket *bucket_for(window_index *w, int64_t start)
{
    size_t i = w->nb;
    while (i > w->head && w->buckets[i - 1].start > start)
        i--;
    if (i > w->head && w->buckets[i - 1].start == start)
        return &w->buckets[i - 1];
    if (w->head > 0 && w->head * 2 >= w->nb) { /* reclaim the expired front */
        memmove(w->buckets, w->buckets + w->head, sizeof(bucket) * (w->nb - w->head));
        w->nb -= w->head;
        i -= w->head;
        w->head = 0;
    }
    if (w->nb == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 16;
        w->buckets = mem_realloc(w->buckets, sizeof(bucket) * w->cap);
    }
    memmove(&w->buckets[i + 1], &w->buckets[i], sizeof(bucket) * (w->nb - i));
    w->nb++;
    w->buckets[i] = (bucket){.start = start};
    return &w->buckets[i];
}

void window_index_add(window_index *w, const uint8_t *key, size_t klen)
{
    if (klen < 8)
        return;
    bucket *b = bucket_for(w, key_start(key, klen));
    uint32_t len = (uint32_t)klen;
    buf_append(&b->keys, &len, sizeof len);
    buf_append(&b->keys, key, klen);
    w->count++;
}

static void add_entry(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    (void)val, (void)vlen;
    window_index_add(ctx, key, klen);
}

void window_index_build(window_index *w, const kvstore *s) { kvstore_each(s, add_entry, w); }

size_t window_index_expire(window_index *w, kvstore *s, int64_t before, size_t max,
                           void (*fn)(void *ctx, const uint8_t *key, size_t klen), void *ctx)
{
    size_t dropped = 0;
    while (w->head < w->nb && w->buckets[w->head].start < before && dropped < max) {
        bucket *b = &w->buckets[w->head];
        while (b->pos < b->keys.len && dropped < max) {
            uint32_t len;
            memcpy(&len, b->keys.data + b->pos, sizeof len);
            const uint8_t *key = (const uint8_t *)b->keys.data + b->pos + sizeof len;
            b->pos += sizeof len + len;
            w->count--;
            if (kvstore_delete(s, key, len)) {
                dropped++;
                if (fn)
                    fn(ctx, key, len);
            }
        }
        if (b->pos < b->keys.len)
            break; /* over budget: the rest next time */
        buf_free(&b->keys);
        w->head++;
    }
    return dropped;
}

size_t window_index_count(const window_index *w) { return w->count; }
