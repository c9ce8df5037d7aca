/* timefmt.c — see timefmt.h.  Civil-date conversions follow Howard
 * Hinnant's days_from_civil algorithm (proleptic Gregorian, exact for any
 * int64 year range we accept). */
#include "timefmt.h"

#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MS_PER_DAY 86400000LL

static const char *const month_short[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const month_long[] = {"January", "February", "March",     "April",   "May",      "June",
                                         "July",    "August",   "September", "October", "November", "December"};
static const char *const day_short[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const day_long[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

int64_t timefmt_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t timefmt_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = timefmt_floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void timefmt_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = timefmt_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int64_t y, int m)
{
    static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

/* ---- zones -------------------------------------------------------------- */

typedef struct tz_type {
    int32_t utoff;
    uint8_t isdst, abbr;
} tz_type;

struct tz_file {
    char name[64];
    int ntrans, ntypes;
    int64_t *trans;
    uint8_t *idx;
    tz_type *types;
    char *abbrs;
    int nabbrs;
};

#define TZ_CACHE_MAX 256

/* Zone files are system data that never change while we run; loading
 * them once per process is a cache, not engine state.  Entries are never
 * freed or changed after they are published. */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static tz_file *tz_cache[TZ_CACHE_MAX];
static int tz_cached;

static int64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    if (n == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

/* Parses the 64-bit (version 2+) block of a TZif file. */
static tz_file *tz_parse(const uint8_t *p, size_t n, const char *name)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0 || p[4] < '2')
        return NULL;
    size_t c[6];
    for (int i = 0; i < 6; i++)
        c[i] = (size_t)be(p + 20 + 4 * i, 4);
    size_t v1 = 44 + c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0];
    if (v1 + 44 > n || memcmp(p + v1, "TZif", 4) != 0)
        return NULL;
    const uint8_t *h = p + v1;
    for (int i = 0; i < 6; i++)
        c[i] = (size_t)be(h + 20 + 4 * i, 4);
    size_t need = 44 + c[3] * 9 + c[4] * 6 + c[5];
    if (c[4] == 0 || c[3] > 100000 || c[4] > 256 || c[5] > 1024 || v1 + need > n)
        return NULL;
    tz_file *f = calloc(1, sizeof *f);
    f->ntrans = (int)c[3];
    f->ntypes = (int)c[4];
    f->nabbrs = (int)c[5];
    f->trans = calloc(c[3] + 1, sizeof *f->trans);
    f->idx = calloc(c[3] + 1, 1);
    f->types = calloc(c[4], sizeof *f->types);
    f->abbrs = calloc(c[5] + 1, 1);
    const uint8_t *d = h + 44;
    for (size_t i = 0; i < c[3]; i++)
        f->trans[i] = be(d + 8 * i, 8);
    d += 8 * c[3];
    for (size_t i = 0; i < c[3]; i++)
        f->idx[i] = d[i] < c[4] ? d[i] : 0;
    d += c[3];
    for (size_t i = 0; i < c[4]; i++) {
        f->types[i].utoff = (int32_t)be(d + 6 * i, 4);
        f->types[i].isdst = d[6 * i + 4];
        f->types[i].abbr = d[6 * i + 5] < c[5] ? d[6 * i + 5] : 0;
    }
    d += 6 * c[4];
    memcpy(f->abbrs, d, c[5]);
    snprintf(f->name, sizeof f->name, "%s", name);
    return f;
}

static const tz_file *tz_load(const char *name)
{
    pthread_mutex_lock(&tz_lock);
    const tz_file *found = NULL;
    for (int i = 0; i < tz_cached && !found; i++)
        if (!strcmp(tz_cache[i]->name, name))
            found = tz_cache[i];
    if (!found && tz_cached < TZ_CACHE_MAX) {
        char path[128];
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
        FILE *fp = fopen(path, "rb");
        if (fp) {
            uint8_t data[1 << 16];
            size_t n = fread(data, 1, sizeof data, fp);
            fclose(fp);
            tz_file *f = tz_parse(data, n, name);
            if (f)
                found = tz_cache[tz_cached++] = f;
        }
    }
    pthread_mutex_unlock(&tz_lock);
    return found;
}

/* "+HH", "+HHMM", "+HH:MM", "+H" (sign required) -> seconds. */
static int parse_offset(const char *s, size_t n, int32_t *out)
{
    if (n < 2 || (s[0] != '+' && s[0] != '-'))
        return -1;
    int sign = s[0] == '-' ? -1 : 1;
    size_t i = 1;
    int h = 0, m = 0, digits = 0;
    while (i < n && isdigit((unsigned char)s[i]) && digits < 2)
        h = h * 10 + (s[i++] - '0'), digits++;
    if (!digits)
        return -1;
    if (i < n && s[i] == ':')
        i++;
    if (i < n) {
        if (n - i != 2 || !isdigit((unsigned char)s[i]) || !isdigit((unsigned char)s[i + 1]))
            return -1;
        m = (s[i] - '0') * 10 + (s[i + 1] - '0');
    }
    if (h > 18 || m > 59)
        return -1;
    *out = sign * (h * 3600 + m * 60);
    return 0;
}

int timefmt_zone(const char *name, size_t len, tz_zone *out)
{
    out->file = NULL;
    out->fixed = 0;
    if (len == 0 || len >= 64)
        return -1;
    if ((len == 1 && name[0] == 'Z') || (len == 3 && (!strncmp(name, "UTC", 3) || !strncmp(name, "GMT", 3))) ||
        (len == 2 && !strncmp(name, "UT", 2)))
        return 0;
    if (name[0] == '+' || name[0] == '-')
        return parse_offset(name, len, &out->fixed);
    size_t pre = !strncmp(name, "UTC", 3) || !strncmp(name, "GMT", 3) ? 3 : !strncmp(name, "UT", 2) ? 2 : 0;
    if (pre && (name[pre] == '+' || name[pre] == '-'))
        return parse_offset(name + pre, len - pre, &out->fixed);
    /* a region name: letters, digits, _ - + and / between parts only */
    char tmp[64];
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!(isalnum((unsigned char)c) || c == '_' || c == '-' || c == '+' || c == '/'))
            return -1;
        if (c == '/' && (i == 0 || name[i - 1] == '/' || i + 1 == len))
            return -1;
        tmp[i] = c;
    }
    if (strstr(name, "..") || !isalpha((unsigned char)name[0]))
        return -1;
    tmp[len] = '\0';
    out->file = tz_load(tmp);
    return out->file ? 0 : -1;
}

