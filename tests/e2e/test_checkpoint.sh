# State-store checkpoints (issue 6): a restarted aggregation takes its
# store from the latest checkpoint plus the changelog after it, and gets
# the same table as a replay of everything; a torn or damaged checkpoint
# is passed over (the whole changelog is replayed); a kill inside a
# checkpoint write loses and doubles nothing.
#
# EDDY_CHECKPOINT_EVERY lowers the number of changes between checkpoints
# (10 000 by default) so that small inputs get several.

# gen_inserts FROM TO: INSERTs of records FROM..TO into EV (key k<i%7>,
# v = i, event time 1000000 + 100 i).
gen_inserts() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        for (i = a; i <= b; i++)
            printf "INSERT INTO ev (ROWTIME, k, v) VALUES (%d, '"'"'k%d'"'"', %d);\n", 1000000 + i * 100, i % 7, i
    }'
}

# expected_sums N: K|N|TOTAL of S after records 1..N, sorted.
expected_sums() {
    awk -v n="$1" 'BEGIN {
        for (i = 1; i <= n; i++) { cnt["k" i % 7]++; sum["k" i % 7] += i }
        for (k in cnt) print k "|" cnt[k] "|" sum[k]
    }' | sort
}

ckpt_schema() {
    sql "$1" <<'EOF'
CREATE STREAM ev (k STRING KEY, v INT) WITH (KAFKA_TOPIC='ev', VALUE_FORMAT='JSON', PARTITIONS=2);
CREATE TABLE s AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM ev GROUP BY k;
EOF
    expect_ok
}

# s_table DIR: S's rows (sorted) into $T/table, DESCRIBE EXTENDED S into $T/describe.
s_table() {
    sql "$1" <<'EOF'
SELECT k, n, total FROM s;
EOF
    expect_ok
    rows | sort >"$T/table"
    sql "$1" <<'EOF'
DESCRIBE EXTENDED s;
EOF
    expect_ok
    cp "$T/out" "$T/describe"
}

# ckpt_300: D = a new data directory where S counted records 1..300,
# checkpointed every 100 changes; F = S's checkpoint file.
ckpt_300() {
    D=$(new_dir)
    ckpt_schema "$D"
    gen_inserts 1 300 >"$T/in.sql"
    EDDY_CHECKPOINT_EVERY=100 eddy_run --data "$D" <"$T/in.sql"
    expect_ok
    F="$D/state/CTAS_S_1.ckpt"
    [ -s "$F" ] || fail "no checkpoint file after 300 records"
}

t_checkpoint_restart_takes_checkpoint_plus_changelog_tail() {
    ckpt_300
    # 20 more under the default interval: a tail after the last checkpoint
    gen_inserts 301 320 | eddy_run --data "$D"
    expect_ok
    s_table "$D"
    expect_eq "$(cat "$T/table")" "$(expected_sums 320)" "S after a restart from the checkpoint"
    grep -q "restored from a checkpoint + [1-9][0-9]* log records" "$T/describe" ||
        fail "S was not restored from a checkpoint and a changelog tail: $(grep state: "$T/describe")"
    # more records after the restart: counted on top of the restored store
    gen_inserts 321 350 | eddy_run --data "$D"
    expect_ok
    s_table "$D"
    expect_eq "$(cat "$T/table")" "$(expected_sums 350)" "S after records on top of a restored store"
}

t_checkpoint_damaged_or_missing_falls_back_to_full_replay() {
    ckpt_300
    size=$(wc -c <"$F")
    # torn: the first half only
    head -c $((size / 2)) "$F" >"$T/torn" && cp "$T/torn" "$F"
    s_table "$D"
    expect_eq "$(cat "$T/table")" "$(expected_sums 300)" "S with a torn checkpoint"
    grep -q "restored from no checkpoint" "$T/describe" || fail "a torn checkpoint was used"
    grep -q "checkpoint not used: state checkpoint .* is damaged" "$T/describe" ||
        fail "the torn checkpoint is not reported: $(grep state: "$T/describe")"
    # one byte changed, whole length (written by the restart above: redo)
    gen_inserts 301 310 | EDDY_CHECKPOINT_EVERY=1 eddy_run --data "$D"
    expect_ok
    printf 'X' | dd of="$F" bs=1 seek=$(( $(wc -c <"$F") / 2 )) conv=notrunc 2>/dev/null
    s_table "$D"
    expect_eq "$(cat "$T/table")" "$(expected_sums 310)" "S with a corrupt checkpoint"
    grep -q "restored from no checkpoint" "$T/describe" || fail "a corrupt checkpoint was used"
    # missing: the same as never written
    rm -f "$F"
    s_table "$D"
    expect_eq "$(cat "$T/table")" "$(expected_sums 310)" "S without its checkpoint"
    grep -q "restored from no checkpoint + [1-9][0-9]* log records; 0 checkpoints written\$" "$T/describe" ||
        fail "S without a checkpoint: $(grep state: "$T/describe")"
}

