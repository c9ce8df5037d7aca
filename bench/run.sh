#!/bin/sh
# make bench: throughput figures for the log and a persistent query.
# Usage: bench/run.sh [EDDY] [RECORDS]
set -eu
EDDY=${1:-./eddy}
N=${2:-${RECORDS:-1000000}}
echo "== machine: $(nproc) cores, $(uname -m), $(date -u +%Y-%m-%d)"
echo "== eddy bench log --records $N"
"$EDDY" bench log --records "$N"
echo "== eddy bench query --records $N"
"$EDDY" bench query --records "$N"
echo "== eddy bench parse"
"$EDDY" bench parse
