/* segment — one segment file of a partition: its file descriptor, its
 * committed size, the in-memory sparse offset and time index and its
 * recovery.
 *
 * A segment is DIR/<20-digit base offset>.log holding whole batches (see
 * batch.h) back to back.  `size` is the committed size: every byte below
 * it belongs to a whole batch that has been checked (on open) or written
 * (by this process).  Bytes past `size` are never read.
 *
 * The sparse index maps a batch's base offset to its file position, one
 * entry every SEGMENT_INDEX_INTERVAL bytes of batches, so a reader can
 * seek without scanning the whole file.  Each entry also carries the
 * largest batch max_timestamp of every batch *before* it in the segment
 * (Kafka's time index, folded into the same table): that running maximum
 * never decreases, so a binary search finds where to start scanning for
 * the first batch whose max timestamp is >= T even when timestamps are
 * not monotonic.  The index lives in memory only and is rebuilt by the
 * scan on open, so there is no index file that could be stale or corrupt.
 *
 * Segments are shared: the partition holds one reference while the
 * segment is part of the log, and each reader, flusher or cleaner that
 * uses its fd holds another.  Retention and compaction take a segment out
 * of the partition (unlinking or replacing its file) and drop the
 * partition's reference; the fd is closed when the last user lets go, so a
 * reader in the middle of a deleted segment can finish reading it.
 *
 * Locking is the caller's (the partition's mutex guards refs, size,
 * next_offset, max_ts and the index); these functions do no locking.
 */
#ifndef EDDY_SEGMENT_H
#define EDDY_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "../base/err.h"

#define SEGMENT_INDEX_INTERVAL 4096

typedef struct segment_index_entry {
    int64_t offset;        /* base offset of a batch */
    int64_t pos;           /* its position in the file */
    int64_t max_ts_before; /* largest max_timestamp of the batches before it */
} segment_index_entry;

typedef struct segment {
    int64_t base;        /* offset in the file name */
    int fd;              /* open read-write for the life of the segment */
    int64_t size;        /* committed bytes */
    int64_t next_offset; /* offset after the last committed batch */
    int64_t max_ts;      /* largest batch max_timestamp (INT64_MIN: none) */
    int64_t opened_ms;   /* clock when created or recovered (roll by age) */
    int refs;            /* users; freed at 0 (see above) */
    bool live;           /* still part of its partition */
    segment_index_entry *idx;
    size_t nidx, cap;
} segment;

/* Appends DIR/<base>.log to b. */
void segment_path(buf *b, const char *dir, int64_t base);
/* Lists the base offsets of the segment files in dir, ascending; the
 * caller frees *bases.  Files that are not <20 digits>.log are ignored. */
int segment_list(const char *dir, int64_t **bases, size_t *n, err *e);

/* Creates a new empty segment file (it must not exist).  Returns a
 * segment with one reference, or NULL with e filled. */
segment *segment_create(const char *dir, int64_t base, err *e);
/* Opens an existing segment file; size stays 0 until segment_recover.
 * `suffix` is appended to the file name ("" for the segment itself). */
segment *segment_open(const char *dir, int64_t base, const char *suffix, err *e);
/* Drops a reference; the last one closes the fd and frees s. */
void segment_unref(segment *s);

/* Records that a batch starting at `offset` with largest timestamp
 * `max_ts` was written at `pos` (indexes it when due, and updates
 * max_ts). */
void segment_index_note(segment *s, int64_t offset, int64_t pos, int64_t max_ts);
/* Forgets index entries at or past pos (a write that was rolled back). */
void segment_index_cut(segment *s, int64_t pos);
/* Position of the last indexed batch whose base offset is <= offset (0
 * when none): reading from there reaches `offset` without missing it. */
int64_t segment_index_lookup(const segment *s, int64_t offset);
/* Position of the last indexed batch before which every batch's max
 * timestamp is < ts (0 when none): the first batch with a max timestamp
 * >= ts is at or after it. */
int64_t segment_index_lookup_time(const segment *s, int64_t ts);

typedef enum segment_state {
    SEGMENT_CLEAN,   /* whole batches up to the end of the file */
    SEGMENT_TORN,    /* a torn tail was cut off (last segment only) */
    SEGMENT_CORRUPT, /* a bad batch with data after it: kept, reported */
} segment_state;

typedef struct segment_recovery {
    segment_state state;
    int64_t bad_pos;   /* TORN / CORRUPT: where the bad bytes start */
    int64_t cut_bytes; /* TORN: bytes removed */
    const char *why;   /* TORN / CORRUPT: what was wrong (static text) */
} segment_recovery;

/* Scans the segment from the start, checking each batch and building the
 * index; sets size and next_offset to the end of the whole, good batches.
 * `expected` is the lowest base offset the first batch may have.
 * `verify_crc` checks every batch's CRC (done for the last segment, where
 * torn writes happen; older segments are only walked, and their CRCs are
 * checked when read).
 *
 * The first bad batch is a torn tail when the segment is the last one
 * (`last`) and no valid batch can be found anywhere after it: then the
 * file is truncated back to the last whole batch (and fsynced).
 * Otherwise it is CORRUPT and nothing is changed on disk.  Returns -1
 * only for I/O errors. */
int segment_recover(segment *s, int64_t expected, bool last, bool verify_crc,
                    segment_recovery *rec, err *e);

/* Reads exactly n bytes at pos (retrying short reads).  Returns 0, or -1
 * with ERR_IO (read error) or ERR_CORRUPT (end of file first). */
int segment_pread(int fd, void *p, size_t n, int64_t pos, err *e);

#endif
