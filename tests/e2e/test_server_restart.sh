# `eddy server` stopped (SIGTERM, or kill -9) and started again on the same
# data directory: persistent queries made over HTTP come back and resume
# from their committed offsets, so each input row reaches their outputs
# exactly once; a response in progress at SIGTERM is ended properly, and
# every row acknowledged before a stop is kept.

. "$E2E_DIR/server_lib.sh"

# A stream s, a copy of it (a persistent query writing a sink topic) and
# a table counting its rows by name, made over HTTP.
make_pipeline() {
    ksql "$CREATE_S CREATE STREAM copy AS SELECT id, name FROM s; CREATE TABLE counts AS SELECT name, COUNT(*) AS n FROM s GROUP BY name;"
    expect_code 200
}

# insert ID NAME: one row into s over /ksql.
insert() {
    ksql "INSERT INTO s (id, name) VALUES ($1, '$2');"
    expect_code 200
}

# wait_count NAME N: polls the table (up to 10 s) until NAME counts N.
wait_count() {
    _i=0
    while [ $_i -lt 100 ]; do
        post /query-stream "{\"sql\": \"SELECT n FROM counts WHERE name = '$1';\"}"
        [ "$(sed 1d "$T/out")" = "[$2]" ] && return 0
        sleep 0.1
        _i=$((_i + 1))
    done
    fail "counts for $1 never reached $2: $(cat "$T/out")"
}

# counts_and_copy: every count, then every row of the sink stream, sorted,
# -> $T/state.
counts_and_copy() {
    post /query-stream '{"sql": "SELECT name, n FROM counts;"}'
    expect_code 200
    sed 1d "$T/out" | sort >"$T/state"
    post /query-stream '{"sql": "SELECT id, name FROM copy;"}'
    expect_code 200
    sed 1d "$T/out" | sort >>"$T/state"
}

# restart_and_check WHAT: starts the server on $D again, inserts two more
# rows, and expects every count and copied row exactly once.
restart_and_check() {
    start_server "$D"
    insert 4 a
    insert 5 c
    wait_count c 1
    counts_and_copy
    expect_eq "$(cat "$T/state")" "$(lines '["a",3]' '["b",1]' '["c",1]' '[1,"a"]' '[2,"a"]' '[3,"b"]' \
        '[4,"a"]' '[5,"c"]')" "counts and the copied rows after $1"
}

t_server_restart_after_sigterm_resumes_queries_exactly_once() {
    D=$(new_dir)
    start_server "$D"
    make_pipeline
    insert 1 a
    insert 2 a
    wait_count a 2
    # an /inserts-stream request in progress at SIGTERM: its row is acked,
    # then the response ends with the last chunk, and the server exits 0
    python3 -c "
import os, signal, socket, sys
host, port = sys.argv[1].split('//')[1].split(':')
s = socket.create_connection((host, int(port)), timeout=15)
s.sendall(b'POST /inserts-stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')
body = b'{\"target\": \"s\"}\n{\"id\": 3, \"name\": \"b\"}\n'
s.sendall(b'%x\r\n%s\r\n' % (len(body), body))
got = b''
while b'\"seq\":0' not in got:
    d = s.recv(65536)
    if not d:
        break
    got += d
os.kill(int(sys.argv[2]), signal.SIGTERM)
while True:
    d = s.recv(65536)
    if not d:
        break
    got += d
print('acked' if b'{\"status\":\"ok\",\"seq\":0}' in got else 'not acked')
print('ended' if got.endswith(b'\r\n0\r\n\r\n') else 'cut off')
" "$URL" "$SPID" >"$T/raw" 2>&1 || fail "the HTTP client failed: $(cat "$T/raw")"
    expect_eq "$(cat "$T/raw")" "$(lines acked ended)" "the insert in progress at SIGTERM"
    wait_stopped
    grep -q "stopped" "$T/server.log" || fail "no clean stop in the log: $(cat "$T/server.log")"
    restart_and_check SIGTERM
    stop_server
}

t_server_restart_after_kill_9_resumes_queries_exactly_once() {
    D=$(new_dir)
    start_server "$D"
    make_pipeline
    insert 1 a
    insert 2 a
    insert 3 b
    wait_count b 1
    ksql "SHOW QUERIES;"
    _ids=$(json_get 'sorted(q["id"] for q in d[0]["queries"])')
    kill -9 "$SPID"
    wait "$SPID" 2>/dev/null
    restart_and_check "kill -9"
    # the queries are there, running, under the ids they had
    ksql "SHOW QUERIES;"
    expect_eq "$(json_get 'sorted(q["id"] for q in d[0]["queries"])')" "$_ids" "query ids"
    expect_eq "$(json_get '[(q["state"], q["statusCount"]) for q in d[0]["queries"]]')" \
        "[('RUNNING', {'RUNNING': 1}), ('RUNNING', {'RUNNING': 1})]" "query states"
    stop_server
}

# Rows acked by /ksql just before kill -9 are there after the restart, and
# the queries process each once, whether or not they had got to them.
t_server_restart_after_kill_9_keeps_acked_rows_not_yet_processed() {
    D=$(new_dir)
    start_server "$D"
    make_pipeline
    insert 1 a
    insert 2 a
    insert 3 b
    kill -9 "$SPID"
    wait "$SPID" 2>/dev/null
    restart_and_check "kill -9"
    stop_server
}
