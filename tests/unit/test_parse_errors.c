/* test_parse_errors — what a user sees for wrong SQL, exactly.
 *
 * One row per mistake: the input and the full text err_render gives for
 * its first error (`line L:C: message`, the source line, the caret line
 * and the hint), as the shell and `eddy check` print it.  Each expected
 * text says where the mistake is, what was expected and, where it helps,
 * how to fix it.  Change a message here first, then in the parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "parser/parse.h"

typedef struct error_case {
    const char *name;
    const char *sql;
    const char *expected; /* err_render of the first error */
} error_case;

static const error_case cases[] = {
    {"misspelt_select",
     "SELEC * FROM s;",
     "line 1:1: syntax error: expected a statement (SELECT, CREATE, INSERT, SHOW, ...) but found 'SELEC'\n"
     "  SELEC * FROM s;\n"
     "  ^^^^^\n"
     "hint: did you mean SELECT?"},
    {"misspelt_create",
     "CRATE STREAM s (id INT) WITH (kafka_topic='t');",
     "line 1:1: syntax error: expected a statement (SELECT, CREATE, INSERT, SHOW, ...) but found 'CRATE'\n"
     "  CRATE STREAM s (id INT) WITH (kafka_topic='t');\n"
     "  ^^^^^\n"
     "hint: did you mean CREATE?"},
    {"not_a_statement",
     "FROM s SELECT *;",
     "line 1:1: syntax error: expected a statement (SELECT, CREATE, INSERT, SHOW, ...) but found 'FROM'\n"
     "  FROM s SELECT *;\n"
     "  ^^^^"},
    {"misspelt_select_after_as",
     "CREATE TABLE t AS SELEC * FROM s;",
     "line 1:19: syntax error: expected SELECT but found 'SELEC'\n"
     "  CREATE TABLE t AS SELEC * FROM s;\n"
     "                    ^^^^^\n"
     "hint: did you mean SELECT?"},
    {"misspelt_from",
     "SELECT * FORM s;",
     "line 1:10: syntax error: expected FROM but found 'FORM'\n"
     "  SELECT * FORM s;\n"
     "           ^^^^\n"
     "hint: did you mean FROM?"},
    {"misspelt_from_read_as_alias",
     "SELECT a FORM s;",
     "line 1:15: syntax error: expected FROM but found 's'\n"
     "  SELECT a FORM s;\n"
     "                ^\n"
     "hint: did you mean FROM? 'FORM' was read as an alias"},
    {"misspelt_where_read_as_alias",
     "SELECT * FROM s WHER a = 1;",
     "line 1:22: syntax error: expected ';' at the end of the statement but found 'a'\n"
     "  SELECT * FROM s WHER a = 1;\n"
     "                       ^\n"
     "hint: did you mean WHERE? 'WHER' was read as a name"},
    {"misspelt_limit",
     "SELECT * FROM s EMIT CHANGES LIMT 3;",
     "line 1:30: syntax error: expected ';' at the end of the statement but found 'LIMT'\n"
     "  SELECT * FROM s EMIT CHANGES LIMT 3;\n"
     "                               ^^^^\n"
     "hint: did you mean LIMIT?"},
    {"group_without_by",
     "SELECT a, COUNT(*) FROM s GROUP a;",
     "line 1:33: syntax error: expected BY but found 'a'\n"
     "  SELECT a, COUNT(*) FROM s GROUP a;\n"
     "                                  ^"},
    {"misspelt_show_what",
     "SHOW STREAM;",
     "line 1:6: syntax error: expected STREAMS, TABLES, QUERIES, TOPICS, FUNCTIONS, PROPERTIES, VARIABLES or TYPES but found 'STREAM'\n"
     "  SHOW STREAM;\n"
     "       ^^^^^^\n"
     "hint: did you mean STREAMS?"},
    {"misspelt_if_exists",
     "DROP STREAM IF EXIST s;",
     "line 1:16: syntax error: expected EXISTS but found 'EXIST'\n"
     "  DROP STREAM IF EXIST s;\n"
     "                 ^^^^^\n"
     "hint: did you mean EXISTS?"},
    {"drop_without_kind",
     "DROP s;",
     "line 1:6: syntax error: expected STREAM, TABLE or TYPE but found 's'\n"
     "  DROP s;\n"
     "       ^"},
    {"insert_without_into",
     "INSERT s VALUES (1);",
     "line 1:8: syntax error: expected INTO but found 's'\n"
     "  INSERT s VALUES (1);\n"
     "         ^"},
    {"missing_select_item",
     "SELECT a, FROM s;",
     "line 1:11: syntax error: expected an expression but found 'FROM'\n"
     "  SELECT a, FROM s;\n"
     "            ^^^^"},
    {"select_items_without_comma",
     "SELECT a b c FROM s;",
     "line 1:12: syntax error: expected FROM but found 'c'\n"
     "  SELECT a b c FROM s;\n"
     "             ^\n"
     "hint: separate select items with ','; 'b' was read as an alias of the item before it"},
    {"missing_close_paren",
     "SELECT (a + 1 FROM s;",
     "line 1:15: syntax error: expected ')' but found 'FROM'\n"
     "  SELECT (a + 1 FROM s;\n"
     "                ^^^^"},
    {"extra_close_paren",
     "SELECT a + 1) FROM s;",
     "line 1:13: syntax error: ')' without a matching '('\n"
     "  SELECT a + 1) FROM s;\n"
     "              ^"},
    {"trailing_comma_in_call",
     "SELECT f(a,) FROM s;",
     "line 1:12: syntax error: expected an expression but found ')'\n"
     "  SELECT f(a,) FROM s;\n"
     "             ^"},
    {"missing_close_bracket",
     "SELECT a[1 FROM s;",
     "line 1:12: syntax error: expected ']' but found 'FROM'\n"
     "  SELECT a[1 FROM s;\n"
     "             ^^^^"},
    {"case_without_end",
     "SELECT CASE WHEN a > 0 THEN 1 FROM s;",
     "line 1:31: syntax error: expected END but found 'FROM'\n"
     "  SELECT CASE WHEN a > 0 THEN 1 FROM s;\n"
     "                                ^^^^\n"
     "hint: close a CASE with END: CASE WHEN a > 0 THEN 'yes' ELSE 'no' END"},
    {"cast_without_as",
     "SELECT CAST(a STRING) FROM s;",
     "line 1:15: syntax error: expected AS but found 'STRING'\n"
     "  SELECT CAST(a STRING) FROM s;\n"
     "                ^^^^^^\n"
     "hint: write CAST(value AS type), as in CAST(price AS DOUBLE)"},
    {"between_without_and",
     "SELECT * FROM s WHERE a BETWEEN 1 OR 2;",
     "line 1:35: syntax error: expected AND but found 'OR'\n"
     "  SELECT * FROM s WHERE a BETWEEN 1 OR 2;\n"
     "                                    ^^"},
    {"is_without_null",
     "SELECT * FROM s WHERE a IS 5;",
     "line 1:28: syntax error: expected NULL or DISTINCT FROM but found '5'\n"
     "  SELECT * FROM s WHERE a IS 5;\n"
     "                             ^"},
    {"in_without_parens",
     "SELECT * FROM s WHERE a IN 1, 2;",
     "line 1:28: syntax error: expected '(' but found '1'\n"
     "  SELECT * FROM s WHERE a IN 1, 2;\n"
     "                             ^\n"
     "hint: IN takes a list in parentheses: a IN (1, 2)"},
    {"not_after_a_value",
     "SELECT * FROM s WHERE a NOT 1;",
     "line 1:25: syntax error: expected ';' at the end of the statement but found 'NOT'\n"
     "  SELECT * FROM s WHERE a NOT 1;\n"
     "                          ^^^\n"
     "hint: NOT after a value goes with BETWEEN, IN or LIKE (a NOT IN (1, 2)); to negate a condition write NOT before it (NOT a = 1)"},
    {"double_equals",
     "SELECT * FROM s WHERE a == 1;",
     "line 1:25: syntax error: '==' is not an operator\n"
     "  SELECT * FROM s WHERE a == 1;\n"
     "                          ^^\n"
     "hint: SQL compares with a single '=': a = 1"},
    {"values_without_parens",
     "INSERT INTO s VALUES 1, 2;",
     "line 1:22: syntax error: expected '(' but found '1'\n"
     "  INSERT INTO s VALUES 1, 2;\n"
     "                       ^\n"
     "hint: put the values in parentheses: VALUES (1, 'a')"},
    {"with_without_parens",
     "CREATE STREAM s (id INT KEY) WITH kafka_topic='t';",
     "line 1:35: syntax error: expected '(' but found 'kafka_topic'\n"
     "  CREATE STREAM s (id INT KEY) WITH kafka_topic='t';\n"
     "                                    ^^^^^^^^^^^\n"
     "hint: properties go in parentheses: WITH (kafka_topic='t', value_format='JSON')"},
    {"property_without_value",
     "CREATE STREAM s (id INT KEY) WITH (kafka_topic=);",
     "line 1:48: syntax error: expected a literal (a string, number, TRUE, FALSE or NULL) but found ')'\n"
     "  CREATE STREAM s (id INT KEY) WITH (kafka_topic=);\n"
     "                                                 ^"},
    {"column_without_type",
     "CREATE STREAM s (id, name STRING) WITH (kafka_topic='t');",
     "line 1:20: syntax error: expected a type but found ','\n"
     "  CREATE STREAM s (id, name STRING) WITH (kafka_topic='t');\n"
     "                     ^\n"
     "hint: every column needs a type: ID STRING"},
    {"reserved_word_as_name",
     "CREATE STREAM select (id INT) WITH (kafka_topic='t');",
     "line 1:15: syntax error: expected a stream or table name but found 'select'\n"
     "  CREATE STREAM select (id INT) WITH (kafka_topic='t');\n"
     "                ^^^^^^\n"
     "hint: SELECT is a reserved word; write `SELECT` to use it as a name"},
    {"set_unquoted_property",
     "SET auto.offset.reset = 'earliest';",
     "line 1:5: syntax error: expected a property name in quotes but found 'auto'\n"
     "  SET auto.offset.reset = 'earliest';\n"
     "      ^^^^\n"
     "hint: quote the name and the value: SET 'auto.offset.reset' = 'earliest';"},
    {"run_script_unquoted",
     "RUN SCRIPT queries.sql;",
     "line 1:12: syntax error: expected a file name in quotes but found 'queries'\n"
     "  RUN SCRIPT queries.sql;\n"
     "             ^^^^^^^\n"
     "hint: quote the file name: RUN SCRIPT 'queries.sql';"},
    {"terminate_without_id",
     "TERMINATE;",
     "line 1:10: syntax error: expected a query id or ALL but found ';'\n"
     "  TERMINATE;\n"
     "           ^"},
    {"limit_not_a_number",
     "SELECT * FROM s LIMIT 'ten';",
     "line 1:23: syntax error: expected a row limit (a whole number) but found the string 'ten'\n"
     "  SELECT * FROM s LIMIT 'ten';\n"
     "                        ^^^^^"},
    {"negative_limit",
     "SELECT * FROM s LIMIT -1;",
     "line 1:23: syntax error: expected a row limit (a whole number) but found '-'\n"
     "  SELECT * FROM s LIMIT -1;\n"
     "                        ^"},
    {"deref_needs_a_name",
     "SELECT x->1 FROM s;",
     "line 1:11: syntax error: expected a field name but found '1'\n"
     "  SELECT x->1 FROM s;\n"
     "            ^"},
    {"unterminated_string",
     "SELECT * FROM s WHERE a = 'abc;",
     "line 1:27: syntax error: unterminated string\n"
     "  SELECT * FROM s WHERE a = 'abc;\n"
     "                            ^\n"
     "hint: close the string with ' (write '' for a quote inside it)"},
    {"unterminated_quoted_identifier",
     "SELECT * FROM `my stream;",
     "line 1:15: syntax error: unterminated quoted identifier\n"
     "  SELECT * FROM `my stream;\n"
     "                ^\n"
     "hint: close the name with ` (write `` for a ` inside it)"},
    {"unterminated_double_quoted_identifier",
     "SELECT \"id FROM s;",
     "line 1:8: syntax error: unterminated quoted identifier\n"
     "  SELECT \"id FROM s;\n"
     "         ^\n"
     "hint: close the name with \" (write \"\" for a \" inside it)"},
    {"unterminated_comment",
     "SELECT * FROM s /* never closed",
     "line 1:17: syntax error: unterminated comment\n"
     "  SELECT * FROM s /* never closed\n"
     "                  ^\n"
     "hint: close the comment with */"},
    {"two_decimal_points",
     "SELECT 1.2.3 FROM s;",
     "line 1:8: syntax error: malformed number: a number has at most one '.'\n"
     "  SELECT 1.2.3 FROM s;\n"
     "         ^"},
    {"decimal_glued_to_letters",
     "SELECT 1.5x FROM s;",
     "line 1:8: syntax error: malformed number '1.5x'\n"
     "  SELECT 1.5x FROM s;\n"
     "         ^\n"
     "hint: a name cannot start with a number and a point; put a space between a number and a name"},
    {"integer_too_large",
     "SELECT 99999999999999999999 FROM s;",
     "line 1:8: syntax error: invalid numeric literal: 99999999999999999999 (a BIGINT holds -9223372036854775808 to 9223372036854775807)\n"
     "  SELECT 99999999999999999999 FROM s;\n"
     "         ^^^^^^^^^^^^^^^^^^^^"},
    {"double_too_large",
     "SELECT 1e999 FROM s;",
     "line 1:8: syntax error: number overflows DOUBLE: 1e999\n"
     "  SELECT 1e999 FROM s;\n"
     "         ^^^^^"},
    {"stray_character",
     "SELECT * FROM s WHERE a = 1 # 2;",
     "line 1:29: syntax error: unexpected character '#'\n"
     "  SELECT * FROM s WHERE a = 1 # 2;\n"
     "                              ^"},
    {"stray_byte",
     "SELECT a\001 FROM s;",
     "line 1:9: syntax error: unexpected byte 0x01\n"
     "  SELECT a\001 FROM s;\n"
     "          ^"},
    {"decimal_without_precision",
     "CREATE STREAM s (d DECIMAL) WITH (kafka_topic='t');",
     "line 1:27: syntax error: expected '(' but found ')'\n"
     "  CREATE STREAM s (d DECIMAL) WITH (kafka_topic='t');\n"
     "                            ^\n"
     "hint: DECIMAL takes a precision (digits in all) and a scale (digits after the point): DECIMAL(10, 2)"},
    {"decimal_with_one_number",
     "CREATE STREAM s (d DECIMAL(10)) WITH (kafka_topic='t');",
     "line 1:30: syntax error: expected ',' but found ')'\n"
     "  CREATE STREAM s (d DECIMAL(10)) WITH (kafka_topic='t');\n"
     "                               ^\n"
     "hint: DECIMAL takes a precision (digits in all) and a scale (digits after the point): DECIMAL(10, 2)"},
    {"decimal_scale_over_precision",
     "CREATE STREAM s (d DECIMAL(2, 5)) WITH (kafka_topic='t');",
     "line 1:31: syntax error: DECIMAL scale (5) must not exceed its precision (2)\n"
     "  CREATE STREAM s (d DECIMAL(2, 5)) WITH (kafka_topic='t');\n"
     "                                ^"},
    {"map_with_one_type",
     "CREATE STREAM s (m MAP<STRING>) WITH (kafka_topic='t');",
     "line 1:30: syntax error: expected ',' but found '>'\n"
     "  CREATE STREAM s (m MAP<STRING>) WITH (kafka_topic='t');\n"
     "                               ^\n"
     "hint: MAP takes a key type and a value type: MAP<STRING, INT>"},
    {"array_without_type",
     "CREATE STREAM s (a ARRAY<>) WITH (kafka_topic='t');",
     "line 1:25: syntax error: ARRAY needs a type between '<' and '>'\n"
     "  CREATE STREAM s (a ARRAY<>) WITH (kafka_topic='t');\n"
     "                          ^^\n"
     "hint: ARRAY takes the type of its elements: ARRAY<STRING>"},
    {"type_with_a_size",
     "CREATE STREAM s (id BIGINT(20) KEY, name VARCHAR(10)) WITH (kafka_topic='t');",
     "line 1:27: syntax error: BIGINT takes no size or precision\n"
     "  CREATE STREAM s (id BIGINT(20) KEY, name VARCHAR(10)) WITH (kafka_topic='t');\n"
     "                            ^\n"
     "hint: only DECIMAL has parameters, as in DECIMAL(10, 2); write just BIGINT"},
    {"number_as_type",
     "CREATE STREAM s (id 5) WITH (kafka_topic='t');",
     "line 1:21: syntax error: expected a type (BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL, STRING, BYTES, DATE, TIME, TIMESTAMP, ARRAY, MAP, STRUCT or a type made with CREATE TYPE) but found '5'\n"
     "  CREATE STREAM s (id 5) WITH (kafka_topic='t');\n"
     "                      ^"},
    {"reserved_word_as_type",
     "CREATE STREAM s (id SELECT) WITH (kafka_topic='t');",
     "line 1:21: syntax error: expected a type (BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL, STRING, BYTES, DATE, TIME, TIMESTAMP, ARRAY, MAP, STRUCT or a type made with CREATE TYPE) but found 'SELECT'\n"
     "  CREATE STREAM s (id SELECT) WITH (kafka_topic='t');\n"
     "                      ^^^^^^"},
    {"tumbling_without_size",
     "SELECT k, COUNT(*) FROM s WINDOW TUMBLING (1 HOUR) GROUP BY k EMIT CHANGES;",
     "line 1:44: syntax error: expected SIZE but found '1'\n"
     "  SELECT k, COUNT(*) FROM s WINDOW TUMBLING (1 HOUR) GROUP BY k EMIT CHANGES;\n"
     "                                             ^\n"
     "hint: write the window's size after SIZE: TUMBLING (SIZE 1 HOUR)"},
    {"hopping_without_advance",
     "SELECT k, COUNT(*) FROM s WINDOW HOPPING (SIZE 1 HOUR) GROUP BY k EMIT CHANGES;",
     "line 1:54: syntax error: expected ',' but found ')'\n"
     "  SELECT k, COUNT(*) FROM s WINDOW HOPPING (SIZE 1 HOUR) GROUP BY k EMIT CHANGES;\n"
     "                                                       ^\n"
     "hint: a HOPPING window needs ADVANCE BY after its size: HOPPING (SIZE 1 HOUR, ADVANCE BY 10 MINUTES)"},
    {"hopping_advance_without_by",
     "SELECT k, COUNT(*) FROM s WINDOW HOPPING (SIZE 1 HOUR, ADVANCE 5 MINUTES) GROUP BY k EMIT CHANGES;",
     "line 1:64: syntax error: expected BY but found '5'\n"
     "  SELECT k, COUNT(*) FROM s WINDOW HOPPING (SIZE 1 HOUR, ADVANCE 5 MINUTES) GROUP BY k EMIT CHANGES;\n"
     "                                                                 ^\n"
     "hint: a HOPPING window needs ADVANCE BY after its size: HOPPING (SIZE 1 HOUR, ADVANCE BY 10 MINUTES)"},
    {"session_with_size",
     "SELECT k, COUNT(*) FROM s WINDOW SESSION (SIZE 1 HOUR) GROUP BY k EMIT CHANGES;",
     "line 1:43: syntax error: a SESSION window has no SIZE; it takes the gap that closes a session: SESSION (30 MINUTES)\n"
     "  SELECT k, COUNT(*) FROM s WINDOW SESSION (SIZE 1 HOUR) GROUP BY k EMIT CHANGES;\n"
     "                                            ^^^^"},
    {"misspelt_window_kind",
     "SELECT k, COUNT(*) FROM s WINDOW TUMBLNG (SIZE 1 HOUR) GROUP BY k EMIT CHANGES;",
     "line 1:34: syntax error: expected TUMBLING, HOPPING or SESSION but found 'TUMBLNG'\n"
     "  SELECT k, COUNT(*) FROM s WINDOW TUMBLNG (SIZE 1 HOUR) GROUP BY k EMIT CHANGES;\n"
     "                                   ^^^^^^^\n"
     "hint: did you mean TUMBLING?"},
    {"window_unit_weeks",
     "SELECT k, COUNT(*) FROM s WINDOW TUMBLING (SIZE 1 WEEK) GROUP BY k EMIT CHANGES;",
     "line 1:51: syntax error: expected a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS or DAYS) but found 'WEEK'\n"
     "  SELECT k, COUNT(*) FROM s WINDOW TUMBLING (SIZE 1 WEEK) GROUP BY k EMIT CHANGES;\n"
     "                                                    ^^^^\n"
     "hint: write weeks as days: 1 WEEK is 7 DAYS"},
    {"misspelt_window_unit",
     "SELECT k, COUNT(*) FROM s WINDOW TUMBLING (SIZE 1 HOURZ) GROUP BY k EMIT CHANGES;",
     "line 1:51: syntax error: expected a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS or DAYS) but found 'HOURZ'\n"
     "  SELECT k, COUNT(*) FROM s WINDOW TUMBLING (SIZE 1 HOURZ) GROUP BY k EMIT CHANGES;\n"
     "                                                    ^^^^^\n"
     "hint: did you mean HOURS?"},
    {"window_size_without_unit",
     "SELECT k, COUNT(*) FROM s WINDOW TUMBLING (SIZE 10) GROUP BY k EMIT CHANGES;",
     "line 1:51: syntax error: expected a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS or DAYS) but found ')'\n"
     "  SELECT k, COUNT(*) FROM s WINDOW TUMBLING (SIZE 10) GROUP BY k EMIT CHANGES;\n"
     "                                                    ^"},
    {"grace_without_period",
     "SELECT k, COUNT(*) FROM s WINDOW TUMBLING (SIZE 1 HOUR, GRACE 5 MINUTES) GROUP BY k EMIT CHANGES;",
     "line 1:63: syntax error: expected PERIOD but found '5'\n"
     "  SELECT k, COUNT(*) FROM s WINDOW TUMBLING (SIZE 1 HOUR, GRACE 5 MINUTES) GROUP BY k EMIT CHANGES;\n"
     "                                                                ^\n"
     "hint: write GRACE PERIOD 10 MINUTES"},
    {"join_without_on",
     "SELECT * FROM a JOIN b EMIT CHANGES;",
     "line 1:24: syntax error: expected ON but found 'EMIT'\n"
     "  SELECT * FROM a JOIN b EMIT CHANGES;\n"
     "                         ^^^^\n"
     "hint: a join needs a condition: JOIN b ON a.id = b.id"},
    {"join_within_without_on",
     "SELECT * FROM a JOIN b WITHIN 1 HOUR EMIT CHANGES;",
     "line 1:38: syntax error: expected ON but found 'EMIT'\n"
     "  SELECT * FROM a JOIN b WITHIN 1 HOUR EMIT CHANGES;\n"
     "                                       ^^^^\n"
     "hint: a join needs a condition: JOIN b ON a.id = b.id"},
    {"within_bad_unit",
     "SELECT * FROM a JOIN b WITHIN 10 FORTNIGHTS ON a.id = b.id EMIT CHANGES;",
     "line 1:34: syntax error: expected a time unit (MILLISECONDS, SECONDS, MINUTES, HOURS or DAYS) but found 'FORTNIGHTS'\n"
     "  SELECT * FROM a JOIN b WITHIN 10 FORTNIGHTS ON a.id = b.id EMIT CHANGES;\n"
     "                                   ^^^^^^^^^^"},
    {"within_one_of_two",
     "SELECT * FROM a JOIN b WITHIN (1 HOUR) ON a.id = b.id EMIT CHANGES;",
     "line 1:38: syntax error: expected ',' but found ')'\n"
     "  SELECT * FROM a JOIN b WITHIN (1 HOUR) ON a.id = b.id EMIT CHANGES;\n"
     "                                       ^\n"
     "hint: WITHIN (before, after) takes two durations, as in WITHIN (1 HOUR, 2 HOURS); for the same time either side write WITHIN 1 HOUR"},
    {"left_without_join",
     "SELECT * FROM a LEFT b ON a.id = b.id EMIT CHANGES;",
     "line 1:22: syntax error: expected JOIN but found 'b'\n"
     "  SELECT * FROM a LEFT b ON a.id = b.id EMIT CHANGES;\n"
     "                       ^\n"
     "hint: write the kind of join before JOIN: LEFT JOIN b ON a.id = b.id"},
    {"emit_alone",
     "SELECT * FROM s EMIT;",
     "line 1:21: syntax error: expected CHANGES or FINAL but found ';'\n"
     "  SELECT * FROM s EMIT;\n"
     "                      ^"},
    {"emit_misspelt",
     "SELECT * FROM s EMIT CHANGE;",
     "line 1:22: syntax error: expected CHANGES or FINAL but found 'CHANGE'\n"
     "  SELECT * FROM s EMIT CHANGE;\n"
     "                       ^^^^^^\n"
     "hint: did you mean CHANGES?"},
    {"missing_semicolon_before_next_statement",
     "SELECT * FROM s EMIT CHANGES\n"
     "SHOW TABLES;",
     "line 2:1: syntax error: expected ';' at the end of the statement but found 'SHOW'\n"
     "  SHOW TABLES;\n"
     "  ^^^^\n"
     "hint: is a ';' missing? Every statement ends with ';', including the one before SHOW"},
    {"missing_semicolon_on_one_line",
     "SELECT * FROM s EMIT CHANGES SELECT * FROM t;",
     "line 1:30: syntax error: expected ';' at the end of the statement but found 'SELECT'\n"
     "  SELECT * FROM s EMIT CHANGES SELECT * FROM t;\n"
     "                               ^^^^^^\n"
     "hint: is a ';' missing? Every statement ends with ';', including the one before SELECT"},
    {"error_on_line_3",
     "SELECT id,\n"
     "       name\n"
     "FROM users WHERE age >> 3;",
     "line 3:23: syntax error: expected an expression but found '>'\n"
     "  FROM users WHERE age >> 3;\n"
     "                        ^"},
    {"error_on_line_3_after_a_good_statement",
     "SHOW STREAMS;\n"
     "CREATE STREAM s (id INT KEY)\n"
     "  WITH (kafka_topic='t' value_format='JSON');",
     "line 3:25: syntax error: expected ')' but found 'value_format'\n"
     "    WITH (kafka_topic='t' value_format='JSON');\n"
     "                          ^^^^^^^^^^^^\n"
     "hint: separate properties with ',' and close the list with ')'"},
    {"unterminated_string_spans_lines",
     "SELECT * FROM s\n"
     "WHERE a = 'it''s\n"
     "EMIT CHANGES;",
     "line 2:11: syntax error: unterminated string\n"
     "  WHERE a = 'it''s\n"
     "            ^\n"
     "hint: close the string with ' (write '' for a quote inside it)"},
    {"end_of_input_inside_a_statement",
     "SELECT * FROM s WHERE",
     "line 1:22: syntax error: unexpected end of input, expected an expression\n"
     "  SELECT * FROM s WHERE\n"
     "                       ^"},
    {"tab_before_the_error",
     "SELECT\ta,\tFROM s;",
     "line 1:11: syntax error: expected an expression but found 'FROM'\n"
     "  SELECT\ta,\tFROM s;\n"
     "        \t  \t^^^^"},
};

