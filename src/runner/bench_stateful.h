/* bench_stateful — `eddy bench window`, `pull` and `restore`: stateful
 * processing figures for issue 6 (Nexmark q5/q7-like windowed
 * aggregations; pull-query latency on a materialized table; restoring
 * a state store on restart).
 *
 * Each runs in a data directory the caller created and removes, prints
 * its figures to stdout (errors to stderr) and asserts no speed. */
#ifndef EDDY_BENCH_STATEFUL_H
#define EDDY_BENCH_STATEFUL_H

/* Loads n Nexmark-style bids and runs each windowed aggregation (q7-like
 * tumbling MAX with EMIT CHANGES and with EMIT FINAL, q5-like hopping
 * COUNT) in its own subdirectory of dir and
 * its own child process, so each gets its own peak RSS.  Prints events/s,
 * events per CPU second, peak RSS, output records and state-store rows.
 * Returns 0 when every case completed, else 1. */
int bench_window(long n, const char *dir);

/* Builds a table of `keys` distinct keys from `keys` appended records,
 * then times up to 10 000 pull queries by key (fewer when they would
 * take longer than a time budget; the count run is printed) and full
 * table scans.  Prints p50/p99/max latency in microseconds, the scan
 * time and an estimate of memory per key from RSS growth.  Returns 0 or
 * 1. */
int bench_pull(long keys, const char *dir);

/* Leaves in dir (fresh) a stream src (id BIGINT, x BIGINT) of `keys`
 * records and a table t built from it (id, n = COUNT(*), s = SUM(x)), one
 * row per id 0..keys-1, with its state store up to date, for `eddy bench
 * server`.  Returns 0 or -1 (the error printed). */
int bench_build_table(const char *dir, long keys);

/* Builds a GROUP BY table of `keys` keys, updates a tenth of them after
 * its last checkpoint, then times two restarts in child processes: from
 * the checkpoint plus the changelog tail, and (checkpoint removed) from
 * the whole changelog.  Prints restart time, RSS growth and store bytes
 * per key, and the checkpoint's size.  Returns 0 or 1. */
int bench_restore(long keys, const char *dir);

#endif
