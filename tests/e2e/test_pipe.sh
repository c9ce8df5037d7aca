# Statements piped into `eddy --data DIR` (stdin not a terminal).

# The scripted example from the issue: a push query with a filter, an
# expression and LIMIT over records inserted earlier in the same session.
t_piped_push_query_prints_filtered_rows_then_stops_at_limit() {
    D=$(new_dir)
    sql "$D" <<'EOF'
SET 'auto.offset.reset'='earliest';
CREATE STREAM s (id INT KEY, name STRING, amount DOUBLE) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=2);
INSERT INTO s (id, name, amount) VALUES (1, 'a', 9.5);
INSERT INTO s (id, name, amount) VALUES (2, 'b', 3.0);
INSERT INTO s (id, name, amount) VALUES (3, 'c', 7.25);
SELECT name, amount * 2 AS twice FROM s WHERE amount > 5 EMIT CHANGES LIMIT 2;
EOF
    expect_ok
    expect_eq "$(cat "$T/err")" "" "stderr"
    out_has "Stream created"
    expect_eq "$(headers)" "NAME|TWICE" "the push query's columns"
    # 9.5 * 2 = 19.0 and 7.25 * 2 = 14.5; 'b' (3.0) is filtered out.  The two
    # rows sit in different partitions, so their order is not specified.
    expect_eq "$(rows | sort)" "$(lines 'a|19.0' 'c|14.5')" "the push query's rows"
}

# Without EMIT CHANGES a query on a stream reads what is there and ends.
t_piped_pull_query_on_stream_reads_all_records_and_ends() {
    D=$(new_dir)
    sql "$D" <<'EOF'
CREATE STREAM s (id INT KEY, name STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=3);
INSERT INTO s (id, name) VALUES (1, 'one');
INSERT INTO s (id, name) VALUES (2, 'two');
INSERT INTO s (id, name) VALUES (3, 'three');
INSERT INTO s (id, name) VALUES (4, 'four');
SELECT * FROM s;
EOF
    expect_ok
    expect_eq "$(headers)" "ID|NAME" "columns of SELECT *"
    expect_eq "$(rows | sort)" "$(lines '1|one' '2|two' '3|three' '4|four')" "rows"
}

# Records written by one process are there for the next one.
t_piped_inserted_records_persist_across_processes() {
    D=$(new_dir)
    sql "$D" <<'EOF'
CREATE STREAM s (id INT KEY, name STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=2);
INSERT INTO s (id, name) VALUES (7, 'seven');
EOF
    expect_ok
    sql "$D" <<'EOF'
INSERT INTO s (id, name) VALUES (8, 'eight');
SELECT id, name FROM s;
EOF
    expect_ok
    expect_eq "$(rows | sort)" "$(lines '7|seven' '8|eight')" "rows after reopening"
}

# A statement may span lines, and several may share one line.
t_piped_statements_may_span_lines_and_share_a_line() {
    D=$(new_dir)
    sql "$D" <<'EOF'
CREATE STREAM s (
  id INT KEY,
  name STRING
) WITH (KAFKA_TOPIC='s',
        VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (id, name) VALUES (1, 'x'); INSERT INTO s (id, name) VALUES (2, 'y');
SELECT name
  FROM s
  WHERE id > 1;
EOF
    expect_ok
    expect_eq "$(rows)" "y" "rows"
}

# A long flat chain of ORs is not nesting: its depth is 1, whatever the
# number of terms (generated filters look like this).
t_piped_where_with_300_or_terms_is_accepted() {
    D=$(new_dir)
    terms=$(seq 0 299 | sed 's/.*/v = &/' | paste -sd'#' - | sed 's/#/ OR /g')
    sql "$D" <<EOF
CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (id, v) VALUES (1, 299);
INSERT INTO s (id, v) VALUES (2, 300);
SELECT id FROM s WHERE $terms;
EOF
    expect_ok
    expect_eq "$(rows)" "1" "rows matching one of the 300 terms"
}
