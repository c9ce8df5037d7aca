# PARTITION BY re-keys a stream; a record without a value keeps its time,
# and in its new key only columns naming an old key column keep a value:
# value columns, ROWTIME and other expressions are null (as in ksqlDB).

t_partition_by_record_without_value() {
    cat >"$T/statements.sql" <<'EOF'
CREATE STREAM src (k STRING KEY, id BIGINT) WITH (KAFKA_TOPIC='src', FORMAT='JSON');
CREATE STREAM by_k AS SELECT * FROM src PARTITION BY k, id;
CREATE STREAM by_time AS SELECT * FROM src PARTITION BY id, ROWTIME;
CREATE STREAM by_expr AS SELECT * FROM src PARTITION BY (id IS NULL);
EOF
    cat >"$T/input.json" <<'EOF'
{"inputs": [
  {"topic": "src", "key": "a", "value": {"ID": 7}, "timestamp": 10},
  {"topic": "src", "key": "b", "value": null, "timestamp": 11}
]}
EOF
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" --write-actual "$T/actual.json"
    expect_ok
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "BY_K", "key": {"K": "a", "ID": 7}, "value": {}, "timestamp": 10},
      {"topic": "BY_K", "key": {"K": "b", "ID": null}, "value": null, "timestamp": 11},
      {"topic": "BY_TIME", "key": {"ID": 7, "ROWTIME": 10}, "value": {"K": "a"}, "timestamp": 10},
      {"topic": "BY_TIME", "key": {"ID": null, "ROWTIME": null}, "value": null, "timestamp": 11},
      {"topic": "BY_EXPR", "key": false, "value": {"K": "a", "ID": 7}, "timestamp": 10},
      {"topic": "BY_EXPR", "key": null, "value": null, "timestamp": 11}
    ]}'
}
