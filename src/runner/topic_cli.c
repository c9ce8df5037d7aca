/* topic_cli.c — `eddy topic`, `eddy produce`, `eddy consume`: see
 * topic_cli.h.
 *
 * produce reads standard input with read(2) into a large buffer, splits
 * it into lines and appends them in batches (up to --batch records or
 * 1 MiB per partition), so there is no syscall per record.  A batch is
 * sent early only when input stalls (poll says nothing more is ready),
 * so a slow producer still sees its records go out at once.  With --ack,
 * after each append returns it prints `ack PARTITION FIRST LAST` and
 * flushes stdout: a printed ack means the batch was acknowledged by the
 * log under the topic's flush policy (durable for group and batch).
 */
#include "topic_cli.h"

#include "../engine/serde.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/mem.h"
#include "../storage/log.h"

#define CLI_BATCH_DEFAULT 1000
#define CLI_BATCH_BYTES (1 << 20)
#define CLI_READ_CHUNK (1 << 20)

static const char topic_help[] =
    "usage: eddy topic create TOPIC [--partitions N] [--flush group|batch|none] [--compact]\n"
    "                         [--segment-bytes N] [--segment-ms MS] [--retention-ms MS]\n"
    "                         [--retention-bytes N] [--delete-retention-ms MS]\n"
    "       eddy topic list\n"
    "       eddy topic describe TOPIC\n"
    "       eddy topic delete TOPIC\n"
    "  every command takes --data DIR (default ./eddy-data, or $EDDY_DATA)\n"
    "\n"
    "Manages the topics of the embedded log directly.  The data directory is locked\n"
    "while a log has it open, so these commands only work on a directory no other\n"
    "Eddy process (shell, server, produce, consume) has open.  Defaults: 1 partition,\n"
    "flush=group (an acknowledged append survives a power cut), 64 MiB segments,\n"
    "retention unlimited.\n";

static const char produce_help[] =
    "usage: eddy produce TOPIC [--key FIELD] [--partition N] [--kv] [--ack] [--batch N]\n"
    "                          [--data DIR] < records.ndjson\n"
    "\n"
    "Appends one record per input line: a JSON value, or with --kv `key<TAB>value`.\n"
    "  --key FIELD    the key is the record's top-level FIELD (a string as is, any\n"
    "                 other value as JSON text); keyed records go to the partition\n"
    "                 Kafka would choose (murmur2), unkeyed ones to a sticky\n"
    "                 partition that changes with each batch\n"
    "  --partition N  send every record to partition N\n"
    "  --ack          after each batch is acknowledged, print `ack PARTITION FIRST LAST`\n"
    "                 (offsets) and flush stdout; under flush=group or batch the\n"
    "                 batch is on stable storage by then\n"
    "  --batch N      records per batch (default 1000); a batch also goes out when\n"
    "                 input stalls, or reaches 1 MiB\n"
    "  --data DIR     the data directory (default ./eddy-data, or $EDDY_DATA); it must\n"
    "                 not be open in another Eddy process (the log locks it)\n"
    "A topic that does not exist is an error (create it with `eddy topic create`).\n"
    "A line that is not JSON stops the run (exit status 1) after the lines before it.\n";

static const char consume_help[] =
    "usage: eddy consume TOPIC [--from-beginning | --offset N | --timestamp MS]\n"
    "                          [--partition N] [--group G] [--limit N] [--follow]\n"
    "                          [--format value|json] [--data DIR]\n"
    "\n"
    "Prints the records of TOPIC, partition by partition, in offset order.\n"
    "  --from-beginning  start at the first stored record\n"
    "  --offset N        start at offset N in each partition\n"
    "  --timestamp MS    start at the first record whose timestamp is >= MS\n"
    "                    (ms since the epoch), as Kafka's offsetsForTimes\n"
    "  (default: the group's committed offsets with --group, else the end)\n"
    "  --group G         start from G's committed offsets and commit where it stops\n"
    "  --limit N         stop after N records\n"
    "  --follow          keep waiting for new records (Ctrl-C stops); note that no\n"
    "                    other process can append meanwhile, as the log locks DIR\n"
    "  --format value    the value as stored, one per line (null: a tombstone)\n"
    "  --format json     {\"topic\",\"partition\",\"offset\",\"timestamp\",\"key\",\"value\"}\n"
    "                    per line, key and value as JSON strings (or null)\n"
    "  --data DIR        the data directory (default ./eddy-data, or $EDDY_DATA); it\n"
    "                    must not be open in another Eddy process (the log locks it)\n";

