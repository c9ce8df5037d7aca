/* exec_ddl.c — statements that change what exists: CREATE STREAM/TABLE,
 * CREATE ... AS SELECT, INSERT ... VALUES, DROP, TERMINATE.  Each one
 * checks everything first, then records itself in the command topic, then
 * changes the catalog, so a refused statement changes nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../base/mem.h"
#include "analyze.h"
#include "engine_internal.h"
#include "runtime_state.h"
#include "timefmt.h"

/* ---- WITH (...) properties ------------------------------------------- */

typedef struct props {
    const char *topic;
    const char *key_format, *value_format, *format;
    int partitions;     /* 0 = not given */
    const ast_property *timestamp, *timestamp_format;
    const ast_property *wrap;          /* WRAP_SINGLE_VALUE, if given */
    bool wrap_single;
    const ast_property *key_delim, *value_delim;
    const ast_property *window_type, *window_size; /* a windowed topic's keys */
} props;

static const char *const known_props[] = {
    "KAFKA_TOPIC", "KEY_FORMAT", "VALUE_FORMAT", "FORMAT", "PARTITIONS", "REPLICAS",
    "TIMESTAMP", "TIMESTAMP_FORMAT", "WRAP_SINGLE_VALUE", "VALUE_DELIMITER", "KEY_DELIMITER",
    "RETENTION_MS", "CLEANUP_POLICY", "WINDOW_TYPE", "WINDOW_SIZE", NULL};

static int prop_string(exec_ctx *x, const ast_property *p, const char **out)
{
    if (p->value->kind != AST_STRING)
        return err_at(x->e, ERR_INVALID, p->span.off, p->span.len, "property %s needs a string value", p->key);
    *out = p->value->u.str.s;
    return 0;
}

static int parse_props(exec_ctx *x, const ast_property *ps, int n, props *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < n; i++) {
        const ast_property *p = &ps[i];
        const char *k = p->key;
        int known = 0;
        for (int j = 0; known_props[j]; j++)
            known |= strcmp(k, known_props[j]) == 0;
        if (!known) {
            err_at(x->e, ERR_INVALID, p->span.off, p->span.len, "Invalid config variable(s) in the WITH clause: %s", k);
            err_hint(x->e, "known properties: KAFKA_TOPIC, KEY_FORMAT, VALUE_FORMAT, FORMAT, PARTITIONS, TIMESTAMP");
            return -1;
        }
        int rc = 0;
        if (!strcmp(k, "KAFKA_TOPIC"))
            rc = prop_string(x, p, &out->topic);
        else if (!strcmp(k, "KEY_FORMAT"))
            rc = prop_string(x, p, &out->key_format);
        else if (!strcmp(k, "VALUE_FORMAT"))
            rc = prop_string(x, p, &out->value_format);
        else if (!strcmp(k, "FORMAT"))
            rc = prop_string(x, p, &out->format);
        else if (!strcmp(k, "PARTITIONS")) {
            if (p->value->kind != AST_INT || p->value->u.i < 1 || p->value->u.i > 10000)
                return err_at(x->e, ERR_INVALID, p->span.off, p->span.len, "PARTITIONS needs a number from 1 to 10000");
            out->partitions = (int)p->value->u.i;
        } else if (!strcmp(k, "TIMESTAMP"))
            out->timestamp = p;
        else if (!strcmp(k, "TIMESTAMP_FORMAT"))
            out->timestamp_format = p;
        else if (!strcmp(k, "WRAP_SINGLE_VALUE")) {
            out->wrap = p;
            if (p->value->kind == AST_BOOL)
                out->wrap_single = p->value->u.b;
            else if (p->value->kind == AST_STRING && (!strcasecmp(p->value->u.str.s, "true") ||
                                                      !strcasecmp(p->value->u.str.s, "false")))
                out->wrap_single = !strcasecmp(p->value->u.str.s, "true");
            else
                return err_at(x->e, ERR_INVALID, p->span.off, p->span.len, "WRAP_SINGLE_VALUE needs true or false");
        } else if (!strcmp(k, "KEY_DELIMITER"))
            out->key_delim = p;
        else if (!strcmp(k, "VALUE_DELIMITER"))
            out->value_delim = p;
        else if (!strcmp(k, "WINDOW_TYPE"))
            out->window_type = p;
        else if (!strcmp(k, "WINDOW_SIZE"))
            out->window_size = p;
        if (rc)
            return -1;
    }
    return 0;
}

static int resolve_format(exec_ctx *x, const char *name, const char *what, format *out)
{
    if (format_parse(name, out))
        return 0;
    if (!strcasecmp(name, "AVRO") || !strcasecmp(name, "PROTOBUF") || !strcasecmp(name, "JSON_SR") ||
        !strcasecmp(name, "PROTOBUF_NOSR"))
        return err_at(x->e, ERR_UNSUPPORTED, x->stmt->span.off, x->stmt->span.len,
                      "%s format %s needs a schema registry, which Eddy does not support yet", what, name);
    return err_at(x->e, ERR_INVALID, x->stmt->span.off, x->stmt->span.len, "Unknown format: %s", name);
}

/* A DELIMITED separator: one character, or the words TAB and SPACE. */
static int parse_delimiter(exec_ctx *x, const ast_property *p, fmt *f)
{
    const char *d = "";
    if (prop_string(x, p, &d))
        return -1;
    if (f->kind != FORMAT_DELIMITED)
        return err_at(x->e, ERR_INVALID, p->span.off, p->span.len,
                      "%s does not support the following configs: [delimiter]", format_name(f->kind));
    if (!*d)
        return err_at(x->e, ERR_INVALID, p->span.off, p->span.len,
                      "Configuration %s is invalid: Delimiter cannot be empty, if you meant to have a tab or "
                      "space for delimiter, please use the word 'TAB' or 'SPACE'",
                      p->key);
    if (!strcasecmp(d, "TAB"))
        f->delim = '\t';
    else if (!strcasecmp(d, "SPACE"))
        f->delim = ' ';
    else if (strlen(d) == 1)
        f->delim = d[0];
    else
        return err_at(x->e, ERR_INVALID, p->span.off, p->span.len,
                      "Configuration %s is invalid: Invalid delimiter value: '%s'. Delimiter must be a single "
                      "character or TAB or SPACE",
                      p->key, d);
    return 0;
}

