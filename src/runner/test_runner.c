/* test_runner.c — see test_runner.h. */
#define _XOPEN_SOURCE 700
#include "test_runner.h"

#include <ftw.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/file.h"
#include "../base/mem.h"
#include "../engine/engine.h"
#include "../parser/parse.h"

typedef struct test_args {
    const char *statements, *input, *output, *write_actual;
} test_args;

static void usage(FILE *f)
{
    fputs("usage: eddy test -s STATEMENTS.sql [-i INPUT.json] [-o OUTPUT.json] [--write-actual FILE]\n"
          "\n"
          "Runs the statements in a private, temporary data directory, produces the input\n"
          "records one at a time (each one travels through every query before the next),\n"
          "and compares what the sink topics received with the expected output.\n"
          "Files use the formats of ksqlDB's ksql-test-runner:\n"
          "  input.json   {\"inputs\":  [{\"topic\", \"key\", \"value\", \"timestamp\"?, \"headers\"?}, ...]}\n"
          "               (no timestamp: 0)\n"
          "               (headers: [{\"KEY\": \"k\", \"VALUE\": base64 or null}, ...])\n"
          "  output.json  {\"outputs\": [{\"topic\", \"key\", \"value\", \"timestamp\"?}, ...]}\n"
          "               (the topics it names are compared, others noted; with no\n"
          "               record at all, every sink topic must stay empty)\n"
          "\n"
          "  -s, --sql-file FILE      statements to run (required)\n"
          "  -i, --input-file FILE    records to produce\n"
          "  -o, --output-file FILE   records the sink topics must hold, per topic in order\n"
          "      --write-actual FILE  write the records the sink topics received, as output.json\n"
          "  -h, --help               show this help\n"
          "\n"
          "Exit status: 0 when the output matches, 1 on a mismatch or a refused statement.\n",
          f);
}

static int parse_args(int argc, char **argv, test_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char **dst = NULL;
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            usage(stdout);
            exit(0);
        }
        if (!strcmp(o, "-s") || !strcmp(o, "--sql-file"))
            dst = &a->statements;
        else if (!strcmp(o, "-i") || !strcmp(o, "--input-file"))
            dst = &a->input;
        else if (!strcmp(o, "-o") || !strcmp(o, "--output-file"))
            dst = &a->output;
        else if (!strcmp(o, "--write-actual"))
            dst = &a->write_actual;
        if (!dst || i + 1 >= argc) {
            fprintf(stderr, "eddy test: %s '%s'\n", dst ? "missing a value after" : "unknown option", o);
            usage(stderr);
            return 2;
        }
        *dst = argv[++i];
    }
    if (!a->statements) {
        fprintf(stderr, "eddy test: -s STATEMENTS.sql is required\n");
        usage(stderr);
        return 2;
    }
    return 0;
}


static json_t *load_json(const char *path, const char *field)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j) {
        fprintf(stderr, "eddy test: %s:%d:%d: %s\n", path, je.line, je.column, je.text);
        return NULL;
    }
    json_t *list = json_object_get(j, field);
    if (!json_is_array(list)) {
        fprintf(stderr, "eddy test: %s: expected an object with an array \"%s\"\n", path, field);
        json_decref(j);
        return NULL;
    }
    json_incref(list);
    json_decref(j);
    return list;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

/* ---- topics the statements declare ----------------------------------- */

typedef struct topic_list {
    char **names;
    int *partitions; /* 0 = not given, -1 = made by a statement */
    int n;
} topic_list;

static void topic_add(topic_list *l, const char *name, int partitions)
{
    for (int i = 0; i < l->n; i++)
        if (!strcmp(l->names[i], name)) {
            if (partitions)
                l->partitions[i] = partitions;
            return;
        }
    l->names = mem_realloc(l->names, sizeof(char *) * (size_t)(l->n + 1));
    l->partitions = mem_realloc(l->partitions, sizeof(int) * (size_t)(l->n + 1));
    l->names[l->n] = mem_strdup(name);
    l->partitions[l->n++] = partitions;
}

