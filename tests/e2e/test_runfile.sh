# `eddy run FILE.sql --data DIR` and `RUN SCRIPT 'FILE';`.

t_runfile_runs_every_statement_of_the_file() {
    D=$(new_dir)
    cat >"$T/setup.sql" <<'EOF'
-- a comment
CREATE STREAM s (id INT KEY, v INT)
  WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (id, v) VALUES (1, 10);
INSERT INTO s (id, v) VALUES (2, 20);
SELECT v FROM s WHERE id = 2;
EOF
    eddy_run run "$T/setup.sql" --data "$D"
    expect_ok
    out_has "Stream created"
    expect_eq "$(rows)" "20" "the file's query"
}

# Statement 3 starts on line 7 of the file; its bad column is at 7:27.
t_runfile_error_reports_the_file_and_its_line() {
    D=$(new_dir)
    cat >"$T/bad.sql" <<'EOF'
-- statement 1
CREATE STREAM s (id INT KEY, v INT)
  WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
-- statement 2
INSERT INTO s (id, v) VALUES (1, 10);

SELECT id, v FROM s WHERE vv > 1;
CREATE STREAM never (id INT KEY) WITH (KAFKA_TOPIC='never', VALUE_FORMAT='JSON', PARTITIONS=1);
EOF
    eddy_run run "$T/bad.sql" --data "$D"
    expect_rc 1
    case "$(sed -n 1p "$T/err")" in
    "$T/bad.sql: line 7:27: "*VV*) ;;
    *) fail "first stderr line is not '$T/bad.sql: line 7:27: ...VV...'" ;;
    esac
    expect_eq "$(sed -n 2p "$T/err")" "  SELECT id, v FROM s WHERE vv > 1;" "the quoted source line"
    expect_eq "$(sed -n 3p "$T/err")" "$(printf '%28s' '')^^" "the caret line"
}

t_runfile_stops_at_the_first_error() {
    D=$(new_dir)
    cat >"$T/bad.sql" <<'EOF'
CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (id, v) VALUES (1, 10);
SELECT nope FROM s;
INSERT INTO s (id, v) VALUES (2, 20);
EOF
    eddy_run run "$T/bad.sql" --data "$D"
    expect_rc 1
    sql "$D" <<'EOF'
SELECT id FROM s;
EOF
    expect_ok
    expect_eq "$(rows)" "1" "records of S"
}

t_runfile_missing_file_fails() {
    D=$(new_dir)
    eddy_run run "$T/no-such-file.sql" --data "$D"
    expect_rc 1
    err_has "no-such-file.sql"
}

t_runfile_run_script_from_stdin() {
    D=$(new_dir)
    cat >"$T/script.sql" <<'EOF'
CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (id, v) VALUES (5, 50);
EOF
    sql "$D" <<EOF
RUN SCRIPT '$T/script.sql';
SELECT id, v FROM s;
EOF
    expect_ok
    out_has "Stream created"
    expect_eq "$(rows)" "5|50" "S after RUN SCRIPT"
}

t_runfile_run_script_error_names_the_script_and_line() {
    D=$(new_dir)
    cat >"$T/script.sql" <<'EOF'
CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);

SELECT zz FROM s;
EOF
    sql "$D" <<EOF
RUN SCRIPT '$T/script.sql';
EOF
    expect_rc 1
    err_has "$T/script.sql"
    err_has "line 3:8:"
}