/* The rendered first error of sql, after any statements that parse
 * (caller frees); NULL when every statement parses. */
static char *first_error(const char *sql, err_code *code)
{
    arena a;
    arena_init(&a, 0);
    parser p;
    err e;
    char *text = NULL;
    parser_init(&p, &a, sql, strlen(sql));
    while (parse_next(&p, &e))
        ;
    if (e.code != ERR_OK) {
        buf b = BUF_INIT;
        err_render(&e, sql, strlen(sql), &b);
        text = buf_take(&b);
        if (code)
            *code = e.code;
    }
    arena_free(&a);
    return text;
}

static void test_each_wrong_input_gets_its_exact_message(void **state)
{
    int failures = 0, n = (int)(sizeof cases / sizeof cases[0]);
    for (int i = 0; i < n; i++) {
        err_code code = ERR_OK;
        char *got = first_error(cases[i].sql, &code);
        if (!got) {
            print_error("%s: parsed, but it should be an error:\n%s\n", cases[i].name, cases[i].sql);
            failures++;
            continue;
        }
        if (strcmp(got, cases[i].expected) != 0 || code != ERR_SYNTAX) {
            print_error("%s: for\n%s\nexpected:\n%s\ngot (%s):\n%s\n\n", cases[i].name, cases[i].sql,
                        cases[i].expected, err_code_name(code), got);
            failures++;
        }
        free(got);
    }
    print_message("%d wrong inputs checked\n", n);
    assert_true(n >= 40);
    assert_int_equal(failures, 0);
}

