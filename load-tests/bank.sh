#!/usr/bin/env bash
# The bank invariant check (BankCheck) with fault injection, in one command (docs/reliability.md):
#   load-tests/bank.sh                                             # 8 accounts, 64 clients, 60 s, no fault
#   load-tests/bank.sh --faults=kill,pg-terminate --duration-seconds=120
#   load-tests/bank.sh --faults=pg-restart-fast,pg-restart-immediate,pg-pause --seed=42
# Every argument goes to BankCheck (--accounts, --clients, --duration-seconds, --seed, --faults,
# --fault-interval-seconds, --warmup-seconds, ...; see its Options). Faults, one per interval, in turn:
#   kill                  kill -9 of the service, which this script then starts again
#   term                  SIGTERM (graceful shutdown) of the service, which this script then starts again
#   pg-restart-fast       pg_ctlcluster restart -m fast
#   pg-restart-immediate  pg_ctlcluster restart -m immediate (crash recovery on start)
#   pg-pause              SIGSTOP of the postmaster and every backend for PAUSE_SECONDS, then SIGCONT
#   pg-terminate          pg_terminate_backend() of every client connection to the database
# It creates and starts a PostgreSQL 15 cluster of its own (15/faults on port 5442), so restarts
# and pauses never hit the shared 15/main, creates a fresh database and its roles, packages the
# service when the sources are newer than the jar, starts it on port 8091, runs the check and
# stops what it started. Exit status: BankCheck's (1 on any violation).
# BankCheck runs `load-tests/bank.sh fault NAME` to inject a fault; that needs this script's
# exported settings, so it is not meant to be called by hand. LEDGER_API_KEY (default: a random
# one per run) becomes the service's bootstrap admin key and the clients' bearer token.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PG_VERSION=15
PG_CLUSTER=${PG_CLUSTER:-faults}
PG_PORT=${PG_PORT:-5442}
DB=${DB:-ledger_bank}
PORT=${PORT:-8091}
OWNER_ROLE=${OWNER_ROLE:-ledger}
OWNER_PASSWORD=${OWNER_PASSWORD:-ledger}
SERVICE_ROLE=${SERVICE_ROLE:-ledger_service}
SERVICE_PASSWORD=${SERVICE_PASSWORD:-ledger_service}
# The service's JVM as it would run in a 300 MB container (as in bench.sh).
SERVICE_JVM=${SERVICE_JVM:--Xmx160m -XX:+UseSerialGC}
PAUSE_SECONDS=${PAUSE_SECONDS:-5}
READY_TIMEOUT_SECONDS=60
STOP_TIMEOUT_SECONDS=30
OUT=${OUT:-load-tests/target/bank}
PIDFILE=$OUT/service.pid

log() { printf '[%s] bank.sh: %s\n' "$(date +%T)" "$*"; }
psql_as_postgres() { (cd / && runuser -u postgres -- psql -X -q -p "$PG_PORT" -v ON_ERROR_STOP=1 "$@"); }

start_service() {
    # shellcheck disable=SC2086 # SERVICE_JVM holds several flags
    java $SERVICE_JVM -Dquarkus.http.port="$PORT" -jar target/quarkus-app/quarkus-run.jar \
        >> "$OUT/service.log" 2>&1 < /dev/null &
    echo $! > "$PIDFILE"
    local started=$SECONDS
    until curl -sf "http://localhost:$PORT/q/health/ready" > /dev/null; do
        if (( SECONDS - started > READY_TIMEOUT_SECONDS )) || ! kill -0 "$(cat "$PIDFILE")" 2> /dev/null; then
            log "the service did not become ready; see $OUT/service.log"
            return 1
        fi
        sleep 0.1
    done
    log "service ready (pid $(cat "$PIDFILE")) after $((SECONDS - started)) s"
}

stop_service() {
    [[ -f $PIDFILE ]] || return 0
    local pid
    pid=$(cat "$PIDFILE")
    rm -f "$PIDFILE"
    kill -TERM "$pid" 2> /dev/null || return 0
    for _ in $(seq $((STOP_TIMEOUT_SECONDS * 10))); do
        kill -0 "$pid" 2> /dev/null || return 0
        sleep 0.1
    done
    log "the service ignored SIGTERM for $STOP_TIMEOUT_SECONDS s: SIGKILL"
    kill -KILL "$pid" 2> /dev/null || true
}

