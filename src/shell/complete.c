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

static void collect(void)
{
    for (int i = 0; i < candidates.n; i++)
        free(candidates.words[i]);
    candidates.n = 0;
    for (int i = 0; keywords[i]; i++)
        add_word(&candidates, keywords[i]);
    if (complete_engine)
        engine_names(complete_engine, add_word, &candidates);
}

static char *generator(const char *text, int state)
{
    static int next;
    if (state == 0) {
        collect();
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
    return rl_completion_matches(text, generator);
}

void shell_complete_init(engine *en)
{
    complete_engine = en;
    rl_attempted_completion_function = completion;
    rl_basic_word_break_characters = " \t\n\"'`@$><=;|&{(,.)";
}