static bool topic_listed(const topic_list *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (!strcasecmp(l->names[i], name))
            return true;
    return false;
}

static void topic_list_free(topic_list *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    free(l->partitions);
}

/* Topics named by CREATE STREAM/TABLE statements, with their PARTITIONS
 * (-1: the sink of a CREATE ... AS SELECT, which creates it).  The runner
 * creates the ones without PARTITIONS, as ksqlDB's runner does for the
 * topics a test reads. */
static void declared_topics(const char *sql, size_t len, topic_list *out)
{
    arena a;
    arena_init(&a, 16 * 1024);
    parser p;
    parser_init(&p, &a, sql, len);
    err e;
    err_clear(&e);
    ast_stmt *st;
    while ((st = parse_next(&p, &e))) {
        if (st->kind == AST_CREATE_AS) { /* its statement makes its topic */
            const char *topic = st->u.create_as.name.name;
            for (int i = 0; i < st->u.create_as.nprops; i++) {
                const ast_property *pr = &st->u.create_as.props[i];
                if (!strcmp(pr->key, "KAFKA_TOPIC") && pr->value->kind == AST_STRING)
                    topic = pr->value->u.str.s;
            }
            if (topic)
                topic_add(out, topic, -1);
            continue;
        }
        if (st->kind != AST_CREATE_SOURCE)
            continue;
        const char *topic = NULL;
        int parts = 0;
        for (int i = 0; i < st->u.create.nprops; i++) {
            const ast_property *pr = &st->u.create.props[i];
            if (!strcmp(pr->key, "KAFKA_TOPIC") && pr->value->kind == AST_STRING)
                topic = pr->value->u.str.s;
            if (!strcmp(pr->key, "PARTITIONS") && pr->value->kind == AST_INT)
                parts = (int)pr->value->u.i;
        }
        if (topic)
            topic_add(out, topic, parts);
    }
    arena_free(&a);
}

/* ---- comparison ----------------------------------------------------- */

/* JSON equality with numbers compared as numbers (1 == 1.0). */
static bool json_same(json_t *a, json_t *b)
{
    if (!a || !b)
        return (!a || json_is_null(a)) && (!b || json_is_null(b));
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_array(a)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!json_same(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        json_t *v;
        json_object_foreach(a, k, v)
        {
            if (!json_same(v, json_object_get(b, k)))
                return false;
        }
        return true;
    }
    return json_equal(a, b);
}

static bool record_same(json_t *exp, json_t *act)
{
    if (!json_same(json_object_get(exp, "key"), json_object_get(act, "key")) ||
        !json_same(json_object_get(exp, "value"), json_object_get(act, "value")))
        return false;
    json_t *ts = json_object_get(exp, "timestamp");
    if (ts && !json_same(ts, json_object_get(act, "timestamp")))
        return false;
    /* a windowed record: its window's bounds must match too */
    json_t *ew = json_object_get(exp, "window"), *aw = json_object_get(act, "window");
    if (json_is_object(ew))
        for (int i = 0; i < 2; i++) {
            const char *f = i ? "end" : "start";
            json_t *x = json_object_get(ew, f);
            if (x && !json_same(x, json_is_object(aw) ? json_object_get(aw, f) : NULL))
                return false;
        }
    return true;
}

static void show_record(const char *label, json_t *r)
{
    char *k = json_dumps(json_object_get(r, "key"), JSON_COMPACT | JSON_ENCODE_ANY);
    char *v = json_dumps(json_object_get(r, "value"), JSON_COMPACT | JSON_ENCODE_ANY);
    json_t *ts = json_object_get(r, "timestamp");
    fprintf(stderr, "    %s key %s, value %s", label, k ? k : "null", v ? v : "null");
    if (ts)
        fprintf(stderr, ", timestamp %lld", (long long)json_integer_value(ts));
    json_t *w = json_object_get(r, "window");
    if (json_is_object(w))
        fprintf(stderr, ", window [%lld, %lld)", (long long)json_integer_value(json_object_get(w, "start")),
                (long long)json_integer_value(json_object_get(w, "end")));
    fputc('\n', stderr);
    free(k);
    free(v);
}

