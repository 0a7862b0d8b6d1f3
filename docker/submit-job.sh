#!/usr/bin/env bash
# One-shot job submission for docker-compose: submits the monitor pipeline unless it already runs,
# resuming from the newest savepoint (if any) so a re-run of `docker compose up` never starts the
# job from scratch or twice. Job options come from FLINKWATCH_* in the environment.
set -euo pipefail
JM="${FLINK_JOBMANAGER:-jobmanager:8081}"
if /opt/flink/bin/flink list -r -m "$JM" 2>/dev/null | grep -q ': monitor-pipeline (RUNNING)'; then
  echo "monitor-pipeline is already running"
  exit 0
fi
args=(run -d -m "$JM" -p "${PIPELINE_PARALLELISM:-2}")
latest=$(ls -1dt /flink-data/savepoints/savepoint-* 2>/dev/null | head -1 || true)
if [[ -n "$latest" ]]; then
  echo "resuming from $latest"
  args+=(-s "$latest")
fi
exec /opt/flink/bin/flink "${args[@]}" /opt/flink/usrlib/monitor-pipeline.jar
