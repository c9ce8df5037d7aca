# CREATE OR REPLACE: a query's result replaced in place keeps its topic and
# resumes where the old query stopped; a declared stream may gain columns;
# anything else is refused with the reason, at its line and column, and
# changes nothing.

# S, and OUT keeping records with a > 1: record 1 passes, record 2 does
# not; then OUT is replaced by a query with one more column and another
# filter, which would pass record 2 had it not been read already.
setup_replaced() {
    sql "$1" <<'EOF'
CREATE STREAM s (id INT KEY, a INT, b STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
SET 'auto.offset.reset'='earliest';
CREATE STREAM out AS SELECT id, a FROM s WHERE a > 1;
INSERT INTO s (id, a, b) VALUES (1, 5, 'x');
INSERT INTO s (id, a, b) VALUES (2, 0, 'y');
SELECT * FROM out EMIT CHANGES LIMIT 1;
INSERT INTO s (id, a, b) VALUES (3, 7, 'z');
SELECT * FROM out EMIT CHANGES LIMIT 2;
CREATE OR REPLACE STREAM out AS SELECT id, a, b FROM s WHERE a >= 0;
INSERT INTO s (id, a, b) VALUES (4, 0, 'w');
SELECT * FROM out EMIT CHANGES LIMIT 3;
EOF
    expect_ok
}

t_replace_query_keeps_its_topic_and_does_not_emit_again() {
    D=$(new_dir)
    setup_replaced "$D"
    out_has "Created query with ID CSAS_OUT_1"
    expect_eq "$(grep -c 'Created query with ID CSAS_OUT_1' "$T/out")" 2 "the query id, kept"
    # ID | A | B: what the old query wrote, then the new one's record 4
    expect_eq "$(rows | tail -3)" "$(lines '1|5|null' '3|7|null' '4|0|w')" "OUT after the replacement"
    sql "$D" <<'EOF'
SHOW QUERIES;
SHOW TOPICS;
EOF
    expect_ok
    # Query ID | Query Type | Status | Sink Name | Sink Kafka Topic | Query String
    expect_eq "$(rows | head -1 | cut -d'|' -f1,4,5,6)" \
        "CSAS_OUT_1|OUT|OUT|CREATE OR REPLACE STREAM out AS SELECT id, a, b FROM s WHERE a >= 0" "the one query"
    expect_eq "$(rows | tail -3 | cut -d'|' -f1)" "$(lines OUT default_ksql_processing_log s)" "the topics"
}

t_replace_query_survives_a_restart() {
    D=$(new_dir)
    setup_replaced "$D"
    # the command topic replays the replacement: the new query resumes
    sql "$D" <<'EOF'
INSERT INTO s (id, a, b) VALUES (5, 0, 'v');
SET 'auto.offset.reset'='earliest';
SELECT * FROM out EMIT CHANGES LIMIT 4;
DESCRIBE out;
EOF
    expect_ok
    expect_eq "$(rows | head -4)" "$(lines '1|5|null' '3|7|null' '4|0|w' '5|0|v')" "OUT after a restart"
    expect_eq "$(rows | tail -3 | cut -d'|' -f1)" "$(lines ID A B)" "OUT's columns"
}

t_replace_declared_stream_gains_a_column() {
    D=$(new_dir)
    sql "$D" <<'EOF'
CREATE STREAM s (id INT KEY, a INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (id, a) VALUES (1, 10);
CREATE OR REPLACE STREAM s (id INT KEY, a INT, c STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');
INSERT INTO s (id, a, c) VALUES (2, 20, 'new');
EOF
    expect_ok
    sql "$D" <<'EOF'
SELECT * FROM s;
SHOW STREAMS;
EOF
    expect_ok
    expect_eq "$(rows | head -2)" "$(lines '1|10|null' '2|20|new')" "S's records, old and new"
    expect_eq "$(rows | tail -2 | cut -d'|' -f1)" "$(lines KSQL_PROCESSING_LOG S)" "one S"
}

# refused STATEMENT LOCATION MESSAGE: run the statements of setup_replaced's
# first lines, then STATEMENT; it fails at line 4 with MESSAGE.
refused() {
    D=$(new_dir)
    printf '%s\n' \
        "CREATE STREAM s (id INT KEY, a INT, b STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);" \
        "CREATE STREAM s2 (id INT KEY, a INT, b STRING) WITH (KAFKA_TOPIC='s2', VALUE_FORMAT='JSON', PARTITIONS=1);" \
        "CREATE STREAM out AS SELECT id, a FROM s WHERE a > 1;" "$1" >"$T/in.sql"
    eddy_run --data "$D" <"$T/in.sql"
    expect_rc 1
    err_has "stdin: line 4:$2: $3"
}

t_replace_refuses_dropping_or_retyping_a_column() {
    refused "CREATE OR REPLACE STREAM out AS SELECT id, CAST(a AS STRING) AS a FROM s;" 26 \
        "Cannot replace stream OUT: its columns can only be extended with new value columns at the end; changed, missing, moved or added as a key: \`A\` INTEGER"
    refused "CREATE OR REPLACE STREAM s (id INT KEY, b STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');" 26 \
        "Cannot replace stream S: its columns can only be extended"
}

t_replace_refuses_another_source_a_table_or_an_aggregation() {
    refused "CREATE OR REPLACE STREAM out AS SELECT id, a FROM s2;" 51 \
        "Cannot replace stream OUT: query CSAS_OUT_2 reads S, the new query reads S2; a replacing query must read the same source"
    refused "CREATE OR REPLACE TABLE out AS SELECT id, COUNT(*) AS a FROM s GROUP BY id;" 25 \
        "Cannot replace stream OUT with a table: DROP it first"
    refused "CREATE OR REPLACE STREAM out AS SELECT s.id, s.a FROM s JOIN s2 WITHIN 1 MINUTE ON s.id = s2.id;" 33 \
        "Cannot replace stream OUT: replacing a query with GROUP BY or JOIN is not supported yet"
}

t_replace_refuses_source_streams_and_a_new_topic() {
    refused "CREATE OR REPLACE STREAM KSQL_PROCESSING_LOG (x INT) WITH (KAFKA_TOPIC='p', VALUE_FORMAT='JSON');" 26 \
        "Cannot add stream 'KSQL_PROCESSING_LOG': CREATE OR REPLACE is not supported on source streams."
    refused "CREATE OR REPLACE STREAM out WITH (KAFKA_TOPIC='other') AS SELECT id, a FROM s;" 26 \
        "Cannot replace stream OUT: its topic cannot change (OUT -> other)"
    # and nothing was created
    sql "$D" <<'EOF'
SHOW TOPICS;
EOF
    expect_ok
    expect_eq "$(rows | cut -d'|' -f1)" "$(lines OUT default_ksql_processing_log s s2)" "the topics after the refusal"
}