static void offset_text(int32_t off, char *abbr)
{
    if (off == 0) {
        strcpy(abbr, "UTC");
        return;
    }
    int32_t a = off < 0 ? -off : off;
    snprintf(abbr, 16, "%c%02d:%02d", off < 0 ? '-' : '+', (int)(a / 3600) % 100, (int)(a / 60 % 60));
}

int32_t timefmt_offset_at(const tz_zone *z, int64_t utc_ms, char *abbr)
{
    const tz_file *f = z->file;
    if (!f) {
        if (abbr)
            offset_text(z->fixed, abbr);
        return z->fixed;
    }
    int64_t t = timefmt_floor_div(utc_ms, 1000);
    int type = 0;
    if (f->ntrans == 0 || t < f->trans[0]) {
        for (int i = 0; i < f->ntypes; i++)
            if (!f->types[i].isdst) {
                type = i;
                break;
            }
    } else {
        int lo = 0, hi = f->ntrans - 1; /* last transition <= t */
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (f->trans[mid] <= t)
                lo = mid;
            else
                hi = mid - 1;
        }
        type = f->idx[lo];
    }
    if (abbr)
        snprintf(abbr, 16, "%s", f->abbrs + f->types[type].abbr);
    return f->types[type].utoff;
}

int32_t timefmt_offset_local(const tz_zone *z, int64_t local_ms)
{
    if (!z->file)
        return z->fixed;
    /* Try the offset at the local time read as UTC, then correct once:
     * in a gap this lands after it, in an overlap on the earlier offset,
     * as java.time's ZonedDateTime.ofLocal does. */
    int32_t o1 = timefmt_offset_at(z, local_ms, NULL);
    int32_t o2 = timefmt_offset_at(z, local_ms - (int64_t)o1 * 1000, NULL);
    if (o1 == o2)
        return o1;
    int32_t o3 = timefmt_offset_at(z, local_ms - (int64_t)o2 * 1000, NULL);
    return o3 == o2 ? o2 : (o1 > o2 ? o1 : o2);
}

