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

#include "../base/buf.h"
#include "batch.h"
#include "log.h"
#include "segment.h"

#define LOG_DEFAULT_SEGMENT_BYTES ((int64_t)64 << 20)
#define LOG_OFFSETS_TOPIC "__consumer_offsets"

typedef struct log__partition {
    log_topic *t;
    int id;
    char *dir;
    /* Serialises appenders; guards wbuf and the write position (the last
     * segment's size is only changed with both wmu and mu held). */
    pthread_mutex_t wmu;
    buf wbuf;
    /* Guards what readers see: segs, start, end, wake_gen. */
    pthread_mutex_t mu;
    pthread_cond_t grew; /* broadcast on append and on log_wake */
    segment *segs;
    size_t nsegs, cap;
    int64_t start, end;
    uint64_t wake_gen;
    /* Set during open when a batch in the middle is damaged; constant
     * afterwards.  Appends fail with this message. */
    bool corrupt;
    char corrupt_msg[480];
} log__partition;

struct log_topic {
    eventlog *l;
    char *name;
    char *dir;
    log_topic_config cfg; /* segment_bytes resolved (never 0) */
    log__partition *parts;
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

/* log.c */
int log__fsync_dir(const char *dir, err *e);
int log__mkdir(const char *dir, err *e);

#endif
