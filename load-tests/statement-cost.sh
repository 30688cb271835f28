#!/usr/bin/env bash
# What a statement costs PostgreSQL, in CPU per transaction, in one command (docs/benchmarks.md,
# record I): one client, prepared statements, each script in turn, ROUNDS times alternated:
#   plain_insert     one INSERT into a keyed table with no rules (the raw ceiling's statement)
#   ledger_insert    one INSERT into transfer, decided by its triggers
#   ledger_batch/N   post_transfers, the service's statement, with N transfers (BATCHES)
# The CPU is that of every PostgreSQL process, from /proc, including backends that exited (the
# postmaster's reaped children). One client on an otherwise idle machine: no contention, so the
# figures are the work itself.
#   load-tests/statement-cost.sh                 # ROUNDS=3 SECONDS_EACH=10 BATCHES="1 8 50"
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-10}
BATCHES=${BATCHES:-1 8 50}
ACCOUNTS=${ACCOUNTS:-10000}
PORT=${PORT:-8096}
DB=ledger_statement_cost
OUT=load-tests/target/statement-cost
SERVICE_JVM=${SERVICE_JVM:--Xmx160m -XX:+UseSerialGC}

rm -rf "$OUT" && mkdir -p "$OUT"
# shellcheck source=load-tests/lib.sh
source load-tests/lib.sh

fresh_database "$DB"
build_all
# The service migrates the schema; the measuring is pgbench's alone.
start_service "$DB"
stop_service
SERVICE_PID=
psql_db -d "$DB" -v accounts="$ACCOUNTS" -f "$REPO/load-tests/pgbench/setup.sql" >/dev/null
psql_db -d "$DB" -c "VACUUM ANALYZE"

postgres_cpu_ticks() {
    python3 - <<'PY'
import os
ticks = 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        continue
    if stat[stat.index("(") + 1:stat.rindex(")")].startswith("postgres"):
        fields = stat[stat.rindex(")") + 2:].split()
        ticks += sum(int(f) for f in fields[11:15])  # utime, stime, and of reaped children
print(ticks)
PY
}

# script [batch] -> "transactions µs_per_transaction"
measure() {
    local before after out transactions
    before=$(postgres_cpu_ticks)
    out=$(cd / && runuser -u postgres -- pgbench -n -M prepared -c 1 -j 1 -T "$SECONDS_EACH" \
        -D accounts="$ACCOUNTS" -D batch="${2:-1}" -f "$REPO/load-tests/pgbench/$1.sql" "$DB" 2>&1)
    after=$(postgres_cpu_ticks)
    echo "$out" >> "$OUT/pgbench.log"
    transactions=$(echo "$out" | awk -F': ' '/number of transactions actually processed/ {print $2}')
    echo "$transactions $(( (after - before) * 1000000 / $(getconf CLK_TCK) / transactions ))"
}

log "machine: $(nproc) cores; $ROUNDS rounds of ${SECONDS_EACH} s per script, 1 client, prepared"
echo -e "round\tstatement\ttransfers_per_transaction\ttransactions\tpostgres_cpu_us_per_transaction" > "$OUT/results.tsv"
for round in $(seq "$ROUNDS"); do
    for name in plain_insert ledger_insert $(printf 'ledger_batch/%s ' $BATCHES); do
        script=${name%%/*}; batch=${name#*/}; [[ $batch == "$name" ]] && batch=1
        read -r transactions us <<< "$(measure "$script" "$batch")"
        echo -e "$round\t$script\t$batch\t$transactions\t$us" >> "$OUT/results.tsv"
        log "round $round: $name: $transactions transactions, $us µs of PostgreSQL CPU each"
    done
done
python3 - "$OUT/results.tsv" <<'PY' | tee "$OUT/results.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("| statement | transfers | PostgreSQL CPU per transaction, µs (median) | per transfer, µs | runs |")
print("|---|---|---|---|---|")
seen = []
for r in rows:
    key = (r["statement"], r["transfers_per_transaction"])
    if key not in seen:
        seen.append(key)
for statement, transfers in seen:
    us = [int(r["postgres_cpu_us_per_transaction"]) for r in rows
          if (r["statement"], r["transfers_per_transaction"]) == (statement, transfers)]
    median = statistics.median(us)
    print(f"| {statement} | {transfers} | {median:,.0f} | {median / int(transfers):,.0f} | {' · '.join(f'{u:,}' for u in us)} |")
PY
