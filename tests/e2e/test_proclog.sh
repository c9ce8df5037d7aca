# The processing log: a record a persistent query cannot decode or
# evaluate becomes a row of the stream KSQL_PROCESSING_LOG (topic
# default_ksql_processing_log) with the query, topic, partition, offset and
# reason, and the query goes on with the next record.  As in ksqlDB, a
# SELECT column whose expression fails is NULL in a row that is still sent;
# a record that cannot be decoded, or whose WHERE fails, is not sent.

# expect_match TEXT PATTERN WHAT: TEXT matches the shell PATTERN.
expect_match() {
    case "$1" in
    $2) ;;
    *) fail "$3: $1" ;;
    esac
}

# A stream S of JSON records, the same topic seen as raw text (to write a
# record that is not JSON), and a query casting S's text to INT.  Offsets:
# 0 good, 1 not JSON, 2 a bad cast, 3 good.
setup_bad_records() {
    sql "$1" <<'EOF'
CREATE STREAM s (id INT, a STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM raw (line STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='KAFKA');
SET 'auto.offset.reset'='earliest';
CREATE STREAM out AS SELECT id, CAST(a AS INT) AS n FROM s;
INSERT INTO s (id, a) VALUES (1, '10');
INSERT INTO raw (line) VALUES ('{"id": 2, "a": ');
INSERT INTO s (id, a) VALUES (3, 'x');
INSERT INTO s (id, a) VALUES (4, '40');
SELECT id, n FROM out EMIT CHANGES LIMIT 3;
SELECT QUERY_ID, TOPIC, `PARTITION`, `OFFSET`, MESSAGE->TYPE, LEVEL, ERROR FROM KSQL_PROCESSING_LOG EMIT CHANGES LIMIT 2;
EOF
    expect_ok
}

t_proclog_bad_json_and_bad_cast_are_logged_and_the_query_goes_on() {
    D=$(new_dir)
    setup_bad_records "$D"
    # the record that is not JSON is not sent; the bad cast's column is NULL
    expect_eq "$(rows | head -3)" "$(lines '1|10' '3|null' '4|40')" "the query's output"
    # QUERY_ID | TOPIC | PARTITION | OFFSET | TYPE | LEVEL | ERROR
    rows | tail -2 >"$T/log"
    expect_match "$(head -1 "$T/log")" "CSAS_OUT_*|s|0|1|0|ERROR|invalid JSON: *" "the bad JSON record's log row"
    expect_match "$(tail -1 "$T/log")" "CSAS_OUT_*|s|0|2|1|ERROR|column N is NULL: cannot cast 'x' to INTEGER" \
        "the bad cast's log row"
}

t_proclog_message_is_shaped_as_ksqldb_s() {
    D=$(new_dir)
    setup_bad_records "$D"
    sql "$D" <<'EOF'
SELECT LOGGER, MESSAGE->DESERIALIZATIONERROR->TARGET, MESSAGE->DESERIALIZATIONERROR->`topic`,
       FROM_BYTES(TO_BYTES(MESSAGE->DESERIALIZATIONERROR->RECORDB64, 'base64'), 'utf8'),
       MESSAGE->RECORDPROCESSINGERROR->ERRORMESSAGE, MESSAGE->RECORDPROCESSINGERROR->RECORD
  FROM KSQL_PROCESSING_LOG;
EOF
    expect_ok
    rows >"$T/log" # cells are trimmed
    expect_match "$(head -1 "$T/log")" 'processing.CSAS_OUT_*.deserializer|value|s|{"id": 2, "a":|null|null' \
        "the deserialization error"
    expect_match "$(tail -1 "$T/log")" \
        "processing.CSAS_OUT_*.processing|null|null|null|column N is NULL: cannot cast 'x' to INTEGER|{\"ID\":3,\"A\":\"x\"}" \
        "the processing error"
}

t_proclog_rows_survive_a_restart_and_the_query_counts_them() {
    D=$(new_dir)
    setup_bad_records "$D"
    # a new process: the log is read back, once, and the query resumes (its
    # counters count since the process started)
    sql "$D" <<'EOF'
INSERT INTO s (id, a) VALUES (5, 'y');
INSERT INTO s (id, a) VALUES (6, '60');
SET 'auto.offset.reset'='earliest';
SELECT id, n FROM out EMIT CHANGES LIMIT 5;
SELECT `OFFSET`, ERROR FROM KSQL_PROCESSING_LOG EMIT CHANGES LIMIT 3;
DESCRIBE EXTENDED out;
EOF
    expect_ok
    expect_eq "$(rows | head -5)" "$(lines '1|10' '3|null' '4|40' '5|null' '6|60')" "the output, each record once"
    expect_eq "$(rows | sed -n '6,8p' | cut -d'|' -f1)" "$(lines 1 2 4)" "the offsets logged, each once"
    out_has "errors 1; last: topic s partition 0 offset 4: column N is NULL: cannot cast 'y' to INTEGER"
    # and once more, with nothing new: exactly three rows are there
    sql "$D" <<'EOF'
SELECT `OFFSET` FROM KSQL_PROCESSING_LOG;
EOF
    expect_ok
    expect_eq "$(rows)" "$(lines 1 2 4)" "the log after a second restart"
}

t_proclog_is_a_stream_queries_can_read() {
    D=$(new_dir)
    setup_bad_records "$D"
    sql "$D" <<'EOF'
SHOW STREAMS;
SET 'auto.offset.reset'='earliest';
CREATE STREAM errs AS SELECT QUERY_ID AS q, `OFFSET` AS off FROM KSQL_PROCESSING_LOG WHERE MESSAGE->TYPE = 1;
SELECT off FROM errs EMIT CHANGES LIMIT 1;
EOF
    expect_ok
    # Stream Name | Kafka Topic | Key Format | Value Format | Windowed
    expect_eq "$(rows | head -4 | cut -d'|' -f1,2,4)" \
        "$(lines 'KSQL_PROCESSING_LOG|default_ksql_processing_log|JSON' 'S|s|JSON' 'RAW|s|KAFKA' 'OUT|OUT|JSON')" \
        "SHOW STREAMS"
    expect_eq "$(rows | tail -1)" "2" "the processing error, read by a persistent query"
}

t_proclog_refuses_inserts_and_topic_deletion() {
    D=$(new_dir)
    sql "$D" <<'EOF'
INSERT INTO KSQL_PROCESSING_LOG (LEVEL) VALUES ('ERROR');
EOF
    expect_rc 1
    err_has "line 1:13: Cannot insert values into read-only stream: KSQL_PROCESSING_LOG"
    sql "$D" <<'EOF'
DROP STREAM KSQL_PROCESSING_LOG DELETE TOPIC;
EOF
    expect_rc 1
    err_has "Cannot delete topic for read-only source: KSQL_PROCESSING_LOG"
}

# A push query's failed record is logged too (query id "transient"); the
# push query shows the good rows and goes on.
t_proclog_push_query_errors_are_logged() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM s (id INT KEY, v STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (id, v) VALUES (1, 'x');
INSERT INTO s (id, v) VALUES (2, '5');
SET 'auto.offset.reset'='earliest';
SELECT id, CAST(v AS INT) + 1 AS n FROM s EMIT CHANGES LIMIT 2;
SELECT id FROM s WHERE CAST(v AS INT) > 0 EMIT CHANGES LIMIT 1;
SELECT QUERY_ID, TOPIC, PARTITION, OFFSET, ERROR FROM KSQL_PROCESSING_LOG EMIT CHANGES LIMIT 2;
EOF2
    expect_ok
    # a failed column: NULL in a row that is shown; a failed WHERE: no row
    expect_eq "$(rows | head -n 3)" "$(lines '1|null' '2|6' '2')" "the push queries' rows"
    expect_eq "$(rows | tail -n 2)" "$(lines "transient|s|0|0|column N is NULL: cannot cast 'x' to INTEGER" \
        "transient|s|0|0|cannot cast 'x' to INTEGER")" "the processing log's rows"
}

# EMIT FINAL: a window's result is made once, when the window closes, so
# a SELECT column that fails there is logged once, for the final value,
# against the record whose time closed the window (offset 2), and the
# result is sent with NULL; the updates before it log nothing.
t_proclog_emit_final_logs_a_failed_column_once_per_window() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM s (id INT KEY, a STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
SET 'auto.offset.reset'='earliest';
CREATE TABLE t AS SELECT id, CAST(LATEST_BY_OFFSET(a) AS INT) AS n FROM s
  WINDOW TUMBLING (SIZE 1 SECOND, GRACE PERIOD 0 SECONDS) GROUP BY id EMIT FINAL;
INSERT INTO s (id, a, ROWTIME) VALUES (1, 'x', 100);
INSERT INTO s (id, a, ROWTIME) VALUES (1, 'y', 200);
INSERT INTO s (id, a, ROWTIME) VALUES (1, '5', 1500);
INSERT INTO s (id, a, ROWTIME) VALUES (1, '6', 2500);
SELECT id, WINDOWSTART, n FROM t EMIT CHANGES LIMIT 2;
SELECT `OFFSET`, ERROR FROM KSQL_PROCESSING_LOG;
EOF2
    expect_ok
    expect_eq "$(rows | head -2)" "$(lines '1|0|null' '1|1000|5')" "the final results"
    expect_eq "$(rows | tail -n +3)" "2|column N is NULL: cannot cast 'y' to INTEGER" "the processing log"
}
