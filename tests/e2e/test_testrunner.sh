# `eddy test -s statements.sql -i input.json -o output.json`, in the file
# formats of ksqlDB's ksql-test-runner.

# statements.sql, input.json and output.json of a small passing case:
# BIG keeps the records with AMOUNT > 5 and doubles AMOUNT.
write_case() {
    cat >"$T/statements.sql" <<'EOF'
CREATE STREAM src (id INT KEY, name STRING, amount DOUBLE) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');
CREATE STREAM big AS SELECT id, name, amount * 2 AS twice FROM src WHERE amount > 5;
EOF
    cat >"$T/input.json" <<'EOF'
{"inputs": [
  {"topic": "src", "key": 1, "value": {"NAME": "a", "AMOUNT": 9.5}, "timestamp": 1000},
  {"topic": "src", "key": 2, "value": {"NAME": "b", "AMOUNT": 3.0}, "timestamp": 2000},
  {"topic": "src", "key": 3, "value": {"NAME": "c", "AMOUNT": 7.25}, "timestamp": 3000}
]}
EOF
    cat >"$T/output.json" <<'EOF'
{"outputs": [
  {"topic": "BIG", "key": 1, "value": {"NAME": "a", "TWICE": 19.0}, "timestamp": 1000},
  {"topic": "BIG", "key": 3, "value": {"NAME": "c", "TWICE": 14.5}, "timestamp": 3000}
]}
EOF
}

t_testrunner_matching_output_exits_0() {
    write_case
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$T/output.json"
    expect_ok
}

t_testrunner_differing_value_exits_1_with_diff() {
    write_case
    sed 's/14\.5/14.0/' "$T/output.json" >"$T/wrong.json"
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$T/wrong.json"
    expect_rc 1
    err_has "BIG"
    err_has "14.0"
    err_has "14.5"
    # the record that matches is not reported as a difference
    err_lacks "19.0"
}

t_testrunner_missing_record_exits_1() {
    write_case
    cat >"$T/more.json" <<'EOF'
{"outputs": [
  {"topic": "BIG", "key": 1, "value": {"NAME": "a", "TWICE": 19.0}, "timestamp": 1000},
  {"topic": "BIG", "key": 3, "value": {"NAME": "c", "TWICE": 14.5}, "timestamp": 3000},
  {"topic": "BIG", "key": 4, "value": {"NAME": "d", "TWICE": 99.0}, "timestamp": 4000}
]}
EOF
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$T/more.json"
    expect_rc 1
    err_has "BIG"
    err_has "99.0"
}

t_testrunner_unexpected_extra_record_exits_1() {
    write_case
    cat >"$T/fewer.json" <<'EOF'
{"outputs": [
  {"topic": "BIG", "key": 1, "value": {"NAME": "a", "TWICE": 19.0}, "timestamp": 1000}
]}
EOF
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$T/fewer.json"
    expect_rc 1
    err_has "BIG"
    err_has "14.5"
}

t_testrunner_wrong_key_exits_1() {
    write_case
    sed 's/"key": 3/"key": 33/' "$T/output.json" >"$T/wrong.json"
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$T/wrong.json"
    expect_rc 1
    err_has "33"
}

t_testrunner_refused_statement_exits_1_with_reason() {
    write_case
    cat >"$T/bad.sql" <<'EOF'
CREATE STREAM src (id INT KEY, name STRING, amount DOUBLE) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');
CREATE STREAM big AS SELECT id, nosuchcol FROM src;
EOF
    eddy_run test -s "$T/bad.sql" -i "$T/input.json" -o "$T/output.json"
    expect_rc 1
    err_has "NOSUCHCOL"
    err_has "line 2:"
}

t_testrunner_write_actual_holds_sink_records_as_json() {
    write_case
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$T/output.json" \
        --write-actual "$T/actual.json"
    expect_ok
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "BIG", "key": 1, "value": {"NAME": "a", "TWICE": 19.0}, "timestamp": 1000},
      {"topic": "BIG", "key": 3, "value": {"NAME": "c", "TWICE": 14.5}, "timestamp": 3000}]}'
}

# Without -o nothing is compared, and --write-actual still records the sink.
t_testrunner_write_actual_without_expected_output() {
    write_case
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" --write-actual "$T/actual.json"
    expect_ok
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "BIG", "key": 1, "value": {"NAME": "a", "TWICE": 19.0}, "timestamp": 1000},
      {"topic": "BIG", "key": 3, "value": {"NAME": "c", "TWICE": 14.5}, "timestamp": 3000}]}'
}

# The conformance scorer relies on this: on a mismatch the actual records
# are still written.
t_testrunner_write_actual_written_on_mismatch() {
    write_case
    sed 's/14\.5/14.0/' "$T/output.json" >"$T/wrong.json"
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$T/wrong.json" \
        --write-actual "$T/actual.json"
    expect_rc 1
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "BIG", "key": 1, "value": {"NAME": "a", "TWICE": 19.0}, "timestamp": 1000},
      {"topic": "BIG", "key": 3, "value": {"NAME": "c", "TWICE": 14.5}, "timestamp": 3000}]}'
}