static bool topic_matches(const char *topic, json_t *expected, json_t *actual)
{
    json_t *exp = json_array(), *act = json_array();
    size_t i;
    json_t *r;
    json_array_foreach(expected, i, r) if (!strcasecmp(json_string_value(json_object_get(r, "topic")), topic))
        json_array_append(exp, r);
    json_array_foreach(actual, i, r) if (!strcasecmp(json_string_value(json_object_get(r, "topic")), topic))
        json_array_append(act, r);
    bool ok = json_array_size(exp) == json_array_size(act);
    size_t n = json_array_size(exp) > json_array_size(act) ? json_array_size(exp) : json_array_size(act);
    size_t first_bad = n;
    for (i = 0; i < n && first_bad == n; i++)
        if (i >= json_array_size(exp) || i >= json_array_size(act) ||
            !record_same(json_array_get(exp, i), json_array_get(act, i)))
            first_bad = i;
    ok = ok && first_bad == n;
    if (!ok) {
        fprintf(stderr, "topic %s: expected %zu records, got %zu; first difference at record %zu:\n", topic,
                json_array_size(exp), json_array_size(act), first_bad);
        for (i = first_bad; i < n && i < first_bad + 5; i++) {
            fprintf(stderr, "  record %zu\n", i);
            if (i < json_array_size(exp))
                show_record("expected", json_array_get(exp, i));
            else
                fprintf(stderr, "    expected nothing\n");
            if (i < json_array_size(act))
                show_record("actual  ", json_array_get(act, i));
            else
                fprintf(stderr, "    actual   nothing\n");
        }
    }
    json_decref(exp);
    json_decref(act);
    return ok;
}

/* ---- production order ------------------------------------------------ */

/* ksqlDB's test driver reports a sink's records in the order they were
 * produced, across partitions.  The log keeps order only per partition, so
 * after each input record travels through the queries the runner notes
 * every watched topic's end offsets (a "mark"): a record belongs to the
 * first step whose mark lies beyond its offset.  Records of one step are
 * ordered by partition, then offset. */
typedef struct step_marks {
    topic_list topics; /* the watched topics */
    int nsteps;
    int64_t **ends; /* ends[step * topics.n + t]: per partition, NULL = none */
    int *nparts;    /* partitions noted in ends[...] */
} step_marks;

static void marks_take(engine *en, step_marks *m)
{
    size_t n = (size_t)(m->nsteps + 1) * (size_t)m->topics.n;
    m->ends = mem_realloc(m->ends, sizeof(int64_t *) * n);
    m->nparts = mem_realloc(m->nparts, sizeof(int) * n);
    for (int t = 0; t < m->topics.n; t++) {
        size_t at = (size_t)m->nsteps * (size_t)m->topics.n + (size_t)t;
        int parts = engine_topic_end_offsets(en, m->topics.names[t], NULL, 0);
        m->nparts[at] = parts > 0 ? parts : 0;
        m->ends[at] = parts > 0 ? mem_alloc(sizeof(int64_t) * (size_t)parts) : NULL;
        if (parts > 0)
            engine_topic_end_offsets(en, m->topics.names[t], m->ends[at], parts);
    }
    m->nsteps++;
}

static void marks_free(step_marks *m)
{
    for (int i = 0; i < m->nsteps * m->topics.n; i++)
        free(m->ends[i]);
    free(m->ends);
    free(m->nparts);
    topic_list_free(&m->topics);
}

/* The step in which the record at (partition, offset) of watched topic t
 * was produced (nsteps when no mark covers it). */
static int marks_step(const step_marks *m, int t, int partition, int64_t offset)
{
    for (int s = 0; s < m->nsteps; s++) {
        size_t at = (size_t)s * (size_t)m->topics.n + (size_t)t;
        if (partition < m->nparts[at] && m->ends[at][partition] > offset)
            return s;
    }
    return m->nsteps;
}

typedef struct ordered_record {
    int step, partition;
    int64_t offset;
    json_t *rec;
} ordered_record;

