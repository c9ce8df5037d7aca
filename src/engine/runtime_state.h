/* runtime_state — a persistent query's state stores across restarts.
 *
 * What is kept: the GROUP BY store (query.store), whose changes go to the
 * query's compacted changelog topic, and, when the query aggregates a
 * table, that table's current rows (query.rows), whose changelog is the
 * table's own topic.
 *
 * Every so often, after a step in which every task committed, both are
 * written to one checkpoint file, DATA/state/<query id>.ckpt (see
 * store_checkpoint.h: atomic, CRC-checked), with the positions they
 * cover: the changelog's end offset and each input partition's committed
 * offset.  Those never run ahead of what the query has committed, so on
 * start the stores are the checkpoint plus the records after its
 * positions, up to what the last commit covers: the same stores a replay
 * of everything gives.
 *
 * A checkpoint that is missing, torn, damaged, of another query, or no
 * longer usable (its positions past the committed ones, or the records
 * after them no longer all there) is ignored and the stores are rebuilt from the whole
 * changelog and input, as before checkpoints existed: slower, never wrong.
 *
 * When is a checkpoint due: once the changes since the last one (changelog
 * records plus input records read) reach both 10 000 and half the stores'
 * entries, and 10 s have passed since the last one (or the start), so
 * writing checkpoints costs O(1) per change and a few fsyncs a minute,
 * and restoring replays at most half a store's worth of records or 10 s
 * of work, whichever is more.  Tests set EDDY_CHECKPOINT_EVERY=N in the
 * environment: every N changes, with no time between them.
 *
 * The write happens under the engine's lock, like the step itself; a
 * store of a million keys takes a fraction of a second (see
 * `eddy bench restore`).
 *
 * The records after a checkpoint are all there as long as no tombstone
 * written since has been dropped by compaction (a dropped older record
 * always has a later one of its key, which is replayed): for the
 * changelog, whose tombstones carry the wall-clock time they were
 * written at, while the checkpoint is younger than half the topic's
 * delete.retention.ms (one day by default; a query that wrote no
 * checkpoint for longer replays its whole changelog); for a table's
 * topic, whose tombstones carry event times, while compaction has not
 * touched anything after the checkpoint (log_intact_offset).
 *
 * Not thread-safe: the engine calls it under its lock.
 */
#ifndef EDDY_RUNTIME_STATE_H
#define EDDY_RUNTIME_STATE_H

#include "runtime.h"

/* Whether runtime_state_restore restores q->rows (aggregating a table);
 * other row stores (joins) are rebuilt by the runtime itself. */
bool runtime_state_has_rows(const query *q);

/* Fills q->store (and q->rows, when runtime_state_has_rows) on start,
 * after the tasks' readers are at their committed offsets and the
 * interrupted batch, if any, is known.  0, or -1 with e filled (a
 * changelog or input that cannot be read). */
int runtime_state_restore(query *q, eventlog *l, err *e);

/* After a step: writes a checkpoint if one is due.  A failed write is
 * reported (-1, e filled) but harms nothing: the old checkpoint, or
 * none, stays. */
int runtime_state_checkpoint(query *q, eventlog *l, err *e);

/* The wall-clock time in ms since the epoch: the timestamp of changelog
 * tombstones. */
int64_t runtime_state_wall_ms(void);

/* A query stopped for good: its checkpoint goes. */
void runtime_state_forget(eventlog *l, const char *id);

#endif
