# `eddy server` limits: header size (431), concurrent push queries
# (--max-push-queries, 429), idle connections (--idle-timeout); and pull
# queries by key on a table, which the server answers on its network
# thread.

. "$E2E_DIR/server_lib.sh"

# raw_http PYTHON: runs PYTHON with `url` (host, port) and `conn()` (a
# connected socket) defined; stdout -> $T/raw.
raw_http() {
    python3 -c "
import socket, sys
host, port = sys.argv[1].split('//')[1].split(':')
url = (host, int(port))
def conn():
    return socket.create_connection(url, timeout=15)
$1" "$URL" >"$T/raw" || fail "the raw HTTP client failed: $(cat "$T/raw")"
}

t_server_limits_oversized_headers_get_431_while_others_keep_working() {
    start_server "$(new_dir)"
    ksql "$CREATE_S"
    expect_code 200
    push_query '{"sql": "SELECT * FROM s EMIT CHANGES;"}' 'columnNames'
    # 20 KiB of headers, over the 16 KiB limit
    _big=$(head -c 20000 /dev/zero | tr '\0' 'x')
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' -H "X-Big: $_big" "$URL/info")
    expect_code 431
    expect_eq "$(json_get 'd["error_code"]')" "43100" "error code"
    # a request line alone over the limit too
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' "$URL/info?$_big")
    expect_code 431
    # just under the limit is fine
    _ok=$(head -c 15000 /dev/zero | tr '\0' 'y')
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' -H "X-Ok: $_ok" "$URL/info")
    expect_code 200
    # the push query still streams
    ksql "INSERT INTO s (id, name) VALUES (5, 'after');"
    expect_code 200
    push_wait '\[5,"after"\]'
    kill "$_cpid" 2>/dev/null
    stop_server
}

t_server_limits_push_queries_over_the_limit_are_refused_with_429() {
    start_server "$(new_dir)" --max-push-queries 1
    ksql "$CREATE_S"
    expect_code 200
    push_query '{"sql": "SELECT * FROM s EMIT CHANGES;"}' 'columnNames'
    _first=$_cpid
    post /query-stream '{"sql": "SELECT * FROM s EMIT CHANGES;"}'
    expect_code 429
    expect_eq "$(json_get 'd["@type"], d["error_code"]')" "('generic_error', 42900)" "error entity"
    case "$(json_get 'd["message"]')" in *"--max-push-queries"*) ;; *) fail "message: $(cat "$T/out")" ;; esac
    # pull queries are not push queries: they still run
    post /query-stream '{"sql": "SELECT * FROM s;"}'
    expect_code 200
    # once the first one has ended, a new one may start
    kill "$_first"
    _i=0
    while [ $_i -lt 100 ]; do
        CODE=$(curl -s -o "$T/out" -w '%{http_code}' --max-time 1 \
            --data-binary '{"sql": "SELECT * FROM s EMIT CHANGES LIMIT 1;"}' "$URL/query-stream")
        [ "$CODE" = 429 ] || break
        sleep 0.1
        _i=$((_i + 1))
    done
    [ "$CODE" != 429 ] || fail "still refused after the first push query ended"
    grep -q columnNames "$T/out" || fail "the new push query did not start: $(cat "$T/out")"
    stop_server
}

