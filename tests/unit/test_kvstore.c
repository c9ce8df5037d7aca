/* test_kvstore — the key-value store (kvstore.h) against a naive model:
 * a long random mix of puts, gets, find-then-puts, appends, changes in
 * place and deletes over a key space large enough that the store grows
 * many times (past the size where it splits into many tables), checking
 * every answer, and that kvstore_count and kvstore_each see every entry
 * exactly once with its value.  Also what the store says it costs in
 * memory. */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "storage/kvstore.h"

#define KEYS 60000
#define VMAX 200

/* The model: each key id's value, when present. */
typedef struct model {
    bool present[KEYS];
    uint8_t val[KEYS][VMAX];
    size_t vlen[KEYS];
    size_t count;
    uint64_t rng;
} model;

static uint64_t next(model *m)
{
    m->rng ^= m->rng << 13;
    m->rng ^= m->rng >> 7;
    m->rng ^= m->rng << 17;
    return m->rng;
}

/* Key bytes of an id: lengths vary from 4 to 19, and some hold zero
 * bytes (keys are bytes, not strings). */
static size_t make_key(uint32_t id, uint8_t *k)
{
    size_t len = 4 + id % 16;
    memset(k, 0, len);
    memcpy(k, &id, sizeof id);
    for (size_t i = 4; i < len; i++)
        k[i] = (uint8_t)(i % 3 == 0 ? 0 : id * 31 + i);
    return len;
}

static uint32_t key_id(const uint8_t *k, size_t klen)
{
    assert_true(klen >= 4);
    uint32_t id;
    memcpy(&id, k, sizeof id);
    return id;
}

static void random_bytes(model *m, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)next(m);
}

static void check_get(const kvstore *s, const model *m, uint32_t id)
{
    uint8_t k[32];
    size_t kl = make_key(id, k), vl = 12345;
    const uint8_t *v = kvstore_get(s, k, kl, &vl);
    if (!m->present[id]) {
        assert_null(v);
        return;
    }
    assert_non_null(v);
    assert_int_equal(vl, m->vlen[id]);
    assert_memory_equal(v, m->val[id], vl);
}

static void op_put(kvstore *s, model *m, uint32_t id)
{
    uint8_t k[32];
    size_t kl = make_key(id, k), vl = next(m) % VMAX;
    random_bytes(m, m->val[id], vl);
    kvstore_put(s, k, kl, m->val[id], vl);
    m->count += !m->present[id];
    m->present[id] = true;
    m->vlen[id] = vl;
}

/* Find, then put at the place found (a read-modify-write): the value
 * found is the model's, and the put lands on the same key. */
static void op_find_put_at(kvstore *s, model *m, uint32_t id)
{
    uint8_t k[32];
    size_t kl = make_key(id, k), vl = 0;
    uint64_t h = kvstore_hash(k, kl);
    kvstore_prefetch_hashed(s, h);
    kvstore_prefetch_entry_hashed(s, h);
    kvstore_pos pos;
    const uint8_t *v = kvstore_find_hashed(s, k, kl, h, &vl, &pos);
    assert_int_equal(v != NULL, m->present[id]);
    if (v) {
        assert_int_equal(vl, m->vlen[id]);
        assert_memory_equal(v, m->val[id], vl);
    }
    vl = next(m) % VMAX;
    random_bytes(m, m->val[id], vl);
    kvstore_put_at(s, &pos, k, kl, m->val[id], vl);
    m->count += !m->present[id];
    m->present[id] = true;
    m->vlen[id] = vl;
}

static void op_append(kvstore *s, model *m, uint32_t id)
{
    uint8_t k[32], more[16];
    size_t kl = make_key(id, k), have = m->present[id] ? m->vlen[id] : 0;
    size_t ml = next(m) % sizeof more;
    if (have + ml > VMAX) {
        op_put(s, m, id);
        return;
    }
    random_bytes(m, more, ml);
    kvstore_append(s, k, kl, more, ml);
    memcpy(m->val[id] + have, more, ml);
    m->count += !m->present[id];
    m->present[id] = true;
    m->vlen[id] = have + ml;
}

/* A change of a value's bytes in place, through kvstore_find_hashed_mut. */
static void op_change(kvstore *s, model *m, uint32_t id)
{
    uint8_t k[32];
    size_t kl = make_key(id, k), vl = 0;
    kvstore_pos pos;
    uint8_t *v = kvstore_find_hashed_mut(s, k, kl, kvstore_hash(k, kl), &vl, &pos);
    assert_int_equal(v != NULL, m->present[id]);
    if (!v || vl == 0)
        return;
    v[0] ^= 0x5a;
    m->val[id][0] ^= 0x5a;
}