/* One side's format: the named one, else the inherited one (options too). */
static int resolve_one(exec_ctx *x, const char *name, const char *what, const fmt *inherit, fmt *out)
{
    memset(out, 0, sizeof *out);
    if (inherit)
        out->kind = inherit->kind, out->delim = inherit->delim;
    if (!name)
        return 0;
    format kind;
    if (resolve_format(x, name, what, &kind))
        return -1;
    if (!inherit || kind != inherit->kind)
        out->delim = 0;
    out->kind = kind;
    return 0;
}

/* Key and value formats from FORMAT / KEY_FORMAT / VALUE_FORMAT and their
 * options.  For CREATE STREAM/TABLE there is nothing to inherit (keys
 * default to the session's ksql.persistence.default.format.key, else
 * KAFKA, as in ksqlDB; values to ...format.value); CREATE ... AS SELECT
 * inherits the source's formats and delimiters, but not
 * WRAP_SINGLE_VALUE, whose default is the session's
 * ksql.persistence.wrap.single.values (else true). */
static int resolve_formats(exec_ctx *x, const props *p, const fmt *src_key, const fmt *src_value, fmt *key,
                           fmt *val)
{
    static const fmt kafka = {FORMAT_KAFKA, false, 0};
    if (p->format && (p->key_format || p->value_format))
        return err_at(x->e, ERR_INVALID, x->stmt->span.off, x->stmt->span.len,
                      "Cannot supply both 'FORMAT' and 'KEY_FORMAT' or 'VALUE_FORMAT' properties.");
    const char *kf = p->format ? p->format : p->key_format;
    const char *vf = p->format ? p->format : p->value_format;
    /* what is neither given nor inherited: the session's defaults */
    if (!kf && !src_key)
        kf = engine_session_get(x->session, "ksql.persistence.default.format.key");
    if (!vf && !src_value)
        vf = engine_session_get(x->session, "ksql.persistence.default.format.value");
    if (!vf && !src_value)
        return err_at(x->e, ERR_INVALID, x->stmt->span.off, x->stmt->span.len,
                      "Statement is missing the 'VALUE_FORMAT' property from the WITH clause.");
    if (resolve_one(x, kf, "key", src_key ? src_key : &kafka, key) ||
        resolve_one(x, vf, "value", src_value, val))
        return -1;
    if ((p->key_delim && parse_delimiter(x, p->key_delim, key)) ||
        (p->value_delim && parse_delimiter(x, p->value_delim, val)))
        return -1;
    if (p->wrap) {
        if (p->wrap_single && (val->kind == FORMAT_DELIMITED || val->kind == FORMAT_KAFKA))
            return err_at(x->e, ERR_INVALID, p->wrap->span.off, p->wrap->span.len,
                          "Format '%s' does not support 'WRAP_SINGLE_VALUE' set to 'true'.", format_name(val->kind));
        val->unwrapped = !p->wrap_single && val->kind == FORMAT_JSON;
    } else {
        /* no WRAP_SINGLE_VALUE: the session's default, which (as in
         * ksqlDB) formats that cannot unwrap simply ignore */
        const char *w = engine_session_get(x->session, "ksql.persistence.wrap.single.values");
        val->unwrapped = w && !strcasecmp(w, "false") && val->kind == FORMAT_JSON;
    }
    return 0;
}

static int check_formats(exec_ctx *x, const props *p, const fmt *key, const fmt *val, const schema *s)
{
    char why[512];
    if (!format_check(key->kind, s, true, why, sizeof why) || !format_check(val->kind, s, false, why, sizeof why))
        return err_at(x->e, ERR_INVALID, x->stmt->span.off, x->stmt->span.len, "%s", why);
    if (p->wrap && schema_value_count(s) != 1)
        return err_at(x->e, ERR_INVALID, p->wrap->span.off, p->wrap->span.len,
                      "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas");
    return 0;
}

/* WITH (TIMESTAMP='col'): the column (upper-cased unless back-quoted)
 * that gives each record its event time.  Sets *col to its index in s,
 * or -1 when the property is absent. */
static int resolve_timestamp(exec_ctx *x, const props *p, const schema *s, int *col)
{
    *col = -1;
    if (!p->timestamp)
        return 0;
    const char *text = "";
    if (prop_string(x, p->timestamp, &text))
        return -1;
    char name[256];
    size_t n = strlen(text);
    if (n >= 2 && text[0] == '`' && text[n - 1] == '`')
        snprintf(name, sizeof name, "%.*s", (int)(n - 2), text + 1);
    else {
        snprintf(name, sizeof name, "%s", text);
        for (char *c = name; *c; c++)
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 'a' + 'A');
    }
    const ast_property *tp = p->timestamp;
    *col = schema_find(s, name);
    if (*col < 0)
        return err_at(x->e, ERR_INVALID, tp->span.off, tp->span.len,
                      "The TIMESTAMP column set in the WITH clause does not exist in the schema: '%s'", name);
    type_kind k = s->cols[*col].type->kind;
    if (k == TYPE_STRING && p->timestamp_format)
        return 0;
    if (k != TYPE_BIGINT && k != TYPE_TIMESTAMP)
        return err_at(x->e, ERR_INVALID, tp->span.off, tp->span.len,
                      "Timestamp column, `%s`, should be LONG(INT64), TIMESTAMP, or a String with a "
                      "timestamp_format specified",
                      name);
    return 0;
}

/* TIMESTAMP_FORMAT: kept for a STRING timestamp column (and checked by
 * formatting a known instant, so a bad pattern is refused now). */
static int timestamp_format(exec_ctx *x, const props *p, arena *a, const char **out)
{
    *out = NULL;
    if (!p->timestamp_format)
        return 0;
    const char *f = "";
    if (prop_string(x, p->timestamp_format, &f))
        return -1;
    tz_zone utc = {0};
    buf b = BUF_INIT;
    char why[160];
    int rc = timefmt_format(f, strlen(f), 0, &utc, &b, why, sizeof why);
    buf_free(&b);
    if (rc)
        return err_at(x->e, ERR_INVALID, p->timestamp_format->span.off, p->timestamp_format->span.len,
                      "Invalid TIMESTAMP_FORMAT '%s': %s", f, why);
    *out = arena_strdup(a, f);
    return 0;
}

/* ---- CREATE STREAM / TABLE ------------------------------------------- */

