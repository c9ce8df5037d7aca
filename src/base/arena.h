/* arena — a bump allocator for things that die together.
 *
 * A statement's AST and analysis, or a batch's decoded values, are
 * allocated from one arena and released at once with arena_reset or
 * arena_free.  Pointers returned stay valid until the next reset/free.
 * An arena is used by one thread at a time.
 */
#ifndef EDDY_ARENA_H
#define EDDY_ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk;

typedef struct arena {
    arena_chunk *head;  /* chunk being filled; older chunks follow */
    size_t chunk_size;  /* default size of a new chunk */
} arena;

void arena_init(arena *a, size_t chunk_size);
void *arena_alloc(arena *a, size_t n);  /* zeroed, 8-byte aligned */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_printf(arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Forget everything allocated; keeps the first chunk for reuse. */
void arena_reset(arena *a);
void arena_free(arena *a);

#endif
