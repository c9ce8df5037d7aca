# `eddy server --auth basic:FILE | token:FILE`: credentials over HTTP (curl),
# the PostgreSQL protocol (psql) and from eddy's own client.

. "$E2E_DIR/server_lib.sh"

# users: a basic:FILE with two users (and a comment); tokens: a token:FILE.
auth_files() {
    printf '# who may come in\nalice:s3cret\nbob:pa:ss\n' >"$T/users"
    printf 'tok-1\n\ntok-2\r\n' >"$T/tokens"
}

# code_of CURL_ARGS...: GET/POST with curl; body -> $T/out, headers ->
# $T/headers, status -> $CODE.
code_of() {
    CODE=$(curl -s --max-time 20 -D "$T/headers" -o "$T/out" -w '%{http_code}' "$@")
}

t_server_auth_basic_refuses_requests_without_credentials_with_401() {
    auth_files
    start_server "$(new_dir)" --auth basic:"$T/users"
    for path in /info /healthcheck /status; do
        code_of "$URL$path"
        expect_code 401
    done
    code_of --data-binary "{\"ksql\": \"$CREATE_S\"}" "$URL/ksql"
    expect_code 401
    json_matches "$T/out" '{"@type": "generic_error", "error_code": 40100, "message": "Unauthorized"}'
    grep -qi '^WWW-Authenticate: Basic realm="eddy"' "$T/headers" || fail "no challenge: $(cat "$T/headers")"
    code_of --data-binary '{"sql": "SELECT * FROM s;"}' "$URL/query-stream"
    expect_code 401
    # a wrong password, an unknown user, a token where a user is wanted
    code_of -u alice:wrong "$URL/info"
    expect_code 401
    code_of -u carol:s3cret "$URL/info"
    expect_code 401
    code_of -H 'Authorization: Bearer tok-1' "$URL/info"
    expect_code 401
    code_of -H 'Authorization: Basic !!!not-base64' "$URL/info"
    expect_code 401
    # nothing was run for the refused requests
    code_of -u alice:s3cret --data-binary '{"ksql": "SHOW STREAMS;"}' "$URL/ksql"
    expect_code 200
    expect_eq "$(json_get '"S" in [x["name"] for x in d[0]["streams"]]')" "False" "the refused CREATE STREAM ran"
    stop_server
}

t_server_auth_basic_accepts_known_users() {
    auth_files
    start_server "$(new_dir)" --auth basic:"$T/users"
    code_of -u alice:s3cret --data-binary "{\"ksql\": \"$CREATE_S INSERT INTO s (id, name) VALUES (1, 'a');\"}" "$URL/ksql"
    expect_code 200
    # a password may hold ':' (only the first one splits user from password)
    code_of -u bob:pa:ss --data-binary '{"sql": "SELECT * FROM s;"}' "$URL/query-stream"
    expect_code 200
    expect_eq "$(sed 1d "$T/out")" '[1,"a"]' "rows"
    code_of -u alice:s3cret "$URL/info"
    expect_code 200
    stop_server
}

t_server_auth_token_accepts_bearer_tokens_only() {
    auth_files
    start_server "$(new_dir)" --auth token:"$T/tokens"
    code_of "$URL/info"
    expect_code 401
    grep -qi '^WWW-Authenticate: Bearer realm="eddy"' "$T/headers" || fail "no challenge: $(cat "$T/headers")"
    code_of -H 'Authorization: Bearer tok-3' "$URL/info"
    expect_code 401
    code_of -u tok-1:tok-1 "$URL/info"
    expect_code 401
    code_of -H 'Authorization: Bearer tok-1' "$URL/info"
    expect_code 200
    # the line with a CR at its end counts without it
    code_of -H 'Authorization: Bearer tok-2' --data-binary '{"ksql": "SHOW STREAMS;"}' "$URL/ksql"
    expect_code 200
    stop_server
}

