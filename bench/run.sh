#!/bin/sh
# make bench: throughput figures for the log, a persistent query, windowed
# aggregations (Nexmark q5/q7-like), the Nexmark queries (throughput and
# latency, NEXMARK_EVENTS events, default 100000), pull-query latency,
# state-store restore time, and `eddy server` over the network (pull
# queries/s over HTTP and pgwire, push fan-out).
# Usage: bench/run.sh [EDDY] [RECORDS]
# A case that fails is reported and the others still run; the exit status
# is then 1.
set -eu
EDDY=${1:-./eddy}
N=${2:-${RECORDS:-1000000}}
status=0
echo "== machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
echo "== eddy bench log --records $N"
"$EDDY" bench log --records "$N"
echo "== eddy bench query --records $N"
"$EDDY" bench query --records "$N"
echo "== eddy bench parse"
"$EDDY" bench parse
echo "== eddy bench window --records $N"
"$EDDY" bench window --records "$N" || { echo "== eddy bench window FAILED"; status=1; }
NEXMARK_EVENTS=${NEXMARK_EVENTS:-100000}
echo "== eddy bench nexmark --events $NEXMARK_EVENTS"
"$EDDY" bench nexmark --events "$NEXMARK_EVENTS" || { echo "== eddy bench nexmark FAILED"; status=1; }
for keys in 10000 100000 1000000; do
  echo "== eddy bench pull --keys $keys"
  "$EDDY" bench pull --keys "$keys" || { echo "== eddy bench pull --keys $keys FAILED"; status=1; }
done
echo "== eddy bench server --keys 1000000 (64 clients, 5 s per protocol, 100 push subscribers)"
"$EDDY" bench server --keys 1000000 || { echo "== eddy bench server FAILED"; status=1; }
echo "== eddy bench restore --keys 1000000"
"$EDDY" bench restore --keys 1000000 || { echo "== eddy bench restore FAILED"; status=1; }
exit $status