static bool is_reserved_column(const char *name)
{
    static const char *const reserved[] = {"ROWTIME", "ROWPARTITION", "ROWOFFSET", "WINDOWSTART", "WINDOWEND", NULL};
    for (int i = 0; reserved[i]; i++)
        if (!strcmp(name, reserved[i]))
            return true;
    return false;
}

/* A HEADERS column must be ARRAY<STRUCT<KEY STRING, VALUE BYTES>> (one
 * per stream), a HEADER('k') column BYTES.  Tables cannot have them yet:
 * their stored rows keep only keys and values. */
static int check_header_column(exec_ctx *x, const ast_column_def *c, source_kind kind, bool *seen_headers)
{
    if (kind == SOURCE_TABLE)
        return err_at(x->e, ERR_UNSUPPORTED, c->span.off, c->span.len,
                      "HEADER columns on tables are not supported yet (streams have them)");
    arena a;
    arena_init(&a, 512);
    buf got = BUF_INIT;
    types_print(analyze_type(&a, &x->en->cat, c->type), &got);
    const char *want = c->header_key ? "BYTES" : "ARRAY<STRUCT<KEY STRING, VALUE BYTES>>";
    int rc = 0;
    if (strcmp(got.data, want))
        rc = err_at(x->e, ERR_TYPE, c->span.off, c->span.len, "Invalid type for %s%s%s column: expected %s, got %s",
                    c->header_key ? "HEADER('" : "HEADERS", c->header_key ? c->header_key : "",
                    c->header_key ? "')" : "", want, got.data);
    else if (!c->header_key && *seen_headers)
        rc = err_at(x->e, ERR_INVALID, c->span.off, c->span.len, "A stream has at most one HEADERS column");
    *seen_headers |= !c->header_key;
    buf_free(&got);
    arena_free(&a);
    return rc;
}

static int check_columns(exec_ctx *x, source_kind kind)
{
    bool seen_headers = false;
    const ast_stmt *st = x->stmt;
    int nkeys = 0;
    for (int i = 0; i < st->u.create.ncolumns; i++) {
        const ast_column_def *c = &st->u.create.columns[i];
        if (is_reserved_column(c->name.name))
            return err_at(x->e, ERR_INVALID, c->name.span.off, c->name.span.len,
                          "'%s' is a reserved column name.", c->name.name);
        for (int j = 0; j < i; j++)
            if (!strcmp(st->u.create.columns[j].name.name, c->name.name))
                return err_at(x->e, ERR_INVALID, c->name.span.off, c->name.span.len,
                              "Duplicate column names: %s", c->name.name);
        if (kind == SOURCE_STREAM && c->primary_key)
            return err_at(x->e, ERR_INVALID, c->span.off, c->span.len,
                          "Column `%s` is a 'PRIMARY KEY' column: please use 'KEY' for streams.", c->name.name);
        if (kind == SOURCE_TABLE && c->key)
            return err_at(x->e, ERR_INVALID, c->span.off, c->span.len,
                          "Column `%s` is a 'KEY' column: please use 'PRIMARY KEY' for tables.", c->name.name);
        if (analyze_check_type(&x->en->cat, c->type, x->e))
            return -1;
        if (c->headers && check_header_column(x, c, kind, &seen_headers))
            return -1;
        nkeys += c->key || c->primary_key;
    }
    if (kind == SOURCE_TABLE && nkeys == 0)
        return err_at(x->e, ERR_INVALID, st->span.off, st->span.len,
                      "Tables require a PRIMARY KEY. Please define the PRIMARY KEY.");
    if (st->u.create.ncolumns == 0)
        return err_at(x->e, ERR_INVALID, st->span.off, st->span.len,
                      "The statement does not define any columns.");
    return 0;
}

/* Key columns first, then value columns, as ksqlDB lists them. */
static void build_schema(source *s, const catalog *cat, const ast_stmt *st)
{
    int n = st->u.create.ncolumns, k = 0;
    s->schema.n = n;
    s->schema.cols = arena_alloc(&s->arena, sizeof(column) * (size_t)n);
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < n; i++) {
            const ast_column_def *c = &st->u.create.columns[i];
            bool key = c->key || c->primary_key;
            if (key != (pass == 0))
                continue;
            s->schema.cols[k].name = arena_strdup(&s->arena, c->name.name);
            s->schema.cols[k].type = analyze_type(&s->arena, cat, c->type);
            s->schema.cols[k].header = c->headers;
            s->schema.cols[k].header_key = c->header_key ? arena_strdup(&s->arena, c->header_key) : NULL;
            s->schema.cols[k++].key = key;
        }
}

static int already_exists(exec_ctx *x, const char *name, const ast_ident *id)
{
    source *old = catalog_find(&x->en->cat, name);
    return err_at(x->e, ERR_ALREADY_EXISTS, id->span.off, id->span.len,
                  "Cannot add %s '%s': A %s with the same name already exists", "source", name,
                  old->kind == SOURCE_STREAM ? "stream" : "table");
}

/* A CREATE of a name that exists: without OR REPLACE, nothing to do
 * (IF NOT EXISTS: returns 1 with e clear) or an error (returns 1 with e
 * set).  Returns 0 when the statement goes on: the name is free, or OR
 * REPLACE is to replace it. */
static int existing(exec_ctx *x, const char *name, bool or_replace, bool if_not_exists, const ast_ident *id)
{
    const source *old = catalog_find(&x->en->cat, name);
    if (or_replace && if_not_exists)
        return err_at(x->e, ERR_INVALID, x->stmt->span.off, x->stmt->span.len,
                      "Cannot set both OR REPLACE and IF NOT EXISTS."), 1;
    if (!old || or_replace)
        return 0;
    if (if_not_exists) {
        engine__message(x, "A %s named %s already exists.", old->kind == SOURCE_STREAM ? "stream" : "table", name);
        return 1;
    }
    return already_exists(x, name, id), 1;
}

/* Finds or creates the topic for a new source.  An existing topic is used
 * as it is; a missing one needs PARTITIONS, as in ksqlDB. */
