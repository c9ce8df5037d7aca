/* log_offsets.c — consumer-group offsets, stored as records of the
 * internal compacted topic __consumer_offsets (one partition) and
 * mirrored in an in-memory hash map rebuilt by replaying it on open.
 *
 * Record key:   group '\0' topic '\0' partition (decimal)
 * Record value: the offset, 8 bytes big-endian; a tombstone (null value)
 *               forgets the key.
 * The topic is compacted, so only the latest record per key needs to
 * survive: the same rule the map applies on replay.
 *
 * A commit appends first and updates the map only when the append
 * succeeded, all under offsets.mu, so the map never runs ahead of the
 * durable log and commits are ordered the same way in both.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "log_internal.h"

struct log__offset_entry {
    log__offset_entry *next;
    uint64_t hash;
    int64_t offset;
    size_t klen;
    char key[]; /* klen bytes, with the two NULs inside */
};

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 1099511628211ull;
    return h;
}

static void offsets_key(buf *b, const char *group, const char *topic, int partition)
{
    buf_reset(b);
    buf_append(b, group, strlen(group) + 1);
    buf_append(b, topic, strlen(topic) + 1);
    buf_printf(b, "%d", partition);
}

/* Slot holding the entry for key (or the NULL slot where it would go). */
static log__offset_entry **map_slot(log__offsets *o, const char *key, size_t klen, uint64_t h)
{
    log__offset_entry **s = &o->buckets[h & (o->nbuckets - 1)];
    while (*s && !((*s)->hash == h && (*s)->klen == klen && memcmp((*s)->key, key, klen) == 0))
        s = &(*s)->next;
    return s;
}

static void map_grow(log__offsets *o)
{
    size_t n = o->nbuckets ? o->nbuckets * 2 : 64;
    log__offset_entry **b = mem_alloc(n * sizeof *b);
    for (size_t i = 0; i < o->nbuckets; i++) {
        for (log__offset_entry *x = o->buckets[i], *next; x; x = next) {
            next = x->next;
            x->next = b[x->hash & (n - 1)];
            b[x->hash & (n - 1)] = x;
        }
    }
    free(o->buckets);
    o->buckets = b;
    o->nbuckets = n;
}

static void map_set(log__offsets *o, const char *key, size_t klen, int64_t offset)
{
    if (o->count >= o->nbuckets)
        map_grow(o);
    uint64_t h = fnv1a(key, klen);
    log__offset_entry **s = map_slot(o, key, klen, h);
    if (!*s) {
        *s = mem_alloc(sizeof **s + klen);
        (*s)->hash = h;
        (*s)->klen = klen;
        memcpy((*s)->key, key, klen);
        o->count++;
    }
    (*s)->offset = offset;
}

static void map_del(log__offsets *o, const char *key, size_t klen)
{
    if (!o->nbuckets)
        return;
    log__offset_entry **s = map_slot(o, key, klen, fnv1a(key, klen));
    if (*s) {
        log__offset_entry *x = *s;
        *s = x->next;
        free(x);
        o->count--;
    }
}

static void put_be64(uint8_t *p, int64_t v)
{
    for (int i = 7; i >= 0; i--, v = (int64_t)((uint64_t)v >> 8))
        p[i] = (uint8_t)v;
}

static int64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

int log_offset_commit(eventlog *l, const char *group, const char *topic, int partition,
                      int64_t offset, err *e)
{
    log__offsets *o = &l->offsets;
    buf key = BUF_INIT;
    offsets_key(&key, group, topic, partition);
    uint8_t value[8];
    put_be64(value, offset);
    log_record rec = {.key = (const uint8_t *)key.data, .key_len = (int32_t)key.len,
                      .value = value, .value_len = 8};
    pthread_mutex_lock(&o->mu);
    int rc = log_append(o->topic, 0, &rec, 1, e);
    if (rc == 0)
        map_set(o, key.data, key.len, offset);
    pthread_mutex_unlock(&o->mu);
    buf_free(&key);
    return rc;
}

int log_offset_commit_many(eventlog *l, const char *group, const log_offset_entry *entries, int n, err *e)
{
    log__offsets *o = &l->offsets;
    buf keys = BUF_INIT, one = BUF_INIT;
    size_t *offs = mem_alloc(sizeof(size_t) * (size_t)(n + 1));
    uint8_t *values = mem_alloc(8 * (size_t)(n ? n : 1));
    log_record *recs = mem_alloc(sizeof *recs * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        offsets_key(&one, group, entries[i].topic, entries[i].partition);
        offs[i] = keys.len;
        buf_append(&keys, one.data, one.len);
        put_be64(values + 8 * i, entries[i].offset);
    }
    offs[n] = keys.len;
    for (int i = 0; i < n; i++)
        recs[i] = (log_record){.key = (const uint8_t *)keys.data + offs[i], .key_len = (int32_t)(offs[i + 1] - offs[i]),
                               .value = values + 8 * i, .value_len = 8};
    pthread_mutex_lock(&o->mu);
    int rc = n ? log_append(o->topic, 0, recs, n, e) : 0;
    for (int i = 0; rc == 0 && i < n; i++)
        map_set(o, keys.data + offs[i], offs[i + 1] - offs[i], entries[i].offset);
    pthread_mutex_unlock(&o->mu);
    free(recs);
    free(values);
    free(offs);
    buf_free(&one);
    buf_free(&keys);
    return rc;
}

