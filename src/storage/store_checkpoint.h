/* store_checkpoint — a snapshot of one or more kvstores in one file, with
 * the log positions ("marks") the snapshot is consistent with.
 *
 * A state store is made durable by its changelog; a checkpoint only makes
 * restoring it cheap: the store is loaded from the file and then brought
 * up to date from the changelog records after the marks, instead of from
 * the whole changelog.  What a mark means (a changelog end offset, an
 * input offset) is the caller's business; the file keeps them as int64s
 * beside a 64-bit tag the caller chooses (e.g. a hash of the query text,
 * so a checkpoint of another query's state is never taken for its own).
 *
 * Writing is atomic: the file is written as PATH.tmp, fsync'ed, renamed
 * over PATH and the directory fsync'ed, so PATH is always either the old
 * checkpoint or the new one, whole, whatever moment the process dies at.
 * Reading checks a CRC-32C over the whole file: a torn, truncated or
 * otherwise damaged file is reported, never half-loaded into the caller's
 * stores unless the caller then discards them (see store_checkpoint_read).
 *
 * File layout (integers little-endian):
 *   "EDDYCKP1"  u64 tag  u32 nmarks  i64 marks[nmarks]  u32 nstores
 *   per store: u64 count, then count x (u32 klen, u32 vlen, key, value)
 *   u32 crc32c of every byte before it
 *
 * Not thread-safe per store (the stores are read while written); any
 * number of checkpoints of different paths may be written at once.
 */
#ifndef EDDY_STORE_CHECKPOINT_H
#define EDDY_STORE_CHECKPOINT_H

#include <stdint.h>

#include "../base/err.h"
#include "kvstore.h"

#define STORE_CHECKPOINT_MAX_MARKS 4096

/* Writes stores[0..nstores) and marks[0..nmarks) to `path` atomically
 * (creating the directory `path` is in if needed, one level).  Returns 0,
 * or -1 with e filled (ERR_IO): the old checkpoint, if any, is then
 * still in place. */
int store_checkpoint_write(const char *path, uint64_t tag, const int64_t *marks, int nmarks, kvstore *const *stores,
                           int nstores, err *e);

/* Loads the checkpoint at `path` into the (empty) stores[0..nstores),
 * and its marks into marks[0..*nmarks) (at most maxmarks).  Returns 1
 * when loaded; 0 when there is no file; -1 with e filled when it cannot
 * be read or is damaged (ERR_CORRUPT: bad magic, CRC, lengths; ERR_INVALID:
 * another tag or store count).  After -1 the stores may hold part of the
 * file: the caller empties them before falling back. */
int store_checkpoint_read(const char *path, uint64_t tag, int64_t *marks, int maxmarks, int *nmarks,
                          kvstore **stores, int nstores, err *e);

/* Removes the checkpoint (and a leftover PATH.tmp); no error when absent. */
void store_checkpoint_remove(const char *path);

#endif
