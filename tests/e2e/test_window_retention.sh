# Windowed stores stay bounded (issue 6): a TUMBLING/HOPPING window leaves
# the state store once stream time is its retention (size + grace, or a
# longer RETENTION) past its start, so a long run keeps a few windows per
# key, not all of them; the results do not change.  The store's entry
# count is read from DESCRIBE EXTENDED.

# gen_clicks N: INSERTs of N clicks of users u0..u2, 100 ms apart.
gen_clicks() {
    awk -v n="$1" 'BEGIN {
        for (i = 1; i <= n; i++)
            printf "INSERT INTO clicks (ROWTIME, user, page) VALUES (%d, '"'"'u%d'"'"', '"'"'p%d'"'"');\n", 1000000 + i * 100, i % 3, i
    }'
}

# entries DIR TABLE: sets ENTRIES to TABLE's state-store entry count.
entries() {
    printf 'DESCRIBE EXTENDED %s;\n' "$2" | eddy_run --data "$1"
    expect_ok
    ENTRIES=$(sed -n 's/^  state: \([0-9]*\) entries.*/\1/p' "$T/out")
    [ -n "$ENTRIES" ] || fail "DESCRIBE EXTENDED $2 shows no state line"
}

# records DIR TOPIC: TOPIC's records as partition|timestamp|key|value.
records() {
    eddy_run consume "$2" --from-beginning --format json --data "$1"
    expect_ok
    sed 's/^{"topic":"[A-Z_]*","partition":\([0-9]*\),"offset":[0-9]*,/\1|/' "$T/out"
}

# windows_case WINDOW-SPEC RETAINED-MAX: 3000 clicks (300 s of event time)
# into BOUNDED (WINDOW-SPEC) and KEPT (the same with RETENTION 1 DAY);
# BOUNDED holds at most RETAINED-MAX entries, KEPT every window, and
# their output topics are the same records.
windows_case() {
    D=$(new_dir)
    sql "$D" <<EOF
CREATE STREAM clicks (user STRING KEY, page STRING) WITH (KAFKA_TOPIC='clicks', VALUE_FORMAT='JSON', PARTITIONS=1);
CREATE TABLE bounded AS SELECT user, COUNT(*) AS n FROM clicks WINDOW $1 GROUP BY user;
CREATE TABLE kept AS SELECT user, COUNT(*) AS n FROM clicks WINDOW $(echo "$1" | sed 's/GRACE/RETENTION 1 DAY, GRACE/') GROUP BY user;
EOF
    expect_ok
    gen_clicks 3000 | eddy_run --data "$D"
    expect_ok
    entries "$D" bounded
    [ "$ENTRIES" -le "$2" ] || fail "BOUNDED keeps $ENTRIES store entries, more than $2"
    [ "$ENTRIES" -ge 1 ] || fail "BOUNDED keeps no store entries"
    bounded=$ENTRIES
    entries "$D" kept
    [ "$ENTRIES" -ge 900 ] || fail "KEPT keeps only $ENTRIES store entries: windows left before their retention"
    records "$D" BOUNDED >"$T/bounded"
    records "$D" KEPT >"$T/kept"
    [ "$(wc -l <"$T/kept")" -ge 3000 ] || fail "KEPT has too few output records"
    cmp -s "$T/bounded" "$T/kept" || fail "BOUNDED's output differs from KEPT's: $(diff "$T/bounded" "$T/kept" | head -5)"
    # after a restart, from the whole changelog (no checkpoint): the
    # dropped windows' tombstones keep them out
    rm -rf "$D/state"
    entries "$D" bounded
    expect_eq "$ENTRIES" "$bounded" "BOUNDED's entries after a restart from the changelog"
}

t_window_retention_tumbling_store_stays_bounded_results_unchanged() {
    windows_case "TUMBLING (SIZE 1 SECOND, GRACE PERIOD 0 SECONDS)" 6
}

t_window_retention_hopping_store_stays_bounded_results_unchanged() {
    windows_case "HOPPING (SIZE 2 SECONDS, ADVANCE BY 1 SECOND, GRACE PERIOD 1 SECOND)" 15
}
