/* test_agg — the aggregate functions (agg.c), end to end through the
 * engine: statements, records produced to the input topic, the records a
 * persistent query writes to its sink.  Expected values follow ksqlDB's
 * documented semantics, worked out by hand.  The undo tests drive agg.h
 * directly (add, then undo, then compare the result), since undo is what
 * table aggregations with retraction will call.
 *
 * Every test works in its own mkdtemp directory, removed at the end. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "temp_dir.h"

#include "engine/agg.h"
#include "engine/engine.h"

/* ---- fixtures and helpers ---- */

typedef struct fx {
    char dir[64];
    engine *en;
    engine_session s;
    err e;
} fx;

static int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/eddy-test-agg-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    engine_config cfg = {.data_dir = f->dir, .background = false, .flush = LOG_FLUSH_NONE};
    f->en = engine_open(&cfg, NULL, &f->e);
    assert_non_null(f->en);
    engine_session_init(&f->s);
    const char *set = "SET 'auto.offset.reset'='earliest';";
    assert_int_equal(engine_execute(f->en, &f->s, set, strlen(set), NULL, &f->e), 0);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    engine_session_free(&f->s);
    engine_close(f->en);
    temp_dir_remove(f->dir);
    free(f);
    return 0;
}

static void run(fx *f, const char *sql)
{
    err_clear(&f->e);
    int rc = engine_execute(f->en, &f->s, sql, strlen(sql), NULL, &f->e);
    if (rc)
        fail_msg("refused: %s\n  %s", f->e.msg, sql);
}

/* The statement is refused with a message containing `want`. */
static void refused(fx *f, const char *sql, const char *want)
{
    err_clear(&f->e);
    assert_int_not_equal(engine_execute(f->en, &f->s, sql, strlen(sql), NULL, &f->e), 0);
    if (!strstr(f->e.msg, want))
        fail_msg("message \"%s\" lacks \"%s\"", f->e.msg, want);
}

/* Stream SRC over topic 'in' with key K and the given value columns. */
static void input(fx *f, const char *cols)
{
    char sql[512];
    snprintf(sql, sizeof sql, "CREATE STREAM SRC (K STRING KEY, %s) WITH (kafka_topic='in', value_format='JSON');",
             cols);
    assert_int_equal(engine_create_topic(f->en, "in", 1, &f->e), 0);
    run(f, sql);
}

/* Produces one record (value as JSON text) with key k and runs the queries. */
static void produce(fx *f, const char *k, const char *value_json)
{
    json_t *key = json_string(k), *v = json_loads(value_json, 0, NULL);
    assert_non_null(v);
    assert_int_equal(engine_produce_json(f->en, "in", key, v, 0, &f->e), 0);
    json_decref(key);
    json_decref(v);
    engine_pump(f->en);
}

/* Column `col` of every record on topic OUT, as a JSON array. */
static json_t *sink_column(fx *f, const char *col)
{
    json_t *records = json_array(), *out = json_array();
    assert_int_equal(engine_dump_topic_json(f->en, "OUT", records, &f->e), 0);
    size_t i;
    json_t *r;
    json_array_foreach(records, i, r)
    {
        json_t *v = json_object_get(json_object_get(r, "value"), col);
        json_array_append(out, v ? v : json_null());
    }
    json_decref(records);
    return out;
}

/* Column `col` of the records on OUT equals the JSON text `want`. */
static void expect(fx *f, const char *col, const char *want)
{
    json_t *got = sink_column(f, col), *w = json_loads(want, JSON_DECODE_ANY, NULL);
    assert_non_null(w);
    if (!json_equal(got, w)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
        fail_msg("%s: expected %s, got %s", col, want, g);
    }
    json_decref(got);
    json_decref(w);
}

/* The double in record i of column col. */
static double number_at(fx *f, const char *col, size_t i)
{
    json_t *got = sink_column(f, col);
    json_t *v = json_array_get(got, i);
    assert_non_null(v);
    double d = json_is_string(v) && !strcmp(json_string_value(v), "NaN") ? NAN : json_number_value(v);
    json_decref(got);
    return d;
}

/* ---- TOPK / TOPKDISTINCT ---- */

