/* log — Eddy's embedded append-only log: Kafka's storage model in one
 * data directory.
 *
 * A log holds named topics; a topic has N partitions; a partition is an
 * ordered sequence of records, each with an offset (dense, from 0), a
 * timestamp (ms since the epoch), an optional key, a value (NULL value = a
 * tombstone) and optional headers.  Records are stored in CRC32C-checked
 * batches inside segment files:
 *
 *     DIR/LOCK                               flock'ed while the log is open
 *     DIR/topics/<topic>/topic.meta          partitions and config (text)
 *     DIR/topics/<topic>/<p>/<base>.log      batches, base = first offset
 *                                            (20 digits, zero-padded)
 *
 * The batch encoding is documented in batch.h, segment files and their
 * in-memory sparse offset and time index in segment.h (no index files:
 * the index is rebuilt by the scan on open, so it is never stale).
 *
 * Guarantees:
 *  - log_append writes a whole batch or nothing visible: readers never see
 *    a partial batch; offsets are assigned densely.
 *  - On open, a torn tail (a batch cut short or failing its CRC at the end
 *    of the last segment, with no valid batch anywhere after it) is cut
 *    back to the last whole batch.  A bad batch that is followed by a
 *    valid one is corrupt data, not a torn write: it is reported (topic, partition,
 *    segment, offset) and the partition stays readable up to it; appends
 *    to it fail with ERR_CORRUPT and no byte of it is changed.  Older
 *    segments are only walked on open; their CRCs are checked on read.
 *  - Durability follows the topic's flush policy (see log_flush).  An
 *    append is *acknowledged* when log_append returns 0.  Under
 *    LOG_FLUSH_GROUP (the default) and LOG_FLUSH_BATCH an acknowledged
 *    batch has been fdatasync'ed: it survives a power cut.  Under
 *    LOG_FLUSH_NONE it survives a crash of the process, not of the
 *    machine.  Readers see a batch only once it is acknowledged, so under
 *    GROUP and BATCH no reader ever sees a record a power cut could take
 *    back.
 *  - A write that fails (a full disk) fails that append with ERR_IO and
 *    leaves everything already stored intact; later appends may succeed.
 *    An fsync that fails poisons the partition: the kernel may have
 *    dropped the dirty pages (PostgreSQL's "fsyncgate"), so every later
 *    append to it fails with ERR_IO until the log is reopened, and
 *    recovery then checks what really reached the disk.
 *  - Retention and compaction (log_maintain) work on closed segments only,
 *    a bounded amount at a time.  A reader that is inside a segment when
 *    it is deleted or compacted keeps reading the old file to its end; a
 *    reader whose position falls below log_start_offset (its records were
 *    deleted) is moved to the log start: its position jumps forward, it
 *    gets no error.
 *
 * Threads: every function may be called from any thread.  Appends to one
 * partition are serialised internally (but appenders waiting for group
 * commit wait together); any number of readers (each used by one thread
 * at a time) run concurrently with the writer.  log_wait blocks (without
 * polling) until a partition grows or the timeout passes.  Unless
 * log_options.manual_maintenance is set, a background thread runs
 * log_maintain once a second.
 *
 * Ownership: the log owns topics; a log_topic pointer stays valid until
 * log_topic_delete or log_close.  Record pointers returned by log_read
 * point into the reader's buffer and stay valid until the next log_read on
 * that reader or its close.
 */
#ifndef EDDY_LOG_H
#define EDDY_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

typedef struct eventlog eventlog;
typedef struct log_topic log_topic;
typedef struct log_reader log_reader;

typedef enum log_flush {
    LOG_FLUSH_DEFAULT, /* topic config: take log_options.default_flush
                        * (so a zeroed config gets the log's default);
                        * as the log's default: LOG_FLUSH_GROUP */
    LOG_FLUSH_NONE,    /* write(2) only: survives a process crash */
    LOG_FLUSH_BATCH,   /* fdatasync(2) every batch before acknowledging */
    LOG_FLUSH_GROUP,   /* group commit: log_append returns once its batch
                        * is fdatasync'ed, but appenders that arrive while
                        * a sync is running share the next one (as in
                        * PostgreSQL), so N concurrent appenders cost
                        * about one sync, not N */
} log_flush;

typedef struct log_header {
    const char *key;
    uint32_t key_len;
    const uint8_t *value;
    int32_t value_len; /* -1 = null */
} log_header;

typedef struct log_record {
    int64_t offset;    /* set by log_append / log_read */
    int64_t timestamp; /* ms since the epoch */
    const uint8_t *key;
    int32_t key_len;   /* -1 = null key */
    const uint8_t *value;
    int32_t value_len; /* -1 = null value (tombstone) */
    const log_header *headers;
    int nheaders;
} log_record;

