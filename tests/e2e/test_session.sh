# SESSION windows: sessions that merge (with a tombstone for each session
# merged away), late records beyond grace + gap, EMIT FINAL, and pull
# queries reading WINDOWSTART/WINDOWEND of sessions, also after a restart.

CLICKS="CREATE STREAM clicks (user STRING KEY, amount INT) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);"

# run_case: eddy test over $T/statements.sql, $T/input.json, $T/output.json.
run_case() {
    eddy_run test -s "$T/statements.sql" -i "$T/input.json" -o "$T/output.json"
    expect_ok
}

# a@0 and a@18000 are two sessions (gap 10 s); a@9000 is within the gap of
# both: they merge into [0, 18000], each old session taken out with a
# tombstone at its own end.  a@20000 then extends the session: its old
# window [0, 18000] is replaced, as Kafka Streams does.
t_session_merge_emits_tombstones_for_merged_away_sessions() {
    cat >"$T/statements.sql" <<EOF
$CLICKS
CREATE TABLE visits AS SELECT user, COUNT(*) AS n, SUM(amount) AS total, COLLECT_LIST(amount) AS amounts, WINDOWSTART AS ws, WINDOWEND AS we FROM clicks WINDOW SESSION (10 SECONDS) GROUP BY user;
EOF
    cat >"$T/input.json" <<'EOF'
{"inputs": [
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 1}, "timestamp": 0},
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 2}, "timestamp": 18000},
  {"topic": "clicks", "key": "b", "value": {"AMOUNT": 10}, "timestamp": 5000},
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 3}, "timestamp": 9000},
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 4}, "timestamp": 20000}
]}
EOF
    cat >"$T/output.json" <<'EOF'
{"outputs": [
  {"topic": "VISITS", "key": "a", "window": {"start": 0, "end": 0, "type": "session"}, "timestamp": 0,
   "value": {"N": 1, "TOTAL": 1, "AMOUNTS": [1], "WS": 0, "WE": 0}},
  {"topic": "VISITS", "key": "a", "window": {"start": 18000, "end": 18000, "type": "session"}, "timestamp": 18000,
   "value": {"N": 1, "TOTAL": 2, "AMOUNTS": [2], "WS": 18000, "WE": 18000}},
  {"topic": "VISITS", "key": "b", "window": {"start": 5000, "end": 5000, "type": "session"}, "timestamp": 5000,
   "value": {"N": 1, "TOTAL": 10, "AMOUNTS": [10], "WS": 5000, "WE": 5000}},
  {"topic": "VISITS", "key": "a", "window": {"start": 0, "end": 0, "type": "session"}, "timestamp": 0, "value": null},
  {"topic": "VISITS", "key": "a", "window": {"start": 18000, "end": 18000, "type": "session"}, "timestamp": 18000,
   "value": null},
  {"topic": "VISITS", "key": "a", "window": {"start": 0, "end": 18000, "type": "session"}, "timestamp": 18000,
   "value": {"N": 3, "TOTAL": 6, "AMOUNTS": [1, 2, 3], "WS": 0, "WE": 18000}},
  {"topic": "VISITS", "key": "a", "window": {"start": 0, "end": 18000, "type": "session"}, "timestamp": 18000,
   "value": null},
  {"topic": "VISITS", "key": "a", "window": {"start": 0, "end": 20000, "type": "session"}, "timestamp": 20000,
   "value": {"N": 4, "TOTAL": 10, "AMOUNTS": [1, 2, 3, 4], "WS": 0, "WE": 20000}}
]}
EOF
    run_case
}

