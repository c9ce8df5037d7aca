# Aggregations into tables (CREATE TABLE ... AS SELECT ... GROUP BY): pull
# queries on their state, HAVING, the output topic as a changelog, state
# restored on restart, TUMBLING and HOPPING windows with grace periods (via
# `eddy test` and INSERT ... ROWTIME), and ksqlDB's messages for wrong
# GROUP BY queries.  The crash test is in test_aggregate_crash.sh.  The 48
# tests here take about 5 s together (10 s with the ASan build).
#
# A pull query is always run by a later process than the INSERTs it must
# see: a piped session lets the persistent queries take in what is there
# before it exits, whereas a pull query in the same session may run before
# the query has caught up (ksqlDB's pull queries are eventually consistent
# too).

# The source every table here reads: six sales in three regions.
#   east:  pen 10, ink 20, pen 15   west: cap 5, cap 8   north: ink 7
SALES_STREAM="CREATE STREAM sales (region STRING KEY, item STRING, amount INT) WITH (KAFKA_TOPIC='sales', VALUE_FORMAT='JSON', PARTITIONS=2);"
SALES_ROWS="INSERT INTO sales (region, item, amount) VALUES ('east', 'pen', 10);
INSERT INTO sales (region, item, amount) VALUES ('east', 'ink', 20);
INSERT INTO sales (region, item, amount) VALUES ('west', 'cap', 5);
INSERT INTO sales (region, item, amount) VALUES ('east', 'pen', 15);
INSERT INTO sales (region, item, amount) VALUES ('north', 'ink', 7);
INSERT INTO sales (region, item, amount) VALUES ('west', 'cap', 8);"
BY_REGION="CREATE TABLE by_region AS SELECT region, COUNT(*) AS n, SUM(amount) AS total, AVG(amount) AS avg_amount, MIN(amount) AS lo, MAX(amount) AS hi FROM sales GROUP BY region;"

# sales_with DIR TABLE_SQL [ROWS]: in one process, SALES, the statement(s)
# TABLE_SQL, then ROWS (default: the six sales).
sales_with() {
    printf '%s\n%s\n%s\n' "$SALES_STREAM" "$2" "${3-$SALES_ROWS}" >"$T/setup.sql"
    sql "$1" <"$T/setup.sql"
    expect_ok
}

# pull DIR SQL: run the pull query SQL in a new process; rows/headers read it.
pull() {
    printf '%s\n' "$2" >"$T/pull.sql"
    sql "$1" <"$T/pull.sql"
    expect_ok
    expect_eq "$(cat "$T/err")" "" "stderr of: $2"
}

# topic_records DIR TOPIC: the records of TOPIC, as `key|value` lines
# (value as stored, or `null` for a tombstone), partition by partition in
# offset order, read by `eddy consume --format json`.
topic_records() {
    eddy_run consume "$2" --from-beginning --format json --data "$1"
    expect_ok
    python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8", errors="strict"):
    r = json.loads(line)
    print("%s|%s" % (r["key"], "null" if r["value"] is None else r["value"]))
' "$T/out" >"$T/records" || fail "eddy consume $2 did not print one JSON record per line"
}

# ---- pull queries over a GROUP BY table -------------------------------

t_aggregate_pull_shows_count_sum_avg_min_max_per_group() {
    D=$(new_dir)
    sales_with "$D" "$BY_REGION"
    pull "$D" "SELECT * FROM by_region;"
    expect_eq "$(headers)" "REGION|N|TOTAL|AVG_AMOUNT|LO|HI" "columns of BY_REGION"
    # east: 10+20+15 = 45 / 3 = 15.0; west: 5+8 = 13 / 2 = 6.5; north: 7
    expect_eq "$(rows | sort)" "$(lines 'east|3|45|15.0|10|20' 'north|1|7|7.0|7|7' 'west|2|13|6.5|5|8')" \
        "BY_REGION"
}

t_aggregate_pull_where_on_key_returns_that_group_only() {
    D=$(new_dir)
    sales_with "$D" "$BY_REGION"
    pull "$D" "SELECT region, total FROM by_region WHERE region = 'west';"
    expect_eq "$(rows)" "west|13" "BY_REGION where region = 'west'"
}

t_aggregate_pull_where_on_aggregate_column_filters_groups() {
    D=$(new_dir)
    sales_with "$D" "$BY_REGION"
    pull "$D" "SELECT region, n FROM by_region WHERE n >= 2;"
    expect_eq "$(rows | sort)" "$(lines 'east|3' 'west|2')" "BY_REGION where n >= 2"
}

t_aggregate_pull_where_on_average_compares_as_double() {
    D=$(new_dir)
    sales_with "$D" "$BY_REGION"
    # averages 15.0, 7.0 and 6.5: only east is above 7
    pull "$D" "SELECT region, avg_amount FROM by_region WHERE avg_amount > 7;"
    expect_eq "$(rows)" "east|15.0" "BY_REGION where avg_amount > 7"
}

