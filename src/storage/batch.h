/* batch — the on-disk encoding of a record batch, modelled on Kafka's
 * RecordBatch v2 (same layout idea, fewer fields: no leader epoch, no
 * producer id/epoch/sequence, no compression yet).
 *
 * Fixed-width integers are big-endian, as in Kafka.  A batch is:
 *
 *   off size field
 *    0   8   base_offset        offset of the first record
 *    8   4   batch_length       bytes that follow this field
 *   12   1   magic              BATCH_MAGIC
 *   13   4   crc                CRC32C of every other byte of the batch
 *   17   2   attributes         0 (reserved: compression, control batches)
 *   19   4   last_offset_delta  offset of the last record - base_offset
 *   23   8   first_timestamp    timestamp of the first record
 *   31   8   max_timestamp      largest timestamp in the batch
 *   39   4   record_count       >= 1
 *   43  ...  records
 *
 * and a record, with zigzag varints (varint = 32-bit, varlong = 64-bit):
 *
 *   varint  length            bytes that follow this field
 *   int8    attributes        0
 *   varlong timestamp_delta   timestamp - first_timestamp
 *   varint  offset_delta      offset - base_offset
 *   varint  key_length        -1 = null key
 *   bytes   key
 *   varint  value_length      -1 = null value (tombstone)
 *   bytes   value
 *   varint  header_count
 *     varint key_length (>= 0), bytes key,
 *     varint value_length (-1 = null), bytes value
 *
 * Unlike Kafka's, the CRC covers the whole batch but itself (bytes
 * [0, 13) then [17, end)), base_offset and batch_length included: Eddy
 * assigns offsets before encoding, so nothing rewrites the base offset
 * in place, and a damaged offset must not pass as a jump in the log.  Decoding bounds-checks every length against the bytes it
 * was given: no file contents can make it read out of range.
 *
 * Pure functions over caller-owned memory; any thread.
 */
#ifndef EDDY_BATCH_H
#define EDDY_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"
#include "log.h"

#define BATCH_MAGIC 0xE1           /* "Eddy batch format 1" */
#define BATCH_HEADER_SIZE 43
#define BATCH_LENGTH_PREFIX 12     /* base_offset + batch_length */
#define BATCH_MAX_BYTES (64 << 20) /* whole batch, header included */

typedef struct batch_header {
    int64_t base_offset;
    int32_t length; /* batch_length: total size is 12 + length */
    uint8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t first_timestamp, max_timestamp;
    int32_t record_count;
} batch_header;

/* Headers decoded from records; the array grows and is reused. */
typedef struct batch_headers {
    log_header *v;
    size_t n, cap;
} batch_headers;

/* Size of the batch encoding recs[0..n), or -1 when it would exceed
 * BATCH_MAX_BYTES or a length does not fit its field. */
int64_t batch_size(const log_record *recs, int n);
/* Appends the encoding of recs[0..n) (n >= 1, batch_size checked) to out,
 * with offsets base_offset, base_offset + 1, ...  recs[i].offset is
 * ignored. */
void batch_encode(buf *out, int64_t base_offset, const log_record *recs, int n);

/* Like batch_encode, but keeps each record's own offset (recs[i].offset,
 * strictly increasing) and sets the batch's last offset to last_offset
 * (>= the last record's): what compaction writes, so offsets and the
 * end of each batch survive the records dropped around them. */
void batch_encode_at(buf *out, const log_record *recs, int n, int64_t last_offset);

/* Parses the fixed header from p[0..BATCH_HEADER_SIZE).  Returns false
 * when it cannot be a batch (bad magic, length out of range, counts that
 * disagree). */
bool batch_parse_header(const uint8_t *p, batch_header *h);
/* Total bytes of the batch whose header is h. */
static inline int64_t batch_total(const batch_header *h)
{
    return (int64_t)BATCH_LENGTH_PREFIX + h->length;
}
/* True when the CRC of the whole batch p[0..batch_total) matches. */
bool batch_crc_ok(const uint8_t *p, const batch_header *h);

/* A cursor over the records of one batch held in memory. */
typedef struct batch_cursor {
    batch_header h;
    const uint8_t *p, *end; /* next record, end of the batch */
    int left;               /* records not yet decoded */
    int64_t last_offset;    /* offset of the last record decoded */
} batch_cursor;

/* Starts a cursor on the batch at p (header parsed into h, CRC checked by
 * the caller). */
void batch_cursor_init(batch_cursor *c, const uint8_t *p, const batch_header *h);
/* Decodes the next record into rec (key/value point into the batch).
 * Its headers are appended to hs; rec->headers is left NULL and
 * rec->nheaders set, so the caller can fix up pointers once hs stops
 * growing.  Returns 1 for a record, 0 when the batch is done, -1 when the
 * bytes are malformed. */
int batch_cursor_next(batch_cursor *c, log_record *rec, batch_headers *hs);

void batch_headers_free(batch_headers *hs);

#endif