static void test_topk_keeps_k_largest_descending_ignoring_nulls(void **state)
{
    fx *f = *state;
    input(f, "V INT");
    run(f, "CREATE TABLE OUT AS SELECT K, TOPK(V, 3) AS T FROM SRC GROUP BY K;");
    const char *vs[] = {"10", "null", "30", "20", "40", "40"};
    char buf[32];
    for (int i = 0; i < 6; i++) {
        snprintf(buf, sizeof buf, "{\"V\": %s}", vs[i]);
        produce(f, "a", buf);
    }
    expect(f, "T", "[[10], [10], [30, 10], [30, 20, 10], [40, 30, 20], [40, 40, 30]]");
}

static void test_topkdistinct_keeps_each_value_once(void **state)
{
    fx *f = *state;
    input(f, "V BIGINT");
    run(f, "CREATE TABLE OUT AS SELECT K, TOPKDISTINCT(V, 2) AS T FROM SRC GROUP BY K;");
    produce(f, "a", "{\"V\": 5}");
    produce(f, "a", "{\"V\": 5}");
    produce(f, "a", "{\"V\": 3}");
    produce(f, "a", "{\"V\": 9}");
    expect(f, "T", "[[5], [5], [5, 3], [9, 5]]");
}

static void test_topk_with_other_columns_gives_structs(void **state)
{
    fx *f = *state;
    input(f, "V STRING, NAME STRING");
    run(f, "CREATE TABLE OUT AS SELECT K, TOPK(V, NAME, 2) AS T FROM SRC GROUP BY K;");
    produce(f, "a", "{\"V\": \"b\", \"NAME\": \"first\"}");
    produce(f, "a", "{\"V\": \"c\", \"NAME\": null}");
    produce(f, "a", "{\"V\": \"a\", \"NAME\": \"third\"}");
    expect(f, "T",
           "[[{\"sort_col\": \"b\", \"col0\": \"first\"}],"
           " [{\"sort_col\": \"c\", \"col0\": null}, {\"sort_col\": \"b\", \"col0\": \"first\"}],"
           " [{\"sort_col\": \"c\", \"col0\": null}, {\"sort_col\": \"b\", \"col0\": \"first\"}]]");
}

static void test_topk_refuses_k_that_is_not_a_positive_literal(void **state)
{
    fx *f = *state;
    input(f, "V INT, N INT");
    refused(f, "CREATE TABLE OUT AS SELECT K, TOPK(V, N) AS T FROM SRC GROUP BY K;", "literal");
    refused(f, "CREATE TABLE OUT AS SELECT K, TOPK(V, 0) AS T FROM SRC GROUP BY K;", "k > 0");
}

/* ---- HISTOGRAM ---- */

static void test_histogram_counts_each_string(void **state)
{
    fx *f = *state;
    input(f, "S STRING");
    run(f, "CREATE TABLE OUT AS SELECT K, HISTOGRAM(S) AS H FROM SRC GROUP BY K;");
    produce(f, "a", "{\"S\": \"x\"}");
    produce(f, "a", "{\"S\": \"y\"}");
    produce(f, "a", "{\"S\": null}");
    produce(f, "a", "{\"S\": \"x\"}");
    expect(f, "H", "[{\"x\": 1}, {\"x\": 1, \"y\": 1}, {\"x\": 1, \"y\": 1}, {\"x\": 2, \"y\": 1}]");
}

/* ---- STDDEV_SAMP ---- */

static void test_stddev_samp_is_the_sample_standard_deviation(void **state)
{
    fx *f = *state;
    input(f, "V INT");
    run(f, "CREATE TABLE OUT AS SELECT K, STDDEV_SAMP(V) AS S, STDDEV_SAMPLE(V) AS S2 FROM SRC GROUP BY K;");
    const int vs[] = {10, 12, 13, 14, 16};
    char buf[32];
    for (int i = 0; i < 5; i++) {
        snprintf(buf, sizeof buf, "{\"V\": %d}", vs[i]);
        produce(f, "a", buf);
    }
    produce(f, "a", "{\"V\": null}");
    /* one value: 0; then sqrt(2); all five: mean 13, squares 9+1+0+1+9 = 20, 20 / 4 = 5 */
    assert_true(number_at(f, "S", 0) == 0.0);
    assert_true(fabs(number_at(f, "S", 1) - sqrt(2.0)) < 1e-12);
    assert_true(fabs(number_at(f, "S", 4) - sqrt(5.0)) < 1e-12);
    assert_true(fabs(number_at(f, "S", 5) - sqrt(5.0)) < 1e-12); /* NULL ignored */
    assert_true(number_at(f, "S2", 4) == number_at(f, "S", 4));
}

