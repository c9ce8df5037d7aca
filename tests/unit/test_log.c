/* test_log — the embedded log: append/read, recovery, segments, seeking,
 * waiting, partitioning, consumer-group offsets and topics.
 *
 * Every test works in its own mkdtemp directory, removed at the end. */
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

/* ---- fixtures and helpers ---- */

typedef struct fx {
    char dir[64];
    eventlog *l;
    err e;
} fx;

static int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/eddy-test-log-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    f->l = log_open(f->dir, NULL, &f->e);
    assert_non_null(f->l);
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

static void fx_reopen(fx *f)
{
    log_close(f->l);
    f->l = log_open(f->dir, NULL, &f->e);
    assert_non_null(f->l);
}

static log_topic *make_topic(fx *f, const char *name, int partitions, int64_t segment_bytes)
{
    log_topic_config cfg = {.partitions = partitions, .segment_bytes = segment_bytes};
    log_topic *t = log_topic_create(f->l, name, &cfg, &f->e);
    assert_non_null(t);
    return t;
}

/* Appends records "k<i>" -> "value-<i>" for i in [from, from + n) as one
 * batch, timestamps 1000 + i. */
static void append_n(fx *f, log_topic *t, int partition, int from, int n)
{
    char keys[64][16], vals[64][24];
    log_record recs[64];
    assert_true(n <= 64);
    for (int i = 0; i < n; i++) {
        int kl = snprintf(keys[i], sizeof keys[i], "k%d", from + i);
        int vl = snprintf(vals[i], sizeof vals[i], "value-%d", from + i);
        recs[i] = (log_record){.timestamp = 1000 + from + i, .key = (uint8_t *)keys[i],
                               .key_len = kl, .value = (uint8_t *)vals[i], .value_len = vl};
    }
    assert_int_equal(log_append(t, partition, recs, n, &f->e), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(recs[i].offset, recs[0].offset + i);
}

/* Checks that rec is the record append_n wrote for i. */
static void assert_record_is(const log_record *r, int i)
{
    char want[24];
    int wl = snprintf(want, sizeof want, "value-%d", i);
    assert_int_equal(r->offset, i);
    assert_int_equal(r->timestamp, 1000 + i);
    assert_int_equal(r->value_len, wl);
    assert_memory_equal(r->value, want, (size_t)wl);
}

/* Reads everything from `from`; returns the count, checking each record
 * against append_n's pattern. */
static int read_all_from(fx *f, log_topic *t, int partition, int64_t from)
{
    log_reader *r = log_reader_open(t, partition, from);
    assert_non_null(r);
    log_record recs[7]; /* odd size: reads end mid-batch */
    int total = 0, n;
    while ((n = log_read(r, recs, 7, &f->e)) > 0) {
        for (int i = 0; i < n; i++)
            assert_record_is(&recs[i], (int)from + total + i);
        total += n;
    }
    assert_int_equal(n, 0);
    assert_int_equal(log_reader_position(r), from + total);
    log_reader_close(r);
    return total;
}

static void path_of_segment(char *out, size_t n, fx *f, const char *topic, int p, int64_t base)
{
    snprintf(out, n, "%s/topics/%s/%d/%020" PRId64 ".log", f->dir, topic, p, base);
}

static off_t file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

static int count_segments(fx *f, const char *topic, int p)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls %s/topics/%s/%d/*.log | wc -l", f->dir, topic, p);
    FILE *pp = popen(cmd, "r");
    int n = -1;
    assert_int_equal(fscanf(pp, "%d", &n), 1);
    pclose(pp);
    return n;
}

/* ---- append and read ---- */

static void test_log_round_trips_keys_nulls_tombstones_headers(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "orders", 1, 0);
    log_header hs[2] = {{"trace", 5, (const uint8_t *)"abc", 3}, {"empty", 5, NULL, -1}};
    log_record in[4] = {
        {.timestamp = 5000, .key = (const uint8_t *)"a", .key_len = 1,
         .value = (const uint8_t *)"one", .value_len = 3, .headers = hs, .nheaders = 2},
        {.timestamp = 4000, .key_len = -1, .value = (const uint8_t *)"no key", .value_len = 6},
        {.timestamp = 9000, .key = (const uint8_t *)"a", .key_len = 1, .value_len = -1},
        {.timestamp = -1, .key = (const uint8_t *)"", .key_len = 0,
         .value = (const uint8_t *)"", .value_len = 0},
    };
    assert_int_equal(log_append(t, 0, in, 4, &f->e), 0);

    log_reader *r = log_reader_open(t, 0, 0);
    log_record out[8];
    assert_int_equal(log_read(r, out, 8, &f->e), 4);
    assert_int_equal(out[0].timestamp, 5000);
    assert_int_equal(out[0].key_len, 1);
    assert_memory_equal(out[0].key, "a", 1);
    assert_memory_equal(out[0].value, "one", 3);
    assert_int_equal(out[0].nheaders, 2);
    assert_int_equal(out[0].headers[0].key_len, 5);
    assert_memory_equal(out[0].headers[0].key, "trace", 5);
    assert_int_equal(out[0].headers[0].value_len, 3);
    assert_memory_equal(out[0].headers[0].value, "abc", 3);
    assert_memory_equal(out[0].headers[1].key, "empty", 5);
    assert_int_equal(out[0].headers[1].value_len, -1);
    assert_null(out[0].headers[1].value);
    assert_int_equal(out[1].key_len, -1);
    assert_null(out[1].key);
    assert_int_equal(out[1].timestamp, 4000);
    assert_int_equal(out[1].nheaders, 0);
    assert_int_equal(out[2].value_len, -1);
    assert_null(out[2].value);
    assert_int_equal(out[2].timestamp, 9000);
    assert_int_equal(out[3].key_len, 0);
    assert_int_equal(out[3].value_len, 0);
    assert_int_equal(out[3].timestamp, -1);
    for (int i = 0; i < 4; i++)
        assert_int_equal(out[i].offset, i);
    assert_int_equal(log_read(r, out, 8, &f->e), 0);
    log_reader_close(r);
}