# Stream time 100000, grace 5 s, gap 10 s: a session ending before 85000 is
# closed.  a@50000 is dropped; a@90000 joins the session at 100000.
t_session_late_record_beyond_grace_and_gap_is_dropped() {
    cat >"$T/statements.sql" <<EOF
$CLICKS
CREATE TABLE visits AS SELECT user, COUNT(*) AS n FROM clicks WINDOW SESSION (10 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY user;
EOF
    cat >"$T/input.json" <<'EOF'
{"inputs": [
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 1}, "timestamp": 0},
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 1}, "timestamp": 100000},
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 1}, "timestamp": 50000},
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 1}, "timestamp": 90000}
]}
EOF
    cat >"$T/output.json" <<'EOF'
{"outputs": [
  {"topic": "VISITS", "key": "a", "window": {"start": 0, "end": 0, "type": "session"}, "timestamp": 0, "value": {"N": 1}},
  {"topic": "VISITS", "key": "a", "window": {"start": 100000, "end": 100000, "type": "session"}, "timestamp": 100000,
   "value": {"N": 1}},
  {"topic": "VISITS", "key": "a", "window": {"start": 100000, "end": 100000, "type": "session"}, "timestamp": 100000,
   "value": null},
  {"topic": "VISITS", "key": "a", "window": {"start": 90000, "end": 100000, "type": "session"}, "timestamp": 100000,
   "value": {"N": 2}}
]}
EOF
    run_case
}

# EMIT FINAL (gap 5 ms, no grace): a session's one result comes once stream
# time passes its end + gap; merged-away sessions give nothing.  [0, 0] is
# final at 10; a@5 merges into [10, 10]; [5, 10] is final at 30; a@20 is late.
t_session_emit_final_one_result_per_closed_session() {
    cat >"$T/statements.sql" <<EOF
$CLICKS
CREATE TABLE visits AS SELECT user, COUNT(*) AS n, MAX(amount) AS top FROM clicks WINDOW SESSION (5 MILLISECONDS, GRACE PERIOD 0 MILLISECONDS) GROUP BY user EMIT FINAL;
EOF
    cat >"$T/input.json" <<'EOF'
{"inputs": [
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 1}, "timestamp": 0},
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 7}, "timestamp": 10},
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 3}, "timestamp": 5},
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 2}, "timestamp": 30},
  {"topic": "clicks", "key": "a", "value": {"AMOUNT": 9}, "timestamp": 20}
]}
EOF
    cat >"$T/output.json" <<'EOF'
{"outputs": [
  {"topic": "VISITS", "key": "a", "window": {"start": 0, "end": 0, "type": "session"}, "timestamp": 0,
   "value": {"N": 1, "TOP": 1}},
  {"topic": "VISITS", "key": "a", "window": {"start": 5, "end": 10, "type": "session"}, "timestamp": 10,
   "value": {"N": 2, "TOP": 7}}
]}
EOF
    run_case
}

# The sessions index is rebuilt from the store on start: a record inserted
# after a restart still merges two sessions made before it.  Pull queries
# read each session's WINDOWSTART and WINDOWEND.
t_session_merge_after_restart_and_pull_window_bounds() {
    D=$(new_dir)
    sql "$D" <<EOF
$CLICKS
CREATE TABLE visits AS SELECT user, COUNT(*) AS n, SUM(amount) AS total FROM clicks WINDOW SESSION (10 SECONDS) GROUP BY user;
INSERT INTO clicks (ROWTIME, user, amount) VALUES (0, 'a', 1);
INSERT INTO clicks (ROWTIME, user, amount) VALUES (18000, 'a', 2);
EOF
    expect_ok
    sql "$D" <<'EOF'
INSERT INTO clicks (ROWTIME, user, amount) VALUES (9000, 'a', 3);
INSERT INTO clicks (ROWTIME, user, amount) VALUES (5000, 'b', 10);
EOF
    expect_ok
    printf '%s\n' "SELECT user, n, total, WINDOWSTART, WINDOWEND FROM visits;" >"$T/pull.sql"
    sql "$D" <"$T/pull.sql"
    expect_ok
    expect_eq "$(rows | sort)" "$(lines 'a|3|6|0|18000' 'b|1|10|5000|5000')" "sessions of VISITS"
    printf '%s\n' "SELECT user, n FROM visits WHERE WINDOWEND >= 18000;" >"$T/pull.sql"
    sql "$D" <"$T/pull.sql"
    expect_ok
    expect_eq "$(rows)" "a|3" "sessions ending at 18000 or later"
}
