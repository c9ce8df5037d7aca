# `eddy server`: ksqlDB's REST API driven with curl against a server on a
# free loopback port (--listen 127.0.0.1:0: the kernel picks the port, the
# server prints it).

# start_server DIR: starts the server on DIR in the background; sets SPID and
# URL, and waits (up to 10 s) until /healthcheck answers.
start_server() {
    command -v curl >/dev/null 2>&1 || skip "curl is not installed"
    : >"$T/server.log"
    "$EDDY" server --data "$1" --listen 127.0.0.1:0 >"$T/server.log" 2>&1 &
    SPID=$!
    E2E_PIDS="$E2E_PIDS $SPID"
    _i=0
    while [ $_i -lt 100 ]; do
        _port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$T/server.log")
        if [ -n "$_port" ]; then
            URL="http://127.0.0.1:$_port"
            if curl -sf "$URL/healthcheck" >/dev/null 2>&1; then return 0; fi
        fi
        kill -0 "$SPID" 2>/dev/null || { cat "$T/server.log"; fail "the server exited while starting"; }
        sleep 0.1
        _i=$((_i + 1))
    done
    cat "$T/server.log"
    fail "the server did not answer /healthcheck within 10 s"
}

# stop_server: SIGTERM, then expect exit status 0 within 10 s.
stop_server() {
    kill -TERM "$SPID"
    _i=0
    while kill -0 "$SPID" 2>/dev/null && [ $_i -lt 100 ]; do
        sleep 0.1
        _i=$((_i + 1))
    done
    kill -0 "$SPID" 2>/dev/null && fail "the server did not stop within 10 s of SIGTERM"
    wait "$SPID"
    _rc=$?
    [ "$_rc" -eq 0 ] || { cat "$T/server.log"; fail "the server exited with status $_rc after SIGTERM"; }
}

# post PATH JSON: POST; body -> $T/out, status code -> $CODE.
post() {
    CODE=$(curl -s -N --max-time 20 -o "$T/out" -w '%{http_code}' -H 'Content-Type: application/json' \
        --data-binary "$2" "$URL$1")
}

# ksql STATEMENTS: POST /ksql.
ksql() {
    post /ksql "$(printf '{"ksql": "%s", "streamsProperties": {}}' "$1")"
}

expect_code() {
    [ "$CODE" = "$1" ] || { cat "$T/out"; fail "expected HTTP $1, got $CODE"; }
}

# jq_out FILTER: jq over $T/out (python3 as the JSON tool).
json_get() {
    python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2], {"d": d}))' "$T/out" "$1"
}

CREATE_S="CREATE STREAM s (id INT KEY, name STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);"

t_server_ksql_creates_and_lists_a_stream() {
    start_server "$(new_dir)"
    ksql "$CREATE_S SHOW STREAMS;"
    expect_code 200
    expect_eq "$(json_get 'len(d)')" "2" "number of entities"
    expect_eq "$(json_get 'd[0]["@type"], d[0]["commandStatus"]["status"], d[0]["commandStatus"]["message"]')" \
        "('currentStatus', 'SUCCESS', 'Stream created')" "CREATE STREAM's entity"
    expect_eq "$(json_get 'd[0]["statementText"]')" "$CREATE_S" "statementText"
    expect_eq "$(json_get 'd[1]["@type"], [(x["name"], x["topic"], x["valueFormat"]) for x in d[1]["streams"]]')" \
        "('streams', [('S', 's', 'JSON')])" "SHOW STREAMS' entity"
    stop_server
}

t_server_pull_and_push_queries_stream_rows() {
    start_server "$(new_dir)"
    ksql "$CREATE_S INSERT INTO s (id, name) VALUES (1, 'a'); INSERT INTO s (id, name) VALUES (2, 'b');"
    expect_code 200
    # a pull query over a stream: the rows there are, then the end
    post /query-stream '{"sql": "SELECT * FROM s;", "properties": {}}'
    expect_code 200
    expect_eq "$(sed -n 1p "$T/out" | python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["columnNames"], h["columnTypes"], "queryId" in h)')" \
        "['ID', 'NAME'] ['INTEGER', 'STRING'] True" "pull query header"
    expect_eq "$(sed 1d "$T/out")" "$(lines '[1,"a"]' '[2,"b"]')" "pull query rows"
    # a push query: a row inserted while it runs arrives, LIMIT ends it
    post /query-stream '{"sql": "SELECT id, UCASE(name) AS n FROM s EMIT CHANGES LIMIT 3;", "properties": {"auto.offset.reset": "earliest"}}' &
    _qpid=$!
    sleep 1
    CODE=; curl -s -o /dev/null --data-binary '{"ksql": "INSERT INTO s (id, name) VALUES (3, '"'c'"');"}' "$URL/ksql"
    wait $_qpid || fail "the push query did not end"
    # post ran in a subshell: read what it wrote
    expect_eq "$(sed -n 1p "$T/out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["columnNames"])')" \
        "['ID', 'N']" "push query header"
    expect_eq "$(sed 1d "$T/out")" "$(lines '[1,"A"]' '[2,"B"]' '[3,"C"]')" "push query rows"
    stop_server
}

