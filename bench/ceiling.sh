#!/usr/bin/env bash
# ./pageviews bench ceiling: what this machine gives any HTTP server under bench edge's load, with wrk on the same
# cores. nginx answers every request with a constant 202 and does nothing else (no Kafka, no job); wrk sends the
# same requests as bench edge (its Lua scripts, the same connections, keep-alive, no pipelining). The figures are an
# upper bound for the edge inside ./pageviews up, and show how much of the machine wrk itself takes per request.
#
# Settings (environment):
#   CEILING_SECONDS (10)  length of each run       CEILING_WARMUP (10) warm-up before the first run of each load
#   CEILING_RUNS (3)      runs of each load         CEILING_PORT (18090) nginx's port
#   EDGE_BENCH_BATCH (100), EDGE_BENCH_THREADS (2): as in bench edge
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECONDS_PER_RUN=${CEILING_SECONDS:-10}
WARMUP=${CEILING_WARMUP:-10}
RUNS=${CEILING_RUNS:-3}
PORT=${CEILING_PORT:-18090}
BATCH=${EDGE_BENCH_BATCH:-100}
THREADS=${EDGE_BENCH_THREADS:-2}
WORK=$PWD/local-pipeline/target/bench-ceiling
URL=http://127.0.0.1:$PORT

declare -F need_package > /dev/null || { echo "run it as ./pageviews bench $(basename "$0" .sh)" >&2; exit 2; }
need_package wrk wrk
need_package nginx nginx-light
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null; then
  echo "bench ceiling: port $PORT is in use; set CEILING_PORT" >&2
  exit 1
fi

rm -rf "$WORK" && mkdir -p "$WORK"
# As many workers as cores (nginx's own advice); keep-alive connections are never closed by the server during a run.
cat > "$WORK/nginx.conf" << EOF
worker_processes $(nproc);
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000000;
  keepalive_timeout 300s;
  client_body_temp_path $WORK/body;
  proxy_temp_path $WORK/proxy;
  server {
    listen 127.0.0.1:$PORT backlog=4096;
    location / { default_type application/json; return 202 '{"accepted":1}\n'; }
  }
}
EOF
stop_nginx() {
  if [ -f "$WORK/nginx.pid" ]; then
    "$NGINX" -c "$WORK/nginx.conf" -e "$WORK/error.log" -s stop 2> /dev/null || kill "$(cat "$WORK/nginx.pid")" 2> /dev/null || true
  fi
}
trap stop_nginx EXIT
trap 'exit 130' INT TERM
"$NGINX" -c "$WORK/nginx.conf" -e "$WORK/error.log"
until curl -fs -o /dev/null "$URL/"; do sleep 0.1; done

nginx_ticks() { # CPU ticks of the master and all workers
  local t=0 pid
  for pid in $(cat "$WORK/nginx.pid") $(pgrep -P "$(cat "$WORK/nginx.pid")"); do
    t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat")))
  done
  echo "$t"
}
busy_idle() { awk '/^cpu / {print $2 + $3 + $4 + $5 + $7 + $8, $5}' /proc/stat; }
run() { # name connections script url [args]: wrk's RESULT and the CPU of nginx, wrk and the machine
  local name=$1 connections=$2 script=$3 url=$4
  shift 4
  local hz n0 n1 all0 idle0 all1 idle1 c0 c1 me=$BASHPID
  hz=$(getconf CLK_TCK)
  n0=$(nginx_ticks); read -r all0 idle0 <<< "$(busy_idle)"; c0=$(awk '{print $16 + $17}' "/proc/$me/stat")
  wrk -t"$THREADS" -c"$connections" -d"${SECONDS_PER_RUN}s" --timeout 10s --latency -s "$script" "$url" -- "$@" \
    > "$WORK/wrk-$name.txt" 2>&1
  c1=$(awk '{print $16 + $17}' "/proc/$me/stat"); n1=$(nginx_ticks); read -r all1 idle1 <<< "$(busy_idle)"
  echo "$(grep '^RESULT' "$WORK/wrk-$name.txt" | sed 's/^RESULT //')" \
    "cpu=nginx:$(( (n1 - n0) * 100 / (hz * SECONDS_PER_RUN) ))%,wrk:$(( (c1 - c0) * 100 / (hz * SECONDS_PER_RUN) ))%,machine_busy:$(( 100 * ((all1 - all0) - (idle1 - idle0)) / (all1 - all0) ))%"
}
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<< "$2"; }
row() { # label result events-per-request
  printf '%-34s %10s %12s %8s %8s %7s  %s\n' "$1" "$(field rps "$2")" "$(( $(field rps "$2") * $3 ))" \
    "$(field p50_ms "$2")" "$(field p99_ms "$2")" "$(( $(field non2xx "$2") + $(field socket_errors "$2") ))" "$(field cpu "$2")"
}
series() { # label connections events-per-request script path [args]
  local label=$1 connections=$2 per=$3 script=$4 path=$5 i result
  shift 5
  echo "bench ceiling: $label: ${WARMUP} s warm-up, then $RUNS runs of ${SECONDS_PER_RUN} s ..." >&2
  SECONDS_PER_RUN=$WARMUP run "warmup-$connections" "$connections" "$script" "$URL$path" "$@" > /dev/null
  for i in $(seq 1 "$RUNS"); do
    result=$(run "$connections-$i" "$connections" "$script" "$URL$path" "$@")
    row "$label, run $i" "$result" "$per" >> "$WORK/table.txt"
  done
}
: > "$WORK/table.txt"
series "single, 64 conns" 64 1 bench/edge-single.lua /api/v1/track
series "single, 512 conns" 512 1 bench/edge-single.lua /api/v1/track
series "batch of $BATCH, 32 conns" 32 "$BATCH" bench/edge-batch.lua /api/v1/track/batch "$BATCH"

echo
echo "== Ceiling: nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///') answering a constant 202, bench edge's requests from wrk -t$THREADS ($(nproc) cores, both on this machine) =="
printf '%-34s %10s %12s %8s %8s %7s  %s\n' "run" "requests/s" "events/s" "p50 ms" "p99 ms" "errors" "CPU (100% = one core)"
cat "$WORK/table.txt"
echo "(no Kafka, no job: an upper bound for bench edge on this machine; wrk output in $WORK/wrk-*.txt)"
