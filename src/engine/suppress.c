/* suppress.c — see suppress.h. */
#include "suppress.h"

#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "../storage/kvstore.h"

/* An open window.  Windows live in a slab (ids are slab slots, reused
 * through a free list), so a heap moves 4-byte ids, and the index maps a
 * key to its id, which stays put while the heaps reorder. */
typedef struct win {
    uint8_t *key; /* malloc'd copy */
    size_t klen;
    int64_t wend;
    uint64_t seq; /* opening number: orders windows with the same end */
    int task;
    uint32_t pos; /* its place in its task's heap */
    bool indexed; /* in the index (not opened by suppress_open) */
} win;

typedef struct heap {
    uint32_t *ids;
    size_t n, cap;
} heap;

struct suppress {
    win *wins;
    uint32_t nwins, capwins;
    uint32_t *free_ids;
    uint32_t nfree, capfree;
    heap *heaps; /* heaps[task + 1]: task -1 (any task) is heaps[0] */
    int nheaps;
    kvstore *index; /* store key -> id (a uint32_t) */
    uint64_t next_seq;
    size_t count;
    uint8_t *popped; /* the key suppress_pop returned last */
};

suppress *suppress_new(void)
{
    suppress *s = mem_alloc(sizeof *s);
    s->index = kvstore_new();
    return s;
}

void suppress_free(suppress *s)
{
    if (!s)
        return;
    for (int h = 0; h < s->nheaps; h++) {
        for (size_t i = 0; i < s->heaps[h].n; i++)
            free(s->wins[s->heaps[h].ids[i]].key);
        free(s->heaps[h].ids);
    }
    free(s->heaps);
    free(s->wins);
    free(s->free_ids);
    kvstore_free(s->index);
    free(s->popped);
    free(s);
}

size_t suppress_count(const suppress *s) { return s->count; }

/* ---- the heaps ----------------------------------------------------------- */

static bool before(const suppress *s, uint32_t a, uint32_t b)
{
    const win *x = &s->wins[a], *y = &s->wins[b];
    return x->wend < y->wend || (x->wend == y->wend && x->seq < y->seq);
}

static void heap_set(suppress *s, heap *h, size_t i, uint32_t id)
{
    h->ids[i] = id;
    s->wins[id].pos = (uint32_t)i;
}

