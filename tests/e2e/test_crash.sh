# Data safety: `kill -9` of an eddy process while a persistent query runs
# and INSERTs stream in.  Reopening must work, keep every acknowledged
# record, and leave the query's sink with each passing record exactly once.
#
# The writer sends `INSERT ... VALUES (i, i);` followed by a SET whose
# "Successfully changed ..." line is printed only after the INSERT before it
# has run, so the number of those lines printed before the kill counts the
# acknowledged INSERTs (ids 1..acked).  One more INSERT may have been written
# without its acknowledgement; nothing beyond that can exist.

# crash_round DIR FIRST_ID CREATE: start eddy on DIR fed by a fifo, (CREATE=1:
# create S and BIG first), insert ids FIRST_ID, FIRST_ID+1, ... and kill -9
# the process once at least 200 INSERTs were acknowledged.  Sets ACKED to
# the last acknowledged id.  CRASH_QUERY, when set, replaces BIG's query.
crash_round() {
    _dir=$1 _first=$2 _create=$3
    rm -f "$T/fifo" && mkfifo "$T/fifo" || fail "mkfifo failed"
    : >"$T/live.out"
    "$EDDY" --data "$_dir" <"$T/fifo" >"$T/live.out" 2>"$T/live.err" &
    _eddy=$!
    E2E_PIDS="$E2E_PIDS $_eddy"
    (
        trap '' PIPE
        exec 3>"$T/fifo"
        if [ "$_create" = 1 ]; then
            echo "CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=2);" >&3
            echo "${CRASH_QUERY:-CREATE STREAM big AS SELECT id, v FROM s WHERE v % 2 = 0;}" >&3
        fi
        i=$_first
        while :; do
            echo "INSERT INTO s (id, v) VALUES ($i, $i);" >&3 || exit 0
            echo "SET 'auto.offset.reset'='earliest';" >&3 || exit 0
            i=$((i + 1))
        done
    ) 2>/dev/null &
    _writer=$!
    E2E_PIDS="$E2E_PIDS $_writer"
    _i=0
    while [ "$(grep -c Successfully "$T/live.out")" -lt 200 ]; do
        kill -0 "$_eddy" 2>/dev/null || { cat "$T/live.err"; fail "eddy exited before the kill"; }
        [ $_i -lt 200 ] || fail "fewer than 200 INSERTs acknowledged within 10 s"
        sleep 0.05
        _i=$((_i + 1))
    done
    kill -9 "$_eddy"
    wait "$_eddy" 2>/dev/null
    kill -9 "$_writer" 2>/dev/null
    wait "$_writer" 2>/dev/null
    ACKED=$((_first - 1 + $(grep -c Successfully "$T/live.out")))
    [ -s "$T/live.err" ] && { cat "$T/live.err"; fail "eddy printed errors before the kill"; }
    return 0
}

# expect_same_lines EXPECTED ACTUAL WHAT WANTED: the sorted files hold the
# same lines; else say which are repeated or missing in ACTUAL.
expect_same_lines() {
    cmp -s "$1" "$2" && return 0
    echo "$4: $(wc -l <"$1"), rows of $3: $(wc -l <"$2")"
    echo "rows of $3 seen more than once: $(uniq -d "$2" | head -5 | tr '\n' ' ')"
    echo "$4 missing from $3: $(comm -23 "$1" "$2" | head -5 | tr '\n' ' ')"
    fail "$3 is not exactly $4"
}

# check_source DIR ACKED: S holds exactly ids 1..k, k = ACKED or ACKED + 1.
# Sets STORED to k.
check_source() {
    sql "$1" <<'EOF'
SELECT id FROM s;
EOF
    expect_ok
    rows | sort -n >"$T/ids"
    STORED=$(wc -l <"$T/ids" | tr -d ' ')
    [ "$STORED" -ge "$2" ] || fail "only $STORED records in S, $2 INSERTs were acknowledged"
    [ "$STORED" -le $(($2 + 1)) ] || fail "$STORED records in S, only $2 INSERTs were acknowledged"
    seq 1 "$STORED" | cmp -s - "$T/ids" || fail "S does not hold ids 1..$STORED exactly once each"
}

t_crash_kill9_reopens_with_catalog_intact() {
    D=$(new_dir)
    crash_round "$D" 1 1
    sql "$D" <<'EOF'
SHOW STREAMS;
SHOW QUERIES;
EOF
    expect_ok
    expect_eq "$(cat "$T/err")" "" "stderr when reopening"
    expect_eq "$(rows | cut -d'|' -f1 | sort)" "$(lines BIG CSAS_BIG_1 KSQL_PROCESSING_LOG S)" \
        "streams and queries after kill -9"
}

t_crash_kill9_keeps_every_acknowledged_insert() {
    D=$(new_dir)
    crash_round "$D" 1 1
    check_source "$D" "$ACKED"
    # twice more, resuming the ids where the stored ones end
    crash_round "$D" $((STORED + 1)) 0
    check_source "$D" "$ACKED"
    crash_round "$D" $((STORED + 1)) 0
    check_source "$D" "$ACKED"
}

