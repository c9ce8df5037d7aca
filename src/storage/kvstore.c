/* kvstore.c — see kvstore.h. */
#include "kvstore.h"

#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"

typedef struct entry {
    uint32_t klen, vlen, vcap;
    uint8_t data[]; /* key bytes, then value bytes (vcap of room) */
} entry;

/* A slot keeps its entry's hash beside the pointer: a probe compares
 * hashes in the (contiguous) slot array and follows a pointer only on a
 * match, so a lookup costs one cache miss for the entry it finds instead
 * of one per entry it passes. */
typedef struct slot {
    uint64_t hash;
    entry *e;
} slot;

/* One linear-probing table.  A large store is SHARDS of these, picked by
 * the hash's top bits, each doubling on its own when it is 3/4 full: a
 * doubling then moves 1/SHARDS of the entries (~0.1 ms with two million
 * entries), where doubling one table of three million entries stopped the
 * query for ~100 ms.  The shards reach 3/4 at different moments, so their
 * doublings spread out over many batches. */
typedef struct shard {
    slot *slots;
    uint32_t mask;  /* slots - 1; slots a power of two */
    uint32_t count; /* entries */
} shard;

#define SHARD_BITS 10
#define SHARDS (1u << SHARD_BITS)
/* A store starts as one table, so that a small one (there are many) stays
 * one compact allocation; when that table of SPLIT_SLOTS slots is 3/4
 * full, instead of doubling it becomes SHARDS tables with twice its slots
 * between them. */
#define SPLIT_SLOTS (1u << 15)
_Static_assert(2 * SPLIT_SLOTS / SHARDS >= 16, "a shard starts with room for a few entries");

struct kvstore {
    shard *shards;  /* &one until split, then SHARDS of them */
    uint64_t smask; /* shard index mask: 0 until split, SHARDS - 1 after */
    size_t count;
    size_t nslots; /* over all shards */
    size_t bytes;  /* entry allocations */
    shard one;
};

