# HEADERS and HEADER('k') columns: a stream's columns that read the
# records' Kafka headers (records given headers through `eddy test`).

write_header_inputs() {
    cat >"$T/input.json" <<'EOF2'
{"inputs": [
  {"topic": "src", "key": "a", "value": {"V": 1}, "timestamp": 1, "headers": []},
  {"topic": "src", "key": "b", "value": {"V": 2}, "timestamp": 2,
   "headers": [{"KEY": "trace", "VALUE": "AQI="}, {"KEY": "other", "VALUE": null}, {"KEY": "trace", "VALUE": "Aw=="}]},
  {"topic": "src", "key": "c", "value": {"V": 3}, "timestamp": 3, "headers": [{"KEY": "other", "VALUE": "BA=="}]}
]}
EOF2
}

# HEADERS holds every header in order (a null value stays null); HEADER('k')
# the last header with key k, or NULL; both go on as ordinary columns.
t_headers_columns_read_record_headers() {
    cat >"$T/statements.sql" <<'EOF2'
CREATE STREAM src (k STRING KEY, v INT, hs ARRAY<STRUCT<key STRING, value BYTES>> HEADERS, trace BYTES HEADER('trace')) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');
CREATE STREAM out AS SELECT k, v, hs, trace, ARRAY_LENGTH(hs) AS n FROM src;
EOF2
    write_header_inputs
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" --write-actual "$T/actual.json"
    expect_ok
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "OUT", "key": "a", "value": {"V": 1, "HS": [], "TRACE": null, "N": 0}, "timestamp": 1},
      {"topic": "OUT", "key": "b", "value": {"V": 2, "HS": [{"KEY": "trace", "VALUE": "AQI="},
        {"KEY": "other", "VALUE": null}, {"KEY": "trace", "VALUE": "Aw=="}], "TRACE": "Aw==", "N": 3}, "timestamp": 2},
      {"topic": "OUT", "key": "c", "value": {"V": 3, "HS": [{"KEY": "other", "VALUE": "BA=="}], "TRACE": null, "N": 1},
       "timestamp": 3}]}'
}

# A header column can be filtered and grouped on like any column.
t_headers_column_in_where_and_group_by() {
    cat >"$T/statements.sql" <<'EOF2'
CREATE STREAM src (k STRING KEY, v INT, other BYTES HEADER('other')) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');
CREATE TABLE per_other AS SELECT other, COUNT(*) AS n FROM src WHERE other IS NOT NULL GROUP BY other;
EOF2
    write_header_inputs
    cat >"$T/output.json" <<'EOF2'
{"outputs": [{"topic": "PER_OTHER", "key": "BA==", "value": {"N": 1}}]}
EOF2
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$T/output.json"
    expect_ok
}

t_headers_describe_and_insert() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM src (k STRING KEY, v INT, hs ARRAY<STRUCT<key STRING, value BYTES>> HEADERS, t BYTES HEADER('trace')) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON', PARTITIONS=1);
DESCRIBE src;
INSERT INTO src VALUES ('a', 1);
PRINT 'src' FROM BEGINNING LIMIT 1;
EOF2
    expect_ok
    out_has "| HS    | ARRAY<STRUCT<KEY STRING, VALUE BYTES>>  (headers) |"
    out_has "| T     | BYTES  (header('trace'))                          |"
    out_has 'key: a, value: {"V":1}'
    sql "$D" <<'EOF2'
INSERT INTO src (k, v, t) VALUES ('a', 1, TO_BYTES('x', 'utf8'));
EOF2
    expect_rc 1
    err_has "line 1:24: Cannot insert into HEADER column T"
}

t_headers_refused_declarations_say_why() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM s (k STRING KEY, h INT HEADER('k1')) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
EOF2
    expect_rc 1
    err_has "Invalid type for HEADER('k1') column: expected BYTES, got INTEGER"
    sql "$D" <<'EOF2'
CREATE STREAM s (k STRING KEY, h ARRAY<STRING> HEADERS) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
EOF2
    expect_rc 1
    err_has "Invalid type for HEADERS column: expected ARRAY<STRUCT<KEY STRING, VALUE BYTES>>, got ARRAY<STRING>"
    sql "$D" <<'EOF2'
CREATE TABLE t (k STRING PRIMARY KEY, h BYTES HEADER('k1')) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1);
EOF2
    expect_rc 1
    err_has "HEADER columns on tables are not supported yet"
    sql "$D" <<'EOF2'
CREATE STREAM a (k STRING KEY, h BYTES HEADER('k1')) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM b (k STRING KEY, v INT) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM j AS SELECT a.k, h, v FROM a JOIN b WITHIN 1 MINUTE ON a.k = b.k;
EOF2
    expect_rc 1
    err_has "stream-stream joins of streams with HEADER columns are not supported yet"
}

# With a KAFKA value format the header column is not part of the value:
# the record's value is the single value column.
t_headers_column_beside_a_kafka_format_value() {
    cat >"$T/statements.sql" <<'EOF2'
CREATE STREAM src (k STRING KEY, v INT, t BYTES HEADER('t')) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='KAFKA');
CREATE STREAM out WITH (VALUE_FORMAT='JSON') AS SELECT k, v, t FROM src;
EOF2
    cat >"$T/input.json" <<'EOF2'
{"inputs": [{"topic": "src", "key": "a", "value": 5, "timestamp": 1, "headers": [{"KEY": "t", "VALUE": "AQ=="}]}]}
EOF2
    cat >"$T/output.json" <<'EOF2'
{"outputs": [{"topic": "src", "key": "a", "value": 5},
             {"topic": "OUT", "key": "a", "value": {"V": 5, "T": "AQ=="}}]}
EOF2
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$T/output.json"
    expect_ok
}
