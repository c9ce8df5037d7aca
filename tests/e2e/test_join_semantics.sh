# Join semantics a user relies on: a table row deleted after a stream-table
# join stops matching, a foreign-key join follows a row whose foreign key
# changes, a stream-stream join re-keyed on value columns meets records
# that arrive out of order and late, a stream joined with two tables, and
# a stream-stream join's window store surviving a restart, and a table row
# updated (or undecodable) after stream records met it.

# Runs statements ($T/statements.sql) over input records (stdin) through
# `eddy test`; the records written are in $T/actual.json.
join_test_run() {
    cat >"$T/input.json"
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" --write-actual "$T/actual.json"
    expect_ok
}

# A table row deleted (a tombstone) no longer joins: the INNER join drops
# the next click, the LEFT join gives it NULLs.
t_join_table_tombstone_after_stream_table_join() {
    cat >"$T/statements.sql" <<'EOF'
CREATE TABLE users (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM clicks (uid INT, page STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM inner_clicks AS SELECT c.uid AS uid, page, name FROM clicks c JOIN users u ON c.uid = u.id;
CREATE STREAM left_clicks AS SELECT c.uid AS uid, page, name FROM clicks c LEFT JOIN users u ON c.uid = u.id;
EOF
    join_test_run <<'EOF'
{"inputs": [
  {"topic": "users", "key": 1, "value": {"NAME": "ann"}, "timestamp": 0},
  {"topic": "clicks", "value": {"UID": 1, "PAGE": "a"}, "timestamp": 10},
  {"topic": "users", "key": 1, "value": null, "timestamp": 20},
  {"topic": "clicks", "value": {"UID": 1, "PAGE": "b"}, "timestamp": 30}
]}
EOF
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "INNER_CLICKS", "key": 1, "value": {"PAGE": "a", "NAME": "ann"}, "timestamp": 10},
      {"topic": "LEFT_CLICKS", "key": 1, "value": {"PAGE": "a", "NAME": "ann"}, "timestamp": 10},
      {"topic": "LEFT_CLICKS", "key": 1, "value": {"PAGE": "b", "NAME": null}, "timestamp": 30}
    ]}'
}

# Order 10 points at customer 1, then moves to customer 2: customer 1's
# later changes no longer reach it, customer 2's do; moving to a customer
# that does not exist deletes the joined row (INNER), after which customer
# 2's deletion changes nothing.
t_join_foreign_key_follows_a_changed_key() {
    cat >"$T/statements.sql" <<'EOF'
CREATE TABLE orders (id INT PRIMARY KEY, cust INT, amount INT) WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE customers (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='customers', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE order_names AS SELECT o.id AS id, amount, name FROM orders o JOIN customers c ON o.cust = c.id;
EOF
    join_test_run <<'EOF'
{"inputs": [
  {"topic": "customers", "key": 1, "value": {"NAME": "ann"}, "timestamp": 0},
  {"topic": "customers", "key": 2, "value": {"NAME": "bob"}, "timestamp": 1},
  {"topic": "orders", "key": 10, "value": {"CUST": 1, "AMOUNT": 5}, "timestamp": 2},
  {"topic": "customers", "key": 1, "value": {"NAME": "anne"}, "timestamp": 3},
  {"topic": "orders", "key": 10, "value": {"CUST": 2, "AMOUNT": 5}, "timestamp": 4},
  {"topic": "customers", "key": 1, "value": {"NAME": "annie"}, "timestamp": 5},
  {"topic": "customers", "key": 2, "value": {"NAME": "bobby"}, "timestamp": 6},
  {"topic": "orders", "key": 10, "value": {"CUST": 3, "AMOUNT": 5}, "timestamp": 7},
  {"topic": "customers", "key": 2, "value": null, "timestamp": 8}
]}
EOF
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "ORDER_NAMES", "key": 10, "value": {"AMOUNT": 5, "NAME": "ann"}, "timestamp": 2},
      {"topic": "ORDER_NAMES", "key": 10, "value": {"AMOUNT": 5, "NAME": "anne"}, "timestamp": 3},
      {"topic": "ORDER_NAMES", "key": 10, "value": {"AMOUNT": 5, "NAME": "bob"}, "timestamp": 4},
      {"topic": "ORDER_NAMES", "key": 10, "value": {"AMOUNT": 5, "NAME": "bobby"}, "timestamp": 6},
      {"topic": "ORDER_NAMES", "key": 10, "value": null, "timestamp": 7}
    ]}'
}

