# server_lib.sh — helpers of the `eddy server` tests (test_server*.sh source
# it after lib.sh): a server on a free loopback port (--listen 127.0.0.1:0:
# the kernel picks the port, the server prints it), driven with curl and
# psql.

# start_server DIR [OPTION...]: starts the server on DIR in the background;
# sets SPID and URL (and PGPORT with --pg-listen), and waits (up to 10 s)
# until /healthcheck answers (401 counts: the server may want credentials).
start_server() {
    command -v curl >/dev/null 2>&1 || skip "curl is not installed"
    : >"$T/server.log"
    _dir=$1
    shift
    "$EDDY" server --data "$_dir" --listen 127.0.0.1:0 "$@" >"$T/server.log" 2>&1 &
    SPID=$!
    E2E_PIDS="$E2E_PIDS $SPID"
    _i=0
    while [ $_i -lt 100 ]; do
        _port=$(sed -n 's/.*: listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$T/server.log")
        PGPORT=$(sed -n 's/.*: pg listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$T/server.log")
        if [ -n "$_port" ]; then
            URL="http://127.0.0.1:$_port"
            # any answer will do: with --auth it is a 401
            _c=$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthcheck" 2>/dev/null)
            [ "$_c" != 000 ] && [ -n "$_c" ] && return 0
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
    wait_stopped
}

# wait_stopped: the server, already sent SIGTERM, exits within 10 s with
# status 0.
wait_stopped() {
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

# push_query JSON PATTERN: POST /query-stream in the background, its body
# -> $T/push, pid -> $_cpid; waits (up to 10 s) for a line matching PATTERN.
push_query() {
    curl -s -N --max-time 20 --data-binary "$1" "$URL/query-stream" >"$T/push" &
    _cpid=$!
    push_wait "$2"
    return 0
}

# push_wait PATTERN: waits (up to 10 s) for a line matching PATTERN in
# $T/push; fails the test if none comes.
push_wait() {
    _i=0
    while ! grep -q "$1" "$T/push" && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
    grep -q "$1" "$T/push" || fail "no line matching $1 from the push query: $(cat "$T/push")"
}

# start_pg_server DIR: start_server with --pg-listen on a free port.
start_pg_server() {
    command -v psql >/dev/null 2>&1 || skip "psql is not installed (make deps installs postgresql-client)"
    start_server "$1" --pg-listen 127.0.0.1:0
    [ -n "$PGPORT" ] || { cat "$T/server.log"; fail "the server did not print 'pg listening on'"; }
}

# pg SQL: psql -At (unaligned, tuples only, NULL shown as <null>); stdout ->
# $T/out, stderr -> $T/err, exit status -> $RC.
pg() {
    PGCONNECT_TIMEOUT=5 timeout 20 psql -X -h 127.0.0.1 -p "$PGPORT" -U x -d eddy -At -P null='<null>' \
        -c "$1" >"$T/out" 2>"$T/err"
    RC=$?
}


# A stream with three rows and a table counting them by name, made over
# HTTP; returns once the table has caught up.
pg_fixture() {
    ksql "$CREATE_S CREATE TABLE counts AS SELECT name, COUNT(*) AS n FROM s GROUP BY name;"
    expect_code 200
    ksql "INSERT INTO s (id, name) VALUES (1, 'a'); INSERT INTO s (id, name) VALUES (2, 'a'); INSERT INTO s (id, name) VALUES (3, NULL);"
    expect_code 200
    _i=0
    while [ $_i -lt 100 ]; do
        pg "SELECT n FROM counts WHERE name = 'a';"
        [ "$(cat "$T/out")" = 2 ] && return 0
        sleep 0.1
        _i=$((_i + 1))
    done
    cat "$T/out" "$T/err"
    fail "the table COUNTS did not reach a count of 2 for 'a'"
}

# pg_raw <<'PYEOF' ... PYEOF: runs python3 with the script on stdin after a prelude for speaking the
# PostgreSQL protocol to $PGPORT: msg(type, body) builds a message,
# startup() connects and returns (socket, welcome messages), answer(s)
# reads messages up to ReadyForQuery as (type, body) pairs, show(out)
# prints them on one line (DataRow cells, ErrorResponse SQLSTATE and
# message, CommandComplete's tag, other types as their letter).  Output ->
# $T/out.
pg_raw() {
    { pg_prelude; cat; } | python3 - "$PGPORT" >"$T/out" 2>&1 || fail "the PostgreSQL client failed: $(cat "$T/out")"
}

pg_prelude() {
    cat <<'PYEOF'
import socket, struct, sys
PORT = int(sys.argv[1])
def msg(t, b):
    return t + struct.pack("!i", 4 + len(b)) + b
def answer(s):
    d, out = b"", []
    while not out or out[-1][0] != "Z":
        chunk = s.recv(65536)
        if not chunk:
            out.append(("closed", b""))
            break
        d += chunk
        while len(d) >= 5 and len(d) >= 1 + struct.unpack("!i", d[1:5])[0]:
            n = struct.unpack("!i", d[1:5])[0]
            out.append((d[:1].decode(), d[5:1 + n]))
            d = d[1 + n:]
    return out
def startup():
    s = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    p = b"user\0x\0database\0eddy\0\0"
    s.sendall(struct.pack("!ii", 8 + len(p), 196608) + p)
    return s, answer(s)
def show(out):
    r = []
    for t, b in out:
        if t == "D":
            cells, pos = [], 2
            for _ in range(struct.unpack("!h", b[:2])[0]):
                n = struct.unpack("!i", b[pos:pos + 4])[0]
                cells.append(None if n < 0 else b[pos + 4:pos + 4 + n].decode())
                pos += 4 + max(n, 0)
            r.append("D%s" % cells)
        elif t == "E":
            fields = dict((f[:1], f[1:]) for f in b.decode().split("\0") if f)
            r.append("E:" + fields["C"] + " " + fields["M"])
        elif t == "C":
            r.append("C:" + b[:-1].decode())
        else:
            r.append(t)
    print(" ".join(r))
PYEOF
}