static void op_delete(kvstore *s, model *m, uint32_t id)
{
    uint8_t k[32];
    size_t kl = make_key(id, k);
    assert_int_equal(kvstore_delete(s, k, kl), m->present[id]);
    m->count -= m->present[id];
    m->present[id] = false;
}

typedef struct seen {
    const model *m;
    uint8_t times[KEYS];
    size_t n;
} seen;

static void see(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    seen *sn = ctx;
    uint32_t id = key_id(key, klen);
    assert_true(id < KEYS);
    uint8_t want[32];
    assert_int_equal(klen, make_key(id, want));
    assert_memory_equal(key, want, klen);
    assert_true(sn->m->present[id]);
    assert_int_equal(vlen, sn->m->vlen[id]);
    assert_memory_equal(val, sn->m->val[id], vlen);
    assert_int_equal(sn->times[id]++, 0);
    sn->n++;
}

/* kvstore_count and kvstore_each agree with the model: every entry once. */
static void check_all(const kvstore *s, const model *m)
{
    assert_int_equal(kvstore_count(s), m->count);
    seen *sn = calloc(1, sizeof *sn);
    sn->m = m;
    kvstore_each(s, see, sn);
    assert_int_equal(sn->n, m->count);
    free(sn);
}

/* A key among the first `span` ids, so the store's size follows span. */
static uint32_t pick(model *m, uint32_t span) { return (uint32_t)(next(m) % span); }

static void random_ops(kvstore *s, model *m, int n, uint32_t span, unsigned delete_pct)
{
    for (int i = 0; i < n; i++) {
        uint32_t id = pick(m, span);
        unsigned r = (unsigned)(next(m) % 100);
        if (r < delete_pct)
            op_delete(s, m, id);
        else if (r < delete_pct + 25)
            op_put(s, m, id);
        else if (r < delete_pct + 50)
            op_find_put_at(s, m, id);
        else if (r < delete_pct + 60)
            op_append(s, m, id);
        else if (r < delete_pct + 70)
            op_change(s, m, id);
        else
            check_get(s, m, id);
    }
}

/* The store grows from empty to tens of thousands of entries while keys
 * are also deleted, then shrinks to nothing by deletes and fills again:
 * every get, find and delete answers as the model does throughout. */
static void test_kvstore_matches_model_across_growth(void **state)
{
    (void)state;
    model *m = calloc(1, sizeof *m);
    m->rng = 0x9e3779b97f4a7c15ull;
    kvstore *s = kvstore_new();
    for (uint32_t span = 64;; span *= 2) {
        if (span > KEYS)
            span = KEYS;
        random_ops(s, m, (int)span * 3, span, 10); /* growing, deletes meanwhile */
        check_all(s, m);
        if (span == KEYS)
            break;
    }
    assert_true(kvstore_count(s) > 40000);
    random_ops(s, m, 100000, KEYS, 60); /* mostly deletes */
    check_all(s, m);
    for (uint32_t id = 0; id < KEYS; id++) /* everything, in key order */
        op_delete(s, m, id);
    check_all(s, m);
    assert_int_equal(kvstore_count(s), 0);
    random_ops(s, m, 3 * KEYS, KEYS, 5); /* and full again */
    check_all(s, m);
    for (uint32_t id = 0; id < KEYS; id++)
        check_get(s, m, id);
    kvstore_free(s);
    free(m);
}

/* Inserting keys in order and deleting them in order (as window expiry
 * does) keeps the store right at every size it passes. */
static void test_kvstore_sliding_inserts_and_deletes(void **state)
{
    (void)state;
    model *m = calloc(1, sizeof *m);
    m->rng = 12345;
    kvstore *s = kvstore_new();
    for (uint32_t id = 0; id < KEYS; id++) {
        op_put(s, m, id);
        if (id >= 30000)
            op_delete(s, m, id - 30000);
        if (id % 7919 == 0)
            check_all(s, m);
    }
    check_all(s, m);
    assert_int_equal(kvstore_count(s), 30000);
    kvstore_free(s);
    free(m);
}

static size_t memory_of_entries(const model *m, size_t per_entry)
{
    size_t sum = 0;
    for (uint32_t id = 0; id < KEYS; id++)
        if (m->present[id]) {
            uint8_t k[32];
            sum += per_entry + make_key(id, k) + m->vlen[id];
        }
    return sum;
}

