#!/usr/bin/env bash
# Runs a benchmark main class in its own JVM with the bench module's classpath, from the
# repository root (results go to bench/results/). Builds what is needed first.
#   bench/run.sh dev.flinkwatch.bench.pipeline.PipelineBenchmark schedule 100000 10 60 hashmap
# Most benchmarks expect the local target site: bench/target-site.sh start (nginx, port 18080).
set -euo pipefail
cd "$(dirname "$0")/.."
main=$1; shift
# package through the reactor (never install: ~/.m2 stays as the registry served it); each module
# writes its runtime classpath to target/cp.txt, the bench module's is the one used
mvn -B -q -Dstyle.color=never -pl bench -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=runtime >/dev/null
cp=$(cat bench/target/cp.txt)
# BENCH_JAVA_OPTS=-Dprofile=bench/results/profile-x adds a CPU profile of the measured window
exec java ${BENCH_JAVA_OPTS:--Xmx8g -XX:+UseParallelGC} -cp "bench/target/classes:$cp" "$main" "$@"