/* FNV-1a, then a final mix so low bits spread well for the mask. */
static uint64_t hash_bytes(const void *p, size_t n)
{
    const uint8_t *b = p;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

/* The shard of a hash: its top bits, so that the low ones a shard masks
 * its slot index with are not the same for all of a shard's entries. */
static shard *shard_of(const kvstore *s, uint64_t h) { return &s->shards[(h >> (64 - SHARD_BITS)) & s->smask]; }

static void shard_init(shard *sh, size_t cap)
{
    sh->slots = mem_alloc(sizeof(slot) * cap);
    sh->mask = (uint32_t)(cap - 1);
    sh->count = 0;
}

kvstore *kvstore_new(void)
{
    kvstore *s = mem_alloc(sizeof *s);
    s->nslots = 16;
    shard_init(&s->one, s->nslots);
    s->shards = &s->one;
    return s;
}

void kvstore_free(kvstore *s)
{
    if (!s)
        return;
    for (uint64_t k = 0; k <= s->smask; k++) {
        for (size_t i = 0; i <= s->shards[k].mask; i++)
            free(s->shards[k].slots[i].e);
        free(s->shards[k].slots);
    }
    if (s->shards != &s->one)
        free(s->shards);
    free(s);
}

static size_t find_slot(const shard *sh, const void *key, size_t klen, uint64_t h)
{
    size_t mask = sh->mask, i = h & mask;
    for (;; i = (i + 1) & mask) {
        const slot *sl = &sh->slots[i];
        if (!sl->e || (sl->hash == h && sl->e->klen == klen && memcmp(sl->e->data, key, klen) == 0))
            return i;
    }
}

/* Puts a slot of an entry not in sh yet at the first free place of its
 * probe run. */
static void shard_place(shard *sh, slot sl)
{
    size_t j = sl.hash & sh->mask;
    while (sh->slots[j].e)
        j = (j + 1) & sh->mask;
    sh->slots[j] = sl;
    sh->count++;
}

/* Doubles a shard's table. */
static void grow(kvstore *s, shard *sh)
{
    shard old = *sh;
    shard_init(sh, 2 * ((size_t)old.mask + 1));
    for (size_t i = 0; i <= old.mask; i++)
        if (old.slots[i].e)
            shard_place(sh, old.slots[i]);
    free(old.slots);
    s->nslots += (size_t)old.mask + 1;
}

/* Makes the one table SHARDS, with twice its slots between them when its
 * entries spread evenly.  They need not: a store filled in the order
 * another store's kvstore_each gave (a checkpoint read back) gets its
 * keys shard by shard, so its first 3/4 * SPLIT_SLOTS keys may all belong
 * to a few shards.  Each shard is therefore sized for what it gets, at
 * most 3/4 full. */
static void split(kvstore *s)
{
    shard old = s->one;
    uint32_t *counts = mem_alloc(sizeof(uint32_t) * SHARDS);
    for (size_t i = 0; i <= old.mask; i++)
        if (old.slots[i].e)
            counts[old.slots[i].hash >> (64 - SHARD_BITS)]++;
    s->shards = mem_alloc(sizeof(shard) * SHARDS);
    s->nslots = 0;
    for (size_t k = 0; k < SHARDS; k++) {
        size_t cap = 2 * ((size_t)old.mask + 1) / SHARDS;
        while ((size_t)counts[k] * 4 > cap * 3)
            cap *= 2;
        shard_init(&s->shards[k], cap);
        s->nslots += cap;
    }
    free(counts);
    s->smask = SHARDS - 1;
    for (size_t i = 0; i <= old.mask; i++)
        if (old.slots[i].e)
            shard_place(shard_of(s, old.slots[i].hash), old.slots[i]);
    free(old.slots);
    s->one = (shard){0};
}

uint64_t kvstore_hash(const void *key, size_t klen) { return hash_bytes(key, klen); }

const uint8_t *kvstore_find_hashed(const kvstore *s, const void *key, size_t klen, uint64_t hash, size_t *vlen,
                                   kvstore_pos *pos)
{
    const shard *sh = shard_of(s, hash);
    pos->hash = hash;
    pos->slot = find_slot(sh, key, klen, hash);
    entry *e = sh->slots[pos->slot].e;
    if (!e)
        return NULL;
    *vlen = e->vlen;
    return e->data + e->klen;
}

const uint8_t *kvstore_find(const kvstore *s, const void *key, size_t klen, size_t *vlen, kvstore_pos *pos)
{
    return kvstore_find_hashed(s, key, klen, hash_bytes(key, klen), vlen, pos);
}

void kvstore_prefetch_hashed(const kvstore *s, uint64_t hash)
{
    const shard *sh = shard_of(s, hash);
    __builtin_prefetch(&sh->slots[hash & sh->mask]);
}

void kvstore_prefetch_entry_hashed(const kvstore *s, uint64_t hash)
{
    const shard *sh = shard_of(s, hash);
    const entry *e = sh->slots[hash & sh->mask].e;
    if (e) { /* and the next line: a small entry's value often starts or ends there */
        __builtin_prefetch(e);
        __builtin_prefetch((const char *)e + 64);
    }
}

const uint8_t *kvstore_get(const kvstore *s, const void *key, size_t klen, size_t *vlen)
{
    kvstore_pos pos;
    return kvstore_find(s, key, klen, vlen, &pos);
}

uint8_t *kvstore_find_hashed_mut(kvstore *s, const void *key, size_t klen, uint64_t hash, size_t *vlen,
                                 kvstore_pos *pos)
{
    return (uint8_t *)kvstore_find_hashed(s, key, klen, hash, vlen, pos);
}

uint8_t *kvstore_get_mut(kvstore *s, const void *key, size_t klen, size_t *vlen)
{
    kvstore_pos pos;
    return (uint8_t *)kvstore_find(s, key, klen, vlen, &pos);
}

void kvstore_put(kvstore *s, const void *key, size_t klen, const void *val, size_t vlen)
{
    kvstore_pos pos = {hash_bytes(key, klen), SIZE_MAX};
    kvstore_put_at(s, &pos, key, klen, val, vlen);
}

/* The entry of key (hash h) with room for a value of `need` bytes, its
 * value bytes kept (a new entry's value is empty); `room` is the value
 * capacity to allocate when it must grow. */
static entry *reserve(kvstore *s, size_t i, uint64_t h, const void *key, size_t klen, size_t need, size_t room)
{
    shard *sh = shard_of(s, h);
    if (((size_t)sh->count + 1) * 4 > ((size_t)sh->mask + 1) * 3) {
        if (s->smask == 0 && sh->mask + 1 >= SPLIT_SLOTS)
            split(s);
        else
            grow(s, sh);
        sh = shard_of(s, h);
        i = SIZE_MAX; /* the slots moved */
    }
    if (i == SIZE_MAX)
        i = find_slot(sh, key, klen, h);
    entry *e = sh->slots[i].e;
    if (e && e->vcap >= need) /* in place: no allocation */
        return e;
    size_t size = sizeof(entry) + klen + room;
    if (e) {
        s->bytes -= sizeof(entry) + e->klen + e->vcap;
        e = mem_realloc(e, size);
    } else {
        e = mem_alloc_raw(size); /* every field set here, the value by the caller */
        e->klen = (uint32_t)klen;
        e->vlen = 0;
        memcpy(e->data, key, klen);
        sh->count++;
        s->count++;
    }
    e->vcap = (uint32_t)room;
    s->bytes += size;
    sh->slots[i] = (slot){h, e};
    return e;
}

void kvstore_put_at(kvstore *s, const kvstore_pos *pos, const void *key, size_t klen, const void *val, size_t vlen)
{
    entry *e = reserve(s, pos->slot, pos->hash, key, klen, vlen, vlen < 16 ? 16 : vlen + vlen / 2);
    memcpy(e->data + e->klen, val, vlen);
    e->vlen = (uint32_t)vlen;
}

uint8_t *kvstore_append_room(kvstore *s, const void *key, size_t klen, size_t mlen)
{
    uint64_t h = hash_bytes(key, klen);
    const shard *sh = shard_of(s, h);
    size_t i = find_slot(sh, key, klen, h);
    size_t old = sh->slots[i].e ? sh->slots[i].e->vlen : 0, need = old + mlen;
    entry *e = reserve(s, i, h, key, klen, need, need < 16 ? 16 : 2 * need); /* doubling: appends amortized O(1) */
    e->vlen = (uint32_t)need;
    return e->data + e->klen + old;
}

void kvstore_append(kvstore *s, const void *key, size_t klen, const void *more, size_t mlen)
{
    memcpy(kvstore_append_room(s, key, klen, mlen), more, mlen);
}

bool kvstore_delete(kvstore *s, const void *key, size_t klen)
{
    uint64_t h = hash_bytes(key, klen);
    shard *sh = shard_of(s, h);
    size_t mask = sh->mask, i = find_slot(sh, key, klen, h);
    slot *slots = sh->slots;
    entry *e = slots[i].e;
    if (!e)
        return false;
    s->bytes -= sizeof(entry) + e->klen + e->vcap;
    free(e);
    slots[i] = (slot){0, NULL};
    sh->count--;
    s->count--;
    /* Backward shift: move later entries of the probe run into the hole,
     * so lookups never stop early at it. */
    for (size_t j = (i + 1) & mask; slots[j].e; j = (j + 1) & mask) {
        size_t home = slots[j].hash & mask;
        bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            slots[i] = slots[j];
            slots[j] = (slot){0, NULL};
            i = j;
        }
    }
    return true;
}

size_t kvstore_count(const kvstore *s) { return s->count; }

size_t kvstore_memory(const kvstore *s)
{
    size_t shards = s->shards == &s->one ? 0 : sizeof(shard) * SHARDS;
    return s->bytes + s->nslots * sizeof(slot) + shards + sizeof *s;
}

void kvstore_each(const kvstore *s, void (*fn)(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
                                               size_t vlen),
                  void *ctx)
{
    for (uint64_t k = 0; k <= s->smask; k++)
        for (size_t i = 0; i <= s->shards[k].mask; i++) {
            const entry *e = s->shards[k].slots[i].e;
            if (e)
                fn(ctx, e->data, e->klen, e->data + e->klen, e->vlen);
        }
}