t_server_limits_idle_connections_are_closed() {
    start_server "$(new_dir)" --idle-timeout 1
    ksql "$CREATE_S"
    expect_code 200
    push_query '{"sql": "SELECT * FROM s EMIT CHANGES;"}' 'columnNames'
    # a keep-alive connection after one answer, a connection that never sent
    # a byte, and one that stopped in the middle of its headers: each is
    # closed by the server (recv returns b'') while another client is served
    raw_http "
import time
a, b, c = conn(), conn(), conn()
a.sendall(b'GET /info HTTP/1.1\r\nHost: x\r\n\r\n')
first = a.recv(4096).split(b'\r\n')[0].decode()
c.sendall(b'GET /info HTTP/1.1\r\nHo')
d = conn()
d.sendall(b'GET /healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
other = d.recv(4096).split(b'\r\n')[0].decode()
def closed(s):
    while True:
        data = s.recv(4096)
        if not data:
            return 'closed'
print(first, other, closed(a), closed(b), closed(c))
"
    expect_eq "$(cat "$T/raw")" "HTTP/1.1 200 OK HTTP/1.1 200 OK closed closed closed" "idle connections"
    # a streaming push query is not idle: it still gets rows
    ksql "INSERT INTO s (id, name) VALUES (9, 'late');"
    expect_code 200
    push_wait '\[9,"late"\]'
    kill "$_cpid" 2>/dev/null
    stop_server
}

t_server_limits_bad_limit_values_are_refused() {
    eddy_run server --data "$(new_dir)" --max-push-queries lots
    expect_rc 2
    err_has "--max-push-queries wants a whole number"
    eddy_run server --data "$(new_dir)" --idle-timeout -1
    expect_rc 2
    err_has "--idle-timeout wants a whole number"
}

# Pull queries on a table: by key (answered on the network thread), by
# another column (a scan, on a worker), a key that is not there; over
# /query-stream and /query, on one keep-alive connection.
t_server_limits_pull_queries_on_a_table_answer_by_key_and_by_scan() {
    start_server "$(new_dir)"
    ksql "$CREATE_S CREATE TABLE counts AS SELECT name, COUNT(*) AS n FROM s GROUP BY name;"
    expect_code 200
    ksql "INSERT INTO s (id, name) VALUES (1, 'a'); INSERT INTO s (id, name) VALUES (2, 'a'); INSERT INTO s (id, name) VALUES (3, 'b');"
    expect_code 200
    _i=0
    while [ $_i -lt 100 ]; do
        post /query-stream "{\"sql\": \"SELECT * FROM counts WHERE name = 'a';\"}"
        [ "$(sed 1d "$T/out")" = '["a",2]' ] && break
        sleep 0.1
        _i=$((_i + 1))
    done
    expect_code 200
    expect_eq "$(sed -n 1p "$T/out" | python3 -c 'import json,sys; h=json.load(sys.stdin); print(h["columnNames"], h["queryId"].startswith("pull_"))')" \
        "['NAME', 'N'] True" "header of a pull by key"
    expect_eq "$(sed 1d "$T/out")" '["a",2]' "pull by key"
    post /query-stream "{\"sql\": \"SELECT name FROM counts WHERE n = 1;\"}"
    expect_code 200
    expect_eq "$(sed 1d "$T/out")" '["b"]' "pull by scan"
    post /query-stream "{\"sql\": \"SELECT * FROM counts WHERE name = 'zz';\"}"
    expect_code 200
    expect_eq "$(wc -l <"$T/out" | tr -d ' ')" "1" "a missing key: the header alone"
    post /query "{\"ksql\": \"SELECT * FROM counts WHERE name = 'b';\"}"
    expect_code 200
    expect_eq "$(json_get 'd[1]["row"]["columns"], d[2]["finalMessage"]')" "(['b', 1], 'Query Completed')" "/query by key"
    post /query-stream "{\"sql\": \"SELECT * FROM counts WHERE nope = 'a';\"}"
    expect_code 400
    case "$(json_get 'd["message"]')" in "line 1:28: "*) ;; *) fail "error: $(cat "$T/out")" ;; esac
    # many lookups on one keep-alive connection
    raw_http "
