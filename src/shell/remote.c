/* remote.c — see remote.h. */
#include "remote.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/mem.h"
#include "../engine/value.h"
#include "http_client.h"
#include "print.h"

struct remote {
    const char *url;
    char *authorization; /* the Authorization header's value, or NULL */
    json_t *props; /* SET properties: {"name": "value"} */
    json_t *vars;  /* DEFINE variables: {"name": "value"} */
};

remote *remote_new(const char *url)
{
    remote *r = mem_alloc(sizeof *r);
    r->url = url;
    r->props = json_object();
    r->vars = json_object();
    return r;
}

void remote_free(remote *r)
{
    if (!r)
        return;
    json_decref(r->props);
    json_decref(r->vars);
    free(r->authorization);
    free(r);
}

void remote_set_credentials(remote *r, const char *user_pass, const char *token)
{
    free(r->authorization);
    r->authorization = NULL;
    buf b = BUF_INIT;
    if (user_pass) {
        buf_puts(&b, "Basic ");
        value_base64_encode((const uint8_t *)user_pass, strlen(user_pass), &b);
    } else if (token)
        buf_printf(&b, "Bearer %s", token);
    else
        return;
    r->authorization = buf_take(&b);
}

void remote_define(remote *r, const char *name, size_t len, const char *value)
{
    json_object_setn_new(r->vars, name, len, json_string(value));
}

/* ${name} replaced by the variable's value; an unknown ${name} is left for
 * the server to refuse.  Done here because the server keeps no variables
 * between requests.  A column the server reports on a line with a
 * substitution counts in the substituted text.  Returns a malloc'd string. */
static char *substitute(const remote *r, const char *src, size_t len)
{
    buf out = BUF_INIT;
    for (size_t i = 0; i < len; i++) {
        const char *close =
            src[i] == '$' && i + 1 < len && src[i + 1] == '{' ? memchr(src + i, '}', len - i) : NULL;
        json_t *v = close ? json_object_getn(r->vars, src + i + 2, (size_t)(close - src - i - 2)) : NULL;
        if (v) {
            buf_puts(&out, json_string_value(v));
            i = (size_t)(close - src);
        } else
            buf_putc(&out, src[i]);
    }
    buf_putc(&out, '\0');
    return buf_take(&out);
}

/* Skips white space and comments. */
static const char *skip_space(const char *s, const char *end)
{
    while (s < end) {
        if (isspace((unsigned char)*s))
            s++;
        else if (end - s >= 2 && s[0] == '-' && s[1] == '-') {
            while (s < end && *s != '\n')
                s++;
        } else if (end - s >= 2 && s[0] == '/' && s[1] == '*') {
            const char *c = s + 2;
            while (c + 1 < end && !(c[0] == '*' && c[1] == '/'))
                c++;
            s = c + 1 < end ? c + 2 : end;
        } else
            break;
    }
    return s;
}

static bool starts_with_word(const char *s, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - s) >= n && !strncasecmp(s, word, n) &&
           ((size_t)(end - s) == n || !isalnum((unsigned char)s[n]));
}

/* The text of a JSON value as a cell: strings bare, the rest as JSON. */
static char *cell_text(const json_t *v)
{
    if (json_is_string(v))
        return mem_strdup(json_string_value(v));
    if (!v || json_is_null(v))
        return mem_strdup("null");
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    char *c = mem_strdup(s ? s : "");
    free(s);
    return c;
}

/* Starts a set of rows named by a JSON array of strings; returns its width. */
static int header_from_json(printer *p, const json_t *names, bool streaming)
{
    int n = (int)json_array_size(names);
    const char **v = mem_alloc(sizeof(char *) * (size_t)(n + 1));
    for (int c = 0; c < n; c++)
        v[c] = json_string_value(json_array_get(names, (size_t)c)) ?: "";
    printer_header_names(p, v, n, streaming);
    free(v);
    return n;
}

/* One row from a JSON array of n values. */
static void row_from_json(printer *p, const json_t *row, int n)
{
    char **cells = mem_alloc(sizeof(char *) * (size_t)(n + 1));
    for (int c = 0; c < n; c++)
        cells[c] = cell_text(json_array_get(row, (size_t)c));
    printer_row_cells(p, cells);
}