# After recovery the persistent query catches up (a piped session lets the
# queries take in what is there before it exits): BIG then holds each even
# id of S exactly once -- nothing lost, nothing duplicated.
t_crash_kill9_sink_has_each_record_exactly_once() {
    D=$(new_dir)
    # four kills, each at a random point of the query's work; ids resume
    # past the one INSERT that may have run unacknowledged
    crash_round "$D" 1 1
    crash_round "$D" $((ACKED + 2)) 0
    crash_round "$D" $((ACKED + 2)) 0
    crash_round "$D" $((ACKED + 2)) 0
    sql "$D" <<'EOF'
SELECT id FROM s;
EOF
    expect_ok
    rows | awk '$1 % 2 == 0' | sort >"$T/expected"
    sql "$D" <<'EOF'
SELECT id FROM big;
EOF
    expect_ok
    rows | sort >"$T/actual"
    [ -s "$T/expected" ] || fail "S has no even ids"
    expect_same_lines "$T/expected" "$T/actual" "BIG" "the even records of S"
}

# The processing log is written in the query's batches, under the same
# commit: after kills at random points, every record the query fails on
# (ids that are multiples of 3: a bad cast) is logged exactly once, and
# every other record is in BIG exactly once.
t_crash_kill9_processing_log_has_each_failed_record_exactly_once() {
    D=$(new_dir)
    CRASH_QUERY="CREATE STREAM big AS SELECT id, CAST(CASE WHEN v % 3 = 0 THEN 'bad' ELSE CAST(v AS STRING) END AS INT) AS n FROM s;"
    crash_round "$D" 1 1
    crash_round "$D" $((ACKED + 2)) 0
    crash_round "$D" $((ACKED + 2)) 0
    sql "$D" <<'EOF'
SELECT ROWPARTITION, ROWOFFSET, id FROM s;
EOF
    expect_ok
    rows | awk -F'|' '$3 % 3 == 0 { print $1 "|" $2 }' | sort >"$T/expected_log"
    # a failed column is NULL in a row that is still sent: every id once
    rows | awk -F'|' '{ print $3 }' | sort >"$T/expected_big"
    sql "$D" <<'EOF'
SELECT `PARTITION`, `OFFSET` FROM KSQL_PROCESSING_LOG;
EOF
    expect_ok
    rows | sort >"$T/actual_log"
    sql "$D" <<'EOF'
SELECT id FROM big;
EOF
    expect_ok
    rows | sort >"$T/actual_big"
    [ -s "$T/expected_log" ] || fail "S has no id that is a multiple of 3"
    expect_same_lines "$T/expected_log" "$T/actual_log" "the processing log" "the failing records of S"
    expect_same_lines "$T/expected_big" "$T/actual_big" "BIG" "the records of S, each once"
}

# A stateless query whose input is backlogged reads it in batches longer
# than one read (up to RUNTIME_STEP_MAX records under one commit); killed
# right after appending a batch's outputs, before its commit (the
# test-only EDDY_FAULT_KILL_BEFORE_COMMIT=N), and again while that batch
# runs again, BIG still ends with each even record of S exactly once.
t_crash_kill_before_commit_of_long_stateless_batches() {
    D=$(new_dir)
    eddy_run topic create s --partitions 1 --data "$D"
    expect_ok
    # records of some 250 bytes in log batches of 37: a read stops short
    # where the reader's buffer needs a refill, at points that differ
    # between the first run of a batch and the run after the kill
    PAD=$(printf '%0200d' 0)
    awk -v pad="$PAD" 'BEGIN {
        for (i = 1; i <= 30000; i++) printf "{\"ID\":%d,\"V\":%d,\"PAD\":\"%s\"}\n", i, i, pad
    }' >"$T/in.ndjson"
    eddy_run produce s --batch 37 --data "$D" <"$T/in.ndjson"
    expect_ok
    printf '%s\n' "SET 'auto.offset.reset'='earliest';" "CREATE STREAM s (id INT, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON');" \
        "CREATE STREAM big AS SELECT id, v FROM s WHERE v % 2 = 0;" >"$T/create.sql"
    for n in 2 1 3 1 2 1 4 1; do
        if [ -s "$T/create.sql" ]; then script="$T/create.sql"; else script=/dev/null; fi
        EDDY_FAULT_KILL_BEFORE_COMMIT=$n timeout -k 2 20 "$EDDY" --data "$D" <"$script" >"$T/out" 2>"$T/err"
        rc=$?
        [ $rc -eq 137 ] || fail "the fault before commit $n did not kill eddy (exit status $rc): $(cat "$T/err")"
        : >"$T/create.sql"
    done
    sql "$D" </dev/null # no fault: the query catches up
    expect_ok
    eddy_run consume BIG --from-beginning --format value --data "$D"
    expect_ok
    awk 'BEGIN { for (i = 2; i <= 30000; i += 2) print i }' >"$T/expected"
    sed 's/.*"ID":\([0-9]*\).*/\1/' "$T/out" | sort -n >"$T/actual"
    expect_same_lines "$T/expected" "$T/actual" "BIG" "the even records of S"
}
