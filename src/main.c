/* main.c — the `eddy` binary: subcommand dispatch and option parsing.
 *
 *   eddy [--data DIR]             the shell on an embedded engine
 *   eddy run FILE.sql [--data DIR] run a file of statements
 *   eddy test -s ... -i ... -o ... compare a pipeline's output (test_runner.c)
 *   eddy bench log|query|window|pull|parse|nexmark   figures (bench*.c)
 *   eddy topic|produce|consume    the log without SQL (topic_cli.c)
 *   eddy server ...               the HTTP server (server/server.c)
 *
 * Only main() exits; everything else returns errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/engine.h"
#include "runner/bench.h"
#include "runner/check.h"
#include "runner/test_runner.h"
#include "runner/topic_cli.h"
#include "server/server.h"
#include "shell/remote.h"
#include "shell/shell.h"

#define EDDY_VERSION "0.1.0"

static void usage(FILE *f)
{
    fputs("usage: eddy [--data DIR | --server URL [--user USER:PASS | --token TOKEN]]\n"
          "       eddy run FILE.sql [--data DIR | --server URL [--user USER:PASS | --token TOKEN]\n"
          "                                                    [--define NAME=VALUE ...]]\n"
          "       eddy test -s STATEMENTS.sql -i INPUT.json -o OUTPUT.json [--write-actual FILE]\n"
          "       eddy check FILE.sql [--data DIR]\n"
          "       eddy bench log|query|window|pull|parse|nexmark [...]   (see eddy bench --help)\n"
          "       eddy topic create|list|describe|delete ... [--data DIR]\n"
          "       eddy produce TOPIC [--key FIELD] [--partition N] [--kv] [--ack] < records.ndjson\n"
          "       eddy consume TOPIC [--from-beginning|--offset N|--timestamp MS] [--follow] ...\n"
          "       eddy server [--data DIR] [--listen HOST:PORT] [--auth basic:FILE|token:FILE] ...\n"
          "       eddy --version\n"
          "\n"
          "Eddy is a streaming SQL engine in the dialect of ksqlDB.  Without a subcommand it\n"
          "opens the shell on the data directory (default ./eddy-data, or $EDDY_DATA); when\n"
          "standard input is not a terminal it runs the statements read from it, stopping at\n"
          "the first error (exit status 1).\n"
          "\n"
          "  --data DIR    the data directory: topics, command topic, offsets\n"
          "  --server URL  run statements on a running `eddy server` (http://HOST:PORT)\n"
          "                instead of the embedded engine: SELECT through /query-stream\n"
          "                (Ctrl-C stops a push query), the rest through /ksql\n"
          "  --user USER:PASS  with --server: HTTP Basic credentials for a server run with\n"
          "                --auth basic:FILE (USER alone: the password is $EDDY_PASSWORD)\n"
          "  --token TOKEN with --server: a Bearer token for a server run with --auth\n"
          "                token:FILE (default $EDDY_TOKEN)\n"
          "  -h, --help    show this help; every subcommand has its own --help\n",
          f);
}

static void run_usage(FILE *f)
{
    fputs("usage: eddy run FILE.sql [--data DIR]\n"
          "       eddy run FILE.sql --server URL [--user USER:PASS | --token TOKEN]\n"
          "                                      [--define NAME=VALUE ...]\n"
          "\n"
          "Runs the statements in FILE.sql against the embedded engine on DIR (default\n"
          "./eddy-data), stopping at the first error, which is shown with its line and\n"
          "column (exit status 1).  Before exiting, persistent queries process the records\n"
          "already in their input topics; they resume where they stopped the next time the\n"
          "data directory is opened.\n"
          "\n"
          "With --server URL (http://HOST:PORT of `eddy server`) the statements are sent to\n"
          "the server one at a time instead, and the first error stops the run the same\n"
          "way.  --define NAME=VALUE replaces ${NAME} in the statements with VALUE before\n"
          "they are sent.  A server run with --auth wants credentials: --user USER:PASS\n"
          "(HTTP Basic; USER alone takes the password from $EDDY_PASSWORD) or --token\n"
          "TOKEN (a Bearer token; default $EDDY_TOKEN).\n",
          f);
}

typedef struct common_opts {
    const char *data;
    const char *server;
    const char *user; /* --user USER[:PASS] */
    const char *token;
    const char *file;
    const char *defines[64]; /* NAME=VALUE */
    int ndefines;
    bool help;
} common_opts;

