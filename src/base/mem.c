/* mem.c — see mem.h. */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *mem_check(void *p, size_t n)
{
    if (!p && n) {
        /* Out of memory: nothing sensible can continue; data on disk is
         * safe because every durable write is complete before it is
         * acknowledged. */
        fprintf(stderr, "eddy: out of memory (%zu bytes)\n", n);
        exit(70);
    }
    return p;
}

void *mem_alloc(size_t n) { return mem_check(calloc(1, n ? n : 1), n); }

void *mem_alloc_raw(size_t n) { return mem_check(malloc(n ? n : 1), n); }

void *mem_realloc(void *p, size_t n) { return mem_check(realloc(p, n ? n : 1), n); }

char *mem_strndup(const char *s, size_t n)
{
    char *d = mem_alloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *mem_strdup(const char *s) { return mem_strndup(s, strlen(s)); }
