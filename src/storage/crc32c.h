/* crc32c — CRC-32C (Castagnoli), the checksum of Eddy's record batches,
 * as in Kafka's RecordBatch v2.
 *
 * Reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF;
 * crc32c("123456789") == 0xE3069283.  With SSE4.2, the crc32 instruction
 * over three streams at once; else a byte-at-a-time table lookup.  Pure
 * functions, callable from any thread.
 */
#ifndef EDDY_CRC32C_H
#define EDDY_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32C of p[0..n). */
uint32_t crc32c(const void *p, size_t n);
/* Continues a CRC: crc32c_update(crc32c(a), b) == crc32c(a ++ b). */
uint32_t crc32c_update(uint32_t crc, const void *p, size_t n);

#endif
