# The log under kill -9: a producer appending with the durable (group
# commit) policy is killed with SIGKILL at random moments, 50 times.
# After each restart every acknowledged record is present exactly once, in
# order, and nothing partial is readable.
#
# `eddy produce --ack` prints `ack PARTITION FIRST LAST` after each batch's
# append has returned, i.e. after the batch is on stable storage; a record
# counts as acknowledged once such a line covering it has been printed.
# Each round resumes the sequence after what the log holds, so the whole
# log must always read {"seq":0}, {"seq":1}, ... with no gap, no repeat and
# no partial line.
#
# Runs under tests/e2e/run.sh (lib.sh sourced, $T set), or on its own:
#   EDDY=./eddy sh tests/e2e/test_log_crash.sh

# check_log DIR ROUND LAST_ACKED: the log reads seq 0..N-1 in order, N >
# LAST_ACKED; sets STORED=N.
check_log() {
    "$EDDY" consume c --from-beginning --data "$1" >"$T/all" 2>"$T/cerr" ||
        fail "round $2: consume failed: $(cat "$T/cerr")"
    awk '$0 != "{\"seq\":" (NR - 1) ",\"pad\":\"" PAD "\"}" {
             print "line " NR " is not record " (NR - 1) ": " substr($0, 1, 80); bad = 1; exit
         }
         END { exit bad }' PAD="$PAD" "$T/all" >"$T/why" ||
        fail "round $2: the log is not seq 0..N-1 in order: $(cat "$T/why")"
    STORED=$(wc -l <"$T/all")
    [ "$STORED" -gt "$3" ] ||
        fail "round $2: offset $3 was acknowledged but the log holds only $STORED records"
}

t_log_acknowledged_records_survive_sigkill_50_times() {
    D=$(new_dir)
    PAD=$(printf '%0100d' 0)
    # Small segments, so kills also land around segment rolls.
    eddy_run topic create c --flush group --segment-bytes 65536 --data "$D"
    expect_ok
    STORED=0
    acked_total=0
    round=0
    while [ $round -lt 50 ]; do
        awk -v s="$STORED" -v pad="$PAD" 'BEGIN {
                for (j = s; j < s + 400000; j++) printf "{\"seq\":%d,\"pad\":\"%s\"}\n", j, pad
            }' | "$EDDY" produce c --ack --batch 37 --partition 0 --data "$D" \
            >"$T/acks" 2>"$T/perr" &
        pid=$!
        E2E_PIDS="$E2E_PIDS $pid"
        # A random moment between 20 and 220 ms in (start-up included).
        sleep "$(awk -v r=$round 'BEGIN { srand(1000 + r); printf "%.3f", 0.02 + rand() * 0.2 }')"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        # The last whole ack line: the kill may cut the very last one short,
        # even inside a number, so a last line without its newline is dropped.
        if [ -s "$T/acks" ] && [ "$(tail -c 1 "$T/acks" | od -An -tx1 | tr -d ' ')" != "0a" ]; then
            sed '$d' "$T/acks" >"$T/acks.whole"
        else
            cp "$T/acks" "$T/acks.whole"
        fi
        last=$(grep -E '^ack 0 [0-9]+ [0-9]+$' "$T/acks.whole" | tail -n 1 | awk '{ print $4 }')
        [ -n "$last" ] || last=$((STORED - 1))
        [ "$last" -ge $((STORED - 1)) ] ||
            fail "round $round: an ack went backwards (last $last, the log held $STORED before the round;" \
                "acks: $(head -n 2 "$T/acks" | tr '\n' ' ')... $(tail -n 2 "$T/acks" | tr '\n' ' ');" \
                "segments: $(ls -l "$D"/topics/c/* 2>&1 | tail -n 4 | tr '\n' ' '))"
        check_log "$D" "$round" "$last"
        acked_total=$((last + 1))
        round=$((round + 1))
    done
    echo "50 kills: $STORED records stored, $acked_total acknowledged"
    [ "$acked_total" -gt 0 ] || fail "no record was ever acknowledged: $(cat "$T/perr")"
}

# Standalone: EDDY=./eddy sh tests/e2e/test_log_crash.sh
case "$0" in
*test_log_crash.sh)
    EDDY=${EDDY:-./eddy}
    case "$EDDY" in /*) ;; *) EDDY=$(pwd)/$EDDY ;; esac
    T=$(mktemp -d "${TMPDIR:-/tmp}/eddy-log-crash.XXXXXX")
    export EDDY T
    trap 'rm -rf "$T"' EXIT
    . "$(dirname "$0")/lib.sh"
    trap 'e2e_cleanup; rm -rf "$T"' EXIT
    t_log_acknowledged_records_survive_sigkill_50_times
    ;;
esac
