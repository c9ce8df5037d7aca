# `eddy server --pg-listen`: the PostgreSQL protocol's parameters ($1 in a
# prepared statement), CancelRequest and the idle timeout, spoken with a
# small raw-protocol client (psql 15 cannot bind parameters).

. "$E2E_DIR/server_lib.sh"

# Text-format parameters become literals by their declared type; an
# untyped one is a string; NULL is NULL; a bad value, a wrong count and
# binary formats are errors, after which the connection goes on.
t_server_pg_binds_text_parameters() {
    start_pg_server "$(new_dir)"
    pg_fixture
    pg_raw <<'PYEOF'
s, _ = startup()
def parse(name, sql, types=()):
    return msg(b"P", name + b"\0" + sql + b"\0" + struct.pack("!h", len(types)) +
               b"".join(struct.pack("!i", t) for t in types))
def bind(stmt, params, param_formats=(), result_formats=()):
    b = b"\0" + stmt + b"\0" + struct.pack("!h", len(param_formats))
    b += b"".join(struct.pack("!h", f) for f in param_formats) + struct.pack("!h", len(params))
    for p in params:
        b += struct.pack("!i", -1) if p is None else struct.pack("!i", len(p)) + p
    return msg(b"B", b + struct.pack("!h", len(result_formats)) +
               b"".join(struct.pack("!h", f) for f in result_formats))
execute = msg(b"E", b"\0\0\0\0\0")
sync = msg(b"S", b"")
# untyped: a string; Describe tells one parameter of type text (25)
s.sendall(parse(b"byname", b"SELECT name, n FROM counts WHERE name = $1") + msg(b"D", b"Sbyname\0") + sync)
out = answer(s)
print("params", struct.unpack("!hi", out[1][1]))
show(out)
s.sendall(bind(b"byname", [b"a"]) + execute + sync)
show(answer(s))
# a quote in the value stays in the string
s.sendall(bind(b"byname", [b"a' OR 'x' = 'x"]) + execute + sync)
show(answer(s))
# int4 (23): a number; NULL matches nothing
s.sendall(parse(b"byid", b"SELECT id, name FROM s WHERE id = $1 OR id = $2", (23, 23)) + bind(b"byid", [b"2", None]) + execute + sync)
show(answer(s))
s.sendall(bind(b"byid", [b"x", b"1"]) + execute + sync)
show(answer(s))
s.sendall(bind(b"byid", [b"1"]) + execute + sync)
show(answer(s))
s.sendall(bind(b"byid", [b"1", b"3"], (1,)) + execute + sync)
show(answer(s))
s.sendall(bind(b"byid", [b"1", b"3"], (), (1,)) + execute + sync)
show(answer(s))
# $1 inside a string or a comment is no placeholder
s.sendall(parse(b"", b"SELECT name FROM counts WHERE name = '$1' -- $2") + bind(b"", []) + execute + sync)
show(answer(s))
s.sendall(msg(b"Q", b"SELECT n FROM counts WHERE name = 'a';\0"))
show(answer(s))
PYEOF
    expect_eq "$(cat "$T/out")" "$(lines \
        "params (1, 25)" \
        "1 t T Z" \
        "2 D['a', '2'] C:SELECT 1 Z" \
        "2 C:SELECT 0 Z" \
        "1 2 D['2', 'a'] C:SELECT 1 Z" \
        'E:22P02 invalid input syntax for a number in parameter $1: "x" Z' \
        'E:08P01 bind message supplies 1 parameters, but prepared statement "byid" requires 2 Z' \
        "E:0A000 binary parameters are not supported: send them in text format Z" \
        "E:0A000 binary result format is not supported: use text Z" \
        "1 2 C:SELECT 0 Z" \
        "T D['2'] C:SELECT 1 Z")" "answers with parameters"
    stop_server
}

# A CancelRequest gets no answer and its connection is closed; one naming
# a connection with no query running, or with a wrong key, changes
# nothing for that connection.
t_server_pg_cancel_request_is_answered_by_closing() {
    start_pg_server "$(new_dir)"
    pg_fixture
    pg_raw <<'PYEOF'
s, welcome = startup()
pid, key = struct.unpack("!ii", dict(welcome)["K"])
def cancel(pid, key):
    c = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    c.sendall(struct.pack("!iiii", 16, 80877102, pid, key))
    print("cancel answered", c.recv(4096))
cancel(pid, key ^ 1)
cancel(pid, key)
cancel(pid + 1000, key)
s.sendall(msg(b"Q", b"SELECT n FROM counts WHERE name = 'a'; SELECT id FROM s;\0"))
show(answer(s))
PYEOF
    expect_eq "$(cat "$T/out")" "$(lines "cancel answered b''" "cancel answered b''" "cancel answered b''" \
        "T D['2'] C:SELECT 1 T D['1'] D['2'] D['3'] C:SELECT 3 Z")" "cancel requests"
    stop_server
}

# --idle-timeout closes a PostgreSQL connection that has sent nothing for
# that long, with FATAL 57P05 as PostgreSQL's idle_session_timeout (one
# that never finished its startup too); a new connection is served.
t_server_pg_idle_connections_are_closed() {
    command -v psql >/dev/null 2>&1 || skip "psql is not installed (make deps installs postgresql-client)"
    start_server "$(new_dir)" --pg-listen 127.0.0.1:0 --idle-timeout 1
    pg_raw <<'PYEOF'
s, _ = startup()
s.sendall(msg(b"Q", b"SHOW STREAMS;\0"))
answer(s)
show(answer(s))
quiet = socket.create_connection(("127.0.0.1", PORT), timeout=10)
d = b""
while True:
    chunk = quiet.recv(4096)
    if not chunk:
        break
    d += chunk
print("before startup", b"C57P05" in d, "closed")
PYEOF
    expect_eq "$(cat "$T/out")" "$(lines "E:57P05 terminating connection due to idle-session timeout closed" \
        "before startup True closed")" "idle connections"
    pg "SHOW STREAMS;"
    expect_eq "$RC" 0 "psql after the idle connections were closed"
    stop_server
}
