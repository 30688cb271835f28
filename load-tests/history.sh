#!/usr/bin/env bash
# History independence, in one command (docs/benchmarks.md, record E): the same
# measures on a small ledger and on a big one, alternated in each run, with their ratio.
#   load-tests/history.sh                              # 10k against 10M transfers, RUNS=3
#   SMALL=10000 BIG=1000000 RUNS=1 load-tests/history.sh   # a quicker look
# Both databases hold the 10,000 pgbench accounts (setup.sql) and then SMALL or BIG transfers
# appended through the ledger's own trigger (history.sql), a tenth of them on account 1. Measured
# with pgbench against the machine's PostgreSQL 15, per run and per database:
#   - transfers/s, one ledger transfer per transaction, 32 clients (as bench.sh);
#   - p50/p99 of a balance read now and at a random instant of the seeded history, at a fixed
#     READ_RATE (open model, so latency is the read's cost and not the queue of a saturated
#     machine), over random accounts and over account 1 alone.
# The big database takes long to seed (38 minutes for 10M here). It is kept and reused when
# it already holds BIG transfers of history (FRESH=1 seeds it again); the small one is copied
# afresh from a seeded template before every run, so the transfers a run appends do not grow it.
# Results: load-tests/target/history/results.md
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

SMALL=${SMALL:-10000}
BIG=${BIG:-10000000}
RUNS=${RUNS:-3}
DURATION=${DURATION:-15}      # seconds per pgbench measure
CLIENTS=${CLIENTS:-32}        # transfer clients
READ_CLIENTS=${READ_CLIENTS:-4}
READ_RATE=${READ_RATE:-1000}  # balance reads/s offered
ACCOUNTS=10000                # setup.sql's accounts; history.sql puts a tenth of the history on account 1
FRESH=${FRESH:-0}
PORT=${PORT:-8094}
SERVICE_JVM=${SERVICE_JVM:--Xmx160m -XX:+UseSerialGC}
OUT=load-tests/target/history
SMALL_DB=ledger_history_small BIG_DB=ledger_history_big

rm -rf "$OUT" && mkdir -p "$OUT" && chmod 777 "$OUT"   # pgbench runs as postgres and logs there
# shellcheck source=load-tests/lib.sh
source load-tests/lib.sh

log "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; small=$SMALL big=$BIG runs=$RUNS"
scalar() { psql_db -At -d "$1" -c "$2"; }
history_rows() { # transfers beyond setup.sql's funding transfers, or -1 without a schema
    scalar "$1" "SELECT count(*) - $ACCOUNTS FROM transfer" 2>/dev/null || echo -1
}

# A database with the schema (the service's own migrations), the accounts and $2 transfers.
seeded_database() {
    local db=$1 transfers=$2
    if [[ $FRESH == 1 ]] || (( $(history_rows "$db") < transfers )); then
        fresh_database "$db"
        start_service "$db" && stop_service
        psql_db -d "$db" -v accounts="$ACCOUNTS" -f "$REPO/load-tests/pgbench/setup.sql" >/dev/null
        log "seeding $db with $transfers transfers through the ledger's own trigger"
        local start_s=$SECONDS
        psql_db -d "$db" -v transfers="$transfers" -v accounts="$ACCOUNTS" \
            -f "$REPO/load-tests/pgbench/history.sql" >/dev/null
        log "seeded in $(( SECONDS - start_s )) s; VACUUM ANALYZE"
        psql_db -d "$db" -c "VACUUM ANALYZE"
    else
        log "$db already holds $(history_rows "$db") transfers of history: reused (FRESH=1 seeds it again)"
        start_service "$db" && stop_service   # migrations added since it was seeded
    fi
}

build_all
seeded_database "$SMALL_DB" "$SMALL"
seeded_database "$BIG_DB" "$BIG"
for db in "$SMALL_DB" "$BIG_DB"; do
    log "$db: $(scalar "$db" "SELECT count(*) FROM transfer") transfers, account 1 in $(scalar "$db" \
        "SELECT count(*) FROM transfer WHERE 'bbbbbbbb-0000-4000-8000-000000000001' IN (source, destination)"), $(scalar "$db" \
        "SELECT pg_size_pretty(pg_database_size(current_database()))")"
done

# Start to ready on the big database, with nothing left to migrate.
start_service "$BIG_DB"
log "service ready ${READY_MS} ms after launch on $BIG_DB (no migration to apply)"
stop_service

