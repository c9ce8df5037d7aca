/* test_log_ops — the log's durability policies, time index, retention,
 * compaction, roll by age, sticky partitioning, faults (full disk, failed
 * fsync) and recovery at every truncation point.
 *
 * Every test works in its own mkdtemp directory with maintenance run by
 * hand (log_maintain) and an injected clock, so nothing depends on the
 * wall clock or a background thread's timing. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "temp_dir.h"

#include "storage/log.h"

typedef struct fx {
    char dir[64];
    eventlog *l;
    err e;
    int64_t now; /* the injected clock, ms */
} fx;

static int64_t fx_clock(void *ctx) { return ((fx *)ctx)->now; }

static void fx_open(fx *f)
{
    log_options o = {.manual_maintenance = true, .clock = fx_clock, .clock_ctx = f};
    f->l = log_open(f->dir, &o, &f->e);
    assert_non_null(f->l);
}

static int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/eddy-test-logops-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->now = 1700000000000LL;
    fx_open(f);
    *state = f;
    return 0;
}

static int fx_teardown(void **state)
{
    fx *f = *state;
    log_fault_write_countdown = 0;
    log_fault_fsync_countdown = 0;
    log_close(f->l);
    temp_dir_remove(f->dir);
    free(f);
    return 0;
}

static void fx_reopen(fx *f)
{
    log_close(f->l);
    fx_open(f);
}

static log_topic *topic(fx *f, const char *name, log_topic_config cfg)
{
    if (!cfg.partitions)
        cfg.partitions = 1;
    log_topic *t = log_topic_create(f->l, name, &cfg, &f->e);
    assert_non_null(t);
    return t;
}

/* Appends one batch of n records "k<key0 + i % nkeys>" -> "v<from + i>"
 * with timestamp ts0 + i; returns log_append's result. */
static int append_kv(fx *f, log_topic *t, int from, int n, int nkeys, int64_t ts0)
{
    char keys[64][16], vals[64][24];
    log_record recs[64];
    assert_true(n <= 64);
    for (int i = 0; i < n; i++) {
        int kl = snprintf(keys[i], sizeof keys[i], "k%d", (from + i) % nkeys);
        int vl = snprintf(vals[i], sizeof vals[i], "v%d", from + i);
        recs[i] = (log_record){.timestamp = ts0 + i, .key = (uint8_t *)keys[i], .key_len = kl,
                               .value = (uint8_t *)vals[i], .value_len = vl};
    }
    return log_append(t, 0, recs, n, &f->e);
}

typedef struct seen {
    int64_t offset, ts;
    char key[16], val[24];
    bool tomb;
} seen;

/* Reads the whole partition 0 from `from` into out (at most max). */
static int read_all(fx *f, log_topic *t, int64_t from, seen *out, int max)
{
    log_reader *r = log_reader_open(t, 0, from);
    log_record recs[16];
    int total = 0, n;
    while ((n = log_read(r, recs, 16, &f->e)) > 0) {
        for (int i = 0; i < n && total < max; i++, total++) {
            seen *s = &out[total];
            s->offset = recs[i].offset;
            s->ts = recs[i].timestamp;
            snprintf(s->key, sizeof s->key, "%.*s", recs[i].key_len, (const char *)recs[i].key);
            s->tomb = recs[i].value_len < 0;
            snprintf(s->val, sizeof s->val, "%.*s", s->tomb ? 0 : recs[i].value_len,
                     s->tomb ? "" : (const char *)recs[i].value);
        }
    }
    assert_int_equal(n, 0);
    log_reader_close(r);
    return total;
}

static int count_files(fx *f, const char *topic_name, const char *suffix)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls %s/topics/%s/0/ | grep -c '%s$'", f->dir, topic_name, suffix);
    FILE *pp = popen(cmd, "r");
    int n = -1;
    assert_int_equal(fscanf(pp, "%d", &n), 1);
    pclose(pp);
    return n;
}

/* ---- durability policies ---- */