# Two streams joined on a value column (their record keys differ), FULL
# OUTER WITHIN 10 SECONDS GRACE PERIOD 0: x1 and y1 meet; x2 arrives out of
# order (before y2 in time) and still meets it; x3 meets nothing and joins
# NULLs once stream time (y4 at 30 s) passes its window; the late record
# (1 s, long after its window closed) meets nothing and joins NULLs at
# once; y4's window never closes, so it stays held.
t_join_stream_stream_rekeyed_full_outer_out_of_order_and_late() {
    cat >"$T/statements.sql" <<'EOF'
CREATE STREAM a (k STRING KEY, ref INT, x STRING) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM b (k STRING KEY, ref INT, y STRING) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM ab AS SELECT ROWKEY AS ref, x, y FROM a FULL OUTER JOIN b WITHIN 10 SECONDS GRACE PERIOD 0 SECONDS ON a.ref = b.ref;
EOF
    join_test_run <<'EOF'
{"inputs": [
  {"topic": "a", "key": "p", "value": {"REF": 1, "X": "x1"}, "timestamp": 10000},
  {"topic": "b", "key": "q", "value": {"REF": 1, "Y": "y1"}, "timestamp": 12000},
  {"topic": "b", "key": "r", "value": {"REF": 2, "Y": "y2"}, "timestamp": 15000},
  {"topic": "a", "key": "s", "value": {"REF": 2, "X": "x2"}, "timestamp": 9000},
  {"topic": "a", "key": "t", "value": {"REF": 3, "X": "x3"}, "timestamp": 16000},
  {"topic": "b", "key": "u", "value": {"REF": 4, "Y": "y4"}, "timestamp": 30000},
  {"topic": "a", "key": "v", "value": {"REF": 1, "X": "late"}, "timestamp": 1000}
]}
EOF
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "AB", "key": 1, "value": {"X": "x1", "Y": "y1"}, "timestamp": 12000},
      {"topic": "AB", "key": 2, "value": {"X": "x2", "Y": "y2"}, "timestamp": 15000},
      {"topic": "AB", "key": 3, "value": {"X": "x3", "Y": null}, "timestamp": 16000},
      {"topic": "AB", "key": 1, "value": {"X": "late", "Y": null}, "timestamp": 1000}
    ]}'
}

# A stream joined with two tables: INNER with users, LEFT with plans.
t_join_stream_with_two_tables() {
    cat >"$T/statements.sql" <<'EOF'
CREATE STREAM views (uid INT, page STRING) WITH (KAFKA_TOPIC='views', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE users (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE plans (id INT PRIMARY KEY, tier STRING) WITH (KAFKA_TOPIC='plans', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM rich AS SELECT v.uid AS uid, page, name, tier FROM views v JOIN users u ON v.uid = u.id LEFT JOIN plans p ON v.uid = p.id;
EOF
    join_test_run <<'EOF'
{"inputs": [
  {"topic": "users", "key": 1, "value": {"NAME": "ann"}, "timestamp": 0},
  {"topic": "users", "key": 2, "value": {"NAME": "bob"}, "timestamp": 0},
  {"topic": "plans", "key": 1, "value": {"TIER": "gold"}, "timestamp": 0},
  {"topic": "views", "value": {"UID": 1, "PAGE": "a"}, "timestamp": 1},
  {"topic": "views", "value": {"UID": 2, "PAGE": "b"}, "timestamp": 2},
  {"topic": "views", "value": {"UID": 3, "PAGE": "c"}, "timestamp": 3}
]}
EOF
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "RICH", "key": 1, "value": {"PAGE": "a", "NAME": "ann", "TIER": "gold"}, "timestamp": 1},
      {"topic": "RICH", "key": 2, "value": {"PAGE": "b", "NAME": "bob", "TIER": null}, "timestamp": 2}
    ]}'
}