/* ---- patterns ------------------------------------------------------------- */

typedef struct pat_elem {
    char letter; /* 0 for literal text */
    int count;
    const char *lit; /* literal text (quotes resolved on use) */
    size_t litlen;
    bool quoted; /* lit is the inside of '...' with '' for a quote */
} pat_elem;

/* The element at *i in the pattern; false at the end.  -1 in *bad for an
 * unterminated quote. */
static bool pat_next(const char *p, size_t n, size_t *i, pat_elem *e, int *bad)
{
    if (*i >= n)
        return false;
    memset(e, 0, sizeof *e);
    char c = p[*i];
    if (c == '\'') {
        if (*i + 1 < n && p[*i + 1] == '\'') {
            e->lit = "'", e->litlen = 1;
            *i += 2;
            return true;
        }
        size_t j = *i + 1;
        for (;; j++) {
            if (j >= n) {
                *bad = -1;
                return false;
            }
            if (p[j] == '\'') {
                if (j + 1 < n && p[j + 1] == '\'') {
                    j++;
                    continue;
                }
                break;
            }
        }
        e->lit = p + *i + 1, e->litlen = j - *i - 1, e->quoted = true;
        *i = j + 1;
        return true;
    }
    if (isalpha((unsigned char)c)) {
        size_t j = *i;
        while (j < n && p[j] == c)
            j++;
        e->letter = c, e->count = (int)(j - *i);
        *i = j;
        return true;
    }
    e->lit = p + *i, e->litlen = 1;
    (*i)++;
    return true;
}

/* Appends a literal element's text (resolving '' inside quotes). */
static void lit_text(const pat_elem *e, buf *out)
{
    for (size_t k = 0; k < e->litlen; k++) {
        buf_putc(out, e->lit[k]);
        if (e->quoted && e->lit[k] == '\'' && k + 1 < e->litlen && e->lit[k + 1] == '\'')
            k++;
    }
}

typedef struct fields {
    int64_t year;
    int month, day, doy, dow; /* dow: 0 = Monday */
    int hour, minute, second, millis;
    int32_t offset; /* seconds */
    char abbr[16];
} fields;

static void put_num(buf *out, int64_t v, int width)
{
    if (v < 0) {
        buf_putc(out, '-');
        v = -v;
    }
    buf_printf(out, "%0*" PRId64, width, v);
}

static void put_offset(buf *out, int32_t off, bool colon, bool minutes_opt, bool z_for_zero)
{
    if (off == 0 && z_for_zero) {
        buf_putc(out, 'Z');
        return;
    }
    int32_t a = off < 0 ? -off : off;
    buf_printf(out, "%c%02d", off < 0 ? '-' : '+', (int)(a / 3600));
    if (minutes_opt && a % 3600 == 0)
        return;
    buf_printf(out, "%s%02d", colon ? ":" : "", (int)(a / 60 % 60));
}