static void test_log_assigns_dense_offsets_across_appends(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "dense", 1, 0);
    append_n(f, t, 0, 0, 3);
    append_n(f, t, 0, 3, 1);
    append_n(f, t, 0, 4, 10);
    assert_int_equal(log_start_offset(t, 0), 0);
    assert_int_equal(log_end_offset(t, 0), 14);
    assert_int_equal(read_all_from(f, t, 0, 0), 14);
}

static void test_log_append_of_zero_records_is_a_no_op(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "empty", 1, 0);
    assert_int_equal(log_append(t, 0, NULL, 0, &f->e), 0);
    assert_int_equal(log_end_offset(t, 0), 0);
}

static void test_log_append_rejects_unknown_partition(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "two", 2, 0);
    log_record rec = {.key_len = -1, .value = (const uint8_t *)"x", .value_len = 1};
    assert_int_equal(log_append(t, 2, &rec, 1, &f->e), -1);
    assert_int_equal(f->e.code, ERR_INVALID);
    assert_int_equal(log_append(t, -1, &rec, 1, &f->e), -1);
    assert_null(log_reader_open(t, 5, 0));
}

static void test_log_keeps_partitions_apart(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "parts", 3, 0);
    append_n(f, t, 0, 0, 2);
    append_n(f, t, 2, 0, 5);
    assert_int_equal(log_end_offset(t, 0), 2);
    assert_int_equal(log_end_offset(t, 1), 0);
    assert_int_equal(log_end_offset(t, 2), 5);
    assert_int_equal(read_all_from(f, t, 2, 0), 5);
    assert_int_equal(read_all_from(f, t, 1, 0), 0);
}

static void test_log_keeps_data_and_config_across_reopen(void **state)
{
    fx *f = *state;
    log_topic_config cfg = {.partitions = 2, .segment_bytes = 12345, .compact = true,
                            .flush = LOG_FLUSH_BATCH};
    log_topic *t = log_topic_create(f->l, "kept", &cfg, &f->e);
    assert_non_null(t);
    append_n(f, t, 1, 0, 5);
    append_n(f, t, 1, 5, 5);
    fx_reopen(f);
    t = log_topic_find(f->l, "kept");
    assert_non_null(t);
    const log_topic_config *c = log_topic_config_get(t);
    assert_int_equal(c->partitions, 2);
    assert_int_equal(c->segment_bytes, 12345);
    assert_true(c->compact);
    assert_int_equal(c->flush, LOG_FLUSH_BATCH);
    assert_int_equal(log_end_offset(t, 1), 10);
    assert_int_equal(read_all_from(f, t, 1, 0), 10);
    append_n(f, t, 1, 10, 1);
    assert_int_equal(read_all_from(f, t, 1, 0), 11);
}

/* A reader running while a writer appends sees only whole batches: every
 * record it gets is the one written at that offset, in order. */
