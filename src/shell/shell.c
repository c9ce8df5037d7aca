/* shell.c — see shell.h. */
#include "shell.h"

#include <errno.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../base/buf.h"
#include "../base/mem.h"
#include "../parser/parse.h"
#include "print.h"
#include "remote.h"

/* The one piece of global mutable state the style allows: the flag set by
 * the SIGINT handler, read by the printer's `cancelled`. */
static volatile sig_atomic_t interrupted;
static volatile sig_atomic_t in_readline;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
    if (in_readline) {
        /* Ctrl-C at the prompt: drop the line being typed.  Readline's
         * state is reset after its own handler ran (rl_catch_signals). */
        rl_replace_line("", 0);
        (void)!write(STDOUT_FILENO, "\n", 1);
        rl_set_prompt("eddy> "); /* an unfinished statement is dropped too */
        rl_on_new_line();
        rl_redisplay();
    }
}

static void install_sigint(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

static char *history_path(void)
{
    const char *home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    size_t n = strlen(home) + 32;
    char *p = mem_alloc(n);
    snprintf(p, n, "%s/.eddy_history", home);
    return p;
}

/* True for a line that is only white space. */
static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

static bool is_exit_command(const char *text)
{
    char word[16];
    size_t n = 0;
    while (*text == ' ' || *text == '\t')
        text++;
    while (*text && *text != ';' && *text != ' ' && *text != '\n' && n < sizeof word - 1)
        word[n++] = (char)(*text++ | 0x20);
    word[n] = '\0';
    while (*text == ' ' || *text == ';' || *text == '\n' || *text == '\t')
        text++;
    return !*text && (!strcmp(word, "exit") || !strcmp(word, "quit"));
}

static void print_help(FILE *out)
{
    fputs("Statements end with ';' and may span lines.  Examples:\n"
          "  SHOW STREAMS;  SHOW TOPICS;  SHOW QUERIES;  DESCRIBE s;\n"
          "  CREATE STREAM s (id INT KEY, name STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', "
          "PARTITIONS=1);\n"
          "  INSERT INTO s (id, name) VALUES (1, 'a');\n"
          "  SET 'auto.offset.reset'='earliest';\n"
          "  SELECT * FROM s EMIT CHANGES;   (Ctrl-C stops it)\n"
          "TAB completes keywords and names; 'exit' or Ctrl-D leaves.\n",
          out);
}

typedef struct shell_state {
    const shell_options *o;
    engine_session session;
    printer pr;
    engine_output out;
    buf all;           /* everything read so far (non-interactive) */
    size_t stmt_start; /* where the pending statement begins in `all` */
    int status;
} shell_state;

/* Prints a server's error.  Its `line A:B:` counts from the statement sent,
 * which begins at all[stmt_start]: when not interactive it is moved to the
 * line and column in the whole input. */
static void print_remote_error(shell_state *st, const char *msg, bool located)
{
    int a, b, n = 0;
    const shell_options *o = st->o;
    if (!located || o->interactive || sscanf(msg, "line %d:%d:%n", &a, &b, &n) != 2 || !n) {
        fprintf(stderr, "%s%s%s\n", o->interactive || !o->in_name ? "" : o->in_name,
                o->interactive || !o->in_name ? "" : ": ", msg);
        return;
    }
    int line, col;
    err_line_col(st->all.data, st->all.len, st->stmt_start, &line, &col);
    fprintf(stderr, "%s%sline %d:%d:%s\n", o->in_name ? o->in_name : "", o->in_name ? ": " : "", line + a - 1,
            a == 1 ? col + b - 1 : b, msg + n);
}

/* Runs the text all[stmt_start..]; errors are shown with line numbers of
 * the whole input when not interactive. */
static int run_pending(shell_state *st)
{
    const char *text = st->all.data + st->stmt_start;
    size_t len = st->all.len - st->stmt_start;
    err e;
    err_clear(&e);
    interrupted = 0;
    if (st->o->rem) {
        buf msg = BUF_INIT;
        bool located;
        int rc = remote_execute(st->o->rem, text, len, &st->out, &msg, &located);
        if (rc) {
            print_remote_error(st, msg.data, located);
            fflush(stderr);
            st->status = 1;
        }
        buf_free(&msg);
        st->stmt_start = st->all.len;
        return rc;
    }
    int rc = engine_execute(st->o->en, &st->session, text, len, &st->out, &e);
    if (rc) {
        buf msg = BUF_INIT;
        if (st->o->interactive)
            err_render(&e, text, len, &msg);
        else {
            err_shift(&e, (uint32_t)st->stmt_start);
            if (st->o->in_name)
                buf_printf(&msg, "%s: ", st->o->in_name);
            err_render(&e, st->all.data, st->all.len, &msg);
        }
        fprintf(stderr, "%s\n", msg.data);
        fflush(stderr);
        buf_free(&msg);
        st->status = 1;
    }
    st->stmt_start = st->all.len;
    return rc;
}

static int run_interactive(shell_state *st)
{
    char *hist = history_path();
    if (hist)
        read_history(hist);
    if (st->o->en)
        shell_complete_init(st->o->en);
    install_sigint();
    printf("Eddy — streaming SQL.  Type 'help' for examples, 'exit' to leave.\n");
    if (st->o->rem)
        printf("Statements run on the server at %s.\n", st->o->server_url);
    for (;;) {
        interrupted = 0;
        in_readline = 1;
        char *line = readline(st->all.len > st->stmt_start ? "    > " : "eddy> ");
        in_readline = 0;
        if (!line) {
            putchar('\n');
            break;
        }
        if (interrupted) { /* Ctrl-C dropped the statement being typed */
            st->all.len = st->stmt_start;
            interrupted = 0;
        }
        if (st->all.len == st->stmt_start && is_exit_command(line)) {
            free(line);
            break;
        }
        if (st->all.len == st->stmt_start && !strcasecmp(line, "help")) {
            print_help(stdout);
            free(line);
            continue;
        }
        buf_puts(&st->all, line);
        buf_putc(&st->all, '\n');
        free(line);
        const char *pending = st->all.data + st->stmt_start;
        if (blank(pending)) {
            st->all.len = st->stmt_start;
            continue;
        }
        if (!parse_is_complete(pending, st->all.len - st->stmt_start))
            continue;
        /* history keeps the statement on one line */
        char *h = mem_strndup(pending, st->all.len - st->stmt_start - 1);
        for (char *c = h; *c; c++)
            if (*c == '\n')
                *c = ' ';
        add_history(h);
        if (hist && append_history(1, hist) != 0)
            write_history(hist); /* the file does not exist yet */
        free(h);
        run_pending(st);
        /* interactive input is not kept once run */
        st->all.len = st->stmt_start = 0;
    }
    if (hist) {
        history_truncate_file(hist, 2000);
        free(hist);
    }
    return 0;
}

static int run_stream(shell_state *st)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, st->o->in)) >= 0) {
        if (st->all.len == st->stmt_start && is_exit_command(line))
            break;
        buf_append(&st->all, line, (size_t)n);
        const char *pending = st->all.data + st->stmt_start;
        if (!parse_is_complete(pending, st->all.len - st->stmt_start))
            continue;
        if (run_pending(st))
            break;
    }
    free(line);
    /* a last statement without ';' */
    if (st->status == 0 && st->all.len > st->stmt_start && !blank(st->all.data + st->stmt_start))
        run_pending(st);
    return st->status;
}

int shell_run(const shell_options *opts)
{
    shell_state st;
    memset(&st, 0, sizeof st);
    st.o = opts;
    engine_session_init(&st.session);
    printer_init(&st.pr, stdout, &interrupted);
    st.out = printer_output(&st.pr);
    if (!opts->interactive)
        install_sigint();
    int status = opts->interactive ? run_interactive(&st) : run_stream(&st);
    printer_free(&st.pr);
    engine_session_free(&st.session);
    buf_free(&st.all);
    return status;
}
