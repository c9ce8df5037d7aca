/* bench_engine.c — see bench_engine.h. */
#include "bench_engine.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

engine *bench_engine_open(const char *dir, engine_session *s)
{
    err e;
    err_clear(&e);
    engine_config cfg = {.data_dir = dir, .background = false, .flush = LOG_FLUSH_NONE};
    engine *en = engine_open(&cfg, NULL, &e);
    if (!en) {
        fprintf(stderr, "eddy bench: %s\n", e.msg);
        return NULL;
    }
    engine_session_init(s);
    if (bench_engine_sql(en, s, "SET 'auto.offset.reset'='earliest';")) {
        engine_session_free(s);
        engine_close(en);
        return NULL;
    }
    return en;
}

int bench_engine_sql(engine *en, engine_session *s, const char *sql)
{
    err e;
    err_clear(&e);
    if (engine_execute(en, s, sql, strlen(sql), NULL, &e)) {
        fprintf(stderr, "eddy bench: %s\n  in: %s\n", e.msg, sql);
        return -1;
    }
    return 0;
}

int bench_engine_in_child(const char *name, int (*fn)(const void *ctx), const void *ctx)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        perror("eddy bench: fork");
        return 1;
    }
    if (pid == 0) {
        int rc = fn(ctx);
        fflush(stdout);
        fflush(stderr);
        _exit(rc);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) < 0)
        return 1;
    if (WIFSIGNALED(status))
        fprintf(stderr, "eddy bench: %s: killed by signal %d\n", name, WTERMSIG(status));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
