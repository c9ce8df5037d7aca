/* engine_internal — what the engine's own files share (engine.c,
 * exec_*.c).  Not for front ends: they use engine.h. */
#ifndef EDDY_ENGINE_INTERNAL_H
#define EDDY_ENGINE_INTERNAL_H

#include <pthread.h>

#include "../parser/ast.h"
#include "catalog.h"
#include "engine.h"
#include "runtime.h"

#define ENGINE_COMMAND_TOPIC "_eddy_command_topic"

struct engine {
    char *data_dir;
    eventlog *log;
    catalog cat;
    query **queries;
    int nqueries, cap;
    long command_seq;     /* statements recorded so far: numbers query ids */
    bool replaying;       /* executing the command topic at open */
    const char *replay_query_id; /* the replayed command's query id */
    arena scratch;        /* per-batch memory of the runtime */

    /* Lock order: mu, then the log's internal locks. */
    pthread_mutex_t mu;   /* guards everything above */
    pthread_cond_t data_cv; /* signalled when this engine appends data */
    uint64_t data_gen;      /* bumped with each signal */
    pthread_t thread;
    bool background, stop;
    bool check_only;      /* see engine_config */
};

/* The context a statement runs in. */
typedef struct exec_ctx {
    engine *en;
    engine_session *session;
    const char *src;      /* the whole source text (spans point into it) */
    const ast_stmt *stmt;
    const engine_output *out;
    err *e;
} exec_ctx;

/* exec_ddl.c */
int engine__create_source(exec_ctx *x);
int engine__create_as(exec_ctx *x);
int engine__insert_values(exec_ctx *x);
int engine__insert_select(exec_ctx *x);
int engine__drop(exec_ctx *x);
int engine__create_type(exec_ctx *x);
int engine__drop_type(exec_ctx *x);
int engine__terminate(exec_ctx *x);
/* exec_replace.c: whether s (a new declaration) or p and s (a new query
 * and its result) may replace old; -1 with the reason when not. */
int engine__replace_source(exec_ctx *x, const source *old, const source *s);
int engine__replace_query(exec_ctx *x, const source *old, const source *s, const plan *p);
/* exec_show.c */
int engine__show(exec_ctx *x);
int engine__describe(exec_ctx *x);
int engine__describe_function(exec_ctx *x);
/* exec_explain.c */
int engine__explain(exec_ctx *x);
int engine__set(exec_ctx *x);
/* exec_select.c */
int engine__select(exec_ctx *x);
int engine__print(exec_ctx *x);
/* exec_pull.c */
int engine__pull(exec_ctx *x, const plan *pl, const ast_query *q);

/* engine.c */
void engine__message(exec_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the statement to the command topic (not while replaying). */
int engine__record_command(exec_ctx *x, const char *query_id);
/* Wakes push queries and the runtime thread after an append. */
void engine__notify(engine *en);
query *engine__find_query(engine *en, const char *id);
/* The stream or table over `topic` (the one a query writes, if several),
 * or NULL.  Caller holds en->mu. */
source *engine__source_for_topic(engine *en, const char *topic);
void engine__add_query(engine *en, query *q);
void engine__remove_query(engine *en, const char *id);
/* Whether the session (or a replayed command) reads from the start. */
bool engine__earliest(const engine_session *s);

#endif
