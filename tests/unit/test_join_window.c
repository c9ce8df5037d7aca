/* test_join_window — a stream-stream join's window store (op_join.h):
 * which kept records a lookup finds, that a key's expired records are
 * dropped as its own records arrive, and that a key which meets no more
 * records is dropped once the stream time has passed all of its records
 * (so the store holds the window, not every key ever seen). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "engine/op_join.h"

typedef struct seen {
    int n;
    int64_t ts[16];
    char val[16][8];
} seen;

static void collect(void *ctx, const join_rec *r)
{
    seen *s = ctx;
    s->ts[s->n] = r->ts;
    snprintf(s->val[s->n], sizeof s->val[0], "%.*s", (int)r->vlen, (const char *)r->val);
    s->n++;
}

static void add(kvstore *s, join_window_queue *q, const char *key, int64_t ts, const char *val, int64_t expire)
{
    join_rec r = {ts, NULL, (const uint8_t *)val, -1, (int32_t)strlen(val)};
    join_window_add(s, q, (const uint8_t *)key, strlen(key), kvstore_hash(key, strlen(key)), &r, expire);
}

static seen lookup(const kvstore *s, const char *key, int64_t from, int64_t to)
{
    seen got = {0};
    join_window_each(s, (const uint8_t *)key, strlen(key), kvstore_hash(key, strlen(key)), from, to, collect, &got);
    return got;
}

/* A lookup gives the key's records with times in [from, to], in the
 * order they were added (not in time order), values intact. */
static void test_join_window_finds_records_in_range_in_arrival_order(void **state)
{
    (void)state;
    kvstore *s = kvstore_new();
    join_window_queue q = {0};
    add(s, &q, "k", 100, "a", 0);
    add(s, &q, "k", 300, "b", 0);
    add(s, &q, "j", 200, "x", 0);
    add(s, &q, "k", 150, "c", 0);
    seen got = lookup(s, "k", 100, 200);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.val[0], "a");
    assert_string_equal(got.val[1], "c");
    got = lookup(s, "k", 0, 1000);
    assert_int_equal(got.n, 3);
    assert_int_equal(got.ts[1], 300);
    assert_int_equal(lookup(s, "none", 0, 1000).n, 0);
    buf_free(&q.q);
    kvstore_free(s);
}

/* A record older than the expiry time is not kept; a key's records
 * older than it are dropped when the key gets a new record. */
static void test_join_window_drops_expired_records_of_a_key(void **state)
{
    (void)state;
    kvstore *s = kvstore_new();
    join_window_queue q = {0};
    add(s, &q, "k", 100, "a", 0);
    add(s, &q, "k", 200, "b", 0);
    add(s, &q, "k", 50, "late", 150); /* expired already */
    add(s, &q, "k", 300, "c", 150);   /* drops a */
    seen got = lookup(s, "k", 0, 1000);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.val[0], "b");
    assert_string_equal(got.val[1], "c");
    buf_free(&q.q);
    kvstore_free(s);
}

/* Keys that get no more records leave the store once the expiry time
 * passes their records, as other keys' records come in. */
static void test_join_window_drops_keys_that_meet_no_more_records(void **state)
{
    (void)state;
    kvstore *s = kvstore_new();
    join_window_queue q = {0};
    char key[16];
    for (int i = 0; i < 1000; i++) { /* every key once, 10 apart; kept for 100 */
        snprintf(key, sizeof key, "k%d", i);
        add(s, &q, key, 10 * i, "v", 10 * i - 100);
    }
    /* the last expiry time is 9890: records at 9890..9990 (11 keys) are
     * kept, and at most a few older ones not trimmed yet */
    assert_in_range(kvstore_count(s), 11, 14);
    assert_int_equal(lookup(s, "k0", 0, 100000).n, 0);
    assert_int_equal(lookup(s, "k999", 0, 100000).n, 1);
    buf_free(&q.q);
    kvstore_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_window_finds_records_in_range_in_arrival_order),
        cmocka_unit_test(test_join_window_drops_expired_records_of_a_key),
        cmocka_unit_test(test_join_window_drops_keys_that_meet_no_more_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