/* Parses --data/--server/-h and one positional argument (a file). */
static int parse_common(int argc, char **argv, int first, common_opts *o)
{
    o->data = getenv("EDDY_DATA");
    if (!o->data || !*o->data)
        o->data = "./eddy-data";
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help"))
            o->help = true;
        else if ((!strcmp(a, "--data") || !strcmp(a, "-d")) && i + 1 < argc)
            o->data = argv[++i];
        else if (!strncmp(a, "--data=", 7))
            o->data = a + 7;
        else if (!strcmp(a, "--server") && i + 1 < argc)
            o->server = argv[++i];
        else if (!strcmp(a, "--user") && i + 1 < argc)
            o->user = argv[++i];
        else if (!strcmp(a, "--token") && i + 1 < argc)
            o->token = argv[++i];
        else if (!strcmp(a, "--define") && i + 1 < argc && strchr(argv[i + 1], '=') && o->ndefines < 64)
            o->defines[o->ndefines++] = argv[++i];
        else if (a[0] != '-' && !o->file)
            o->file = a;
        else {
            fprintf(stderr, "eddy: unknown or incomplete option '%s' (see --help)\n", a);
            return -1;
        }
    }
    return 0;
}

static engine *open_engine(const char *data)
{
    engine_config cfg = {.data_dir = data, .background = true};
    buf warnings = BUF_INIT;
    err e;
    err_clear(&e);
    engine *en = engine_open(&cfg, &warnings, &e);
    if (warnings.len)
        fprintf(stderr, "eddy: while replaying the command topic:\n%s", warnings.data);
    buf_free(&warnings);
    if (!en)
        fprintf(stderr, "eddy: cannot open data directory %s: %s\n", data, e.msg);
    return en;
}

static int run_remote(const common_opts *o, FILE *in, const char *in_name, bool interactive)
{
    if (strncmp(o->server, "http://", 7)) {
        fprintf(stderr, "eddy: --server wants http://HOST:PORT, not '%s'\n", o->server);
        return 2;
    }
    remote *r = remote_new(o->server);
    const char *token = o->token ? o->token : getenv("EDDY_TOKEN");
    if (o->user && !strchr(o->user, ':')) { /* the password from the environment */
        const char *pass = getenv("EDDY_PASSWORD");
        char *pair = malloc(strlen(o->user) + strlen(pass ? pass : "") + 2);
        sprintf(pair, "%s:%s", o->user, pass ? pass : "");
        remote_set_credentials(r, pair, NULL);
        free(pair);
    } else
        remote_set_credentials(r, o->user, token && *token ? token : NULL);
    for (int i = 0; i < o->ndefines; i++) {
        const char *eq = strchr(o->defines[i], '=');
        remote_define(r, o->defines[i], (size_t)(eq - o->defines[i]), eq + 1);
    }
    shell_options so = {
        .rem = r, .server_url = o->server, .interactive = interactive, .in = in, .in_name = in_name};
    int status = shell_run(&so);
    remote_free(r);
    return status;
}

static int run_shell(const common_opts *o, FILE *in, const char *in_name, bool interactive)
{
    if (o->server)
        return run_remote(o, in, in_name, interactive);
    if (o->ndefines) {
        fprintf(stderr, "eddy: --define goes with --server (use DEFINE statements otherwise)\n");
        return 2;
    }
    if (o->user || o->token) {
        fprintf(stderr, "eddy: --user and --token go with --server\n");
        return 2;
    }
    engine *en = open_engine(o->data);
    if (!en)
        return 1;
    shell_options so = {.en = en, .interactive = interactive, .in = in, .in_name = in_name};
    int status = shell_run(&so);
    /* Let persistent queries take in what is already there, so a script's
     * results are in place when it returns. */
    if (!interactive)
        engine_pump(en);
    engine_close(en);
    return status;
}

static int cmd_run(int argc, char **argv)
{
    common_opts o = {0};
    if (parse_common(argc, argv, 2, &o))
        return 2;
    if (o.help) {
        run_usage(stdout);
        return 0;
    }
    if (!o.file) {
        run_usage(stderr);
        return 2;
    }
    FILE *f = fopen(o.file, "r");
    if (!f) {
        fprintf(stderr, "eddy run: cannot read %s\n", o.file);
        return 1;
    }
    int status = run_shell(&o, f, o.file, false);
    fclose(f);
    return status;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "test"))
        return test_runner_main(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "check"))
        return check_main(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "bench"))
        return bench_main(argc - 1, argv + 1);
    if (argc > 1 && (!strcmp(argv[1], "topic") || !strcmp(argv[1], "produce") || !strcmp(argv[1], "consume")))
        return topic_cli_main(argc - 1, argv + 1);
    if (argc > 1 && !strcmp(argv[1], "run"))
        return cmd_run(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "server"))
        return server_main(argc - 1, argv + 1, EDDY_VERSION);
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("eddy %s\n", EDDY_VERSION);
        return 0;
    }
    common_opts o = {0};
    if (parse_common(argc, argv, 1, &o))
        return 2;
    if (o.help) {
        usage(stdout);
        return 0;
    }
    if (o.file) {
        fprintf(stderr, "eddy: unknown command '%s' (see --help)\n", o.file);
        return 2;
    }
    bool tty = isatty(STDIN_FILENO);
    return run_shell(&o, stdin, tty ? NULL : "stdin", tty);
}