t_server_refuses_select_on_ksql_and_reports_errors_with_line_and_column() {
    start_server "$(new_dir)"
    ksql "SELECT * FROM s;"
    expect_code 400
    expect_eq "$(json_get 'd["@type"], d["error_code"]')" "('statement_error', 40002)" "SELECT on /ksql"
    ksql "$CREATE_S\\nSHOW STREAMS;\\nDROP STREAM nope;"
    expect_code 400
    expect_eq "$(json_get 'd["@type"], d["error_code"], d["statementText"]')" \
        "('statement_error', 40001, 'DROP STREAM nope;')" "error entity"
    case "$(json_get 'd["message"]')" in
    "line 3:13: "*) ;;
    *) fail "message does not start with line 3:13: $(cat "$T/out")" ;;
    esac
    ksql "SHOW STREAMS; SELEKT 1;"
    expect_code 400
    case "$(json_get 'd["message"]')" in "line 1:15: syntax error"*) ;; *) fail "syntax error: $(cat "$T/out")" ;; esac
    post /query-stream '{"sql": "SELECT * FROM nope;"}'
    expect_code 400
    case "$(json_get 'd["message"]')" in "line 1:15: "*) ;; *) fail "query error: $(cat "$T/out")" ;; esac
    stop_server
}

t_server_answers_bad_requests_and_keeps_serving() {
    start_server "$(new_dir)"
    post /ksql 'not json'
    expect_code 400
    post /ksql '{"sql": "SHOW STREAMS;"}'
    expect_code 400
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' "$URL/nope")
    expect_code 404
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' "$URL/ksql")
    expect_code 405
    # a body over 1 MiB
    head -c 1100000 /dev/zero | tr '\0' 'x' >"$T/big"
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' --data-binary @"$T/big" "$URL/ksql")
    expect_code 413
    # bad HTTP gets 400 and the connection closed
    printf 'GARBAGE / HTTP/9\r\n\r\n' >"$T/bad"
    python3 - "$URL" "$T/bad" >"$T/out" <<'EOF'
import socket, sys
host, port = sys.argv[1].split("//")[1].split(":")
s = socket.create_connection((host, int(port)), timeout=5)
s.sendall(open(sys.argv[2], "rb").read())
print(s.recv(4096).split(b"\r\n")[0].decode())
EOF
    out_has "HTTP/1.1 400"
    # two requests on one keep-alive connection
    curl -s -o "$T/out" "$URL/info" -o "$T/out2" "$URL/healthcheck"
    expect_eq "$(json_get 'd["KsqlServerInfo"]["serverStatus"], d["KsqlServerInfo"]["kafkaClusterId"]')" \
        "('RUNNING', 'eddy')" "/info"
    grep -q '"isHealthy":true' "$T/out2" || fail "/healthcheck: $(cat "$T/out2")"
    stop_server
}

t_server_restart_keeps_the_stream_and_its_rows() {
    D=$(new_dir)
    start_server "$D"
    ksql "$CREATE_S INSERT INTO s (id, name) VALUES (7, 'kept');"
    expect_code 200
    stop_server
    start_server "$D"
    ksql "SHOW STREAMS;"
    expect_eq "$(json_get '[x["name"] for x in d[0]["streams"]]')" "['S']" "streams after restart"
    post /query-stream '{"sql": "SELECT * FROM s;"}'
    expect_code 200
    expect_eq "$(sed 1d "$T/out")" '[7,"kept"]' "rows after restart"
    stop_server
}

# A push query whose client went away is cancelled, and SIGTERM with a push
# query still streaming ends it and exits 0.
t_server_sigterm_ends_running_push_queries_and_exits_0() {
    start_server "$(new_dir)"
    ksql "$CREATE_S"
    expect_code 200
    timeout 1 curl -s -N --data-binary '{"sql": "SELECT * FROM s EMIT CHANGES;"}' "$URL/query-stream" >/dev/null
    curl -s -N --data-binary '{"sql": "SELECT * FROM s EMIT CHANGES;"}' "$URL/query-stream" >"$T/push" &
    _cpid=$!
    sleep 0.5
    stop_server
    wait $_cpid
    grep -q '"columnNames"' "$T/push" || fail "the push query did not start: $(cat "$T/push")"
    grep -q "stopped" "$T/server.log" || fail "no clean stop in the log"
}

t_server_help() {
    eddy_run server --help
    expect_ok
    out_has "usage: eddy server"
    out_has "/query-stream"
}