/* ---- options ---- */

typedef struct cli_opts {
    const char *data, *topic, *sub, *key_field, *group, *format;
    log_topic_config cfg;
    long long partition, batch, limit, offset, timestamp;
    bool kv, ack, from_beginning, follow, help, has_offset, has_timestamp;
} cli_opts;

static int parse_ll(const char *opt, const char *v, long long lo, long long *out)
{
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < lo) {
        fprintf(stderr, "eddy: %s needs a number >= %lld, not '%s'\n", opt, lo, v);
        return -1;
    }
    *out = x;
    return 0;
}

/* Options that take a number, and where each goes. */
static long long *num_opt(cli_opts *o, const char *a, long long *lo, int64_t **i64)
{
    *i64 = NULL;
    *lo = 0;
    if (!strcmp(a, "--partition"))
        return &o->partition;
    if (!strcmp(a, "--batch") || !strcmp(a, "--limit") || !strcmp(a, "--partitions")) {
        *lo = 1;
        return !strcmp(a, "--batch") ? &o->batch : !strcmp(a, "--limit") ? &o->limit : NULL;
    }
    if (!strcmp(a, "--offset"))
        return &o->offset;
    if (!strcmp(a, "--timestamp")) {
        *lo = -(1LL << 62);
        return &o->timestamp;
    }
    *lo = -1;
    if (!strcmp(a, "--segment-bytes"))
        *i64 = &o->cfg.segment_bytes, *lo = 1;
    else if (!strcmp(a, "--segment-ms"))
        *i64 = &o->cfg.segment_ms, *lo = 1;
    else if (!strcmp(a, "--retention-ms"))
        *i64 = &o->cfg.retention_ms;
    else if (!strcmp(a, "--retention-bytes"))
        *i64 = &o->cfg.retention_bytes;
    else if (!strcmp(a, "--delete-retention-ms"))
        *i64 = &o->cfg.delete_retention_ms, *lo = 1;
    return NULL;
}

static int parse_flag(cli_opts *o, const char *a)
{
    if (!strcmp(a, "--kv"))
        o->kv = true;
    else if (!strcmp(a, "--ack"))
        o->ack = true;
    else if (!strcmp(a, "--from-beginning"))
        o->from_beginning = true;
    else if (!strcmp(a, "--follow"))
        o->follow = true;
    else if (!strcmp(a, "--compact"))
        o->cfg.compact = true;
    else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
        o->help = true;
    else
        return -1;
    return 0;
}

static int parse_opt(cli_opts *o, const char *a, const char *v)
{
    long long lo, x, *dst;
    int64_t *i64;
    if (!strcmp(a, "--data"))
        o->data = v;
    else if (!strcmp(a, "--key"))
        o->key_field = v;
    else if (!strcmp(a, "--group"))
        o->group = v;
    else if (!strcmp(a, "--format"))
        o->format = v;
    else if (!strcmp(a, "--flush")) {
        if (log_flush_parse(v, &o->cfg.flush) < 0) {
            fprintf(stderr, "eddy: --flush takes group, batch or none, not '%s'\n", v);
            return -1;
        }
    } else if ((dst = num_opt(o, a, &lo, &i64)) || i64 || !strcmp(a, "--partitions")) {
        if (parse_ll(a, v, lo, &x) < 0)
            return -1;
        if (!strcmp(a, "--partitions"))
            o->cfg.partitions = x > 100000 ? 100000 : (int)x;
        else if (i64)
            *i64 = x;
        else
            *dst = x;
        o->has_offset |= !strcmp(a, "--offset");
        o->has_timestamp |= !strcmp(a, "--timestamp");
    } else {
        fprintf(stderr, "eddy: unknown option '%s' (see --help)\n", a);
        return -1;
    }
    return 0;
}

