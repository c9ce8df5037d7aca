# lib.sh — helpers shared by the end-to-end tests (sourced, POSIX sh).
#
# Each test is a shell function named t_<behaviour> in a tests/e2e/test_*.sh
# file.  run.sh runs every test in its own `sh` process whose working
# directory is a fresh temporary directory $T (removed afterwards), with this
# file and the test file sourced.  A test passes when its function returns 0;
# the helpers below print what went wrong and exit 1 on the first failed
# expectation, so call them at the top level of the test, never inside $(...)
# or a pipeline.
#
#   eddy_run ARGS...        run $EDDY (stdin passes through, with a timeout);
#                           stdout -> $T/out, stderr -> $T/err, status -> $RC
#   sql DIR                 eddy_run --data DIR, statements on stdin (heredoc)
#   expect_rc N / expect_ok / expect_sane_rc
#   out_has / out_lacks / err_has / err_lacks TEXT   (fixed strings)
#   rows [FILE]             the data rows of every bordered table in FILE
#                           (default $T/out), one per line, cells trimmed and
#                           joined with '|'
#   expect_eq ACTUAL EXPECTED WHAT
#   tmux_*                  drive the interactive shell in a detached tmux

: "${EDDY:?EDDY must name the eddy binary}"
: "${T:?T must name the temporary directory of the test}"

EDDY_TIMEOUT=${EDDY_TIMEOUT:-20}
RC=

# Things to undo when the test ends, however it ends.
E2E_PIDS=
E2E_TMUX=
e2e_cleanup() {
    for p in $E2E_PIDS; do kill -9 "$p" 2>/dev/null; done
    if [ -n "$E2E_TMUX" ]; then tmux -L "$E2E_TMUX" kill-server 2>/dev/null; fi
    return 0
}
trap 'e2e_cleanup' EXIT
trap 'exit 143' TERM INT HUP

# fail MESSAGE: report, show what the last eddy run printed, stop the test.
fail() {
    echo "FAIL: $*"
    if [ -n "$RC" ]; then
        echo "--- last eddy exit status: $RC"
        echo "--- stdout (last 40 lines):"
        tail -n 40 "$T/out" 2>/dev/null
        echo "--- stderr (last 40 lines):"
        tail -n 40 "$T/err" 2>/dev/null
    fi
    exit 1
}

# skip REASON: the test cannot run here (reported as ok # SKIP).
skip() {
    echo "$*"
    exit 77
}

# A fresh directory under $T.
new_dir() {
    mktemp -d "$T/d.XXXXXX"
}

eddy_run() {
    timeout -k 2 "$EDDY_TIMEOUT" "$EDDY" "$@" >"$T/out" 2>"$T/err"
    RC=$?
    if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
        fail "eddy $* did not finish within ${EDDY_TIMEOUT}s"
    fi
}

sql() {
    eddy_run --data "$1"
}

expect_rc() {
    [ "$RC" = "$1" ] || fail "expected exit status $1, got $RC"
}

expect_ok() {
    expect_rc 0
}

# Exit statuses from 128 up mean the process died of a signal (crash,
# abort, sanitizer); 124 means it hung.  Anything else is a clean exit.
expect_sane_rc() {
    [ "$RC" -lt 124 ] || fail "eddy died or hung (exit status $RC) on: $1"
}

out_has() {
    grep -qF -- "$1" "$T/out" || fail "stdout lacks: $1"
}
out_lacks() {
    if grep -qF -- "$1" "$T/out"; then fail "stdout unexpectedly has: $1"; fi
}
err_has() {
    grep -qF -- "$1" "$T/err" || fail "stderr lacks: $1"
}
err_lacks() {
    if grep -qF -- "$1" "$T/err"; then fail "stderr unexpectedly has: $1"; fi
}

# A bordered table is: +---+, header row, +---+, data rows, +---+.
rows() {
    awk '
        /^\+-/ { border++; next }
        /^\|/ && border % 3 == 2 {
            line = $0
            sub(/^\| */, "", line); sub(/ *\|$/, "", line)
            n = split(line, cell, /\|/)
            out = ""
            for (i = 1; i <= n; i++) {
                c = cell[i]; gsub(/^ +| +$/, "", c)
                out = out (i > 1 ? "|" : "") c
            }
            print out
        }' "${1:-$T/out}"
}

