/* kvstore — an in-memory key-value state store: byte keys to byte values.
 *
 * The engine keeps aggregate states and table rows here; durability comes
 * from the changelog topic the engine writes beside every change and
 * replays into a fresh store on start (the store itself never touches
 * disk).  Open addressing with linear probing and backward-shift deletion
 * over slots of (hash, entry pointer), so a probe reads entries only on a
 * hash match; one allocation per entry (key and value together).  A
 * large store is split into many such tables by hash, each growing on its
 * own, so that no put stops for long to move the whole store.
 *
 * Ownership: the store copies keys and values in.  A pointer returned by
 * kvstore_get stays valid until that key is put or deleted, or the store
 * is freed.  Not thread-safe: one task owns a store.
 */
#ifndef EDDY_KVSTORE_H
#define EDDY_KVSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kvstore kvstore;

kvstore *kvstore_new(void);
void kvstore_free(kvstore *s);

/* The value stored for key, or NULL. */
const uint8_t *kvstore_get(const kvstore *s, const void *key, size_t klen, size_t *vlen);
void kvstore_put(kvstore *s, const void *key, size_t klen, const void *val, size_t vlen);
/* kvstore_get for a change of the value's bytes in place (not of its
 * length). */
uint8_t *kvstore_get_mut(kvstore *s, const void *key, size_t klen, size_t *vlen);
/* A looked-up key's place, so that a put right after a get does not look
 * it up again (a read-modify-write of one entry, as an aggregation does).
 * Valid until the store is changed. */
typedef struct kvstore_pos {
    uint64_t hash;
    size_t slot;
} kvstore_pos;
/* kvstore_get that also fills *pos. */
const uint8_t *kvstore_find(const kvstore *s, const void *key, size_t klen, size_t *vlen, kvstore_pos *pos);
/* kvstore_put of the key kvstore_find gave *pos for (the same key bytes),
 * with no change to the store in between. */
void kvstore_put_at(kvstore *s, const kvstore_pos *pos, const void *key, size_t klen, const void *val, size_t vlen);
/* Adds bytes at the end of key's value (an empty one when key is new),
 * growing its room by doubling: a value built by appends costs O(1) per
 * byte appended. */
void kvstore_append(kvstore *s, const void *key, size_t klen, const void *more, size_t mlen);
/* Prefetching, by the key's hash (kvstore_hash, so that a key looked up
 * several times is hashed once).  A hint that a key is about to be
 * looked up: its slot is fetched into the cache meanwhile, so lookups of
 * several keys overlap their cache misses (a hopping window's record
 * updates one entry per window). */
uint64_t kvstore_hash(const void *key, size_t klen);
void kvstore_prefetch_hashed(const kvstore *s, uint64_t hash);
/* The second step of a prefetch: reads the key's home slot (fetched by
 * an earlier kvstore_prefetch_hashed, ideally) and fetches the entry it
 * points to: the key's own, unless a collision put that further on. */
void kvstore_prefetch_entry_hashed(const kvstore *s, uint64_t hash);
/* kvstore_find of a key whose kvstore_hash is `hash`. */
const uint8_t *kvstore_find_hashed(const kvstore *s, const void *key, size_t klen, uint64_t hash, size_t *vlen,
                                   kvstore_pos *pos);
/* kvstore_append of mlen bytes the caller writes at the pointer returned
 * (before the store changes): a value made of several pieces is appended
 * with one lookup. */
uint8_t *kvstore_append_room(kvstore *s, const void *key, size_t klen, size_t mlen);
/* kvstore_find_hashed for a change of the value's bytes in place (not
 * of its length), as kvstore_get_mut. */
uint8_t *kvstore_find_hashed_mut(kvstore *s, const void *key, size_t klen, uint64_t hash, size_t *vlen,
                                 kvstore_pos *pos);
/* False when there was no such key. */
bool kvstore_delete(kvstore *s, const void *key, size_t klen);
size_t kvstore_count(const kvstore *s);
/* Bytes held by entries and the table (what the store costs in memory). */
size_t kvstore_memory(const kvstore *s);
/* Calls fn for every entry, in no particular order; fn must not change
 * the store. */
void kvstore_each(const kvstore *s, void (*fn)(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val,
                                               size_t vlen),
                  void *ctx);

#endif
