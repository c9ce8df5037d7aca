/* keywords — the one list of Eddy's SQL keywords.
 *
 * X(NAME, RESERVED): NAME is the upper-case spelling (it becomes token
 * TK_NAME); RESERVED is 1 when the word can never be an identifier, 0 when
 * it is a keyword only where the grammar expects it and an ordinary name
 * elsewhere (a column may be called SIZE, KEY, TIMESTAMP, DAY, ...), as in
 * ksqlDB's `nonReserved` rule.
 *
 * The list must stay in strict alphabetical order: the lexer looks words
 * up by binary search (test_lex checks the order).
 */
#ifndef EDDY_KEYWORDS_H
#define EDDY_KEYWORDS_H

#define KEYWORDS(X)                                                                                          \
    X(ADVANCE, 0)                                                                                            \
    X(ALL, 1)                                                                                                \
    X(AND, 1)                                                                                                \
    X(ARRAY, 0)                                                                                              \
    X(AS, 1)                                                                                                 \
    X(BEGINNING, 0)                                                                                          \
    X(BETWEEN, 1)                                                                                            \
    X(BIGINT, 0)                                                                                             \
    X(BOOLEAN, 0)                                                                                            \
    X(BY, 1)                                                                                                 \
    X(BYTES, 0)                                                                                              \
    X(CASE, 1)                                                                                               \
    X(CAST, 1)                                                                                               \
    X(CHANGES, 0)                                                                                            \
    X(CREATE, 1)                                                                                             \
    X(DATE, 0)                                                                                               \
    X(DAY, 0)                                                                                                \
    X(DAYS, 0)                                                                                               \
    X(DECIMAL, 0)                                                                                            \
    X(DEFINE, 0)                                                                                             \
    X(DELETE, 0)                                                                                             \
    X(DESCRIBE, 0)                                                                                           \
    X(DISTINCT, 1)                                                                                           \
    X(DOUBLE, 0)                                                                                             \
    X(DROP, 0)                                                                                               \
    X(ELSE, 1)                                                                                               \
    X(EMIT, 0)                                                                                               \
    X(END, 1)                                                                                                \
    X(ESCAPE, 0)                                                                                             \
    X(EXISTS, 1)                                                                                             \
    X(EXPLAIN, 0)                                                                                            \
    X(EXTENDED, 0)                                                                                           \
    X(FALSE, 1)                                                                                              \
    X(FINAL, 0)                                                                                              \
    X(FROM, 1)                                                                                               \
    X(FULL, 1)                                                                                               \
    X(FUNCTION, 0)                                                                                           \
    X(FUNCTIONS, 0)                                                                                          \
    X(GRACE, 0)                                                                                              \
    X(GROUP, 1)                                                                                              \
    X(HAVING, 1)                                                                                             \
    X(HEADER, 0)                                                                                             \
    X(HEADERS, 0)                                                                                            \
    X(HOPPING, 0)                                                                                            \
    X(HOUR, 0)                                                                                               \
    X(HOURS, 0)                                                                                              \
    X(IF, 0)                                                                                                 \
    X(IN, 1)                                                                                                 \
    X(INNER, 1)                                                                                              \
    X(INSERT, 1)                                                                                             \
    X(INT, 0)                                                                                                \
    X(INTEGER, 0)                                                                                            \
    X(INTERVAL, 0)                                                                                           \
    X(INTO, 1)                                                                                               \
    X(IS, 1)                                                                                                 \
    X(JOIN, 1)                                                                                               \
    X(KEY, 0)                                                                                                \
    X(LEFT, 1)                                                                                               \
    X(LIKE, 1)                                                                                               \
    X(LIMIT, 1)                                                                                              \
    X(LIST, 0)                                                                                               \
    X(MAP, 0)                                                                                                \
    X(MILLISECOND, 0)                                                                                        \
    X(MILLISECONDS, 0)                                                                                       \
    X(MINUTE, 0)                                                                                             \
    X(MINUTES, 0)                                                                                            \
    X(NOT, 1)                                                                                                \
    X(NULL, 1)                                                                                               \
    X(ON, 1)                                                                                                 \
    X(OR, 1)                                                                                                 \
    X(OUTER, 1)                                                                                              \
    X(PARTITION, 0)                                                                                          \
    X(PAUSE, 0)                                                                                              \
    X(PERIOD, 0)                                                                                             \
    X(PRIMARY, 0)                                                                                            \
    X(PRINT, 0)                                                                                              \
    X(PROPERTIES, 0)                                                                                         \
    X(QUERIES, 0)                                                                                            \
    X(REPLACE, 0)                                                                                            \
    X(RESUME, 0)                                                                                             \
    X(RETENTION, 0)                                                                                          \
    X(RIGHT, 1)                                                                                              \
    X(RUN, 0)                                                                                                \
    X(SCRIPT, 0)                                                                                             \
    X(SECOND, 0)                                                                                             \
    X(SECONDS, 0)                                                                                            \
    X(SELECT, 1)                                                                                             \
    X(SESSION, 0)                                                                                            \
    X(SET, 0)                                                                                                \
    X(SHOW, 0)                                                                                               \
    X(SIZE, 0)                                                                                               \
    X(SOURCE, 0)                                                                                             \
    X(STREAM, 0)                                                                                             \
    X(STREAMS, 0)                                                                                            \
    X(STRING, 0)                                                                                             \
    X(STRUCT, 0)                                                                                             \
    X(TABLE, 0)                                                                                              \
    X(TABLES, 0)                                                                                             \
    X(TERMINATE, 0)                                                                                          \
    X(THEN, 1)                                                                                               \
    X(TIME, 0)                                                                                               \
    X(TIMESTAMP, 0)                                                                                          \
    X(TOPIC, 0)                                                                                              \
    X(TOPICS, 0)                                                                                             \
    X(TRUE, 1)                                                                                               \
    X(TUMBLING, 0)                                                                                           \
    X(TYPE, 0)                                                                                               \
    X(TYPES, 0)                                                                                              \
    X(UNDEFINE, 0)                                                                                           \
    X(UNSET, 0)                                                                                              \
    X(VALUES, 1)                                                                                             \
    X(VARCHAR, 0)                                                                                            \
    X(VARIABLES, 0)                                                                                          \
    X(WHEN, 1)                                                                                               \
    X(WHERE, 1)                                                                                              \
    X(WINDOW, 1)                                                                                             \
    X(WITH, 1)                                                                                               \
    X(WITHIN, 1)

#endif
