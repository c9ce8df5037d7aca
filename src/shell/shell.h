/* shell — the interactive and scripted front end over an embedded engine.
 *
 * Reads statements (which may span lines, up to `;`), runs each through
 * engine_execute and prints the results.  Interactive mode uses readline
 * (history in ~/.eddy_history, TAB completion, Ctrl-C stops a push query or
 * clears the line); otherwise statements come from a stream without
 * prompts, and the first error stops the run with exit status 1.  With a
 * remote (remote.h) statements run on an eddy server instead of `en`.
 */
#ifndef EDDY_SHELL_H
#define EDDY_SHELL_H

#include <stdbool.h>
#include <stdio.h>

#include "../engine/engine.h"

typedef struct remote remote;

typedef struct shell_options {
    engine *en;             /* NULL when `rem` is given */
    remote *rem;            /* statements go to a server (remote.h) */
    const char *server_url; /* rem's URL, for the greeting */
    bool interactive;       /* readline, prompts, keep going after errors */
    FILE *in;               /* for non-interactive runs */
    const char *in_name;    /* "stdin" or the file name, for errors */
} shell_options;

/* Runs until end of input, `exit` or `quit`.  Returns the exit status. */
int shell_run(const shell_options *opts);

/* complete.c: installs TAB completion of keywords and catalog names. */
void shell_complete_init(engine *en);

#endif
