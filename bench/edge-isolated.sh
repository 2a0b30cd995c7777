#!/usr/bin/env bash
# ./pageviews bench edge-isolated   (or: bench/edge-isolated.sh): the edge alone, an isolated micro-figure
# Loads the edge (its own JVM) in front of a real Kafka (local-stack, same machine) with wrk over plain
# keep-alive connections (no pipelining): single events on /api/v1/track, then batches on
# /api/v1/track/batch. Prints requests/s, p50/p99 latency, errors and events/s, then stops everything.
#
# `./pageviews bench edge` builds the project first when needed (run directly, it needs `mvn install -DskipTests` once).
# It builds edge-ingest's classes and classpath itself. Settings (environment):
#   EDGE_BENCH_SECONDS (25)   length of each measured run; a 5 s warm-up run comes first
#   EDGE_BENCH_CONNECTIONS (512) single-event connections; EDGE_BENCH_BATCH_CONNECTIONS (32)
#   EDGE_BENCH_THREADS (1)    wrk threads
#   EDGE_BENCH_BATCH (100)    events per batch request
#   EDGE_BENCH_PORT (18080)   edge port on 127.0.0.1
#   EDGE_BENCH_ADMIN_PORT (19464) edge admin port (/metrics, /readyz with the reason) on 127.0.0.1
#   EDGE_BENCH_JAVA_OPTS      edge JVM options (default: the container image's JAVA_TOOL_OPTIONS, from
#                             k8s/images/edge-ingest/Dockerfile, with its MALLOC_ARENA_MAX)
# Besides the throughput it prints the edge's peak resident memory (the kernel's high-water mark, what a container
# limit is checked against), its peak heap use, direct memory and GC pauses, for the arithmetic in k8s/README.md.
#   EDGE_BENCH_EDGE_ARGS      extra edge flags, e.g. "--kafka-linger 10"; "--rate-limit 0 --bot-filter false" measures
#                             the edge without admission control. The edge always gets --trusted-proxy-hops 1: the
#                             wrk scripts send each request as one of 4,096 clients in X-Forwarded-For.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECONDS_PER_RUN=${EDGE_BENCH_SECONDS:-25}
CONNECTIONS=${EDGE_BENCH_CONNECTIONS:-512}
BATCH_CONNECTIONS=${EDGE_BENCH_BATCH_CONNECTIONS:-32}
THREADS=${EDGE_BENCH_THREADS:-1}
BATCH=${EDGE_BENCH_BATCH:-100}
PORT=${EDGE_BENCH_PORT:-18080}
ADMIN_PORT=${EDGE_BENCH_ADMIN_PORT:-19464}
IMAGE_JAVA_OPTS=$(sed -n 's/^ENV JAVA_TOOL_OPTIONS="\(.*\)"$/\1/p' k8s/images/edge-ingest/Dockerfile)
JAVA_OPTS=${EDGE_BENCH_JAVA_OPTS:-$IMAGE_JAVA_OPTS}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-$(sed -n 's/^ENV MALLOC_ARENA_MAX=//p' k8s/images/edge-ingest/Dockerfile)}
read -r -a EDGE_ARGS <<< "--trusted-proxy-hops 1 ${EDGE_BENCH_EDGE_ARGS:-}"
WORK=edge-ingest/target/bench
URL=http://127.0.0.1:$PORT
ADMIN_URL=http://127.0.0.1:$ADMIN_PORT

