#!/usr/bin/env bash
# Where the CPU goes at one steady load, in one command (docs/benchmarks.md, "Where the time goes"):
#   load-tests/profile.sh                                   # balance reads at 1,500 req/s
#   WORKLOAD=batches RATE=100 load-tests/profile.sh         # POST /transfers/batch of 50, 100 req/s
#   APP=<another packaged build> load-tests/profile.sh     # another build (lib.sh), e.g. before a change
# Starts the machine's PostgreSQL 15, a fresh database and the packaged service as bench.sh does,
# warms it up at a quarter of the rate, offers the rate, and after WARMUP seconds measures
# for SECONDS: the CPU per request of the service, of Gatling and of PostgreSQL (from /proc), and
# an async-profiler CPU profile of the service, attached with jcmd and summed by library.
# Results: load-tests/target/profile/results.md, profile.html (flame graph), profile.collapsed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

WORKLOAD=${WORKLOAD:-balances}   # a Capacity workload: balances, transfers, mix, batches, ...
RATE=${RATE:-1500}               # requests/s offered (batch requests/s for batches)
WARMUP=${WARMUP:-40}             # seconds of full load before measuring (after the warm-up run)
SECONDS_MEASURED=${SECONDS_MEASURED:-20}
ACCOUNTS=${ACCOUNTS:-2000}
BATCH=${BATCH:-50}
PORT=${PORT:-8094}
SERVICE_JVM=${SERVICE_JVM:--Xmx160m -XX:+UseSerialGC}
ASYNC_PROFILER=4.2               # tools.profiler:async-profiler on Maven Central, with its Linux library
DB=ledger_profile
OUT=load-tests/target/profile

rm -rf "$OUT" && mkdir -p "$OUT"
# shellcheck source=load-tests/lib.sh
source load-tests/lib.sh

log "machine: $(nproc) cores; workload=$WORKLOAD rate=$RATE/s warm-up=${WARMUP}s measured=${SECONDS_MEASURED}s"
./mvnw -B -q dependency:copy -Dartifact="tools.profiler:async-profiler:$ASYNC_PROFILER" -DoutputDirectory="$OUT"
unzip -q -o "$OUT/async-profiler-$ASYNC_PROFILER.jar" 'linux-x64/libasyncProfiler.so' -d "$OUT"
AGENT=$REPO/$OUT/linux-x64/libasyncProfiler.so
fresh_database "$DB"
build_all
start_service "$DB"

# CPU ticks so far of the service, of every other JVM (Gatling) and of every PostgreSQL process.
cpu_ticks() {
    python3 - "$SERVICE_PID" <<'PY'
import os, sys
service, ticks = int(sys.argv[1]), {"service": 0, "gatling": 0, "postgres": 0}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        stat = open(f"/proc/{pid}/stat").read()
    except OSError:
        continue
    name, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
    kind = "service" if int(pid) == service else "gatling" if name == "java" else "postgres" if name.startswith("postgres") else None
    if kind:
        ticks[kind] += int(fields[11]) + int(fields[12])
print(ticks["service"], ticks["gatling"], ticks["postgres"])
PY
}

# Unwarmed, C2 takes a core for a minute at full rate (60 % of the service's samples at 100 batch
# requests/s), the service falls behind and the queue grows: a quarter of the rate first.
log "warm-up: 30 s of $WORKLOAD at $(( (RATE + 3) / 4 ))/s"
gatling Capacity -Dworkload="$WORKLOAD" -Daccounts="$ACCOUNTS" -Drates=$(( (RATE + 3) / 4 )) -Dwarmup=1 -Dduration=30 \
    -Dcurrency="W$RANDOM" -DbatchSize="$BATCH" -DstepsFile="$REPO/$OUT/warm-up.tsv"
log "measuring: $WORKLOAD at $RATE/s"
gatling Capacity -Dworkload="$WORKLOAD" -Daccounts="$ACCOUNTS" -Drates="$RATE" -Dwarmup=15 \
    -Dduration=$(( WARMUP + SECONDS_MEASURED + 5 )) -Dcurrency="P$RANDOM" -DbatchSize="$BATCH" \
    -DstepsFile="$REPO/$OUT/steps.tsv" &
LOAD=$!
sleep "$WARMUP"
before=$(cpu_ticks)
# jcmd hands the agent its options as one argument only when they are quoted inside the argument.
jcmd "$SERVICE_PID" JVMTI.agent_load "$AGENT" '"start,event=cpu,interval=1ms"' > /dev/null
sleep "$SECONDS_MEASURED"
jcmd "$SERVICE_PID" JVMTI.agent_load "$AGENT" "\"dump,file=$REPO/$OUT/profile.collapsed,collapsed\"" > /dev/null
jcmd "$SERVICE_PID" JVMTI.agent_load "$AGENT" "\"stop,file=$REPO/$OUT/profile.html\"" > /dev/null
after=$(cpu_ticks)
wait "$LOAD" || true
stop_service

python3 - "$OUT" "$before" "$after" "$(getconf CLK_TCK)" "$RATE" "$SECONDS_MEASURED" "$WORKLOAD" <<'PY' > "$OUT/results.md"
import collections, sys
out, before, after, hz, rate, seconds, workload = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), sys.argv[7]
steps = [line.rstrip("\n").split("\t") for line in open(f"{out}/steps.tsv")]
head, row = steps[0], steps[-1]
print(f"# Where the CPU goes: {workload} at {rate:.0f} requests/s\n")
print("Gatling's step: " + ", ".join(f"{k} {v}" for k, v in zip(head, row)) + "\n")
print("| process | CPU, % of one core | CPU per request, µs |\n|---|---|---|")
for name, b, a in zip(("service", "Gatling", "PostgreSQL"), before, after):
    share = (int(a) - int(b)) / hz / seconds
    print(f"| {name} | {share * 100:.0f} | {share / rate * 1e6:.0f} |")
# Each sample goes to the deepest frame of a known library (JDK frames count for their caller).
libraries = [("context propagation", "io/smallrye/context"), ("Narayana (JTA context)", "arjuna"),
             ("Micrometer", "micrometer"), ("Jackson", "jackson"), ("Hibernate Validator", "hibernate/validator"),
             ("PostgreSQL client", "vertx/pgclient"), ("PostgreSQL client", "vertx/sqlclient"),
             ("RESTEasy Reactive", "resteasy"), ("Ledger's own code", "dev/ledger"), ("Mutiny", "smallrye/mutiny"),
             ("ArC (CDI)", "io/quarkus/arc"), ("Vert.x HTTP and web", "io/vertx/core/http"),
             ("Vert.x HTTP and web", "io/vertx/ext/web"), ("Vert.x core", "io/vertx/core"), ("Netty", "io/netty"),
             ("Caffeine", "caffeine")]
share, total = collections.Counter(), 0
for line in open(f"{out}/profile.collapsed"):
    stack, _, count = line.rstrip().rpartition(" ")
    frames, count = stack.split(";"), int(count)
    total += count
    if frames[-1].endswith("_[k]"):
        share["kernel (system calls)"] += count
        continue
    owner = "other (JIT, GC, JVM, unattributed)"
    for frame in reversed(frames):
        if frame.startswith(("java/", "jdk/", "sun/")):
            continue
        hit = [name for name, prefix in libraries if prefix in frame]
        if hit:
            owner = hit[0]
            break
    share[owner] += count
print(f"\nService profile: {total} samples of 1 ms over {seconds:.0f} s.\n\n| where | share |\n|---|---|")
for name, count in share.most_common():
    print(f"| {name} | {count * 100 / total:.1f} % |")
PY
cat "$OUT/results.md"
