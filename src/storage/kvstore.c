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

struct kvstore {
    slot *slots;
    size_t cap; /* power of two */
    size_t count;
    size_t bytes; /* entry allocations */
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

kvstore *kvstore_new(void)
{
    kvstore *s = mem_alloc(sizeof *s);
    s->cap = 16;
    s->slots = mem_alloc(sizeof(slot) * s->cap);
    return s;
}

void kvstore_free(kvstore *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->cap; i++)
        free(s->slots[i].e);
    free(s->slots);
    free(s);
}

static size_t find_slot(const kvstore *s, const void *key, size_t klen, uint64_t h)
{
    size_t mask = s->cap - 1, i = h & mask;
    for (;; i = (i + 1) & mask) {
        const slot *sl = &s->slots[i];
        if (!sl->e || (sl->hash == h && sl->e->klen == klen && memcmp(sl->e->data, key, klen) == 0))
            return i;
    }
}

static void grow(kvstore *s)
{
    slot *old = s->slots;
    size_t oldcap = s->cap;
    s->cap *= 2;
    s->slots = mem_alloc(sizeof(slot) * s->cap);
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].e) {
            size_t j = old[i].hash & (s->cap - 1);
            while (s->slots[j].e)
                j = (j + 1) & (s->cap - 1);
            s->slots[j] = old[i];
        }
    free(old);
}

uint64_t kvstore_hash(const void *key, size_t klen) { return hash_bytes(key, klen); }

const uint8_t *kvstore_find_hashed(const kvstore *s, const void *key, size_t klen, uint64_t hash, size_t *vlen,
                                   kvstore_pos *pos)
{
    pos->hash = hash;
    pos->slot = find_slot(s, key, klen, hash);
    entry *e = s->slots[pos->slot].e;
    if (!e)
        return NULL;
    *vlen = e->vlen;
    return e->data + e->klen;
}

const uint8_t *kvstore_find(const kvstore *s, const void *key, size_t klen, size_t *vlen, kvstore_pos *pos)
{
    return kvstore_find_hashed(s, key, klen, hash_bytes(key, klen), vlen, pos);
}

void kvstore_prefetch_hashed(const kvstore *s, uint64_t hash) { __builtin_prefetch(&s->slots[hash & (s->cap - 1)]); }

void kvstore_prefetch_entry_hashed(const kvstore *s, uint64_t hash)
{
    const entry *e = s->slots[hash & (s->cap - 1)].e;
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
    if ((s->count + 1) * 4 > s->cap * 3) {
        grow(s);
        i = SIZE_MAX; /* the slots moved */
    }
    if (i == SIZE_MAX)
        i = find_slot(s, key, klen, h);
    entry *e = s->slots[i].e;
    if (e && e->vcap >= need) /* in place: no allocation */
        return e;
    size_t size = sizeof(entry) + klen + room;
    if (e) {
        s->bytes -= sizeof(entry) + e->klen + e->vcap;
        e = mem_realloc(e, size);
    } else {
        e = mem_alloc(size);
        e->klen = (uint32_t)klen;
        e->vlen = 0;
        memcpy(e->data, key, klen);
        s->count++;
    }
    e->vcap = (uint32_t)room;
    s->bytes += size;
    s->slots[i] = (slot){h, e};
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
    size_t i = find_slot(s, key, klen, h);
    size_t old = s->slots[i].e ? s->slots[i].e->vlen : 0, need = old + mlen;
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
    size_t mask = s->cap - 1, i = find_slot(s, key, klen, hash_bytes(key, klen));
    entry *e = s->slots[i].e;
    if (!e)
        return false;
    s->bytes -= sizeof(entry) + e->klen + e->vcap;
    free(e);
    s->slots[i] = (slot){0, NULL};
    s->count--;
    /* Backward shift: move later entries of the probe run into the hole,
     * so lookups never stop early at it. */
    for (size_t j = (i + 1) & mask; s->slots[j].e; j = (j + 1) & mask) {
        size_t home = s->slots[j].hash & mask;
        bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
        if (movable) {
            s->slots[i] = s->slots[j];
            s->slots[j] = (slot){0, NULL};
            i = j;
        }
    }
    return true;
}

size_t kvstore_count(const kvstore *s) { return s->count; }

size_t kvstore_memory(const kvstore *s) { return s->bytes + s->cap * sizeof(slot) + sizeof *s; }

void kvstore_each(const kvstore *s, void (*fn)(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
                                               size_t vlen),
                  void *ctx)
{
    for (size_t i = 0; i < s->cap; i++) {
        const entry *e = s->slots[i].e;
        if (e)
            fn(ctx, e->data, e->klen, e->data + e->klen, e->vlen);
    }
}
