# test_examples.sh — the runnable examples in examples/: each one's
# statements, run by `eddy test` on its input, give its expected output;
# and what the examples' comments promise beyond that (a state rebuilt from
# the log, a pull query, late readings counted).

# run.sh exports E2E_DIR, the folder of this file: examples/ is two up.
examples_dir() {
    d=$(cd "$E2E_DIR/../../examples" 2>/dev/null && pwd)
    [ -f "$d/bank/statements.sql" ] || fail "cannot find the examples folder from $E2E_DIR"
    echo "$d"
}

t_examples_give_their_expected_output() {
    X=$(examples_dir)
    for ex in "$X"/*/; do
        [ -f "$ex/output.json" ] || continue
        eddy_run test -s "$ex/statements.sql" -i "$ex/input.json" -o "$ex/output.json"
        [ "$RC" = 0 ] || fail "example $(basename "$ex") does not give its expected output"
    done
}

# The bank example's INSERTs, with the same event times as its input.json.
bank_events() {
    cat <<'EOF2'
INSERT INTO account_events (ROWTIME, account, type, amount) VALUES (1000, 'alice', 'opened', 0);
INSERT INTO account_events (ROWTIME, account, type, amount) VALUES (2000, 'alice', 'deposited', 100);
INSERT INTO account_events (ROWTIME, account, type, amount) VALUES (3000, 'bob', 'opened', 0);
INSERT INTO account_events (ROWTIME, account, type, amount) VALUES (4000, 'alice', 'withdrawn', 30);
INSERT INTO account_events (ROWTIME, account, type, amount) VALUES (5000, 'bob', 'deposited', 50);
INSERT INTO account_events (ROWTIME, account, type, amount) VALUES (6000, 'alice', 'deposited', 1000);
INSERT INTO account_events (ROWTIME, account, type, amount) VALUES (7000, 'alice', 'correction', -990);
EOF2
}

t_bank_balances_are_rebuilt_from_the_log_after_the_state_is_deleted() {
    X=$(examples_dir)
    D=$(new_dir)
    { echo "SET 'auto.offset.reset'='earliest';"; cat "$X/bank/statements.sql"; bank_events; } >"$T/bank.sql"
    eddy_run --data "$D" <"$T/bank.sql"
    expect_ok
    sql "$D" <<'EOF2'
SELECT account, balance, events FROM balances;
EOF2
    expect_ok
    expect_eq "$(rows | sort)" "$(lines 'alice|80.0|5' 'bob|50.0|2')" "balances folded from the events"
    # Drop the table: its query, its state store and the store's changelog
    # go; the events stay.  Building it again replays the log.
    { echo "DROP TABLE balances;"; echo "SET 'auto.offset.reset'='earliest';";
      sed -n '/^CREATE TABLE balances/,/;$/p' "$X/bank/statements.sql"; } >"$T/rebuild.sql"
    eddy_run --data "$D" <"$T/rebuild.sql"
    expect_ok
    sql "$D" <<'EOF2'
SELECT account, balance, events FROM balances;
EOF2
    expect_ok
    expect_eq "$(rows | sort)" "$(lines 'alice|80.0|5' 'bob|50.0|2')" "balances rebuilt from the log"
}

t_shop_last_order_is_read_with_a_pull_query() {
    X=$(examples_dir)
    D=$(new_dir)
    { echo "SET 'auto.offset.reset'='earliest';"; cat "$X/shop/statements.sql"
      echo "INSERT INTO orders (ROWTIME, customer, order_id, total) VALUES (500000, 'ann', 1, 25.0);"
      echo "INSERT INTO orders (ROWTIME, customer, order_id, total) VALUES (700000, 'ann', 2, 40.0);"
      echo "INSERT INTO orders (ROWTIME, customer, order_id, total) VALUES (710000, 'bob', 7, 9.5);"; } >"$T/shop.sql"
    eddy_run --data "$D" <"$T/shop.sql"
    expect_ok
    sql "$D" <<'EOF2'
SELECT * FROM last_order WHERE customer = 'ann';
EOF2
    expect_ok
    expect_eq "$(rows)" "ann|2|40.0|2" "ann's last order"
}

t_iot_late_reading_is_dropped_and_counted() {
    X=$(examples_dir)
    D=$(new_dir)
    { echo "SET 'auto.offset.reset'='earliest';"; cat "$X/iot/statements.sql"
      for r in "0 d1 20.0" "30000 d1 22.0" "61000 d1 30.0" "59000 d1 24.0" "80000 d2 40.0" "50000 d1 99.0"; do
          set -- $r
          echo "INSERT INTO readings (ROWTIME, device, temperature) VALUES ($1, '$2', $3);"
      done; } >"$T/iot.sql"
    eddy_run --data "$D" <"$T/iot.sql"
    expect_ok
    sql "$D" <<'EOF2'
SELECT device, WINDOWSTART, avg_temp, readings FROM avg_temperature;
EOF2
    expect_ok
    expect_eq "$(rows | sort)" "$(lines 'd1|0|22.0|3' 'd1|60000|30.0|1' 'd2|60000|40.0|1')" "windows after the late reading"
}
