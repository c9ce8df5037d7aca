/* timefmt — calendar arithmetic, time zones and Java date-time patterns
 * for the temporal functions (func_time.c) and temporal casts.
 *
 * Instants are milliseconds since 1970-01-01T00:00:00Z; DATE values are
 * days since the epoch, TIME values milliseconds of the day.
 *
 * Patterns follow java.time's DateTimeFormatter letters as ksqlDB uses
 * them: y u (year), M L (month: M, MM, MMM "Jan", MMMM "January"), d, D
 * (day of year), E (Mon / Monday), a (AM/PM), H, h, k, K, m, s, S (fraction
 * of a second, one digit per letter), z (abbreviation: PDT), Z (+0200), X
 * and x (Z / +02 / +0200 / +02:00), VV (zone id), 'quoted text' and ''
 * for a quote.  Other letters are an error.
 *
 * Zones: "UTC", "GMT", "Z", fixed offsets ("+0200", "+02:00", "-05",
 * "UTC+2", "GMT-03:30") are computed here; region names
 * ("America/Los_Angeles") are read from the TZif files in
 * /usr/share/zoneinfo (never through TZ/setenv, which is process-wide).
 * Loaded files are kept in a small process-wide cache guarded by a mutex;
 * a cached zone is immutable once published, so callers on any thread may
 * use it without locking.
 */
#ifndef EDDY_TIMEFMT_H
#define EDDY_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/buf.h"

typedef struct tz_file tz_file;

typedef struct tz_zone {
    int32_t fixed;        /* offset in seconds when file is NULL */
    const tz_file *file;  /* a region's rules, or NULL */
} tz_zone;

/* Days since the epoch of a proleptic Gregorian date, and back. */
int64_t timefmt_days_from_civil(int64_t y, int m, int d);
void timefmt_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* Floor division, for turning milliseconds into days. */
int64_t timefmt_floor_div(int64_t a, int64_t b);

/* Resolves a zone name; -1 when it is not a zone. */
int timefmt_zone(const char *name, size_t len, tz_zone *out);
/* The zone's UTC offset (seconds) at instant utc_ms; *abbr (may be NULL)
 * gets its abbreviation ("PDT", or "+02:00" for a fixed offset: buffer of
 * 16 bytes). */
int32_t timefmt_offset_at(const tz_zone *z, int64_t utc_ms, char *abbr);
/* The offset (seconds) that applies to local wall time local_ms. */
int32_t timefmt_offset_local(const tz_zone *z, int64_t local_ms);

/* Appends utc_ms formatted with the pattern in zone z; -1 with `why`
 * filled for a bad pattern. */
int timefmt_format(const char *pat, size_t plen, int64_t utc_ms, const tz_zone *z, buf *out,
                   char *why, size_t wn);
/* Parses text with the pattern into an instant; fields the pattern lacks
 * default to 1970-01-01 00:00:00.000, and text without a zone is read in
 * zone z.  Text left over after the pattern is an error unless
 * allow_trailing (SimpleDateFormat's parse ignores it).  -1 with `why`
 * filled when the text does not match. */
int timefmt_parse(const char *pat, size_t plen, const char *text, size_t tlen, const tz_zone *z,
                  bool allow_trailing, int64_t *utc_ms, char *why, size_t wn);

/* ksqlDB's text of temporal values: 2020-05-11T22:58:33.000 (UTC),
 * 2020-05-11, 22:58:33 (with .SSS trimmed of trailing zeros when the
 * milliseconds are not zero). */
void timefmt_timestamp_text(int64_t ms, buf *out);
void timefmt_date_text(int64_t days, buf *out);
void timefmt_time_text(int64_t ms, buf *out);
/* Reads the ISO forms back (CAST from STRING): a timestamp may omit the
 * seconds or fraction, or carry a zone offset; -1 when malformed. */
int timefmt_timestamp_from_text(const char *s, size_t n, int64_t *ms);
int timefmt_date_from_text(const char *s, size_t n, int64_t *days);
int timefmt_time_from_text(const char *s, size_t n, int64_t *ms);

#endif