t_checkpoint_terminated_query_leaves_no_checkpoint() {
    D=$(new_dir)
    ckpt_schema "$D"
    gen_inserts 1 50 | EDDY_CHECKPOINT_EVERY=10 eddy_run --data "$D"
    expect_ok
    [ -s "$D/state/CTAS_S_1.ckpt" ] || fail "no checkpoint file"
    sql "$D" <<'EOF'
DROP TABLE s;
EOF
    expect_ok
    [ ! -e "$D/state/CTAS_S_1.ckpt" ] || fail "DROP TABLE left the query's checkpoint behind"
}

# A table aggregation keeps the table's rows too (an update takes back
# the old row): they come back from the checkpoint and the table's topic.
t_checkpoint_table_aggregation_restores_rows() {
    D=$(new_dir)
    sql "$D" <<'EOF'
CREATE TABLE users (id INT PRIMARY KEY, region STRING) WITH (KAFKA_TOPIC='users', VALUE_FORMAT='JSON', PARTITIONS=2);
CREATE TABLE by_region AS SELECT region, COUNT(*) AS n FROM users GROUP BY region;
EOF
    expect_ok
    awk 'BEGIN { for (i = 1; i <= 60; i++) printf "INSERT INTO users (id, region) VALUES (%d, '"'"'r%d'"'"');\n", i, i % 3 }' \
        | EDDY_CHECKPOINT_EVERY=20 eddy_run --data "$D"
    expect_ok
    [ -s "$D/state/CTAS_BY_REGION_1.ckpt" ] || fail "no checkpoint file"
    # after the restart: users 1..30 move to r9 (each update takes its old row back)
    awk 'BEGIN { for (i = 1; i <= 30; i++) printf "INSERT INTO users (id, region) VALUES (%d, '"'"'r9'"'"');\n", i }' \
        | eddy_run --data "$D"
    expect_ok
    sql "$D" <<'EOF'
SELECT region, n FROM by_region;
EOF
    expect_ok
    expect_eq "$(rows | sort)" "$(lines 'r0|10' 'r1|10' 'r2|10' 'r9|30')" "BY_REGION after updates on restored rows"
    sql "$D" <<'EOF'
DESCRIBE EXTENDED by_region;
EOF
    expect_ok
    grep -q "restored from a checkpoint" "$T/out" || fail "BY_REGION was not restored from a checkpoint"
}

# s_topic DIR: S's output topic as partition|timestamp|key|value lines.
s_topic() {
    eddy_run consume S --from-beginning --format json --data "$1"
    expect_ok
    sed 's/^{"topic":"S","partition":\([0-9]*\),"offset":[0-9]*,/\1|/' "$T/out"
}