/* Deep nesting is refused with an error at the level past the cap, never
 * a stack overflow. */
static void test_deep_nesting_gets_a_message_at_the_level_past_the_cap(void **state)
{
    buf sql = BUF_INIT, expected = BUF_INIT;
    buf_puts(&sql, "SELECT ");
    for (int i = 0; i < 1000; i++)
        buf_puts(&sql, "(");
    buf_puts(&sql, "1");
    for (int i = 0; i < 1000; i++)
        buf_puts(&sql, ")");
    buf_puts(&sql, " FROM s;");
    buf_printf(&expected, "line 1:%d: statement nested too deeply (more than %d levels of parentheses)\n  %s\n  ",
               8 + PARSE_MAX_DEPTH, PARSE_MAX_DEPTH, sql.data);
    for (int i = 0; i < 7 + PARSE_MAX_DEPTH; i++)
        buf_putc(&expected, ' ');
    buf_putc(&expected, '^');
    err_code code;
    char *got = first_error(sql.data, &code);
    assert_non_null(got);
    assert_int_equal(code, ERR_TOO_DEEP);
    assert_string_equal(got, expected.data);
    free(got);

    /* the same through a chain of operators: NOT NOT NOT ... */
    buf_reset(&sql);
    buf_puts(&sql, "SELECT * FROM s WHERE ");
    for (int i = 0; i < 1000; i++)
        buf_puts(&sql, "NOT ");
    buf_puts(&sql, "x;");
    got = first_error(sql.data, &code);
    assert_non_null(got);
    assert_int_equal(code, ERR_TOO_DEEP);
    assert_non_null(strstr(got, "line 1:"));
    char want[96];
    snprintf(want, sizeof want, ": statement nested too deeply (more than %d levels)\n", PARSE_MAX_DEPTH);
    assert_non_null(strstr(got, want));
    free(got);
    buf_free(&sql);
    buf_free(&expected);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_wrong_input_gets_its_exact_message),
        cmocka_unit_test(test_deep_nesting_gets_a_message_at_the_level_past_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