static void test_log_group_commit_acknowledges_after_sync_and_survives_reopen(void **state)
{
    fx *f = *state;
    log_topic *t = topic(f, "g", (log_topic_config){0});
    assert_int_equal(log_topic_config_get(t)->flush, LOG_FLUSH_GROUP);
    for (int b = 0; b < 20; b++) {
        assert_int_equal(append_kv(f, t, b * 5, 5, 1000, 1000 + b * 5), 0);
        /* Acknowledged = published: the end offset already covers it. */
        assert_int_equal(log_end_offset(t, 0), (b + 1) * 5);
    }
    fx_reopen(f);
    t = log_topic_find(f->l, "g");
    assert_int_equal(log_topic_config_get(t)->flush, LOG_FLUSH_GROUP);
    seen s[100];
    assert_int_equal(read_all(f, t, 0, s, 100), 100);
    for (int i = 0; i < 100; i++)
        assert_int_equal(s[i].offset, i);
}

typedef struct appender {
    fx *f;
    log_topic *t;
    int id, batches;
    int64_t offsets[200];
} appender;

static void *appender_run(void *arg)
{
    appender *a = arg;
    for (int b = 0; b < a->batches; b++) {
        char v[32];
        int n = snprintf(v, sizeof v, "a%d-%d", a->id, b);
        log_record r = {.timestamp = b, .key_len = -1, .value = (uint8_t *)v, .value_len = n};
        err e;
        if (log_append(a->t, 0, &r, 1, &e) != 0)
            return NULL;
        a->offsets[b] = r.offset;
    }
    return a;
}

/* Four threads append at once under group commit: every append is
 * acknowledged once, with its own offset, and everything is readable. */
static void test_log_group_commit_serves_concurrent_appenders(void **state)
{
    fx *f = *state;
    log_topic *t = topic(f, "cg", (log_topic_config){.flush = LOG_FLUSH_GROUP,
                                                     .segment_bytes = 4096});
    appender a[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        a[i] = (appender){f, t, i, 200, {0}};
        pthread_create(&th[i], NULL, appender_run, &a[i]);
    }
    bool taken[800] = {false};
    for (int i = 0; i < 4; i++) {
        void *ok;
        pthread_join(th[i], &ok);
        assert_non_null(ok);
        for (int b = 0; b < 200; b++) {
            assert_true(a[i].offsets[b] >= 0 && a[i].offsets[b] < 800);
            assert_false(taken[a[i].offsets[b]]);
            taken[a[i].offsets[b]] = true;
            if (b > 0)
                assert_true(a[i].offsets[b] > a[i].offsets[b - 1]);
        }
    }
    assert_int_equal(log_end_offset(t, 0), 800);
    fx_reopen(f);
    t = log_topic_find(f->l, "cg");
    static seen s[800];
    assert_int_equal(read_all(f, t, 0, s, 800), 800);
}

static void test_log_flush_policy_names_round_trip(void **state)
{
    log_flush fl;
    const char *names[] = {"none", "batch", "group"};
    log_flush want[] = {LOG_FLUSH_NONE, LOG_FLUSH_BATCH, LOG_FLUSH_GROUP};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(log_flush_parse(names[i], &fl), 0);
        assert_int_equal(fl, want[i]);
        assert_string_equal(log_flush_name(fl), names[i]);
    }
    assert_int_equal(log_flush_parse("sometimes", &fl), -1);
}

static void test_log_meta_keeps_every_config_field(void **state)
{
    fx *f = *state;
    log_topic_config cfg = {.partitions = 3, .flush = LOG_FLUSH_BATCH, .compact = true,
                            .segment_bytes = 5000, .segment_ms = 60000, .retention_ms = 3600000,
                            .retention_bytes = 1 << 20, .delete_retention_ms = 1234};
    topic(f, "cfg", cfg);
    fx_reopen(f);
    const log_topic_config *c = log_topic_config_get(log_topic_find(f->l, "cfg"));
    assert_int_equal(c->partitions, 3);
    assert_int_equal(c->flush, LOG_FLUSH_BATCH);
    assert_true(c->compact);
    assert_int_equal(c->segment_bytes, 5000);
    assert_int_equal(c->segment_ms, 60000);
    assert_int_equal(c->retention_ms, 3600000);
    assert_int_equal(c->retention_bytes, 1 << 20);
    assert_int_equal(c->delete_retention_ms, 1234);
}

/* ---- faults ---- */

/* Fail the 1st, 2nd, ... write: the failing append reports ERR_IO with a
 * clear message, everything acknowledged before it stays, and appending
 * goes on afterwards (a disk that was full has room again). */
