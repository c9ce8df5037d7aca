/* batch.c — see batch.h for the format. */
#include "batch.h"

#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "crc32c.h"

/* ---- fixed-width big-endian ---- */

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* ---- zigzag varints (Kafka's ByteUtils.writeVarlong) ---- */

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (v < 0 ? ~(uint64_t)0 : 0); }

static int64_t unzigzag(uint64_t u) { return (int64_t)(u >> 1) ^ -(int64_t)(u & 1); }

static int varint_size(int64_t v)
{
    uint64_t u = zigzag(v);
    int n = 1;
    while (u >= 0x80) {
        u >>= 7;
        n++;
    }
    return n;
}

/* Writes v at p (room for 10 bytes); returns the end. */
static uint8_t *put_varint(uint8_t *p, int64_t v)
{
    uint64_t u = zigzag(v);
    while (u >= 0x80) {
        *p++ = (uint8_t)(u | 0x80);
        u >>= 7;
    }
    *p++ = (uint8_t)u;
    return p;
}

/* Reads a varlong from [*p, end); false when truncated or longer than 10
 * bytes. */
static inline bool get_varlong(const uint8_t **p, const uint8_t *end, int64_t *out)
{
    if (*p < end && !(**p & 0x80)) { /* one byte: most lengths and deltas in a batch */
        *out = unzigzag(*(*p)++);
        return true;
    }
    uint64_t u = 0;
    for (int shift = 0; shift < 70 && *p < end; shift += 7) {
        uint8_t byte = *(*p)++;
        u |= (uint64_t)(byte & 0x7f) << shift;
        if (!(byte & 0x80)) {
            *out = unzigzag(u);
            return true;
        }
    }
    return false;
}

static inline bool get_varint(const uint8_t **p, const uint8_t *end, int32_t *out)
{
    int64_t v;
    if (!get_varlong(p, end, &v) || v < INT32_MIN || v > INT32_MAX)
        return false;
    *out = (int32_t)v;
    return true;
}

/* CRC of a whole batch of `total` bytes, skipping the CRC field. */
static uint32_t batch_crc(const uint8_t *p, size_t total)
{
    return crc32c_update(crc32c(p, 13), p + 17, total - 17);
}

/* ---- encoding ---- */

static int64_t bytes_size(int32_t len) { return varint_size(len) + (len > 0 ? len : 0); }

/* Bytes of a record after its length field. */
static int64_t record_body_size(const log_record *r, int64_t ts_delta, int32_t off_delta)
{
    int64_t n = 1 + varint_size(ts_delta) + varint_size(off_delta);
    n += bytes_size(r->key_len < 0 ? -1 : r->key_len);
    n += bytes_size(r->value_len < 0 ? -1 : r->value_len);
    n += varint_size(r->nheaders);
    for (int i = 0; i < r->nheaders; i++) {
        const log_header *h = &r->headers[i];
        n += bytes_size((int32_t)h->key_len) + bytes_size(h->value_len < 0 ? -1 : h->value_len);
    }
    return n;
}

static bool record_fits(const log_record *r)
{
    if (r->nheaders < 0 || (r->nheaders > 0 && !r->headers))
        return false;
    for (int i = 0; i < r->nheaders; i++)
        if (r->headers[i].key_len > BATCH_MAX_BYTES || r->headers[i].value_len > BATCH_MAX_BYTES)
            return false;
    return r->key_len <= BATCH_MAX_BYTES && r->value_len <= BATCH_MAX_BYTES;
}

int64_t batch_size(const log_record *recs, int n)
{
    int64_t total = BATCH_HEADER_SIZE;
    for (int i = 0; i < n; i++) {
        if (!record_fits(&recs[i]))
            return -1;
        int64_t body = record_body_size(&recs[i], recs[i].timestamp - recs[0].timestamp, i);
        total += varint_size(body) + body;
        if (total > BATCH_MAX_BYTES)
            return -1;
    }
    return total;
}

