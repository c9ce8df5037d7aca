/* func_time.c — date and time functions (ksqlDB's "Date and time"
 * family): conversions between DATE (days), TIME (ms of the day),
 * TIMESTAMP (ms since the epoch) and text in Java date-time patterns
 * (timefmt.h), zone conversion, and unit arithmetic.
 *
 * NULL in any argument gives NULL.  Text that does not match its pattern,
 * a bad pattern or an unknown zone also give NULL: ksqlDB runs each
 * function call in a try/catch that logs the failure and yields NULL, so
 * the row goes on (conformance: PARSE_DATE('abcd', ..) inside IFNULL).
 * The reason is left in cx->e for the processing log. */
#include <string.h>
#include <time.h>

#include "func_internal.h"
#include "timefmt.h"

#define MS_PER_DAY 86400000LL

/* ---- result types --------------------------------------------------------- */

/* Checks the argument kinds against `want` (TYPE_BIGINT also takes INT);
 * fills `why` with ksqlDB's wording when they do not fit. */
static const sqltype *check_args(const sqltype **a, int n, const type_kind *want, type_kind result, char *why,
                                 size_t wn)
{
    bool ok = true;
    for (int i = 0; i < n; i++) {
        type_kind k = a[i]->kind;
        if (!(k == want[i] || k == TYPE_NULL || (want[i] == TYPE_BIGINT && k == TYPE_INT)))
            ok = false;
    }
    if (ok)
        return types_scalar(result);
    size_t at = (size_t)snprintf(why, wn, "does not accept parameters (");
    for (int i = 0; i < n && at < wn; i++) {
        buf b = BUF_INIT;
        types_print(a[i], &b);
        at += (size_t)snprintf(why + at, wn - at, "%s%s", i ? ", " : "", b.data);
        buf_free(&b);
    }
    if (at < wn)
        snprintf(why + at, wn - at, ").");
    return NULL;
}

#define RES(fn, result, ...)                                                                                  \
    static const sqltype *fn(const sqltype **a, int n, arena *ar, char *why, size_t wn)                       \
    {                                                                                                         \
        static const type_kind want[] = {__VA_ARGS__};                                                        \
        return check_args(a, n, want, result, why, wn);                                                       \
    }

#define S TYPE_STRING
#define I TYPE_INT
#define L TYPE_BIGINT
#define D TYPE_DATE
#define T TYPE_TIME
#define TS TYPE_TIMESTAMP

RES(res_unix_date, TYPE_INT, D)
RES(res_unix_timestamp, TYPE_BIGINT, TS)
RES(res_datetostring, TYPE_STRING, I, S)
RES(res_stringtodate, TYPE_INT, S, S)
RES(res_timestamptostring, TYPE_STRING, L, S, S)
RES(res_stringtotimestamp, TYPE_BIGINT, S, S, S)
RES(res_format_date, TYPE_STRING, D, S)
RES(res_format_time, TYPE_STRING, T, S)
RES(res_format_timestamp, TYPE_STRING, TS, S, S)
RES(res_parse_date, TYPE_DATE, S, S)
RES(res_parse_time, TYPE_TIME, S, S)
RES(res_parse_timestamp, TYPE_TIMESTAMP, S, S, S)
RES(res_convert_tz, TYPE_TIMESTAMP, TS, S, S)
RES(res_from_unixtime, TYPE_TIMESTAMP, L)
RES(res_from_days, TYPE_DATE, I)
RES(res_dateadd, TYPE_DATE, S, I, D)
RES(res_timeadd, TYPE_TIME, S, I, T)
RES(res_timestampadd, TYPE_TIMESTAMP, S, L, TS)

#undef S
#undef I
#undef L
#undef D
#undef T
#undef TS

/* ---- helpers ---------------------------------------------------------------- */

static int64_t arg_i64(const expr *c, const value *v, int i)
{
    return c->args[i]->type->kind == TYPE_INT ? v[i].u.i : v[i].u.l;
}

static int null_out(value *out)
{
    *out = value_null();
    return 0;
}

static int zone_arg(const expr *c, const value *v, int i, eval_ctx *cx, tz_zone *z)
{
    if (i >= c->nargs) {
        *z = (tz_zone){0};
        return 0;
    }
    if (timefmt_zone(v[i].u.s.p, v[i].u.s.len, z))
        return err_set(cx->e, ERR_EVAL, "Unknown time-zone ID: %.*s", (int)v[i].u.s.len, v[i].u.s.p);
    return 0;
}