# psql with PGPASSWORD: the server asks for a cleartext password.
pg_as() {
    PGPASSWORD=$2 PGCONNECT_TIMEOUT=5 timeout 20 psql -X -h 127.0.0.1 -p "$PGPORT" -U "$1" -d eddy -At \
        -c "$3" >"$T/out" 2>"$T/err"
    RC=$?
}

t_server_auth_pg_asks_for_a_password_and_refuses_a_wrong_one() {
    command -v psql >/dev/null 2>&1 || skip "psql is not installed (make deps installs postgresql-client)"
    auth_files
    start_server "$(new_dir)" --pg-listen 127.0.0.1:0 --auth basic:"$T/users"
    code_of -u alice:s3cret --data-binary "{\"ksql\": \"$CREATE_S INSERT INTO s (id, name) VALUES (1, 'a');\"}" "$URL/ksql"
    expect_code 200
    pg_as alice s3cret "SELECT name FROM s;"
    expect_eq "$RC" 0 "psql exit status with the right password"
    expect_eq "$(cat "$T/out")" "a" "rows"
    pg_as alice wrong "SELECT name FROM s;"
    expect_eq "$RC" 2 "psql exit status with a wrong password"
    err_has 'password authentication failed for user "alice"'
    pg_as mallory s3cret "SELECT name FROM s;"
    expect_eq "$RC" 2 "psql exit status for an unknown user"
    err_has 'password authentication failed for user "mallory"'
    # the protocol underneath: a cleartext password asked for (R 3), then a
    # FATAL ErrorResponse with SQLSTATE 28P01 and the connection closed
    python3 - "$PGPORT" >"$T/out" <<'PYEOF'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
params = b"user\0alice\0database\0eddy\0\0"
s.sendall(struct.pack("!ii", 8 + len(params), 196608) + params)
def msg():
    h = b""
    while len(h) < 5:
        h += s.recv(5 - len(h))
    n = struct.unpack("!i", h[1:])[0] - 4
    body = b""
    while len(body) < n:
        body += s.recv(n - len(body))
    return h[:1], body
t, body = msg()
print("auth request", t.decode(), struct.unpack("!i", body)[0])
pw = b"wrong\0"
s.sendall(b"p" + struct.pack("!i", 4 + len(pw)) + pw)
t, body = msg()
fields = dict((f[:1].decode(), f[1:].decode()) for f in body.split(b"\0") if f)
print("answer", t.decode(), fields["S"], fields["C"])
print("then", repr(s.recv(100)))
PYEOF
    expect_eq "$(cat "$T/out")" "$(lines 'auth request R 3' 'answer E FATAL 28P01' "then b''")" "the protocol exchange"
    stop_server
}

t_server_auth_pg_takes_a_token_as_the_password() {
    command -v psql >/dev/null 2>&1 || skip "psql is not installed (make deps installs postgresql-client)"
    auth_files
    start_server "$(new_dir)" --pg-listen 127.0.0.1:0 --auth token:"$T/tokens"
    pg_as anyone tok-2 "SHOW STREAMS;"
    expect_eq "$RC" 0 "psql exit status with a token"
    pg_as anyone tok-9 "SHOW STREAMS;"
    expect_eq "$RC" 2 "psql exit status with a wrong token"
    err_has "password authentication failed"
    stop_server
}