static log_topic *ensure_topic(exec_ctx *x, const char *name, int partitions, bool may_create)
{
    log_topic *t = log_topic_find(x->en->log, name);
    if (t) {
        if (partitions && partitions != log_topic_partitions(t) && !x->en->replaying) {
            err_at(x->e, ERR_INVALID, x->stmt->span.off, x->stmt->span.len,
                   "A Kafka topic with the name '%s' already exists, with different partition count: %d (asked for %d).",
                   name, log_topic_partitions(t), partitions);
            return NULL;
        }
        return t;
    }
    if (!partitions && !may_create) {
        err_at(x->e, ERR_INVALID, x->stmt->span.off, x->stmt->span.len, "Topic '%s' does not exist.", name);
        err_hint(x->e, "to create it, add PARTITIONS to the WITH clause, e.g. WITH (KAFKA_TOPIC='%s', PARTITIONS=1, ...)", name);
        return NULL;
    }
    log_topic_config cfg = {.partitions = partitions ? partitions : 1};
    return log_topic_create(x->en->log, name, &cfg, x->e);
}

/* WINDOW_TYPE='TUMBLING'|'HOPPING'|'SESSION' and WINDOW_SIZE='30 SECONDS'
 * declare a topic whose keys carry windows, as an aggregation writes them. */
static int resolve_window(exec_ctx *x, const props *p, source *s)
{
    const char *type = NULL, *size = NULL;
    if (p->window_type && prop_string(x, p->window_type, &type))
        return -1;
    if (p->window_size && prop_string(x, p->window_size, &size))
        return -1;
    if (!type) {
        if (size)
            return err_at(x->e, ERR_INVALID, p->window_size->span.off, p->window_size->span.len,
                          "WINDOW_SIZE needs WINDOW_TYPE");
        return 0;
    }
    const ast_property *tp = p->window_type;
    if (!strcasecmp(type, "TUMBLING"))
        s->window_kind = WINDOW_TUMBLING;
    else if (!strcasecmp(type, "HOPPING"))
        s->window_kind = WINDOW_HOPPING;
    else if (!strcasecmp(type, "SESSION"))
        s->window_kind = WINDOW_SESSION;
    else
        return err_at(x->e, ERR_INVALID, tp->span.off, tp->span.len,
                      "Invalid value for WINDOW_TYPE: %s (use SESSION, HOPPING or TUMBLING)", type);
    if (s->window_kind == WINDOW_SESSION) {
        if (size)
            return err_at(x->e, ERR_INVALID, p->window_size->span.off, p->window_size->span.len,
                          "'WINDOW_SIZE' should not be set for SESSION windows.");
        return 0;
    }
    if (!size)
        return err_at(x->e, ERR_INVALID, tp->span.off, tp->span.len,
                      "Tumbling and Hopping window types should set WINDOW_SIZE in the WITH clause.");
    char unit[16] = "";
    long long n = 0;
    int64_t ms = 0;
    if (sscanf(size, "%lld %15s", &n, unit) == 2 && n > 0) {
        static const struct { const char *name; int64_t ms; } units[] = {
            {"MILLISECOND", 1}, {"SECOND", 1000}, {"MINUTE", 60000}, {"HOUR", 3600000}, {"DAY", 86400000}};
        size_t len = strlen(unit);
        if (len > 1 && (unit[len - 1] == 's' || unit[len - 1] == 'S'))
            unit[len - 1] = 0;
        for (size_t i = 0; i < sizeof units / sizeof *units; i++)
            if (!strcasecmp(unit, units[i].name))
                ms = (int64_t)n * units[i].ms;
    }
    if (ms <= 0)
        return err_at(x->e, ERR_INVALID, p->window_size->span.off, p->window_size->span.len,
                      "Invalid WINDOW_SIZE '%s': use a number and a unit, e.g. '30 SECONDS'", size);
    s->window_size = ms;
    return 0;
}

int engine__create_source(exec_ctx *x)
{
    const ast_stmt *st = x->stmt;
    source_kind kind = st->u.create.source == AST_SOURCE_STREAM ? SOURCE_STREAM : SOURCE_TABLE;
    const char *name = st->u.create.name.name;
    if (existing(x, name, st->u.create.or_replace, st->u.create.if_not_exists, &st->u.create.name))
        return x->e->code == ERR_OK ? 0 : -1;
    source *old = st->u.create.or_replace ? catalog_find(&x->en->cat, name) : NULL;
    props p;
    if (parse_props(x, st->u.create.props, st->u.create.nprops, &p) || check_columns(x, kind))
        return -1;
    if (!p.topic)
        return err_at(x->e, ERR_INVALID, st->span.off, st->span.len,
                      "Missing required property \"KAFKA_TOPIC\" which has no default value.");
    source *s = catalog_source_new();
    s->kind = kind;
    s->read_only = st->u.create.read_only;
    s->name = arena_strdup(&s->arena, name);
    s->topic = arena_strdup(&s->arena, p.topic);
    s->sql = arena_strndup(&s->arena, x->src + st->span.off, st->span.len);
    build_schema(s, &x->en->cat, st);
    log_topic *t = NULL;
    if (resolve_window(x, &p, s) || resolve_formats(x, &p, NULL, NULL, &s->key_format, &s->value_format) ||
        check_formats(x, &p, &s->key_format, &s->value_format, &s->schema) ||
        resolve_timestamp(x, &p, &s->schema, &s->ts_column) ||
        (s->ts_column >= 0 && timestamp_format(x, &p, &s->arena, &s->ts_format)) ||
        (old && engine__replace_source(x, old, s)))
        goto fail;
    if (!(t = ensure_topic(x, p.topic, p.partitions, false)) || engine__record_command(x, NULL))
        goto fail;
    s->partitions = log_topic_partitions(t);
    catalog_replace(&x->en->cat, s);
    engine__message(x, "%s created", kind == SOURCE_STREAM ? "Stream" : "Table");
    return 0;
fail:
    catalog_source_free(s);
    return -1;
}

/* ---- CREATE STREAM ... AS SELECT -------------------------------------- */

