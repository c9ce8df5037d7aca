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
