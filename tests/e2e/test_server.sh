# `eddy server`: ksqlDB's REST API driven with curl against a server on a
# free loopback port (--listen 127.0.0.1:0: the kernel picks the port, the
# server prints it).

. "$E2E_DIR/server_lib.sh"

t_server_ksql_creates_and_lists_a_stream() {
    start_server "$(new_dir)"
    ksql "$CREATE_S SHOW STREAMS;"
    expect_code 200
    expect_eq "$(json_get 'len(d)')" "2" "number of entities"
    expect_eq "$(json_get 'd[0]["@type"], d[0]["commandStatus"]["status"], d[0]["commandStatus"]["message"]')" \
        "('currentStatus', 'SUCCESS', 'Stream created')" "CREATE STREAM's entity"
    expect_eq "$(json_get 'd[0]["statementText"]')" "$CREATE_S" "statementText"
    expect_eq "$(json_get 'd[1]["@type"], [(x["name"], x["topic"], x["valueFormat"]) for x in d[1]["streams"]]')" \
        "('streams', [('KSQL_PROCESSING_LOG', 'default_ksql_processing_log', 'JSON'), ('S', 's', 'JSON')])" \
        "SHOW STREAMS' entity"
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
    expect_eq "$(json_get '[x["name"] for x in d[0]["streams"]]')" "['KSQL_PROCESSING_LOG', 'S']" "streams after restart"
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

# POST /query, the older form: one JSON array streamed, a header with the
# schema, then rows, closed when the query ends.
t_server_legacy_query_streams_a_json_array() {
    start_server "$(new_dir)"
    ksql "$CREATE_S INSERT INTO s (id, name) VALUES (1, 'a');"
    expect_code 200
    post /query '{"ksql": "SELECT * FROM s;", "streamsProperties": {}}'
    expect_code 200
    expect_eq "$(json_get 'd[0]["header"]["schema"], d[1]["row"]["columns"], len(d)')" \
        "('\`ID\` INTEGER, \`NAME\` STRING', [1, 'a'], 3)" "pull query as a JSON array"
    # a push query: a row inserted while it runs arrives, LIMIT closes the array
    post /query '{"ksql": "SELECT name FROM s EMIT CHANGES LIMIT 2;", "streamsProperties": {"auto.offset.reset": "earliest"}}' &
    _qpid=$!
    sleep 1
    curl -s -o /dev/null --data-binary '{"ksql": "INSERT INTO s (id, name) VALUES (2, '"'b'"');"}' "$URL/ksql"
    wait $_qpid || fail "the push query did not end"
    expect_eq "$(json_get '[e["row"]["columns"] for e in d if "row" in e]')" "[['a'], ['b']]" "push query rows"
    # errors: ksqlDB's error entity
    post /query '{"ksql": "SELECT * FROM nope;"}'
    expect_code 400
    expect_eq "$(json_get 'd["@type"], d["error_code"]')" "('statement_error', 40001)" "error entity"
    stop_server
}

# POST /close-query ends a push query that /query-stream started.
t_server_close_query_ends_a_push_query() {
    start_server "$(new_dir)"
    ksql "$CREATE_S INSERT INTO s (id, name) VALUES (1, 'a');"
    expect_code 200
    push_query '{"sql": "SELECT * FROM s EMIT CHANGES;", "properties": {"auto.offset.reset": "earliest"}}' '^\[1,"a"\]'
    _qid=$(sed -n 1p "$T/push" | python3 -c 'import json,sys; print(json.load(sys.stdin)["queryId"])')
    post /close-query "{\"queryId\": \"$_qid\"}"
    expect_code 200
    wait $_cpid || fail "the push query's response did not end after /close-query"
    expect_eq "$(sed 1d "$T/push")" '[1,"a"]' "rows before the close"
    # the query is gone: closing it again, or an unknown id, is a 400
    post /close-query "{\"queryId\": \"$_qid\"}"
    expect_code 400
    expect_eq "$(json_get 'd["@type"], d["error_code"]')" "('generic_error', 40000)" "unknown query id"
    post /close-query 'nope'
    expect_code 400
    stop_server
}

# POST /inserts-stream: one ack per row; the rows are there for pull and
# push queries; a bad target is the request's error, a bad row its ack's.
t_server_inserts_stream_acks_rows_and_they_are_queryable() {
    start_server "$(new_dir)"
    ksql "$CREATE_S"
    expect_code 200
    push_query '{"sql": "SELECT name FROM s EMIT CHANGES LIMIT 2;", "properties": {"auto.offset.reset": "latest"}}' queryId
    post /inserts-stream "$(lines '{"target": "s"}' '{"ID": 1, "NAME": "a"}' '{oops' '{"id": 2, "nope": 1}' '{"id": 3, "name": "c"}')"
    expect_code 200
    expect_eq "$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    a = json.loads(l); print(a["status"], a["seq"], a.get("error_code", ""))' "$T/out")" \
        "$(lines 'ok 0 ' 'error 1 40000' 'error 2 40000' 'ok 3 ')" "acks"
    grep -q "NOPE" "$T/out" || fail "the ack does not name the bad column: $(cat "$T/out")"
    wait $_cpid || fail "the push query did not see the inserted rows"
    expect_eq "$(sed 1d "$T/push")" "$(lines '["a"]' '["c"]')" "inserted rows reach a push query"
    post /query-stream '{"sql": "SELECT * FROM s;"}'
    expect_eq "$(sed 1d "$T/out")" "$(lines '[1,"a"]' '[3,"c"]')" "inserted rows reach a pull query"
    post /inserts-stream "$(lines '{"target": "nope"}' '{"ID": 1}')"
    expect_code 400
    expect_eq "$(json_get 'd["error_code"]')" "40001" "unknown target"
    post /inserts-stream 'not json'
    expect_code 400
    stop_server
}

# GET /status: the commands run so far; GET /status/ID: one of them.
t_server_status_lists_command_statuses() {
    start_server "$(new_dir)"
    ksql "$CREATE_S"
    expect_code 200
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' "$URL/status")
    expect_code 200
    expect_eq "$(json_get 'd["commandStatuses"]')" "{'stream/\`S\`/create': 'SUCCESS'}" "command statuses"
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' "$URL/status/stream/%60S%60/create")
    expect_code 200
    expect_eq "$(json_get 'd["status"], d["message"]')" "('SUCCESS', 'Stream created')" "one command's status"
    # the id as older clients write it, without the backquotes
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' "$URL/status/stream/S/create")
    expect_code 200
    expect_eq "$(json_get 'd["status"]')" "SUCCESS" "the status of stream/S/create"
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' "$URL/status/nope")
    expect_code 404
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' "$URL/status/stream/NOPE/create")
    expect_code 404
    stop_server
}

# /ksql's streamsProperties hold for the statements of that request only:
# auto.offset.reset decides whether a new query reads what is already in
# its source; a bad value is the request's error and runs nothing.
t_server_ksql_streams_properties_apply_to_their_request() {
    start_server "$(new_dir)"
    ksql "$CREATE_S INSERT INTO s (id, name) VALUES (1, 'old');"
    expect_code 200
    post /ksql '{"ksql": "CREATE STREAM early AS SELECT * FROM s;", "streamsProperties": {"auto.offset.reset": "earliest"}}'
    expect_code 200
    post /ksql '{"ksql": "CREATE STREAM late AS SELECT * FROM s;", "streamsProperties": {"auto.offset.reset": "latest"}}'
    expect_code 200
    post /ksql '{"ksql": "CREATE STREAM bad AS SELECT * FROM s;", "streamsProperties": {"auto.offset.reset": "sideways"}}'
    expect_code 400
    expect_eq "$(json_get 'd["error_code"], d["message"].startswith("bad property '"'"'auto.offset.reset'"'"': "), d["message"].count("bad property"), "sideways" in d["message"]')" \
        "(40000, True, 1, True)" "a bad property"
    ksql "INSERT INTO s (id, name) VALUES (2, 'new');"
    expect_code 200
    _i=0
    while [ $_i -lt 100 ]; do
        post /query-stream '{"sql": "SELECT * FROM late;"}'
        [ "$(sed 1d "$T/out")" = '[2,"new"]' ] && break
        sleep 0.1
        _i=$((_i + 1))
    done
    expect_eq "$(sed 1d "$T/out")" '[2,"new"]' "latest: only the new row"
    post /query-stream '{"sql": "SELECT * FROM early;"}'
    expect_eq "$(sed 1d "$T/out")" "$(lines '[1,"old"]' '[2,"new"]')" "earliest: both rows"
    ksql "SHOW STREAMS;"
    expect_eq "$(json_get '"BAD" in [x["name"] for x in d[0]["streams"]]')" "False" "the refused request made nothing"
    stop_server
}

t_server_help() {
    eddy_run server --help
    expect_ok
    out_has "usage: eddy server"
    out_has "/query-stream"
    out_has "/inserts-stream"
    out_has "/close-query"
    out_has "GET  /status"
    out_has "--pg-listen HOST:PORT"
}

# ---- the client: eddy run FILE --server URL, eddy --server URL -------------

t_server_client_run_file_prints_results_and_stops_at_a_failing_statement() {
    start_server "$(new_dir)"
    cat >"$T/f.sql" <<'EOF'
-- made over HTTP
CREATE STREAM s (id INT KEY, name STRING)
  WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
INSERT INTO s (id, name) VALUES (1, 'a');
SET 'auto.offset.reset'='earliest';
SELECT * FROM s;
SHOW STREAMS;

SELECT id FROM
  nope;
CREATE STREAM never (id INT) WITH (KAFKA_TOPIC='never', VALUE_FORMAT='JSON', PARTITIONS=1);
EOF
    eddy_run run "$T/f.sql" --server "$URL"
    expect_rc 1
    out_has "Stream created"
    out_has "Stream Name"
    expect_eq "$(rows)" "$(lines '1|a' 'KSQL_PROCESSING_LOG|default_ksql_processing_log|KAFKA|JSON|false' 'S|s|KAFKA|JSON|false')" \
        "rows of SELECT and SHOW STREAMS"
    err_has "$T/f.sql: line 10:3: NOPE does not exist"
    # the statement after the error did not run
    printf 'SHOW STREAMS;\n' >"$T/in.sql"
    eddy_run --server "$URL" <"$T/in.sql"
    expect_ok
    expect_eq "$(rows)" "$(lines 'KSQL_PROCESSING_LOG|default_ksql_processing_log|KAFKA|JSON|false' 'S|s|KAFKA|JSON|false')" "streams after the failed run"
    stop_server
}

t_server_client_shell_reads_statements_from_a_pipe() {
    start_server "$(new_dir)"
    printf "CREATE STREAM s (id INT KEY, name STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);\nINSERT INTO s (id, name) VALUES (7, 'x');\nSHOW STREAMS;\nSET 'auto.offset.reset'='earliest';\nSELECT name FROM s;\n" >"$T/in.sql"
    eddy_run --server "$URL" <"$T/in.sql"
    expect_ok
    out_has "Stream created"
    expect_eq "$(rows)" "$(lines 'KSQL_PROCESSING_LOG|default_ksql_processing_log|KAFKA|JSON|false' 'S|s|KAFKA|JSON|false' 'x')" \
        "SHOW STREAMS and the pull query"
    printf 'SHOW STREAMS;\nDROP STREAM nope;\nSHOW TOPICS;\n' >"$T/in.sql"
    eddy_run --server "$URL" <"$T/in.sql"
    expect_rc 1
    err_has "stdin: line 2:13: "
    out_lacks "Partitions"
    stop_server
}

t_server_client_interactive_shell_runs_statements_and_ctrl_c_stops_a_push_query() {
    start_server "$(new_dir)"
    tmux_start "$(new_dir)" "$(new_dir)" --server "$URL"
    tmux_wait_for "Statements run on the server at $URL"
    tmux_line "$CREATE_S"
    tmux_wait_for "Stream created"
    tmux_line "SET 'auto.offset.reset'='earliest';"
    tmux_wait_for "Successfully changed"
    tmux_line "INSERT INTO s (id, name) VALUES (1, 'first');"
    tmux_line "SELECT * FROM s"
    tmux_line "  EMIT CHANGES;"
    tmux_wait_for "| first"
    tmux_keys C-c
    tmux_wait_for "Query terminated"
    tmux_wait_last_line "eddy>"
    tmux_line "SHOW STREAMS;"
    tmux_wait_for "| S "
    tmux_line "DROP STREAM nope;"
    tmux_wait_for "line 1:13: "
    tmux_wait_last_line "eddy>"
    tmux_line "exit"
    tmux_wait_exit
    stop_server
}

t_server_client_define_substitutes_variables() {
    start_server "$(new_dir)"
    cat >"$T/d.sql" <<'EOF'
CREATE STREAM ${name} (id INT KEY) WITH (KAFKA_TOPIC='${topic}', VALUE_FORMAT='JSON', PARTITIONS=1);
SHOW STREAMS;
EOF
    eddy_run run "$T/d.sql" --server "$URL" --define name=hello --define topic=tp
    expect_ok
    expect_eq "$(rows)" "$(lines 'KSQL_PROCESSING_LOG|default_ksql_processing_log|KAFKA|JSON|false' 'HELLO|tp|KAFKA|JSON|false')" \
        "a stream named by variables"
    stop_server
}

t_server_client_refused_connection_names_the_url() {
    printf 'SHOW STREAMS;\n' >"$T/f.sql"
    # a port nothing listens on: bind one, then free it
    _port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    eddy_run run "$T/f.sql" --server "http://127.0.0.1:$_port"
    expect_rc 1
    err_has "cannot connect to http://127.0.0.1:$_port: Connection refused"
    eddy_run --server "http://127.0.0.1:$_port" <"$T/f.sql"
    expect_rc 1
    err_has "cannot connect to http://127.0.0.1:$_port"
    eddy_run run "$T/f.sql" --server "127.0.0.1:$_port"
    expect_rc 2
    err_has "http://HOST:PORT"
}

t_server_client_help() {
    eddy_run --help
    expect_ok
    out_has "--server URL"
    out_lacks "not built yet"
    eddy_run run --help
    expect_ok
    out_has "eddy run FILE.sql --server URL [--user USER:PASS | --token TOKEN]"
}

# ---- the PostgreSQL wire protocol (--pg-listen), driven with psql ----------

t_server_pg_psql_pulls_rows_from_a_table_and_a_stream() {
    start_pg_server "$(new_dir)"
    pg_fixture
    pg "SELECT name, n FROM counts WHERE name = 'a';"
    expect_eq "$RC" 0 "psql exit status"
    expect_eq "$(cat "$T/out")" "a|2" "a row of the CTAS table"
    # a NULL arrives as NULL (psql prints what -P null says), not as text
    pg "SELECT id, name FROM s;"
    expect_eq "$RC" 0 "psql exit status"
    expect_eq "$(cat "$T/out")" "$(lines '1|a' '2|a' '3|<null>')" "rows of the stream, with a NULL"
    # column names and the row count as psql shows them, aligned
    PGCONNECT_TIMEOUT=5 timeout 20 psql -X -h 127.0.0.1 -p "$PGPORT" -U x -d eddy \
        -c "SELECT * FROM counts WHERE name = 'a';" >"$T/out" 2>"$T/err" || fail "psql: $(cat "$T/err")"
    expect_eq "$(sed -n 1p "$T/out" | tr -s ' ')" " NAME | N " "psql's header line"
    out_has "(1 row)"
    stop_server
}

t_server_pg_values_come_in_postgres_types_and_text_format() {
    start_pg_server "$(new_dir)"
    ksql "CREATE STREAM v (id INT KEY, b BOOLEAN, l BIGINT, d DOUBLE, m DECIMAL(5, 2), a ARRAY<INT>, ts TIMESTAMP) WITH (KAFKA_TOPIC='v', VALUE_FORMAT='JSON', PARTITIONS=1); INSERT INTO v (id, b, l, d, m, a, ts) VALUES (7, true, 5000000000, 1.5, 1.25, ARRAY[1, 2], FROM_UNIXTIME(1000));"
    expect_code 200
    pg "SELECT * FROM v;"
    expect_eq "$RC" 0 "psql exit status"
    expect_eq "$(cat "$T/out")" "7|t|5000000000|1.5|1.25|[1,2]|1970-01-01 00:00:01.000" \
        "values in PostgreSQL's text format"
    # the type OIDs of the RowDescription, as a PostgreSQL client reads them
    python3 - "$PGPORT" >"$T/out" <<'PYEOF'
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
p = b"user\0x\0database\0eddy\0\0"
s.sendall(struct.pack("!ii", 8 + len(p), 196608) + p)
q = b"SELECT * FROM v;\0"
s.sendall(b"Q" + struct.pack("!i", 4 + len(q)) + q)
data = b""
while not data.endswith(b"Z\0\0\0\x05I") or data.count(b"Z\0\0\0\x05I") < 2:
    data += s.recv(65536)
i = 0
while i < len(data):
    t, n = data[i:i + 1], struct.unpack("!i", data[i + 1:i + 5])[0]
    if t == b"T":
        body, pos = data[i + 5:i + 1 + n], 2
        for _ in range(struct.unpack("!h", body[:2])[0]):
            end = body.index(b"\0", pos)
            name, oid = body[pos:end].decode(), struct.unpack("!i", body[end + 7:end + 11])[0]
            print(name, oid)
            pos = end + 19
        break
    i += 1 + n
PYEOF
    expect_eq "$(cat "$T/out")" "$(lines 'ID 23' 'B 16' 'L 20' 'D 701' 'M 1700' 'A 25' 'TS 1114')" "type OIDs"
    stop_server
}

t_server_pg_show_and_describe_return_rows() {
    start_pg_server "$(new_dir)"
    pg_fixture
    pg "SHOW TABLES;"
    expect_eq "$RC" 0 "psql exit status"
    expect_eq "$(cut -d'|' -f1 "$T/out")" "COUNTS" "SHOW TABLES"
    pg "SHOW STREAMS;"
    expect_eq "$(cut -d'|' -f1,2 "$T/out")" "$(lines 'KSQL_PROCESSING_LOG|default_ksql_processing_log' 'S|s')" "SHOW STREAMS"
    pg "DESCRIBE s;"
    expect_eq "$RC" 0 "psql exit status"
    out_has "NAME|STRING"
    stop_server
}

t_server_pg_refuses_push_queries_and_writes_and_reports_errors() {
    start_pg_server "$(new_dir)"
    pg_fixture
    pg "SELECT * FROM s EMIT CHANGES;"
    expect_eq "$RC" 1 "psql exit status for a push query"
    err_has "ERROR:  line 1:1: push queries are not supported over the PostgreSQL protocol"
    pg "SELECT * FROM nope;"
    expect_eq "$RC" 1 "psql exit status for an unknown table"
    err_has "ERROR:  line 1:15: NOPE does not exist"
    # psql draws its own caret from the error's position
    err_has "LINE 1: SELECT * FROM nope;"
    pg "SELEKT 1;"
    expect_eq "$RC" 1 "psql exit status for a syntax error"
    err_has "ERROR:  line 1:1: syntax error"
    pg "INSERT INTO s (id, name) VALUES (9, 'z');"
    expect_eq "$RC" 1 "psql exit status for INSERT"
    err_has "only pull queries, SHOW, DESCRIBE and EXPLAIN run over the PostgreSQL protocol"
    # nothing was written, and the server still answers
    pg "SELECT id FROM s;"
    expect_eq "$(cat "$T/out")" "$(lines 1 2 3)" "rows after the refused INSERT"
    stop_server
}

t_server_pg_answers_malformed_messages_and_keeps_serving() {
    start_pg_server "$(new_dir)"
    python3 - "$PGPORT" >"$T/out" <<'PYEOF'
import socket, struct, sys, time
port = int(sys.argv[1])
def recv_all(s):
    data = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except socket.timeout:
        return data, False
def session():
    s = socket.create_connection(("127.0.0.1", port), timeout=2)
    p = b"user\0x\0database\0eddy\0\0"
    s.sendall(struct.pack("!ii", 8 + len(p), 196608) + p)
    d = b""
    while not d.endswith(b"Z\0\0\0\x05I"):
        d += s.recv(4096)
    return s
s = socket.create_connection(("127.0.0.1", port), timeout=2)
s.sendall(struct.pack("!ii", 8, 80877103))
print("ssl", s.recv(1))
s = session()
s.sendall(b"Q" + struct.pack("!i", 100000000))
d, closed = recv_all(s)
print("oversized", b"C08P01" in d, b"FATAL" in d, closed)
s = socket.create_connection(("127.0.0.1", port), timeout=2)
s.sendall(b"\0\0\0\x02junk")
d, closed = recv_all(s)
print("bad startup", b"C08P01" in d, closed)
s = session()
s.sendall(b"?" + struct.pack("!i", 4))
d, closed = recv_all(s)
print("unknown type", b"C08P01" in d, closed)
s = session()
s.sendall(b"Q" + struct.pack("!i", 6) + b"ab")
d, closed = recv_all(s)
print("no NUL", b"C08P01" in d, closed)
s = session()
s.sendall(b"Q" + struct.pack("!i", 5) + b"\0")
time.sleep(0.3)
print("empty", s.recv(4096))
s.sendall(b"X" + struct.pack("!i", 4))
d, closed = recv_all(s)
print("terminate", d, closed)
PYEOF
    expect_eq "$(cat "$T/out")" "$(lines "ssl b'N'" 'oversized True True True' 'bad startup True True' \
        'unknown type True True' 'no NUL True True' "empty b'I\\x00\\x00\\x00\\x04Z\\x00\\x00\\x00\\x05I'" \
        "terminate b'' True")" "answers to malformed messages"
    pg "SHOW STREAMS;"
    expect_eq "$RC" 0 "psql after the malformed messages"
    stop_server
}

t_server_pg_extended_protocol_runs_statements_without_parameters() {
    start_pg_server "$(new_dir)"
    pg_fixture
    # Parse/Bind/Describe/Execute/Sync as drivers (JDBC, pgx, psycopg) send
    # them; each line: the message types answered, with what they carried
    pg_raw <<'PYEOF'
s, _ = startup()
bind = msg(b"B", b"\0\0\0\0\0\0\0\0")
execute = msg(b"E", b"\0\0\0\0\0")
sync = msg(b"S", b"")
s.sendall(msg(b"P", b"\0SELECT id, name FROM s;\0\0\0") + bind + msg(b"D", b"P\0") + execute + sync)
show(answer(s))
s.sendall(msg(b"P", b"q\0SELECT * FROM counts WHERE name = 'a';\0\0\0") + msg(b"D", b"Sq\0") + sync)
show(answer(s))
s.sendall(msg(b"B", b"\0q\0\0\0\0\0\0\0") + execute + sync)
show(answer(s))
s.sendall(msg(b"P", b"\0SELECT * FROM nope;\0\0\0") + bind + execute + msg(b"P", b"\0SHOW TABLES;\0\0\0") + sync)
show(answer(s))
s.sendall(msg(b"B", b"\0q\0\0\0\0\1\0\0\0\0011\0\0") + sync)
show(answer(s))
s.sendall(msg(b"Q", b"SHOW TABLES;\0"))
show(answer(s))
PYEOF
    expect_eq "$(cat "$T/out")" "$(lines \
        "1 2 T D['1', 'a'] D['2', 'a'] D['3', None] C:SELECT 3 Z" \
        "1 t T Z" \
        "2 D['a', '2'] C:SELECT 1 Z" \
        "1 2 E:42P01 line 1:15: NOPE does not exist Z" \
        'E:08P01 bind message supplies 1 parameters, but prepared statement "q" requires 0 Z' \
        "T D['COUNTS', 'COUNTS', 'KAFKA', 'JSON', 'false'] C:SELECT 1 Z")" "answers of the extended protocol"
    stop_server
}

t_server_pg_sigterm_with_a_client_connected_exits_0() {
    start_pg_server "$(new_dir)"
    python3 - "$PGPORT" >"$T/out" <<'PYEOF' &
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
p = b"user\0x\0database\0eddy\0\0"
s.sendall(struct.pack("!ii", 8 + len(p), 196608) + p)
d = b""
while not d.endswith(b"Z\0\0\0\x05I"):
    d += s.recv(4096)
print("ready", flush=True)
print("closed" if s.recv(4096) == b"" else "data")
PYEOF
    _cpid=$!
    _i=0
    while ! grep -q ready "$T/out" && [ $_i -lt 100 ]; do
        sleep 0.1
        _i=$((_i + 1))
    done
    stop_server
    wait $_cpid
    expect_eq "$(cat "$T/out")" "$(lines ready closed)" "the client saw its connection closed"
}

# An HTTP/1.0 client knows no chunked encoding: a streamed response comes
# unchunked and ends when the server closes the connection.
t_server_http10_client_gets_an_unchunked_stream() {
    start_server "$(new_dir)"
    ksql "$CREATE_S INSERT INTO s (id, name) VALUES (1, 'a');"
    expect_code 200
    curl -s -i --http1.0 --max-time 10 -H 'Content-Type: application/json' \
        --data-binary '{"sql": "SELECT * FROM s;"}' "$URL/query-stream" | tr -d '\r' >"$T/out"
    grep -q '^HTTP/1.1 200' "$T/out" || { cat "$T/out"; fail "no 200 status line"; }
    out_lacks "Transfer-Encoding"
    out_has "Connection: close"
    expect_eq "$(tail -n 1 "$T/out")" '[1,"a"]' "the row, unchunked"
    stop_server
}