/* ksqlDB's rules for a persistent aggregation. */
static int check_aggregation(exec_ctx *x, const plan *p)
{
    const ast_stmt *st = x->stmt;
    const plan_agg *g = p->agg;
    if (p->in.value_format.kind == FORMAT_KAFKA)
        return err_at(x->e, ERR_INVALID, st->span.off, st->span.len,
                      "Source(s) %s are using the 'KAFKA' value format. This format does not yet support GROUP BY.",
                      p->in.name);
    if (schema_key_count(&p->out.schema) == p->out.schema.n)
        return err_at(x->e, ERR_INVALID, st->span.off, st->span.len, "The projection contains no value columns.");
    if (p->in.is_table) {
        /* a table's rows change: aggregating them needs undo (retraction) */
        buf names = BUF_INIT;
        int n = 0;
        for (int i = 0; i < g->ncalls; i++)
            if (!g->calls[i].def->undo && !strstr(names.data ? names.data : "", g->calls[i].def->name))
                buf_printf(&names, "%s%s", n++ ? ", " : "", g->calls[i].def->name);
        if (n) {
            char *last = strrchr(names.data, ',');
            if (last) { /* "A, B and C" */
                buf fixed = BUF_INIT;
                buf_append(&fixed, names.data, (size_t)(last - names.data));
                buf_printf(&fixed, " and%s", last + 1);
                buf_free(&names);
                names = fixed;
            }
            err_at(x->e, ERR_INVALID, st->span.off, st->span.len,
                   "The aggregation function%s %s cannot be applied to a table source, only to a stream source.",
                   n > 1 ? "s" : "", names.data);
            buf_free(&names);
            return -1;
        }
        if (g->window.kind != WINDOW_NONE)
            return err_at(x->e, ERR_UNSUPPORTED, st->span.off, st->span.len,
                          "windowed aggregation of a table is not supported yet");
    }
    /* an aggregate whose state is not a single primitive needs a format
     * that can hold it (its changelog uses the value format in ksqlDB) */
    format vf = p->out.value_format.kind;
    for (int i = 0; i < g->ncalls && (vf == FORMAT_DELIMITED || vf == FORMAT_KAFKA); i++) {
        const agg_call *c = &g->calls[i];
        type_kind k = c->state_types[0]->kind;
        if (c->struct_state || k == TYPE_ARRAY || k == TYPE_MAP || k == TYPE_STRUCT)
            return err_at(x->e, ERR_INVALID, st->span.off, st->span.len,
                          "One of the functions used in the statement has an intermediate type that the value "
                          "format can not handle. Please remove the function or change the format.");
    }
    return 0;
}

static int check_create_as(exec_ctx *x, const plan *p)
{
    const ast_stmt *st = x->stmt;
    const ast_query *q = st->u.create_as.query;
    bool want_table = st->u.create_as.source == AST_SOURCE_TABLE;
    if (q->limit >= 0)
        return err_at(x->e, ERR_INVALID, q->span.off, q->span.len,
                      "CREATE %s AS SELECT statements don't support LIMIT clause.", want_table ? "TABLE" : "STREAM");
    if (p->in.is_table && p->in.window_kind)
        return err_at(x->e, ERR_UNSUPPORTED, q->span.off, q->span.len,
                      "KSQL does not support persistent queries on windowed tables.");
    bool makes_table = p->agg || p->in.is_table;
    if (makes_table && !want_table)
        return err_at(x->e, ERR_INVALID, st->span.off, st->span.len,
                      "Invalid result type. Your SELECT query produces a TABLE. "
                      "Please use CREATE TABLE AS SELECT statement instead.");
    if (!makes_table && want_table)
        return err_at(x->e, ERR_INVALID, st->span.off, st->span.len,
                      "Invalid result type. Your SELECT query produces a STREAM. "
                      "Please use CREATE STREAM AS SELECT statement instead.");
    return 0;
}

/* A persistent query's result may not have a column named like a pseudo
 * column (ksqlDB's rule: alias it), and must carry every key column of its
 * source, so that records keep their keys. */
static int check_reserved_output(exec_ctx *x, const plan *p)
{
    const ast_query *q = x->stmt->u.create_as.query;
    for (int i = 0; i < p->in.schema.n && !p->partitioned && !p->agg; i++) {
        if (!p->in.schema.cols[i].key)
            continue;
        bool kept = false;
        for (int j = 0; j < p->out.schema.n; j++)
            kept |= p->out.schema.cols[j].key && p->project[j]->kind == EX_COLUMN && p->project[j]->column == i;
        if (!kept) {
            err_at(x->e, ERR_INVALID, q->span.off, q->span.len,
                   "The query used to build `%s` must include the key column %s in its projection (eg, SELECT %s...).",
                   x->stmt->u.create_as.name.name, p->in.schema.cols[i].name, p->in.schema.cols[i].name);
            return -1;
        }
    }
    for (int i = 0; i < p->out.schema.n; i++)
        if (!p->out.schema.cols[i].key && is_reserved_column(p->out.schema.cols[i].name))
            return err_at(x->e, ERR_INVALID, q->span.off, q->span.len,
                          "Reserved column name in select: `%s`. Please remove or alias the column.",
                          p->out.schema.cols[i].name);
    return 0;
}

/* ksqlDB's ids: CSAS_<NAME>_<n>, n counting recorded commands. */
static void make_query_id(exec_ctx *x, const char *name, bool table, char *id, size_t n)
{
    if (x->en->replaying && x->en->replay_query_id)
        snprintf(id, n, "%s", x->en->replay_query_id);
    else
        snprintf(id, n, "%s_%s_%ld", table ? "CTAS" : "CSAS", name, x->en->command_seq);
}

static source *sink_source(exec_ctx *x, const plan *p, const char *name, const char *id)
{
    source *s = catalog_source_new();
    s->kind = p->agg || p->in.is_table ? SOURCE_TABLE : SOURCE_STREAM;
    if (p->agg) {
        s->window_kind = p->agg->window.kind;
        s->window_size = p->agg->window.size;
    } else if (!p->partitioned) { /* records keep a windowed source's windows */
        s->window_kind = p->in.window_kind;
        s->window_size = p->in.window_size;
    }
    s->name = arena_strdup(&s->arena, name);
    s->topic = arena_strdup(&s->arena, p->out.topic);
    s->key_format = p->out.key_format;
    s->value_format = p->out.value_format;
    s->partitions = p->out.partitions;
    /* key columns first, as for declared sources */
    s->schema.n = p->out.schema.n;
    s->schema.cols = arena_alloc(&s->arena, sizeof(column) * (size_t)(p->out.schema.n + 1));
    int k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < p->out.schema.n; i++)
            if (p->out.schema.cols[i].key == (pass == 0)) {
                s->schema.cols[k].name = arena_strdup(&s->arena, p->out.schema.cols[i].name);
                s->schema.cols[k].type = types_copy(&s->arena, p->out.schema.cols[i].type);
                s->schema.cols[k++].key = p->out.schema.cols[i].key;
            }
    s->sql = arena_strndup(&s->arena, x->src + x->stmt->span.off, x->stmt->span.len);
    if (p->out.ts_column >= 0) {
        s->ts_column = schema_find(&s->schema, p->out.schema.cols[p->out.ts_column].name);
        s->ts_format = p->out.ts_format ? arena_strdup(&s->arena, p->out.ts_format) : NULL;
    }
    s->writer = arena_strdup(&s->arena, id);
    s->derived = true;
    return s;
}