# INSERT ... VALUES among the statements writes records the queries see,
# even when the INSERT comes before the query.
t_testrunner_insert_values_in_statements_reach_sink() {
    cat >"$T/statements.sql" <<'EOF'
CREATE STREAM src (id INT KEY, name STRING, amount DOUBLE) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');
INSERT INTO src (id, name, amount) VALUES (9, 'z', 10.0);
CREATE STREAM big AS SELECT id, name, amount * 2 AS twice FROM src WHERE amount > 5;
INSERT INTO src (id, name, amount) VALUES (10, 'y', 1.0);
EOF
    cat >"$T/output.json" <<'EOF'
{"outputs": [{"topic": "BIG", "key": 9, "value": {"NAME": "z", "TWICE": 20.0}}]}
EOF
    eddy_run test -s "$T/statements.sql" -o "$T/output.json"
    expect_ok
}

t_testrunner_unreadable_input_file_exits_1() {
    write_case
    printf '{"inputs": [\n' >"$T/broken.json"
    eddy_run test -s "$T/statements.sql" -i "$T/broken.json" -o "$T/output.json"
    expect_rc 1
    err_has "broken.json"
}

# A sink with several partitions reports its records in the order they were
# produced (as ksqlDB's test driver does), not partition by partition.
t_testrunner_multi_partition_sink_in_production_order() {
    cat >"$T/statements.sql" <<'EOF2'
CREATE STREAM src (id STRING KEY, n INT) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');
CREATE STREAM spread WITH (PARTITIONS=4) AS SELECT id, n FROM src;
EOF2
    cat >"$T/input.json" <<'EOF2'
{"inputs": [
  {"topic": "src", "key": "a", "value": {"N": 1}, "timestamp": 1},
  {"topic": "src", "key": "b", "value": {"N": 2}, "timestamp": 2},
  {"topic": "src", "key": "c", "value": {"N": 3}, "timestamp": 3},
  {"topic": "src", "key": "d", "value": {"N": 4}, "timestamp": 4},
  {"topic": "src", "key": "e", "value": {"N": 5}, "timestamp": 5},
  {"topic": "src", "key": "a", "value": {"N": 6}, "timestamp": 6},
  {"topic": "src", "key": "f", "value": {"N": 7}, "timestamp": 7},
  {"topic": "src", "key": "g", "value": {"N": 8}, "timestamp": 8}
]}
EOF2
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" --write-actual "$T/actual.json"
    expect_ok
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "SPREAD", "key": "a", "value": {"N": 1}, "timestamp": 1},
      {"topic": "SPREAD", "key": "b", "value": {"N": 2}, "timestamp": 2},
      {"topic": "SPREAD", "key": "c", "value": {"N": 3}, "timestamp": 3},
      {"topic": "SPREAD", "key": "d", "value": {"N": 4}, "timestamp": 4},
      {"topic": "SPREAD", "key": "e", "value": {"N": 5}, "timestamp": 5},
      {"topic": "SPREAD", "key": "a", "value": {"N": 6}, "timestamp": 6},
      {"topic": "SPREAD", "key": "f", "value": {"N": 7}, "timestamp": 7},
      {"topic": "SPREAD", "key": "g", "value": {"N": 8}, "timestamp": 8}]}'
}

# An input record without "timestamp" is produced at time 0, as ksqlDB's
# test runner does: its window is the first one.
t_testrunner_record_without_timestamp_is_at_time_0() {
    cat >"$T/statements.sql" <<'EOF2'
CREATE STREAM src (id STRING KEY, n INT) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='JSON');
CREATE TABLE counts AS SELECT id, COUNT(*) AS c FROM src WINDOW TUMBLING (SIZE 30 SECONDS) GROUP BY id;
EOF2
    cat >"$T/input.json" <<'EOF2'
{"inputs": [{"topic": "src", "key": "a", "value": {"N": 1}}]}
EOF2
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" --write-actual "$T/actual.json"
    expect_ok
    json_matches "$T/actual.json" '{"outputs": [{"topic": "COUNTS", "key": "a", "value": {"C": 1}, "timestamp": 0,
      "window": {"start": 0, "end": 30000, "type": "time"}}]}'
}

# An output file that expects no record at all says every sink stays empty
# (it fails when a query sent something); one that names some topics
# compares those, and notes the sinks it leaves out.
t_testrunner_empty_expected_output_fails_when_a_sink_got_records() {
    write_case
    echo '{"outputs": []}' >"$T/none.json"
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$T/none.json"
    expect_rc 1
    err_has "topic BIG: expected 0 records, got 2"
    cat >>"$T/statements.sql" <<'EOF2'
CREATE STREAM bigger AS SELECT id, twice FROM big;
EOF2
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$T/output.json"
    expect_ok
    err_has "note: topic BIGGER received records; not compared"
}
