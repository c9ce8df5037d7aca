# eddy bench, run small: each case completes, reads every record, and reports
# its figures (the figures themselves are for notes, never asserted).

t_bench_query_runs_nexmark_q0_q1_q2() {
    eddy_run bench query --records 2000
    expect_ok
    for q in "q0 (pass-through" "q1 (currency conversion" "q2 (selection"; do
        grep -q "^query $q, JSON in/out): 2000 records" "$T/out" || fail "no line for $q"
    done
    out_has "peak RSS:"
}

t_bench_unknown_case_fails_with_usage() {
    eddy_run bench nosuch
    expect_rc 2
    err_has "usage: eddy bench"
}

t_bench_case_help_prints_usage_without_running() {
    eddy_run bench window --help
    expect_ok
    case "$(sed -n 1p "$T/out")" in "usage: eddy bench "*) ;; *) fail "no usage line" ;; esac
    out_lacks "window q7"
}

t_bench_misspelt_option_fails_before_running() {
    eddy_run bench query --recrods 10
    expect_rc 2
    err_has "unknown option --recrods"
    out_lacks "query q0"
}

# eddy bench server, small: a server child, pull queries over both
# protocols that all returned their row, every push subscriber got every row.
t_bench_server_runs_pull_queries_over_http_and_pgwire_and_a_push_fan_out() {
    eddy_run bench server --keys 1000 --clients 4 --seconds 1 --subscribers 5 --push-rows 200
    expect_ok
    out_has "server 1000 keys: table t built"
    grep -q "^  HTTP /query-stream: 4 keep-alive clients, .* [1-9][0-9]* pull queries by key" "$T/out" ||
        fail "no HTTP line"
    grep -q "^  pgwire Simple Query: 4 keep-alive clients, .* [1-9][0-9]* pull queries by key" "$T/out" ||
        fail "no pgwire line"
    out_has "push fan-out: 5 subscribers"
    out_has "1000 rows delivered"
    out_lacks "FAILED"
    out_lacks "INCOMPLETE"
    out_has "server peak RSS:"
}

t_bench_server_refuses_bad_numbers() {
    eddy_run bench server --clients 0
    expect_rc 2
    err_has "server wants 1-10000 clients"
}

t_bench_restore_restarts_from_checkpoint_and_from_changelog() {
    eddy_run bench restore --keys 30000
    expect_ok
    grep -q "^restore 30000 keys, from the checkpoint + changelog tail: " "$T/out" || fail "no checkpoint restart line"
    out_has "state: 30000 entries"
    out_has "restored from a checkpoint + "
    out_has "restored from no checkpoint + "
    out_has "checkpoint file: "
}

# eddy bench nexmark --json: one object per query with every figure; q0
# passes every bid through (20000 events hold 18400 bids: 46 in 50), q3
# reads the 400 persons and 1200 auctions and finds the 102 category-10
# auctions of sellers in OR, ID or CA (counted by a script over
# nexmark_gen.py's events, independently of Eddy).
t_bench_nexmark_json_reports_q0_and_q3() {
    EDDY_TIMEOUT=120 eddy_run bench nexmark --events 20000 --queries q0,q3 --json
    expect_ok
    python3 - "$T/out" <<'PY' || fail "unexpected JSON figures"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2, lines
keys = ["query", "events", "events_per_s", "events_per_s_per_core", "output_rows",
        "p50_latency_ms", "p99_latency_ms", "peak_rss_mb"]
rows = [json.loads(l) for l in lines]
for r in rows:
    assert list(r) == keys, r
    for k in keys[1:]:
        assert isinstance(r[k], (int, float)) and r[k] >= 0, (k, r)
    assert r["events_per_s"] > 0 and r["peak_rss_mb"] > 0, r
    assert r["p50_latency_ms"] <= r["p99_latency_ms"], r
q0, q3 = rows
assert q0["query"] == "q0" and q0["events"] == 18400 and q0["output_rows"] == 18400, q0
assert q3["query"] == "q3" and q3["events"] == 1600 and q3["output_rows"] == 102, q3
PY
    err_has "q6: "
}

# q11's session merges write tombstones stamped with the time of the
# session they take back; the latency figures time every other result and
# count the tombstones apart, so the two add up to the output rows.
t_bench_nexmark_latency_leaves_tombstones_untimed() {
    EDDY_TIMEOUT=120 eddy_run bench nexmark --events 20000 --queries q11
    expect_ok
    python3 - "$T/out" <<'PY' || fail "timed results and tombstones do not add up to the output rows"
import re, sys
text = open(sys.argv[1]).read()
rows = int(re.search(r"(\d+) output rows", text).group(1))
timed = int(re.search(r"over (\d+) results", text).group(1))
tomb = int(re.search(r"\((\d+) tombstones not timed", text).group(1))
assert tomb > 0 and timed > 0 and timed + tomb == rows, (timed, tomb, rows)
PY
}

# q7's results (EMIT FINAL) are also timed from the input that closed
# their window, which comes after the window's latest input: every result
# is timed so, and each of those figures is the shorter.
t_bench_nexmark_times_emit_final_from_the_window_close() {
    EDDY_TIMEOUT=120 eddy_run bench nexmark --events 150000 --queries q7
    expect_ok
    python3 - "$T/out" <<'PY' || fail "the figures from the window's close do not hold"
import re, sys
text = open(sys.argv[1]).read()
rows = int(re.search(r"(\d+) output rows", text).group(1))
p50, p99 = map(float, re.search(r"latency at \d+ events/s: p50 ([\d.]+) ms, p99 ([\d.]+) ms", text).groups())
c50, c99, n = re.search(r"window's close: p50 ([\d.]+) ms, p99 ([\d.]+) ms over (\d+) results", text).groups()
assert rows > 0 and int(n) == rows, (n, rows)
assert float(c50) <= p50 and float(c99) <= p99, (c50, c99, p50, p99)
PY
}

t_bench_nexmark_refuses_a_query_it_cannot_express() {
    eddy_run bench nexmark --queries q0,q9
    expect_rc 2
    err_has "q9 cannot be expressed in Eddy: the winning bid"
    out_lacks "q0 (pass-through)"
}

# The events are nexmark_gen.py's, byte for byte (same seed, same model).
t_bench_nexmark_events_match_the_python_generator() {
    gen=${SHARED:-$E2E_DIR/../../../shared}/bench/nexmark_gen.py
    [ -f "$gen" ] || skip "no $gen"
    eddy_run bench nexmark --ndjson "$T/eddy" --events 7000
    expect_ok
    python3 "$gen" --events 7000 --out "$T/py" || fail "nexmark_gen.py failed"
    for k in person auction bid; do
        cmp "$T/eddy/$k.ndjson" "$T/py/$k.ndjson" || fail "$k.ndjson differs"
    done
}

# --rate fixes the latency run's input rate (builds compared at one rate);
# a rate that is not a positive number is refused.
t_bench_nexmark_rate_sets_the_latency_run_input_rate() {
    EDDY_TIMEOUT=120 eddy_run bench nexmark --events 20000 --queries q1 --rate 25000
    expect_ok
    out_has "latency at 25000 events/s: p50 "
    eddy_run bench nexmark --events 20000 --queries q1 --rate 0
    expect_rc 2
    err_has "--rate needs a positive number of events/s"
}