declare -F need_package > /dev/null || { echo "run it as ./pageviews bench $(basename "$0" .sh)" >&2; exit 2; }
need_package wrk wrk
if (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null; then
  echo "bench edge: port $PORT is in use; set EDGE_BENCH_PORT" >&2
  exit 1
fi

echo "bench edge: building edge-ingest (classes + classpath) ..."
MVN=(mvn -B --no-transfer-progress -q)
"${MVN[@]}" -pl edge-ingest test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
"${MVN[@]}" -pl edge-ingest dependency:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile=target/runtime.classpath
TEST_CP="edge-ingest/target/test-classes:edge-ingest/target/classes:$(cat edge-ingest/target/bench.classpath)"
EDGE_CP="edge-ingest/target/classes:$(cat edge-ingest/target/runtime.classpath)"

rm -rf "$WORK" && mkdir -p "$WORK"
KAFKA_PID=""
EDGE_PID=""
SAMPLER_PID=""
stop_all() {
  if [ -n "$SAMPLER_PID" ]; then kill "$SAMPLER_PID" 2> /dev/null || true; fi
  if [ -n "$EDGE_PID" ] && kill -0 "$EDGE_PID" 2> /dev/null; then
    kill -TERM "$EDGE_PID" && wait "$EDGE_PID" || true
  fi
  if [ -n "$KAFKA_PID" ] && kill -0 "$KAFKA_PID" 2> /dev/null; then
    kill -TERM "$KAFKA_PID" && wait "$KAFKA_PID" || true
  fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

echo "bench edge: starting Kafka (log: $WORK/kafka) ..."
java -Xmx256m -cp "$TEST_CP" dev.pageviews.edge.bench.BenchKafka "$WORK" views 4 > "$WORK/kafka-launcher.log" 2>&1 &
KAFKA_PID=$!
for _ in $(seq 1 600); do
  [ -s "$WORK/bootstrap" ] && break
  kill -0 "$KAFKA_PID" 2> /dev/null || { cat "$WORK/kafka-launcher.log" >&2; exit 1; }
  sleep 0.2
done
BOOTSTRAP=$(cat "$WORK/bootstrap")
BROKER_PID=$(cat "$WORK/kafka/kafka.pid")

echo "bench edge: starting the edge on $URL (log: $WORK/edge.log) ..."
# shellcheck disable=SC2086
java $JAVA_OPTS -cp "$EDGE_CP" dev.pageviews.edge.EdgeMain --host 127.0.0.1 --port "$PORT" --admin-port "$ADMIN_PORT" \
  --kafka-bootstrap "$BOOTSTRAP" --topic views "${EDGE_ARGS[@]}" > "$WORK/edge.log" 2>&1 &
EDGE_PID=$!
for _ in $(seq 1 300); do
  curl -fs "$URL/readyz" > /dev/null 2>&1 && break
  kill -0 "$EDGE_PID" 2> /dev/null || { cat "$WORK/edge.log" >&2; exit 1; }
  sleep 0.2
done
curl -fs "$URL/readyz" > /dev/null || { echo "bench edge: the edge did not get ready: $(curl -s "$ADMIN_URL/readyz")" >&2; exit 1; }

pid_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
busy_idle() { awk '/^cpu / {print $2 + $3 + $4 + $5 + $7 + $8, $5}' /proc/stat; }
run() { # name seconds connections script url [args]; prints wrk's RESULT plus CPU use during the run
  local name=$1 seconds=$2 connections=$3 script=$4 url=$5
  shift 5
  local edge0 kafka0 all0 idle0 edge1 kafka1 all1 idle1
  edge0=$(pid_ticks "$EDGE_PID"); kafka0=$(pid_ticks "$BROKER_PID"); read -r all0 idle0 <<< "$(busy_idle)"
  wrk -t"$THREADS" -c"$connections" -d"${seconds}s" --timeout 10s --latency -s "$script" "$url" -- "$@" \
    > "$WORK/wrk-$name.txt" 2>&1
  edge1=$(pid_ticks "$EDGE_PID"); kafka1=$(pid_ticks "$BROKER_PID"); read -r all1 idle1 <<< "$(busy_idle)"
  local hz
  hz=$(getconf CLK_TCK)
  echo "$(grep '^RESULT' "$WORK/wrk-$name.txt" | sed 's/^RESULT //')" \
    "edge_cpu=$(( (edge1 - edge0) * 100 / (hz * seconds) ))%" \
    "kafka_cpu=$(( (kafka1 - kafka0) * 100 / (hz * seconds) ))%" \
    "machine_busy=$(( 100 * ((all1 - all0) - (idle1 - idle0)) / (all1 - all0) ))%"
}
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<< "$2"; }

# Every 0.5 s: heap used and direct memory (Netty's allocator, and the JDK's direct buffers), as "heap direct jdk_direct"
sample_memory() {
  while sleep 0.5; do
    curl -fs "$ADMIN_URL/metrics" 2> /dev/null | awk '
      /^jvm_memory_used_bytes\{.*area="heap"/ {heap += $NF}
      /^netty_allocator_memory_used\{.*memory_type="direct"/ {direct += $NF}
      /^jvm_buffer_memory_used_bytes\{.*id="direct"/ {jdk += $NF}
      END {if (heap > 0) printf "%d %d %d\n", heap, direct, jdk}'
  done >> "$WORK/memory-samples.txt"
}
sample_memory &
SAMPLER_PID=$!

echo "bench edge: load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the figures)"
echo "bench edge: warming up (5 s) ..."
run warmup 5 "$CONNECTIONS" bench/edge-single.lua "$URL/api/v1/track" > /dev/null
run warmup-batch 5 "$BATCH_CONNECTIONS" bench/edge-batch.lua "$URL/api/v1/track/batch" "$BATCH" > /dev/null

echo "bench edge: single events, $CONNECTIONS connections, ${SECONDS_PER_RUN} s ..."
SINGLE=$(run single "$SECONDS_PER_RUN" "$CONNECTIONS" bench/edge-single.lua "$URL/api/v1/track")
echo "bench edge: batches of $BATCH events, $BATCH_CONNECTIONS connections, ${SECONDS_PER_RUN} s ..."
BATCHED=$(run batch "$SECONDS_PER_RUN" "$BATCH_CONNECTIONS" bench/edge-batch.lua "$URL/api/v1/track/batch" "$BATCH")
METRICS=$(curl -fs "$ADMIN_URL/metrics")
kill "$SAMPLER_PID" 2> /dev/null || true
SAMPLER_PID=""
PEAK_RSS_KIB=$(awk '/^VmHWM/ {print $2}' "/proc/$EDGE_PID/status")
read -r PEAK_HEAP PEAK_DIRECT PEAK_JDK_DIRECT <<< "$(awk '$1 > h {h = $1} $2 > d {d = $2} $3 > j {j = $3}
  END {printf "%.0f %.0f %.0f", h / 1048576, d / 1048576, j / 1048576}' "$WORK/memory-samples.txt")"
GC_PAUSES=$(awk '/^jvm_gc_pause_seconds_sum/ {s += $NF} /^jvm_gc_pause_seconds_count/ {n += $NF}
  END {printf "%d pauses, %.2f s in all", n, s}' <<< "$METRICS")

cores=$(nproc)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
echo
echo "== Edge benchmark ($cores cores, $mem; Kafka, edge and wrk on this machine) =="
printf '%-28s %12s %10s %10s %10s %14s\n' "run" "requests/s" "p50 ms" "p99 ms" "errors" "events/s"
printf '%-28s %12s %10s %10s %10s %14s\n' "POST /api/v1/track" "$(field rps "$SINGLE")" \
  "$(field p50_ms "$SINGLE")" "$(field p99_ms "$SINGLE")" \
  "$(( $(field non2xx "$SINGLE") + $(field socket_errors "$SINGLE") ))" "$(field rps "$SINGLE")"
printf '%-28s %12s %10s %10s %10s %14s\n' "POST /api/v1/track/batch" "$(field rps "$BATCHED")" \
  "$(field p50_ms "$BATCHED")" "$(field p99_ms "$BATCHED")" \
  "$(( $(field non2xx "$BATCHED") + $(field socket_errors "$BATCHED") ))" "$(( $(field rps "$BATCHED") * BATCH ))"
echo "CPU during the runs (100% = one core): single: $(grep -o 'edge_cpu.*' <<< "$SINGLE"); batch: $(grep -o 'edge_cpu.*' <<< "$BATCHED")"
echo "edge metrics: $(grep -E '^edge_events_produced_total|^edge_events_rejected_total' <<< "$METRICS" | tr '\n' ' ')"
echo "edge JVM options: $JAVA_OPTS (MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX)"
echo "edge memory: peak resident $((PEAK_RSS_KIB / 1024)) MiB (VmHWM); peak heap used ${PEAK_HEAP} MiB; peak direct: Netty ${PEAK_DIRECT} MiB, JDK buffers ${PEAK_JDK_DIRECT} MiB (sampled every 0.5 s); GC: $GC_PAUSES"
echo "edge non-heap after the runs: $(awk '/^jvm_memory_used_bytes\{.*area="nonheap"/ {
  id = $0; sub(/.*id="/, "", id); sub(/".*/, "", id); printf "%s %.0f MiB; ", id, $NF / 1048576}' <<< "$METRICS")"
echo "(errors = non-2xx responses + socket errors; wrk output in $WORK/wrk-*.txt)"
