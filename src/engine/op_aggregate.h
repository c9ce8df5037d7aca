/* op_aggregate — the GROUP BY stage of a plan: folds rows into per-group
 * (and per-window) aggregate states kept in a kvstore, and computes the
 * result row of every group/window a row changed.
 *
 * Store keys are codec.h rows of the group values, followed for windowed
 * aggregations by the window start (8 bytes, big-endian); states are the
 * calls' states one after the other.  Every change is handed to the
 * caller with its key and state bytes, so the runtime can write it to the
 * query's changelog and replay it into a fresh store on start.
 *
 * Windows (TUMBLING, HOPPING): a record lands in every window that covers
 * its timestamp; a window is closed once the task's stream time (the
 * largest timestamp seen) reaches its end plus the grace period, and
 * records for closed windows are dropped and counted as late.
 *
 * SESSION windows: a session's store key is the group and its start, like
 * a time window's; it ends at the latest event folded in (the state's
 * first value).  A record joins every session of its group whose
 * [start - gap, end + gap] holds its time; those merge (agg_def.merge)
 * into one, and each merged-away session is deleted from the store and
 * taken out of the table with a tombstone.  A session that would end
 * before stream time - grace - gap is closed: late records are dropped,
 * and closed sessions no longer merge.  Which sessions a group has is
 * kept in an agg_sessions index, rebuilt from the store on start.
 */
#ifndef EDDY_OP_AGGREGATE_H
#define EDDY_OP_AGGREGATE_H

#include "../storage/kvstore.h"
#include "plan.h"

typedef struct agg_result {
    const value *out;      /* projected result row (key columns only when !keep) */
    bool keep;             /* HAVING keeps the group in the table now */
    bool old_keep;         /* ... and did before this change (so !keep means a tombstone) */
    bool windowed;
    int64_t wstart, wend;  /* when windowed */
    int64_t ts;            /* the latest event time folded into the group: the result's timestamp */
    const buf *store_key, *store_val; /* the store change to log (store_val NULL: a deletion) */
    bool removed;          /* a session merged away: its tombstone's timestamp is ts (its end), exactly */
    bool created;          /* TUMBLING/HOPPING: the store entry is new (the window opened) */
    uint64_t store_hash;   /* kvstore_hash of store_key (the changelog's record cache reuses it) */
} agg_result;

/* SESSION windows: the sessions of every group, by group key. */
typedef struct agg_sessions agg_sessions;

/* The index of the sessions in `store` (a SESSION-windowed aggregation's;
 * the plan outlives it).  The caller owns it; free with agg_sessions_free. */
agg_sessions *agg_sessions_new(const plan *p, const kvstore *store);
void agg_sessions_free(agg_sessions *ss);

/* The window of a windowed store entry: false when the plan is not
 * windowed or the entry is malformed.  A session's end is read from its
 * state (decoded in `a`). */
bool agg_entry_window(const plan *p, const uint8_t *key, size_t klen, const uint8_t *val, size_t vlen, arena *a,
                      int64_t *start, int64_t *end);

/* Called once per result; the result and what it points to (its store
 * key and value bytes) are borrowed for the call only: copy what is kept. */
typedef void (*agg_emit_fn)(void *ctx, const agg_result *r);

/* The buffers agg_apply builds store keys and values in, kept from one
 * record to the next so that a record allocates nothing once they have
 * grown.  The caller owns them: zero-initialized, freed with
 * agg_scratch_free. */
typedef struct agg_scratch {
    buf key, val, group;
} agg_scratch;

void agg_scratch_free(agg_scratch *s);

/* Applies one input row that passed WHERE, with event time ts, advancing
 * *stream_time (`sessions`: the index of a SESSION-windowed aggregation,
 * else NULL); with `retract`, takes back a row added earlier (a table's
 * old row: the aggregates' undo).  Calls emit once per changed group/window.  Returns the
 * number of results emitted (0: a NULL group value, or every window
 * closed — *late is then set), or -1 with cx->e filled. */
int agg_apply(const plan *p, kvstore *store, agg_sessions *sessions, agg_scratch *scratch, const value *row,
              bool retract, int64_t ts, int64_t *stream_time, bool *late, agg_emit_fn emit, void *ctx, eval_ctx *cx);

/* The current row of one store entry (a pull query reads the table this
 * way): the projected result in `out`, *keep false when HAVING rejects it,
 * and its window (*wstart, *wend) for a windowed aggregation. */
int agg_entry_row(const plan *p, const uint8_t *key, size_t klen, const uint8_t *state, size_t slen, value *out,
                  bool *keep, int64_t *wstart, int64_t *wend, eval_ctx *cx);
/* agg_entry_row, and the latest event time folded into the entry (an
 * EMIT FINAL result's timestamp). */
int agg_entry_final(const plan *p, const uint8_t *key, size_t klen, const uint8_t *state, size_t slen, value *out,
                    bool *keep, int64_t *wstart, int64_t *wend, int64_t *latest, eval_ctx *cx);

#endif
