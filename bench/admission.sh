#!/usr/bin/env bash
# ./pageviews bench admission [clients=50000]
# What the edge's admission control costs, in one JVM without network: the per-client rate limit's take (a known
# client, and a new one while the table is full and evicts), its heap per bucket, and the bot check of a
# User-Agent cached and new. Three rounds each; takes about a minute.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MVN=(mvn -B --no-transfer-progress -q)
"${MVN[@]}" -pl edge-ingest test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
CLIENTS=50000
for arg in "$@"; do
  case "$arg" in
    clients=*) CLIENTS=${arg#clients=} ;;
    *) echo "bench admission: unknown argument '$arg' (clients=N)" >&2; exit 2 ;;
  esac
done
cd edge-ingest
exec java -Xms512m -Xmx512m -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.pageviews.edge.admit.AdmissionBenchmark "$CLIENTS"