int64_t log_offset_fetch(eventlog *l, const char *group, const char *topic, int partition)
{
    log__offsets *o = &l->offsets;
    buf key = BUF_INIT;
    offsets_key(&key, group, topic, partition);
    pthread_mutex_lock(&o->mu);
    int64_t v = -1;
    if (o->nbuckets) {
        log__offset_entry *x = *map_slot(o, key.data, key.len, fnv1a(key.data, key.len));
        if (x)
            v = x->offset;
    }
    pthread_mutex_unlock(&o->mu);
    buf_free(&key);
    return v;
}

/* Collects the entries of `group` (key prefix group '\0') as tombstones. */
static int offsets_group_tombstones(log__offsets *o, const char *group, log_record **recs)
{
    size_t plen = strlen(group) + 1;
    int n = 0, cap = 0;
    *recs = NULL;
    for (size_t i = 0; i < o->nbuckets; i++) {
        for (log__offset_entry *x = o->buckets[i]; x; x = x->next) {
            if (x->klen < plen || memcmp(x->key, group, plen) != 0)
                continue;
            if (n == cap)
                *recs = mem_realloc(*recs, (size_t)(cap = cap ? cap * 2 : 8) * sizeof **recs);
            (*recs)[n++] = (log_record){.key = (const uint8_t *)x->key,
                                        .key_len = (int32_t)x->klen, .value_len = -1};
        }
    }
    return n;
}

int log_offset_forget(eventlog *l, const char *group, err *e)
{
    log__offsets *o = &l->offsets;
    pthread_mutex_lock(&o->mu);
    log_record *recs;
    int n = offsets_group_tombstones(o, group, &recs);
    int rc = n ? log_append(o->topic, 0, recs, n, e) : 0;
    /* The keys live in the entries, so copy each before freeing it. */
    for (int i = 0; rc == 0 && i < n; i++) {
        char *k = mem_strndup((const char *)recs[i].key, (size_t)recs[i].key_len);
        map_del(o, k, (size_t)recs[i].key_len);
        free(k);
    }
    pthread_mutex_unlock(&o->mu);
    free(recs);
    return rc;
}

/* ---- replay on open ---- */

/* True when key is group '\0' topic '\0' digits. */
static bool offsets_key_ok(const uint8_t *key, int32_t len)
{
    if (len < 0)
        return false;
    const uint8_t *end = key + len;
    const uint8_t *a = memchr(key, 0, (size_t)len);
    const uint8_t *b = a ? memchr(a + 1, 0, (size_t)(end - a - 1)) : NULL;
    if (!b || b + 1 == end)
        return false;
    for (const uint8_t *p = b + 1; p < end; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

static int offsets_apply(log__offsets *o, const log_record *r, err *e)
{
    if (!offsets_key_ok(r->key, r->key_len) || (r->value_len != 8 && r->value_len != -1))
        return err_set(e, ERR_CORRUPT, "topic %s: malformed record at offset %" PRId64,
                       LOG_OFFSETS_TOPIC, r->offset);
    if (r->value_len == 8)
        map_set(o, (const char *)r->key, (size_t)r->key_len, get_be64(r->value));
    else
        map_del(o, (const char *)r->key, (size_t)r->key_len);
    return 0;
}

static int offsets_replay(log__offsets *o, err *e)
{
    log_reader *r = log_reader_open(o->topic, 0, 0);
    log_record recs[64];
    int n, rc = 0;
    while (rc == 0 && (n = log_read(r, recs, 64, e)) > 0)
        for (int i = 0; i < n && rc == 0; i++)
            rc = offsets_apply(o, &recs[i], e);
    if (n < 0)
        rc = -1;
    log_reader_close(r);
    return rc;
}

int log__offsets_open(eventlog *l, err *e)
{
    log__offsets *o = &l->offsets;
    o->topic = log_topic_find(l, LOG_OFFSETS_TOPIC);
    if (!o->topic) {
        log_topic_config cfg = {.partitions = 1, .compact = true};
        o->topic = log_topic_create(l, LOG_OFFSETS_TOPIC, &cfg, e);
        if (!o->topic)
            return -1;
    }
    if (log_topic_partitions(o->topic) != 1)
        return err_set(e, ERR_CORRUPT, "topic %s must have 1 partition, not %d",
                       LOG_OFFSETS_TOPIC, log_topic_partitions(o->topic));
    return offsets_replay(o, e);
}

void log__offsets_close(eventlog *l)
{
    log__offsets *o = &l->offsets;
    for (size_t i = 0; i < o->nbuckets; i++) {
        for (log__offset_entry *x = o->buckets[i], *next; x; x = next) {
            next = x->next;
            free(x);
        }
    }
    free(o->buckets);
    o->buckets = NULL;
    o->nbuckets = o->count = 0;
}
