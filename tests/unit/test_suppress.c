/* test_suppress — the EMIT FINAL suppression buffer (suppress.h): which
 * windows a task's stream time closes, in which order (end first, then
 * the order they opened), what an update of an open window changes, and
 * that a window taken out or forgotten never comes back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine/suppress.h"

static void touch(suppress *s, const char *key, int64_t wend, int task)
{
    suppress_touch(s, key, strlen(key), wend, task);
}

/* Pops the next window of task by `until` and checks it is `key`. */
static suppress_window pop_is(suppress *s, int task, int64_t until, const char *key)
{
    suppress_window w;
    assert_true(suppress_pop(s, task, until, &w));
    assert_int_equal(w.klen, strlen(key));
    assert_memory_equal(w.key, key, w.klen);
    return w;
}

static void test_suppress_keeps_a_window_until_its_end(void **state)
{
    (void)state;
    suppress *s = suppress_new();
    touch(s, "a", 10, 0);
    suppress_window w;
    assert_false(suppress_pop(s, 0, 9, &w));
    assert_int_equal(suppress_count(s), 1);
    w = pop_is(s, 0, 10, "a");
    assert_int_equal(w.wend, 10);
    assert_int_equal(w.task, 0);
    assert_int_equal(suppress_count(s), 0);
    assert_false(suppress_pop(s, 0, 100, &w));
    suppress_free(s);
}

static void test_suppress_closes_earliest_end_first_then_opening_order(void **state)
{
    (void)state;
    suppress *s = suppress_new();
    touch(s, "late", 30, 0);
    touch(s, "b", 20, 0);
    touch(s, "early", 10, 0);
    touch(s, "a", 20, 0);
    touch(s, "c", 20, 0);
    pop_is(s, 0, 25, "early");
    pop_is(s, 0, 25, "b"); /* end 20: in the order they opened */
    pop_is(s, 0, 25, "a");
    pop_is(s, 0, 25, "c");
    suppress_window w;
    assert_false(suppress_pop(s, 0, 25, &w)); /* "late" ends at 30 */
    pop_is(s, 0, 30, "late");
    suppress_free(s);
}

static void test_suppress_update_keeps_window_in_place(void **state)
{
    (void)state;
    suppress *s = suppress_new();
    touch(s, "a", 10, 0);
    touch(s, "b", 10, 0);
    touch(s, "a", 10, 0);
    assert_int_equal(suppress_count(s), 2);
    pop_is(s, 0, 10, "a"); /* still opened first */
    pop_is(s, 0, 10, "b");
    suppress_free(s);
}

static void test_suppress_growing_session_closes_at_its_new_end(void **state)
{
    (void)state;
    suppress *s = suppress_new();
    touch(s, "s1", 10, 0);
    touch(s, "s2", 12, 0);
    touch(s, "s1", 15, 0); /* the session grew past s2 */
    suppress_window w;
    assert_true(suppress_pop(s, 0, 12, &w));
    assert_memory_equal(w.key, "s2", 2);
    assert_false(suppress_pop(s, 0, 14, &w));
    w = pop_is(s, 0, 15, "s1");
    assert_int_equal(w.wend, 15);
    suppress_free(s);
}

static void test_suppress_removed_window_never_closes(void **state)
{
    (void)state;
    suppress *s = suppress_new();
    touch(s, "a", 10, 0);
    touch(s, "b", 11, 0);
    touch(s, "c", 12, 0);
    assert_true(suppress_remove(s, "b", 1));
    assert_false(suppress_remove(s, "b", 1));
    assert_false(suppress_remove(s, "zz", 2));
    assert_int_equal(suppress_count(s), 2);
    pop_is(s, 0, 100, "a");
    pop_is(s, 0, 100, "c");
    suppress_window w;
    assert_false(suppress_pop(s, 0, 100, &w));
    touch(s, "b", 20, 0); /* opens anew */
    w = pop_is(s, 0, 100, "b");
    assert_int_equal(w.wend, 20);
    suppress_free(s);
}

/* Windows opened without the index (suppress_open) close with the
 * others, in the same order, and their keys can open again afterwards. */
