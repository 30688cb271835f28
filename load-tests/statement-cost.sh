#!/usr/bin/env bash
# What a statement costs PostgreSQL, in CPU per transaction, in one command (docs/benchmarks.md,
# record I): one client, prepared statements, each script in turn, ROUNDS times alternated:
#   plain_insert     one INSERT into a keyed table with no rules (the raw ceiling's statement)
#   ledger_insert    one INSERT into transfer, decided by its triggers
#   ledger_batch/N   post_transfers, the service's statement, with N transfers (BATCHES)
# or the scripts in STATEMENTS, any of load-tests/pgbench/ (ledger_balance: a balance read).
# The CPU is that of every PostgreSQL process, from /proc, including backends that exited (the
# postmaster's reaped children). One client on an otherwise idle machine: no contention, so the
# figures are the work itself. Its sessions run with plan_cache_mode = force_generic_plan: the
# service's statements keep generic plans after their first calls, while ledger_batch.sql's outer
# query, which builds the arrays from the script's variables, would otherwise be planned afresh on
# every call, about 100 µs of a lone transfer's figure (docs/benchmarks.md, record P).
#   load-tests/statement-cost.sh                 # ROUNDS=3 SECONDS_EACH=10 BATCHES="1 8 50"
# To compare two versions of the schema, give existing databases (each set up by
# load-tests/pgbench/setup.sql, e.g. copies of one made with CREATE DATABASE ... TEMPLATE, one of
# them migrated further by hand): each script then runs on each, in an order alternated per round.
#   DATABASES="ledger_before ledger_after" load-tests/statement-cost.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

ROUNDS=${ROUNDS:-3}
SECONDS_EACH=${SECONDS_EACH:-10}
BATCHES=${BATCHES:-1 8 50}
ACCOUNTS=${ACCOUNTS:-10000}
PORT=${PORT:-8096}
DATABASES=${DATABASES:-}
STATEMENTS=${STATEMENTS:-plain_insert ledger_insert $(printf 'ledger_batch/%s ' $BATCHES)}
OUT=load-tests/target/statement-cost
SERVICE_JVM=${SERVICE_JVM:--Xmx160m -XX:+UseSerialGC}

rm -rf "$OUT" && mkdir -p "$OUT"
# shellcheck source=load-tests/lib.sh
source load-tests/lib.sh

if [[ -z $DATABASES ]]; then
    DATABASES=ledger_statement_cost
    fresh_database "$DATABASES"
    build_all
    # The service migrates the schema; the measuring is pgbench's alone.
    start_service "$DATABASES"
    stop_service
    SERVICE_PID=
    psql_db -d "$DATABASES" -v accounts="$ACCOUNTS" -f "$REPO/load-tests/pgbench/setup.sql" >/dev/null
    psql_db -d "$DATABASES" -c "VACUUM ANALYZE"
fi

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

# database script batch -> "transactions µs_per_transaction"
measure() {
    local before after out transactions
    before=$(postgres_cpu_ticks)
    out=$(cd / && runuser -u postgres -- env PGOPTIONS="-c plan_cache_mode=force_generic_plan" \
        pgbench -n -M prepared -c 1 -j 1 -T "$SECONDS_EACH" \
        -D accounts="$ACCOUNTS" -D batch="$3" -f "$REPO/load-tests/pgbench/$2.sql" "$1" 2>&1)
    after=$(postgres_cpu_ticks)
    echo "$out" >> "$OUT/pgbench.log"
    transactions=$(echo "$out" | awk -F': ' '/number of transactions actually processed/ {print $2}')
    echo "$transactions $(( (after - before) * 1000000 / $(getconf CLK_TCK) / transactions ))"
}

log "machine: $(nproc) cores; $ROUNDS rounds of ${SECONDS_EACH} s per script, 1 client, prepared; databases: $DATABASES"
echo -e "round\tdatabase\tstatement\ttransfers_per_transaction\ttransactions\tpostgres_cpu_us_per_transaction" \
    > "$OUT/results.tsv"
read -ra databases <<< "$DATABASES"
for round in $(seq "$ROUNDS"); do
    # Every other round in reverse, so that neither database always runs first.
    order=("${databases[@]}")
    (( round % 2 == 0 )) && mapfile -t order < <(printf '%s\n' "${databases[@]}" | tac)
    for name in $STATEMENTS; do
        script=${name%%/*}; batch=${name#*/}; [[ $batch == "$name" ]] && batch=1
        for db in "${order[@]}"; do
            read -r transactions us <<< "$(measure "$db" "$script" "$batch")"
            echo -e "$round\t$db\t$script\t$batch\t$transactions\t$us" >> "$OUT/results.tsv"
            log "round $round: $db: $name: $transactions transactions, $us µs of PostgreSQL CPU each"
        done
    done
done
python3 - "$OUT/results.tsv" <<'PY' | tee "$OUT/results.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
print("| database | statement | transfers | PostgreSQL CPU per transaction, µs (median) | per transfer, µs | runs |")
print("|---|---|---|---|---|---|")
keys = lambda r: (r["statement"], r["transfers_per_transaction"], r["database"])
seen = []
for r in rows:
    if keys(r) not in seen:
        seen.append(keys(r))
for statement, transfers, database in seen:
    us = [int(r["postgres_cpu_us_per_transaction"]) for r in rows if keys(r) == (statement, transfers, database)]
    median = statistics.median(us)
    print(f"| {database} | {statement} | {transfers} | {median:,.0f} | {median / int(transfers):,.0f} "
          f"| {' · '.join(f'{u:,}' for u in us)} |")
PY
