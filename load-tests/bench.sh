#!/usr/bin/env bash
# The benchmark record, on one machine, in one command (see docs/benchmarks.md):
#   load-tests/bench.sh                      # RUNS=3 DURATION=20 HISTORY=0
#   RUNS=1 DURATION=10 load-tests/bench.sh   # a quick look
#   HISTORY=1000000 load-tests/bench.sh      # with 1M transfers of history, 100k of them on one account
# It starts the machine's PostgreSQL 15 (durable commits, default settings), builds and starts
# the packaged service, and in each run measures, in the same conditions:
#   - pgbench ceilings: one plain INSERT per transaction (no rules), one ledger transfer per
#     transaction (every rule), one transfer per transaction from a single hot source;
#   - Gatling Capacity: the highest arrival rate held with p99 <= 50 ms and no failure, for
#     transfers over many accounts, transfers from one hot source, balance reads, and a 3:1 mix
#     (all rates of a workload in one Gatling JVM; per-step numbers in capacity-*.tsv);
#   - the batched path: pgbench post_transfers with BATCH transfers per statement (2 clients, as
#     the service's 2 batches in flight), against Gatling's POST /transfers/batch of BATCH items;
#   - list reads: pgbench account_balances with LIST accounts per statement, prepared as the
#     service runs it, against Gatling's GET /balances of LIST ids;
#   - Gatling SeedWorkload at 1,024 users (once), on the service restarted and warmed up, with its
#     RSS and CPU sampled (and its RSS after the capacity runs, before the restart).
# Results: load-tests/target/bench/results.md (medians over the runs) and the raw files beside it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

RUNS=${RUNS:-3}
DURATION=${DURATION:-20}          # seconds per pgbench run
STEP=${STEP:-10}                  # seconds per Capacity step
CLIENTS=${CLIENTS:-32}
ACCOUNTS=${ACCOUNTS:-10000}       # accounts for pgbench
CAP_ACCOUNTS=${CAP_ACCOUNTS:-2000}  # accounts Capacity spreads "many accounts" workloads over
HISTORY=${HISTORY:-0}             # transfers of history seeded before the runs
SEED_USERS=${SEED_USERS:-1024}
RATES=${RATES:-500,1000,2000,3000,4000,5000,6000,8000}
BATCH=${BATCH:-50}                # transfers per batch request and per pgbench post_transfers call
BATCH_RATES=${BATCH_RATES:-20,40,60,80,100,120,160,200,240}  # batch requests/s per Capacity step
LIST=${LIST:-50}                  # accounts per GET /balances and per pgbench account_balances call
LIST_RATES=${LIST_RATES:-200,400,600,800,1000,1200}  # GET /balances requests/s per Capacity step
PORT=${PORT:-8080}
# The service's JVM as it would run in a 300 MB container: bounded heap, serial GC on 2 cores.
SERVICE_JVM=${SERVICE_JVM:--Xmx160m -XX:+UseSerialGC}
DB=ledger_bench
OUT=load-tests/target/bench

mkdir -p "$OUT"
# shellcheck source=load-tests/lib.sh
source load-tests/lib.sh

log "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); runs=$RUNS duration=${DURATION}s"

# ---- PostgreSQL 15, a fresh database, the service, start-to-ready -----------------------------
fresh_database "$DB"
build_all
start_service "$DB"
ready_ms=$READY_MS
log "service ready ${ready_ms} ms after launch (JVM start, migrations on an empty database, first health check)"

# ---- accounts and history ---------------------------------------------------------------------
PGB="runuser -u postgres -- pgbench -n -c $CLIENTS -j 2 -T $DURATION -D accounts=$ACCOUNTS -D window_ms=3600000"
psql_db -d "$DB" -v accounts="$ACCOUNTS" -f "$REPO/load-tests/pgbench/setup.sql" >/dev/null
if (( HISTORY > 0 )); then
    log "seeding $HISTORY transfers of history through the ledger's own rules"
    psql_db -d "$DB" -v transfers="$HISTORY" -v accounts="$ACCOUNTS" -f "$REPO/load-tests/pgbench/history.sql"
fi
psql_db -d "$DB" -c "VACUUM ANALYZE"

# ---- warm-up: JIT and connection pools, not measured ------------------------------------------
warm_up warmup
# The batch path's code is compiled only when batches come: without this, C2 still takes a core
# during the first batch steps (load-tests/profile.sh).
log "warm-up: 30 s of batch requests"
gatling Capacity -Dworkload=batches -Daccounts=1000 -Drates=20 -Dduration=30 -Dwarmup=1 -Dcurrency="W$RANDOM" \
    -DbatchSize="$BATCH" -DstepsFile="$REPO/$OUT/warmup-batches.tsv"

