/* runtime_cache.c — see runtime_cache.h. */
#include "runtime_cache.h"

#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"

/* k->latest: open addressing over pending indices + 1 (0: empty), by key
 * hash; at most half full. */

static const uint8_t *pending_key(const query_sink *k, const pending *pd)
{
    return (const uint8_t *)k->keys.data + pd->key_off;
}

static bool same_key(const query_sink *k, const pending *a, const pending *b)
{
    return a->key_len == b->key_len && memcmp(pending_key(k, a), pending_key(k, b), (size_t)a->key_len) == 0;
}

/* The slot of pending record i: the one holding a record of its key, or
 * the empty one where it goes. */
static size_t slot_of(const query_sink *k, int i)
{
    const pending *pd = &k->pend[i];
    size_t mask = k->nlatest - 1;
    size_t s = log_murmur2(pending_key(k, pd), (size_t)pd->key_len) & mask;
    while (k->latest[s] && !same_key(k, &k->pend[k->latest[s] - 1], pd))
        s = (s + 1) & mask;
    return s;
}

/* Doubles the table and puts the live records of the batch back, all but
 * the last one (being added). */
static void grow(query_sink *k)
{
    free(k->latest);
    k->nlatest = k->nlatest ? 2 * k->nlatest : 1024;
    k->latest = mem_alloc(sizeof *k->latest * k->nlatest);
    for (int i = 0; i < k->npend - 1; i++)
        if (k->pend[i].partition >= 0 && k->pend[i].key_len >= 0)
            k->latest[slot_of(k, i)] = (uint32_t)i + 1;
}

void runtime_cache_reset(query_sink *k)
{
    if (k->latest)
        memset(k->latest, 0, sizeof *k->latest * k->nlatest);
}

void runtime_cache_add(query_sink *k)
{
    int i = k->npend - 1;
    if (k->pend[i].key_len < 0)
        return;
    if ((size_t)k->npend * 2 > k->nlatest)
        grow(k);
    size_t s = slot_of(k, i);
    if (k->latest[s])
        k->pend[k->latest[s] - 1].partition = -1; /* superseded: not written */
    k->latest[s] = (uint32_t)i + 1;
}

void runtime_cache_free(query_sink *k)
{
    free(k->latest);
    k->latest = NULL;
    k->nlatest = 0;
}
