/* schema.c — see schema.h. */
#include "schema.h"

#include <ctype.h>
#include <string.h>

int schema_find(const schema *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->cols[i].name, name) == 0)
            return i;
    return -1;
}

int schema_key_count(const schema *s)
{
    int n = 0;
    for (int i = 0; i < s->n; i++)
        n += s->cols[i].key;
    return n;
}

int schema_value_count(const schema *s)
{
    int n = 0;
    for (int i = 0; i < s->n; i++)
        n += column_in_part(&s->cols[i], false);
    return n;
}

void schema_copy(arena *a, schema *dst, const schema *src)
{
    dst->n = src->n;
    dst->cols = arena_alloc(a, sizeof(column) * (size_t)(src->n ? src->n : 1));
    for (int i = 0; i < src->n; i++) {
        dst->cols[i].name = arena_strdup(a, src->cols[i].name);
        dst->cols[i].type = types_copy(a, src->cols[i].type);
        dst->cols[i].key = src->cols[i].key;
        dst->cols[i].header = src->cols[i].header;
        dst->cols[i].header_key = src->cols[i].header_key ? arena_strdup(a, src->cols[i].header_key) : NULL;
    }
}

int schema_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int cost = toupper((unsigned char)a[i - 1]) != toupper((unsigned char)b[j - 1]);
            int best = diag + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *schema_suggest(const schema *s, const char *name)
{
    const char *best = NULL;
    int best_d = 3; /* only suggest close matches */
    for (int i = 0; i < s->n; i++) {
        int d = schema_edit_distance(name, s->cols[i].name);
        if (d < best_d) {
            best_d = d;
            best = s->cols[i].name;
        }
    }
    return best;
}
