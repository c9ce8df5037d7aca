/* kvstore — an in-memory key-value state store: byte keys to byte values.
 *
 * The engine keeps aggregate states and table rows here; durability comes
 * from the changelog topic the engine writes beside every change and
 * replays into a fresh store on start (the store itself never touches
 * disk).  Open addressing with linear probing and backward-shift deletion;
 * one allocation per entry (key and value together).
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
