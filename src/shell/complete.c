/* complete.c — TAB completion for the shell: SQL keywords (from the
 * parser's one keyword list) and the names of streams, tables and columns
 * the engine knows. */
#include <readline/readline.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/mem.h"
#include "../parser/keywords.h"
#include "shell.h"

static const char *const keywords[] = {
#define X(name, reserved) #name,
    KEYWORDS(X)
#undef X
    "EXIT", "QUIT", NULL};

typedef struct word_list {
    char **words;
    int n, cap;
} word_list;

/* Completion state lives for one TAB press; readline's callbacks take no
 * context pointer, so the engine is kept here (set once at start-up). */
static engine *complete_engine;
static word_list candidates;

static void add_word(void *ctx, const char *w)
{
    word_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->words = mem_realloc(l->words, sizeof(char *) * (size_t)l->cap);
    }
    l->words[l->n++] = mem_strdup(w);
}

/* The word before the one being completed, upper-cased, in `out`. */
static void previous_word(int start, char *out, size_t n)
{
    int end = start;
    while (end > 0 && (rl_line_buffer[end - 1] == ' ' || rl_line_buffer[end - 1] == '\t'))
        end--;
    int begin = end;
    while (begin > 0 && rl_line_buffer[begin - 1] != ' ' && rl_line_buffer[begin - 1] != '\t' &&
           rl_line_buffer[begin - 1] != '(' && rl_line_buffer[begin - 1] != ';')
        begin--;
    size_t len = (size_t)(end - begin) < n - 1 ? (size_t)(end - begin) : n - 1;
    for (size_t i = 0; i < len; i++) {
        char c = rl_line_buffer[begin + (int)i];
        out[i] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    out[len] = '\0';
}

static bool word_in(const char *w, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(w, list[i]))
            return true;
    return false;
}

/* What may come next depends on the word before: after SHOW only what
 * can be shown; after FROM, JOIN, INTO, DESCRIBE, STREAM or TABLE only
 * stream and table names; elsewhere keywords and every name. */
static void collect(int start)
{
    static const char *const after_show[] = {"STREAMS", "TABLES", "TOPICS", "QUERIES", "FUNCTIONS",
                                             "PROPERTIES", "VARIABLES", "TYPES", "EXTENDED", NULL};
    static const char *const show_words[] = {"SHOW", "LIST", NULL};
    static const char *const source_words[] = {"FROM", "JOIN", "INTO", "DESCRIBE", "STREAM", "TABLE", "EXISTS", NULL};
    for (int i = 0; i < candidates.n; i++)
        free(candidates.words[i]);
    candidates.n = 0;
    char prev[32];
    previous_word(start, prev, sizeof prev);
    if (word_in(prev, show_words)) {
        for (int i = 0; after_show[i]; i++)
            add_word(&candidates, after_show[i]);
        return;
    }
    bool sources_only = word_in(prev, source_words);
    if (!sources_only)
        for (int i = 0; keywords[i]; i++)
            add_word(&candidates, keywords[i]);
    if (complete_engine)
        engine_names(complete_engine, sources_only, add_word, &candidates);
}

static int completion_start; /* where the word being completed begins */

static char *generator(const char *text, int state)
{
    static int next;
    if (state == 0) {
        collect(completion_start);
        next = 0;
    }
    size_t len = strlen(text);
    while (next < candidates.n) {
        const char *w = candidates.words[next++];
        if (strncasecmp(w, text, len) == 0) {
            /* keep the user's case for keywords typed in lower case */
            char *m = mem_strdup(w);
            if (len && text[0] >= 'a' && text[0] <= 'z')
                for (char *c = m; *c; c++)
                    if (*c >= 'A' && *c <= 'Z')
                        *c = (char)(*c - 'A' + 'a');
            return m;
        }
    }
    return NULL;
}

static char **completion(const char *text, int start, int end)
{
    rl_attempted_completion_over = 1;
    completion_start = start;
    return rl_completion_matches(text, generator);
}

void shell_complete_init(engine *en)
{
    complete_engine = en;
    rl_attempted_completion_function = completion;
    rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{(,.)";
}
