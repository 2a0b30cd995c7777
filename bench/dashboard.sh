#!/usr/bin/env bash
# ./pageviews bench dashboard [probes=100] [rate=5] [warmup=10]
# On-screen freshness: ./pageviews up with its default settings (a fresh data dir under local-pipeline/target, ports
# of its own), the dashboard in headless Chromium, a background of `rate` views a second, and `probes` probes, each
# one POST of a batch of views of a page of its own. Prints, per probe and over all of them (p50, p99, max): POST
# answered 202 -> the count in Redis, and -> the count on screen (a MutationObserver in the page stamps it). Takes
# about 5 minutes with the defaults. ./pageviews bench dashboard builds the project first when needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if declare -F need_package >/dev/null; then
  need_package chromium chromium
  need_package chromedriver chromium-driver
fi
MVN=(mvn -B --no-transfer-progress -q)
"${MVN[@]}" test-compile -pl local-pipeline
"${MVN[@]}" dependency:build-classpath -pl local-pipeline -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cd local-pipeline
exec java -Xmx512m \
  -Dlog4j2.configurationFile=src/test/resources/log4j2-test.properties \
  -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  dev.pageviews.local.DashboardFreshness "$@"
