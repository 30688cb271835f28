#!/usr/bin/env bash
# Overload behaviour, in one command (docs/reliability.md, "Overload"): offers the packaged
# service several times what it can take and shows what it admits, what it sheds (503 +
# Retry-After) and what that costs in latency and memory.
#   load-tests/overload.sh                           # the 3:1 mix at 1,000, 3,000 and 6,000 req/s
#   WORKLOAD=transfers RATES=2000,6000 load-tests/overload.sh
# The machine's PostgreSQL 15 (started if needed), a fresh database, the service with the heap
# of a 300 MB container; Gatling on the same machine. Results: load-tests/target/overload/results.md
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

WORKLOAD=${WORKLOAD:-mix}
# Offered requests/s, one step each. Near 8,000/s the open-model Gatling on the same two cores
# opens a socket per waiting request until it runs out of file descriptors: its own failures.
RATES=${RATES:-1000,3000,6000}
STEP=${STEP:-20}                 # seconds per step
ACCOUNTS=${ACCOUNTS:-2000}
PORT=${PORT:-8093}
SERVICE_JVM=${SERVICE_JVM:--Xmx160m -XX:+UseSerialGC}
DB=ledger_overload
OUT=load-tests/target/overload

rm -rf "$OUT" && mkdir -p "$OUT"
# shellcheck source=load-tests/lib.sh
source load-tests/lib.sh

log "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; workload=$WORKLOAD rates=$RATES step=${STEP}s"
fresh_database "$DB"
build_all
start_service "$DB"
sample_usage > "$OUT/service-usage.log" &
SAMPLER=$!
log "offering $RATES req/s"
gatling Capacity -Dworkload="$WORKLOAD" -Daccounts="$ACCOUNTS" -Drates="$RATES" -Dduration="$STEP" \
    -Dwarmup=10 -Dcurrency="OVL" -DstepsFile="$PWD/$OUT/steps.tsv"
alive=yes
kill -0 "$SERVICE_PID" 2>/dev/null || alive=no
kill $SAMPLER 2>/dev/null || true
oom=$(grep -c OutOfMemoryError "$OUT/service.log" || true)
rss_max=$(awk '{ if ($1 > m) m = $1 } END { printf "%.0f", m / 1024 }' "$OUT/service-usage.log")
ready_after=$(curl -sf -m 5 "http://localhost:$PORT/q/health/ready" >/dev/null && echo up || echo down)

python3 - "$OUT/steps.tsv" "$STEP" "$rss_max" "$alive" "$oom" "$ready_after" "$WORKLOAD" <<'PY' | tee "$OUT/results.md"
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])][1:]
step = float(sys.argv[2])
print(f"Workload {sys.argv[7]}, {step:.0f} s per step. Service RSS max {sys.argv[3]} MB; alive after the run: "
      f"{sys.argv[4]}; OutOfMemoryError lines: {sys.argv[5]}; readiness after the run: {sys.argv[6]}.\n")
print("| offered req/s | sent | admitted (2xx) req/s | shed (503) req/s | other failures | p99 admitted ms | p99 all ms |")
print("|---|---|---|---|---|---|---|")
for rate, requests, failed, p50, p95, p99, mx, shed, ok, ok_p99 in rows:
    other = int(failed) - int(shed)
    print(f"| {rate} | {requests} | {int(ok) / step:.0f} | {int(shed) / step:.0f} | {other} | {ok_p99} | {p99} |")
PY