t_aggregate_pull_limit_returns_that_many_rows_of_the_table() {
    D=$(new_dir)
    sales_with "$D" "$BY_REGION"
    pull "$D" "SELECT region, n FROM by_region LIMIT 2;"
    rows >"$T/got"
    expect_eq "$(wc -l <"$T/got" | tr -d ' ')" 2 "number of rows with LIMIT 2"
    expect_eq "$(sort -u "$T/got" | wc -l | tr -d ' ')" 2 "distinct rows with LIMIT 2"
    lines 'east|3' 'north|1' 'west|2' >"$T/all"
    [ -z "$(sort "$T/got" | comm -23 - "$T/all")" ] || fail "LIMIT 2 gave rows not in the table: $(cat "$T/got")"
}

t_aggregate_collect_list_count_distinct_latest_and_earliest_by_offset() {
    D=$(new_dir)
    sales_with "$D" "CREATE TABLE items AS SELECT region, COLLECT_LIST(item) AS items, COUNT_DISTINCT(item) AS kinds, LATEST_BY_OFFSET(amount) AS last_amount, EARLIEST_BY_OFFSET(amount) AS first_amount FROM sales GROUP BY region;"
    pull "$D" "SELECT * FROM items;"
    expect_eq "$(headers)" "REGION|ITEMS|KINDS|LAST_AMOUNT|FIRST_AMOUNT" "columns of ITEMS"
    # a region's records share a partition, so offsets follow insert order
    expect_eq "$(rows | sort)" \
        "$(lines 'east|[pen, ink, pen]|2|15|10' 'north|[ink]|1|7|7' 'west|[cap, cap]|1|8|5')" "ITEMS"
}

t_aggregate_null_argument_is_skipped_but_row_counted_by_count_star() {
    D=$(new_dir)
    sales_with "$D" "CREATE TABLE amounts AS SELECT region, COUNT(*) AS n, COUNT(amount) AS priced, SUM(amount) AS total, AVG(amount) AS avg_amount, MIN(amount) AS lo FROM sales GROUP BY region;" \
        "INSERT INTO sales (region, item, amount) VALUES ('south', 'pen', 4);
INSERT INTO sales (region, item) VALUES ('south', 'mug');
INSERT INTO sales (region, item, amount) VALUES ('south', 'ink', 6);"
    pull "$D" "SELECT * FROM amounts;"
    # 3 rows, 2 with an amount: 4 + 6 = 10, average 10 / 2 = 5.0
    expect_eq "$(rows)" "south|3|2|10|5.0|4" "AMOUNTS with a NULL amount"
}

# ---- HAVING -----------------------------------------------------------

t_aggregate_having_hides_groups_from_pull() {
    D=$(new_dir)
    sales_with "$D" "CREATE TABLE busy AS SELECT region, COUNT(*) AS n FROM sales GROUP BY region HAVING COUNT(*) >= 2;"
    pull "$D" "SELECT * FROM busy;"
    expect_eq "$(rows | sort)" "$(lines 'east|3' 'west|2')" "BUSY (north has one sale)"
}

# east's total is 10, then 30: it was in SMALL and is not any more.
t_aggregate_having_removes_group_once_it_fails() {
    D=$(new_dir)
    sales_with "$D" "CREATE TABLE small AS SELECT region, SUM(amount) AS total FROM sales GROUP BY region HAVING SUM(amount) < 20;"
    pull "$D" "SELECT * FROM small;"
    expect_eq "$(rows | sort)" "$(lines 'north|7' 'west|13')" "SMALL (east totals 45)"
}

t_aggregate_pull_where_and_having_both_apply() {
    D=$(new_dir)
    sales_with "$D" "CREATE TABLE busy AS SELECT region, COUNT(*) AS n, SUM(amount) AS total FROM sales GROUP BY region HAVING COUNT(*) >= 2;"
    pull "$D" "SELECT region FROM busy WHERE total < 20;"
    # west (2 sales, 13) passes both; north (7) fails HAVING; east (45) WHERE
    expect_eq "$(rows)" "west" "BUSY where total < 20"
}

# ---- the output topic: a changelog ------------------------------------

t_aggregate_output_topic_has_one_record_per_update() {
    D=$(new_dir)
    sales_with "$D" "CREATE TABLE counts AS SELECT region, COUNT(*) AS n, SUM(amount) AS total FROM sales GROUP BY region;"
    topic_records "$D" COUNTS
    expect_eq "$(wc -l <"$T/records" | tr -d ' ')" 6 "records in COUNTS (one per sale)"
    expect_eq "$(grep '^east|' "$T/records")" \
        "$(lines 'east|{"N":1,"TOTAL":10}' 'east|{"N":2,"TOTAL":30}' 'east|{"N":3,"TOTAL":45}')" \
        "east's records in COUNTS"
}

