/* test_func_time.c — date and time functions (FORMAT_*, PARSE_*, unit arithmetic, zones) as a user sees them: a SELECT item
 * over one record of stream S, shown as the shell shows values.
 * Expectations follow ksqlDB's documentation and its examples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "engine/analyze.h"
#include "engine/catalog.h"
#include "engine/plan.h"
#include "parser/parse.h"

#include "eval_harness.h"

static void test_temporal_values_show_as_ksqldb_text(void **s)
{
    assert_string_equal(eval("CAST(TS AS STRING)"), "2020-05-11T21:58:33.000");
    assert_string_equal(eval("CAST(DT AS STRING)"), "2020-05-11");
    assert_string_equal(eval("CAST(TM AS STRING)"), "22:58:33");
    assert_string_equal(eval("TS"), "2020-05-11T21:58:33.000");
}

static void test_format_timestamp_in_utc_and_in_a_zone(void **s)
{
    assert_string_equal(eval("FORMAT_TIMESTAMP(TS, 'yyyy-MM-dd HH:mm:ss.SSS')"), "2020-05-11 21:58:33.000");
    assert_string_equal(eval("FORMAT_TIMESTAMP(TS, 'yyyy-MM-dd HH:mm:ss zzz', 'America/Los_Angeles')"),
                        "2020-05-11 14:58:33 PDT");
    assert_string_equal(eval("TIMESTAMPTOSTRING(1589234313000, 'yyyy-MM-dd''T''HH:mm:ssXXX', '+02:00')"),
                        "2020-05-11T23:58:33+02:00");
    assert_string_equal(eval("TIMESTAMPTOSTRING(1589234313000, 'yyyy-MM-dd', 'Mars/Olympus')"), "null");
}

static void test_format_date_and_time_patterns(void **s)
{
    assert_string_equal(eval("FORMAT_DATE(DT, 'dd-MMM-yyyy')"), "11-May-2020");
    assert_string_equal(eval("FORMAT_DATE(DT, 'EEEE, MMMM d')"), "Monday, May 11");
    assert_string_equal(eval("DATETOSTRING(-1, 'dd-MM-yyyy''Sophia''')"), "31-12-1969Sophia");
    assert_string_equal(eval("FORMAT_TIME(TM, 'hh:mm a')"), "10:58 PM");
}

static void test_parse_dates_times_and_timestamps(void **s)
{
    assert_string_equal(eval("PARSE_DATE('2020-05-11', 'yyyy-MM-dd')"), "2020-05-11");
    assert_string_equal(eval("UNIX_DATE(PARSE_DATE('01-JAN-2022', 'dd-MMM-yyyy'))"), "18993");
    assert_string_equal(eval("STRINGTODATE('2018-05-11Lit', 'yyyy-MM-dd''Lit''')"), "17662");
    assert_string_equal(eval("PARSE_TIME('10:11:12', 'HH:mm:ss')"), "10:11:12");
    assert_string_equal(eval("STRINGTOTIMESTAMP('2019-02-26 21:30:00', 'yyyy-MM-dd HH:mm:ss')"), "1551216600000");
    assert_string_equal(eval("STRINGTOTIMESTAMP('2019-02-26 22:30:00', 'yyyy-MM-dd HH:mm:ss', '+01:00')"),
                        "1551216600000");
}

static void test_parse_reads_zone_abbreviations_as_their_region(void **s)
{
    /* PST on a summer date is Los Angeles' daylight time, as in java.time */
    assert_string_equal(eval("UNIX_TIMESTAMP(PARSE_TIMESTAMP('2018-05-11T21:58:33 PST', "
                             "'yyyy-MM-dd''T''HH:mm:ss zzz'))"),
                        "1526101113000");
}

static void test_text_that_does_not_match_gives_null(void **s)
{
    assert_string_equal(eval("PARSE_DATE('foo', 'yyyy-MM-dd')"), "null");
    assert_string_equal(eval("STRINGTODATE('2020-05-11 extra', 'yyyy-MM-dd')"), "null");
    assert_string_equal(eval("FORMAT_DATE(DT, 'yyyy-qq')"), "null");
}

static void test_convert_tz_and_conversions(void **s)
{
    assert_string_equal(eval("UNIX_TIMESTAMP(CONVERT_TZ(FROM_UNIXTIME(100), '+0200', '+0500'))"), "10800100");
    assert_string_equal(eval("FROM_DAYS(-10)"), "1969-12-22");
    assert_string_equal(eval("UNIX_DATE(DT)"), "18393");
    assert_string_equal(eval("UNIX_DATE() > 18393"), "true");
}

static void test_unit_arithmetic(void **s)
{
    assert_string_equal(eval("DATEADD(DAYS, 10, DT)"), "2020-05-21");
    assert_string_equal(eval("DATESUB(DAYS, 11, DT)"), "2020-04-30");
    assert_string_equal(eval("TIMEADD(HOURS, 2, TM)"), "00:58:33");
    assert_string_equal(eval("TIMESUB(MINUTES, 59, TM)"), "21:59:33");
    assert_string_equal(eval("TIMESTAMPADD(MILLISECONDS, 5, TS)"), "2020-05-11T21:58:33.005");
    assert_string_equal(eval("TIMESTAMPSUB(DAYS, 1, TS)"), "2020-05-10T21:58:33.000");
}

static void test_null_arguments_give_null(void **s)
{
    assert_string_equal(eval("FORMAT_DATE(CAST(NULL AS DATE), 'yyyy')"), "null");
    assert_string_equal(eval("DATEADD(DAYS, N, DT)"), "null");
    assert_string_equal(eval("PARSE_DATE(NULL, 'yyyy')"), "null");
}

static void test_wrong_argument_types_are_compile_errors(void **s)
{
    assert_non_null(strstr(eval("DATEADD(DT, 5, DT)"), "does not accept parameters (DATE, INTEGER, DATE)"));
    assert_non_null(strstr(eval("FORMAT_DATE(TS, 'yyyy')"), "does not accept parameters"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_temporal_values_show_as_ksqldb_text),
        cmocka_unit_test(test_format_timestamp_in_utc_and_in_a_zone),
        cmocka_unit_test(test_format_date_and_time_patterns),
        cmocka_unit_test(test_parse_dates_times_and_timestamps),
        cmocka_unit_test(test_parse_reads_zone_abbreviations_as_their_region),
        cmocka_unit_test(test_text_that_does_not_match_gives_null),
        cmocka_unit_test(test_convert_tz_and_conversions),
        cmocka_unit_test(test_unit_arithmetic),
        cmocka_unit_test(test_null_arguments_give_null),
        cmocka_unit_test(test_wrong_argument_types_are_compile_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