/* ---- CORRELATION ---- */

static void test_correlation_of_linear_pairs_is_one_or_minus_one(void **state)
{
    fx *f = *state;
    input(f, "X DOUBLE, Y BIGINT");
    run(f, "CREATE TABLE OUT AS SELECT K, CORRELATION(X, Y) AS C FROM SRC GROUP BY K;");
    produce(f, "up", "{\"X\": 1, \"Y\": 2}");
    produce(f, "up", "{\"X\": 2, \"Y\": 4}");
    produce(f, "up", "{\"X\": null, \"Y\": 100}");
    produce(f, "up", "{\"X\": 3, \"Y\": 6}");
    produce(f, "down", "{\"X\": 1, \"Y\": 3}");
    produce(f, "down", "{\"X\": 2, \"Y\": 1}");
    assert_true(isnan(number_at(f, "C", 0))); /* one pair: undefined */
    assert_true(fabs(number_at(f, "C", 1) - 1.0) < 1e-12);
    assert_true(fabs(number_at(f, "C", 2) - 1.0) < 1e-12); /* the NULL pair is skipped */
    assert_true(fabs(number_at(f, "C", 3) - 1.0) < 1e-12);
    assert_true(isnan(number_at(f, "C", 4)));
    assert_true(fabs(number_at(f, "C", 5) + 1.0) < 1e-12);
}

/* ---- ATTR ---- */

static void test_attr_is_the_value_only_while_all_agree(void **state)
{
    fx *f = *state;
    input(f, "S STRING, L ARRAY<INT>");
    run(f, "CREATE TABLE OUT AS SELECT K, ATTR(S) AS S, ATTR(L) AS L FROM SRC GROUP BY K;");
    produce(f, "a", "{\"S\": \"x\", \"L\": [1, 2]}");
    produce(f, "a", "{\"S\": \"x\", \"L\": [1, 2]}");
    produce(f, "a", "{\"S\": \"y\", \"L\": [1, 2]}");
    expect(f, "S", "[\"x\", \"x\", null]");
    expect(f, "L", "[[1, 2], [1, 2], [1, 2]]");
}

/* ---- LATEST_BY_OFFSET / EARLIEST_BY_OFFSET with n ---- */

static void test_by_offset_n_gives_arrays_in_offset_order(void **state)
{
    fx *f = *state;
    input(f, "V INT");
    run(f, "CREATE TABLE OUT AS SELECT K, LATEST_BY_OFFSET(V, 2) AS L, EARLIEST_BY_OFFSET(V, 2) AS E, "
           "EARLIEST_BY_OFFSET(V, 2, false) AS EN, LATEST_BY_OFFSET(V, true) AS L1 FROM SRC GROUP BY K;");
    produce(f, "a", "{\"V\": 1}");
    produce(f, "a", "{\"V\": null}");
    produce(f, "a", "{\"V\": 2}");
    produce(f, "a", "{\"V\": 3}");
    expect(f, "L", "[[1], [1], [1, 2], [2, 3]]");
    expect(f, "E", "[[1], [1], [1, 2], [1, 2]]");
    expect(f, "EN", "[[1], [1, null], [1, null], [1, null]]");
    expect(f, "L1", "[1, 1, 2, 3]");
}

static void test_by_offset_refuses_n_that_is_not_a_literal(void **state)
{
    fx *f = *state;
    input(f, "V INT");
    refused(f, "CREATE TABLE OUT AS SELECT K, EARLIEST_BY_OFFSET(V, V) AS E FROM SRC GROUP BY K;", "literal");
    refused(f, "CREATE TABLE OUT AS SELECT K, LATEST_BY_OFFSET(V, 2, V > 1) AS E FROM SRC GROUP BY K;",
            "BOOLEAN literal");
}

/* ---- COLLECT_LIST / COLLECT_SET ---- */