static void test_log_full_disk_fails_the_append_and_loses_nothing(void **state)
{
    fx *f = *state;
    log_flush policies[] = {LOG_FLUSH_NONE, LOG_FLUSH_BATCH, LOG_FLUSH_GROUP};
    for (int pi = 0; pi < 3; pi++) {
        char name[16];
        snprintf(name, sizeof name, "full%d", pi);
        log_topic *t = topic(f, name, (log_topic_config){.flush = policies[pi],
                                                         .segment_bytes = 600});
        int acked = 0;
        for (int k = 1; k <= 12; k++) {
            log_fault_write_countdown = k;
            int rc;
            while ((rc = append_kv(f, t, acked, 3, 1000, 1000)) == 0)
                acked += 3;
            assert_int_equal(rc, -1);
            assert_int_equal(f->e.code, ERR_IO);
            assert_non_null(strstr(f->e.msg, "No space left on device"));
            assert_non_null(strstr(f->e.msg, name));
            assert_int_equal(log_end_offset(t, 0), acked);
        }
        assert_int_equal(append_kv(f, t, acked, 3, 1000, 1000), 0);
        acked += 3;
        fx_reopen(f);
        t = log_topic_find(f->l, name);
        static seen s[2000];
        assert_int_equal(read_all(f, t, 0, s, 2000), acked);
        for (int i = 0; i < acked; i++) {
            char v[24];
            snprintf(v, sizeof v, "v%d", i);
            assert_string_equal(s[i].val, v);
            assert_int_equal(s[i].offset, i);
        }
    }
}

static void test_log_failed_fsync_poisons_the_partition_until_reopen(void **state)
{
    fx *f = *state;
    log_flush policies[] = {LOG_FLUSH_BATCH, LOG_FLUSH_GROUP};
    for (int pi = 0; pi < 2; pi++) {
        char name[16];
        snprintf(name, sizeof name, "sync%d", pi);
        log_topic *t = topic(f, name, (log_topic_config){.flush = policies[pi]});
        assert_int_equal(append_kv(f, t, 0, 4, 1000, 1000), 0);
        log_fault_fsync_countdown = 1;
        assert_int_equal(append_kv(f, t, 4, 4, 1000, 1000), -1);
        assert_int_equal(f->e.code, ERR_IO);
        assert_non_null(strstr(f->e.msg, "fsync"));
        assert_int_equal(log_end_offset(t, 0), 4);
        /* Poisoned: no further appends, even though fsync works again. */
        assert_int_equal(append_kv(f, t, 4, 4, 1000, 1000), -1);
        assert_int_equal(f->e.code, ERR_IO);
        fx_reopen(f);
        t = log_topic_find(f->l, name);
        assert_int_equal(log_end_offset(t, 0), 4);
        assert_int_equal(append_kv(f, t, 4, 4, 1000, 1000), 0);
        seen s[16];
        assert_int_equal(read_all(f, t, 0, s, 16), 8);
        assert_string_equal(s[7].val, "v7");
    }
}

/* ---- recovery at every truncation point ---- */

static void test_log_recovers_at_every_truncation_point_of_the_last_batch(void **state)
{
    fx *f = *state;
    log_topic *t = topic(f, "cut", (log_topic_config){0});
    char seg[256];
    snprintf(seg, sizeof seg, "%s/topics/cut/0/%020d.log", f->dir, 0);
    assert_int_equal(append_kv(f, t, 0, 3, 1000, 1000), 0);
    assert_int_equal(append_kv(f, t, 3, 3, 1000, 1000), 0);
    struct stat st;
    assert_int_equal(stat(seg, &st), 0);
    off_t two = st.st_size;
    assert_int_equal(append_kv(f, t, 6, 3, 1000, 1000), 0);
    assert_int_equal(stat(seg, &st), 0);
    off_t three = st.st_size;
    uint8_t *orig = malloc((size_t)three);
    int fd = open(seg, O_RDONLY);
    assert_int_equal(read(fd, orig, (size_t)three), three);
    close(fd);
    for (off_t cut = two; cut <= three; cut++) {
        log_close(f->l);
        fd = open(seg, O_WRONLY | O_TRUNC);
        assert_int_equal(write(fd, orig, (size_t)cut), cut);
        close(fd);
        fx_open(f);
        t = log_topic_find(f->l, "cut");
        int want = cut == three ? 9 : 6;
        assert_int_equal(log_end_offset(t, 0), want);
        assert_int_equal(stat(seg, &st), 0);
        assert_int_equal(st.st_size, cut == three ? three : two);
        seen s[16];
        assert_int_equal(read_all(f, t, 0, s, 16), want);
        for (int i = 0; i < want; i++)
            assert_int_equal(s[i].offset, i);
        /* And the log goes on from there. */
        assert_int_equal(append_kv(f, t, want, 1, 1000, 1000), 0);
        assert_int_equal(log_end_offset(t, 0), want + 1);
    }
    free(orig);
}