static int ordered_cmp(const void *pa, const void *pb)
{
    const ordered_record *a = pa, *b = pb;
    if (a->step != b->step)
        return a->step < b->step ? -1 : 1;
    if (a->partition != b->partition)
        return a->partition < b->partition ? -1 : 1;
    return a->offset < b->offset ? -1 : a->offset > b->offset;
}

/* Appends the records of watched topic t to out in production order,
 * without the "partition" and "offset" fields. */
static void append_in_order(engine *en, const step_marks *m, int t, json_t *out)
{
    json_t *recs = json_array();
    err e;
    err_clear(&e);
    engine_dump_topic_json(en, m->topics.names[t], recs, &e);
    size_t n = json_array_size(recs);
    ordered_record *ord = mem_alloc(sizeof(ordered_record) * (n + 1));
    for (size_t i = 0; i < n; i++) {
        json_t *r = json_array_get(recs, i);
        ord[i].partition = (int)json_integer_value(json_object_get(r, "partition"));
        ord[i].offset = json_integer_value(json_object_get(r, "offset"));
        ord[i].step = marks_step(m, t, ord[i].partition, ord[i].offset);
        ord[i].rec = r;
    }
    qsort(ord, n, sizeof *ord, ordered_cmp);
    for (size_t i = 0; i < n; i++) {
        json_object_del(ord[i].rec, "partition");
        json_object_del(ord[i].rec, "offset");
        json_array_append(out, ord[i].rec);
    }
    free(ord);
    json_decref(recs);
}

static void watch_topic(void *ctx, const char *topic)
{
    topic_add(&((step_marks *)ctx)->topics, topic, 0);
}

/* Watches every sink topic, and any other topic the expected output names. */
static void marks_init(engine *en, json_t *expected, step_marks *m)
{
    memset(m, 0, sizeof *m);
    engine_sink_topic_names(en, watch_topic, m);
    size_t i;
    json_t *r;
    json_array_foreach(expected, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "topic"));
        if (t)
            topic_add(&m->topics, t, 0);
    }
}

/* ---- running a case --------------------------------------------------- */

/* Produces each input record and runs the queries over it.  A record
 * without "timestamp" gets 0, as in ksqlDB's test runner. */
static int produce_inputs(engine *en, json_t *inputs, step_marks *m)
{
    size_t i;
    json_t *r;
    json_array_foreach(inputs, i, r)
    {
        const char *topic = json_string_value(json_object_get(r, "topic"));
        json_t *ts = json_object_get(r, "timestamp");
        err e;
        err_clear(&e);
        if (!topic) {
            fprintf(stderr, "eddy test: input record %zu has no \"topic\"\n", i);
            return -1;
        }
        /* a record of a windowed topic: {"start", "end", "type"} */
        json_t *w = json_object_get(r, "window");
        int64_t wstart = json_integer_value(json_object_get(w, "start"));
        int64_t wend = json_integer_value(json_object_get(w, "end"));
        if (engine_produce_json_windowed(en, topic, json_object_get(r, "key"), json_object_get(r, "value"),
                                         json_object_get(r, "headers"),
                                         json_is_integer(ts) ? json_integer_value(ts) : 0,
                                         json_is_object(w) ? &wstart : NULL, wend, &e)) {
            fprintf(stderr, "eddy test: input record %zu (topic %s): %s\n", i, topic, e.msg);
            return -1;
        }
        engine_pump(en);
        marks_take(en, m);
    }
    return 0;
}

/* The records of every watched topic, each topic's in production order. */
static json_t *collect_actual(engine *en, const step_marks *m)
{
    json_t *records = json_array();
    for (int t = 0; t < m->topics.n; t++)
        append_in_order(en, m, t, records);
    return records;
}