/* Formats instant ms with the pattern in argument `pat` (zone from
 * argument `zi`, UTC when absent). */
static int format_instant(const expr *c, const value *v, int pat, int zi, int64_t ms, eval_ctx *cx, value *out)
{
    if (func_any_null(v, c->nargs))
        return null_out(out);
    tz_zone z;
    if (zone_arg(c, v, zi, cx, &z))
        return null_out(out);
    buf b = BUF_INIT;
    char why[200];
    int rc = timefmt_format(v[pat].u.s.p, v[pat].u.s.len, ms, &z, &b, why, sizeof why);
    if (rc == 0)
        *out = func_string_copy(cx, b.data ? b.data : "", b.len);
    else {
        err_set(cx->e, ERR_EVAL, "%s", why);
        *out = value_null();
    }
    buf_free(&b);
    return 0;
}

/* Parses argument 0 with the pattern in argument 1 (zone in argument 2
 * when given) into an instant. */
static int parse_instant(const expr *c, const value *v, bool trailing, eval_ctx *cx, int64_t *ms)
{
    tz_zone z;
    if (zone_arg(c, v, 2, cx, &z))
        return -1;
    char why[200];
    if (timefmt_parse(v[1].u.s.p, v[1].u.s.len, v[0].u.s.p, v[0].u.s.len, &z, trailing, ms, why, sizeof why))
        return err_set(cx->e, ERR_EVAL, "Failed to parse '%.*s' with pattern '%.*s': %s",
                       (int)(v[0].u.s.len > 80 ? 80 : v[0].u.s.len), v[0].u.s.p,
                       (int)(v[1].u.s.len > 80 ? 80 : v[1].u.s.len), v[1].u.s.p, why);
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- evaluators ------------------------------------------------------------- */

static int f_unix_date(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (c->nargs == 0) {
        *out = value_int((int32_t)timefmt_floor_div(now_ms(), MS_PER_DAY));
        return 0;
    }
    return v[0].null ? null_out(out) : (*out = value_int((int32_t)v[0].u.l), 0);
}

static int f_unix_timestamp(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (c->nargs == 0) {
        *out = value_bigint(now_ms());
        return 0;
    }
    return v[0].null ? null_out(out) : (*out = value_bigint(v[0].u.l), 0);
}

static int f_datetostring(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    return format_instant(c, v, 1, 2, v[0].null ? 0 : arg_i64(c, v, 0) * MS_PER_DAY, cx, out);
}

static int f_format_date(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    return format_instant(c, v, 1, 2, v[0].null ? 0 : v[0].u.l * MS_PER_DAY, cx, out);
}

static int f_format_time(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    return format_instant(c, v, 1, 2, v[0].null ? 0 : v[0].u.l, cx, out);
}

static int f_format_timestamp(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    return format_instant(c, v, 1, 2, v[0].null ? 0 : arg_i64(c, v, 0), cx, out);
}

static int f_parse_days(const expr *c, const value *v, eval_ctx *cx, value *out, bool trailing, bool as_int)
{
    if (func_any_null(v, c->nargs))
        return null_out(out);
    int64_t ms;
    if (parse_instant(c, v, trailing, cx, &ms))
        return null_out(out);
    int64_t days = timefmt_floor_div(ms, MS_PER_DAY);
    *out = as_int ? value_int((int32_t)days) : value_bigint(days);
    return 0;
}

/* STRINGTODATE reads with DateTimeFormatter (the whole text must match);
 * PARSE_DATE and PARSE_TIME with SimpleDateFormat, which ignores text
 * after the pattern. */
static int f_stringtodate(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    return f_parse_days(c, v, cx, out, false, true);
}

static int f_parse_date(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    return f_parse_days(c, v, cx, out, true, false);
}

static int f_parse_time(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, c->nargs))
        return null_out(out);
    int64_t ms;
    if (parse_instant(c, v, true, cx, &ms))
        return null_out(out);
    *out = value_bigint(ms - timefmt_floor_div(ms, MS_PER_DAY) * MS_PER_DAY);
    return 0;
}

static int f_parse_timestamp(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, c->nargs))
        return null_out(out);
    int64_t ms;
    if (parse_instant(c, v, false, cx, &ms))
        return null_out(out);
    *out = value_bigint(ms);
    return 0;
}