static int format_letter(const pat_elem *e, const fields *f, buf *out, char *why, size_t wn)
{
    int c = e->count;
    switch (e->letter) {
    case 'y':
    case 'u':
        if (c == 2)
            put_num(out, ((f->year % 100) + 100) % 100, 2);
        else
            put_num(out, f->year, c);
        return 0;
    case 'M':
    case 'L':
        if (c >= 5)
            buf_putc(out, month_long[f->month - 1][0]);
        else if (c == 4)
            buf_puts(out, month_long[f->month - 1]);
        else if (c == 3)
            buf_puts(out, month_short[f->month - 1]);
        else
            put_num(out, f->month, c);
        return 0;
    case 'd': put_num(out, f->day, c); return 0;
    case 'D': put_num(out, f->doy, c); return 0;
    case 'E': buf_puts(out, c >= 4 ? day_long[f->dow] : day_short[f->dow]); return 0;
    case 'a': buf_puts(out, f->hour < 12 ? "AM" : "PM"); return 0;
    case 'H': put_num(out, f->hour, c); return 0;
    case 'k': put_num(out, f->hour ? f->hour : 24, c); return 0;
    case 'K': put_num(out, f->hour % 12, c); return 0;
    case 'h': put_num(out, f->hour % 12 ? f->hour % 12 : 12, c); return 0;
    case 'm': put_num(out, f->minute, c); return 0;
    case 's': put_num(out, f->second, c); return 0;
    case 'S': {
        char digits[10];
        snprintf(digits, sizeof digits, "%03d000000", f->millis);
        buf_append(out, digits, (size_t)(c > 9 ? 9 : c));
        return 0;
    }
    case 'G': buf_puts(out, f->year > 0 ? "AD" : "BC"); return 0;
    case 'z':
    case 'V':
    case 'v': buf_puts(out, f->abbr); return 0;
    case 'Z':
        if (c == 4) {
            buf_puts(out, "GMT");
            if (f->offset)
                put_offset(out, f->offset, true, false, false);
        } else
            put_offset(out, f->offset, c == 5, false, c == 5);
        return 0;
    case 'X':
    case 'x': put_offset(out, f->offset, c >= 3, c == 1, e->letter == 'X'); return 0;
    default: snprintf(why, wn, "Unknown pattern letter: %c", e->letter); return -1;
    }
}

