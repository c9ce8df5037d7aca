# Stream-stream joins (JOIN ... WITHIN): a record of either stream meets
# the other stream's records of the same key whose time is within the
# window (WITHIN n: n before and after; WITHIN (before, after) for the
# left side, mirrored for the right); the result has the join key as its
# key and the later of the two times; both streams are read in time
# order; each side keeps its records for the window and grace; LEFT
# joins a left record that meets nothing with NULLs.

# Joins orders with ships on their key with the given WITHIN clause, the
# input records read from stdin ($2: 'LEFT ' for a LEFT JOIN); the
# result is in $T/actual.json.
stream_join_run() {
    kind=${2:-}
    cat >"$T/statements.sql" <<EOF2
CREATE STREAM orders (id INT KEY, item STRING) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM ships (id INT KEY, port STRING) WITH (KAFKA_TOPIC='ships', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM shipped AS SELECT o.id AS id, item, port FROM orders o ${kind}JOIN ships s $1 ON o.id = s.id;
EOF2
    cat >"$T/input.json"
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" --write-actual "$T/actual.json"
    expect_ok
}

t_stream_join_within_one_minute_meets_both_ways() {
    stream_join_run 'WITHIN 1 MINUTE' <<'EOF2'
{"inputs": [
  {"topic": "orders", "key": 1, "value": {"ITEM": "book"}, "timestamp": 0},
  {"topic": "ships", "key": 1, "value": {"PORT": "oslo"}, "timestamp": 30000},
  {"topic": "ships", "key": 2, "value": {"PORT": "rome"}, "timestamp": 40000},
  {"topic": "orders", "key": 2, "value": {"ITEM": "cup"}, "timestamp": 95000},
  {"topic": "orders", "key": 1, "value": {"ITEM": "pen"}, "timestamp": 100000},
  {"topic": "ships", "key": 1, "value": {"PORT": "lima"}, "timestamp": 110000}
]}
EOF2
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "SHIPPED", "key": 1, "value": {"ITEM": "book", "PORT": "oslo"}, "timestamp": 30000},
      {"topic": "SHIPPED", "key": 2, "value": {"ITEM": "cup", "PORT": "rome"}, "timestamp": 95000},
      {"topic": "SHIPPED", "key": 1, "value": {"ITEM": "pen", "PORT": "lima"}, "timestamp": 110000}
    ]}'
}

# WITHIN (10 SECONDS, 1 SECOND): a left record at t meets right records in
# [t - 10s, t + 1s]; a right record at t meets left ones in [t - 1s, t + 10s].
t_stream_join_within_before_after_is_asymmetric() {
    stream_join_run 'WITHIN (10 SECONDS, 1 SECOND)' <<'EOF2'
{"inputs": [
  {"topic": "orders", "key": 1, "value": {"ITEM": "a"}, "timestamp": 20000},
  {"topic": "ships", "key": 1, "value": {"PORT": "x"}, "timestamp": 15000},
  {"topic": "ships", "key": 1, "value": {"PORT": "y"}, "timestamp": 25000},
  {"topic": "ships", "key": 1, "value": {"PORT": "z"}, "timestamp": 20500},
  {"topic": "ships", "key": 1, "value": {"PORT": "w"}, "timestamp": 9000}
]}
EOF2
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "SHIPPED", "key": 1, "value": {"ITEM": "a", "PORT": "x"}, "timestamp": 20000},
      {"topic": "SHIPPED", "key": 1, "value": {"ITEM": "a", "PORT": "z"}, "timestamp": 20500}
    ]}'
}

# GRACE PERIOD 5 SECONDS: a side keeps its records for the window and
# grace (10 + 10 + 5 s) behind its own latest time, as Kafka's window
# stores do; a record older than that meets what the other side keeps
# but is not kept itself (y would meet c if kept).
t_stream_join_keeps_records_for_window_and_grace() {
    stream_join_run 'WITHIN 10 SECONDS GRACE PERIOD 5 SECONDS' <<'EOF2'
{"inputs": [
  {"topic": "orders", "key": 1, "value": {"ITEM": "a"}, "timestamp": 100000},
  {"topic": "ships", "key": 1, "value": {"PORT": "x"}, "timestamp": 200000},
  {"topic": "orders", "key": 1, "value": {"ITEM": "b"}, "timestamp": 190000},
  {"topic": "ships", "key": 1, "value": {"PORT": "y"}, "timestamp": 170000},
  {"topic": "orders", "key": 1, "value": {"ITEM": "c"}, "timestamp": 185000}
]}
EOF2
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "SHIPPED", "key": 1, "value": {"ITEM": "b", "PORT": "x"}, "timestamp": 200000}
    ]}'
}

# LEFT JOIN with GRACE PERIOD: a left record that meets nothing joins
# NULLs once the stream time passes its window and grace (at its own
# time, oldest first), or at once when that has already happened (d); a
# right record in time takes it back (a).
t_stream_join_left_with_grace_waits_for_the_window_to_close() {
    stream_join_run 'WITHIN 10 SECONDS GRACE PERIOD 5 SECONDS' 'LEFT ' <<'EOF2'
{"inputs": [
  {"topic": "orders", "key": 1, "value": {"ITEM": "a"}, "timestamp": 0},
  {"topic": "ships", "key": 1, "value": {"PORT": "x"}, "timestamp": 5000},
  {"topic": "orders", "key": 1, "value": {"ITEM": "b"}, "timestamp": 16000},
  {"topic": "orders", "key": 2, "value": {"ITEM": "c"}, "timestamp": 12000},
  {"topic": "ships", "key": 3, "value": {"PORT": "z"}, "timestamp": 40000},
  {"topic": "orders", "key": 4, "value": {"ITEM": "d"}, "timestamp": 1000}
]}
EOF2
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "SHIPPED", "key": 1, "value": {"ITEM": "a", "PORT": "x"}, "timestamp": 5000},
      {"topic": "SHIPPED", "key": 2, "value": {"ITEM": "c", "PORT": null}, "timestamp": 12000},
      {"topic": "SHIPPED", "key": 1, "value": {"ITEM": "b", "PORT": null}, "timestamp": 16000},
      {"topic": "SHIPPED", "key": 4, "value": {"ITEM": "d", "PORT": null}, "timestamp": 1000}
    ]}'
}

# LEFT JOIN without GRACE PERIOD (ksqlDB's older rule): a left record that
# meets nothing joins NULLs at once, and again with each right record
# that meets it later.
t_stream_join_left_without_grace_joins_nulls_at_once() {
    stream_join_run 'WITHIN 10 SECONDS' 'LEFT ' <<'EOF2'
{"inputs": [
  {"topic": "orders", "key": 1, "value": {"ITEM": "a"}, "timestamp": 0},
  {"topic": "ships", "key": 1, "value": {"PORT": "x"}, "timestamp": 5000}
]}
EOF2
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "SHIPPED", "key": 1, "value": {"ITEM": "a", "PORT": null}, "timestamp": 0},
      {"topic": "SHIPPED", "key": 1, "value": {"ITEM": "a", "PORT": "x"}, "timestamp": 5000}
    ]}'
}
