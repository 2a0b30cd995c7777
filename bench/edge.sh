#!/usr/bin/env bash
# ./pageviews bench edge: the edge as users run it, inside `./pageviews up` (edge, Flink job, Kafka, Redis and
# wrk on this one machine). Starts up on a fresh data dir, then measures with wrk over plain keep-alive
# connections (no pipelining):
#   - cold start: seconds until /readyz answers and until a view sent then is counted in Redis, then the first
#     15 s of single events at 64 connections (run it twice: the first up records its class-data archive);
#   - warm: single events at 64 and at 512 connections, batches at 32 connections, each run after a warm-up of the
#     same load;
# and prints requests/s, events/s, p50/p99, errors and the CPU of each process (100% = one core) per run.
# The edge alone, without the pipeline, is bench edge-isolated (a micro-figure).
#
# Settings (environment):
#   EDGE_BENCH_SECONDS (20)   length of each measured run      EDGE_BENCH_WARMUP (15) warm-up before each run
#   EDGE_BENCH_BATCH (100)    events per batch request          EDGE_BENCH_THREADS (2) wrk threads
#   EDGE_BENCH_PORT (18080)   the edge's port; the other services take the next ports (admin +1384, UI +1, ...)
#   EDGE_* variables reach the edge inside up (e.g. EDGE_KAFKA_LINGER=2ms), PAGEVIEWS_* reach up and the job.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECONDS_PER_RUN=${EDGE_BENCH_SECONDS:-20}
WARMUP=${EDGE_BENCH_WARMUP:-15}
BATCH=${EDGE_BENCH_BATCH:-100}
THREADS=${EDGE_BENCH_THREADS:-2}
PORT=${EDGE_BENCH_PORT:-18080}
WORK=local-pipeline/target/bench-edge
URL=http://127.0.0.1:$PORT
ADMIN=http://127.0.0.1:$((PORT + 1384))

declare -F need_package > /dev/null || { echo "run it as ./pageviews bench $(basename "$0" .sh)" >&2; exit 2; }
need_package wrk wrk
for p in "$PORT" $((PORT + 1)) $((PORT + 1384)) $((PORT + 1012)) $((PORT - 1701)); do
  if (exec 3<> "/dev/tcp/127.0.0.1/$p") 2> /dev/null; then
    echo "bench edge: port $p is in use; set EDGE_BENCH_PORT" >&2
    exit 1
  fi
done

rm -rf "$WORK" && mkdir -p "$WORK"
UP_PID=""
stop_up() {
  if [ -n "$UP_PID" ] && kill -0 "$UP_PID" 2> /dev/null; then
    kill -TERM "$UP_PID" && wait "$UP_PID" || true
  fi
  # the runs leave gigabytes of Kafka log and archive (batches write both at tens of MB/s); the logs stay for reading
  if [ -d "$WORK/data/kafka" ]; then
    echo "bench edge: removing the run's Kafka log and archive ($(du -sh "$WORK/data/kafka" "$WORK/data/archive" 2> /dev/null \
      | awk '{print $1}' | paste -sd+ -)); logs stay in $WORK"
    rm -rf "$WORK/data/kafka" "$WORK/data/archive"
  fi
}
trap stop_up EXIT
trap 'exit 130' INT TERM

echo "bench edge: starting ./pageviews up (fresh data dir $WORK/data, log $WORK/up.log) ..."
start_ns=$(date +%s%N)
./pageviews up --fresh --data-dir "$WORK/data" --http-port "$PORT" --edge-admin-port $((PORT + 1384)) \
  --ui-port $((PORT + 1)) --kafka-port $((PORT + 1012)) --redis-port $((PORT - 1701)) > "$WORK/up.log" 2>&1 &
UP_PID=$!
until curl -fs "$URL/readyz" > /dev/null 2>&1; do
  kill -0 "$UP_PID" 2> /dev/null || { tail -20 "$WORK/up.log" >&2; exit 1; }
  sleep 0.1
