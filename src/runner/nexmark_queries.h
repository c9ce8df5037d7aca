/* nexmark_queries — the Nexmark queries as Eddy runs them (ksqlDB
 * dialect), and the ones it cannot express, with the reason.
 *
 * The SQL follows ../shared/bench/nexmark.sql over the streams bid,
 * auction and person (nexmark_gen's fields; event time = date_time).
 * A query may take several statements; the last one creates the result,
 * whose topic the benchmark counts.  Everything here is constant data. */
#ifndef EDDY_NEXMARK_QUERIES_H
#define EDDY_NEXMARK_QUERIES_H

#include "nexmark_gen.h"

typedef struct nexmark_query {
    const char *name;    /* "q0" */
    const char *what;    /* one line: what it computes */
    unsigned inputs;     /* bit (1 << nexmark_kind) per stream it reads */
    const char *sql;     /* its statements, the result's last */
    const char *differs; /* how it differs from Nexmark's query, or NULL */
    /* EMIT FINAL: its windows' size + grace (a window closes this long
     * after its start, and its result cannot come before), else 0 */
    int64_t close_after_ms;
} nexmark_query;

typedef struct nexmark_missing {
    const char *name, *why;
} nexmark_missing;

extern const nexmark_query nexmark_queries[];
extern const int nexmark_queries_n;
extern const nexmark_missing nexmark_queries_missing[];
extern const int nexmark_queries_nmissing;

/* The query named `name` (case-insensitive), or NULL. */
const nexmark_query *nexmark_queries_find(const char *name);
/* The reason query `name` cannot be expressed, or NULL. */
const char *nexmark_queries_why_missing(const char *name);
/* CREATE STREAM for the events of kind k (one partition, JSON, event
 * time from date_time). */
const char *nexmark_queries_ddl(nexmark_kind k);

#endif