# A stream-stream join's window store is rebuilt on restart: a record
# written before the restart meets one written after it, once.
t_join_stream_stream_window_survives_restart() {
    D=$(new_dir)
    sql "$D" <<'EOF'
CREATE STREAM a (k STRING KEY, ref INT, x STRING) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM b (k STRING KEY, ref INT, y STRING) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM ab AS SELECT a.ref AS ref, x, y FROM a JOIN b WITHIN 1 HOUR ON a.ref = b.ref;
INSERT INTO a (k, ref, x) VALUES ('p', 7, 'before');
EOF
    expect_ok
    sql "$D" <<'EOF'
INSERT INTO b (k, ref, y) VALUES ('q', 7, 'after');
EOF
    expect_ok
    sql "$D" <<'EOF'
SET 'auto.offset.reset'='earliest';
SELECT ref, x, y FROM ab EMIT CHANGES LIMIT 1;
EOF
    expect_ok
    expect_eq "$(rows)" "7|before|after" "the join across the restart"
    sql "$D" <<'EOF'
SELECT ref, x, y FROM ab;
EOF
    expect_ok
    expect_eq "$(rows | wc -l | tr -d ' ')" "1" "rows in AB after two restarts"
}

t_join_refusals_say_why_and_where() {
    D=$(new_dir)
    sql "$D" <<'EOF'
CREATE TABLE o (id INT PRIMARY KEY, cust INT) WITH (KAFKA_TOPIC='o', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE c (id INT PRIMARY KEY, name STRING) WITH (KAFKA_TOPIC='c', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE x AS SELECT o.id AS id, name FROM o RIGHT JOIN c ON o.cust = c.id;
EOF
    err_has "line 3:"
    err_has "RIGHT OUTER JOIN on a foreign key is not supported"
    sql "$D" <<'EOF'
CREATE STREAM s (id INT KEY, v STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='KAFKA', PARTITIONS=1);
CREATE STREAM y AS SELECT s.id AS id, name FROM s JOIN c ON s.id = c.id;
EOF
    err_has "line 2:"
    err_has "'KAFKA' value format. This format does not yet support JOIN."
}

# A LEFT JOIN with GRACE PERIOD holds a left record that met nothing until
# its window closes; the held record is rebuilt on restart, so it joins
# NULLs exactly once when a later record closes its window — and a left
# record that met its match before the restart is not emitted again.
t_join_left_held_record_survives_restart() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM a (k STRING KEY, ref INT, x STRING) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM b (k STRING KEY, ref INT, y STRING) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM ab AS SELECT a.ref AS ref, x, y FROM a LEFT JOIN b WITHIN 10 SECONDS GRACE PERIOD 0 SECONDS ON a.ref = b.ref;
INSERT INTO a (ROWTIME, k, ref, x) VALUES (1000, 'p', 1, 'held');
INSERT INTO a (ROWTIME, k, ref, x) VALUES (2000, 'q', 2, 'met');
INSERT INTO b (ROWTIME, k, ref, y) VALUES (3000, 'r', 2, 'y2');
EOF2
    expect_ok
    sql "$D" <<'EOF2'
INSERT INTO b (ROWTIME, k, ref, y) VALUES (60000, 's', 9, 'late');
EOF2
    expect_ok
    sql "$D" <<'EOF2'
SELECT ref, x, y FROM ab;
EOF2
    expect_ok
    expect_eq "$(rows | sort)" "$(lines '1|held|null' '2|met|y2')" "AB after the restart"
}

# The right stream's TIMESTAMP column gives its records' times in the
# window: 'far' was appended 1 s after x1 but happened 400 s later;
# 'near' was appended late but happened 5 s after x1.
t_join_right_stream_timestamp_column_places_it_in_the_window() {
    cat >"$T/statements.sql" <<'EOF2'
CREATE STREAM a (k STRING KEY, ref INT, x STRING) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM b (k STRING KEY, ref INT, y STRING, t BIGINT) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON', PARTITIONS=1, TIMESTAMP='t');
CREATE STREAM ab AS SELECT a.ref AS ref, x, y FROM a JOIN b WITHIN 10 SECONDS ON a.ref = b.ref;
EOF2
    join_test_run <<'EOF2'
{"inputs": [
  {"topic": "a", "key": "p", "value": {"REF": 1, "X": "x1"}, "timestamp": 100000},
  {"topic": "b", "key": "q", "value": {"REF": 1, "Y": "far", "T": 500000}, "timestamp": 101000},
  {"topic": "b", "key": "r", "value": {"REF": 1, "Y": "near", "T": 105000}, "timestamp": 900000}
]}
EOF2
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "AB", "key": 1, "value": {"X": "x1", "Y": "near"}, "timestamp": 105000}
    ]}'
}