/* kvstore_memory counts at least the entries' keys and values and a slot
 * (a hash and a pointer) per entry at no more than 3/4 load, and not
 * much more: values' spare room, and slots at no less than 3/8 load
 * (plus, in a large store, the first few dozen slots of each of its
 * tables).  An empty store costs less than a kilobyte. */
static void test_kvstore_memory_is_truthful(void **state)
{
    (void)state;
    model *m = calloc(1, sizeof *m);
    m->rng = 777;
    kvstore *s = kvstore_new();
    assert_true(kvstore_memory(s) < 1024);
    const size_t slot = 2 * sizeof(void *);
    for (uint32_t id = 0; id < KEYS; id++) {
        op_put(s, m, id);
        size_t n = id + 1;
        if (n % 97 != 0 && n != KEYS)
            continue;
        size_t low = memory_of_entries(m, 0) + n * slot * 4 / 3;
        size_t first = n < 10000 ? 16 : 2048 * 64;
        size_t high = memory_of_entries(m, 64) + VMAX * n / 2 + (n * 8 / 3 + first) * slot + 1024;
        assert_in_range(kvstore_memory(s), low, high);
    }
    kvstore_free(s);
    free(m);
}

/* Heap bytes in use, by the C library's count (0 when the allocator does
 * not say, as under AddressSanitizer). */
static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* Blocks freed into glibc's per-thread cache still count as in use, so a
 * store entry malloc takes back from there adds nothing to the count: at
 * most 7 blocks of each of its 64 sizes (32 to 1040 bytes). */
#define THREAD_CACHE_MAX (7 * (64 * 32 + 16 * (63 * 64 / 2)))

/* What kvstore_memory says is what the store holds from the allocator:
 * no more (but for blocks reused from the thread cache), and less only by
 * the allocator's own per-block overhead; also after deletes, and a large
 * store's tables. */
static void test_kvstore_memory_matches_heap(void **state)
{
    (void)state;
    model *m = calloc(1, sizeof *m);
    m->rng = 4242;
    size_t before = heap_in_use();
    if (before == 0) {
        free(m);
        skip();
    }
    kvstore *s = kvstore_new();
    static const uint32_t spans[] = {100, 1000, 10000, KEYS, KEYS};
    for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++) {
        random_ops(s, m, (int)spans[i] * 2, spans[i], i < 4 ? 20 : 90); /* the last: mostly deletes */
        size_t held = heap_in_use() - before, said = kvstore_memory(s);
        assert_true(said <= held + THREAD_CACHE_MAX);
        assert_true(said >= held - held / 8);
    }
    kvstore_free(s);
    free(m);
}

/* A copy of a large store made in the order kvstore_each gives (what
 * reading a checkpoint back does): the copy holds every entry with its
 * value, however the keys of that order fall among its tables.  Before
 * tables were sized by what they got, this copy never finished. */
typedef struct copy_ctx {
    kvstore *to;
    size_t n;
} copy_ctx;

static void copy_entry(void *ctx, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen)
{
    copy_ctx *c = ctx;
    kvstore_put(c->to, key, klen, val, vlen);
    c->n++;
}

static void test_kvstore_copy_in_iteration_order(void **state)
{
    (void)state;
    enum { N = 200000 };
    kvstore *from = kvstore_new();
    uint8_t k[32];
    for (uint32_t id = 0; id < N; id++) {
        size_t klen = make_key(id, k);
        uint32_t v = id * 7u;
        kvstore_put(from, k, klen, &v, sizeof v);
    }
    copy_ctx c = {kvstore_new(), 0};
    kvstore_each(from, copy_entry, &c);
    assert_int_equal(c.n, N);
    assert_int_equal(kvstore_count(c.to), N);
    for (uint32_t id = 0; id < N; id++) {
        size_t klen = make_key(id, k), vlen;
        const uint8_t *v = kvstore_get(c.to, k, klen, &vlen);
        assert_non_null(v);
        uint32_t got;
        assert_int_equal(vlen, sizeof got);
        memcpy(&got, v, sizeof got);
        assert_int_equal(got, id * 7u);
    }
    kvstore_free(from);
    kvstore_free(c.to);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kvstore_matches_model_across_growth),
        cmocka_unit_test(test_kvstore_sliding_inserts_and_deletes),
        cmocka_unit_test(test_kvstore_memory_is_truthful),
        cmocka_unit_test(test_kvstore_memory_matches_heap),
        cmocka_unit_test(test_kvstore_copy_in_iteration_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