t_aggregate_having_turning_false_writes_a_tombstone() {
    D=$(new_dir)
    sales_with "$D" "CREATE TABLE small AS SELECT region, SUM(amount) AS total FROM sales GROUP BY region HAVING SUM(amount) < 20;" \
        "INSERT INTO sales (region, item, amount) VALUES ('east', 'pen', 10);
INSERT INTO sales (region, item, amount) VALUES ('east', 'ink', 20);"
    topic_records "$D" SMALL
    expect_eq "$(cat "$T/records")" "$(lines 'east|{"TOTAL":10}' 'east|null')" "SMALL's records"
}

# ksqlDB filters the table with the old value at hand: a group that was
# not in the table gets no tombstone (its test having.json, "table having").
t_aggregate_having_never_true_writes_nothing() {
    D=$(new_dir)
    sales_with "$D" "CREATE TABLE small AS SELECT region, SUM(amount) AS total FROM sales GROUP BY region HAVING SUM(amount) < 20;" \
        "INSERT INTO sales (region, item, amount) VALUES ('north', 'ink', 70);
INSERT INTO sales (region, item, amount) VALUES ('west', 'cap', 5);"
    topic_records "$D" SMALL
    expect_eq "$(cat "$T/records")" 'west|{"TOTAL":5}' "SMALL's records"
}

t_aggregate_having_false_again_writes_no_second_tombstone() {
    D=$(new_dir)
    sales_with "$D" "CREATE TABLE small AS SELECT region, SUM(amount) AS total FROM sales GROUP BY region HAVING SUM(amount) < 20;" \
        "INSERT INTO sales (region, item, amount) VALUES ('east', 'pen', 10);
INSERT INTO sales (region, item, amount) VALUES ('east', 'ink', 20);
INSERT INTO sales (region, item, amount) VALUES ('east', 'pen', 15);"
    topic_records "$D" SMALL
    expect_eq "$(cat "$T/records")" "$(lines 'east|{"TOTAL":10}' 'east|null')" "SMALL's records"
}

# ---- restart ----------------------------------------------------------

# Session 2 adds to a restored store; session 3 reads it: each sale counted
# once, whichever session it came in.
t_aggregate_restart_restores_state_and_adds_new_rows() {
    D=$(new_dir)
    sales_with "$D" "$BY_REGION"
    sql "$D" <<'EOF'
INSERT INTO sales (region, item, amount) VALUES ('east', 'mug', 5);
INSERT INTO sales (region, item, amount) VALUES ('south', 'pen', 3);
EOF
    expect_ok
    pull "$D" "SELECT * FROM by_region;"
    # east: 10+20+15+5 = 50 / 4 = 12.5, min now 5
    expect_eq "$(rows | sort)" \
        "$(lines 'east|4|50|12.5|5|20' 'north|1|7|7.0|7|7' 'south|1|3|3.0|3|3' 'west|2|13|6.5|5|8')" \
        "BY_REGION after a restart and two more sales"
}

t_aggregate_restart_restores_collect_list_and_count_distinct() {
    D=$(new_dir)
    sales_with "$D" "CREATE TABLE items AS SELECT region, COLLECT_LIST(item) AS items, COUNT_DISTINCT(item) AS kinds FROM sales GROUP BY region;"
    sql "$D" <<'EOF'
INSERT INTO sales (region, item, amount) VALUES ('east', 'cap', 1);
EOF
    expect_ok
    pull "$D" "SELECT * FROM items WHERE region = 'east';"
    expect_eq "$(rows)" "east|[pen, ink, pen, cap]|3" "east in ITEMS after a restart"
}

# Records that reach the source after CREATE TABLE returned belong to the
# query, even when no process ran it in between: here `eddy produce`
# appends two before the next session (kill -9 before the query's first
# commit loses records the same way).
t_aggregate_query_counts_records_appended_before_it_first_ran() {
    D=$(new_dir)
    sales_with "$D" "CREATE TABLE counts AS SELECT region, COUNT(*) AS n FROM sales GROUP BY region;" ""
    printf '%s\n' 'east	{"ITEM":"pen","AMOUNT":10}' 'east	{"ITEM":"ink","AMOUNT":20}' >"$T/produce.txt"
    eddy_run produce sales --kv --data "$D" <"$T/produce.txt"
    expect_ok
    sql "$D" <<'EOF'
INSERT INTO sales (region, item, amount) VALUES ('east', 'pen', 15);
EOF
    expect_ok
    pull "$D" "SELECT * FROM counts;"
    expect_eq "$(rows)" "east|3" "COUNTS after two produced records and one INSERT"
}

