# Shared by the load-test scripts (bench.sh, reads.sh, overload.sh, history.sh, profile.sh,
# statement-cost.sh, start.sh): the machine's PostgreSQL 15, a fresh database with the production
# roles, the packaged service, and Gatling.
# Source it from the repository root after setting OUT (the results directory) and PORT (the
# service's port); pgbench_tps and capacity also read PGB, DB, BATCH, RATES, STEP and run.

# Authentication is on in the packaged service, as in production: a throw-away bootstrap admin
# key (or API_KEY from the environment) starts it and Gatling sends it.
API_KEY=${API_KEY:-ldg_bench_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')}

log() { printf '[%s] %s\n' "$(date +%T)" "$*" | tee -a "$OUT/run.log"; }
psql_db() { (cd / && runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 "$@"); }

# Starts 15/main unless it runs, then creates database $1 from scratch, owned by role ledger,
# with ledger_service as the service's role (README, "Use an external PostgreSQL").
fresh_database() {
    local db=$1
    pg_ctlcluster 15 main status >/dev/null 2>&1 || pg_ctlcluster 15 main start
    for _ in $(seq 60); do pg_isready -q -h localhost && break; sleep 1; done
    psql_db <<SQL
DROP DATABASE IF EXISTS $db WITH (FORCE);
SELECT 'CREATE ROLE ledger' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger')\gexec
ALTER ROLE ledger LOGIN PASSWORD 'ledger';
SELECT 'CREATE ROLE ledger_service' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ledger_service')\gexec
ALTER ROLE ledger_service LOGIN PASSWORD 'ledger_service';
CREATE DATABASE $db OWNER ledger;
SQL
}

build_all() {
    log "building the service and the load tests"
    ./mvnw -B -q package -DskipTests
    ./mvnw -B -q -f load-tests/pom.xml test-compile
}

# Starts the packaged service on database $1 with JVM flags $SERVICE_JVM, waits until it is
# ready, and sets SERVICE_PID and READY_MS (launch to first successful readiness check). APP
# (default target/quarkus-app) selects another packaged copy, to compare two builds in one run.
start_service() {
    local db=$1 start_ns
    # Else the readiness wait below would be answered by whatever already listens there.
    if curl -s -m 2 -o /dev/null "http://localhost:$PORT/"; then
        log "port $PORT is already in use: stop what listens there first"; return 1
    fi
    start_ns=$(date +%s%N)
    # shellcheck disable=SC2086 # SERVICE_JVM holds several flags
    QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://localhost:5432/$db \
    QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://localhost:5432/$db \
    QUARKUS_DATASOURCE_USERNAME=ledger_service QUARKUS_DATASOURCE_PASSWORD=ledger_service \
    QUARKUS_FLYWAY_USERNAME=ledger QUARKUS_FLYWAY_PASSWORD=ledger \
    LEDGER_AUTH_BOOTSTRAP_ADMIN_KEY=$API_KEY \
        java $SERVICE_JVM -Dquarkus.http.port="$PORT" -jar ${APP:-target/quarkus-app}/quarkus-run.jar \
        > "$OUT/service.log" 2>&1 &
    SERVICE_PID=$!
    trap stop_service EXIT
    until curl -sf "http://localhost:$PORT/q/health/ready" >/dev/null; do
        kill -0 "$SERVICE_PID" 2>/dev/null || { cat "$OUT/service.log"; return 1; }
        sleep 0.05
    done
    READY_MS=$(( ($(date +%s%N) - start_ns) / 1000000 ))
}

# SIGTERM, then SIGKILL after the graceful shutdown's 20 s and a margin: a service left in a GC
# spiral by an overload run would otherwise hold its port for the next run.
stop_service() {
    [[ -n "${SERVICE_PID:-}" ]] || return 0
    kill "$SERVICE_PID" 2>/dev/null || return 0
    for _ in $(seq 25); do kill -0 "$SERVICE_PID" 2>/dev/null || return 0; sleep 1; done
    kill -9 "$SERVICE_PID" 2>/dev/null || true
}

# Every second until the service exits: its RSS in kB and the CPU it used in that second, in %
# of one core (from /proc ticks). Run in the background: sample_usage > file &
sample_usage() {
    local hz last=0 ticks
    hz=$(getconf CLK_TCK)
    while kill -0 "$SERVICE_PID" 2>/dev/null; do
        ticks=$(awk '{ print $14 + $15 }' "/proc/$SERVICE_PID/stat")
        (( last > 0 )) && echo "$(ps -o rss= -p "$SERVICE_PID") $(( (ticks - last) * 100 / hz ))"
        last=$ticks; sleep 1
    done
}

gatling() { # simulation, extra -D flags... (Maven's output goes to gatling.log)
    local sim=$1; shift
    ./mvnw -B -q -f load-tests/pom.xml gatling:test -Dgatling.simulationClass="dev.ledger.load.$sim" \
        -DbaseUrl="http://localhost:$PORT" -DapiKey="$API_KEY" "$@" >> "$OUT/gatling.log" 2>&1 || true
}

# 30 s of the 3:1 mix, not measured: JIT and connection pools warm, as a service that has run a
# while in production has them. $1 names its steps file in $OUT.
warm_up() {
    log "warm-up: 30 s of the 3:1 mix"
    gatling Capacity -Dworkload=mix -Daccounts=1000 -Drates=300 -Dduration=30 -Dwarmup=1 -Dcurrency="W$RANDOM" \
        -DstepsFile="$REPO/$OUT/$1.tsv"
}

# Gatling SeedWorkload at $1 users (ramp 30 s, then 60 s) against the running service, with its
# RSS and CPU sampled every second. Sets SEED_REQUESTS, SEED_FAILED, SEED_P50_MS, SEED_P95_MS,
# SEED_P99_MS, SEED_RSS_MAX_MB and SEED_CPU_MEAN_PCT (of one core).
seed_workload() {
    local sampler report
    log "SeedWorkload at $1 users"
    sample_usage > "$OUT/service-usage.log" &
    sampler=$!
    gatling SeedWorkload -Dusers="$1" -Dramp=30 -Dduration=60
    kill "$sampler" 2>/dev/null || true
    report=$(java load-tests/src/test/java/dev/ledger/load/ReportStats.java)
    read -r SEED_REQUESTS SEED_FAILED SEED_P50_MS SEED_P95_MS SEED_P99_MS < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["stats"]
print(s["numberOfRequests"]["total"], s["numberOfRequests"]["ko"], s["percentiles1"]["total"],
      s["percentiles3"]["total"], s["percentiles4"]["total"])
' "$report")
    SEED_RSS_MAX_MB=$(awk '{ if ($1 > m) m = $1 } END { printf "%.0f", m / 1024 }' "$OUT/service-usage.log")
    SEED_CPU_MEAN_PCT=$(awk '{ s += $2; n++ } END { printf "%.0f", s / n }' "$OUT/service-usage.log")
}

P99_LIMIT_MS=50

pgbench_tps() { # script [clients [batch size [query mode]]] -> tps, with $PGB on $DB
    (cd / && $PGB ${2:+-c $2} ${4:+-M $4} -D batch="${3:-$BATCH}" -f "$REPO/load-tests/pgbench/$1.sql" "$DB" 2>&1) \
        | tee -a "$OUT/pgbench-$1.log" | awk '/^tps/ {printf "%.0f", $3}'
}

capacity() { # workload, accounts [rates [batch size]] -> "rate p50 p95 p99" of the highest step held (p99 <= limit, no failure)
    local workload=$1 accounts=$2 rates=${3:-$RATES} size=${4:-$BATCH} steps="$OUT/capacity-$1-run$run.tsv"
    gatling Capacity -Dworkload="$workload" -Daccounts="$accounts" -Drates="$rates" -Dduration="$STEP" \
        -Dwarmup=15 -Dcurrency="C$RANDOM" -DbatchSize="$size" -DstepsFile="$REPO/$steps"
    # The highest step that passed, below the first step with a failed request (a p99 miss
    # below it is noted in the step file but does not end the search: this machine is noisy).
    # Columns: rate, requests, failed, p50, p95, p99 (Capacity.java).
    awk -F'\t' -v limit="$P99_LIMIT_MS" 'NR > 1 { if ($3 != 0) stop = 1
                                                   if (!stop && $6 <= limit) held = $1 " " $4 " " $5 " " $6 }
        END { print (held == "" ? "0 - - -" : held) }' "$steps"
}