static uint8_t *put_bytes(uint8_t *p, const void *bytes, int32_t len)
{
    p = put_varint(p, len < 0 ? -1 : len);
    if (len > 0) {
        memcpy(p, bytes, (size_t)len);
        p += len;
    }
    return p;
}

/* One record, written in place after a single reservation of its size. */
static void encode_record(buf *b, const log_record *r, int64_t ts_delta, int32_t off_delta)
{
    int64_t body = record_body_size(r, ts_delta, off_delta);
    buf_reserve(b, (size_t)(varint_size(body) + body));
    uint8_t *p = (uint8_t *)b->data + b->len;
    p = put_varint(p, body);
    *p++ = 0; /* attributes */
    p = put_varint(p, ts_delta);
    p = put_varint(p, off_delta);
    p = put_bytes(p, r->key, r->key_len);
    p = put_bytes(p, r->value, r->value_len);
    p = put_varint(p, r->nheaders);
    for (int i = 0; i < r->nheaders; i++) {
        const log_header *h = &r->headers[i];
        p = put_bytes(p, h->key, (int32_t)h->key_len);
        p = put_bytes(p, h->value, h->value_len);
    }
    b->len = (size_t)(p - (uint8_t *)b->data);
    b->data[b->len] = '\0';
}

/* Encodes recs with offset deltas own ? recs[i].offset - base : i. */
static void batch_encode_impl(buf *out, int64_t base_offset, const log_record *recs, int n,
                              bool own, int64_t last_offset)
{
    size_t start = out->len;
    uint8_t hdr[BATCH_HEADER_SIZE] = {0};
    int64_t first_ts = recs[0].timestamp, max_ts = first_ts;
    for (int i = 1; i < n; i++)
        if (recs[i].timestamp > max_ts)
            max_ts = recs[i].timestamp;
    buf_append(out, hdr, sizeof hdr); /* filled in below, once sizes are known */
    for (int i = 0; i < n; i++)
        encode_record(out, &recs[i], recs[i].timestamp - first_ts,
                      own ? (int32_t)(recs[i].offset - base_offset) : i);

    uint8_t *p = (uint8_t *)out->data + start;
    size_t total = out->len - start;
    put_be(p + 0, (uint64_t)base_offset, 8);
    put_be(p + 8, total - BATCH_LENGTH_PREFIX, 4);
    p[12] = BATCH_MAGIC;
    put_be(p + 17, 0, 2);
    put_be(p + 19, (uint64_t)(last_offset - base_offset), 4);
    put_be(p + 23, (uint64_t)first_ts, 8);
    put_be(p + 31, (uint64_t)max_ts, 8);
    put_be(p + 39, (uint64_t)n, 4);
    put_be(p + 13, batch_crc(p, total), 4);
}

void batch_encode(buf *out, int64_t base_offset, const log_record *recs, int n)
{
    batch_encode_impl(out, base_offset, recs, n, false, base_offset + n - 1);
}

void batch_encode_at(buf *out, const log_record *recs, int n, int64_t last_offset)
{
    batch_encode_impl(out, recs[0].offset, recs, n, true, last_offset);
}

/* ---- decoding ---- */

bool batch_parse_header(const uint8_t *p, batch_header *h)
{
    h->base_offset = (int64_t)get_be(p, 8);
    h->length = (int32_t)get_be(p + 8, 4);
    h->magic = p[12];
    h->crc = (uint32_t)get_be(p + 13, 4);
    h->attributes = (int16_t)get_be(p + 17, 2);
    h->last_offset_delta = (int32_t)get_be(p + 19, 4);
    h->first_timestamp = (int64_t)get_be(p + 23, 8);
    h->max_timestamp = (int64_t)get_be(p + 31, 8);
    h->record_count = (int32_t)get_be(p + 39, 4);
    if (h->magic != BATCH_MAGIC || h->base_offset < 0 || h->attributes != 0)
        return false;
    if (h->length < BATCH_HEADER_SIZE - BATCH_LENGTH_PREFIX ||
        h->length > BATCH_MAX_BYTES - BATCH_LENGTH_PREFIX)
        return false;
    /* Offsets only grow inside a batch, so there are at most
     * last_offset_delta + 1 records; each takes at least 7 bytes. */
    if (h->record_count < 1 || h->last_offset_delta < h->record_count - 1 ||
        h->record_count > h->length / 7)
        return false;
    return h->base_offset <= INT64_MAX - h->last_offset_delta - 1;
}