static void test_collect_keeps_nulls_as_ksqldb_does(void **state)
{
    fx *f = *state;
    input(f, "V INT");
    run(f, "CREATE TABLE OUT AS SELECT K, COLLECT_LIST(V) AS L, COLLECT_SET(V) AS S, COUNT_DISTINCT(V) AS D "
           "FROM SRC GROUP BY K;");
    produce(f, "a", "{\"V\": 1}");
    produce(f, "a", "{\"V\": null}");
    produce(f, "a", "{\"V\": null}");
    expect(f, "L", "[[1], [1, null], [1, null, null]]");
    expect(f, "S", "[[1], [1, null], [1, null]]");
    expect(f, "D", "[1, 1, 1]");
}

/* ---- undo, through agg.h ---- */

typedef struct call_fx {
    arena a;
    err e;
    eval_ctx cx;
    expr args[2];
    expr *argp[2];
    agg_call c;
    value state[AGG_MAX_STATE];
} call_fx;

static void call_open(call_fx *x, const char *name, const sqltype *t0, const sqltype *t1)
{
    memset(x, 0, sizeof *x);
    arena_init(&x->a, 4096);
    x->cx.a = &x->a;
    x->cx.e = &x->e;
    x->args[0] = (expr){.kind = EX_COLUMN, .type = t0};
    x->args[1] = (expr){.kind = EX_COLUMN, .type = t1, .column = 1};
    x->argp[0] = &x->args[0];
    x->argp[1] = &x->args[1];
    x->c.def = agg_find(name);
    assert_non_null(x->c.def);
    x->c.args = x->argp;
    x->c.nargs = t1 ? 2 : 1;
    char why[160];
    assert_int_equal(x->c.def->resolve(&x->c, &x->a, why, sizeof why), 0);
    x->c.def->init(&x->c, x->state);
}

static value result(call_fx *x)
{
    value v;
    assert_int_equal(x->c.def->result(&x->c, x->state, &v, &x->cx), 0);
    return v;
}

static void add(call_fx *x, value a, value b, int sign)
{
    value args[2] = {a, b};
    if (sign > 0)
        assert_int_equal(x->c.def->add(&x->c, x->state, args, &x->cx), 0);
    else
        assert_int_equal(x->c.def->undo(&x->c, x->state, args, &x->cx), 0);
}

static void test_stddev_and_correlation_undo_restore_the_earlier_result(void **state)
{
    call_fx x;
    const sqltype *d = types_scalar(TYPE_DOUBLE);
    call_open(&x, "STDDEV_SAMP", d, NULL);
    const double vs[] = {10, 12, 13, 14, 16};
    for (int i = 0; i < 5; i++)
        add(&x, value_double(vs[i]), value_null(), 1);
    add(&x, value_double(100), value_null(), 1);
    add(&x, value_double(100), value_null(), -1);
    assert_true(fabs(result(&x).u.d - sqrt(5.0)) < 1e-9);
    for (int i = 4; i >= 1; i--)
        add(&x, value_double(vs[i]), value_null(), -1);
    assert_true(result(&x).u.d == 0.0);
    arena_free(&x.a);

    call_open(&x, "CORRELATION", d, d);
    add(&x, value_double(1), value_double(2), 1);
    add(&x, value_double(2), value_double(4), 1);
    add(&x, value_double(3), value_double(-7), 1);
    add(&x, value_double(3), value_double(-7), -1);
    assert_true(fabs(result(&x).u.d - 1.0) < 1e-12);
    arena_free(&x.a);
}

static void test_histogram_and_attr_undo_drop_values_at_zero(void **state)
{
    call_fx x;
    const sqltype *s = types_scalar(TYPE_STRING);
    call_open(&x, "HISTOGRAM", s, NULL);
    add(&x, value_string("a", 1), value_null(), 1);
    add(&x, value_string("b", 1), value_null(), 1);
    add(&x, value_string("a", 1), value_null(), 1);
    add(&x, value_string("b", 1), value_null(), -1);
    add(&x, value_string("a", 1), value_null(), -1);
    value h = result(&x);
    assert_int_equal(h.u.list->n, 2); /* one entry: "a" -> 1 */
    assert_memory_equal(h.u.list->items[0].u.s.p, "a", 1);
    assert_int_equal(h.u.list->items[1].u.l, 1);
    arena_free(&x.a);

    call_open(&x, "ATTR", s, NULL);
    add(&x, value_string("a", 1), value_null(), 1);
    add(&x, value_string("b", 1), value_null(), 1);
    assert_true(result(&x).null);
    add(&x, value_string("b", 1), value_null(), -1);
    assert_memory_equal(result(&x).u.s.p, "a", 1);
    add(&x, value_string("a", 1), value_null(), -1);
    assert_true(result(&x).null);
    arena_free(&x.a);
}