# GROUP BY over a stream-table join: clicks counted per user's city; a
# click of an unknown user joins nothing (INNER) and counts nowhere.
t_join_group_by_over_a_stream_table_join() {
    cat >"$T/statements.sql" <<'EOF2'
CREATE TABLE users (id INT PRIMARY KEY, city STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM clicks (uid INT, page STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE per_city AS SELECT city, COUNT(*) AS n FROM clicks c JOIN users u ON c.uid = u.id GROUP BY city;
EOF2
    join_test_run <<'EOF2'
{"inputs": [
  {"topic": "users", "key": 1, "value": {"CITY": "oslo"}, "timestamp": 0},
  {"topic": "users", "key": 2, "value": {"CITY": "rome"}, "timestamp": 0},
  {"topic": "users", "key": 3, "value": {"CITY": "oslo"}, "timestamp": 0},
  {"topic": "clicks", "value": {"UID": 1, "PAGE": "a"}, "timestamp": 1},
  {"topic": "clicks", "value": {"UID": 2, "PAGE": "b"}, "timestamp": 2},
  {"topic": "clicks", "value": {"UID": 3, "PAGE": "c"}, "timestamp": 3},
  {"topic": "clicks", "value": {"UID": 9, "PAGE": "d"}, "timestamp": 4}
]}
EOF2
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "PER_CITY", "key": "oslo", "value": {"N": 1}, "timestamp": 1},
      {"topic": "PER_CITY", "key": "rome", "value": {"N": 1}, "timestamp": 2},
      {"topic": "PER_CITY", "key": "oslo", "value": {"N": 2}, "timestamp": 3}
    ]}'
}

