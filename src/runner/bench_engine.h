/* bench_engine — how `eddy bench` cases run an engine: opened without
 * its runtime thread (the case drives queries with engine_pump, so a
 * query uses one core) and without fsync, reading from the start of
 * the log; each case in a child process of its own, so that its peak
 * RSS is its own.  Errors are printed to stderr, prefixed "eddy bench:". */
#ifndef EDDY_BENCH_ENGINE_H
#define EDDY_BENCH_ENGINE_H

#include "../engine/engine.h"

/* Opens an engine on dir and initialises session s with
 * auto.offset.reset=earliest; NULL on failure. */
engine *bench_engine_open(const char *dir, engine_session *s);
/* Runs the statements in sql, discarding their output.  0 or -1. */
int bench_engine_sql(engine *en, engine_session *s, const char *sql);
/* Runs fn(ctx) in a child process and returns its result (0..255), or 1
 * when the child could not start or died (said on stderr, with name). */
int bench_engine_in_child(const char *name, int (*fn)(const void *ctx), const void *ctx);

#endif
