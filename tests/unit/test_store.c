/* test_store — state-store checkpoints (store_checkpoint.h): what a
 * restart gets back, and what a torn or damaged checkpoint file gives
 * (an error, never a wrong store); the window index (store_window.h):
 * which entries expiry drops, in which order, how many per call; the
 * key-value store's find-then-put.
 *
 * Each test works in its own mkdtemp directory. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "storage/kvstore.h"
#include "storage/store_checkpoint.h"
#include "storage/store_window.h"

typedef struct fx {
    char dir[64];
    char path[128];
    err e;
} fx;

static int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/eddy-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/state/q.ckpt", f->dir);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    store_checkpoint_remove(f->path);
    char sub[128];
    snprintf(sub, sizeof sub, "%s/state", f->dir);
    rmdir(sub);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* A store of n keys "k<i>" -> "v<i*i>". */
static kvstore *make_store(int n)
{
    kvstore *s = kvstore_new();
    for (int i = 0; i < n; i++) {
        char k[32], v[32];
        int kl = snprintf(k, sizeof k, "k%d", i), vl = snprintf(v, sizeof v, "v%d", i * i);
        kvstore_put(s, k, (size_t)kl, v, (size_t)vl);
    }
    return s;
}

static void assert_same_store(kvstore *a, kvstore *b, int n)
{
    assert_int_equal(kvstore_count(a), kvstore_count(b));
    for (int i = 0; i < n; i++) {
        char k[32];
        int kl = snprintf(k, sizeof k, "k%d", i);
        size_t la, lb;
        const uint8_t *va = kvstore_get(a, k, (size_t)kl, &la), *vb = kvstore_get(b, k, (size_t)kl, &lb);
        assert_non_null(va);
        assert_non_null(vb);
        assert_int_equal(la, lb);
        assert_memory_equal(va, vb, la);
    }
}

static void write_two(fx *f, kvstore *a, kvstore *b)
{
    int64_t marks[3] = {42, 7, -1};
    kvstore *stores[2] = {a, b};
    assert_int_equal(store_checkpoint_write(f->path, 99, marks, 3, stores, 2, &f->e), 0);
}

/* Reads the checkpoint into two new stores (the caller frees them);
 * returns what store_checkpoint_read returned. */
static int read_two(fx *f, uint64_t tag, kvstore **ra, kvstore **rb, int64_t *marks, int *n)
{
    *ra = kvstore_new();
    *rb = kvstore_new();
    kvstore *stores[2] = {*ra, *rb};
    return store_checkpoint_read(f->path, tag, marks, 8, n, stores, 2, &f->e);
}

static void test_checkpoint_gives_back_stores_and_marks(void **state)
{
    fx *f = *state;
    kvstore *a = make_store(5000), *b = make_store(3);
    kvstore_put(b, "", 0, "empty key", 9);
    write_two(f, a, b);
    kvstore *ra, *rb;
    int64_t marks[8];
    int n = 0;
    assert_int_equal(read_two(f, 99, &ra, &rb, marks, &n), 1);
    assert_int_equal(n, 3);
    assert_int_equal(marks[0], 42);
    assert_int_equal(marks[1], 7);
    assert_int_equal(marks[2], -1);
    assert_same_store(a, ra, 5000);
    assert_same_store(b, rb, 3);
    size_t vl;
    assert_non_null(kvstore_get(rb, "", 0, &vl));
    assert_int_equal(vl, 9);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", f->path);
    assert_int_equal(access(tmp, F_OK), -1); /* no temporary file left */
    kvstore_free(a), kvstore_free(b), kvstore_free(ra), kvstore_free(rb);
}

static void test_checkpoint_missing_file_reads_as_none(void **state)
{
    fx *f = *state;
    kvstore *s = kvstore_new();
    int64_t marks[1];
    int n = 0;
    assert_int_equal(store_checkpoint_read(f->path, 99, marks, 1, &n, &s, 1, &f->e), 0);
    assert_int_equal(kvstore_count(s), 0);
    kvstore_free(s);
}

static long file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (long)st.st_size;
}

/* Every truncation of the file (a torn write that somehow got renamed)
 * and every single flipped byte is reported, never loaded as good. */
