#!/bin/sh
# run.sh — Eddy's end-to-end tests: the eddy binary driven the way a user
# drives it (pipes, files, `eddy test`, an interactive shell in tmux, kill -9).
#
#   EDDY=/abs/path/to/eddy sh tests/e2e/run.sh [PATTERN]
#
# Runs every function t_* of every tests/e2e/test_*.sh (only those whose name
# contains PATTERN, when given), each in its own `sh` with a fresh temporary
# directory, and prints one line per test: `ok - name` or `not ok - name`
# followed by the test's output, then a summary.  Exit status 1 when any test
# failed.
#
# tests/e2e/known_bugs lists tests that fail because of a known, reported bug
# ("name reason" per line).  Such a failure is printed as `not ok - name #
# TODO reason` and does not fail the run; when a listed test passes, the run
# fails so that the line is removed from known_bugs.

E2E_DIR=$(cd "$(dirname "$0")" && pwd)
: "${EDDY:?set EDDY to the absolute path of the eddy binary}"
case "$EDDY" in /*) ;; *) EDDY=$(pwd)/$EDDY ;; esac
[ -x "$EDDY" ] || { echo "run.sh: $EDDY is not an executable" >&2; exit 2; }
export EDDY E2E_DIR
PATTERN=${1:-}

RUN_TMP=$(mktemp -d "${TMPDIR:-/tmp}/eddy-e2e.XXXXXX") || exit 2
trap 'rm -rf "$RUN_TMP"' EXIT
trap 'exit 130' INT TERM HUP

known_bug() { # prints the reason when test $1 is listed in known_bugs
    [ -f "$E2E_DIR/known_bugs" ] || return 1
    awk -v t="$1" '$1 == t { r = $0; sub(/^[^ ]+ +/, "", r); print r; found = 1 } END { exit !found }' \
        "$E2E_DIR/known_bugs"
}

indent() { sed 's/^/#   /'; }

now() { date +%s; }

passed=0 failed=0 skipped=0 todo=0
start=$(now)
for file in "$E2E_DIR"/test_*.sh; do
    for fn in $(sed -n 's/^\(t_[A-Za-z0-9_]*\)[[:space:]]*()[[:space:]]*{*[[:space:]]*$/\1/p' "$file"); do
        name=${fn#t_}
        case "$name" in *"$PATTERN"*) ;; *) continue ;; esac
        T="$RUN_TMP/$name"
        mkdir -p "$T"
        log="$RUN_TMP/$name.log"
        (
            cd "$T" || exit 1
            export T
            exec timeout -k 5 "${E2E_TEST_TIMEOUT:-60}" sh -c \
                '. "$E2E_DIR/lib.sh" && . "$1" && "$2"' sh "$file" "$fn"
        ) </dev/null >"$log" 2>&1
        rc=$?
        reason=$(known_bug "$name")
        listed=$?
        if [ $rc -eq 77 ]; then
            echo "ok - $name # SKIP $(tail -n 1 "$log")"
            skipped=$((skipped + 1))
        elif [ $rc -eq 0 ] && [ $listed -eq 0 ]; then
            echo "not ok - $name # passes but is listed in tests/e2e/known_bugs: remove it"
            failed=$((failed + 1))
        elif [ $rc -eq 0 ]; then
            echo "ok - $name"
            passed=$((passed + 1))
        elif [ $listed -eq 0 ]; then
            echo "not ok - $name # TODO known bug: $reason"
            todo=$((todo + 1))
        else
            [ $rc -eq 124 ] && echo "test timed out after ${E2E_TEST_TIMEOUT:-60}s" >>"$log"
            echo "not ok - $name"
            indent <"$log"
            failed=$((failed + 1))
        fi
        rm -rf "$T"
    done
done
total=$((passed + failed + skipped + todo))
echo "# e2e: $total tests, $passed passed, $failed failed, $skipped skipped, $todo known bugs ($(($(now) - start)) s)"
[ $failed -eq 0 ]