int engine__create_as(exec_ctx *x)
{
    const ast_stmt *st = x->stmt;
    const char *name = st->u.create_as.name.name;
    if (existing(x, name, st->u.create_as.or_replace, st->u.create_as.if_not_exists, &st->u.create_as.name))
        return x->e->code == ERR_OK ? 0 : -1;
    source *old = st->u.create_as.or_replace ? catalog_find(&x->en->cat, name) : NULL;
    props pr;
    if (parse_props(x, st->u.create_as.props, st->u.create_as.nprops, &pr))
        return -1;
    plan *p = analyze_query_for(&x->en->cat, st->u.create_as.query, name, x->e);
    if (!p)
        return -1;
    if (check_create_as(x, p))
        goto fail;
    p->has_sink = true;
    p->out.name = arena_strdup(&p->arena, name);
    /* a replacement keeps the topic and formats it is not told to change */
    const char *prefix = engine_session_get(x->session, "ksql.output.topic.name.prefix");
    p->out.topic = pr.topic ? arena_strdup(&p->arena, pr.topic)
                   : old    ? arena_strdup(&p->arena, old->topic)
                            : arena_printf(&p->arena, "%s%s", prefix ? prefix : "", name); /* ksqlDB's default */
    /* a keyless source's NONE key format is not inherited by a result
     * that has key columns (a join's, a GROUP BY's): they get the default */
    const fmt *src_key = old ? &old->key_format : &p->in.key_format;
    if (!old && src_key->kind == FORMAT_NONE && schema_key_count(&p->out.schema) > 0)
        src_key = NULL;
    if (resolve_formats(x, &pr, src_key, old ? &old->value_format : &p->in.value_format, &p->out.key_format,
                        &p->out.value_format))
        goto fail;
    if (check_formats(x, &pr, &p->out.key_format, &p->out.value_format, &p->out.schema) ||
        (p->agg && check_aggregation(x, p)) || check_reserved_output(x, p) || resolve_timestamp(x, &pr, &p->out.schema, &p->out.ts_column) ||
        (p->out.ts_column >= 0 && timestamp_format(x, &pr, &p->arena, &p->out.ts_format)))
        goto fail;
    /* replacing a query: the new one takes its id, and so its offsets */
    char id[96];
    if (old && old->writer && !x->en->replaying)
        snprintf(id, sizeof id, "%s", old->writer);
    else
        make_query_id(x, name, p->agg || p->in.is_table, id, sizeof id);
    source *s = sink_source(x, p, name, id);
    log_topic *t = NULL;
    if ((old && engine__replace_query(x, old, s, p)) ||
        !(t = ensure_topic(x, p->out.topic, pr.partitions ? pr.partitions : old ? 0 : p->in.partitions, true))) {
        catalog_source_free(s);
        goto fail;
    }
    p->out.partitions = s->partitions = log_topic_partitions(t);
    if (engine__record_command(x, id)) {
        catalog_source_free(s);
        goto fail;
    }
    if (old && engine__find_query(x->en, id))
        engine__remove_query(x->en, id); /* stops it; its offsets stay */
    char *sql = mem_strndup(x->src + st->span.off, st->span.len);
    query *q = runtime_query_start(x->en->log, id, sql, p, engine__earliest(x->session), x->e);
    free(sql);
    if (!q) {
        catalog_source_free(s);
        return -1;
    }
    catalog_replace(&x->en->cat, s);
    engine__add_query(x->en, q);
    engine__notify(x->en);
    engine__message(x, "Created query with ID %s", id);
    return 0;
fail:
    plan_free(p);
    return -1;
}

/* ---- INSERT INTO ... SELECT ------------------------------------------- */

static void schema_text(const schema *s, buf *out)
{
    for (int i = 0; i < s->n; i++) {
        buf_printf(out, "%s`%s` ", i ? ", " : "", s->cols[i].name);
        types_print(s->cols[i].type, out);
        if (s->cols[i].key)
            buf_puts(out, " KEY");
    }
}

/* The query's result must have the sink's columns (names, types, key or
 * not); the projection is then put in the sink's column order, which is
 * the order its format writes. */
static int fit_to_sink(exec_ctx *x, plan *p, const source *sink)
{
    const schema *out = &p->out.schema, *want = &sink->schema;
    bool same = out->n == want->n;
    expr **project = arena_alloc(&p->arena, sizeof(expr *) * (size_t)(want->n + 1));
    for (int i = 0; same && i < want->n; i++) {
        int j = schema_find(out, want->cols[i].name);
        same = j >= 0 && out->cols[j].key == want->cols[i].key && types_equal(out->cols[j].type, want->cols[i].type);
        if (same)
            project[i] = p->project[j];
    }
    if (!same) {
        buf b = BUF_INIT;
        buf_puts(&b, "Incompatible schema between results and sink.\nResult schema is ");
        schema_text(out, &b);
        buf_puts(&b, "\nSink schema is ");
        schema_text(want, &b);
        err_at(x->e, ERR_INVALID, x->stmt->span.off, x->stmt->span.len, "%s", b.data);
        buf_free(&b);
        return -1;
    }
    schema_copy(&p->arena, &p->out.schema, want);
    p->project = project;
    return 0;
}