# pgbench script on database with extra flags -> the log prefix of its per-transaction files.
pgbench_run() {
    local name=$1 script=$2 db=$3; shift 3
    (cd / && runuser -u postgres -- pgbench -n -j 2 -T "$DURATION" -D window_ms="$(window_ms "$db")" \
        -l --log-prefix="$REPO/$OUT/$name" "$@" -f "$REPO/load-tests/pgbench/$script.sql" "$db" \
        >> "$REPO/$OUT/pgbench.log" 2>&1)
}
# Past instants are drawn from the first transfer of the database (funding included) to now.
declare -A FIRST_MS
for db in "$SMALL_DB" "$BIG_DB"; do
    FIRST_MS[$db]=$(scalar "$db" "SELECT floor(extract(epoch FROM min(created_at)) * 1000)::bigint FROM transfer")
done
FIRST_MS[${SMALL_DB}_run]=${FIRST_MS[$SMALL_DB]}
window_ms() { echo $(( $(date +%s%3N) - FIRST_MS[$1] )); }
latencies() { # log prefix -> "tps p50_ms p99_ms" from pgbench's per-transaction log (µs in column 3)
    cat "$REPO/$OUT/$1".* | python3 -c '
import statistics, sys
us = sorted(int(line.split()[2]) for line in sys.stdin)
q = statistics.quantiles(us, n=100)
print(f"{len(us) / '"$DURATION"':.0f} {q[49] / 1000:.2f} {q[98] / 1000:.2f}")'
}

: > "$OUT/runs.tsv"
for run in $(seq "$RUNS"); do
    psql_db <<SQL
DROP DATABASE IF EXISTS ${SMALL_DB}_run WITH (FORCE);
CREATE DATABASE ${SMALL_DB}_run TEMPLATE $SMALL_DB OWNER ledger;
SQL
    for size in small big; do
        db=$([[ $size == small ]] && echo "${SMALL_DB}_run" || echo "$BIG_DB")
        log "run $run/$RUNS, $size ($db)"
        reads="-c $READ_CLIENTS -R $READ_RATE"
        # shellcheck disable=SC2086 # reads holds several flags
        {
            pgbench_run "r$run-$size-now" ledger_balance "$db" $reads -D accounts=$ACCOUNTS
            pgbench_run "r$run-$size-past" ledger_balance_past "$db" $reads -D accounts=$ACCOUNTS
            pgbench_run "r$run-$size-hot-now" ledger_balance "$db" $reads -D accounts=1
            pgbench_run "r$run-$size-hot-past" ledger_balance_past "$db" $reads -D accounts=1
            pgbench_run "r$run-$size-transfers" ledger_transfer "$db" -c "$CLIENTS" -D accounts=$ACCOUNTS
        }
        printf '%s\t%s' "$run" "$size" >> "$OUT/runs.tsv"
        for measure in now past hot-now hot-past transfers; do
            printf '\t%s' "$(latencies "r$run-$size-$measure")" >> "$OUT/runs.tsv"
        done
        printf '\n' >> "$OUT/runs.tsv"
        tail -n 1 "$OUT/runs.tsv" | tee -a "$OUT/run.log"
    done
done

python3 - "$OUT/runs.tsv" "$SMALL" "$BIG" "$READ_RATE" <<'PY' | tee "$OUT/results.md"
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
small, big, rate = sys.argv[2], sys.argv[3], sys.argv[4]
measures = ["balance now, random account", "balance at a past instant, random account",
            "balance now, account 1 (a tenth of the history)", "balance at a past instant, account 1",
            "transfers, one per transaction, 32 clients"]
def values(size, col, part):
    return [float(r[col].split()[part]) for r in rows if r[1] == size]
print(f"{len(rows) // 2} runs, medians; history {int(small):,} against {int(big):,} transfers; "
      f"reads offered at {rate}/s\n")
print("| measure | small | big | big / small |")
print("|---|---|---|---|")
for col, name in enumerate(measures, start=2):
    parts = [(0, "transfers/s")] if col == 6 else [(1, "p50 ms"), (2, "p99 ms")]
    for part, unit in parts:
        s, b = statistics.median(values("small", col, part)), statistics.median(values("big", col, part))
        print(f"| {name}, {unit} | {s:g} | {b:g} | {b / s:.2f} |")
PY