cluster_field() { pg_lsclusters -h | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" -v f="$1" '$1 == v && $2 == c {print $f}'; }

# Restarting or pausing the shared cluster would break CI and everybody else's work on it.
refuse_shared_cluster() {
    if [[ $PG_CLUSTER == main ]]; then
        log "refusing fault $1 on the shared cluster $PG_VERSION/main; use PG_CLUSTER=faults"
        exit 2
    fi
}

fault() {
    case $1 in
        kill)
            local pid
            pid=$(cat "$PIDFILE")
            kill -KILL "$pid"
            while kill -0 "$pid" 2> /dev/null; do sleep 0.05; done
            start_service
            ;;
        term)
            local started=$SECONDS
            stop_service
            log "the service exited $((SECONDS - started)) s after SIGTERM"
            start_service
            ;;
        pg-restart-fast | pg-restart-immediate)
            refuse_shared_cluster "$1"
            pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" restart -m "${1#pg-restart-}"
            ;;
        pg-pause)
            refuse_shared_cluster "$1"
            local postmaster backends
            postmaster=$(head -1 "$(cluster_field 6)/postmaster.pid")
            # The postmaster first, so that it forks no backend that would miss the SIGSTOP.
            kill -STOP "$postmaster"
            backends=$(pgrep -P "$postmaster" | tr '\n' ' ')
            # shellcheck disable=SC2086 # one pid per word
            kill -STOP $backends
            sleep "$PAUSE_SECONDS"
            # shellcheck disable=SC2086
            kill -CONT $backends
            kill -CONT "$postmaster"
            ;;
        pg-terminate)
            psql_as_postgres -d "$DB" -t -c "SELECT count(pg_terminate_backend(pid)) || ' connections terminated'
                FROM pg_stat_activity
                WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            ;;
        *)
            log "unknown fault $1"
            exit 2
            ;;
    esac
}

if [[ ${1:-} == fault ]]; then
    fault "$2"
    exit 0
fi

mkdir -p "$OUT"
STARTED_PG=false
cleanup() {
    stop_service
    if $STARTED_PG; then
        log "stopping PostgreSQL $PG_VERSION/$PG_CLUSTER"
        pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" stop || true
    fi
}
trap cleanup EXIT

# ---- PostgreSQL: a cluster of its own, a fresh database ----------------------------------------
if [[ -z $(cluster_field 2) ]]; then
    log "creating PostgreSQL cluster $PG_VERSION/$PG_CLUSTER on port $PG_PORT"
    pg_createcluster "$PG_VERSION" "$PG_CLUSTER" --port "$PG_PORT" > /dev/null
fi
if [[ $(cluster_field 4) != online ]]; then
    pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
    STARTED_PG=true
fi
for _ in $(seq 60); do pg_isready -q -h localhost -p "$PG_PORT" && break; sleep 1; done

# With a least-privilege migration (V3) the migrations run as the owner and the service connects
# as a role that may only select and insert; without one, one role does both.
TWO_ROLES=false
compgen -G "db/migration/V3__*.sql" > /dev/null && TWO_ROLES=true
psql_as_postgres <<SQL
DROP DATABASE IF EXISTS $DB WITH (FORCE);
SELECT 'CREATE ROLE $OWNER_ROLE' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$OWNER_ROLE')\gexec
ALTER ROLE $OWNER_ROLE LOGIN PASSWORD '$OWNER_PASSWORD';
CREATE DATABASE $DB OWNER $OWNER_ROLE;
SQL
export QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://localhost:$PG_PORT/$DB
export QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://localhost:$PG_PORT/$DB
if $TWO_ROLES; then
    psql_as_postgres <<SQL
SELECT 'CREATE ROLE $SERVICE_ROLE' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$SERVICE_ROLE')\gexec
ALTER ROLE $SERVICE_ROLE LOGIN PASSWORD '$SERVICE_PASSWORD';
SQL
    export QUARKUS_FLYWAY_USERNAME=$OWNER_ROLE QUARKUS_FLYWAY_PASSWORD=$OWNER_PASSWORD
    export QUARKUS_DATASOURCE_USERNAME=$SERVICE_ROLE QUARKUS_DATASOURCE_PASSWORD=$SERVICE_PASSWORD
else
    export QUARKUS_DATASOURCE_USERNAME=$OWNER_ROLE QUARKUS_DATASOURCE_PASSWORD=$OWNER_PASSWORD
fi
# The packaged service requires an API key: it stores this one as its admin key at start, and
# BankCheck sends LEDGER_API_KEY as a bearer token.
export LEDGER_API_KEY=${LEDGER_API_KEY:-ldg_bank_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')}
export LEDGER_AUTH_BOOTSTRAP_ADMIN_KEY=$LEDGER_API_KEY
export PG_CLUSTER PG_PORT DB PORT SERVICE_JVM PAUSE_SECONDS OUT

# ---- build what is missing or stale, start the service -----------------------------------------
JAR=target/quarkus-app/quarkus-run.jar
if [[ ! -f $JAR || -n $(find src db pom.xml -newer "$JAR" -print -quit) ]]; then
    log "packaging the service"
    ./mvnw -B -q package -DskipTests
fi
./mvnw -B -q -f load-tests/pom.xml test-compile
if [[ ! -f load-tests/target/bank.classpath || load-tests/pom.xml -nt load-tests/target/bank.classpath ]]; then
    ./mvnw -B -q -f load-tests/pom.xml dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile=target/bank.classpath
fi
: > "$OUT/service.log"
start_service

# ---- the check -------------------------------------------------------------------------------
set +e
java -Xmx256m -cp "load-tests/target/test-classes:$(cat load-tests/target/bank.classpath)" dev.ledger.bank.BankCheck \
    --base-url="http://localhost:$PORT" --jdbc-url="jdbc:postgresql://localhost:$PG_PORT/$DB" \
    --db-user="$OWNER_ROLE" --db-password="$OWNER_PASSWORD" --fault-command="load-tests/bank.sh fault" "$@"
status=$?
set -e
exit $status
