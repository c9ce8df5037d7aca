/* test_runtime_cache — the changelog's record cache (runtime_cache.h): of
 * a batch's records with the same key only the last is written (the
 * others get partition -1); records of other keys, also of keys whose
 * hashes agree, and records without a key are all kept; a new batch
 * starts with no keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/runtime_cache.h"

typedef struct fx {
    query_sink k;
} fx;

static int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    f->k.cap = 4096;
    f->k.pend = calloc((size_t)f->k.cap, sizeof(pending));
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    runtime_cache_free(&f->k);
    buf_free(&f->k.keys);
    free(f->k.pend);
    free(f);
    return 0;
}

/* Adds a record of key (NULL: none) to partition 0, with the given hash
 * (the store's, in the runtime); returns its index. */
static int add_hashed(fx *f, const char *key, uint64_t hash)
{
    int i = f->k.npend++;
    pending *pd = &f->k.pend[i];
    memset(pd, 0, sizeof *pd);
    pd->key_off = f->k.keys.len;
    pd->key_len = key ? (int32_t)strlen(key) : -1;
    if (key)
        buf_append(&f->k.keys, key, strlen(key));
    runtime_cache_add(&f->k, hash);
    return i;
}

static int add(fx *f, const char *key) { return add_hashed(f, key, key ? kvstore_hash(key, strlen(key)) : 0); }

static bool written(const fx *f, int i) { return f->k.pend[i].partition >= 0; }

static void keeps_only_the_last_change_of_a_key(void **state)
{
    fx *f = *state;
    int a1 = add(f, "a"), b = add(f, "b"), a2 = add(f, "a"), a3 = add(f, "a");
    assert_false(written(f, a1));
    assert_true(written(f, b));
    assert_false(written(f, a2));
    assert_true(written(f, a3));
}

static void keeps_keys_whose_hashes_agree(void **state)
{
    fx *f = *state;
    int x = add_hashed(f, "x", 42), y = add_hashed(f, "y", 42), xy = add_hashed(f, "xy", 42);
    assert_true(written(f, x));
    assert_true(written(f, y));
    assert_true(written(f, xy));
    int y2 = add_hashed(f, "y", 42);
    assert_true(written(f, x));
    assert_false(written(f, y));
    assert_true(written(f, y2));
}

static void keeps_records_without_a_key(void **state)
{
    fx *f = *state;
    int n1 = add(f, NULL), n2 = add(f, NULL);
    assert_true(written(f, n1));
    assert_true(written(f, n2));
}

/* 3000 keys: the table grows several times, and still finds the first. */
static void finds_keys_after_growing(void **state)
{
    fx *f = *state;
    char key[16];
    for (int i = 0; i < 3000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        add(f, key);
    }
    int again = add(f, "k0"), other = add(f, "k2999");
    assert_false(written(f, 0));
    assert_false(written(f, 2999));
    assert_true(written(f, again));
    assert_true(written(f, other));
    for (int i = 1; i < 2999; i++)
        assert_true(written(f, i));
}

static void a_new_batch_forgets_the_keys(void **state)
{
    fx *f = *state;
    int a1 = add(f, "a");
    runtime_cache_reset(&f->k);
    f->k.npend = 0;
    buf_reset(&f->k.keys);
    int a2 = add(f, "a");
    assert_int_equal(a1, a2); /* the new batch's first record */
    assert_true(written(f, a2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(keeps_only_the_last_change_of_a_key, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(keeps_keys_whose_hashes_agree, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(keeps_records_without_a_key, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(finds_keys_after_growing, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(a_new_batch_forgets_the_keys, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