/* Positional arguments: [sub] TOPIC.  Returns 0, or -1 after a message. */
static int parse_args(int argc, char **argv, bool has_sub, cli_opts *o)
{
    o->data = getenv("EDDY_DATA");
    if (!o->data || !*o->data)
        o->data = "./eddy-data";
    o->partition = -1;
    o->batch = CLI_BATCH_DEFAULT;
    o->limit = -1;
    o->format = "value";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') {
            if (has_sub && !o->sub)
                o->sub = a;
            else if (!o->topic)
                o->topic = a;
            else {
                fprintf(stderr, "eddy: unexpected argument '%s' (see --help)\n", a);
                return -1;
            }
        } else if (parse_flag(o, a) == 0) {
            continue;
        } else if (!strncmp(a, "--", 2) && strchr(a, '=')) {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)(strchr(a, '=') - a), a);
            if (parse_opt(o, name, strchr(a, '=') + 1) < 0)
                return -1;
        } else if (i + 1 < argc) {
            if (parse_opt(o, a, argv[i + 1]) < 0)
                return -1;
            i++;
        } else {
            fprintf(stderr, "eddy: option '%s' needs a value (see --help)\n", a);
            return -1;
        }
    }
    return 0;
}

static eventlog *cli_open(const cli_opts *o)
{
    err e;
    err_clear(&e);
    eventlog *l = log_open(o->data, NULL, &e);
    if (!l)
        fprintf(stderr, "eddy: cannot open data directory %s: %s\n", o->data, e.msg);
    return l;
}

static log_topic *cli_topic(eventlog *l, const cli_opts *o)
{
    log_topic *t = log_topic_find(l, o->topic);
    if (!t)
        fprintf(stderr, "eddy: topic '%s' does not exist (see `eddy topic list`)\n", o->topic);
    return t;
}

/* ---- eddy topic ---- */

static void print_name(void *ctx, log_topic *t)
{
    (void)ctx;
    printf("%s\n", log_topic_name(t));
}

static void describe(log_topic *t)
{
    const log_topic_config *c = log_topic_config_get(t);
    printf("topic: %s\npartitions: %d\nflush: %s\ncleanup.policy: %s\n"
           "segment.bytes: %" PRId64 "\nsegment.ms: %" PRId64 "\nretention.ms: %" PRId64
           "\nretention.bytes: %" PRId64 "\ndelete.retention.ms: %" PRId64 "\n",
           log_topic_name(t), c->partitions, log_flush_name(c->flush),
           c->compact ? "compact" : "delete", c->segment_bytes, c->segment_ms, c->retention_ms,
           c->retention_bytes, c->delete_retention_ms);
    printf("partition  start  end\n");
    for (int p = 0; p < c->partitions; p++)
        printf("%d  %" PRId64 "  %" PRId64 "\n", p, log_start_offset(t, p), log_end_offset(t, p));
}

static int topic_run(eventlog *l, cli_opts *o)
{
    err e;
    err_clear(&e);
    if (!strcmp(o->sub, "list")) {
        log_topic_each(l, print_name, NULL);
        return 0;
    }
    if (!strcmp(o->sub, "create")) {
        if (!o->cfg.partitions)
            o->cfg.partitions = 1;
        log_topic *t = log_topic_create(l, o->topic, &o->cfg, &e);
        if (!t) {
            fprintf(stderr, "eddy topic create: %s\n", e.msg);
            return 1;
        }
        printf("created topic %s with %d partition%s\n", o->topic, o->cfg.partitions,
               o->cfg.partitions == 1 ? "" : "s");
        return 0;
    }
    if (!strcmp(o->sub, "delete")) {
        if (log_topic_delete(l, o->topic, &e) < 0) {
            fprintf(stderr, "eddy topic delete: %s\n", e.msg);
            return 1;
        }
        printf("deleted topic %s\n", o->topic);
        return 0;
    }
    log_topic *t = cli_topic(l, o);
    if (!t)
        return 1;
    describe(t);
    return 0;
}

