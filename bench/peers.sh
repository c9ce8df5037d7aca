#!/bin/sh
# make bench-peers: Eddy's Nexmark figures beside DuckDB's on the same events.
#
# Writes NEXMARK_EVENTS (default 1000000) events as newline-delimited JSON
# with `eddy bench nexmark --ndjson`, runs `eddy bench nexmark --json` on the
# stateless, join and window queries, then the same computations in DuckDB
# as batch SQL (bench/peers.mjs), and prints events per CPU second of each
# and their ratio.  DuckDB comes from npm (@duckdb/node-api), installed on
# first use into bench/.peers/ (git-ignored); without npm, node or the
# network the comparison is skipped with a message (exit status 0).
# Usage: bench/peers.sh [EDDY]
set -eu
EDDY=${1:-./eddy}
N=${NEXMARK_EVENTS:-1000000}
QUERIES=q0,q1,q2,q3,q5,q7,q8
BENCH=$(cd "$(dirname "$0")" && pwd)
PEERS=$BENCH/.peers
DUCKDB_VERSION=1.5.6-r.1

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "bench-peers: node and npm are needed for DuckDB (@duckdb/node-api); skipped"
    exit 0
fi
if [ ! -d "$PEERS/node_modules/@duckdb/node-api" ]; then
    echo "== installing @duckdb/node-api@$DUCKDB_VERSION into $PEERS"
    mkdir -p "$PEERS"
    if ! (cd "$PEERS" && npm install --no-audit --no-fund --silent "@duckdb/node-api@$DUCKDB_VERSION"); then
        echo "bench-peers: could not install @duckdb/node-api (no network?); skipped"
        exit 0
    fi
fi
DIR=$(mktemp -d "${TMPDIR:-/tmp}/eddy-peers.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
echo "== machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
echo "== eddy bench nexmark --ndjson (the events, $N)"
"$EDDY" bench nexmark --ndjson "$DIR/events" --events "$N"
echo "== eddy bench nexmark --events $N --queries $QUERIES --json"
"$EDDY" bench nexmark --events "$N" --queries "$QUERIES" --json 2>/dev/null | tee "$DIR/eddy.json"
echo "== DuckDB"
node "$BENCH/peers.mjs" "$PEERS" "$DIR/events" "$DIR/eddy.json" "$DIR/out"