/* ---- the time index ---- */

/* Brute force: the first offset whose record timestamp is >= ts. */
static int64_t first_at(const seen *s, int n, int64_t ts, int64_t end)
{
    for (int i = 0; i < n; i++)
        if (s[i].ts >= ts)
            return s[i].offset;
    return end;
}

static void check_seek_time(fx *f, log_topic *t, const seen *s, int n)
{
    log_reader *r = log_reader_open(t, 0, 0);
    for (int64_t ts = -5; ts <= 3100; ts += 7) {
        int64_t want = first_at(s, n, ts, log_end_offset(t, 0));
        assert_int_equal(log_reader_seek_time(r, ts, &f->e), want);
        assert_int_equal(log_reader_position(r), want);
        log_record rec;
        int got = log_read(r, &rec, 1, &f->e);
        if (want < log_end_offset(t, 0)) {
            assert_int_equal(got, 1);
            assert_int_equal(rec.offset, want);
            assert_true(rec.timestamp >= ts);
        } else {
            assert_int_equal(got, 0);
        }
    }
    log_reader_close(r);
}

/* Timestamps that go up and down (late records), over many segments and
 * index entries: seeking by time gives what a full scan gives. */
static void test_log_seek_time_finds_first_offset_at_or_after(void **state)
{
    fx *f = *state;
    log_topic *t = topic(f, "time", (log_topic_config){.segment_bytes = 8192});
    srand(99);
    for (int b = 0; b < 200; b++) {
        int64_t ts0 = b * 15 - (b % 7 == 3 ? 200 : 0); /* some batches are late */
        char vals[8][16];
        log_record recs[8];
        for (int i = 0; i < 8; i++) {
            int vl = snprintf(vals[i], sizeof vals[i], "v%d", b * 8 + i);
            recs[i] = (log_record){.timestamp = ts0 + (rand() % 40), .key_len = -1,
                                   .value = (uint8_t *)vals[i], .value_len = vl};
        }
        assert_int_equal(log_append(t, 0, recs, 8, &f->e), 0);
    }
    static seen s[1600];
    int n = read_all(f, t, 0, s, 1600);
    assert_int_equal(n, 1600);
    check_seek_time(f, t, s, n);
    fx_reopen(f); /* the index is rebuilt from the segments */
    t = log_topic_find(f->l, "time");
    check_seek_time(f, t, s, n);
}

/* ---- roll by age, retention ---- */

static void test_log_rolls_a_segment_by_age(void **state)
{
    fx *f = *state;
    log_topic *t = topic(f, "age", (log_topic_config){.segment_ms = 1000});
    assert_int_equal(append_kv(f, t, 0, 2, 10, 1000), 0);
    assert_int_equal(append_kv(f, t, 2, 2, 10, 1000), 0);
    assert_int_equal(count_files(f, "age", ".log"), 1);
    f->now += 1000;
    assert_int_equal(append_kv(f, t, 4, 2, 10, 1000), 0); /* rolls first */
    assert_int_equal(count_files(f, "age", ".log"), 2);
    f->now += 1000;
    assert_true(log_maintain(f->l, 1 << 20, &f->e) >= 0); /* rolls an idle one too */
    assert_int_equal(count_files(f, "age", ".log"), 3);
    seen s[8];
    assert_int_equal(read_all(f, t, 0, s, 8), 6);
}

static void test_log_retention_by_size_deletes_oldest_whole_segments(void **state)
{
    fx *f = *state;
    log_topic *t = topic(f, "size", (log_topic_config){.segment_bytes = 500,
                                                       .retention_bytes = 1500});
    for (int b = 0; b < 40; b++)
        assert_int_equal(append_kv(f, t, b * 4, 4, 1000, 1000), 0);
    int before = count_files(f, "size", ".log");
    assert_true(before > 6);
    assert_true(log_maintain(f->l, 1 << 20, &f->e) > 0);
    int after = count_files(f, "size", ".log");
    assert_true(after < before && after >= 3 && after <= 5);
    int64_t start = log_start_offset(t, 0);
    assert_true(start > 0);
    assert_int_equal(log_end_offset(t, 0), 160);
    seen s[200];
    int n = read_all(f, t, 0, s, 200); /* from 0: moved to the start */
    assert_int_equal(n, 160 - start);
    assert_int_equal(s[0].offset, start);
    fx_reopen(f);
    t = log_topic_find(f->l, "size");
    assert_int_equal(log_start_offset(t, 0), start);
    assert_int_equal(read_all(f, t, 0, s, 200), n);
}