static int topic_main(int argc, char **argv)
{
    cli_opts o = {0};
    if (parse_args(argc, argv, true, &o) < 0)
        return 2;
    if (o.help) {
        fputs(topic_help, stdout);
        return 0;
    }
    const char *subs[] = {"create", "list", "describe", "delete"};
    bool known = false;
    for (size_t i = 0; i < 4 && o.sub; i++)
        known |= !strcmp(o.sub, subs[i]);
    bool needs_topic = o.sub && strcmp(o.sub, "list") != 0;
    if (!known || (needs_topic && !o.topic)) {
        if (o.sub && !known)
            fprintf(stderr, "eddy topic: unknown command '%s'\n", o.sub);
        fputs(topic_help, stderr);
        return 2;
    }
    eventlog *l = cli_open(&o);
    if (!l)
        return 1;
    int rc = topic_run(l, &o);
    log_close(l);
    return rc;
}

/* ---- eddy produce ---- */

/* Records waiting for one partition; key/value bytes live in `data`. */
typedef struct pending {
    buf data;
    size_t *koff, *voff; /* key: (koff, klen) or klen -1 */
    int32_t *klen, *vlen;
    int n, cap;
} pending;

typedef struct producer {
    log_topic *t;
    cli_opts *o;
    int nparts;
    pending *pend;
    int sticky;      /* partition of the current unkeyed batch */
    long long line;  /* input line number */
    long long total; /* records acknowledged */
    buf key;         /* scratch for --key */
    log_record *recs;
    int recs_cap;
} producer;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int flush_partition(producer *pr, int p)
{
    pending *q = &pr->pend[p];
    if (q->n == 0)
        return 0;
    if (pr->recs_cap < q->n) {
        pr->recs_cap = q->n;
        pr->recs = mem_realloc(pr->recs, (size_t)q->n * sizeof *pr->recs);
    }
    int64_t ts = now_ms();
    for (int i = 0; i < q->n; i++)
        pr->recs[i] = (log_record){
            .timestamp = ts,
            .key = q->klen[i] >= 0 ? (const uint8_t *)q->data.data + q->koff[i] : NULL,
            .key_len = q->klen[i],
            .value = (const uint8_t *)q->data.data + q->voff[i],
            .value_len = q->vlen[i]};
    err e;
    err_clear(&e);
    if (log_append(pr->t, p, pr->recs, q->n, &e) < 0) {
        fprintf(stderr, "eddy produce: %s (%lld records were acknowledged before it)\n", e.msg,
                pr->total);
        return -1;
    }
    pr->total += q->n;
    if (pr->o->ack) {
        printf("ack %d %" PRId64 " %" PRId64 "\n", p, pr->recs[0].offset,
               pr->recs[q->n - 1].offset);
        fflush(stdout);
    }
    q->n = 0;
    buf_reset(&q->data);
    if (p == pr->sticky)
        pr->sticky = log_sticky_partition(pr->t); /* a new batch: move on */
    return 0;
}

static int flush_all(producer *pr)
{
    for (int p = 0; p < pr->nparts; p++)
        if (flush_partition(pr, p) < 0)
            return -1;
    return 0;
}

static void pending_add(pending *q, const char *k, int32_t klen, const char *v, size_t vlen)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 64;
        q->koff = mem_realloc(q->koff, (size_t)q->cap * sizeof *q->koff);
        q->voff = mem_realloc(q->voff, (size_t)q->cap * sizeof *q->voff);
        q->klen = mem_realloc(q->klen, (size_t)q->cap * sizeof *q->klen);
        q->vlen = mem_realloc(q->vlen, (size_t)q->cap * sizeof *q->vlen);
    }
    q->koff[q->n] = q->data.len;
    q->klen[q->n] = klen;
    if (klen > 0)
        buf_append(&q->data, k, (size_t)klen);
    q->voff[q->n] = q->data.len;
    q->vlen[q->n] = (int32_t)vlen;
    buf_append(&q->data, v, vlen);
    q->n++;
}

