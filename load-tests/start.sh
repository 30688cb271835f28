#!/usr/bin/env bash
# Launch to ready of the packaged service, and optionally SeedWorkload after it, in one command
# (docs/benchmarks.md, record N; targets 6 and 1):
#   load-tests/start.sh                                        # ROUNDS=5, this checkout's build
#   APPS="target/quarkus-app /tmp/app-before" load-tests/start.sh   # two builds, alternated
#   SEED_USERS=1024 ROUNDS=3 APPS="..." load-tests/start.sh    # and SeedWorkload on each start
# A build to compare is a copy of target/quarkus-app made after packaging it (cp -r). The script
# starts PostgreSQL 15 and a fresh database, which a first start migrates (not counted: that
# start pays the migrations, which a restart only checks). Then in each of ROUNDS rounds it starts
# every build of APPS in turn, on the migrated database as in production, and notes the ms from
# launch to the first successful readiness check and the CPU seconds the JVM used by then; it
# stops the service and waits PAUSE seconds. With SEED_USERS > 0 each start is then warmed up as
# bench.sh warms a restarted service (30 s of the 3:1 mix) and runs SeedWorkload at that many
# users, with the service's RSS sampled. Every build gets a database of its own, as builds of
# different migrations cannot share one. Alternating the builds within a round spreads this noisy
# machine's drift over all of them alike.
# Results: load-tests/target/start/results.md (medians per build) and runs.tsv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

ROUNDS=${ROUNDS:-5}
PAUSE=${PAUSE:-3}                  # seconds between two starts, for the last one's exit to settle
APPS=${APPS:-target/quarkus-app}
SEED_USERS=${SEED_USERS:-0}
PORT=${PORT:-8080}
SERVICE_JVM=${SERVICE_JVM:--Xmx160m -XX:+UseSerialGC}
OUT=load-tests/target/start

rm -rf "$OUT" && mkdir -p "$OUT"
# shellcheck source=load-tests/lib.sh
source load-tests/lib.sh

log "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); rounds=$ROUNDS apps=$APPS seed_users=$SEED_USERS"
if [[ "$APPS" == target/quarkus-app ]]; then
    log "packaging the service"
    ./mvnw -B -q package -DskipTests
fi
if (( SEED_USERS > 0 )); then
    ./mvnw -B -q -f load-tests/pom.xml test-compile
fi
n=0
for app in $APPS; do
    [[ -f "$app/quarkus-run.jar" ]] || { log "$app/quarkus-run.jar not found: package it first"; exit 1; }
    n=$(( n + 1 ))
    fresh_database "ledger_start_$n"
    APP=$app start_service "ledger_start_$n"
    log "$app migrated ledger_start_$n in a first start (${READY_MS} ms, not counted)"
    stop_service && SERVICE_PID=
done

hz=$(getconf CLK_TCK)
printf 'round\tapp\tready_ms\tcpu_s\tseed_requests\tseed_failed\tseed_p50_ms\tseed_p95_ms\tseed_p99_ms\tseed_rss_max_mb\n' \
    > "$OUT/runs.tsv"
for round in $(seq "$ROUNDS"); do
    n=0
    for app in $APPS; do
        n=$(( n + 1 ))
        sleep "$PAUSE"
        APP=$app start_service "ledger_start_$n"
        cpu_s=$(awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$SERVICE_PID/stat")
        seed=(- - - - - -)
        if (( SEED_USERS > 0 )); then
            warm_up "warmup-$round-$n"
            seed_workload "$SEED_USERS"
            seed=("$SEED_REQUESTS" "$SEED_FAILED" "$SEED_P50_MS" "$SEED_P95_MS" "$SEED_P99_MS" "$SEED_RSS_MAX_MB")
        fi
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$app" "$READY_MS" "$cpu_s" "${seed[@]}" | tee -a "$OUT/runs.tsv"
        stop_service && SERVICE_PID=
    done
done

python3 - "$OUT/runs.tsv" "$ROUNDS" "$SEED_USERS" <<'PY' > "$OUT/results.md"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter='\t'))
seed_users = int(sys.argv[3])
print(f"Launch to ready, packaged service, migrated database, {sys.argv[2]} rounds alternated\n")
print("| build | launch to ready, ms (each round) | median, ms | CPU used by then, median, s |")
print("|---|---|---|---|")
apps = list(dict.fromkeys(r['app'] for r in rows))
for app in apps:
    mine = [r for r in rows if r['app'] == app]
    ms = [int(r['ready_ms']) for r in mine]
    cpu = [float(r['cpu_s']) for r in mine]
    print(f"| {app} | {' · '.join(f'{m:,}' for m in ms)} | {statistics.median(ms):,.0f} | {statistics.median(cpu):.2f} |")
if seed_users > 0:
    print(f"\nSeedWorkload at {seed_users} users after each start (30 s of the 3:1 mix first)\n")
    print("| build | failed requests (each round) | p50, ms | p95, ms | p99, ms (each round) | median p99, ms | RSS max, MB (each round) |")
    print("|---|---|---|---|---|---|---|")
    for app in apps:
        mine = [r for r in rows if r['app'] == app]
        col = lambda name: [int(float(r[name])) for r in mine]
        print(f"| {app} | {' · '.join(map(str, col('seed_failed')))} | {statistics.median(col('seed_p50_ms')):.0f} | "
              f"{statistics.median(col('seed_p95_ms')):.0f} | "
              f"{' · '.join(map(str, col('seed_p99_ms')))} | {statistics.median(col('seed_p99_ms')):.0f} | "
              f"{' · '.join(map(str, col('seed_rss_max_mb')))} |")
PY
cat "$OUT/results.md"