/* Zero means "the default" for every field, so {.partitions = n} is a
 * whole config.  Times are milliseconds; -1 means "never" / "unlimited". */
typedef struct log_topic_config {
    int partitions;              /* >= 1 */
    int64_t segment_bytes;       /* roll size; 0 = default (64 MiB) */
    bool compact;                /* cleanup.policy=compact */
    log_flush flush;             /* resolved at creation, never DEFAULT after */
    int64_t segment_ms;          /* roll a segment this long after it was
                                  * opened; 0 = default (7 days) */
    int64_t retention_ms;        /* delete closed segments whose records are
                                  * all older (by record timestamp) than
                                  * now - retention_ms; 0 = default (-1: keep
                                  * forever, unlike Kafka's 7 days: streams
                                  * are replayed from the start and often
                                  * carry old event times) */
    int64_t retention_bytes;     /* per partition: delete the oldest closed
                                  * segments while the rest still holds this
                                  * much; 0 = default (-1: no limit) */
    int64_t delete_retention_ms; /* compact topics: a tombstone is dropped
                                  * once its timestamp is this much older
                                  * than now; 0 = default (1 day) */
} log_topic_config;

typedef struct log_options {
    log_flush default_flush; /* for topics created without a policy */
    /* No background maintenance thread: the caller runs log_maintain. */
    bool manual_maintenance;
    /* The clock for retention, roll by age and tombstone expiry, in ms
     * since the epoch; NULL = the real-time clock.  Tests inject one. */
    int64_t (*clock)(void *ctx);
    void *clock_ctx;
} log_options;

/* Opens (creating if needed, with parents) the log in directory `dir`,
 * recovering every topic found there.  opts may be NULL (defaults).  One
 * log per directory at a time: a second open fails with ERR_IN_USE.
 * Returns NULL and fills e on failure. */
eventlog *log_open(const char *dir, const log_options *opts, err *e);
void log_close(eventlog *l);

/* The directory the log was opened in (owned by the log).  Files the
 * engine keeps beside the log (state checkpoints) live under it. */
const char *log_dir(const eventlog *l);

/* Creates a topic.  cfg NULL = 1 partition and defaults.  ERR_INVALID
 * for a bad name (allowed: letters, digits, '_', '-', '.'; not "." or
 * "..", at most 249 characters) or config, ERR_ALREADY_EXISTS if it
 * exists.  Returns the topic. */
log_topic *log_topic_create(eventlog *l, const char *name, const log_topic_config *cfg, err *e);
/* NULL when there is no such topic. */
log_topic *log_topic_find(eventlog *l, const char *name);
/* Deletes a topic and its files; the caller guarantees no reader, writer
 * or waiter is still using it.  ERR_UNKNOWN_TOPIC if there is none;
 * __consumer_offsets cannot be deleted (ERR_INVALID). */
int log_topic_delete(eventlog *l, const char *name, err *e);
/* Calls fn for each topic, in name order, internal topics (names
 * starting with '_') included.  fn runs without the log's lock held. */
void log_topic_each(eventlog *l, void (*fn)(void *ctx, log_topic *t), void *ctx);

const char *log_topic_name(const log_topic *t);
int log_topic_partitions(const log_topic *t);
const log_topic_config *log_topic_config_get(const log_topic *t);
/* "none", "batch", "group" (and "default"); parse returns -1 for any
 * other text. */
const char *log_flush_name(log_flush f);
int log_flush_parse(const char *s, log_flush *out);

/* Kafka's default partitioner: murmur2 of the key bytes, made positive,
 * modulo the partition count. */
int log_partition_for_key(const log_topic *t, const void *key, size_t len);
uint32_t log_murmur2(const void *key, size_t len);
/* For unkeyed records (Kafka's sticky partitioner, simplified): call once
 * per batch and send the whole batch to the partition returned; each call
 * moves on to the next partition, so batches spread evenly. */
int log_sticky_partition(log_topic *t);

/* Appends n records to one partition as one batch and assigns their
 * offsets (recs[i].offset is set).  All or nothing.  ERR_INVALID for a
 * bad partition or a batch over 64 MiB encoded, ERR_IO when the write or
 * fsync fails, ERR_CORRUPT when the partition was found damaged on open
 * (the message names the topic, partition, segment file and offset). */
int log_append(log_topic *t, int partition, log_record *recs, int n, err *e);

/* Offset of the first record still stored, and the offset the next
 * appended record will get (-1 for a bad partition). */