/* The key of a JSON record for --key FIELD into pr->key; false when the
 * record has no such field (an unkeyed record). */
static bool json_key(producer *pr, json_t *j)
{
    json_t *f = json_is_object(j) ? json_object_get(j, pr->o->key_field) : NULL;
    if (!f || json_is_null(f))
        return false;
    buf_reset(&pr->key);
    if (json_is_string(f)) {
        buf_append(&pr->key, json_string_value(f), json_string_length(f));
    } else {
        char *s = json_dumps(f, JSON_COMPACT | JSON_ENCODE_ANY);
        buf_puts(&pr->key, s);
        free(s);
    }
    return true;
}

/* Parses one line into (key, value) and queues it. */
static int produce_line(producer *pr, const char *line, size_t len)
{
    const char *k = NULL, *v = line;
    int32_t klen = -1;
    size_t vlen = len;
    if (pr->o->kv) {
        const char *tab = memchr(line, '\t', len);
        if (!tab) {
            fprintf(stderr, "eddy produce: line %lld has no TAB between key and value (--kv)\n",
                    pr->line);
            return -1;
        }
        k = line, klen = (int32_t)(tab - line);
        v = tab + 1, vlen = len - (size_t)(tab - line) - 1;
    } else {
        json_error_t je;
        json_t *j = json_loadb(line, len, JSON_DECODE_ANY, &je);
        if (!j) {
            fprintf(stderr, "eddy produce: line %lld is not JSON: %s (column %d)\n", pr->line,
                    je.text, je.column);
            return -1;
        }
        if (pr->o->key_field && json_key(pr, j))
            k = pr->key.data, klen = (int32_t)pr->key.len;
        json_decref(j);
    }
    int p = pr->o->partition >= 0 ? (int)pr->o->partition
            : klen >= 0           ? log_partition_for_key(pr->t, k, (size_t)klen)
                                  : pr->sticky;
    pending *q = &pr->pend[p];
    pending_add(q, k, klen, v, vlen);
    if (q->n >= pr->o->batch || q->data.len >= CLI_BATCH_BYTES)
        return flush_partition(pr, p);
    return 0;
}

/* True when stdin has nothing ready right now. */
static bool input_stalled(void)
{
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
    return poll(&pfd, 1, 0) == 0;
}

/* Splits the lines out of in[0..*len); keeps a trailing partial line. */
static int produce_lines(producer *pr, char *in, size_t *len, bool eof)
{
    size_t at = 0;
    for (;;) {
        char *nl = memchr(in + at, '\n', *len - at);
        if (!nl && !(eof && at < *len))
            break;
        size_t end = nl ? (size_t)(nl - in) : *len;
        size_t n = end - at;
        if (n > 0 && in[at + n - 1] == '\r')
            n--;
        pr->line++;
        if (n > 0 && produce_line(pr, in + at, n) < 0)
            return -1;
        at = nl ? end + 1 : *len;
    }
    memmove(in, in + at, *len - at);
    *len -= at;
    return 0;
}

static int produce_loop(producer *pr)
{
    size_t cap = CLI_READ_CHUNK, len = 0;
    char *in = mem_alloc(cap);
    int rc = 0;
    for (;;) {
        if (len == cap)
            in = mem_realloc(in, cap *= 2); /* a line longer than the buffer */
        if (input_stalled() && flush_all(pr) < 0) {
            rc = -1;
            break;
        }
        ssize_t r = read(STDIN_FILENO, in + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fprintf(stderr, "eddy produce: cannot read standard input: %s\n", strerror(errno));
            rc = -1;
            break;
        }
        len += (size_t)r;
        if (produce_lines(pr, in, &len, r == 0) < 0) {
            rc = -1;
            break;
        }
        if (r == 0)
            break;
    }
    if (flush_all(pr) < 0)
        rc = -1;
    free(in);
    return rc;
}

