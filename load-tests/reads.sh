#!/usr/bin/env bash
# Balance reads one at a time against lists of them, in one command (docs/benchmarks.md, record M):
#   load-tests/reads.sh                       # RUNS=3 LIST=50
# It starts the machine's PostgreSQL 15 and the packaged service as bench.sh does, then in each run
# measures, alternated, in the same conditions:
#   - pgbench: one account_balance per statement (GET /accounts/{id}/balance's query), and one
#     account_balances of LIST random accounts (GET /balances' query), CLIENTS clients each;
#   - Gatling Capacity: the highest arrival rate held with p99 <= 50 ms and no failure, for
#     balances (one account per request) and balance-lists (LIST accounts per request).
# Results: load-tests/target/reads/results.md (medians over the runs, in balances per second).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

RUNS=${RUNS:-3}
DURATION=${DURATION:-15}           # seconds per pgbench run
STEP=${STEP:-10}                   # seconds per Capacity step
CLIENTS=${CLIENTS:-32}
ACCOUNTS=${ACCOUNTS:-10000}        # accounts for pgbench
CAP_ACCOUNTS=${CAP_ACCOUNTS:-2000}
LIST=${LIST:-50}
RATES=${RATES:-2000,3000,4000,5000,6000}                       # single reads: requests/s per step
LIST_RATES=${LIST_RATES:-100,200,300,400,500,600,700,800}      # lists: requests/s per step
PORT=${PORT:-8080}
SERVICE_JVM=${SERVICE_JVM:--Xmx160m -XX:+UseSerialGC}
DB=ledger_reads
BATCH=1
OUT=load-tests/target/reads

rm -rf "$OUT" && mkdir -p "$OUT"
# shellcheck source=load-tests/lib.sh
source load-tests/lib.sh

log "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); runs=$RUNS list=$LIST"
fresh_database "$DB"
build_all
start_service "$DB"
PGB="runuser -u postgres -- pgbench -n -M prepared -c $CLIENTS -j 2 -T $DURATION -D accounts=$ACCOUNTS"
psql_db -d "$DB" -v accounts="$ACCOUNTS" -f "$REPO/load-tests/pgbench/setup.sql" >/dev/null
psql_db -d "$DB" -c "VACUUM ANALYZE"

log "warm-up: 25 s of each read workload"
run=0
capacity balances 1000 1000 >/dev/null
capacity balance-lists 1000 50 "$LIST" >/dev/null

: > "$OUT/runs.tsv"
for run in $(seq "$RUNS"); do
    log "run $run/$RUNS"
    single_pg=$(pgbench_tps ledger_balance)
    list_pg=$(pgbench_tps ledger_balances "$CLIENTS" "$LIST")
    single_http=$(capacity balances "$CAP_ACCOUNTS" "$RATES" 1)
    list_http=$(capacity balance-lists "$CAP_ACCOUNTS" "$LIST_RATES" "$LIST")
    printf '%s\t%s\t%s\t%s\t%s\n' "$run" "$single_pg" "$list_pg" "$single_http" "$list_http" | tee -a "$OUT/runs.tsv"
done

python3 - "$OUT/runs.tsv" "$LIST" "$CLIENTS" <<'PY' > "$OUT/results.md"
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
size, clients = int(sys.argv[2]), sys.argv[3]
def balances(row, col, scale):
    return int(row[col].split()[0]) * scale
def line(name, col, scale, http):
    each = [balances(r, col, scale) for r in rows]
    detail = ", ".join(f"{b}" + (" (p50/p95/p99 {}/{}/{} ms)".format(*r[col].split()[1:]) if http else "")
                       for b, r in zip(each, rows))
    print(f"| {name} | {statistics.median(each):.0f} | {detail} |")
print(f"Runs: {len(rows)} (medians), in balances read per second\n")
print("| measure | median | each run |")
print("|---|---|---|")
line(f"pgbench: account_balance, one per statement, {clients} clients", 1, 1, False)
line(f"pgbench: account_balances, {size} per statement, {clients} clients", 2, size, False)
line("HTTP GET /accounts/{id}/balance: highest rate held (p99 ≤ 50 ms, 0 errors)", 3, 1, True)
line(f"HTTP GET /balances, {size} ids: highest rate held (p99 ≤ 50 ms, 0 errors)", 4, size, True)
PY
cat "$OUT/results.md" | tee -a "$OUT/run.log"