/* CONVERT_TZ: the wall time ts shows in zone `from`, shown in zone `to`. */
static int f_convert_tz(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    if (func_any_null(v, 3))
        return null_out(out);
    tz_zone from, to;
    if (zone_arg(c, v, 1, cx, &from) || zone_arg(c, v, 2, cx, &to))
        return null_out(out);
    int64_t utc = v[0].u.l - (int64_t)timefmt_offset_local(&from, v[0].u.l) * 1000;
    *out = value_bigint(utc + (int64_t)timefmt_offset_at(&to, utc, NULL) * 1000);
    return 0;
}

static int f_from_unixtime(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    return v[0].null ? null_out(out) : (*out = value_bigint(arg_i64(c, v, 0)), 0);
}

static int f_from_days(const expr *c, const value *v, eval_ctx *cx, value *out)
{
    return v[0].null ? null_out(out) : (*out = value_bigint(v[0].u.i), 0);
}

/* The time unit argument (the analyzer passes DAYS, HOURS, ... as text)
 * in milliseconds. */
static int unit_ms(const value *u, eval_ctx *cx, int64_t *ms)
{
    static const struct {
        const char *name;
        int64_t ms;
    } units[] = {{"MILLISECOND", 1},   {"SECOND", 1000},     {"MINUTE", 60000},
                 {"HOUR", 3600000},    {"DAY", MS_PER_DAY}};
    size_t n = u->u.s.len;
    if (n && u->u.s.p[n - 1] == 'S')
        n--;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (strlen(units[i].name) == n && !strncasecmp(units[i].name, u->u.s.p, n)) {
            *ms = units[i].ms;
            return 0;
        }
    return err_set(cx->e, ERR_EVAL, "unknown time unit %.*s", (int)u->u.s.len, u->u.s.p);
}

/* DATEADD/DATESUB, TIMEADD/TIMESUB, TIMESTAMPADD/TIMESTAMPSUB: `sign`
 * +1 or -1; `kind` the type of argument 2. */
static int add_unit(const expr *c, const value *v, eval_ctx *cx, value *out, int sign)
{
    if (func_any_null(v, 3))
        return null_out(out);
    int64_t unit = 0;
    if (unit_ms(&v[0], cx, &unit))
        return null_out(out);
    int64_t n = arg_i64(c, v, 1) * sign;
    switch (c->type->kind) {
    case TYPE_DATE:
        /* java.util.concurrent.TimeUnit.toDays truncates toward zero */
        *out = value_bigint(v[2].u.l + n * unit / MS_PER_DAY);
        return 0;
    case TYPE_TIME: {
        int64_t t = (v[2].u.l + (n * unit) % MS_PER_DAY) % MS_PER_DAY;
        *out = value_bigint(t < 0 ? t + MS_PER_DAY : t);
        return 0;
    }
    default: *out = value_bigint((int64_t)((uint64_t)v[2].u.l + (uint64_t)(n * unit))); return 0;
    }
}

static int f_add(const expr *c, const value *v, eval_ctx *cx, value *out) { return add_unit(c, v, cx, out, 1); }
static int f_sub(const expr *c, const value *v, eval_ctx *cx, value *out) { return add_unit(c, v, cx, out, -1); }