static void test_log_retention_by_time_uses_record_timestamps(void **state)
{
    fx *f = *state;
    log_topic *t = topic(f, "old", (log_topic_config){.segment_bytes = 400,
                                                      .retention_ms = 60000});
    /* Old records (ts = now - 2 min), then fresh ones. */
    for (int b = 0; b < 10; b++)
        assert_int_equal(append_kv(f, t, b * 4, 4, 1000, f->now - 120000), 0);
    for (int b = 10; b < 20; b++)
        assert_int_equal(append_kv(f, t, b * 4, 4, 1000, f->now - 1000), 0);
    assert_true(log_maintain(f->l, 1 << 20, &f->e) > 0);
    seen s[100];
    int n = read_all(f, t, 0, s, 100);
    assert_true(n >= 40 && n < 80);
    for (int i = 0; i < n; i++)
        if (s[i].offset >= 40)
            assert_true(s[i].ts >= f->now - 1000);
    /* When everything has expired, even the active segment goes (it is
     * rolled first); the end offset stays. */
    f->now += 3600000;
    assert_true(log_maintain(f->l, 1 << 20, &f->e) > 0);
    assert_int_equal(read_all(f, t, 0, s, 100), 0);
    assert_int_equal(log_start_offset(t, 0), 80);
    assert_int_equal(log_end_offset(t, 0), 80);
    fx_reopen(f);
    t = log_topic_find(f->l, "old");
    assert_int_equal(log_end_offset(t, 0), 80);
    assert_int_equal(append_kv(f, t, 80, 1, 1000, f->now), 0);
    assert_int_equal(read_all(f, t, 0, s, 100), 1);
}

/* A reader inside a segment that retention deletes reads that segment to
 * its end (the file stays open for it), then moves to the log start. */
static void test_log_reader_in_a_deleted_segment_finishes_it_then_moves_to_start(void **state)
{
    fx *f = *state;
    log_topic *t = topic(f, "del", (log_topic_config){.segment_bytes = 400,
                                                      .retention_bytes = 800});
    for (int b = 0; b < 20; b++)
        assert_int_equal(append_kv(f, t, b * 4, 4, 1000, 1000), 0);
    log_reader *r = log_reader_open(t, 0, 0);
    log_record rec;
    assert_int_equal(log_read(r, &rec, 1, &f->e), 1);
    assert_int_equal(rec.offset, 0);
    assert_true(log_maintain(f->l, 1 << 20, &f->e) > 0);
    int64_t start = log_start_offset(t, 0);
    assert_true(start > 8);
    int64_t expect = 1;
    bool jumped = false;
    while (log_read(r, &rec, 1, &f->e) == 1) {
        if (rec.offset != expect) {
            assert_false(jumped);
            assert_int_equal(rec.offset, start); /* the jump lands on the start */
            jumped = true;
        }
        expect = rec.offset + 1;
    }
    assert_true(jumped);
    assert_int_equal(expect, 80);
    log_reader_close(r);
}

/* ---- compaction ---- */