/* ---- merge (SESSION windows), through agg.h ---- */

/* Adding vs[0..n) to one state gives the result of adding vs[0..split) to
 * one, vs[split..n) to another, and merging the second into the first. */
static void merged_equals_added(const char *name, const sqltype *t, const value *vs, int n, int split)
{
    call_fx whole, a, b;
    call_open(&whole, name, t, NULL);
    call_open(&a, name, t, NULL);
    call_open(&b, name, t, NULL);
    for (int i = 0; i < n; i++) {
        add(&whole, vs[i], value_null(), 1);
        add(i < split ? &a : &b, vs[i], value_null(), 1);
    }
    assert_non_null(a.c.def->merge);
    assert_int_equal(a.c.def->merge(&a.c, a.state, b.state, &a.cx), 0);
    value want = result(&whole), got = result(&a);
    if (a.c.type->kind == TYPE_DOUBLE && !want.null && !got.null)
        assert_true(fabs(want.u.d - got.u.d) < 1e-9);
    else if (!(want.null && got.null) && (want.null || got.null || !value_equal(&want, a.c.type, &got, a.c.type)))
        fail_msg("%s: merging states differs from adding the values", name);
    arena_free(&whole.a);
    arena_free(&a.a);
    arena_free(&b.a);
}

static void test_merge_of_two_states_equals_adding_all_values(void **state)
{
    const sqltype *i = types_scalar(TYPE_INT), *s = types_scalar(TYPE_STRING);
    const value ints[] = {value_int(4), value_int(9), value_null(), value_int(4), value_int(-2), value_int(7)};
    const char *numeric[] = {"COUNT", "SUM", "AVG", "MIN", "MAX", "COLLECT_LIST", "COLLECT_SET", "COUNT_DISTINCT",
                             "LATEST_BY_OFFSET", "EARLIEST_BY_OFFSET", "STDDEV_SAMP", "ATTR"};
    for (size_t k = 0; k < sizeof numeric / sizeof *numeric; k++)
        for (int split = 0; split <= 6; split += 3)
            merged_equals_added(numeric[k], i, ints, 6, split);
    const value strs[] = {value_string("a", 1), value_string("b", 1), value_string("a", 1), value_null(),
                          value_string("c", 1), value_string("b", 1)};
    for (int split = 0; split <= 6; split += 2)
        merged_equals_added("HISTOGRAM", s, strs, 6, split);
}

static void test_order_based_aggregates_have_no_undo(void **state)
{
    const char *none[] = {"MIN", "MAX", "TOPK", "TOPKDISTINCT", "LATEST_BY_OFFSET", "EARLIEST_BY_OFFSET"};
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        assert_null(agg_find(none[i])->undo);
    const char *some[] = {"COUNT", "SUM", "AVG", "COLLECT_LIST", "HISTOGRAM", "STDDEV_SAMP", "CORRELATION", "ATTR"};
    for (size_t i = 0; i < sizeof some / sizeof *some; i++)
        assert_non_null(agg_find(some[i])->undo);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_topk_keeps_k_largest_descending_ignoring_nulls),
        T(test_topkdistinct_keeps_each_value_once),
        T(test_topk_with_other_columns_gives_structs),
        T(test_topk_refuses_k_that_is_not_a_positive_literal),
        T(test_histogram_counts_each_string),
        T(test_stddev_samp_is_the_sample_standard_deviation),
        T(test_correlation_of_linear_pairs_is_one_or_minus_one),
        T(test_attr_is_the_value_only_while_all_agree),
        T(test_by_offset_n_gives_arrays_in_offset_order),
        T(test_by_offset_refuses_n_that_is_not_a_literal),
        T(test_collect_keeps_nulls_as_ksqldb_does),
        cmocka_unit_test(test_stddev_and_correlation_undo_restore_the_earlier_result),
        cmocka_unit_test(test_histogram_and_attr_undo_drop_values_at_zero),
        cmocka_unit_test(test_order_based_aggregates_have_no_undo),
        cmocka_unit_test(test_merge_of_two_states_equals_adding_all_values),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
