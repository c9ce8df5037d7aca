# Streams over windowed topics (WITH WINDOW_TYPE, WINDOW_SIZE): keys carry
# their windows, WINDOWSTART/WINDOWEND read them, and a persistent query
# keeps them in its output keys.

t_windowed_source_keeps_windows_and_exposes_bounds() {
    cat >"$T/statements.sql" <<'EOF'
CREATE STREAM counts (k STRING KEY, n BIGINT) WITH (KAFKA_TOPIC='counts', VALUE_FORMAT='JSON', WINDOW_TYPE='tumbling', WINDOW_SIZE='10 SECONDS');
CREATE STREAM copy AS SELECT * FROM counts WHERE n > 1;
CREATE STREAM bounds AS SELECT k, n, WINDOWSTART AS ws, WINDOWEND AS we FROM counts;
EOF
    cat >"$T/input.json" <<'EOF'
{"inputs": [
  {"topic": "counts", "key": "a", "value": {"N": 2}, "timestamp": 5000, "window": {"start": 0, "end": 10000, "type": "time"}},
  {"topic": "counts", "key": "b", "value": {"N": 1}, "timestamp": 15000, "window": {"start": 10000, "end": 20000, "type": "time"}}
]}
EOF
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" --write-actual "$T/actual.json"
    expect_ok
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "COPY", "key": "a", "value": {"N": 2}, "timestamp": 5000, "window": {"start": 0, "end": 10000, "type": "time"}},
      {"topic": "BOUNDS", "key": "a", "value": {"N": 2, "WS": 0, "WE": 10000}, "timestamp": 5000, "window": {"start": 0, "end": 10000, "type": "time"}},
      {"topic": "BOUNDS", "key": "b", "value": {"N": 1, "WS": 10000, "WE": 20000}, "timestamp": 15000, "window": {"start": 10000, "end": 20000, "type": "time"}}
    ]}'
}

t_windowed_source_bad_properties_are_refused() {
    d=$(new_dir)
    sql "$d" <<'EOF'
CREATE STREAM s (k STRING KEY, n BIGINT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1, WINDOW_TYPE='SESSION', WINDOW_SIZE='1 SECOND');
EOF
    expect_rc 1
    err_has "'WINDOW_SIZE' should not be set for SESSION windows."
    sql "$d" <<'EOF'
CREATE STREAM s (k STRING KEY, n BIGINT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1, WINDOW_TYPE='HOPPING');
EOF
    expect_rc 1
    err_has "should set WINDOW_SIZE"
    sql "$d" <<'EOF'
CREATE STREAM s (k STRING KEY, n BIGINT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1, WINDOW_TYPE='TUMBLING', WINDOW_SIZE='ten seconds');
EOF
    expect_rc 1
    err_has "Invalid WINDOW_SIZE 'ten seconds'"
    sql "$d" <<'EOF'
CREATE TABLE t (k STRING PRIMARY KEY, n BIGINT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1, WINDOW_TYPE='SESSION');
CREATE TABLE t2 AS SELECT * FROM t;
EOF
    expect_rc 1
    err_has "KSQL does not support persistent queries on windowed tables."
}