int64_t log_start_offset(log_topic *t, int partition);
int64_t log_end_offset(log_topic *t, int partition);

/* The first offset from which the partition still holds every record
 * appended to it, none removed by retention or compaction: the start for
 * a topic without compaction; for a compacted one, the base of its last
 * (active) segment, which compaction never touches.  A reader resuming
 * from an offset >= this one sees every record since, tombstones
 * included (what restoring a state store from a checkpoint needs).  -1
 * for a bad partition. */
int64_t log_intact_offset(log_topic *t, int partition);

/* Blocks until log_end_offset(t, partition) > offset, or timeout_ms passes
 * (0 = don't block, -1 = forever).  Returns true when data is there. */
bool log_wait(log_topic *t, int partition, int64_t offset, int timeout_ms);
/* Wakes every waiter on the topic (e.g. at shutdown). */
void log_wake(log_topic *t);

/* A reader of one partition from `offset` (clamped to the start); NULL
 * for a bad partition.  A reader is used by one thread at a time. */
log_reader *log_reader_open(log_topic *t, int partition, int64_t offset);
/* Reads up to max records from the reader's position.  Returns the count
 * (0 at the end of the partition) or -1 with e filled (ERR_CORRUPT for a
 * damaged batch, ERR_IO; an error repeats until the reader is seeked). */
int log_read(log_reader *r, log_record *recs, int max, err *e);
int64_t log_reader_position(const log_reader *r);
void log_reader_seek(log_reader *r, int64_t offset);
/* Moves the reader to the first offset whose record timestamp is >= ts
 * (Kafka's offsetsForTimes): the first record with timestamp >= ts in the
 * first batch whose max timestamp is >= ts, so non-monotonic timestamps
 * work; the end offset when there is none.  No I/O to find the segment
 * (a walk over the in-memory table of segment max timestamps), a binary
 * search in its time index, then a scan of about one index interval of
 * batch headers.  Returns the new position, or -1 with e
 * filled (ERR_IO, ERR_CORRUPT; the position is then unchanged). */
int64_t log_reader_seek_time(log_reader *r, int64_t ts, err *e);
void log_reader_close(log_reader *r);

/* One bounded step of background work over every topic: rolls segments
 * that are older than segment_ms, deletes closed segments past
 * retention_ms / retention_bytes, and compacts closed segments of compact
 * topics (the latest record per key survives; tombstones older than
 * delete_retention_ms go).  Does at most about `budget` bytes of segment
 * I/O (one segment is the smallest unit, so a step may go over by at most
 * one segment).  Appends and readers are only ever blocked for the time
 * it takes to swap a pointer.  Returns the bytes of work done (0 = nothing
 * to do), or -1 with e filled; a failed step changes nothing and is
 * retried by the next call. */
int64_t log_maintain(eventlog *l, int64_t budget, err *e);
/* The last error of the background maintenance thread, if any (cleared
 * by asking).  A failed step is retried a second later. */
bool log_maintain_error(eventlog *l, err *e);

/* Test-only fault injection (STYLE.md: test-only fault counters).  When a
 * counter is > 0 it is decremented at each segment write (pwrite) or
 * fdatasync; the operation that brings it to 0 fails with ENOSPC / EIO.
 * 0 = off.  Never set outside tests. */
extern int log_fault_write_countdown;
extern int log_fault_fsync_countdown;

/* Consumer-group offsets, kept in the internal compacted topic
 * `__consumer_offsets` (so they are durable and replayed on open).
 * log_offset_fetch returns -1 when nothing was committed. */
int log_offset_commit(eventlog *l, const char *group, const char *topic, int partition,
                      int64_t offset, err *e);
int64_t log_offset_fetch(eventlog *l, const char *group, const char *topic, int partition);
/* Commits several offsets of one group in a single batch: after a crash
 * either all of them are committed or none (what exactly-once queries
 * build on). */
typedef struct log_offset_entry {
    const char *topic;
    int partition;
    int64_t offset;
} log_offset_entry;
int log_offset_commit_many(eventlog *l, const char *group, const log_offset_entry *entries, int n, err *e);
/* Forgets a group's offsets (when a query is terminated). */
int log_offset_forget(eventlog *l, const char *group, err *e);

/* Copies the layout of the log in `from` into `to`: every topic with its
 * configuration and no records, except `full_topic`, copied whole.  Works
 * while another process has `from` open (`eddy check` uses it to check a
 * script against a copy of the catalog without touching the data). */
int log_copy_layout(const char *from, const char *to, const char *full_topic, err *e);

#endif