/* A table from rows of JSON objects: names[i] is taken from keys[i]. */
static void print_objects(printer *p, const engine_output *out, const json_t *list, const char *const *names,
                          const char *const *keys, int n)
{
    printer_header_names(p, names, n, false);
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        char **cells = mem_alloc(sizeof(char *) * (size_t)(n + 1));
        for (int c = 0; c < n; c++) {
            const json_t *v = json_object_get(o, keys[c]);
            /* a list of one (sinks) shows that entry; an empty one nothing */
            if (json_is_array(v) && json_array_size(v) <= 1)
                cells[c] = json_array_size(v) ? cell_text(json_array_get(v, 0)) : mem_strdup("");
            else
                cells[c] = cell_text(v);
        }
        printer_row_cells(p, cells);
    }
    out->footer(out->ctx, NULL);
}

static void print_entity(printer *p, const engine_output *out, const json_t *e)
{
    const char *type = json_string_value(json_object_get(e, "@type"));
    if (!type)
        type = "";
    const json_t *msg = json_object_get(e, "message");
    if (!strcmp(type, "currentStatus")) {
        const char *m = json_string_value(json_object_get(json_object_get(e, "commandStatus"), "message"));
        out->message(out->ctx, m ? m : "");
    } else if (!strcmp(type, "streams") || !strcmp(type, "tables")) {
        static const char *keys[] = {"name", "topic", "keyFormat", "valueFormat", "isWindowed"};
        const char *names[] = {type[0] == 's' ? "Stream Name" : "Table Name", "Kafka Topic", "Key Format",
                               "Value Format", "Windowed"};
        print_objects(p, out, json_object_get(e, type), names, keys, 5);
    } else if (!strcmp(type, "queries")) {
        static const char *keys[] = {"id", "queryType", "state", "sinks", "sinkKafkaTopics", "queryString"};
        static const char *names[] = {"Query ID",  "Query Type",       "Status",
                                      "Sink Name", "Sink Kafka Topic", "Query String"};
        print_objects(p, out, json_object_get(e, "queries"), names, keys, 6);
    } else if (!strcmp(type, "kafka_topics")) {
        const json_t *topics = json_object_get(e, "topics");
        static const char *names[] = {"Kafka Topic", "Partitions", "Partition Replicas"};
        printer_header_names(p, names, 3, false);
        size_t i;
        json_t *t;
        json_array_foreach(topics, i, t)
        {
            const json_t *rep = json_object_get(t, "replicaInfo");
            char **cells = mem_alloc(sizeof(char *) * 4);
            cells[0] = cell_text(json_object_get(t, "name"));
            buf b = BUF_INIT;
            buf_printf(&b, "%zu", json_array_size(rep));
            cells[1] = buf_take(&b);
            cells[2] = cell_text(json_array_size(rep) ? json_array_get(rep, 0) : NULL);
            printer_row_cells(p, cells);
        }
        out->footer(out->ctx, NULL);
    } else if (!strcmp(type, "table")) {
        if (json_is_string(msg))
            out->message(out->ctx, json_string_value(msg));
        int n = header_from_json(p, json_object_get(e, "columnNames"), false);
        size_t i;
        json_t *row;
        json_array_foreach(json_object_get(e, "rows"), i, row) row_from_json(p, row, n);
        out->footer(out->ctx, NULL);
    } else if (json_is_string(msg)) {
        out->message(out->ctx, json_string_value(msg));
    } else {
        char *s = json_dumps(e, JSON_COMPACT);
        out->message(out->ctx, s ? s : "");
        free(s);
    }
}

/* Remembers SET 'k'='v' / UNSET 'k' from a statement that succeeded. */
static void remember_property(remote *r, const char *text)
{
    const char *end = text + strlen(text);
    const char *s = skip_space(text, end);
    bool unset = starts_with_word(s, end, "UNSET");
    char k[256], v[1024];
    if (!unset && !starts_with_word(s, end, "SET"))
        return;
    if (unset ? sscanf(s, "%*s '%255[^']'", k) == 1 : sscanf(s, "%*s '%255[^']' = '%1023[^']'", k, v) == 2) {
        if (unset)
            json_object_del(r->props, k);
        else
            json_object_set_new(r->props, k, json_string(v));
    }
}

/* A 401: what the user can do about it. */
static void unauthorized(const remote *r, buf *error)
{
    buf_printf(error, "%s refused the request: 401 Unauthorized (%s)", r->url,
               r->authorization ? "wrong credentials" : "it wants --user USER:PASS or --token TOKEN");
}

/* The error entity's message, or the body itself. */
static void error_message(const buf *body, int status, buf *error, bool *located)
{
    json_t *j = json_loadb(body->data ? body->data : "", body->len, 0, NULL);
    const char *m = json_string_value(json_object_get(j, "message"));
    if (m) {
        buf_puts(error, m);
        *located = !strncmp(m, "line ", 5);
    } else
        buf_printf(error, "the server answered %d: %.*s", status, (int)body->len,
                   body->data ? body->data : "");
    json_decref(j);
}