static int produce_main(int argc, char **argv)
{
    cli_opts o = {0};
    if (parse_args(argc, argv, false, &o) < 0)
        return 2;
    if (o.help) {
        fputs(produce_help, stdout);
        return 0;
    }
    if (!o.topic || (o.kv && o.key_field)) {
        if (o.kv && o.key_field)
            fprintf(stderr, "eddy produce: --kv and --key cannot be used together\n");
        fputs(produce_help, stderr);
        return 2;
    }
    eventlog *l = cli_open(&o);
    if (!l)
        return 1;
    log_topic *t = cli_topic(l, &o);
    int rc = 1;
    if (t && o.partition >= log_topic_partitions(t)) {
        fprintf(stderr, "eddy produce: topic '%s' has %d partitions; there is no partition %lld\n",
                o.topic, log_topic_partitions(t), o.partition);
    } else if (t) {
        producer pr = {.t = t, .o = &o, .nparts = log_topic_partitions(t)};
        pr.pend = mem_alloc((size_t)pr.nparts * sizeof *pr.pend);
        pr.sticky = log_sticky_partition(t);
        rc = produce_loop(&pr) < 0 ? 1 : 0;
        for (int p = 0; p < pr.nparts; p++) {
            pending *q = &pr.pend[p];
            buf_free(&q->data);
            free(q->koff), free(q->voff), free(q->klen), free(q->vlen);
        }
        free(pr.pend);
        free(pr.recs);
        buf_free(&pr.key);
    }
    log_close(l);
    return rc;
}

/* ---- eddy consume ---- */

/* A JSON string of the bytes (one writer for all of Eddy's JSON: stray
 * non-UTF-8 bytes, such as a windowed key's window start, come out as
 * \u00XX escapes, so every line stays valid JSON); null for no bytes. */
static void put_json_string(buf *b, const uint8_t *p, int32_t len)
{
    if (len < 0 || !p) {
        buf_puts(b, "null");
        return;
    }
    serde_json_string((const char *)p, (size_t)len, b);
}

static void print_record(buf *out, const cli_opts *o, int p, const log_record *r)
{
    if (!strcmp(o->format, "json")) {
        buf_puts(out, "{\"topic\":");
        put_json_string(out, (const uint8_t *)o->topic, (int32_t)strlen(o->topic));
        buf_printf(out, ",\"partition\":%d,\"offset\":%" PRId64 ",\"timestamp\":%" PRId64
                   ",\"key\":", p, r->offset, r->timestamp);
        put_json_string(out, r->key, r->key_len);
        buf_puts(out, ",\"value\":");
        put_json_string(out, r->value, r->value_len);
        buf_puts(out, "}\n");
    } else if (r->value_len < 0) {
        buf_puts(out, "null\n");
    } else {
        buf_append(out, r->value, (size_t)r->value_len);
        buf_putc(out, '\n');
    }
}

/* Where partition p starts, per the options. */
static int consume_start(eventlog *l, log_topic *t, const cli_opts *o, int p, log_reader *r)
{
    if (o->has_timestamp) {
        err e;
        if (log_reader_seek_time(r, o->timestamp, &e) < 0) {
            fprintf(stderr, "eddy consume: %s\n", e.msg);
            return -1;
        }
        return 0;
    }
    int64_t at = log_end_offset(t, p);
    if (o->from_beginning)
        at = 0;
    else if (o->has_offset)
        at = o->offset;
    else if (o->group && log_offset_fetch(l, o->group, o->topic, p) >= 0)
        at = log_offset_fetch(l, o->group, o->topic, p);
    log_reader_seek(r, at);
    return 0;
}

typedef struct consumer {
    eventlog *l;
    log_topic *t;
    const cli_opts *o;
    log_reader **readers;
    int nparts;
    long long printed;
    buf out;
} consumer;

