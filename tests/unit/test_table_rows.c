/* test_table_rows — a table's current rows followed from its topic
 * (table_rows.h): the latest value of each key, tombstones deleting, and
 * a form turning each value into the bytes kept, both for the rows read
 * on opening and for those followed after.
 *
 * Every test works in its own mkdtemp directory, removed at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "temp_dir.h"

#include "engine/table_rows.h"

typedef struct fx {
    char dir[64];
    eventlog *l;
    log_topic *t;
    err e;
} fx;

static int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/eddy-test-rows-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->l = log_open(f->dir, NULL, &f->e);
    assert_non_null(f->l);
    f->t = log_topic_create(f->l, "t", NULL, &f->e);
    assert_non_null(f->t);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    log_close(f->l);
    temp_dir_remove(f->dir);
    free(f);
    return 0;
}

/* Appends key -> value (value NULL: a tombstone). */
static void put(fx *f, const char *key, const char *value)
{
    log_record r = {.key = (const uint8_t *)key, .key_len = (int32_t)strlen(key),
                    .value = (const uint8_t *)value, .value_len = value ? (int32_t)strlen(value) : -1};
    assert_int_equal(log_append(f->t, 0, &r, 1, &f->e), 0);
}

/* The kept bytes of key as a string, or NULL. */
static const char *row(const table_rows *tr, const char *key)
{
    static char got[64];
    size_t len;
    const uint8_t *v = kvstore_get(tr->rows, key, strlen(key), &len);
    if (!v)
        return NULL;
    snprintf(got, sizeof got, "%.*s", (int)len, (const char *)v);
    return got;
}

/* A form that keeps each value in brackets, counting its calls. */
static void bracket(void *ctx, const uint8_t *v, int32_t vlen, buf *out)
{
    (*(int *)ctx)++;
    buf_putc(out, '[');
    buf_append(out, v, (size_t)vlen);
    buf_putc(out, ']');
}

/* Without a form a row is its latest value bytes; a tombstone deletes it. */
static void test_table_rows_keep_latest_values(void **state)
{
    fx *f = *state;
    put(f, "a", "1");
    put(f, "b", "2");
    put(f, "a", "3");
    put(f, "b", NULL);
    table_rows *tr = table_rows_open(f->t, NULL, NULL, &f->e);
    assert_non_null(tr);
    assert_string_equal(row(tr, "a"), "3");
    assert_null(row(tr, "b"));
    assert_int_equal(kvstore_count(tr->rows), 1);
    table_rows_close(tr);
}

/* With a form, every value read on opening and every value followed
 * after is kept as the form made it, once per update. */
static void test_table_rows_keep_each_value_in_its_form(void **state)
{
    fx *f = *state;
    put(f, "a", "1");
    put(f, "b", "2");
    int calls = 0;
    table_form form = {bracket, &calls};
    table_rows *tr = table_rows_open(f->t, NULL, &form, &f->e);
    assert_non_null(tr);
    assert_int_equal(calls, 2);
    assert_string_equal(row(tr, "a"), "[1]");
    assert_string_equal(row(tr, "b"), "[2]");
    put(f, "a", "xy");
    put(f, "b", NULL);
    put(f, "c", "");
    assert_int_equal(table_rows_follow(tr, 100, &f->e), 3);
    assert_int_equal(calls, 4); /* the tombstone has no value to form */
    assert_string_equal(row(tr, "a"), "[xy]");
    assert_null(row(tr, "b"));
    assert_string_equal(row(tr, "c"), "[]");
    table_rows_close(tr);
}

/* Opening at a resume position keeps the rows as of that point; the
 * rest comes by following. */
static void test_table_rows_open_at_resume_position(void **state)
{
    fx *f = *state;
    put(f, "a", "1");
    put(f, "a", "2");
    int64_t resume = 1;
    table_rows *tr = table_rows_open(f->t, &resume, NULL, &f->e);
    assert_non_null(tr);
    assert_string_equal(row(tr, "a"), "1");
    assert_int_equal(table_rows_position(tr, 0), 1);
    assert_int_equal(table_rows_follow(tr, 100, &f->e), 1);
    assert_string_equal(row(tr, "a"), "2");
    table_rows_close(tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_table_rows_keep_latest_values, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_table_rows_keep_each_value_in_its_form, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_table_rows_open_at_resume_position, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