# Push queries that need state run as a query of their own for as long
# as they last: over a stream-stream join, with GROUP BY, with a window;
# nothing of them is left behind (SHOW TOPICS).  A pull query with a join
# is refused as ksqlDB words it.
t_join_push_queries_with_state_and_pull_join_refused() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM a (k STRING KEY, ref INT, x STRING) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM b (k STRING KEY, ref INT, y STRING) WITH (KAFKA_TOPIC='b', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO a (k, ref, x) VALUES ('p', 1, 'x1');
INSERT INTO a (k, ref, x) VALUES ('p', 2, 'x2');
INSERT INTO a (k, ref, x) VALUES ('q', 1, 'x3');
INSERT INTO b (k, ref, y) VALUES ('q', 1, 'y1');
SET 'auto.offset.reset'='earliest';
SELECT a.ref AS ref, x, y FROM a JOIN b WITHIN 1 HOUR ON a.ref = b.ref EMIT CHANGES LIMIT 2;
EOF2
    expect_ok
    expect_eq "$(rows)" "$(lines '1|x1|y1' '1|x3|y1')" "push query over a stream-stream join"
    sql "$D" <<'EOF2'
SET 'auto.offset.reset'='earliest';
SELECT ref, COUNT(*) AS n FROM a GROUP BY ref EMIT CHANGES LIMIT 3;
EOF2
    expect_ok
    expect_eq "$(rows)" "$(lines '1|1' '2|1' '1|2')" "push query with GROUP BY"
    sql "$D" <<'EOF2'
SHOW TOPICS;
EOF2
    expect_ok
    expect_eq "$(rows | cut -d'|' -f1 | sort | tr '\n' ' ')" "a b default_ksql_processing_log " "topics left"
    sql "$D" <<'EOF2'
CREATE TABLE t1 (id INT PRIMARY KEY, x STRING) WITH (KAFKA_TOPIC='t1', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE t2 (id INT PRIMARY KEY, y STRING) WITH (KAFKA_TOPIC='t2', VALUE_FORMAT='JSON', PARTITIONS=1);
SELECT * FROM t1 JOIN t2 ON t1.id = t2.id;
EOF2
    expect_rc 1
    err_has "line 3:18: Pull queries don't support JOIN clauses."
}

# A stream-stream join reads both streams in one batch: killed (SIGKILL,
# the test-only EDDY_FAULT_KILL_BEFORE_COMMIT=N) after appending a batch's
# results and before committing it, and again while that batch runs a
# second time, its output still holds every joined pair exactly once.
# A and B alternate in time (a_i at i s, b_i half a second later, ref
# i % 7), so each batch holds records of both; b_i meets every a_j with
# the same ref within 30 s of it.
t_join_stream_stream_exactly_once_across_kills_before_commit() {
    EDDY_TIMEOUT=60
    N=1000
    D=$(new_dir)
    awk -v n=$N 'BEGIN {
        print "CREATE STREAM a (k STRING KEY, ref INT, x STRING) WITH (KAFKA_TOPIC='"'"'a'"'"', VALUE_FORMAT='"'"'JSON'"'"', PARTITIONS=1);"
        print "CREATE STREAM b (k STRING KEY, ref INT, y STRING) WITH (KAFKA_TOPIC='"'"'b'"'"', VALUE_FORMAT='"'"'JSON'"'"', PARTITIONS=1);"
        for (i = 1; i <= n; i++) {
            printf "INSERT INTO a (ROWTIME, k, ref, x) VALUES (%d, '"'"'p'"'"', %d, '"'"'a%d'"'"');\n", 1000 * i, i % 7, i
            printf "INSERT INTO b (ROWTIME, k, ref, y) VALUES (%d, '"'"'q'"'"', %d, '"'"'b%d'"'"');\n", 1000 * i + 500, i % 7, i
        }
    }' >"$T/input.sql"
    sql "$D" <"$T/input.sql"
    expect_ok
    awk -v n=$N 'BEGIN {
        for (i = 1; i <= n; i++)
            for (j = 1; j <= n; j++)
                if (i % 7 == j % 7 && 1000 * i + 500 - 1000 * j <= 30000 && 1000 * j - 1000 * i - 500 <= 30000)
                    print "a" j "|b" i
    }' | sort >"$T/expected"
    # the push query on A (from its end: no records) keeps each run alive
    cat >"$T/first.sql" <<'EOF2'
SET 'auto.offset.reset'='earliest';
CREATE STREAM ab AS SELECT a.ref AS ref, x, y FROM a JOIN b WITHIN 30 SECONDS ON a.ref = b.ref;
SET 'auto.offset.reset'='latest';
SELECT x FROM a EMIT CHANGES;
EOF2
    echo "SELECT x FROM a EMIT CHANGES;" >"$T/wait.sql"
    script="$T/first.sql"
    for n in 1 1 2 1 2 2; do
        EDDY_FAULT_KILL_BEFORE_COMMIT=$n timeout -k 2 20 "$EDDY" --data "$D" <"$script" >"$T/out" 2>"$T/err"
        rc=$?
        [ $rc -eq 137 ] || fail "the fault before commit $n did not kill eddy (exit status $rc): $(cat "$T/err")"
        script="$T/wait.sql"
    done
    total=$(wc -l <"$T/expected" | tr -d ' ')
    sql "$D" <<EOF2
SET 'auto.offset.reset'='earliest';
SELECT x FROM ab EMIT CHANGES LIMIT $total;
EOF2
    expect_ok
    eddy_run consume AB --from-beginning --format value --data "$D"
    expect_ok
    sed -n 's/.*"X":"\([^"]*\)","Y":"\([^"]*\)".*/\1|\2/p' "$T/out" | sort >"$T/actual"
    expect_eq "$(wc -l <"$T/out" | tr -d ' ')" "$total" "records in AB"
    expect_eq "$(cat "$T/actual")" "$(cat "$T/expected")" "the pairs in AB"
}