# The header rows of the tables in FILE, in the same shape as rows.
headers() {
    awk '
        /^\+-/ { border++; next }
        /^\|/ && border % 3 == 1 {
            line = $0
            sub(/^\| */, "", line); sub(/ *\|$/, "", line)
            gsub(/ *\| */, "|", line)
            print line
        }' "${1:-$T/out}"
}

expect_eq() {
    if [ "$1" != "$2" ]; then
        printf 'FAIL: %s differs\n--- expected:\n%s\n--- actual:\n%s\n' "$3" "$2" "$1"
        fail "$3"
    fi
}

# lines LINE...: the lines, one per line (for expected values).
lines() {
    printf '%s\n' "$@"
}

# ---- the interactive shell, in a detached tmux -------------------------

# tmux_start DATA_DIR HOME_DIR [ARG...]: start `eddy --data DATA_DIR ARG...` in
# a private tmux server with HOME=HOME_DIR and no readline init file, and wait
# for the prompt.
tmux_start() {
    command -v tmux >/dev/null 2>&1 || skip "tmux is not installed (scripts/deps.sh installs it)"
    E2E_TMUX="eddy-e2e-$$"
    _data=$1 _home=$2
    shift 2
    tmux -L "$E2E_TMUX" -f /dev/null new-session -d -s eddy -x 200 -y 50 \
        -e "HOME=$_home" -e "INPUTRC=/dev/null" "$EDDY" --data "$_data" "$@" ||
        fail "tmux could not start the shell"
    tmux_wait_for "eddy>"
}

tmux_pane() {
    tmux -L "$E2E_TMUX" capture-pane -p -J -S - -t eddy 2>/dev/null
}

# tmux_type TEXT: type TEXT literally (no Enter).  tmux reads an argument
# ending in ';' as a command separator unless the ';' is escaped.
tmux_type() {
    _s=$1
    case "$_s" in *\;) _s="${_s%;}\\;" ;; esac
    tmux -L "$E2E_TMUX" send-keys -t eddy -l "$_s"
}

# tmux_keys KEY...: send named keys (Enter, Tab, C-c, C-d, Up, ...).
tmux_keys() {
    tmux -L "$E2E_TMUX" send-keys -t eddy "$@"
}

# tmux_line TEXT: type TEXT and press Enter.
tmux_line() {
    tmux_type "$1"
    tmux_keys Enter
}

# tmux_wait_for TEXT [COUNT]: wait (up to 5 s, polling every 0.1 s) until at
# least COUNT (default 1) lines of the pane contain TEXT.
tmux_wait_for() {
    _want=${2:-1}
    _i=0
    while [ $_i -lt 50 ]; do
        _n=$(tmux_pane | grep -cF -- "$1")
        [ "$_n" -ge "$_want" ] && return 0
        sleep 0.1
        _i=$((_i + 1))
    done
    echo "--- pane:"
    tmux_pane
    fail "the shell did not show '$1' (x$_want) within 5 s"
}

# tmux_last_line: the last non-empty line of the pane, trailing blanks cut.
tmux_last_line() {
    tmux_pane | sed 's/[[:space:]]*$//' | grep -v '^$' | tail -n 1
}

# tmux_wait_last_line TEXT: wait until the last non-empty line is TEXT.
tmux_wait_last_line() {
    _i=0
    while [ $_i -lt 50 ]; do
        [ "$(tmux_last_line)" = "$1" ] && return 0
        sleep 0.1
        _i=$((_i + 1))
    done
    echo "--- pane:"
    tmux_pane
    fail "the pane's last line did not become '$1' within 5 s"
}

# tmux_wait_exit: wait until the shell has exited (its session is gone).
tmux_wait_exit() {
    _i=0
    while [ $_i -lt 50 ]; do
        tmux -L "$E2E_TMUX" has-session -t eddy 2>/dev/null || return 0
        sleep 0.1
        _i=$((_i + 1))
    done
    echo "--- pane:"
    tmux_pane
    fail "the shell did not exit within 5 s"
}

# json_matches FILE JSON: FILE parses as JSON equal to JSON (numbers compared
# as numbers, so 19 equals 19.0).
json_matches() {
    python3 - "$1" "$2" <<'EOF' || fail "$1 does not hold the expected JSON"
import json, sys
try:
    actual = json.load(open(sys.argv[1]))
except Exception as e:
    print("not valid JSON: %s" % e); sys.exit(1)
expected = json.loads(sys.argv[2])
if actual != expected:
    print("expected: %s\nactual:   %s" % (json.dumps(expected), json.dumps(actual))); sys.exit(1)
EOF
}