static void test_suppress_open_windows_close_in_order_with_touched_ones(void **state)
{
    (void)state;
    suppress *s = suppress_new();
    suppress_open(s, "b", 1, 20, 0);
    touch(s, "a", 20, 0);
    suppress_open(s, "early", 5, 10, 0);
    touch(s, "late", 30, 0);
    assert_int_equal(suppress_count(s), 4);
    suppress_window w;
    assert_false(suppress_pop(s, 0, 9, &w));
    pop_is(s, 0, 25, "early");
    w = pop_is(s, 0, 25, "b"); /* end 20: in the order they opened */
    assert_int_equal(w.wend, 20);
    assert_int_equal(w.task, 0);
    pop_is(s, 0, 25, "a");
    assert_false(suppress_pop(s, 0, 25, &w));
    assert_int_equal(suppress_count(s), 1);
    suppress_open(s, "b", 1, 40, 0); /* closed: opens anew */
    pop_is(s, 0, 100, "late");
    w = pop_is(s, 0, 100, "b");
    assert_int_equal(w.wend, 40);
    assert_int_equal(suppress_count(s), 0);
    suppress_free(s);
}

/* A task's stream time closes its own windows and those any task may
 * close (-1), never another task's. */
static void test_suppress_task_closes_its_own_and_shared_windows(void **state)
{
    (void)state;
    suppress *s = suppress_new();
    touch(s, "t1", 5, 1);
    touch(s, "t0", 10, 0);
    touch(s, "any", 8, -1);
    touch(s, "t0b", 6, 0);
    pop_is(s, 0, 100, "t0b");
    pop_is(s, 0, 100, "any");
    pop_is(s, 0, 100, "t0");
    suppress_window w;
    assert_false(suppress_pop(s, 0, 100, &w));
    w = pop_is(s, 1, 100, "t1");
    assert_int_equal(w.task, 1);
    touch(s, "any2", 8, -1);
    w = pop_is(s, 3, 100, "any2"); /* a task with no windows of its own */
    assert_int_equal(w.task, -1);
    suppress_free(s);
}

static void test_suppress_copies_keys_in(void **state)
{
    (void)state;
    suppress *s = suppress_new();
    char key[8] = "abc";
    suppress_touch(s, key, 3, 10, 0);
    memcpy(key, "xyz", 3);
    pop_is(s, 0, 10, "abc");
    suppress_free(s);
}

/* Many windows in a scrambled order, some updated, some removed: every
 * remaining one comes out exactly once, by end then opening order. */
static void test_suppress_many_windows_come_out_sorted(void **state)
{
    (void)state;
    enum { N = 5000 };
    suppress *s = suppress_new();
    static int64_t end[N];
    static int removed[N];
    uint32_t x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        end[i] = (int64_t)(x >> 16) % 97;
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        touch(s, k, end[i], 0);
    }
    for (int i = 0; i < N; i += 7) {
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        assert_true(suppress_remove(s, k, strlen(k)));
        removed[i] = 1;
    }
    for (int i = 3; i < N; i += 11) { /* updates: the end stays, the place too */
        if (removed[i])
            continue; /* would open it anew */
        char k[16];
        snprintf(k, sizeof k, "k%d", i);
        touch(s, k, end[i], 0);
    }
    int64_t last_end = INT64_MIN;
    int last_i = -1, got = 0;
    suppress_window w;
    while (suppress_pop(s, 0, 1000, &w)) {
        char k[16];
        assert_true(w.klen < sizeof k);
        memcpy(k, w.key, w.klen);
        k[w.klen] = 0;
        int i = atoi(k + 1);
        assert_false(removed[i]);
        removed[i] = 1; /* never twice */
        assert_int_equal(w.wend, end[i]);
        assert_true(w.wend > last_end || (w.wend == last_end && i > last_i));
        last_end = w.wend;
        last_i = i;
        got++;
    }
    assert_int_equal(got, N - (N + 6) / 7);
    assert_int_equal(suppress_count(s), 0);
    suppress_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suppress_keeps_a_window_until_its_end),
        cmocka_unit_test(test_suppress_closes_earliest_end_first_then_opening_order),
        cmocka_unit_test(test_suppress_update_keeps_window_in_place),
        cmocka_unit_test(test_suppress_growing_session_closes_at_its_new_end),
        cmocka_unit_test(test_suppress_removed_window_never_closes),
        cmocka_unit_test(test_suppress_open_windows_close_in_order_with_touched_ones),
        cmocka_unit_test(test_suppress_task_closes_its_own_and_shared_windows),
        cmocka_unit_test(test_suppress_copies_keys_in),
        cmocka_unit_test(test_suppress_many_windows_come_out_sorted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
