/* buf — a growable byte buffer (text or binary).
 *
 * The buffer owns `data`; it is always NUL-terminated so text can be used
 * as a C string.  buf_free releases it; buf_reset keeps the memory.
 */
#ifndef EDDY_BUF_H
#define EDDY_BUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

#define BUF_INIT {NULL, 0, 0}

void buf_reserve(buf *b, size_t extra);
void buf_append(buf *b, const void *p, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(buf *b);
void buf_free(buf *b);
/* 64-bit big-endian integers, as Kafka's serializers write longs. */
void buf_put_be64(buf *b, int64_t v);
int64_t be64_get(const uint8_t *p);
/* Hands the data to the caller (who frees it) and leaves b empty. */
char *buf_take(buf *b);

#endif
