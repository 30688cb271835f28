#!/usr/bin/env bash
# Launch to ready of the packaged service, in one command (docs/benchmarks.md, record N, target 6):
#   load-tests/start.sh                                        # ROUNDS=5, this checkout's build
#   APPS="target/quarkus-app /tmp/app-before" load-tests/start.sh   # two builds, alternated
# A build to compare is a copy of target/quarkus-app made after packaging it (cp -r). The script
# starts PostgreSQL 15 and a fresh database, which a first start migrates (not counted: that
# start pays the migrations, which a restart only checks). Then in each of ROUNDS rounds it starts
# every build of APPS in turn, on the migrated database as in production, and notes the ms from
# launch to the first successful readiness check and the CPU seconds the JVM used by then; it
# stops the service and waits PAUSE seconds. Alternating the builds within a round spreads this
# noisy machine's drift over all of them alike.
# Results: load-tests/target/start/results.md (medians per build) and runs.tsv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

ROUNDS=${ROUNDS:-5}
PAUSE=${PAUSE:-3}                  # seconds between two starts, for the last one's exit to settle
APPS=${APPS:-target/quarkus-app}
PORT=${PORT:-8080}
SERVICE_JVM=${SERVICE_JVM:--Xmx160m -XX:+UseSerialGC}
DB=ledger_start
OUT=load-tests/target/start

rm -rf "$OUT" && mkdir -p "$OUT"
# shellcheck source=load-tests/lib.sh
source load-tests/lib.sh

log "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); rounds=$ROUNDS apps=$APPS"
fresh_database "$DB"
if [[ "$APPS" == target/quarkus-app ]]; then
    log "packaging the service"
    ./mvnw -B -q package -DskipTests
fi
for app in $APPS; do
    [[ -f "$app/quarkus-run.jar" ]] || { log "$app/quarkus-run.jar not found: package it first"; exit 1; }
done

APP=${APPS%% *} start_service "$DB"
log "migrated the database in a first start (${READY_MS} ms, not counted)"
stop_service && SERVICE_PID=

hz=$(getconf CLK_TCK)
printf 'round\tapp\tready_ms\tcpu_s\n' > "$OUT/runs.tsv"
for round in $(seq "$ROUNDS"); do
    for app in $APPS; do
        sleep "$PAUSE"
        APP=$app start_service "$DB"
        cpu_s=$(awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$SERVICE_PID/stat")
        printf '%s\t%s\t%s\t%s\n' "$round" "$app" "$READY_MS" "$cpu_s" | tee -a "$OUT/runs.tsv"
        stop_service && SERVICE_PID=
    done
done

python3 - "$OUT/runs.tsv" "$ROUNDS" <<'PY' > "$OUT/results.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
print(f"Launch to ready, packaged service, migrated database, {sys.argv[2]} rounds alternated\n")
print("| build | launch to ready, ms (each round) | median, ms | CPU used by then, median, s |")
print("|---|---|---|---|")
for app in dict.fromkeys(r['app'] for r in rows):
    mine = [r for r in rows if r['app'] == app]
    ms = [int(r['ready_ms']) for r in mine]
    cpu = [float(r['cpu_s']) for r in mine]
    print(f"| {app} | {' · '.join(f'{m:,}' for m in ms)} | {statistics.median(ms):,.0f} | {statistics.median(cpu):.2f} |")
PY
cat "$OUT/results.md"