static void collect(void *ctx, const char *p, size_t n)
{
    buf_append(ctx, p, n);
}

/* ---- /query-stream ---------------------------------------------------- */

typedef struct stream_state {
    const engine_output *out;
    printer *p;
    bool streaming; /* always: rows are shown as they arrive, as the
                       embedded shell shows a SELECT's */
    buf line;       /* a partial line */
    bool header;    /* the header line was seen */
    int ncols;
    buf error; /* an error object met in the stream */
} stream_state;

static void stream_line(stream_state *s, const char *text, size_t len)
{
    json_t *j = json_loadb(text, len, 0, NULL);
    if (!j)
        return;
    if (!s->header && json_is_object(j) && json_object_get(j, "columnNames")) {
        s->ncols = header_from_json(s->p, json_object_get(j, "columnNames"), s->streaming);
        s->header = true;
    } else if (s->header && json_is_array(j)) {
        row_from_json(s->p, j, s->ncols);
    } else if (json_is_object(j) && json_string_value(json_object_get(j, "message")))
        buf_puts(&s->error, json_string_value(json_object_get(j, "message")));
    json_decref(j);
}

static void stream_data(void *ctx, const char *p, size_t n)
{
    stream_state *s = ctx;
    buf_append(&s->line, p, n);
    size_t start = 0;
    for (size_t i = 0; i < s->line.len; i++)
        if (s->line.data[i] == '\n') {
            stream_line(s, s->line.data + start, i - start);
            start = i + 1;
        }
    memmove(s->line.data, s->line.data + start, s->line.len - start);
    s->line.len -= start;
}

static bool stream_cancelled(void *ctx)
{
    stream_state *s = ctx;
    return s->out->cancelled && s->out->cancelled(s->out->ctx);
}

static int run_query(remote *r, const char *src, size_t len, const engine_output *out, buf *error,
                     bool *located)
{
    char *sql = substitute(r, src, len);
    json_t *req = json_pack("{s:s,s:O}", "sql", sql, "properties", r->props);
    free(sql);
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    stream_state s = {out, out->ctx, true, BUF_INIT, false, 0, BUF_INIT};
    http_sink sink = {&s, stream_data, stream_cancelled};
    int status = http_client_post(r->url, "/query-stream", r->authorization, body, strlen(body), &sink, error);
    free(body);
    int rc = 0;
    if (status > 0 && s.line.len) /* a last line without '\n' */
        stream_line(&s, s.line.data, s.line.len);
    if (status < 0)
        rc = -1;
    else if (status == 401) {
        unauthorized(r, error);
        rc = -1;
    } else if (status != 0 && status != 200 && !s.error.len) {
        buf_printf(error, "the server answered %d", status);
        rc = -1;
    } else {
        if (s.header)
            out->footer(out->ctx, status == 0 ? "Query terminated" : NULL);
        if (s.error.len) {
            buf_append(error, s.error.data, s.error.len);
            *located = !strncmp(s.error.data, "line ", 5);
            rc = -1;
        }
    }
    buf_free(&s.line);
    buf_free(&s.error);
    return rc;
}

int remote_execute(remote *r, const char *src, size_t len, const engine_output *out, buf *error,
                   bool *located)
{
    *located = false;
    const char *first = skip_space(src, src + len);
    if (starts_with_word(first, src + len, "SELECT"))
        return run_query(r, src, len, out, error, located);
    char *text = substitute(r, src, len);
    json_t *req = json_pack("{s:s,s:O}", "ksql", text, "streamsProperties", r->props);
    free(text);
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    buf resp = BUF_INIT;
    http_sink sink = {&resp, collect, NULL};
    int status = http_client_post(r->url, "/ksql", r->authorization, body, strlen(body), &sink, error);
    free(body);
    int rc = 0;
    if (status < 0)
        rc = -1;
    else if (status == 401) {
        unauthorized(r, error);
        rc = -1;
    } else if (status != 200) {
        error_message(&resp, status, error, located);
        rc = -1;
    } else {
        json_t *j = json_loadb(resp.data ? resp.data : "", resp.len, 0, NULL);
        size_t i;
        json_t *e;
        json_array_foreach(j, i, e)
        {
            print_entity(out->ctx, out, e);
            const char *text = json_string_value(json_object_get(e, "statementText"));
            if (text)
                remember_property(r, text);
        }
        if (!json_is_array(j)) {
            buf_printf(error, "unexpected answer from %s: %.*s", r->url, (int)resp.len,
                       resp.data ? resp.data : "");
            rc = -1;
        }
        json_decref(j);
    }
    buf_free(&resp);
    return rc;
}
