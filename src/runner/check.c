/* check.c — see check.h.
 *
 * The script runs against a private copy of the data directory's catalog:
 * the command topic and every topic's configuration are copied (no
 * records), an engine opened on the copy in check-only mode replays the
 * catalog, and each statement of the script is executed there — DDL
 * changes the copy only, queries are compiled but not run.  The copy is
 * removed at the end, so the data directory is never touched (it may be in
 * use by a running Eddy). */
#define _XOPEN_SOURCE 700
#include "check.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/file.h"
#include "../engine/engine.h"

static void usage(FILE *f)
{
    fputs("usage: eddy check FILE.sql [--data DIR]\n"
          "\n"
          "Parses and analyzes every statement of FILE.sql against the streams and tables of\n"
          "DIR (default ./eddy-data or $EDDY_DATA), including those the file itself creates,\n"
          "without running anything: nothing is read from or written to DIR, which may be in\n"
          "use.  Every error is listed as FILE: line L:C: message.  Exit status 0 when the\n"
          "file is fine, 1 when it has errors.\n",
          f);
}

typedef struct reporter {
    const char *path;
    const char *text;
    size_t len;
} reporter;

static void report(void *ctx, const err *e)
{
    reporter *r = ctx;
    buf msg = BUF_INIT;
    err_render(e, r->text, r->len, &msg);
    fprintf(stderr, "%s: %s\n", r->path, msg.data);
    buf_free(&msg);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}


int check_main(int argc, char **argv)
{
    const char *file = NULL, *data = getenv("EDDY_DATA");
    if (!data || !*data)
        data = "./eddy-data";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        }
        if ((!strcmp(argv[i], "--data") || !strcmp(argv[i], "-d")) && i + 1 < argc)
            data = argv[++i];
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else {
            fprintf(stderr, "eddy check: unknown or incomplete option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!file) {
        usage(stderr);
        return 2;
    }
    reporter r = {file, NULL, 0};
    char *text = file_read_all(file, &r.len);
    if (!text) {
        fprintf(stderr, "eddy check: cannot read %s\n", file);
        return 1;
    }
    r.text = text;
    char dir[] = "/tmp/eddy-check-XXXXXX";
    int status = 1;
    err e;
    err_clear(&e);
    if (!mkdtemp(dir))
        perror("eddy check: mkdtemp");
    else if (log_copy_layout(data, dir, "_eddy_command_topic", &e))
        fprintf(stderr, "eddy check: %s\n", e.msg);
    else {
        engine_config cfg = {.data_dir = dir, .check_only = true, .flush = LOG_FLUSH_NONE};
        buf warnings = BUF_INIT;
        engine *en = engine_open(&cfg, &warnings, &e);
        if (!en)
            fprintf(stderr, "eddy check: %s\n", e.msg);
        else {
            engine_session s;
            engine_session_init(&s);
            int errors = engine_check(en, &s, text, r.len, report, &r);
            engine_session_free(&s);
            engine_close(en);
            if (errors)
                fprintf(stderr, "%s: %d error%s\n", file, errors, errors == 1 ? "" : "s");
            else
                printf("%s: ok\n", file);
            status = errors ? 1 : 0;
        }
        buf_free(&warnings);
    }
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(text);
    return status;
}
