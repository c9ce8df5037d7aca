# test_check.sh — `eddy check FILE.sql`: every error of a script listed
# with its line and column, against the catalog of a data directory and
# what the script itself creates, and nothing run or written.

check_setup() {
    D=$(new_dir)
    sql "$D" <<'EOF2'
CREATE STREAM s (id INT KEY, name STRING, amount DOUBLE) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (id, name, amount) VALUES (1, 'a', 2.5);
EOF2
    expect_ok
}

t_check_lists_every_error_with_its_line_and_exits_1() {
    check_setup
    cat >"$T/script.sql" <<'EOF2'
CREATE STREAM extra (id INT KEY, label STRING)
  WITH (KAFKA_TOPIC='extra', VALUE_FORMAT='JSON', PARTITIONS=1);
SELECT label FROM extra EMIT CHANGES;
SELECT nmae FROM s EMIT CHANGES;
SELEC * FROM s;
SELECT * FROM nosuch;
EOF2
    eddy_run check "$T/script.sql" --data "$D"
    expect_rc 1
    err_has "script.sql: line 4:8: column 'NMAE' does not exist in S"
    err_has "hint: did you mean NAME?"
    err_has "script.sql: line 5:1: syntax error"
    err_has "script.sql: line 6:15: NOSUCH does not exist"
    err_has "script.sql: 3 errors"
    err_lacks "EXTRA"
}

t_check_passes_a_good_script_and_changes_nothing() {
    check_setup
    cat >"$T/good.sql" <<'EOF2'
CREATE STREAM extra (id INT KEY, label STRING) WITH (KAFKA_TOPIC='extra', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO extra (id, label) VALUES (1, 'x');
CREATE TABLE per_label AS SELECT label, COUNT(*) AS n FROM extra GROUP BY label;
SELECT name, amount * 2 FROM s EMIT CHANGES;
EOF2
    eddy_run check "$T/good.sql" --data "$D"
    expect_ok
    out_has "good.sql: ok"
    sql "$D" <<'EOF2'
SHOW STREAMS;
SHOW TOPICS;
SELECT * FROM s;
EOF2
    expect_ok
    out_lacks "EXTRA"
    out_lacks "extra"
    expect_eq "$(rows | grep -c '^1|a|2.5$')" "1" "the stream's one record, and no more"
}