int timefmt_format(const char *pat, size_t plen, int64_t utc_ms, const tz_zone *z, buf *out,
                   char *why, size_t wn)
{
    fields f = {0};
    f.offset = timefmt_offset_at(z, utc_ms, f.abbr);
    int64_t local = utc_ms + (int64_t)f.offset * 1000;
    int64_t days = timefmt_floor_div(local, MS_PER_DAY);
    int64_t ms = local - days * MS_PER_DAY;
    timefmt_civil_from_days(days, &f.year, &f.month, &f.day);
    f.doy = (int)(days - timefmt_days_from_civil(f.year, 1, 1)) + 1;
    f.dow = (int)(((days % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
    f.hour = (int)(ms / 3600000), f.minute = (int)(ms / 60000 % 60), f.second = (int)(ms / 1000 % 60);
    f.millis = (int)(ms % 1000);
    size_t i = 0;
    pat_elem e;
    int bad = 0;
    while (pat_next(pat, plen, &i, &e, &bad)) {
        if (!e.letter)
            lit_text(&e, out);
        else if (format_letter(&e, &f, out, why, wn))
            return -1;
    }
    if (bad) {
        snprintf(why, wn, "Pattern ends with an incomplete string literal: %.*s", (int)plen, pat);
        return -1;
    }
    return 0;
}

/* ---- parsing -------------------------------------------------------------- */

typedef struct parse_state {
    const char *s;
    size_t n, at;
} parse_state;

static bool is_numeric_letter(char c) { return c && strchr("yuMLdDHhKkmsS", c); }

/* Reads a number of exactly `width` digits, or 1..max when width is 0. */
static int read_num(parse_state *ps, int width, int max, int64_t *v)
{
    size_t start = ps->at;
    bool neg = false;
    if (!width && ps->at < ps->n && ps->s[ps->at] == '-' && max > 4)
        neg = true, ps->at++;
    int64_t x = 0;
    int k = 0;
    while (ps->at < ps->n && isdigit((unsigned char)ps->s[ps->at]) && (width ? k < width : k < max))
        x = x * 10 + (ps->s[ps->at++] - '0'), k++;
    if (k == 0 || (width && k != width)) {
        ps->at = start;
        return -1;
    }
    *v = neg ? -x : x;
    return 0;
}

/* Matches one of n names case-insensitively (longest first); returns its
 * index or -1. */
static int read_name(parse_state *ps, const char *const *names, int n)
{
    int best = -1;
    size_t best_len = 0;
    for (int i = 0; i < n; i++) {
        size_t l = strlen(names[i]);
        if (l > best_len && ps->at + l <= ps->n && !strncasecmp(ps->s + ps->at, names[i], l))
            best = i, best_len = l;
    }
    ps->at += best_len;
    return best;
}

static int read_offset(parse_state *ps, int32_t *off)
{
    if (ps->at < ps->n && ps->s[ps->at] == 'Z') {
        ps->at++;
        *off = 0;
        return 0;
    }
    size_t j = ps->at + 1;
    while (j < ps->n && (isdigit((unsigned char)ps->s[j]) || ps->s[j] == ':') && j - ps->at < 6)
        j++;
    if (parse_offset(ps->s + ps->at, j - ps->at, off))
        return -1;
    ps->at = j;
    return 0;
}

/* Abbreviations as java.time reads them with 'z': the region whose short
 * name it is, so "PST" on a summer date is that region's daylight time
 * (java.time resolves the region, then the offset from the date). */
static const struct {
    const char *name, *region;
} zone_abbrs[] = {
    {"UTC", "UTC"},                  {"GMT", "UTC"},                  {"UT", "UTC"},
    {"Z", "UTC"},                    {"PST", "America/Los_Angeles"},  {"PDT", "America/Los_Angeles"},
    {"MST", "America/Denver"},       {"MDT", "America/Denver"},       {"CST", "America/Chicago"},
    {"CDT", "America/Chicago"},      {"EST", "America/New_York"},     {"EDT", "America/New_York"},
    {"AKST", "America/Anchorage"},   {"AKDT", "America/Anchorage"},   {"HST", "Pacific/Honolulu"},
    {"WET", "Europe/Lisbon"},        {"WEST", "Europe/Lisbon"},       {"BST", "Europe/London"},
    {"CET", "Europe/Paris"},         {"CEST", "Europe/Paris"},        {"EET", "Europe/Athens"},
    {"EEST", "Europe/Athens"},       {"MSK", "Europe/Moscow"},        {"IST", "Asia/Kolkata"},
    {"JST", "Asia/Tokyo"},           {"KST", "Asia/Seoul"},           {"AEST", "Australia/Sydney"},
    {"AEDT", "Australia/Sydney"},
};

static int read_zone(parse_state *ps, tz_zone *zone)
{
    size_t j = ps->at;
    while (j < ps->n && (isalnum((unsigned char)ps->s[j]) || strchr("_/+-:", ps->s[j])))
        j++;
    const char *t = ps->s + ps->at;
    size_t len = j - ps->at;
    for (size_t k = 0; k < sizeof zone_abbrs / sizeof *zone_abbrs; k++)
        if (strlen(zone_abbrs[k].name) == len && !strncmp(zone_abbrs[k].name, t, len)) {
            if (timefmt_zone(zone_abbrs[k].region, strlen(zone_abbrs[k].region), zone))
                return -1;
            ps->at = j;
            return 0;
        }
    if (timefmt_zone(t, len, zone))
        return -1;
    ps->at = j;
    return 0;
}

typedef struct parsed {
    int64_t year, month, day, doy, hour, minute, second, millis;
    int ampm; /* -1 none, 0 AM, 1 PM */
    bool h12, has_zone;
    tz_zone zone;
} parsed;

static int parse_letter(const pat_elem *e, const pat_elem *next, parse_state *ps, parsed *r)
{
    int c = e->count;
    /* adjacent numeric fields (yyyyMMdd) take exactly their width */
    bool adjacent = next && next->letter && is_numeric_letter(next->letter);
    int width = adjacent ? c : 0;
    if (c == 2 && (e->letter == 'y' || e->letter == 'u'))
        width = 2;
    switch (e->letter) {
    case 'y':
    case 'u':
        if (read_num(ps, width, 10, &r->year))
            return -1;
        if (c == 2)
            r->year += 2000;
        return 0;
    case 'M':
    case 'L':
        if (c >= 3) {
            int m = read_name(ps, c == 3 ? month_short : month_long, 12);
            if (m < 0 && c == 4)
                m = read_name(ps, month_short, 12);
            if (m < 0)
                return -1;
            r->month = m + 1;
            return 0;
        }
        return read_num(ps, width, 2, &r->month);
    case 'd': return read_num(ps, width, 2, &r->day);
    case 'D': return read_num(ps, width, 3, &r->doy);
    case 'E': return read_name(ps, day_long, 7) < 0 && read_name(ps, day_short, 7) < 0 ? -1 : 0;
    case 'a': {
        static const char *const ap[] = {"AM", "PM"};
        return (r->ampm = read_name(ps, ap, 2)) < 0 ? -1 : 0;
    }
    case 'H':
    case 'k': return read_num(ps, width, 2, &r->hour);
    case 'h':
    case 'K': r->h12 = true; return read_num(ps, width, 2, &r->hour);
    case 'm': return read_num(ps, width, 2, &r->minute);
    case 's': return read_num(ps, width, 2, &r->second);
    case 'S': {
        int64_t v;
        size_t start = ps->at;
        if (read_num(ps, adjacent ? c : 0, 9, &v))
            return -1;
        for (size_t digits = ps->at - start; digits < 3; digits++)
            v *= 10;
        for (size_t digits = ps->at - start; digits > 3; digits--)
            v /= 10;
        r->millis = v;
        return 0;
    }
    case 'G': {
        static const char *const era[] = {"AD", "BC"};
        return read_name(ps, era, 2) < 0 ? -1 : 0;
    }
    case 'z':
    case 'V':
    case 'v': r->has_zone = true; return read_zone(ps, &r->zone);
    case 'Z':
    case 'X':
    case 'x':
        r->has_zone = true;
        r->zone.file = NULL;
        if (e->letter == 'Z' && c == 4 && ps->at + 3 <= ps->n && !strncmp(ps->s + ps->at, "GMT", 3)) {
            ps->at += 3;
            if (ps->at == ps->n || (ps->s[ps->at] != '+' && ps->s[ps->at] != '-')) {
                r->zone.fixed = 0;
                return 0;
            }
        }
        return read_offset(ps, &r->zone.fixed);
    default: return -2;
    }
}

static int parse_match_lit(const pat_elem *e, parse_state *ps)
{
    buf t = BUF_INIT;
    lit_text(e, &t);
    int rc = ps->at + t.len <= ps->n && !memcmp(ps->s + ps->at, t.data, t.len) ? 0 : -1;
    if (!rc)
        ps->at += t.len;
    buf_free(&t);
    return rc;
}

static int resolve_parsed(parsed *r, const tz_zone *z, int64_t *utc_ms)
{
    if (r->h12) {
        if (r->hour < 0 || r->hour > 12)
            return -1;
        r->hour %= 12;
        if (r->ampm == 1)
            r->hour += 12;
    } else if (r->ampm == 1 && r->hour < 12)
        r->hour += 12;
    if (r->month < 1 || r->month > 12 || r->hour > 23 || r->minute > 59 || r->second > 59)
        return -1;
    int64_t days;
    if (r->doy) {
        if (r->doy < 1 || r->doy > (is_leap(r->year) ? 366 : 365))
            return -1;
        days = timefmt_days_from_civil(r->year, 1, 1) + r->doy - 1;
    } else {
        if (r->day < 1 || r->day > month_days(r->year, (int)r->month))
            return -1;
        days = timefmt_days_from_civil(r->year, (int)r->month, (int)r->day);
    }
    int64_t local = days * MS_PER_DAY + r->hour * 3600000 + r->minute * 60000 + r->second * 1000 + r->millis;
    const tz_zone *use = r->has_zone ? &r->zone : z;
    *utc_ms = local - (int64_t)timefmt_offset_local(use, local) * 1000;
    return 0;
}

int timefmt_parse(const char *pat, size_t plen, const char *text, size_t tlen, const tz_zone *z,
                  bool allow_trailing, int64_t *utc_ms, char *why, size_t wn)
{
    parsed r = {.year = 1970, .month = 1, .day = 1, .ampm = -1};
    parse_state ps = {text, tlen, 0};
    size_t i = 0;
    int bad = 0;
    pat_elem e, next;
    bool have = pat_next(pat, plen, &i, &e, &bad);
    while (have) {
        size_t j = i;
        bool have_next = pat_next(pat, plen, &j, &next, &bad);
        int rc = e.letter ? parse_letter(&e, have_next ? &next : NULL, &ps, &r) : parse_match_lit(&e, &ps);
        if (rc == -2) {
            snprintf(why, wn, "Unknown pattern letter: %c", e.letter);
            return -1;
        }
        if (rc) {
            snprintf(why, wn, "Text '%.*s' could not be parsed at index %zu", (int)(tlen > 80 ? 80 : tlen), text,
                     ps.at);
            return -1;
        }
        e = next;
        have = have_next;
        i = j;
    }
    if (bad) {
        snprintf(why, wn, "Pattern ends with an incomplete string literal: %.*s", (int)plen, pat);
        return -1;
    }
    if (ps.at < tlen && !allow_trailing) {
        snprintf(why, wn, "Text '%.*s' could not be parsed, unparsed text found at index %zu",
                 (int)(tlen > 80 ? 80 : tlen), text, ps.at);
        return -1;
    }
    if (resolve_parsed(&r, z, utc_ms)) {
        snprintf(why, wn, "Text '%.*s' could not be parsed: a field is out of range", (int)(tlen > 80 ? 80 : tlen),
                 text);
        return -1;
    }
    return 0;
}

/* ---- ISO text ------------------------------------------------------------- */

void timefmt_date_text(int64_t days, buf *out)
{
    int64_t y;
    int m, d;
    timefmt_civil_from_days(days, &y, &m, &d);
    if (y > 9999)
        buf_putc(out, '+');
    put_num(out, y, 4);
    buf_printf(out, "-%02d-%02d", m, d);
}

void timefmt_time_text(int64_t ms, buf *out)
{
    ms = ((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
    buf_printf(out, "%02d:%02d:%02d", (int)(ms / 3600000), (int)(ms / 60000 % 60), (int)(ms / 1000 % 60));
    int frac = (int)(ms % 1000);
    if (frac) {
        char d[4];
        snprintf(d, sizeof d, "%03d", frac);
        int n = 3;
        while (n > 1 && d[n - 1] == '0')
            n--;
        buf_putc(out, '.');
        buf_append(out, d, (size_t)n);
    }
}

void timefmt_timestamp_text(int64_t ms, buf *out)
{
    int64_t days = timefmt_floor_div(ms, MS_PER_DAY);
    int64_t rem = ms - days * MS_PER_DAY;
    timefmt_date_text(days, out);
    buf_printf(out, "T%02d:%02d:%02d.%03d", (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
               (int)(rem % 1000));
}

int timefmt_date_from_text(const char *s, size_t n, int64_t *days)
{
    static const char pat[] = "yyyy-MM-dd";
    tz_zone utc = {0};
    int64_t ms;
    char why[128];
    if (timefmt_parse(pat, sizeof pat - 1, s, n, &utc, false, &ms, why, sizeof why))
        return -1;
    *days = timefmt_floor_div(ms, MS_PER_DAY);
    return 0;
}

int timefmt_time_from_text(const char *s, size_t n, int64_t *ms)
{
    static const char *const pats[] = {"HH:mm:ss.SSS", "HH:mm:ss", "HH:mm"};
    tz_zone utc = {0};
    char why[128];
    for (int i = 0; i < 3; i++)
        if (!timefmt_parse(pats[i], strlen(pats[i]), s, n, &utc, false, ms, why, sizeof why))
            return 0;
    return -1;
}

int timefmt_timestamp_from_text(const char *s, size_t n, int64_t *ms)
{
    static const char *const pats[] = {"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyy-MM-dd'T'HH:mm:ssXXX",
                                       "yyyy-MM-dd'T'HH:mmXXX",       "yyyy-MM-dd'T'HH:mm:ss.SSS",
                                       "yyyy-MM-dd'T'HH:mm:ss",       "yyyy-MM-dd'T'HH:mm",
                                       "yyyy-MM-dd'T'HH",             "yyyy-MM-dd"};
    tz_zone utc = {0};
    char why[128];
    for (size_t i = 0; i < sizeof pats / sizeof *pats; i++)
        if (!timefmt_parse(pats[i], strlen(pats[i]), s, n, &utc, false, ms, why, sizeof why))
            return 0;
    return -1;
}