# Reopening writes nothing to the output topic; new rows continue east's
# changelog where it stopped.
t_aggregate_restart_continues_output_changelog() {
    D=$(new_dir)
    sales_with "$D" "CREATE TABLE counts AS SELECT region, COUNT(*) AS n FROM sales GROUP BY region;"
    sql "$D" <<'EOF'
SHOW TABLES;
EOF
    expect_ok
    sql "$D" <<'EOF'
INSERT INTO sales (region, item, amount) VALUES ('east', 'mug', 5);
EOF
    expect_ok
    topic_records "$D" COUNTS
    expect_eq "$(grep '^east|' "$T/records")" \
        "$(lines 'east|{"N":1}' 'east|{"N":2}' 'east|{"N":3}' 'east|{"N":4}')" "east's records in COUNTS"
    expect_eq "$(wc -l <"$T/records" | tr -d ' ')" 7 "records in COUNTS (one per sale)"
}

# ---- windows: `eddy test` with event times -----------------------------

# window_case SQL_WINDOW INPUT_RECORDS: statements.sql with a one-partition
# stream CLICKS and a table PER_USER counting clicks per user in the given
# window; input.json with INPUT_RECORDS (`user timestamp` per line).
window_case() {
    cat >"$T/statements.sql" <<EOF
CREATE STREAM clicks (user STRING KEY, page STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE per_user AS SELECT user, COUNT(*) AS n FROM clicks WINDOW $1 GROUP BY user;
EOF
    printf '%s\n' "$2" | awk 'BEGIN { printf "{\"inputs\": [" }
        NF { printf "%s\n  {\"topic\": \"clicks\", \"key\": \"%s\", \"value\": {\"PAGE\": \"p\"}, \"timestamp\": %s}", (n++ ? "," : ""), $1, $2 }
        END { print "\n]}" }' >"$T/input.json"
}

# expected_outputs FILE RECORDS: output.json for PER_USER from RECORDS
# (`user start end n` per line); no timestamps, so they are not compared.
expected_outputs() {
    printf '%s\n' "$2" | awk 'BEGIN { printf "{\"outputs\": [" }
        NF { printf "%s\n  {\"topic\": \"PER_USER\", \"key\": \"%s\", \"window\": {\"start\": %s, \"end\": %s, \"type\": \"time\"}, \"value\": {\"N\": %s}}", (n++ ? "," : ""), $1, $2, $3, $4 }
        END { print "\n]}" }' >"$1"
}

run_window_case() {
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$1"
}

# Tumbling 10 s windows, 5 s grace.  Stream time: 1000, 12000, 12000,
# 14000, 21000, 21000, 21000.  u1@9000 is out of order but its window
# [0,10000) closes at 15000 > 12000: counted.  u1@4000 comes when stream
# time is 21000 >= 15000: dropped.  u2@19999: [10000,20000) closes at
# 25000 > 21000: counted.
TUMBLING_INPUT="u1 1000
u1 12000
u1 9000
u2 14000
u1 21000
u1 4000
u2 19999"
TUMBLING_OUTPUT="u1 0 10000 1
u1 10000 20000 1
u1 0 10000 2
u2 10000 20000 1
u1 20000 30000 1
u2 10000 20000 2"

t_aggregate_tumbling_window_counts_match_expected_output() {
    window_case "TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS)" "$TUMBLING_INPUT"
    expected_outputs "$T/output.json" "$TUMBLING_OUTPUT"
    run_window_case "$T/output.json"
    expect_ok
}

t_aggregate_tumbling_wrong_expected_count_exits_1() {
    window_case "TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS)" "$TUMBLING_INPUT"
    # as if the late u1@4000 had been counted
    expected_outputs "$T/wrong.json" "$(printf '%s\n' "$TUMBLING_OUTPUT" | sed '5a\
u1 0 10000 3')"
    run_window_case "$T/wrong.json"
    expect_rc 1
    err_has "PER_USER"
}

t_aggregate_tumbling_wrong_expected_window_exits_1() {
    window_case "TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS)" "$TUMBLING_INPUT"
    # u2's second count put in the window after its own
    expected_outputs "$T/wrong.json" "$(printf '%s\n' "$TUMBLING_OUTPUT" | sed '$s/.*/u2 20000 30000 2/')"
    run_window_case "$T/wrong.json"
    expect_rc 1
    err_has "PER_USER"
}

t_aggregate_tumbling_record_beyond_grace_is_dropped() {
    # [0,10000) closes at 15000; stream time 16000 when u1@2000 comes
    window_case "TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS)" "u1 1000
u1 16000
u1 2000"
    expected_outputs "$T/output.json" "u1 0 10000 1
u1 10000 20000 1"
    run_window_case "$T/output.json"
    expect_ok
}

t_aggregate_tumbling_record_at_end_plus_grace_is_dropped() {
    # stream time 15000 = end 10000 + grace 5000: the window is closed
    window_case "TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS)" "u1 1000
u1 15000
u1 2000"
    expected_outputs "$T/output.json" "u1 0 10000 1
u1 10000 20000 1"
    run_window_case "$T/output.json"
    expect_ok
}

t_aggregate_tumbling_record_1ms_before_close_is_counted() {
    # stream time 14999 < 15000: the window is still open
    window_case "TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS)" "u1 1000
u1 14999
u1 2000"
    expected_outputs "$T/output.json" "u1 0 10000 1
u1 10000 20000 1
u1 0 10000 2"
    run_window_case "$T/output.json"
    expect_ok
}

# Stream time belongs to the input partition, not to a key: u2's record is
# judged late by the stream time that u1's record advanced.
t_aggregate_tumbling_stream_time_is_shared_by_keys_of_a_partition() {
    window_case "TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS)" "u2 1000
u1 30000
u2 2000"
    expected_outputs "$T/output.json" "u2 0 10000 1
u1 30000 40000 1"
    run_window_case "$T/output.json"
    expect_ok
}

# Hopping 10 s windows every 5 s: a record is in the two windows that cover
# it (windows start at 0 or later, as Kafka Streams' windowsFor gives them).
t_aggregate_hopping_record_counted_in_each_covering_window() {
    window_case "HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS)" "u1 1000
u1 7000
u1 12000"
    # 1000: [0,10000); 7000: [0,10000) [5000,15000);
    # 12000: [5000,15000) [10000,20000)
    expected_outputs "$T/output.json" "u1 0 10000 1
u1 0 10000 2
u1 5000 15000 1
u1 5000 15000 2
u1 10000 20000 1"
    run_window_case "$T/output.json"
    expect_ok
}

t_aggregate_hopping_wrong_expected_count_exits_1() {
    window_case "HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS)" "u1 1000
u1 7000
u1 12000"
    expected_outputs "$T/wrong.json" "u1 0 10000 1
u1 0 10000 2
u1 5000 15000 1
u1 5000 15000 2
u1 10000 20000 2"
    run_window_case "$T/wrong.json"
    expect_rc 1
    err_has "PER_USER"
}

# With a 2 s grace, u1@6000 at stream time 12000 is late for [0,10000)
# (closed at 12000) but not for [5000,15000) (open until 17000).
t_aggregate_hopping_late_for_one_window_counted_in_the_other() {
    window_case "HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS, GRACE PERIOD 2 SECONDS)" "u1 12000
u1 6000"
    expected_outputs "$T/output.json" "u1 5000 15000 1
u1 10000 20000 1
u1 5000 15000 2"
    run_window_case "$T/output.json"
    expect_ok
}

t_aggregate_window_bounds_selectable_as_columns() {
    cat >"$T/statements.sql" <<'EOF'
CREATE STREAM clicks (user STRING KEY, page STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE per_user AS SELECT user, WINDOWSTART AS ws, WINDOWEND AS we, COUNT(*) AS n FROM clicks WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS) GROUP BY user;
EOF
    cat >"$T/input.json" <<'EOF'
{"inputs": [{"topic": "clicks", "key": "u1", "value": {"PAGE": "p"}, "timestamp": 7000}]}
EOF
    cat >"$T/output.json" <<'EOF'
{"outputs": [
  {"topic": "PER_USER", "key": "u1", "window": {"start": 0, "end": 10000, "type": "time"}, "value": {"WS": 0, "WE": 10000, "N": 1}},
  {"topic": "PER_USER", "key": "u1", "window": {"start": 5000, "end": 15000, "type": "time"}, "value": {"WS": 5000, "WE": 15000, "N": 1}}
]}
EOF
    run_window_case "$T/output.json"
    expect_ok
}

# Kafka Streams stamps an updated window with the larger of the record's
# and the window's timestamps (KStreamWindowAggregate: newTimestamp =
# max(record, old)), so an out-of-order record does not move it back.
t_aggregate_window_update_keeps_the_latest_timestamp() {
    window_case "TUMBLING (SIZE 10 SECONDS)" "u1 8000
u1 2000"
    cat >"$T/output.json" <<'EOF'
{"outputs": [
  {"topic": "PER_USER", "key": "u1", "window": {"start": 0, "end": 10000, "type": "time"}, "value": {"N": 1}, "timestamp": 8000},
  {"topic": "PER_USER", "key": "u1", "window": {"start": 0, "end": 10000, "type": "time"}, "value": {"N": 2}, "timestamp": 8000}
]}
EOF
    run_window_case "$T/output.json"
    expect_ok
}

# ---- windows: INSERT ... ROWTIME and pull queries ----------------------

# WS | N per window of u1, from a one-partition stream.
WINDOWED_TABLE="CREATE STREAM clicks (user STRING KEY, page STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE per_user AS SELECT user, WINDOWSTART AS ws, COUNT(*) AS n FROM clicks WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY user;"

t_aggregate_pull_on_windowed_table_gives_a_row_per_window() {
    D=$(new_dir)
    printf '%s\n' "$WINDOWED_TABLE" >"$T/setup.sql"
    cat >>"$T/setup.sql" <<'EOF'
INSERT INTO clicks (ROWTIME, user, page) VALUES (1000, 'u1', 'a');
INSERT INTO clicks (ROWTIME, user, page) VALUES (12000, 'u1', 'b');
INSERT INTO clicks (ROWTIME, user, page) VALUES (9999, 'u1', 'c');
INSERT INTO clicks (ROWTIME, user, page) VALUES (10000, 'u2', 'd');
EOF
    sql "$D" <"$T/setup.sql"
    expect_ok
    pull "$D" "SELECT user, ws, n FROM per_user;"
    expect_eq "$(rows | sort)" "$(lines 'u1|0|2' 'u1|10000|1' 'u2|10000|1')" "PER_USER"
}

# Without GRACE PERIOD the grace is 24 hours: a record 23 h behind stream
# time still counts, one 24 h behind its window's end does not.
t_aggregate_default_grace_period_is_24_hours() {
    D=$(new_dir)
    # RETENTION 2 DAYS: the store keeps window [0,10000) past stream time
    # 86410000 (size + grace would expire it there) for the pull query
    printf '%s\n' "$WINDOWED_TABLE" | sed 's/(SIZE 10 SECONDS)/(SIZE 10 SECONDS, RETENTION 2 DAYS)/' >"$T/setup.sql"
    cat >>"$T/setup.sql" <<'EOF'
INSERT INTO clicks (ROWTIME, user, page) VALUES (1000, 'u1', 'a');
INSERT INTO clicks (ROWTIME, user, page) VALUES (82800000, 'u1', 'b');
INSERT INTO clicks (ROWTIME, user, page) VALUES (2000, 'u1', 'c');
INSERT INTO clicks (ROWTIME, user, page) VALUES (86410000, 'u1', 'd');
INSERT INTO clicks (ROWTIME, user, page) VALUES (3000, 'u1', 'e');
EOF
    sql "$D" <"$T/setup.sql"
    expect_ok
    pull "$D" "SELECT ws, n FROM per_user;"
    # 2000 at stream time 82800000 (23 h): [0,10000) closes at 86410000,
    # counted; 3000 at stream time 86410000: closed, dropped
    expect_eq "$(rows | sort -n)" "$(lines '0|2' '82800000|1' '86410000|1')" "PER_USER"
}

# Stream time survives a restart: a record late for the stream time of the
# first session is dropped by the second.  (RETENTION 1 HOUR keeps window
# [0,10000) in the store for the pull query.)
t_aggregate_restart_keeps_stream_time_late_record_dropped() {
    D=$(new_dir)
    cat >"$T/setup.sql" <<'EOF'
CREATE STREAM clicks (user STRING KEY, page STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE per_user AS SELECT user, WINDOWSTART AS ws, COUNT(*) AS n FROM clicks WINDOW TUMBLING (SIZE 10 SECONDS, RETENTION 1 HOUR, GRACE PERIOD 5 SECONDS) GROUP BY user;
INSERT INTO clicks (ROWTIME, user, page) VALUES (1000, 'u1', 'a');
INSERT INTO clicks (ROWTIME, user, page) VALUES (30000, 'u1', 'b');
EOF
    sql "$D" <"$T/setup.sql"
    expect_ok
    sql "$D" <<'EOF'
INSERT INTO clicks (ROWTIME, user, page) VALUES (2000, 'u1', 'c');
EOF
    expect_ok
    pull "$D" "SELECT ws, n FROM per_user;"
    expect_eq "$(rows | sort -n)" "$(lines '0|1' '30000|1')" "PER_USER after a restart"
}

t_aggregate_pull_where_on_windowstart_selects_windows() {
    D=$(new_dir)
    printf '%s\n' "$WINDOWED_TABLE" >"$T/setup.sql"
    cat >>"$T/setup.sql" <<'EOF'
INSERT INTO clicks (ROWTIME, user, page) VALUES (1000, 'u1', 'a');
INSERT INTO clicks (ROWTIME, user, page) VALUES (12000, 'u1', 'b');
INSERT INTO clicks (ROWTIME, user, page) VALUES (25000, 'u1', 'c');
EOF
    sql "$D" <"$T/setup.sql"
    expect_ok
    pull "$D" "SELECT user, WINDOWSTART, WINDOWEND, n FROM per_user WHERE WINDOWSTART >= 10000;"
    expect_eq "$(headers)" "USER|WINDOWSTART|WINDOWEND|N" "columns"
    expect_eq "$(rows | sort)" "$(lines 'u1|10000|20000|1' 'u1|20000|30000|1')" \
        "PER_USER where WINDOWSTART >= 10000"
}

# ksqlDB's pull queries on a windowed table give each row's window:
# SELECT * has WINDOWSTART and WINDOWEND after the key columns (its
# pull-queries-against-materialized-aggregates.json, "windowed - select
# star").
t_aggregate_pull_select_star_on_windowed_table_shows_window_bounds() {
    D=$(new_dir)
    printf '%s\n' "$SALES_STREAM" \
        "CREATE TABLE w AS SELECT region, COUNT(*) AS n FROM sales WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY region;" \
        "INSERT INTO sales (ROWTIME, region, item, amount) VALUES (1000, 'east', 'pen', 1);" \
        "INSERT INTO sales (ROWTIME, region, item, amount) VALUES (12000, 'east', 'pen', 1);" >"$T/setup.sql"
    sql "$D" <"$T/setup.sql"
    expect_ok
    pull "$D" "SELECT * FROM w;"
    expect_eq "$(headers)" "REGION|WINDOWSTART|WINDOWEND|N" "columns of a pull query on W"
    expect_eq "$(rows | sort)" "$(lines 'east|0|10000|1' 'east|10000|20000|1')" "W"
}

# `eddy consume --format json` prints one JSON object per line, also when a
# windowed key ends in window-start bytes that are not UTF-8 (1080000 is
# 0x107AC0: the byte 0xC0 alone).
t_aggregate_windowed_output_topic_reads_as_json() {
    D=$(new_dir)
    printf '%s\n' "$SALES_STREAM" \
        "CREATE TABLE w AS SELECT region, COUNT(*) AS n FROM sales WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY region;" \
        "INSERT INTO sales (ROWTIME, region, item, amount) VALUES (1080000, 'east', 'pen', 1);" >"$T/setup.sql"
    sql "$D" <"$T/setup.sql"
    expect_ok
    topic_records "$D" W
    expect_eq "$(cut -d"|" -f2 "$T/records")" '{"N":1}' "the value of W's record"
}

# ---- errors -----------------------------------------------------------

# refused DIR SQL MESSAGE...: SQL is refused with exit status 1, and stderr
# has each MESSAGE as a whole line or at the end of the `stdin: line L:C:`
# line.
refused() {
    _d=$1 _q=$2
    shift 2
    printf '%s\n' "$_q" >"$T/bad.sql"
    sql "$_d" <"$T/bad.sql"
    expect_rc 1
    for _m in "$@"; do
        awk -v m="$_m" '$0 == m || (length($0) > length(m) + 2 && substr($0, length($0) - length(m) - 1) == ": " m) { found = 1 }
            END { exit !found }' "$T/err" || fail "stderr lacks the line: $_m"
    done
}

# sales_only DIR: a data directory with SALES and nothing else.
sales_only() {
    printf '%s\n' "$SALES_STREAM" >"$T/setup.sql"
    sql "$1" <"$T/setup.sql"
    expect_ok
}

t_aggregate_error_non_aggregate_column_not_in_group_by() {
    D=$(new_dir)
    sales_only "$D"
    refused "$D" "CREATE TABLE t AS SELECT region, item, COUNT(*) AS n FROM sales GROUP BY region;" \
        "Non-aggregate SELECT expression(s) not part of GROUP BY: ITEM" \
        "Either add the column(s) to the GROUP BY or remove them from the SELECT."
}

t_aggregate_error_lists_every_non_aggregate_column() {
    D=$(new_dir)
    sales_only "$D"
    refused "$D" "CREATE TABLE t AS SELECT region, item, amount, COUNT(*) AS n FROM sales GROUP BY region;" \
        "Non-aggregate SELECT expression(s) not part of GROUP BY: ITEM, AMOUNT"
}

t_aggregate_error_grouping_key_missing_from_projection() {
    D=$(new_dir)
    sales_only "$D"
    refused "$D" "CREATE TABLE t AS SELECT COUNT(*) AS n FROM sales GROUP BY region;" \
        "The query used to build \`T\` must include the grouping expression REGION in its projection (eg, SELECT REGION...)."
}

t_aggregate_error_group_by_without_aggregate_function() {
    D=$(new_dir)
    sales_only "$D"
    refused "$D" "CREATE TABLE t AS SELECT region FROM sales GROUP BY region;" \
        "GROUP BY requires aggregate functions in either the SELECT or HAVING clause."
}

t_aggregate_error_aggregate_function_in_group_by() {
    D=$(new_dir)
    sales_only "$D"
    refused "$D" "CREATE TABLE t AS SELECT COUNT(*) AS n FROM sales GROUP BY SUM(amount);" \
        "GROUP BY does not support aggregate functions: SUM is an aggregate function."
}

t_aggregate_error_create_stream_with_group_by() {
    D=$(new_dir)
    sales_only "$D"
    refused "$D" "CREATE STREAM t AS SELECT region, COUNT(*) AS n FROM sales GROUP BY region;" \
        "Invalid result type. Your SELECT query produces a TABLE. Please use CREATE TABLE AS SELECT statement instead."
}

t_aggregate_error_window_without_group_by() {
    D=$(new_dir)
    sales_only "$D"
    refused "$D" "CREATE TABLE t AS SELECT region, COUNT(*) AS n FROM sales WINDOW TUMBLING (SIZE 10 SECONDS);" \
        "WINDOW clause requires a GROUP BY clause."
}

# ksqlDB's AggregateAnalyzer names the column, with its own advice.
t_aggregate_error_non_aggregate_column_in_having() {
    D=$(new_dir)
    sales_only "$D"
    refused "$D" "CREATE TABLE t AS SELECT region, COUNT(*) AS n FROM sales GROUP BY region HAVING amount > 1;" \
        "Non-aggregate HAVING expression not part of GROUP BY: AMOUNT" \
        "Consider switching the HAVING clause to a WHERE clause before the GROUP BY."
}

# ksqlDB rewrites COUNT(*) as COUNT(ROWTIME) before it checks (its test
# group-by.json, "create table as select COUNT with no group by").
t_aggregate_error_count_star_without_group_by() {
    D=$(new_dir)
    sales_only "$D"
    refused "$D" "CREATE TABLE t AS SELECT COUNT(*) FROM sales;" \
        "CREATE TABLE AS SELECT statement does not support aggregate function [COUNT(ROWTIME)] without a GROUP BY clause."
}

# ksqlDB's test window-bounds.json, "windowed group by - window bounds in
# HAVING".
t_aggregate_error_window_bounds_in_having() {
    D=$(new_dir)
    sales_only "$D"
    refused "$D" "CREATE TABLE t AS SELECT region, COUNT(*) AS n FROM sales WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY region HAVING WINDOWSTART > 0;" \
        "Window bounds column WINDOWSTART can only be used in the SELECT clause of windowed aggregations and can not be passed to aggregate functions."
}

t_aggregate_error_refused_table_is_not_created() {
    D=$(new_dir)
    sales_only "$D"
    refused "$D" "CREATE TABLE t AS SELECT region, item, COUNT(*) AS n FROM sales GROUP BY region;"
    sql "$D" <<'EOF'
SHOW TABLES;
SHOW QUERIES;
SHOW TOPICS;
EOF
    expect_ok
    # no table, no query; the only topics are sales and the processing log
    expect_eq "$(rows | cut -d'|' -f1)" "$(lines default_ksql_processing_log sales)" \
        "tables, queries and topics after the refusal"
}

t_aggregate_error_pull_on_table_without_group_by_is_not_queryable() {
    D=$(new_dir)
    sql "$D" <<'EOF'
CREATE TABLE prices (item STRING PRIMARY KEY, price INT) WITH (KAFKA_TOPIC='prices', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO prices (item, price) VALUES ('pen', 2);
EOF
    expect_ok
    sql "$D" <<'EOF'
SELECT * FROM prices;
EOF
    expect_rc 1
    err_has "The \`PRICES\` table isn't queryable."
}

# EMIT FINAL: windows still open when Eddy stops are found again after a
# restart, later records of their keys update them, and each key's final
# result comes once, when stream time passes the window's end, stamped
# with the key's latest record in the window as without the restart.
t_aggregate_emit_final_windows_open_across_restart_close_once() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM s (k STRING KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE m AS SELECT k, MAX(v) AS top FROM s WINDOW TUMBLING (SIZE 10 MILLISECONDS, GRACE PERIOD 0 MILLISECONDS) GROUP BY k EMIT FINAL;
INSERT INTO s (ROWTIME, k, v) VALUES (1, 'a', 1);
INSERT INTO s (ROWTIME, k, v) VALUES (2, 'b', 5);
INSERT INTO s (ROWTIME, k, v) VALUES (3, 'a', 4);
EOF2
    expect_ok
    sql "$D" <<'EOF2'
INSERT INTO s (ROWTIME, k, v) VALUES (4, 'c', 7);
INSERT INTO s (ROWTIME, k, v) VALUES (5, 'b', 2);
INSERT INTO s (ROWTIME, k, v) VALUES (6, 'a', 3);
EOF2
    expect_ok
    eddy_run consume M --from-beginning --data "$D"
    expect_ok
    expect_eq "$(cat "$T/out")" "" "results before the window closed"
    sql "$D" <<'EOF2'
INSERT INTO s (ROWTIME, k, v) VALUES (25, 'a', 9);
EOF2
    expect_ok
    eddy_run consume M --from-beginning --format json --data "$D"
    expect_ok
    got=$(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r["key"][:1], r["timestamp"], json.loads(r["value"])["TOP"])
' "$T/out" | sort)
    expect_eq "$got" "$(lines 'a 6 4' 'b 5 5' 'c 4 7')" "final results"
}
