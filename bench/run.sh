#!/usr/bin/env bash
# Runs a benchmark main class in its own JVM with the bench module's classpath, from the
# repository root (results go to bench/results/). Builds what is needed first.
#   bench/run.sh dev.flinkwatch.bench.pipeline.PipelineBenchmark schedule 100000 10 60 hashmap
# Most benchmarks expect the local target site: bench/target-site.sh start (nginx, port 18080).
set -euo pipefail
cd "$(dirname "$0")/.."
main=$1; shift
mvn -B -q -Dstyle.color=never install -DskipTests -pl bench -am >/dev/null
cpfile=$(mktemp)
mvn -B -q -Dstyle.color=never -pl bench dependency:build-classpath -Dmdep.outputFile="$cpfile" \
  -Dmdep.includeScope=runtime >/dev/null
cp=$(cat "$cpfile"); rm -f "$cpfile"
exec java ${BENCH_JAVA_OPTS:--Xmx8g -XX:+UseParallelGC} -cp "bench/target/classes:$cp" "$main" "$@"
