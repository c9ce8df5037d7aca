/* log_internal — the structures shared by the files of the log module
 * (log.c, log_partition.c, log_reader.c, log_offsets.c, log_hash.c).
 * Nothing outside src/storage/log*.c includes this.
 *
 * Locking order, outermost first: log.mu (topic table), offsets.mu,
 * partition.wmu (the writer), partition.mu (published state).  No lock is
 * held while calling back into user code.
 */
#ifndef EDDY_LOG_INTERNAL_H
#define EDDY_LOG_INTERNAL_H

#include <pthread.h>
#include <sys/types.h>

#include "../base/buf.h"
#include "batch.h"
#include "log.h"
#include "segment.h"

#define LOG_DEFAULT_SEGMENT_BYTES ((int64_t)64 << 20)
#define LOG_DEFAULT_SEGMENT_MS ((int64_t)7 * 24 * 3600 * 1000)
#define LOG_DEFAULT_DELETE_RETENTION_MS ((int64_t)24 * 3600 * 1000)
#define LOG_OFFSETS_TOPIC "__consumer_offsets"

typedef struct log__partition {
    log_topic *t;
    int id;
    char *dir;
    /* Serialises appenders; guards wbuf and the write state below.  The
     * last segment's published size is only changed with mu held. */
    pthread_mutex_t wmu;
    buf wbuf;
    int64_t wsize;    /* bytes written to the last segment (>= its size) */
    int64_t wend;     /* offset after the last written batch (>= end) */
    uint64_t wseq;    /* batches written so far */
    /* Guards what readers see: segs, start, end, wake_gen, and the
     * group-commit state. */
    pthread_mutex_t mu;
    pthread_cond_t grew; /* broadcast on publish and on log_wake */
    segment **segs;      /* live segments, by base offset; each holds a ref */
    size_t nsegs, cap;
    int64_t start, end;
    uint64_t wake_gen;
    uint64_t pub_seq;    /* batches published (acknowledged) */
    bool syncing;        /* an appender is running the group's fdatasync */
    /* Set during open when a batch in the middle is damaged; constant
     * afterwards.  Appends fail with this message. */
    bool corrupt;
    char corrupt_msg[480];
    /* Set (under wmu and mu) when an fdatasync failed; appends fail with
     * this message until the log is reopened. */
    bool poisoned;
    char poison_msg[480];
    /* The cleaner's state (log_retention.c); only the maintenance caller
     * touches it, under the log's maint_mu. */
    int64_t cleaned_upto; /* closed segments below this are compacted */
    int64_t next_tombstone_due; /* clock when a tombstone may expire */
} log__partition;

struct log_topic {
    eventlog *l;
    char *name;
    char *dir;
    log_topic_config cfg; /* defaults resolved (never 0) */
    log__partition *parts;
    unsigned sticky;      /* log_sticky_partition's counter */
};

typedef struct log__offset_entry log__offset_entry;

/* Latest committed offset per (group, topic, partition); mirrors the
 * __consumer_offsets topic. */
typedef struct log__offsets {
    pthread_mutex_t mu; /* guards the map and orders commits */
    log__offset_entry **buckets;
    size_t nbuckets, count;
    log_topic *topic;
} log__offsets;

struct eventlog {
    char *dir;
    pthread_mutex_t maint_mu; /* one log_maintain at a time */
    pthread_t maint_thread;
    bool maint_running;
    struct log__cleaner *cleaner; /* compaction pass state (maint_mu) */
    err maint_err;                /* last background failure (maint_mu) */
    pthread_mutex_t stop_mu;
    pthread_cond_t stop_cv;
    bool stopping;
    char *topics_dir;
    log_options opts;
    int lock_fd; /* flock'ed DIR/LOCK: one process per data directory */
    pthread_mutex_t mu; /* guards the topic table */
    log_topic **topics; /* sorted by name */
    size_t ntopics, cap;
    log__offsets offsets;
};

/* log_partition.c */
int log__partition_open(log__partition *p, log_topic *t, int id, err *e);
void log__partition_close(log__partition *p);
log__partition *log__part(log_topic *t, int partition);

/* log_offsets.c */
int log__offsets_open(eventlog *l, err *e);
void log__offsets_close(eventlog *l);

/* Takes a reference to the live segment holding `offset` (the last
 * with base <= offset, the first when none), or NULL when the partition
 * has no segments.  Called with p->mu held. */
segment *log__seg_get(log__partition *p, int64_t offset);
/* Index of s in p->segs, or -1 when it is no longer live.  p->mu held. */
long log__seg_index(const log__partition *p, const segment *s);
/* Rolls the partition: the last segment is closed (synced when the
 * policy asks) and a new one starts at the end offset.  p->wmu held. */
int log__partition_roll(log__partition *p, err *e);
/* Removes segs[i] (not the last) from the partition, advancing start;
 * the caller unlinks or replaces the file and drops the reference that
 * is handed back.  p->mu held. */
segment *log__partition_remove(log__partition *p, size_t i);

/* log_retention.c */
int log__maint_start(eventlog *l, err *e);
void log__maint_stop(eventlog *l);
void log__maint_forget(eventlog *l, log_topic *t);

/* log.c */
int log__fsync_dir(const char *dir, err *e);
int log__mkdir(const char *dir, err *e);
int64_t log__now(const eventlog *l);
/* fdatasync and pwrite with the test-only fault counters applied. */
int log__fdatasync(int fd);
ssize_t log__pwrite(int fd, const void *p, size_t n, int64_t pos);

#endif
