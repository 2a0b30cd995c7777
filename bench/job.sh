#!/usr/bin/env bash
# ./pageviews bench job [events=N] [users=N] [pages=N] [only=drain|archive|dedup|freshness|fresh-alo|fresh-eo|keys|stats|stats-parts] [-- job flags]
# Real Kafka + Redis (local-stack) and the real job in a local Flink cluster; prints drain rates,
# Redis commands per view, drain rates with the archive off and on (JSON, Parquet, both), drain
# rates with dedup of client event ids on and off plus the dedup state per id (hashmap, RocksDB),
# and produce-to-visible freshness. Takes about 17 minutes with the defaults (only=dedup: about 5).
# only=keys (not in the default run): CPU per view with page URLs and event ids chosen to collide
# in hash structures against random ones, and Redis's Lua interning of colliding script arguments.
# only=stats: drain rates with the read side's writes (--stats) on and off; users=N spreads the views over N users
# (default 1,000,000), pages=N the pages the drains' Zipf draws from (default 100,000).
# only=stats-parts (not in the default run): the same drain with --stats false, plus the shuffle by user, plus the
# first-visits stage, and with --stats true: what each part of the read side costs.
# ./pageviews bench job builds the project first when needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
MVN=(mvn -B --no-transfer-progress -q)
"${MVN[@]}" dependency:build-classpath -pl flink-job -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cd flink-job
exec java -Xms2g -Xmx4g -XX:+UseG1GC -XX:MaxGCPauseMillis=50 \
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
  -Dlog4j2.configurationFile=src/test/resources/log4j2-test.properties \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.pageviews.job.bench.JobBenchmark "$@"