#define TIME_FUNCTIONS(X)                                                                                     \
    X(UNIX_DATE, 0, 1, res_unix_date, f_unix_date, "UNIX_DATE([DATE]) -> INT", "date and time",              \
      "Days since 1970-01-01 of the date, or of the current date.")                                           \
    X(UNIX_TIMESTAMP, 0, 1, res_unix_timestamp, f_unix_timestamp, "UNIX_TIMESTAMP([TIMESTAMP]) -> BIGINT",   \
      "date and time", "Milliseconds since the epoch of the timestamp, or of now.")                           \
    X(DATETOSTRING, 2, 2, res_datetostring, f_datetostring, "DATETOSTRING(INT days, STRING pattern) -> STRING", \
      "date and time", "Days since the epoch as text in a java.time pattern (deprecated: use FORMAT_DATE).")  \
    X(STRINGTODATE, 2, 2, res_stringtodate, f_stringtodate, "STRINGTODATE(STRING, STRING pattern) -> INT",    \
      "date and time", "Text in a java.time pattern as days since the epoch (deprecated: use PARSE_DATE).")   \
    X(TIMESTAMPTOSTRING, 2, 3, res_timestamptostring, f_format_timestamp,                                     \
      "TIMESTAMPTOSTRING(BIGINT ms, STRING pattern [, STRING zone]) -> STRING", "date and time",              \
      "Milliseconds since the epoch as text in a pattern, in UTC or the zone.")                               \
    X(STRINGTOTIMESTAMP, 2, 3, res_stringtotimestamp, f_parse_timestamp,                                      \
      "STRINGTOTIMESTAMP(STRING, STRING pattern [, STRING zone]) -> BIGINT", "date and time",                 \
      "Text in a pattern as milliseconds since the epoch, read in UTC or the zone.")                          \
    X(FORMAT_DATE, 2, 2, res_format_date, f_format_date, "FORMAT_DATE(DATE, STRING pattern) -> STRING",       \
      "date and time", "The date as text in a java.time pattern.")                                            \
    X(FORMAT_TIME, 2, 2, res_format_time, f_format_time, "FORMAT_TIME(TIME, STRING pattern) -> STRING",       \
      "date and time", "The time as text in a java.time pattern.")                                            \
    X(FORMAT_TIMESTAMP, 2, 3, res_format_timestamp, f_format_timestamp,                                       \
      "FORMAT_TIMESTAMP(TIMESTAMP, STRING pattern [, STRING zone]) -> STRING", "date and time",               \
      "The timestamp as text in a pattern, in UTC or the zone.")                                              \
    X(PARSE_DATE, 2, 2, res_parse_date, f_parse_date, "PARSE_DATE(STRING, STRING pattern) -> DATE",           \
      "date and time", "Text in a java.time pattern as a DATE.")                                              \
    X(PARSE_TIME, 2, 2, res_parse_time, f_parse_time, "PARSE_TIME(STRING, STRING pattern) -> TIME",           \
      "date and time", "Text in a java.time pattern as a TIME.")                                              \
    X(PARSE_TIMESTAMP, 2, 3, res_parse_timestamp, f_parse_timestamp,                                          \
      "PARSE_TIMESTAMP(STRING, STRING pattern [, STRING zone]) -> TIMESTAMP", "date and time",                \
      "Text in a pattern as a TIMESTAMP, read in UTC or the zone.")                                           \
    X(CONVERT_TZ, 3, 3, res_convert_tz, f_convert_tz,                                                         \
      "CONVERT_TZ(TIMESTAMP, STRING from_zone, STRING to_zone) -> TIMESTAMP", "date and time",                \
      "The timestamp's wall time in from_zone, moved to to_zone.")                                            \
    X(FROM_UNIXTIME, 1, 1, res_from_unixtime, f_from_unixtime, "FROM_UNIXTIME(BIGINT ms) -> TIMESTAMP",       \
      "date and time", "Milliseconds since the epoch as a TIMESTAMP.")                                        \
    X(FROM_DAYS, 1, 1, res_from_days, f_from_days, "FROM_DAYS(INT days) -> DATE", "date and time",            \
      "Days since the epoch as a DATE.")                                                                      \
    X(DATEADD, 3, 3, res_dateadd, f_add, "DATEADD(unit, INT n, DATE) -> DATE", "date and time",               \
      "The date plus n units (DAYS, ...).")                                                                   \
    X(DATESUB, 3, 3, res_dateadd, f_sub, "DATESUB(unit, INT n, DATE) -> DATE", "date and time",               \
      "The date minus n units (DAYS, ...).")                                                                  \
    X(TIMEADD, 3, 3, res_timeadd, f_add, "TIMEADD(unit, INT n, TIME) -> TIME", "date and time",               \
      "The time plus n units, wrapping around midnight.")                                                     \
    X(TIMESUB, 3, 3, res_timeadd, f_sub, "TIMESUB(unit, INT n, TIME) -> TIME", "date and time",               \
      "The time minus n units, wrapping around midnight.")                                                    \
    X(TIMESTAMPADD, 3, 3, res_timestampadd, f_add, "TIMESTAMPADD(unit, BIGINT n, TIMESTAMP) -> TIMESTAMP",    \
      "date and time", "The timestamp plus n units.")                                                         \
    X(TIMESTAMPSUB, 3, 3, res_timestampadd, f_sub, "TIMESTAMPSUB(unit, BIGINT n, TIMESTAMP) -> TIMESTAMP",    \
      "date and time", "The timestamp minus n units.")

FUNC_FAMILY(func_time_family, TIME_FUNCTIONS);
