/* mem — allocation that cannot fail silently.
 *
 * Eddy treats running out of heap as fatal: mem_alloc and friends either
 * return memory or end the process with a message (the only place besides
 * main that exits).  Everything else may therefore assume allocation works.
 */
#ifndef EDDY_MEM_H
#define EDDY_MEM_H

#include <stddef.h>

void *mem_alloc(size_t n);             /* zeroed; caller owns */
/* Not zeroed, for memory the caller fills at once (malloc: glibc serves it
 * from the thread's cache of freed blocks, which calloc bypasses, so a
 * store that frees and allocates entries all the time keeps that cache
 * working and its frees cheap). */
void *mem_alloc_raw(size_t n);
void *mem_realloc(void *p, size_t n);  /* like realloc; caller owns result */
char *mem_strndup(const char *s, size_t n);
char *mem_strdup(const char *s);

#endif
