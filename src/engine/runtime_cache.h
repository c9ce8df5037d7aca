/* runtime_cache — the changelog's record cache: of the changes a batch
 * makes to one store key, only the last is written to the changelog.
 *
 * The changelog is compacted and a restore applies a key's changes in
 * order, so the earlier changes of a key within a batch would only be
 * dropped later; a hot key that many records of a batch update (a hopping
 * window of a popular group) costs one changelog record, not one per
 * update.  The outputs are not merged: EMIT CHANGES sends every update.
 *
 * An earlier change is superseded by setting its partition to -1, which
 * flush_sink never writes.  So that a batch run again after a crash can
 * merge differently (it may read more records than the first time), the
 * changelog is written whole again then, never cut by what the crashed
 * run left there: a restore stops before both (at the intent's ends) and
 * a replay of the changelog applies the later one last.
 *
 * Not thread-safe: one task's batch at a time, like the runtime.
 */
#ifndef EDDY_RUNTIME_CACHE_H
#define EDDY_RUNTIME_CACHE_H

#include "runtime.h"

/* Forgets the keys of the last batch (at the start of a batch). */
void runtime_cache_reset(query_sink *k);
/* The sink's last pending record was just added (hash: kvstore_hash of
 * its key, which the store computed already): an earlier pending record
 * of the same key, if any, is superseded. */
void runtime_cache_add(query_sink *k, uint64_t hash);
void runtime_cache_free(query_sink *k);

#endif
