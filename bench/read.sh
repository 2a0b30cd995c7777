#!/usr/bin/env bash
# ./pageviews bench read [pages=10000] [days=30] [views-per-day=100000] [clients=1,8,32] [seconds=4] [warmup=10]
# The read service's API latency as users meet it: a real redis-server (local-stack) filled in the job's layout for
# a site of 10,000 pages (Zipf-like views, visitors per day) over 30 days and today, the read service as its own
# process (ReadMain, the container's JVM flags) and HTTP clients at 1, 8 and 32 at once. Prints the fill, the cold
# first request of each query, then per query and clients: requests, req/s, p50, p99, max; every answer must be 200
# with the rows the views make, or the run stops. Takes about 2 minutes.
# READ_BENCH_SERVICE_JVM replaces the service's JVM flags. ./pageviews bench read builds the project first when needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MVN=(mvn -B --no-transfer-progress -q)
"${MVN[@]}" dependency:build-classpath -pl read-service -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cd read-service
exec java -Xms1g -Xmx2g -XX:+UseG1GC \
  -Dlog4j2.configurationFile=src/test/resources/log4j2-test.properties \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.pageviews.read.bench.ReadBenchmark "$@"