int engine__insert_select(exec_ctx *x)
{
    const ast_stmt *st = x->stmt;
    const ast_ident *target = &st->u.insert_select.target;
    source *sink = catalog_find(&x->en->cat, target->name);
    if (!sink) {
        err_at(x->e, ERR_UNKNOWN_SOURCE, target->span.off, target->span.len,
               "Cannot insert into an unknown stream/table: `%s`", target->name);
        const char *near = catalog_suggest(&x->en->cat, target->name);
        if (near)
            err_hint(x->e, "did you mean %s?", near);
        return -1;
    }
    if (sink->kind != SOURCE_STREAM)
        return err_at(x->e, ERR_INVALID, target->span.off, target->span.len,
                      "INSERT INTO can only be used to insert into a stream. %s is a table.", sink->name);
    if (sink->read_only)
        return err_at(x->e, ERR_INVALID, target->span.off, target->span.len, "Cannot insert into read-only stream: %s",
                      sink->name);
    props pr;
    if (parse_props(x, st->u.insert_select.props, st->u.insert_select.nprops, &pr))
        return -1;
    plan *p = analyze_query_for(&x->en->cat, st->u.insert_select.query, sink->name, x->e);
    if (!p)
        return -1;
    if (p->in.is_table) {
        err_at(x->e, ERR_INVALID, st->span.off, st->span.len,
               "INSERT INTO can only be used with a stream query; this query reads table %s.", p->in.name);
        goto fail;
    }
    if (fit_to_sink(x, p, sink))
        goto fail;
    p->has_sink = true;
    p->out.name = arena_strdup(&p->arena, sink->name);
    p->out.topic = arena_strdup(&p->arena, sink->topic);
    p->out.key_format = sink->key_format;
    p->out.value_format = sink->value_format;
    p->out.partitions = sink->partitions;
    p->out.ts_column = -1;
    char id[96];
    if (x->en->replaying && x->en->replay_query_id)
        snprintf(id, sizeof id, "%s", x->en->replay_query_id);
    else
        snprintf(id, sizeof id, "INSERTQUERY_%ld", x->en->command_seq);
    if (engine__record_command(x, id))
        goto fail;
    char *sql = mem_strndup(x->src + st->span.off, st->span.len);
    query *q = runtime_query_start(x->en->log, id, sql, p, engine__earliest(x->session), x->e);
    free(sql);
    if (!q)
        return -1;
    engine__add_query(x->en, q);
    engine__notify(x->en);
    engine__message(x, "Created query with ID %s", id);
    return 0;
fail:
    plan_free(p);
    return -1;
}

/* ---- INSERT INTO ... VALUES ------------------------------------------- */

static int insert_columns(exec_ctx *x, const source *s, int *slots, int *n)
{
    const ast_stmt *st = x->stmt;
    int ncols = st->u.insert_values.ncolumns;
    if (ncols == 0) { /* every column but the header columns */
        *n = 0;
        for (int i = 0; i < s->schema.n; i++)
            if (!s->schema.cols[i].header)
                slots[(*n)++] = i;
        return 0;
    }
    for (int i = 0; i < ncols; i++) {
        const ast_ident *id = &st->u.insert_values.columns[i];
        slots[i] = !strcmp(id->name, "ROWTIME") ? s->schema.n : schema_find(&s->schema, id->name);
        if (slots[i] < 0) {
            err_at(x->e, ERR_UNKNOWN_COLUMN, id->span.off, id->span.len, "column '%s' does not exist in %s", id->name, s->name);
            const char *near = schema_suggest(&s->schema, id->name);
            if (near)
                err_hint(x->e, "did you mean %s?", near);
            return -1;
        }
        for (int j = 0; j < i; j++)
            if (slots[j] == slots[i])
                return err_at(x->e, ERR_INVALID, id->span.off, id->span.len, "column '%s' is listed twice", id->name);
        if (slots[i] < s->schema.n && s->schema.cols[slots[i]].header)
            return err_at(x->e, ERR_INVALID, id->span.off, id->span.len,
                          "Cannot insert into HEADER column %s: it reads the record's headers", id->name);
    }
    *n = ncols;
    return 0;
}

static int insert_row(exec_ctx *x, const source *s, arena *a, value *row, int64_t *ts)
{
    const ast_stmt *st = x->stmt;
    int *slots = arena_alloc(a, sizeof(int) * (size_t)(s->schema.n + st->u.insert_values.ncolumns + 1));
    int n = 0;
    if (insert_columns(x, s, slots, &n))
        return -1;
    if (n != st->u.insert_values.nvalues)
        return err_at(x->e, ERR_INVALID, st->span.off, st->span.len,
                      "Expected a value for each column. Expected %d columns, got %d values.", n,
                      st->u.insert_values.nvalues);
    for (int i = 0; i < s->schema.n; i++)
        row[i] = value_null();
    *ts = (int64_t)time(NULL) * 1000;
    for (int i = 0; i < n; i++) {
        bool rowtime = slots[i] == s->schema.n;
        const sqltype *t = rowtime ? types_scalar(TYPE_BIGINT) : s->schema.cols[slots[i]].type;
        const char *cname = rowtime ? "ROWTIME" : s->schema.cols[slots[i]].name;
        value v;
        if (analyze_constant(st->u.insert_values.values[i], t, cname, a, &v, x->e))
            return -1;
        if (rowtime && !v.null)
            *ts = v.u.l;
        else if (!rowtime)
            row[slots[i]] = v;
    }
    return 0;
}

int engine__insert_values(exec_ctx *x)
{
    const ast_stmt *st = x->stmt;
    const ast_ident *target = &st->u.insert_values.target;
    source *s = catalog_find(&x->en->cat, target->name);
    if (!s) {
        err_at(x->e, ERR_UNKNOWN_SOURCE, target->span.off, target->span.len, "%s does not exist", target->name);
        const char *near = catalog_suggest(&x->en->cat, target->name);
        if (near)
            err_hint(x->e, "did you mean %s?", near);
        return -1;
    }
    if (s->read_only)
        return err_at(x->e, ERR_INVALID, target->span.off, target->span.len, "Cannot insert values into read-only %s: %s",
                      s->kind == SOURCE_STREAM ? "stream" : "table", s->name);
    log_topic *t = log_topic_find(x->en->log, s->topic);
    if (!t)
        return err_set(x->e, ERR_UNKNOWN_TOPIC, "topic %s of %s does not exist", s->topic, s->name);
    arena a;
    arena_init(&a, 4096);
    buf kb = BUF_INIT, vb = BUF_INIT;
    value *row = arena_alloc(&a, sizeof(value) * (size_t)(s->schema.n + 1));
    int64_t ts = 0;
    bool null_key = true;
    int rc = -1;
    if (insert_row(x, s, &a, row, &ts) ||
        serde_encode_key(&s->key_format, &s->schema, row, &kb, &null_key, x->e) ||
        serde_encode_value(&s->value_format, &s->schema, row, &vb, x->e))
        goto done;
    log_record r = {.timestamp = ts,
                    .key = null_key ? NULL : (const uint8_t *)kb.data,
                    .key_len = null_key ? -1 : (int32_t)kb.len,
                    .value = (const uint8_t *)(vb.data ? vb.data : ""),
                    .value_len = (int32_t)vb.len};
    int part = null_key ? 0 : log_partition_for_key(t, kb.data, kb.len);
    rc = x->en->check_only ? 0 : log_append(t, part, &r, 1, x->e); /* checked, not written */
    if (rc == 0)
        engine__notify(x->en);
done:
    buf_free(&kb);
    buf_free(&vb);
    arena_free(&a);
    return rc;
}

