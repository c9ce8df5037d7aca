/* runtime_cache.c — see runtime_cache.h. */
#include "runtime_cache.h"

#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"

/* k->latest: open addressing by key hash, at most half full.  A slot is
 * 0 (empty) or the low 32 bits of the key's hash above the pending
 * index + 1, so a probe compares keys only when their hashes agree, and
 * growing moves slots without hashing or reading a key again. */

static uint32_t slot_tag(uint64_t slot) { return (uint32_t)(slot >> 32); }
static int slot_index(uint64_t slot) { return (int)(uint32_t)slot - 1; }

static bool same_key(const query_sink *k, const pending *a, const pending *b)
{
    return a->key_len == b->key_len &&
           memcmp(k->keys.data + a->key_off, k->keys.data + b->key_off, (size_t)a->key_len) == 0;
}

/* The slot of pending record i (its hash's tag): the one holding a record
 * of its key, or the empty one where it goes. */
static size_t slot_of(const query_sink *k, int i, uint32_t tag)
{
    size_t mask = k->nlatest - 1, s = tag & mask;
    for (uint64_t v; (v = k->latest[s]); s = (s + 1) & mask)
        if (slot_tag(v) == tag && same_key(k, &k->pend[slot_index(v)], &k->pend[i]))
            break;
    return s;
}

/* Doubles the table; its records (of distinct keys) go to the first
 * empty slot from their tag's. */
static void grow(query_sink *k)
{
    uint64_t *old = k->latest;
    size_t nold = k->nlatest;
    k->nlatest = nold ? 2 * nold : 1024;
    k->latest = mem_alloc(sizeof *k->latest * k->nlatest); /* zeroed: empty */
    size_t mask = k->nlatest - 1;
    for (size_t j = 0; j < nold; j++) {
        if (!old[j])
            continue;
        size_t s = slot_tag(old[j]) & mask;
        while (k->latest[s])
            s = (s + 1) & mask;
        k->latest[s] = old[j];
    }
    free(old);
}

void runtime_cache_reset(query_sink *k)
{
    if (k->latest)
        memset(k->latest, 0, sizeof *k->latest * k->nlatest);
}

void runtime_cache_add(query_sink *k, uint64_t hash)
{
    int i = k->npend - 1;
    if (k->pend[i].key_len < 0)
        return;
    if ((size_t)k->npend * 2 > k->nlatest)
        grow(k);
    uint32_t tag = (uint32_t)hash;
    size_t s = slot_of(k, i, tag);
    if (k->latest[s])
        k->pend[slot_index(k->latest[s])].partition = -1; /* superseded: not written */
    k->latest[s] = (uint64_t)tag << 32 | (uint32_t)(i + 1);
}

void runtime_cache_free(query_sink *k)
{
    free(k->latest);
    k->latest = NULL;
    k->nlatest = 0;
}