/* Reads what partition p has now.  Returns records printed, or -1. */
static int consume_partition(consumer *c, int p)
{
    log_record recs[256];
    int n, got = 0;
    err e;
    while (c->o->limit < 0 || c->printed < c->o->limit) {
        int want = 256;
        if (c->o->limit >= 0 && c->o->limit - c->printed < want)
            want = (int)(c->o->limit - c->printed);
        if ((n = log_read(c->readers[p], recs, want, &e)) < 0) {
            fprintf(stderr, "eddy consume: %s\n", e.msg);
            return -1;
        }
        if (n == 0)
            break;
        buf_reset(&c->out);
        for (int i = 0; i < n; i++)
            print_record(&c->out, c->o, p, &recs[i]);
        if (fwrite(c->out.data, 1, c->out.len, stdout) != c->out.len)
            return -1;
        c->printed += n;
        got += n;
    }
    return got;
}

static int consume_loop(consumer *c)
{
    for (;;) {
        int got = 0;
        for (int p = 0; p < c->nparts; p++) {
            if (c->o->partition >= 0 && p != c->o->partition)
                continue;
            int n = consume_partition(c, p);
            if (n < 0)
                return -1;
            got += n;
        }
        fflush(stdout);
        bool done = c->o->limit >= 0 && c->printed >= c->o->limit;
        if (done || !c->o->follow)
            return 0;
        if (got == 0)
            for (int p = 0; p < c->nparts; p++)
                log_wait(c->t, p, log_reader_position(c->readers[p]), 100 / c->nparts + 1);
    }
}

static int consume_main(int argc, char **argv)
{
    cli_opts o = {0};
    if (parse_args(argc, argv, false, &o) < 0)
        return 2;
    if (o.help) {
        fputs(consume_help, stdout);
        return 0;
    }
    int starts = o.from_beginning + o.has_offset + o.has_timestamp;
    if (!o.topic || starts > 1 || (strcmp(o.format, "value") && strcmp(o.format, "json"))) {
        if (starts > 1)
            fprintf(stderr, "eddy consume: use one of --from-beginning, --offset, --timestamp\n");
        if (strcmp(o.format, "value") && strcmp(o.format, "json"))
            fprintf(stderr, "eddy consume: --format is value or json, not '%s'\n", o.format);
        fputs(consume_help, stderr);
        return 2;
    }
    eventlog *l = cli_open(&o);
    if (!l)
        return 1;
    log_topic *t = cli_topic(l, &o);
    int rc = 1;
    if (t && o.partition >= log_topic_partitions(t)) {
        fprintf(stderr, "eddy consume: topic '%s' has no partition %lld\n", o.topic, o.partition);
    } else if (t) {
        consumer c = {.l = l, .t = t, .o = &o, .nparts = log_topic_partitions(t)};
        c.readers = mem_alloc((size_t)c.nparts * sizeof *c.readers);
        rc = 0;
        for (int p = 0; p < c.nparts; p++) {
            /* --partition N: the other partitions start (and stay) at the end. */
            c.readers[p] = log_reader_open(t, p, log_end_offset(t, p));
            if (o.partition < 0 || o.partition == p)
                rc |= consume_start(l, t, &o, p, c.readers[p]) < 0;
        }
        if (rc == 0)
            rc = consume_loop(&c) < 0;
        for (int p = 0; p < c.nparts && rc == 0 && o.group; p++) {
            err e;
            if (log_offset_commit(l, o.group, o.topic, p, log_reader_position(c.readers[p]),
                                  &e) < 0) {
                fprintf(stderr, "eddy consume: cannot commit offsets: %s\n", e.msg);
                rc = 1;
            }
        }
        for (int p = 0; p < c.nparts; p++)
            log_reader_close(c.readers[p]);
        free(c.readers);
        buf_free(&c.out);
    }
    log_close(l);
    return rc;
}

int topic_cli_main(int argc, char **argv)
{
    if (!strcmp(argv[0], "produce"))
        return produce_main(argc, argv);
    if (!strcmp(argv[0], "consume"))
        return consume_main(argc, argv);
    return topic_main(argc, argv);
}