typedef struct race {
    fx *f;
    log_topic *t;
    int batches, per_batch;
} race;

static void *race_writer(void *arg)
{
    race *rc = arg;
    for (int b = 0; b < rc->batches; b++)
        append_n(rc->f, rc->t, 0, b * rc->per_batch, rc->per_batch);
    return NULL;
}

static void test_log_reader_never_sees_partial_batches(void **state)
{
    fx *f = *state;
    race rc = {f, make_topic(f, "race", 1, 4096), 300, 7};
    pthread_t th;
    pthread_create(&th, NULL, race_writer, &rc);
    log_reader *r = log_reader_open(rc.t, 0, 0);
    log_record recs[5];
    err e;
    int seen = 0, total = rc.batches * rc.per_batch;
    while (seen < total) {
        int n = log_read(r, recs, 5, &e);
        assert_true(n >= 0);
        for (int i = 0; i < n; i++)
            assert_record_is(&recs[i], seen + i);
        seen += n;
        if (n == 0)
            log_wait(rc.t, 0, seen, 1000);
    }
    pthread_join(th, NULL);
    log_reader_close(r);
}

/* ---- recovery ---- */

static void test_log_cuts_torn_tail_on_open(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "torn", 1, 0);
    char seg[256];
    path_of_segment(seg, sizeof seg, f, "torn", 0, 0);
    append_n(f, t, 0, 0, 4);
    off_t whole = file_size(seg);
    append_n(f, t, 0, 4, 4);
    off_t both = file_size(seg);
    log_close(f->l);
    f->l = NULL;
    /* A crash in the middle of writing the second batch. */
    assert_int_equal(truncate(seg, whole + (both - whole) / 2), 0);
    fx_reopen(f);
    t = log_topic_find(f->l, "torn");
    assert_int_equal(file_size(seg), whole);
    assert_int_equal(log_end_offset(t, 0), 4);
    append_n(f, t, 0, 4, 3);
    assert_int_equal(log_end_offset(t, 0), 7);
    assert_int_equal(read_all_from(f, t, 0, 0), 7);
}

static void test_log_cuts_garbage_tail_on_open(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "garbage", 1, 0);
    char seg[256];
    path_of_segment(seg, sizeof seg, f, "garbage", 0, 0);
    append_n(f, t, 0, 0, 5);
    off_t whole = file_size(seg);
    log_close(f->l);
    f->l = NULL;
    /* Bytes that never were a batch: a half-written header, then noise. */
    int fd = open(seg, O_WRONLY | O_APPEND);
    uint8_t junk[300];
    srand(7);
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)rand();
    assert_int_equal(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
    close(fd);
    fx_reopen(f);
    t = log_topic_find(f->l, "garbage");
    assert_int_equal(file_size(seg), whole);
    assert_int_equal(log_end_offset(t, 0), 5);
    append_n(f, t, 0, 5, 2);
    assert_int_equal(read_all_from(f, t, 0, 0), 7);
}

static void test_log_reports_corrupt_batch_in_the_middle(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "hole", 1, 0);
    char seg[256];
    path_of_segment(seg, sizeof seg, f, "hole", 0, 0);
    append_n(f, t, 0, 0, 3);
    off_t first = file_size(seg);
    append_n(f, t, 0, 3, 3);
    append_n(f, t, 0, 6, 3);
    off_t size = file_size(seg);
    log_close(f->l);
    f->l = NULL;
    /* Flip one byte inside the second batch's records. */
    int fd = open(seg, O_RDWR);
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, first + 50), 1);
    b ^= 0x40;
    assert_int_equal(pwrite(fd, &b, 1, first + 50), 1);
    close(fd);

    fx_reopen(f);
    t = log_topic_find(f->l, "hole");
    assert_int_equal(file_size(seg), size); /* nothing cut */
    assert_int_equal(log_end_offset(t, 0), 3);
    assert_int_equal(read_all_from(f, t, 0, 0), 3);
    log_record rec = {.key_len = -1, .value = (const uint8_t *)"x", .value_len = 1};
    assert_int_equal(log_append(t, 0, &rec, 1, &f->e), -1);
    assert_int_equal(f->e.code, ERR_CORRUPT);
    assert_non_null(strstr(f->e.msg, "'hole' partition 0"));
    assert_non_null(strstr(f->e.msg, "00000000000000000000.log"));
    assert_non_null(strstr(f->e.msg, "offset 3"));
    assert_non_null(strstr(f->e.msg, "CRC"));
}

