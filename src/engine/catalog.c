/* catalog.c — see catalog.h.  A small array: catalogs hold tens of
 * sources, and every lookup happens at statement compile time. */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"

void catalog_init(catalog *c)
{
    memset(c, 0, sizeof *c);
}

static void type_free(custom_type *t)
{
    arena_free(&t->arena);
    free(t);
}

void catalog_free(catalog *c)
{
    for (int i = 0; i < c->n; i++)
        catalog_source_free(c->sources[i]);
    free(c->sources);
    for (int i = 0; i < c->ntypes; i++)
        type_free(c->types[i]);
    free(c->types);
    catalog_init(c);
}

source *catalog_source_new(void)
{
    source *s = mem_alloc(sizeof *s);
    arena_init(&s->arena, 4096);
    s->ts_column = -1;
    return s;
}

void catalog_source_free(source *s)
{
    if (!s)
        return;
    arena_free(&s->arena);
    free(s);
}

void catalog_add(catalog *c, source *s)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->sources = mem_realloc(c->sources, sizeof *c->sources * (size_t)c->cap);
    }
    c->sources[c->n++] = s;
}

source *catalog_find(const catalog *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->sources[i]->name, name) == 0)
            return c->sources[i];
    return NULL;
}

bool catalog_remove(catalog *c, const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->sources[i]->name, name) == 0) {
            catalog_source_free(c->sources[i]);
            memmove(&c->sources[i], &c->sources[i + 1], sizeof *c->sources * (size_t)(c->n - i - 1));
            c->n--;
            return true;
        }
    return false;
}

void catalog_replace(catalog *c, source *s)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->sources[i]->name, s->name) == 0) {
            catalog_source_free(c->sources[i]);
            c->sources[i] = s;
            return;
        }
    catalog_add(c, s);
}

const char *catalog_suggest(const catalog *c, const char *name)
{
    const char *best = NULL;
    int best_d = 3;
    for (int i = 0; i < c->n; i++) {
        int d = schema_edit_distance(name, c->sources[i]->name);
        if (d < best_d) {
            best_d = d;
            best = c->sources[i]->name;
        }
    }
    return best;
}

const char *source_kind_name(source_kind k) { return k == SOURCE_STREAM ? "STREAM" : "TABLE"; }

/* ---- custom types ----------------------------------------------------- */

void catalog_type_add(catalog *c, const char *name, const sqltype *t)
{
    custom_type *ct = mem_alloc(sizeof *ct);
    arena_init(&ct->arena, 1024);
    ct->name = arena_strdup(&ct->arena, name);
    ct->type = types_copy(&ct->arena, t);
    if (c->ntypes == c->types_cap) {
        c->types_cap = c->types_cap ? c->types_cap * 2 : 8;
        c->types = mem_realloc(c->types, sizeof *c->types * (size_t)c->types_cap);
    }
    c->types[c->ntypes++] = ct;
}

const sqltype *catalog_type_find(const catalog *c, const char *name)
{
    for (int i = 0; i < c->ntypes; i++)
        if (strcmp(c->types[i]->name, name) == 0)
            return c->types[i]->type;
    return NULL;
}

bool catalog_type_remove(catalog *c, const char *name)
{
    for (int i = 0; i < c->ntypes; i++)
        if (strcmp(c->types[i]->name, name) == 0) {
            type_free(c->types[i]);
            memmove(&c->types[i], &c->types[i + 1], sizeof *c->types * (size_t)(c->ntypes - i - 1));
            c->ntypes--;
            return true;
        }
    return false;
}