done
ready_s=$(awk -v a="$start_ns" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
# A user's first impression: one view right away, until its count is in Redis (window, watermark, checkpoint)
curl -fs -o /dev/null -X POST "$URL/api/v1/track" -H 'Content-Type: application/json' \
  -d "{\"user_id\":\"bench\",\"page_url\":\"/bench-first-view\",\"timestamp\":$(date +%s)}"
until [ "$(redis-cli -p $((PORT - 1701)) HGET page_views /bench-first-view 2> /dev/null)" = 1 ]; do
  kill -0 "$UP_PID" 2> /dev/null || { tail -20 "$WORK/up.log" >&2; exit 1; }
  sleep 0.05
done
counted_s=$(awk -v a="$start_ns" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
CDS_STATE="off (PAGEVIEWS_CDS=off)"
if [ "${PAGEVIEWS_CDS:-on}" != off ]; then
  if tr '\0' ' ' < "/proc/$UP_PID/cmdline" | grep -q SharedArchiveFile; then
    CDS_STATE="on (classes mapped from the archive an earlier up recorded)"
  else
    CDS_STATE="recording (no archive yet, or the jars changed: this run writes it when it stops)"
  fi
fi

# The processes: up's JVM (the edge and the Flink job), and its children Kafka (a JVM) and redis-server.
KAFKA_PID=$(pgrep -P "$UP_PID" java | head -1 || true)
REDIS_PID=$(pgrep -P "$UP_PID" redis-server | head -1 || true)

pid_ticks() { if [ -n "$1" ] && [ -r "/proc/$1/stat" ]; then awk '{print $14 + $15}' "/proc/$1/stat"; else echo 0; fi; }
busy_idle() { awk '/^cpu / {print $2 + $3 + $4 + $5 + $7 + $8, $5}' /proc/stat; }
heap_mib() { curl -fs "$ADMIN/metrics" 2> /dev/null | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {s += $NF} END {printf "%.0f", s / 1048576}'; }
run() { # name seconds connections script url [args]: wrk's RESULT, then the CPU of each process during the run
  local name=$1 seconds=$2 connections=$3 script=$4 url=$5
  shift 5
  local up0 kafka0 redis0 all0 idle0 up1 kafka1 redis1 all1 idle1 hz
  hz=$(getconf CLK_TCK)
  up0=$(pid_ticks "$UP_PID"); kafka0=$(pid_ticks "$KAFKA_PID"); redis0=$(pid_ticks "$REDIS_PID"); read -r all0 idle0 <<< "$(busy_idle)"
  local children0 children1 me=$BASHPID
  children0=$(awk '{print $16 + $17}' "/proc/$me/stat") # CPU of this shell's finished children: wrk's, after it
  wrk -t"$THREADS" -c"$connections" -d"${seconds}s" --timeout 10s --latency -s "$script" "$url" -- "$@" \
    > "$WORK/wrk-$name.txt" 2>&1
  children1=$(awk '{print $16 + $17}' "/proc/$me/stat")
  up1=$(pid_ticks "$UP_PID"); kafka1=$(pid_ticks "$KAFKA_PID"); redis1=$(pid_ticks "$REDIS_PID"); read -r all1 idle1 <<< "$(busy_idle)"
  local wrk_cpu=$(( (children1 - children0) * 100 / (hz * seconds) ))
  echo "$(grep '^RESULT' "$WORK/wrk-$name.txt" | sed 's/^RESULT //')" \
    "cpu=up(edge+job):$(( (up1 - up0) * 100 / (hz * seconds) ))%,kafka:$(( (kafka1 - kafka0) * 100 / (hz * seconds) ))%,redis:$(( (redis1 - redis0) * 100 / (hz * seconds) ))%,wrk:${wrk_cpu}%,machine_busy:$(( 100 * ((all1 - all0) - (idle1 - idle0)) / (all1 - all0) ))%"
}
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<< "$2"; }
row() { # label result events-per-request
  printf '%-40s %10s %12s %8s %8s %7s  %s\n' "$1" "$(field rps "$2")" "$(( $(field rps "$2") * $3 ))" \
    "$(field p50_ms "$2")" "$(field p99_ms "$2")" "$(( $(field non2xx "$2") + $(field socket_errors "$2") ))" "$(field cpu "$2")"
}

echo "bench edge: ready after ${ready_s} s; cold: single events, 64 connections, the first 15 s ..."
COLD=$(run cold 15 64 bench/edge-single.lua "$URL/api/v1/track")
# Each measured run follows a warm-up of the same load: the JIT recompiles for what the edge and the job do now
# (a batch run straight after single events measured 20-25 % below one after batches: BENCHMARKS.md, "Why each run
# has a warm-up of its own").
warm_run() { # name connections script url [args]: a warm-up of that load, then the measured run (its RESULT)
  local name=$1
  shift
  echo "bench edge: $name: ${WARMUP} s warm-up, then ${SECONDS_PER_RUN} s ..." >&2
  run "warmup-$name" "$WARMUP" "$@" > /dev/null
  run "$name" "$SECONDS_PER_RUN" "$@"
}
S64=$(warm_run single-64 64 bench/edge-single.lua "$URL/api/v1/track")
S512=$(warm_run single-512 512 bench/edge-single.lua "$URL/api/v1/track")
B32=$(warm_run batch-32 32 bench/edge-batch.lua "$URL/api/v1/track/batch" "$BATCH")
HEAP=$(heap_mib)
METRICS=$(curl -fs "$ADMIN/metrics" || true)

cores=$(nproc)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
echo
echo "== Edge benchmark inside ./pageviews up ($cores cores, $mem; edge + Flink job, Kafka, Redis and wrk -t$THREADS on this machine) =="
echo "ready (readyz 200) ${ready_s} s after ./pageviews up started (fresh data dir); a view sent then was counted in Redis at ${counted_s} s"
echo "class-data sharing for up's JVM: $CDS_STATE; the edge's transport: $(sed -n 's/.*Edge listening on [^ ]* (\([a-z_]*\)).*/\1/p' "$WORK/up.log" | head -1)"
printf '%-40s %10s %12s %8s %8s %7s  %s\n' "run" "requests/s" "events/s" "p50 ms" "p99 ms" "errors" "CPU (100% = one core)"
row "single, 64 conns, first 15 s (cold)" "$COLD" 1
row "single, 64 conns (warm)" "$S64" 1
row "single, 512 conns (warm)" "$S512" 1
row "batch of $BATCH, 32 conns (warm)" "$B32" "$BATCH"
echo "heap of up's JVM after the runs (edge and Flink job share it): ${HEAP} MiB"
echo "edge: $(grep -E '^edge_events_produced_total|^edge_events_rejected_total' <<< "$METRICS" | tr '\n' ' ')"
echo "(errors = non-2xx responses + socket errors; wrk output in $WORK/wrk-*.txt)"