static void test_log_reports_corrupt_length_instead_of_cutting(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "badlen", 1, 0);
    char seg[256];
    path_of_segment(seg, sizeof seg, f, "badlen", 0, 0);
    append_n(f, t, 0, 0, 3);
    off_t first = file_size(seg);
    append_n(f, t, 0, 3, 3);
    append_n(f, t, 0, 6, 3);
    off_t size = file_size(seg);
    log_close(f->l);
    f->l = NULL;
    /* A huge batch_length in the second batch looks like a torn tail, but
     * a good batch follows it, so it must not be cut. */
    int fd = open(seg, O_RDWR);
    uint8_t len[4] = {0x01, 0, 0, 0};
    assert_int_equal(pwrite(fd, len, 4, first + 8), 4);
    close(fd);
    fx_reopen(f);
    t = log_topic_find(f->l, "badlen");
    assert_int_equal(file_size(seg), size);
    assert_int_equal(log_end_offset(t, 0), 3);
    log_record rec = {.key_len = -1, .value = (const uint8_t *)"x", .value_len = 1};
    assert_int_equal(log_append(t, 0, &rec, 1, &f->e), -1);
    assert_int_equal(f->e.code, ERR_CORRUPT);
}

/* Older segments are only walked on open; a bit flip in one is caught by
 * the CRC when it is read, and reported with the segment's name. */
static void test_log_read_reports_crc_damage_in_an_old_segment(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "rot", 1, 300);
    for (int b = 0; b < 12; b++)
        append_n(f, t, 0, b * 4, 4);
    assert_true(count_segments(f, "rot", 0) >= 3);
    log_close(f->l);
    f->l = NULL;
    char seg[256];
    path_of_segment(seg, sizeof seg, f, "rot", 0, 0);
    int fd = open(seg, O_RDWR);
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, 60), 1); /* inside the first batch's records */
    b ^= 1;
    assert_int_equal(pwrite(fd, &b, 1, 60), 1);
    close(fd);

    fx_reopen(f);
    t = log_topic_find(f->l, "rot");
    assert_int_equal(log_end_offset(t, 0), 48);
    log_reader *r = log_reader_open(t, 0, 0);
    log_record recs[8];
    assert_int_equal(log_read(r, recs, 8, &f->e), -1);
    assert_int_equal(f->e.code, ERR_CORRUPT);
    assert_non_null(strstr(f->e.msg, "00000000000000000000.log"));
    assert_int_equal(log_read(r, recs, 8, &f->e), -1); /* stays reported */
    log_reader_close(r);
    /* Data in later segments is still readable. */
    assert_int_equal(read_all_from(f, t, 0, 40), 8);
}

static void test_log_treats_a_short_old_segment_as_corrupt_not_torn(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "short", 1, 300);
    for (int b = 0; b < 12; b++)
        append_n(f, t, 0, b * 4, 4);
    log_close(f->l);
    f->l = NULL;
    char seg[256];
    path_of_segment(seg, sizeof seg, f, "short", 0, 0);
    off_t size = file_size(seg);
    assert_int_equal(truncate(seg, size - 5), 0);
    fx_reopen(f);
    t = log_topic_find(f->l, "short");
    assert_int_equal(file_size(seg), size - 5); /* not cut further */
    int64_t end = log_end_offset(t, 0);
    assert_true(end > 0 && end < 48);
    assert_int_equal(read_all_from(f, t, 0, 0), end);
    log_record rec = {.key_len = -1, .value = (const uint8_t *)"x", .value_len = 1};
    assert_int_equal(log_append(t, 0, &rec, 1, &f->e), -1);
    assert_int_equal(f->e.code, ERR_CORRUPT);
}

/* Random damage anywhere in a segment: open and reads must not crash, and
 * whatever is read must be what was written. */