import json
s = conn()
body = json.dumps({'sql': \"SELECT n FROM counts WHERE name = 'a';\"}).encode()
req = b'POST /query-stream HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s' % (len(body), body)
f = s.makefile('rb')
rows = []
for i in range(50):
    s.sendall(req)
    status = f.readline()
    length = 0
    while True:
        line = f.readline()
        if line == b'\r\n':
            break
        if line.lower().startswith(b'content-length:'):
            length = int(line.split(b':')[1])
    rows.append(f.read(length).split(b'\n')[1].decode())
print(status.decode().strip(), len(rows), set(rows))
"
    expect_eq "$(cat "$T/raw")" "HTTP/1.1 200 OK 50 {'[2]'}" "50 lookups on one connection"
    stop_server
}

# /inserts-stream reads rows as they arrive: each row is acked before the
# next one is sent, on one chunked request; a body over 1 MiB is fine.
# /inserts-stream's worker starts at the headers and waits for a body that
# has not come yet, or reads one that is empty.  It used to compute a
# pointer into the body's buffer before the buffer had any memory
# (NULL + 0): undefined behaviour that make fuzz-server found and that
# clang's UBSan reports here (gcc's, in make asan, does not check it).
t_server_limits_inserts_stream_waits_for_a_late_body() {
    start_server "$(new_dir)"
    ksql "$CREATE_S"
    expect_code 200
    raw_http "
import time
s = conn()
s.sendall(b'POST /inserts-stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')
time.sleep(0.3)  # the worker is waiting for its first line by now
body = b'{\"target\": \"s\"}\n{\"id\": 1, \"name\": \"late\"}\n'
s.sendall(b'%x\r\n%s\r\n0\r\n\r\n' % (len(body), body))
f = s.makefile('rb')
print(f.readline().decode().strip())
while f.readline() != b'\r\n':
    pass
f.readline()
print(f.readline().decode().strip())
"
    expect_eq "$(cat "$T/raw")" "$(lines 'HTTP/1.1 200 OK' '{"status":"ok","seq":0}')" "the ack of the late row"
    post /query-stream '{"sql": "SELECT * FROM s;"}'
    expect_eq "$(sed 1d "$T/out")" '[1,"late"]' "the late row"
    # an empty body: no first line
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' -H 'Transfer-Encoding: chunked' --data-binary '' "$URL/inserts-stream")
    expect_code 400
    expect_eq "$(json_get 'd["message"]')" 'The first line must be {"target": "STREAM"}: no first line' "an empty body"
    stop_server
}

t_server_limits_inserts_stream_acks_rows_as_they_arrive() {
    start_server "$(new_dir)"
    ksql "$CREATE_S"
    expect_code 200
    raw_http "
s = conn()
s.sendall(b'POST /inserts-stream HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n')
def chunk(data):
    s.sendall(b'%x\r\n%s\r\n' % (len(data), data))
f = s.makefile('rb')
chunk(b'{\"target\": \"s\"}\n{\"id\": 1, \"name\": \"one\"}\n')
print(f.readline().decode().strip())
while f.readline() != b'\r\n':
    pass
pending = [b'']
def ack():  # the next line of the de-chunked body, or None at its end
    while b'\n' not in pending[0]:
        size = int(f.readline(), 16)
        if size == 0:
            return None
        pending[0] += f.read(size)
        f.readline()
    line, _, pending[0] = pending[0].partition(b'\n')
    return line.decode()
print(ack())
chunk(b'{\"id\": 2, \"na')
chunk(b'me\": \"two\"}\n{\"id\": \"x\"}\n')
print(ack())
print(ack())
chunk(b'')
print(ack() is None)
"
    expect_eq "$(cat "$T/raw")" "$(lines 'HTTP/1.1 200 OK' '{"status":"ok","seq":0}' '{"status":"ok","seq":1}' \
        "$(sed -n 4p "$T/raw")" 'True')" "acks as rows arrive"
    case "$(sed -n 4p "$T/raw")" in '{"status":"error","seq":2,"error_code":40000,'*) ;; *) fail "third ack: $(cat "$T/raw")" ;; esac
    # 1.2 MB of rows in one request (a buffered body stops at 1 MiB)
    python3 -c '
print("{\"target\": \"s\"}")
for i in range(5500): print("{\"id\": %d, \"name\": \"%s\"}" % (i + 10, "x" * 200))' >"$T/rows"
    [ "$(wc -c <"$T/rows")" -gt 1100000 ] || fail "the body is not over 1 MiB"
    CODE=$(curl -s -o "$T/out" -w '%{http_code}' --data-binary @"$T/rows" "$URL/inserts-stream")
    expect_code 200
    expect_eq "$(grep -c '"status":"ok"' "$T/out")" "5500" "acks"
    post /query-stream '{"sql": "SELECT id FROM s;"}'
    expect_eq "$(sed 1d "$T/out" | wc -l | tr -d ' ')" "5502" "rows in the stream"
    stop_server
}