# ---- the runs ---------------------------------------------------------------------------------
: > "$OUT/runs.tsv"
for run in $(seq "$RUNS"); do
    log "run $run/$RUNS: pgbench ceilings"
    plain=$(pgbench_tps plain_insert)
    rules=$(pgbench_tps ledger_transfer)
    hot=$(pgbench_tps ledger_hot_source)
    reads=$(pgbench_tps ledger_balance)
    past=$(pgbench_tps ledger_balance_past)
    batch_pg=$(pgbench_tps ledger_batch 2)
    hot_batch_pg=$(pgbench_tps ledger_hot_source_batch 2)
    # Prepared, as the service's named statement: a list's plan costs as much as its 50 reads.
    lists_pg=$(pgbench_tps ledger_balances "$CLIENTS" "$LIST" prepared)
    log "run $run/$RUNS: Gatling capacity steps"
    many=$(capacity transfers "$CAP_ACCOUNTS")
    hot_http=$(capacity hot-source "$CAP_ACCOUNTS")
    balances=$(capacity balances "$CAP_ACCOUNTS")
    mix=$(capacity mix "$CAP_ACCOUNTS")
    batches=$(capacity batches "$CAP_ACCOUNTS" "$BATCH_RATES")
    hot_batches=$(capacity hot-source-batches "$CAP_ACCOUNTS" "$BATCH_RATES")
    lists=$(capacity balance-lists "$CAP_ACCOUNTS" "$LIST_RATES" "$LIST")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$plain" "$rules" "$hot" \
        "$reads" "$past" "$many" "$hot_http" "$balances" "$mix" "$batch_pg" "$hot_batch_pg" "$batches" \
        "$hot_batches" "$lists_pg" "$lists" | tee -a "$OUT/runs.tsv"
done

# ---- SeedWorkload at 1,024 users on a restarted service, with RSS and CPU sampled -------------
# The capacity runs overload the service on purpose, and a JVM keeps the memory it once took:
# SeedWorkload gets a service as it runs in production, restarted and warmed up like the first.
rss_after_runs=$(( $(ps -o rss= -p "$SERVICE_PID") / 1024 ))
log "service RSS after the capacity runs: ${rss_after_runs} MB; restarting it"
stop_service
start_service "$DB"
restart_ms=$READY_MS
log "service ready ${restart_ms} ms after launch (nothing to migrate)"
warm_up warmup-restart
seed_workload "$SEED_USERS"
seed_line="requests=$SEED_REQUESTS failed=$SEED_FAILED p50=${SEED_P50_MS}ms p95=${SEED_P95_MS}ms p99=${SEED_P99_MS}ms"
log "SeedWorkload: $seed_line, service RSS max ${SEED_RSS_MAX_MB} MB, CPU mean ${SEED_CPU_MEAN_PCT}%"

# ---- the table --------------------------------------------------------------------------------
python3 - "$OUT/runs.tsv" "$ready_ms" "$seed_line" "$SEED_RSS_MAX_MB" "$SEED_CPU_MEAN_PCT" "$HISTORY" "$BATCH" "$restart_ms" \
    "$rss_after_runs" "$LIST" "$CLIENTS" <<'PY' > "$OUT/results.md"
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
batch = int(sys.argv[7])
list_size = int(sys.argv[10])
def held(cell, scale=1):  # "rate p50 p95 p99" of the highest Capacity step held
    rate, p50, p95, p99 = cell.split()
    return f"{int(rate) * scale} (p50/p95/p99 {p50}/{p95}/{p99} ms)"
def med(col, part=0, scale=1):
    values = [float(r[col].split()[part]) * scale for r in rows if r[col].split()[part] not in ("-",)]
    return f"{statistics.median(values):.0f}" if values else "-"
print(f"Runs: {len(rows)} (medians), history: {sys.argv[6]} transfers; service ready in {sys.argv[2]} ms "
      f"(first start, migrations on an empty database), {sys.argv[8]} ms on restart\n")
print("| measure | median | each run |")
print("|---|---|---|")
names = ["pgbench: plain INSERT per tx (no rules), tx/s", "pgbench: ledger transfer per tx (all rules), tx/s",
         "pgbench: hot source, transfer per tx, tx/s", "pgbench: balance read, tx/s",
         "pgbench: balance at a random past instant, tx/s"]
for i, name in enumerate(names, start=1):
    print(f"| {name} | {med(i)} | {', '.join(r[i] for r in rows)} |")
http = ["HTTP transfers, many accounts", "HTTP transfers, one hot source", "HTTP balance reads", "HTTP 3:1 mix"]
for i, name in enumerate(http, start=6):
    print(f"| {name}: highest rate held (p99 ≤ 50 ms, 0 errors), req/s | {med(i)} | "
          f"{', '.join(held(r[i]) for r in rows)} |")
for i, name in [(10, "pgbench: post_transfers, random accounts"), (11, "pgbench: post_transfers, one hot source")]:
    print(f"| {name}, {batch} per statement, 2 clients, transfers/s | {med(i, scale=batch)} | "
          f"{', '.join(str(int(r[i]) * batch) for r in rows)} |")
for i, name in [(12, "HTTP batches, many accounts"), (13, "HTTP batches, one hot source")]:
    print(f"| {name}, {batch} per request: highest rate held (p99 ≤ 50 ms, 0 errors), transfers/s | "
          f"{med(i, scale=batch)} | "
          f"{', '.join(held(r[i], batch) for r in rows)} |")
print(f"| pgbench: account_balances, {list_size} accounts per statement, {sys.argv[11]} clients, balances/s | "
      f"{med(14, scale=list_size)} | {', '.join(str(int(r[14]) * list_size) for r in rows)} |")
print(f"| HTTP GET /balances, {list_size} ids per request: highest rate held (p99 ≤ 50 ms, 0 errors), balances/s | "
      f"{med(15, scale=list_size)} | "
      f"{', '.join(held(r[15], list_size) for r in rows)} |")
print(f"\nSeedWorkload (restarted service): {sys.argv[3]}; service RSS max {sys.argv[4]} MB, "
      f"CPU mean {sys.argv[5]} % (of one core); RSS after the capacity runs, before the restart: {sys.argv[9]} MB")
PY
cat "$OUT/results.md" | tee -a "$OUT/run.log"