static void test_checkpoint_torn_or_flipped_is_reported(void **state)
{
    fx *f = *state;
    kvstore *a = make_store(40), *b = make_store(2);
    write_two(f, a, b);
    long size = file_size(f->path);
    FILE *in = fopen(f->path, "rb");
    unsigned char *orig = malloc((size_t)size);
    assert_int_equal(fread(orig, 1, (size_t)size, in), (size_t)size);
    fclose(in);
    for (long cut = 0; cut <= size; cut += (cut < size - 64 ? 7 : 1)) {
        for (int flip = 0; flip < 2; flip++) {
            if (cut == size && !flip)
                continue; /* the whole file, unchanged */
            FILE *out = fopen(f->path, "wb");
            if (flip) { /* whole length, one byte changed */
                unsigned char *copy = malloc((size_t)size);
                memcpy(copy, orig, (size_t)size);
                copy[cut % size] ^= 0x20;
                fwrite(copy, 1, (size_t)size, out);
                free(copy);
            } else
                fwrite(orig, 1, (size_t)cut, out);
            fclose(out);
            kvstore *ra, *rb;
            int64_t marks[8];
            int n = 0;
            assert_int_equal(read_two(f, 99, &ra, &rb, marks, &n), -1);
            kvstore_free(ra), kvstore_free(rb);
        }
    }
    free(orig);
    kvstore_free(a), kvstore_free(b);
}

static void test_checkpoint_of_another_tag_is_refused(void **state)
{
    fx *f = *state;
    kvstore *a = make_store(3), *b = make_store(3);
    write_two(f, a, b);
    kvstore *ra, *rb;
    int64_t marks[8];
    int n = 0;
    assert_int_equal(read_two(f, 100, &ra, &rb, marks, &n), -1);
    assert_int_equal(f->e.code, ERR_INVALID);
    assert_int_equal(store_checkpoint_read(f->path, 99, marks, 8, &n, &ra, 1, &f->e), -1);
    kvstore_free(a), kvstore_free(b), kvstore_free(ra), kvstore_free(rb);
}

/* A new checkpoint replaces the old one whole. */
static void test_checkpoint_rewrite_replaces_old(void **state)
{
    fx *f = *state;
    kvstore *a = make_store(100), *b = make_store(1);
    write_two(f, a, b);
    kvstore *a2 = make_store(10);
    write_two(f, a2, b);
    kvstore *ra, *rb;
    int64_t marks[8];
    int n = 0;
    assert_int_equal(read_two(f, 99, &ra, &rb, marks, &n), 1);
    assert_same_store(a2, ra, 10);
    kvstore_free(a), kvstore_free(a2), kvstore_free(b), kvstore_free(ra), kvstore_free(rb);
}

/* A windowed store key: one byte of group, then the start big-endian. */
static void window_key(uint8_t *k, uint8_t group, int64_t start)
{
    k[0] = group;
    for (int i = 0; i < 8; i++)
        k[1 + i] = (uint8_t)((uint64_t)start >> (56 - 8 * i));
}

typedef struct seen {
    int64_t starts[64];
    int n;
} seen;

static void note_dropped(void *ctx, const uint8_t *key, size_t klen)
{
    seen *s = ctx;
    int64_t st = 0;
    for (size_t i = klen - 8; i < klen; i++)
        st = (int64_t)((uint64_t)st << 8 | key[i]);
    s->starts[s->n++] = st;
}

/* Windows are dropped oldest start first, only those before the bound,
 * at most `max` per call; keys already gone from the store are skipped. */
static void test_window_index_expires_oldest_first_bounded(void **state)
{
    (void)state;
    kvstore *s = kvstore_new();
    window_index *w = window_index_new();
    int64_t starts[] = {3000, 1000, 2000, 1000, 4000}; /* out of order, 1000 twice */
    uint8_t k[9];
    for (int i = 0; i < 5; i++) {
        window_key(k, (uint8_t)i, starts[i]);
        kvstore_put(s, k, 9, "v", 1);
        window_index_add(w, k, 9);
    }
    window_key(k, 2, 2000);
    kvstore_delete(s, k, 9); /* gone already: skipped */
    seen got = {0};
    assert_int_equal(window_index_expire(w, s, 3001, 1, note_dropped, &got), 1);
    assert_int_equal(window_index_expire(w, s, 3001, 10, note_dropped, &got), 2);
    assert_int_equal(got.n, 3);
    assert_int_equal(got.starts[0], 1000);
    assert_int_equal(got.starts[1], 1000);
    assert_int_equal(got.starts[2], 3000);
    assert_int_equal(kvstore_count(s), 1); /* 4000 stays */
    assert_int_equal(window_index_count(w), 1);
    assert_int_equal(window_index_expire(w, s, 4000, 10, NULL, NULL), 0);
    window_index_free(w);
    kvstore_free(s);
}

/* Rebuilt from a restored store, the index drops the same windows. */
static void test_window_index_build_from_store(void **state)
{
    (void)state;
    kvstore *s = kvstore_new();
    uint8_t k[9];
    for (int i = 0; i < 100; i++) {
        window_key(k, (uint8_t)(i % 4), (int64_t)(i / 4) * 1000);
        kvstore_put(s, k, 9, "v", 1);
    }
    window_index *w = window_index_new();
    window_index_build(w, s);
    assert_int_equal(window_index_count(w), 100);
    assert_int_equal(window_index_expire(w, s, 10000, 1000, NULL, NULL), 40);
    assert_int_equal(kvstore_count(s), 60);
    window_index_free(w);
    kvstore_free(s);
}