static void sift_up(suppress *s, heap *h, size_t i)
{
    uint32_t id = h->ids[i];
    while (i > 0 && before(s, id, h->ids[(i - 1) / 2])) {
        heap_set(s, h, i, h->ids[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(s, h, i, id);
}

static void sift_down(suppress *s, heap *h, size_t i)
{
    uint32_t id = h->ids[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && before(s, h->ids[c + 1], h->ids[c]))
            c++;
        if (!before(s, h->ids[c], id))
            break;
        heap_set(s, h, i, h->ids[c]);
        i = c;
    }
    heap_set(s, h, i, id);
}

/* The heap of task's windows, made when missing. */
static heap *task_heap(suppress *s, int task)
{
    int h = task < 0 ? 0 : task + 1;
    if (h >= s->nheaps) {
        s->heaps = mem_realloc(s->heaps, sizeof *s->heaps * (size_t)(h + 1));
        memset(s->heaps + s->nheaps, 0, sizeof *s->heaps * (size_t)(h + 1 - s->nheaps));
        s->nheaps = h + 1;
    }
    return &s->heaps[h];
}

/* Takes window id out of its heap (the last one fills its place). */
static void heap_delete(suppress *s, uint32_t id)
{
    heap *h = task_heap(s, s->wins[id].task);
    size_t i = s->wins[id].pos;
    uint32_t last = h->ids[--h->n];
    if (i == h->n)
        return;
    heap_set(s, h, i, last);
    sift_up(s, h, i);
    sift_down(s, h, s->wins[last].pos);
}

/* ---- opening, updating, closing ------------------------------------------ */

static uint32_t new_id(suppress *s)
{
    if (s->nfree)
        return s->free_ids[--s->nfree];
    if (s->nwins == s->capwins) {
        s->capwins = s->capwins ? 2 * s->capwins : 64;
        s->wins = mem_realloc(s->wins, sizeof *s->wins * s->capwins);
    }
    return s->nwins++;
}

static void free_id(suppress *s, uint32_t id)
{
    if (s->nfree == s->capfree) {
        s->capfree = s->capfree ? 2 * s->capfree : 64;
        s->free_ids = mem_realloc(s->free_ids, sizeof *s->free_ids * s->capfree);
    }
    s->free_ids[s->nfree++] = id;
}

/* Opens a window; at is its place in the index, or NULL to leave it out. */
static void open_window(suppress *s, const kvstore_pos *at, const void *key, size_t klen, int64_t wend, int task)
{
    uint32_t id = new_id(s);
    win *w = &s->wins[id];
    w->key = mem_alloc(klen ? klen : 1);
    memcpy(w->key, key, klen);
    w->klen = klen;
    w->wend = wend;
    w->seq = s->next_seq++;
    w->task = task < 0 ? -1 : task;
    w->indexed = at != NULL;
    if (at)
        kvstore_put_at(s->index, at, key, klen, &id, sizeof id);
    heap *h = task_heap(s, w->task);
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 64;
        h->ids = mem_realloc(h->ids, sizeof *h->ids * h->cap);
    }
    h->ids[h->n++] = id;
    sift_up(s, h, h->n - 1);
    s->count++;
}

void suppress_touch(suppress *s, const void *key, size_t klen, int64_t wend, int task)
{
    kvstore_pos at;
    size_t vlen;
    const uint8_t *v = kvstore_find(s->index, key, klen, &vlen, &at);
    if (!v) {
        open_window(s, &at, key, klen, wend, task);
        return;
    }
    uint32_t id;
    memcpy(&id, v, sizeof id);
    win *w = &s->wins[id];
    if (wend != w->wend) {
        heap *h = task_heap(s, w->task);
        w->wend = wend;
        sift_up(s, h, w->pos);
        sift_down(s, h, w->pos);
    }
}

void suppress_open(suppress *s, const void *key, size_t klen, int64_t wend, int task)
{
    open_window(s, NULL, key, klen, wend, task);
}

/* Takes window id out of the buffer; returns its key (the caller's). */
static uint8_t *take(suppress *s, uint32_t id)
{
    win *w = &s->wins[id];
    uint8_t *key = w->key;
    if (w->indexed)
        kvstore_delete(s->index, key, w->klen);
    heap_delete(s, id);
    free_id(s, id);
    s->count--;
    return key;
}

bool suppress_remove(suppress *s, const void *key, size_t klen)
{
    size_t vlen;
    const uint8_t *v = kvstore_get(s->index, key, klen, &vlen);
    if (!v)
        return false;
    uint32_t id;
    memcpy(&id, v, sizeof id);
    free(take(s, id));
    return true;
}

/* The first window of task's heap, or UINT32_MAX. */
static uint32_t top(const suppress *s, int task)
{
    int h = task < 0 ? 0 : task + 1;
    return h < s->nheaps && s->heaps[h].n ? s->heaps[h].ids[0] : UINT32_MAX;
}

bool suppress_pop(suppress *s, int task, int64_t until, suppress_window *out)
{
    uint32_t mine = top(s, task), any = task < 0 ? UINT32_MAX : top(s, -1), id = mine;
    if (id == UINT32_MAX || (any != UINT32_MAX && before(s, any, id)))
        id = any;
    if (id == UINT32_MAX || s->wins[id].wend > until)
        return false;
    const win *w = &s->wins[id];
    *out = (suppress_window){NULL, w->klen, w->wend, w->task};
    free(s->popped);
    s->popped = take(s, id);
    out->key = s->popped;
    return true;
}