t_server_auth_client_sends_user_or_token() {
    auth_files
    start_server "$(new_dir)" --auth basic:"$T/users"
    printf '%s\n' "$CREATE_S" "INSERT INTO s (id, name) VALUES (1, 'a');" "SELECT * FROM s;" >"$T/script.sql"
    # without credentials: refused, with a hint, exit status 1
    eddy_run run "$T/script.sql" --server "$URL"
    expect_rc 1
    err_has "401 Unauthorized"
    err_has "--user USER:PASS"
    # a wrong password
    eddy_run run "$T/script.sql" --server "$URL" --user alice:nope
    expect_rc 1
    err_has "wrong credentials"
    eddy_run run "$T/script.sql" --server "$URL" --user alice:s3cret
    expect_ok
    expect_eq "$(rows)" "1|a" "rows of the script's SELECT"
    # the remote shell on a pipe; the password from $EDDY_PASSWORD
    printf 'SHOW STREAMS;\n' >"$T/show.sql"
    EDDY_PASSWORD=pa:ss eddy_run --server "$URL" --user bob <"$T/show.sql"
    expect_ok
    out_has "| S "
    stop_server
    start_server "$(new_dir)" --auth token:"$T/tokens"
    eddy_run --server "$URL" --token tok-1 <"$T/show.sql"
    expect_ok
    EDDY_TOKEN=tok-2 eddy_run --server "$URL" <"$T/show.sql"
    expect_ok
    eddy_run --server "$URL" --token bad <"$T/show.sql"
    expect_rc 1
    err_has "401 Unauthorized"
    stop_server
}

t_server_auth_bad_files_are_refused_at_start() {
    printf '\n# nobody\n' >"$T/empty"
    printf 'alice\n' >"$T/nocolon"
    eddy_run server --data "$(new_dir)" --listen 127.0.0.1:0 --auth basic:"$T/missing"
    expect_rc 2
    err_has "cannot read $T/missing"
    eddy_run server --data "$(new_dir)" --listen 127.0.0.1:0 --auth basic:"$T/empty"
    expect_rc 2
    err_has "has no user:password line"
    eddy_run server --data "$(new_dir)" --listen 127.0.0.1:0 --auth basic:"$T/nocolon"
    expect_rc 2
    err_has "nocolon:1: expected user:password"
    eddy_run server --data "$(new_dir)" --listen 127.0.0.1:0 --auth ldap:"$T/users"
    expect_rc 2
    err_has "--auth wants basic:FILE or token:FILE"
}

# server_log_wait TEXT: waits (up to 10 s) for TEXT in $T/server.log.
server_log_wait() {
    _i=0
    while ! grep -qF -- "$1" "$T/server.log" 2>/dev/null && [ $_i -lt 100 ]; do sleep 0.1; _i=$((_i + 1)); done
    grep -qF -- "$1" "$T/server.log" || { cat "$T/server.log"; fail "the server did not print: $1"; }
}

# start_open_server TEXT OPTION...: a server on all interfaces (free ports);
# waits for TEXT in its log.
start_open_server() {
    _wait=$1
    shift
    : >"$T/server.log"
    "$EDDY" server --data "$(new_dir)" --listen 0.0.0.0:0 "$@" >"$T/server.log" 2>&1 &
    SPID=$!
    E2E_PIDS="$E2E_PIDS $SPID"
    server_log_wait "$_wait"
}

t_server_auth_warns_when_listening_beyond_loopback_without_auth() {
    auth_files
    start_open_server "pg listening on" --pg-listen 0.0.0.0:0
    grep -q "warning: HTTP on 0.0.0.0:[0-9]* without --auth" "$T/server.log" || fail "no HTTP warning: $(cat "$T/server.log")"
    grep -q "warning: PostgreSQL on 0.0.0.0:[0-9]* without --auth" "$T/server.log" || fail "no pg warning"
    stop_server
    start_open_server "listening on" --auth basic:"$T/users"
    if grep -q "warning" "$T/server.log"; then fail "a warning with --auth: $(cat "$T/server.log")"; fi
    stop_server
    # loopback needs no warning
    start_server "$(new_dir)"
    if grep -q "warning" "$T/server.log"; then fail "a warning on loopback: $(cat "$T/server.log")"; fi
    stop_server
}

t_server_auth_help_mentions_the_options() {
    eddy_run server --help
    expect_ok
    out_has "--auth SCHEME:FILE"
    out_has "basic:FILE"
    out_has "token:FILE"
    eddy_run --help
    expect_ok
    out_has "--user USER:PASS"
    out_has "--token TOKEN"
    eddy_run run --help
    expect_ok
    out_has "--user USER:PASS"
    out_has "--token"
}