bool batch_crc_ok(const uint8_t *p, const batch_header *h)
{
    return batch_crc(p, (size_t)batch_total(h)) == h->crc;
}

void batch_cursor_init(batch_cursor *c, const uint8_t *p, const batch_header *h)
{
    c->h = *h;
    c->p = p + BATCH_HEADER_SIZE;
    c->end = p + batch_total(h);
    c->left = h->record_count;
    c->last_offset = h->base_offset - 1;
}

/* Reads a length-prefixed byte string; null (-1) allowed when nullable. */
static bool get_bytes(const uint8_t **p, const uint8_t *end, bool nullable, const uint8_t **out,
                      int32_t *len)
{
    if (!get_varint(p, end, len) || *len < (nullable ? -1 : 0) || *len > end - *p)
        return false;
    *out = *len >= 0 ? *p : NULL;
    if (*len > 0)
        *p += *len;
    return true;
}

static bool get_headers(const uint8_t **p, const uint8_t *end, log_record *rec, batch_headers *hs)
{
    int32_t n;
    if (!get_varint(p, end, &n) || n < 0 || n > (end - *p) / 2)
        return false;
    if (hs->n + (size_t)n > hs->cap) {
        hs->cap = (hs->n + (size_t)n) * 2 + 8;
        hs->v = mem_realloc(hs->v, hs->cap * sizeof *hs->v);
    }
    for (int i = 0; i < n; i++) {
        log_header *h = &hs->v[hs->n + (size_t)i];
        const uint8_t *k;
        int32_t klen;
        if (!get_bytes(p, end, false, &k, &klen) ||
            !get_bytes(p, end, true, &h->value, &h->value_len))
            return false;
        h->key = (const char *)k;
        h->key_len = (uint32_t)klen;
    }
    hs->n += (size_t)n;
    rec->headers = NULL;
    rec->nheaders = n;
    return true;
}

int batch_cursor_next(batch_cursor *c, log_record *rec, batch_headers *hs)
{
    int32_t len, off_delta;
    int64_t ts_delta;
    if (c->left == 0)
        return c->p == c->end ? 0 : -1; /* trailing bytes: malformed */
    if (!get_varint(&c->p, c->end, &len) || len < 1 || len > c->end - c->p)
        return -1;
    const uint8_t *p = c->p, *end = c->p + len;
    c->p = end;
    c->left--;
    if (*p++ != 0 || !get_varlong(&p, end, &ts_delta) || !get_varint(&p, end, &off_delta))
        return -1;
    int64_t offset = c->h.base_offset + off_delta;
    if (off_delta < 0 || off_delta > c->h.last_offset_delta || offset <= c->last_offset)
        return -1;
    if (!get_bytes(&p, end, true, &rec->key, &rec->key_len) ||
        !get_bytes(&p, end, true, &rec->value, &rec->value_len) || !get_headers(&p, end, rec, hs))
        return -1;
    if (p != end)
        return -1;
    c->last_offset = offset;
    rec->offset = offset;
    /* Wrapping add: a crafted delta must not be undefined behaviour. */
    rec->timestamp = (int64_t)((uint64_t)c->h.first_timestamp + (uint64_t)ts_delta);
    return 1;
}

void batch_headers_free(batch_headers *hs)
{
    free(hs->v);
    hs->v = NULL;
    hs->n = hs->cap = 0;
}