# WHERE over a stream-table join, with conjuncts on the stream's columns
# (checked before the table is looked up) and on the table's: a NULL
# stream column rejects its row; in a LEFT join a click without a user
# still passes a condition on the user's NULL columns.
t_join_where_on_stream_and_table_columns() {
    cat >"$T/statements.sql" <<'EOF2'
CREATE TABLE users (id INT PRIMARY KEY, state STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM clicks (uid INT, cat INT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM oregon AS SELECT c.uid AS uid, cat, state FROM clicks c JOIN users u ON c.uid = u.id WHERE c.cat = 10 AND u.state = 'OR';
CREATE STREAM nobody AS SELECT c.uid AS uid, cat, state FROM clicks c LEFT JOIN users u ON c.uid = u.id WHERE c.cat + 0 = 10 AND u.state IS NULL;
EOF2
    join_test_run <<'EOF2'
{"inputs": [
  {"topic": "users", "key": 1, "value": {"STATE": "OR"}, "timestamp": 0},
  {"topic": "users", "key": 2, "value": {"STATE": "CA"}, "timestamp": 0},
  {"topic": "clicks", "value": {"UID": 1, "CAT": 10}, "timestamp": 1},
  {"topic": "clicks", "value": {"UID": 2, "CAT": 10}, "timestamp": 2},
  {"topic": "clicks", "value": {"UID": 1, "CAT": 5}, "timestamp": 3},
  {"topic": "clicks", "value": {"UID": 3, "CAT": 10}, "timestamp": 4},
  {"topic": "clicks", "value": {"UID": 1, "CAT": null}, "timestamp": 5},
  {"topic": "clicks", "value": {"UID": 4, "CAT": null}, "timestamp": 6}
]}
EOF2
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "OREGON", "key": 1, "value": {"CAT": 10, "STATE": "OR"}, "timestamp": 1},
      {"topic": "NOBODY", "key": 3, "value": {"CAT": 10, "STATE": null}, "timestamp": 4}
    ]}'
}

# A table row joins with its latest value however many stream records met
# the one before (a row is kept decoded once a record meets it); a row
# that cannot be decoded joins nothing, every time, until a good value
# replaces it.
t_join_table_row_updated_after_records_met_it() {
    cat >"$T/statements.sql" <<'EOF2'
CREATE TABLE users (id INT PRIMARY KEY, name STRING, age INT) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM clicks (uid INT, page STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE STREAM named AS SELECT c.uid AS uid, page, name FROM clicks c JOIN users u ON c.uid = u.id;
EOF2
    join_test_run <<'EOF2'
{"inputs": [
  {"topic": "users", "key": 1, "value": {"NAME": "ann", "AGE": 30}, "timestamp": 0},
  {"topic": "users", "key": 2, "value": [1, 2], "timestamp": 0},
  {"topic": "clicks", "value": {"UID": 1, "PAGE": "a"}, "timestamp": 10},
  {"topic": "clicks", "value": {"UID": 1, "PAGE": "b"}, "timestamp": 11},
  {"topic": "clicks", "value": {"UID": 2, "PAGE": "c"}, "timestamp": 12},
  {"topic": "users", "key": 1, "value": {"NAME": "bob"}, "timestamp": 20},
  {"topic": "clicks", "value": {"UID": 2, "PAGE": "d"}, "timestamp": 21},
  {"topic": "users", "key": 2, "value": {"NAME": "cy"}, "timestamp": 22},
  {"topic": "clicks", "value": {"UID": 1, "PAGE": "e"}, "timestamp": 30},
  {"topic": "clicks", "value": {"UID": 2, "PAGE": "f"}, "timestamp": 31}
]}
EOF2
    json_matches "$T/actual.json" '{"outputs": [
      {"topic": "NAMED", "key": 1, "value": {"PAGE": "a", "NAME": "ann"}, "timestamp": 10},
      {"topic": "NAMED", "key": 1, "value": {"PAGE": "b", "NAME": "ann"}, "timestamp": 11},
      {"topic": "NAMED", "key": 1, "value": {"PAGE": "e", "NAME": "bob"}, "timestamp": 30},
      {"topic": "NAMED", "key": 2, "value": {"PAGE": "f", "NAME": "cy"}, "timestamp": 31}
    ]}'
}
