/* store_window — the window index of a windowed key-value store: which
 * store keys belong to each window start, oldest start first, so that
 * windows past their retention can be dropped from the store oldest first
 * without scanning it (Kafka's window stores drop whole time segments the
 * same way).
 *
 * A windowed store key ends with its window start, 8 bytes big-endian
 * (op_aggregate.h); the index keeps a copy of each key under that start,
 * so an indexed entry costs its key length + 4 bytes more.  Keys are
 * added once, when their entry is created; a key that is no longer in
 * the store when its window expires is skipped.
 *
 * Expiry is bounded: each call drops at most `max` entries, the rest
 * waits for the next call (STYLE.md: bounded steps).
 *
 * Ownership: the index copies keys in.  Not thread-safe: the task that
 * owns the store owns its index.
 */
#ifndef EDDY_STORE_WINDOW_H
#define EDDY_STORE_WINDOW_H

#include <stddef.h>
#include <stdint.h>

#include "kvstore.h"

typedef struct window_index window_index;

window_index *window_index_new(void);
void window_index_free(window_index *w);

/* Indexes a new store key (klen >= 8; shorter keys are ignored). */
void window_index_add(window_index *w, const uint8_t *key, size_t klen);
/* Indexes every entry of s (on start, after the store is restored). */
void window_index_build(window_index *w, const kvstore *s);

/* Deletes from s the indexed entries whose window start is < before,
 * oldest start first, at most max of them; calls fn (may be NULL) with
 * each key deleted, after it is gone from s.  Returns how many entries
 * were deleted. */
size_t window_index_expire(window_index *w, kvstore *s, int64_t before, size_t max,
                           void (*fn)(void *ctx, const uint8_t *key, size_t klen), void *ctx);

/* Keys indexed and not expired yet. */
size_t window_index_count(const window_index *w);

#endif