/* kvstore_put_at puts where kvstore_find looked, also when the put makes
 * the table grow (the slots move) and when the key was absent. */
static void test_kvstore_put_at_after_find(void **state)
{
    (void)state;
    kvstore *s = kvstore_new();
    for (int i = 0; i < 2000; i++) {
        char k[16];
        int kl = snprintf(k, sizeof k, "k%d", i % 700);
        size_t vl = 0;
        kvstore_pos pos;
        const uint8_t *v = kvstore_find(s, k, (size_t)kl, &vl, &pos);
        int n = v ? atoi((const char *)v) : 0;
        char nv[16];
        int nl = snprintf(nv, sizeof nv, "%d", n + 1);
        kvstore_put_at(s, &pos, k, (size_t)kl, nv, (size_t)nl + 1);
    }
    assert_int_equal(kvstore_count(s), 700);
    for (int i = 0; i < 700; i++) {
        char k[16];
        int kl = snprintf(k, sizeof k, "k%d", i);
        size_t vl;
        const uint8_t *v = kvstore_get(s, k, (size_t)kl, &vl);
        assert_non_null(v);
        assert_int_equal(atoi((const char *)v), i < 2000 - 1400 ? 3 : 2);
    }
    kvstore_free(s);
}

/* A lookup by a hash computed beforehand (after prefetching the key's
 * slot and entry) finds what a plain lookup finds, and a put at the
 * place it gives updates that entry; a key not there is not found. */
static void test_kvstore_find_hashed_after_prefetch(void **state)
{
    (void)state;
    kvstore *s = kvstore_new();
    for (int i = 0; i < 1000; i++) {
        char k[16];
        int kl = snprintf(k, sizeof k, "w%d", i);
        kvstore_put(s, k, (size_t)kl, &i, sizeof i);
    }
    for (int i = 0; i < 1200; i++) {
        char k[16];
        int kl = snprintf(k, sizeof k, "w%d", i);
        uint64_t h = kvstore_hash(k, (size_t)kl);
        kvstore_prefetch_hashed(s, h);
        kvstore_prefetch_entry_hashed(s, h);
        size_t vl = 0;
        kvstore_pos pos;
        const uint8_t *v = kvstore_find_hashed(s, k, (size_t)kl, h, &vl, &pos);
        if (i >= 1000) {
            assert_null(v);
            continue;
        }
        assert_non_null(v);
        int got;
        memcpy(&got, v, sizeof got);
        assert_int_equal(got, i);
        int twice = 2 * i;
        kvstore_put_at(s, &pos, k, (size_t)kl, &twice, sizeof twice);
        assert_ptr_equal(kvstore_get(s, k, (size_t)kl, &vl), v); /* in place */
        memcpy(&got, v, sizeof got);
        assert_int_equal(got, 2 * i);
    }
    assert_int_equal(kvstore_count(s), 1000);
    kvstore_free(s);
}

/* Appends build a value byte for byte as one put would, across many
 * growths and a store that grows meanwhile; a change in place is seen. */
static void test_kvstore_append_and_change_in_place(void **state)
{
    (void)state;
    kvstore *s = kvstore_new();
    char want[4000];
    size_t n = 0;
    for (int i = 0; i < 400; i++) {
        char piece[16];
        int len = snprintf(piece, sizeof piece, "%d,", i);
        kvstore_append(s, "k", 1, piece, (size_t)len);
        memcpy(want + n, piece, (size_t)len);
        n += (size_t)len;
        char other[16];
        snprintf(other, sizeof other, "o%d", i); /* other keys: the table grows */
        kvstore_put(s, other, strlen(other), "x", 1);
    }
    size_t len = 0;
    const uint8_t *v = kvstore_get(s, "k", 1, &len);
    assert_int_equal(len, n);
    assert_memory_equal(v, want, n);
    uint8_t *m = kvstore_get_mut(s, "k", 1, &len);
    m[0] = '9';
    v = kvstore_get(s, "k", 1, &len);
    assert_int_equal(v[0], '9');
    assert_int_equal(len, n);
    assert_int_equal(kvstore_count(s), 401);
    kvstore_free(s);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_checkpoint_gives_back_stores_and_marks),
        T(test_checkpoint_missing_file_reads_as_none),
        T(test_checkpoint_torn_or_flipped_is_reported),
        T(test_checkpoint_of_another_tag_is_refused),
        T(test_checkpoint_rewrite_replaces_old),
        T(test_window_index_expires_oldest_first_bounded),
        T(test_window_index_build_from_store),
        T(test_kvstore_put_at_after_find),
        T(test_kvstore_append_and_change_in_place),
        T(test_kvstore_find_hashed_after_prefetch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