# Kills inside checkpoint writes: each run dies by SIGKILL in its first
# checkpoint write, at each point a write passes in turn (half the
# entries written, the file synced, the file renamed), and is restarted
# with the next 30 records not yet stored; at the end S's table and output topic
# equal those of a run without kills.
t_checkpoint_kill_inside_checkpoint_write_loses_and_doubles_nothing() {
    EDDY_TIMEOUT=40
    N=400
    gen_inserts 1 $N >"$T/all.sql"
    R=$(new_dir)
    ckpt_schema "$R"
    eddy_run --data "$R" <"$T/all.sql"
    expect_ok
    s_table "$R"
    cp "$T/table" "$T/ref_table"
    expect_eq "$(cat "$T/ref_table")" "$(expected_sums $N)" "S without kills"
    s_topic "$R" >"$T/ref_topic"

    C=$(new_dir)
    ckpt_schema "$C"
    next=1
    kills=0
    for point in 1 2 3 1 2 3 1 2 3 1 2 3; do
        # 30 more records at most: the query processes records in every
        # run, so a checkpoint is due in every run
        tail -n "+$next" "$T/all.sql" | head -n 30 >"$T/rest.sql"
        EDDY_CHECKPOINT_EVERY=2 EDDY_FAULT_CHECKPOINT_KILL=$point \
            timeout -k 2 20 "$EDDY" --data "$C" <"$T/rest.sql" >"$T/out" 2>"$T/err"
        rc=$?
        [ $rc -eq 137 ] || fail "the fault at checkpoint point $point did not kill eddy (exit status $rc)"
        kills=$((kills + 1))
        eddy_run consume ev --from-beginning --format value --data "$C"
        expect_ok
        stored=$(wc -l <"$T/out" | tr -d ' ')
        next=$((stored + 1))
    done
    [ "$kills" -eq 12 ] || fail "$kills kills"
    tail -n "+$next" "$T/all.sql" | eddy_run --data "$C"
    expect_ok
    s_table "$C"
    expect_eq "$(cat "$T/table")" "$(cat "$T/ref_table")" "S after kills inside checkpoint writes"
    s_topic "$C" >"$T/crash_topic"
    if ! cmp -s "$T/ref_topic" "$T/crash_topic"; then
        diff "$T/ref_topic" "$T/crash_topic" | head -20
        fail "S's output topic after kills inside checkpoint writes differs from the run without"
    fi
}

# The changelog gets the last change of each key per batch (runtime_cache.h):
# 1400 records of 7 keys, counted from the start of the stream in batches
# of up to 256 records, leave far fewer changelog records than changes;
# a restart from the whole changelog still gets every key's last count.
t_checkpoint_changelog_keeps_last_change_per_key_per_batch() {
    D=$(new_dir)
    { echo "CREATE STREAM ev (k STRING KEY, v INT) WITH (KAFKA_TOPIC='ev', VALUE_FORMAT='JSON', PARTITIONS=2);"
      gen_inserts 1 1400
      echo "SET 'auto.offset.reset'='earliest';"
      echo "CREATE TABLE s AS SELECT k, COUNT(*) AS n, SUM(v) AS total FROM ev GROUP BY k;"; } >"$T/in.sql"
    eddy_run --data "$D" <"$T/in.sql"
    expect_ok
    eddy_run consume _eddy-CTAS_S_1-changelog --from-beginning --format value --data "$D"
    expect_ok
    n=$(wc -l <"$T/out" | tr -d ' ')
    [ "$n" -ge 7 ] && [ "$n" -le 200 ] || fail "$n changelog records for 1400 changes of 7 keys"
    rm -rf "$D/state"
    s_table "$D"
    expect_eq "$(cat "$T/table")" "$(expected_sums 1400)" "S restored from a merged changelog"
    grep -q "restored from no checkpoint + $n log records" "$T/describe" ||
        fail "S was not restored from the $n changelog records: $(grep state: "$T/describe")"
}

# A store of 100 000 keys (past the size where the state store splits into
# many tables) comes back from its checkpoint whole.  A checkpoint holds
# the keys in the store's iteration order, table by table; reading them
# back in that order once made the new store's split loop forever.
t_checkpoint_large_store_restores_from_its_checkpoint() {
    D=$(new_dir)
    ckpt_schema "$D"
    awk 'BEGIN { for (i = 1; i <= 100000; i++) printf "{\"k\":\"key%d\",\"v\":%d}\n", i, i }' >"$T/ev.ndjson"
    eddy_run produce ev --key k --data "$D" <"$T/ev.ndjson"
    expect_ok
    # the query catches up (a pull query waits for it), writing checkpoints
    EDDY_CHECKPOINT_EVERY=10000 sql "$D" <<'EOF2'
SELECT k, n, total FROM s WHERE k = 'key1';
EOF2
    expect_ok
    [ -s "$D/state/CTAS_S_1.ckpt" ] || fail "no checkpoint file after 100000 keys"
    EDDY_TIMEOUT=30 sql "$D" <<'EOF2'
SELECT k, n, total FROM s WHERE k = 'key99999';
DESCRIBE EXTENDED s;
EOF2
    expect_ok
    out_has "key99999"
    grep -q "restored from a checkpoint" "$T/out" || fail "S was not restored from its checkpoint: $(grep state: "$T/out")"
    grep -q "state: 100000 entries" "$T/out" || fail "S does not hold 100000 keys: $(grep state: "$T/out")"
}