/* ---- DROP / TERMINATE ------------------------------------------------- */

/* Ids of running queries that read `name`, comma-separated into out. */
static int readers_of(engine *en, const char *name, buf *out)
{
    int n = 0;
    for (int i = 0; i < en->nqueries; i++) {
        const plan *p = en->queries[i]->plan;
        if (!strcmp(p->in.name, name) || (p->join && !strcmp(p->join->right.name, name)))
            buf_printf(out, "%s%s", n++ ? ", " : "", en->queries[i]->id);
    }
    return n;
}

/* Ids of running queries other than `creator` that write `name`. */
static int writers_of(engine *en, const char *name, const char *creator, buf *out)
{
    int n = 0;
    for (int i = 0; i < en->nqueries; i++)
        if (!strcmp(en->queries[i]->plan->out.name, name) && !(creator && !strcasecmp(creator, en->queries[i]->id)))
            buf_printf(out, "%s%s", n++ ? ", " : "", en->queries[i]->id);
    return n;
}

/* Stops a query for good: forgets its offsets and deletes its state
 * store's changelog and checkpoint. */
static void stop_query(exec_ctx *x, const char *id)
{
    err e;
    log_offset_forget(x->en->log, id, &e);
    engine__remove_query(x->en, id);
    char changelog[160];
    runtime_changelog_name(id, changelog, sizeof changelog);
    if (log_topic_find(x->en->log, changelog))
        log_topic_delete(x->en->log, changelog, &e);
    runtime_state_forget(x->en->log, id);
    for (int i = 0; i < x->en->cat.n; i++)
        if (x->en->cat.sources[i]->writer && !strcasecmp(x->en->cat.sources[i]->writer, id))
            x->en->cat.sources[i]->writer = NULL;
}

int engine__drop(exec_ctx *x)
{
    const ast_stmt *st = x->stmt;
    const char *name = st->u.drop.name.name;
    if (st->u.drop.is_type)
        return engine__drop_type(x);
    source *s = catalog_find(&x->en->cat, name);
    if (!s) {
        if (st->u.drop.if_exists)
            return engine__message(x, "Source `%s` does not exist.", name), 0;
        err_at(x->e, ERR_UNKNOWN_SOURCE, st->u.drop.name.span.off, st->u.drop.name.span.len,
               "Source %s does not exist.", name);
        const char *near = catalog_suggest(&x->en->cat, name);
        if (near)
            err_hint(x->e, "did you mean %s?", near);
        return -1;
    }
    source_kind want = st->u.drop.source == AST_SOURCE_STREAM ? SOURCE_STREAM : SOURCE_TABLE;
    if (s->kind != want)
        return err_at(x->e, ERR_INVALID, st->span.off, st->span.len, "Incompatible data source type is %s, but statement was DROP %s",
                      source_kind_name(s->kind), source_kind_name(want));
    if (s->read_only && st->u.drop.delete_topic)
        return err_at(x->e, ERR_INVALID, st->span.off, st->span.len, "Cannot delete topic for read-only source: %s", name);
    buf readers = BUF_INIT;
    if (readers_of(x->en, name, &readers)) {
        err_at(x->e, ERR_IN_USE, st->span.off, st->span.len,
               "Cannot drop %s. The following queries read from this source: [%s].", name, readers.data);
        err_hint(x->e, "TERMINATE them (or DROP the streams they write) first");
        buf_free(&readers);
        return -1;
    }
    buf_free(&readers);
    buf writers = BUF_INIT;
    if (writers_of(x->en, name, s->writer, &writers)) {
        err_at(x->e, ERR_IN_USE, st->span.off, st->span.len,
               "Cannot drop %s. The following queries write into this source: [%s].", name, writers.data);
        err_hint(x->e, "TERMINATE them first");
        buf_free(&writers);
        return -1;
    }
    buf_free(&writers);
    if (engine__record_command(x, NULL))
        return -1;
    char topic[256];
    snprintf(topic, sizeof topic, "%s", s->topic);
    /* DROP also stops the query that writes the source, as ksqlDB does
     * since it stopped asking for a TERMINATE first. */
    if (s->writer) {
        char id[96];
        snprintf(id, sizeof id, "%s", s->writer);
        stop_query(x, id);
    }
    catalog_remove(&x->en->cat, name);
    if (st->u.drop.delete_topic) {
        bool shared = false;
        for (int i = 0; i < x->en->cat.n; i++)
            shared |= !strcmp(x->en->cat.sources[i]->topic, topic);
        if (!shared && log_topic_find(x->en->log, topic) && log_topic_delete(x->en->log, topic, x->e))
            return -1;
    }
    engine__message(x, "Source `%s` (topic: %s) was dropped.", name, topic);
    return 0;
}

int engine__terminate(exec_ctx *x)
{
    const ast_stmt *st = x->stmt;
    if (st->u.terminate.all) {
        if (engine__record_command(x, NULL))
            return -1;
        while (x->en->nqueries) {
            char id[96];
            snprintf(id, sizeof id, "%s", x->en->queries[0]->id);
            stop_query(x, id);
        }
        engine__message(x, "All queries terminated.");
        return 0;
    }
    const ast_ident *id = &st->u.terminate.query_id;
    query *q = engine__find_query(x->en, id->name);
    if (!q) {
        err_at(x->e, ERR_UNKNOWN_QUERY, id->span.off, id->span.len, "Unknown queryId: %s", id->name);
        err_hint(x->e, "SHOW QUERIES lists the running queries");
        return -1;
    }
    if (engine__record_command(x, NULL))
        return -1;
    char qid[96];
    snprintf(qid, sizeof qid, "%s", q->id);
    stop_query(x, qid);
    engine__message(x, "Query terminated.");
    return 0;
}