static void test_log_survives_random_damage(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "fuzz", 1, 0);
    char seg[256];
    path_of_segment(seg, sizeof seg, f, "fuzz", 0, 0);
    for (int b = 0; b < 10; b++)
        append_n(f, t, 0, b * 5, 5);
    off_t size = file_size(seg);
    uint8_t *orig = malloc((size_t)size);
    int fd = open(seg, O_RDONLY);
    assert_int_equal(read(fd, orig, (size_t)size), size);
    close(fd);
    srand(12345);
    for (int round = 0; round < 200; round++) {
        log_close(f->l);
        f->l = NULL;
        fd = open(seg, O_RDWR | O_TRUNC);
        assert_int_equal(write(fd, orig, (size_t)size), size);
        for (int k = 0; k < 1 + round % 4; k++) {
            uint8_t v = (uint8_t)rand();
            assert_int_equal(pwrite(fd, &v, 1, rand() % size), 1);
        }
        if (round % 3 == 0)
            assert_int_equal(ftruncate(fd, rand() % size), 0);
        close(fd);
        fx_reopen(f);
        t = log_topic_find(f->l, "fuzz");
        int64_t from = rand() % 50, next = from;
        log_reader *r = log_reader_open(t, 0, from);
        log_record recs[16];
        int n;
        /* Only what survived the checks is readable, and it is intact. */
        while ((n = log_read(r, recs, 16, &f->e)) > 0)
            for (int i = 0; i < n; i++)
                assert_record_is(&recs[i], (int)next++);
        assert_int_equal(n, 0);
        assert_true(next <= 50);
        log_reader_close(r);
    }
    free(orig);
}

/* ---- segments and seeking ---- */

static void test_log_rolls_segments_and_reads_across_them(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "roll", 1, 300);
    for (int b = 0; b < 20; b++)
        append_n(f, t, 0, b * 4, 4);
    assert_true(count_segments(f, "roll", 0) >= 5);
    assert_int_equal(read_all_from(f, t, 0, 0), 80);
    fx_reopen(f);
    t = log_topic_find(f->l, "roll");
    assert_int_equal(log_end_offset(t, 0), 80);
    assert_int_equal(read_all_from(f, t, 0, 0), 80);
    append_n(f, t, 0, 80, 4);
    assert_int_equal(read_all_from(f, t, 0, 0), 84);
}

static void test_log_reader_seeks_to_any_offset(void **state)
{
    fx *f = *state;
    /* Segments of ~8 KiB, so seeks cross both segments and index entries. */
    log_topic *t = make_topic(f, "seek", 1, 8192);
    for (int b = 0; b < 300; b++)
        append_n(f, t, 0, b * 3, 3);
    assert_true(count_segments(f, "seek", 0) > 3);
    int64_t targets[] = {0, 1, 2, 3, 100, 448, 449, 450, 777, 898, 899};
    for (size_t i = 0; i < sizeof targets / sizeof *targets; i++)
        assert_int_equal(read_all_from(f, t, 0, targets[i]), 900 - targets[i]);

    log_reader *r = log_reader_open(t, 0, 0);
    log_record rec;
    log_reader_seek(r, 500);
    assert_int_equal(log_read(r, &rec, 1, &f->e), 1);
    assert_record_is(&rec, 500);
    log_reader_seek(r, 17);
    assert_int_equal(log_read(r, &rec, 1, &f->e), 1);
    assert_record_is(&rec, 17);
    assert_int_equal(log_reader_position(r), 18);
    log_reader_seek(r, 900);
    assert_int_equal(log_read(r, &rec, 1, &f->e), 0);
    log_reader_close(r);
}

static void test_log_reader_at_end_sees_later_appends(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "tail", 1, 200);
    log_reader *r = log_reader_open(t, 0, 0);
    log_record recs[8];
    assert_int_equal(log_read(r, recs, 8, &f->e), 0);
    for (int b = 0; b < 6; b++) {
        append_n(f, t, 0, b * 2, 2);
        assert_int_equal(log_read(r, recs, 8, &f->e), 2);
        assert_record_is(&recs[0], b * 2);
        assert_record_is(&recs[1], b * 2 + 1);
        assert_int_equal(log_read(r, recs, 8, &f->e), 0);
    }
    log_reader_close(r);
}

/* ---- waiting ---- */

typedef struct waiter {
    log_topic *t;
    int64_t offset;
    int timeout_ms;
    bool result;
} waiter;

static void *wait_thread(void *arg)
{
    waiter *w = arg;
    w->result = log_wait(w->t, 0, w->offset, w->timeout_ms);
    return NULL;
}

static void test_log_wait_wakes_on_append_from_another_thread(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "wait", 1, 0);
    waiter w = {t, 0, -1, false};
    pthread_t th;
    pthread_create(&th, NULL, wait_thread, &w);
    append_n(f, t, 0, 0, 1);
    pthread_join(th, NULL);
    assert_true(w.result);
}

