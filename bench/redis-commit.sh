#!/usr/bin/env bash
# ./pageviews bench redis-commit [pages=200] [commits=3000]
# One commit (the job's commit script for one checkpoint's increments) against a real redis-server with an
# append-only file fsynced always and one replica: commits/s and latency without WAIT and with WAIT 1. Two rounds,
# alternated. Takes under a minute.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MVN=(mvn -B --no-transfer-progress -q)
"${MVN[@]}" dependency:build-classpath -pl flink-job -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cd flink-job
exec java -Xms256m -Xmx1g \
  -Dlog4j2.configurationFile=src/test/resources/log4j2-test.properties \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.pageviews.job.redis.RedisCommitBenchmark "$@"