static void test_log_compaction_keeps_the_latest_record_per_key(void **state)
{
    fx *f = *state;
    log_topic *t = topic(f, "cmp", (log_topic_config){.compact = true, .segment_bytes = 300});
    /* 400 records over 10 keys, 4 per batch. */
    for (int b = 0; b < 100; b++)
        assert_int_equal(append_kv(f, t, b * 4, 4, 10, 1000 + b), 0);
    static seen before[400], after[400];
    assert_int_equal(read_all(f, t, 0, before, 400), 400);
    int64_t work;
    int steps = 0;
    while ((work = log_maintain(f->l, 1, &f->e)) > 0)
        steps++; /* budget 1: one segment per step */
    assert_int_equal(work, 0);
    assert_true(steps > 4);
    int n = read_all(f, t, 0, after, 400);
    assert_true(n < 400);
    /* Offsets are kept and increase; every kept record is what was
     * written at that offset; each key's latest record is still there. */
    for (int i = 0; i < n; i++) {
        assert_string_equal(after[i].val, before[after[i].offset].val);
        if (i)
            assert_true(after[i].offset > after[i - 1].offset);
    }
    for (int k = 390; k < 400; k++) {
        bool found = false;
        for (int i = 0; i < n; i++)
            found |= after[i].offset == k;
        assert_true(found);
    }
    /* In the cleaned (closed) part, each key appears at most once. */
    int64_t active = 0;
    for (int i = 0; i < n; i++)
        if (after[i].offset >= 380)
            break;
        else
            active = i + 1;
    for (int i = 0; i < active; i++)
        for (int j = i + 1; j < active; j++)
            assert_string_not_equal(after[i].key, after[j].key);
    assert_int_equal(log_end_offset(t, 0), 400);
    fx_reopen(f);
    t = log_topic_find(f->l, "cmp");
    assert_int_equal(read_all(f, t, 0, before, 400), n);
    assert_int_equal(log_end_offset(t, 0), 400);
    assert_int_equal(append_kv(f, t, 400, 4, 10, 5000), 0);
    assert_int_equal(count_files(f, "cmp", ".cleaned"), 0);
}

static void test_log_compaction_drops_tombstones_after_delete_retention(void **state)
{
    fx *f = *state;
    log_topic *t = topic(f, "tomb", (log_topic_config){.compact = true, .segment_bytes = 200,
                                                       .delete_retention_ms = 60000});
    assert_int_equal(append_kv(f, t, 0, 4, 2, f->now), 0); /* k0, k1 */
    log_record del = {.timestamp = f->now, .key = (uint8_t *)"k0", .key_len = 2,
                      .value_len = -1};
    assert_int_equal(log_append(t, 0, &del, 1, &f->e), 0);
    for (int b = 0; b < 10; b++) /* fill closed segments with other keys */
        assert_int_equal(append_kv(f, t, 100 + b * 4, 4, 1000, f->now), 0);
    while (log_maintain(f->l, 1 << 20, &f->e) > 0)
        ;
    seen s[64];
    int n = read_all(f, t, 0, s, 64);
    bool tomb = false, k0 = false;
    for (int i = 0; i < n; i++) {
        tomb |= s[i].tomb;
        k0 |= !s[i].tomb && !strcmp(s[i].key, "k0");
    }
    assert_true(tomb);  /* too young to drop */
    assert_false(k0);   /* the value it deletes is gone */
    f->now += 60000;
    while (log_maintain(f->l, 1 << 20, &f->e) > 0)
        ;
    n = read_all(f, t, 0, s, 64);
    for (int i = 0; i < n; i++)
        assert_false(s[i].tomb);
}

/* ---- sticky partitioner ---- */

static void test_log_sticky_partition_moves_on_each_batch(void **state)
{
    fx *f = *state;
    log_topic *t = topic(f, "sticky", (log_topic_config){.partitions = 3});
    int counts[3] = {0};
    int prev = -1;
    for (int i = 0; i < 30; i++) {
        int p = log_sticky_partition(t);
        assert_true(p >= 0 && p < 3);
        assert_int_not_equal(p, prev);
        prev = p;
        counts[p]++;
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(counts[i], 10);
    log_topic *one = topic(f, "single", (log_topic_config){0});
    assert_int_equal(log_sticky_partition(one), 0);
    assert_int_equal(log_sticky_partition(one), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
        T(test_log_group_commit_acknowledges_after_sync_and_survives_reopen),
        T(test_log_group_commit_serves_concurrent_appenders),
        T(test_log_flush_policy_names_round_trip),
        T(test_log_meta_keeps_every_config_field),
        T(test_log_full_disk_fails_the_append_and_loses_nothing),
        T(test_log_failed_fsync_poisons_the_partition_until_reopen),
        T(test_log_recovers_at_every_truncation_point_of_the_last_batch),
        T(test_log_seek_time_finds_first_offset_at_or_after),
        T(test_log_rolls_a_segment_by_age),
        T(test_log_retention_by_size_deletes_oldest_whole_segments),
        T(test_log_retention_by_time_uses_record_timestamps),
        T(test_log_reader_in_a_deleted_segment_finishes_it_then_moves_to_start),
        T(test_log_compaction_keeps_the_latest_record_per_key),
        T(test_log_compaction_drops_tombstones_after_delete_retention),
        T(test_log_sticky_partition_moves_on_each_batch),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