static int write_actual(const char *path, json_t *records)
{
    json_t *doc = json_pack("{sO}", "outputs", records);
    int rc = json_dump_file(doc, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (rc)
        fprintf(stderr, "eddy test: cannot write %s\n", path);
    return rc;
}

static int compare_outputs(json_t *expected, json_t *actual)
{
    topic_list topics = {0};
    size_t i;
    json_t *r;
    json_array_foreach(expected, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "topic"));
        if (t)
            topic_add(&topics, t, 0);
    }
    /* As ksqlDB's runner, only the topics the output file names are
     * compared (a pipeline's intermediate topics are left out); a file
     * that expects no records at all says every sink stays empty. */
    bool none_expected = topics.n == 0;
    topic_list unnamed = {0};
    json_array_foreach(actual, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "topic"));
        if (t && !topic_listed(&topics, t) && !topic_listed(&unnamed, t))
            topic_add(&unnamed, t, 0);
    }
    bool ok = true;
    for (int t = 0; t < topics.n; t++)
        ok = topic_matches(topics.names[t], expected, actual) && ok;
    for (int t = 0; t < unnamed.n; t++)
        if (none_expected)
            ok = topic_matches(unnamed.names[t], expected, actual) && ok;
        else
            fprintf(stderr, "note: topic %s received records; not compared (the output file names none of it)\n",
                    unnamed.names[t]);
    topic_list_free(&unnamed);
    topic_list_free(&topics);
    return ok ? 0 : 1;
}

static int run_statements(engine *en, const char *sql, size_t len, const char *path)
{
    engine_session s;
    engine_session_init(&s);
    const char *set = "SET 'auto.offset.reset'='earliest';";
    err e;
    err_clear(&e);
    engine_execute(en, &s, set, strlen(set), NULL, &e);
    int rc = engine_execute(en, &s, sql, len, NULL, &e);
    if (rc) {
        buf msg = BUF_INIT;
        err_render(&e, sql, len, &msg);
        fprintf(stderr, "%s: statement refused: %s\n", path, msg.data);
        buf_free(&msg);
    }
    engine_session_free(&s);
    return rc;
}

static int run_case(const test_args *a, const char *dir, const char *sql, size_t sql_len, json_t *inputs,
                    json_t *expected)
{
    engine_config cfg = {.data_dir = dir, .background = false, .flush = LOG_FLUSH_NONE};
    err e;
    err_clear(&e);
    engine *en = engine_open(&cfg, NULL, &e);
    if (!en) {
        fprintf(stderr, "eddy test: %s\n", e.msg);
        return 1;
    }
    topic_list topics = {0};
    declared_topics(sql, sql_len, &topics);
    size_t i;
    json_t *r;
    json_array_foreach(inputs, i, r)
    {
        const char *t = json_string_value(json_object_get(r, "topic"));
        if (t)
            topic_add(&topics, t, 0);
    }
    for (int t = 0; t < topics.n; t++)
        if (!topics.partitions[t])
            engine_create_topic(en, topics.names[t], 1, &e);
    topic_list_free(&topics);
    int status = 1;
    if (run_statements(en, sql, sql_len, a->statements) == 0) {
        engine_pump(en);
        step_marks marks;
        marks_init(en, expected, &marks);
        marks_take(en, &marks); /* records the statements themselves wrote */
        if (produce_inputs(en, inputs, &marks) == 0) {
            json_t *actual = collect_actual(en, &marks);
            status = 0;
            if (a->write_actual && write_actual(a->write_actual, actual))
                status = 1;
            if (a->output && compare_outputs(expected, actual))
                status = 1;
            json_decref(actual);
        }
        marks_free(&marks);
    }
    engine_close(en);
    return status;
}

int test_runner_main(int argc, char **argv)
{
    test_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    size_t sql_len;
    char *sql = file_read_all(a.statements, &sql_len);
    if (!sql) {
        fprintf(stderr, "eddy test: cannot read %s\n", a.statements);
        return 1;
    }
    json_t *inputs = a.input ? load_json(a.input, "inputs") : json_array();
    json_t *expected = a.output ? load_json(a.output, "outputs") : json_array();
    char dir[] = "/tmp/eddy-test-XXXXXX";
    int status = 1;
    if (inputs && expected && mkdtemp(dir)) {
        status = run_case(&a, dir, sql, sql_len, inputs, expected);
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    }
    if (status == 0 && a.output)
        printf("ok: output matches %s\n", a.output);
    json_decref(inputs);
    json_decref(expected);
    free(sql);
    return status;
}
