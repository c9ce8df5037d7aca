/* auth.c — see auth.h. */
#include "auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/arena.h"
#include "../base/file.h"
#include "../base/mem.h"
#include "../engine/value.h"

struct auth {
    bool token;   /* token:FILE, else basic:FILE */
    char **lines; /* `user:password` or tokens */
    int n;
};

/* Equal strings, in a time that depends on the lengths only. */
static bool secret_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char diff = alen != blen;
    for (size_t i = 0; i < alen && i < blen; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* Whether s[0..len) is one of the lines; every line is compared. */
static bool known(const auth *a, const char *s, size_t len)
{
    bool found = false;
    for (int i = 0; i < a->n; i++)
        found |= secret_equal(a->lines[i], strlen(a->lines[i]), s, len);
    return found;
}

auth *auth_load(const char *spec, char *errbuf, size_t errlen)
{
    bool token = !strncmp(spec, "token:", 6);
    if (!token && strncmp(spec, "basic:", 6)) {
        snprintf(errbuf, errlen, "--auth wants basic:FILE or token:FILE, not '%s'", spec);
        return NULL;
    }
    const char *path = spec + 6;
    size_t len;
    char *text = file_read_all(path, &len);
    if (!text) {
        snprintf(errbuf, errlen, "--auth: cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    auth *a = mem_alloc(sizeof *a);
    a->token = token;
    int lineno = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        if (!n || line[0] == '#')
            continue;
        if (!token && (!strchr(line, ':') || line[0] == ':')) {
            snprintf(errbuf, errlen, "--auth: %s:%d: expected user:password", path, lineno);
            free(text);
            auth_free(a);
            return NULL;
        }
        a->lines = mem_realloc(a->lines, sizeof(char *) * (size_t)(a->n + 1));
        a->lines[a->n++] = mem_strdup(line);
    }
    free(text);
    if (!a->n) {
        snprintf(errbuf, errlen, "--auth: %s has no %s", path, token ? "token" : "user:password line");
        auth_free(a);
        return NULL;
    }
    return a;
}

void auth_free(auth *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->n; i++)
        free(a->lines[i]);
    free(a->lines);
    free(a);
}

bool auth_check_header(const auth *a, const char *h)
{
    if (!h)
        return false;
    const char *scheme = a->token ? "Bearer" : "Basic";
    size_t sl = strlen(scheme);
    if (strncasecmp(h, scheme, sl) || h[sl] != ' ')
        return false;
    h += sl;
    while (*h == ' ')
        h++;
    size_t n = strlen(h);
    while (n && h[n - 1] == ' ')
        n--;
    if (a->token)
        return known(a, h, n);
    arena ar;
    arena_init(&ar, 256);
    value v;
    bool ok = value_base64_decode(h, n, &ar, &v) == 0 && known(a, v.u.s.p, v.u.s.len);
    arena_free(&ar);
    return ok;
}

bool auth_check_password(const auth *a, const char *user, const char *password)
{
    if (a->token)
        return known(a, password, strlen(password));
    size_t ul = strlen(user), pl = strlen(password);
    char *pair = mem_alloc(ul + pl + 2);
    memcpy(pair, user, ul);
    pair[ul] = ':';
    memcpy(pair + ul + 1, password, pl + 1);
    bool ok = !strchr(user, ':') && known(a, pair, ul + pl + 1);
    free(pair);
    return ok;
}

const char *auth_challenge(const auth *a)
{
    return a->token ? "Bearer realm=\"eddy\"" : "Basic realm=\"eddy\"";
}