static void test_log_wait_times_out_without_data(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "idle", 1, 0);
    assert_false(log_wait(t, 0, 0, 0));
    assert_false(log_wait(t, 0, 0, 30));
    append_n(f, t, 0, 0, 2);
    assert_true(log_wait(t, 0, 1, 0));
    assert_false(log_wait(t, 0, 2, 10));
}

static void test_log_wake_releases_waiters(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "wake", 2, 0);
    waiter w = {t, 0, -1, true};
    pthread_t th;
    pthread_create(&th, NULL, wait_thread, &w);
    /* The waiter may not be blocked yet: keep waking until it returns. */
    while (pthread_tryjoin_np(th, NULL) != 0) {
        log_wake(t);
        usleep(1000);
    }
    assert_false(w.result);
}

/* ---- partitioner ---- */

static void test_log_murmur2_matches_kafka(void **state)
{
    /* Kafka's UtilsTest.testMurmur2: signed 32-bit results. */
    struct {
        const char *key;
        int32_t hash;
    } v[] = {
        {"21", -973932308},
        {"foobar", -790332482},
        {"a-little-bit-long-string", -985981536},
        {"a-little-bit-longer-string", -1486304829},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
        {"abc", 479470107},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        assert_int_equal((int32_t)log_murmur2(v[i].key, strlen(v[i].key)), v[i].hash);
}

static void test_log_partition_for_key_is_positive_hash_mod_partitions(void **state)
{
    fx *f = *state;
    log_topic *t = make_topic(f, "keys", 7, 0);
    /* toPositive(-973932308) = -973932308 & 0x7fffffff = 1173551340,
     * and 1173551340 % 7 = 3 (abs() would give 973932308 % 7 = 6). */
    assert_int_equal(log_partition_for_key(t, "21", 2), 3);
    /* 479470107 % 7 = 4 */
    assert_int_equal(log_partition_for_key(t, "abc", 3), 4);
    for (int i = 0; i < 100; i++) {
        char k[16];
        int n = snprintf(k, sizeof k, "key-%d", i);
        int p = log_partition_for_key(t, k, (size_t)n);
        assert_true(p >= 0 && p < 7);
    }
}

/* ---- consumer-group offsets ---- */

static void test_log_offsets_commit_fetch_forget_survive_reopen(void **state)
{
    fx *f = *state;
    assert_int_equal(log_offset_fetch(f->l, "q1", "orders", 0), -1);
    assert_int_equal(log_offset_commit(f->l, "q1", "orders", 0, 10, &f->e), 0);
    assert_int_equal(log_offset_commit(f->l, "q1", "orders", 1, 20, &f->e), 0);
    assert_int_equal(log_offset_commit(f->l, "q1", "orders", 0, 15, &f->e), 0);
    assert_int_equal(log_offset_commit(f->l, "q12", "orders", 0, 99, &f->e), 0);
    assert_int_equal(log_offset_fetch(f->l, "q1", "orders", 0), 15);
    assert_int_equal(log_offset_fetch(f->l, "q1", "orders", 1), 20);
    assert_int_equal(log_offset_fetch(f->l, "q1", "other", 0), -1);

    fx_reopen(f);
    assert_int_equal(log_offset_fetch(f->l, "q1", "orders", 0), 15);
    assert_int_equal(log_offset_fetch(f->l, "q1", "orders", 1), 20);
    assert_int_equal(log_offset_fetch(f->l, "q12", "orders", 0), 99);

    assert_int_equal(log_offset_forget(f->l, "q1", &f->e), 0);
    assert_int_equal(log_offset_fetch(f->l, "q1", "orders", 0), -1);
    assert_int_equal(log_offset_fetch(f->l, "q12", "orders", 0), 99);
    fx_reopen(f);
    assert_int_equal(log_offset_fetch(f->l, "q1", "orders", 0), -1);
    assert_int_equal(log_offset_fetch(f->l, "q1", "orders", 1), -1);
    assert_int_equal(log_offset_fetch(f->l, "q12", "orders", 0), 99);
    assert_int_equal(log_offset_forget(f->l, "nobody", &f->e), 0);
}

static void test_log_offsets_hold_many_keys(void **state)
{
    fx *f = *state;
    for (int i = 0; i < 500; i++)
        assert_int_equal(log_offset_commit(f->l, "g", "t", i, i * 2, &f->e), 0);
    fx_reopen(f);
    for (int i = 0; i < 500; i++)
        assert_int_equal(log_offset_fetch(f->l, "g", "t", i), i * 2);
}

static void test_log_offsets_committed_together_are_all_there_after_reopen(void **state)
{
    fx *f = *state;
    log_offset_entry en[3] = {{"orders", 0, 7}, {"orders", 1, 9}, {"\x01marker", 0, -1}};
    assert_int_equal(log_offset_commit_many(f->l, "q", en, 3, &f->e), 0);
    assert_int_equal(log_offset_fetch(f->l, "q", "orders", 0), 7);
    assert_int_equal(log_offset_fetch(f->l, "q", "\x01marker", 0), -1);
    en[0].offset = 8;
    en[2].offset = 1;
    assert_int_equal(log_offset_commit_many(f->l, "q", en, 3, &f->e), 0);
    fx_reopen(f);
    assert_int_equal(log_offset_fetch(f->l, "q", "orders", 0), 8);
    assert_int_equal(log_offset_fetch(f->l, "q", "orders", 1), 9);
    assert_int_equal(log_offset_fetch(f->l, "q", "\x01marker", 0), 1);
}

/* ---- topics ---- */

static void collect_name(void *ctx, log_topic *t)
{
    char *out = ctx;
    strcat(out, log_topic_name(t));
    strcat(out, " ");
}

static void test_log_topic_create_find_delete(void **state)
{
    fx *f = *state;
    make_topic(f, "b", 1, 0);
    log_topic *a = make_topic(f, "a", 3, 0);
    assert_ptr_equal(log_topic_find(f->l, "a"), a);
    assert_int_equal(log_topic_partitions(a), 3);
    assert_string_equal(log_topic_name(a), "a");
    assert_null(log_topic_find(f->l, "c"));

    char names[256] = "";
    log_topic_each(f->l, collect_name, names);
    assert_string_equal(names, "__consumer_offsets a b ");

    assert_null(log_topic_create(f->l, "a", NULL, &f->e));
    assert_int_equal(f->e.code, ERR_ALREADY_EXISTS);

    append_n(f, a, 1, 0, 3);
    assert_int_equal(log_topic_delete(f->l, "a", &f->e), 0);
    assert_null(log_topic_find(f->l, "a"));
    char dir[256];
    snprintf(dir, sizeof dir, "%s/topics/a", f->dir);
    assert_int_equal(access(dir, F_OK), -1);
    assert_int_equal(log_topic_delete(f->l, "a", &f->e), -1);
    assert_int_equal(f->e.code, ERR_UNKNOWN_TOPIC);

    /* Gone after reopen too, and the name can be used again from 0. */
    fx_reopen(f);
    assert_null(log_topic_find(f->l, "a"));
    a = make_topic(f, "a", 1, 0);
    assert_int_equal(log_end_offset(a, 0), 0);
    assert_int_equal(log_topic_delete(f->l, "__consumer_offsets", &f->e), -1);
}

static void test_log_topic_create_defaults_when_config_is_null(void **state)
{
    fx *f = *state;
    log_topic *t = log_topic_create(f->l, "plain", NULL, &f->e);
    assert_non_null(t);
    const log_topic_config *c = log_topic_config_get(t);
    assert_int_equal(c->partitions, 1);
    assert_int_equal(c->segment_bytes, 64 << 20);
    assert_false(c->compact);
    /* Group commit is the default: acknowledged appends survive a power
     * cut (issue 3). */
    assert_int_equal(c->flush, LOG_FLUSH_GROUP);
    assert_int_equal(c->retention_ms, -1);
    assert_int_equal(c->retention_bytes, -1);
    assert_int_equal(c->segment_ms, 7LL * 24 * 3600 * 1000);
    assert_int_equal(c->delete_retention_ms, 24LL * 3600 * 1000);
}

static void test_log_zeroed_flush_takes_the_logs_default(void **state)
{
    fx *f = *state;
    log_close(f->l);
    log_options o = {.default_flush = LOG_FLUSH_BATCH};
    f->l = log_open(f->dir, &o, &f->e);
    assert_non_null(f->l);
    log_topic_config cfg = {.partitions = 2};
    log_topic *t = log_topic_create(f->l, "durable", &cfg, &f->e);
    assert_int_equal(log_topic_config_get(t)->flush, LOG_FLUSH_BATCH);
    cfg.flush = LOG_FLUSH_NONE;
    t = log_topic_create(f->l, "fast", &cfg, &f->e);
    assert_int_equal(log_topic_config_get(t)->flush, LOG_FLUSH_NONE);
    append_n(f, log_topic_find(f->l, "durable"), 1, 0, 3);
    fx_reopen(f); /* opened with default options: the stored policy wins */
    t = log_topic_find(f->l, "durable");
    assert_int_equal(log_topic_config_get(t)->flush, LOG_FLUSH_BATCH);
    assert_int_equal(read_all_from(f, t, 1, 0), 3);
}

static void test_log_rejects_invalid_topic_names(void **state)
{
    fx *f = *state;
    const char *bad[] = {"", ".", "..", "a/b", "../x", "has space", "semi;colon", "tab\t",
                         "star*", "é"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_null(log_topic_create(f->l, bad[i], NULL, &f->e));
        assert_int_equal(f->e.code, ERR_INVALID);
    }
    char longname[300];
    memset(longname, 'x', 250);
    longname[250] = '\0';
    assert_null(log_topic_create(f->l, longname, NULL, &f->e));
    assert_non_null(log_topic_create(f->l, "Ok_name-1.v2", NULL, &f->e));
}

static void test_log_rejects_bad_config(void **state)
{
    fx *f = *state;
    log_topic_config cfg = {.partitions = 0};
    assert_null(log_topic_create(f->l, "zero", &cfg, &f->e));
    assert_int_equal(f->e.code, ERR_INVALID);
}

static void test_log_refuses_a_second_open_of_the_same_dir(void **state)
{
    fx *f = *state;
    err e;
    assert_null(log_open(f->dir, NULL, &e));
    assert_int_equal(e.code, ERR_IN_USE);
}

static void test_log_open_creates_missing_directories(void **state)
{
    fx *f = *state;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/nested/data", f->dir);
    err e;
    eventlog *l = log_open(dir, NULL, &e);
    assert_non_null(l);
    assert_non_null(log_topic_find(l, "__consumer_offsets"));
    log_close(l);
}

static void test_log_open_fails_cleanly_on_malformed_meta(void **state)
{
    fx *f = *state;
    make_topic(f, "meta", 1, 0);
    log_close(f->l);
    f->l = NULL;
    char path[256];
    snprintf(path, sizeof path, "%s/topics/meta/topic.meta", f->dir);
    FILE *m = fopen(path, "w");
    fputs("partitions=lots\n", m);
    fclose(m);
    err e;
    assert_null(log_open(f->dir, NULL, &e));
    assert_int_equal(e.code, ERR_CORRUPT);
    assert_non_null(strstr(e.msg, "topic.meta"));
    unlink(path); /* a topic dir without meta is ignored */
    fx_reopen(f);
    assert_null(log_topic_find(f->l, "meta"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)
        T(test_log_round_trips_keys_nulls_tombstones_headers),
        T(test_log_assigns_dense_offsets_across_appends),
        T(test_log_append_of_zero_records_is_a_no_op),
        T(test_log_append_rejects_unknown_partition),
        T(test_log_keeps_partitions_apart),
        T(test_log_keeps_data_and_config_across_reopen),
        T(test_log_reader_never_sees_partial_batches),
        T(test_log_cuts_torn_tail_on_open),
        T(test_log_cuts_garbage_tail_on_open),
        T(test_log_reports_corrupt_batch_in_the_middle),
        T(test_log_reports_corrupt_length_instead_of_cutting),
        T(test_log_read_reports_crc_damage_in_an_old_segment),
        T(test_log_treats_a_short_old_segment_as_corrupt_not_torn),
        T(test_log_survives_random_damage),
        T(test_log_rolls_segments_and_reads_across_them),
        T(test_log_reader_seeks_to_any_offset),
        T(test_log_reader_at_end_sees_later_appends),
        T(test_log_wait_wakes_on_append_from_another_thread),
        T(test_log_wait_times_out_without_data),
        T(test_log_wake_releases_waiters),
        T(test_log_murmur2_matches_kafka),
        T(test_log_partition_for_key_is_positive_hash_mod_partitions),
        T(test_log_offsets_commit_fetch_forget_survive_reopen),
        T(test_log_offsets_hold_many_keys),
        T(test_log_offsets_committed_together_are_all_there_after_reopen),
        T(test_log_topic_create_find_delete),
        T(test_log_topic_create_defaults_when_config_is_null),
        T(test_log_zeroed_flush_takes_the_logs_default),
        T(test_log_rejects_invalid_topic_names),
        T(test_log_rejects_bad_config),
        T(test_log_refuses_a_second_open_of_the_same_dir),
        T(test_log_open_creates_missing_directories),
        T(test_log_open_fails_cleanly_on_malformed_meta),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
