# Writes flinkwatch-dashboard.json (run from the repository root: python3 deploy/grafana/generate.py).
# Panels are kept here, not hand-edited in the JSON, so the queries stay in one readable list.
import json
OP="flink_taskmanager_job_task_operator_"
def sel(extra=""):
    return '{job_name="monitor_pipeline"' + (","+extra if extra else "") + '}'
S=sel(); Q99=sel('quantile="0.99"'); Q50=sel('quantile="0.5"'); CHG=sel('outcome="changed"'); MON=sel('operator_name=~"Source:_Monitors.*"')
panels_spec = [
 ("row","Checks"),
 ("Checks per minute (started, finished per outcome)", [
   ("sum(rate("+OP+"scheduler_checksStarted"+S+"[5m])) * 60", "started"),
   ("sum by (outcome) (rate("+OP+"checks_outcome_finished"+S+"[5m])) * 60", "finished {{outcome}}")], "short"),
 ("Schedule lateness (fire time - due time)", [
   ("max("+OP+"scheduler_latenessMs"+Q99+")", "p99"),
   ("max("+OP+"scheduler_latenessMs"+Q50+")", "p50")], "ms"),
 ("Monitors in state", [("sum("+OP+"scheduler_monitors"+S+")", "monitors")], "short"),
 ("Checks skipped or late (per minute)", [
   ("sum(rate("+OP+"checks_skipped"+S+"[5m])) * 60", "skipped (declined by the fetch stage)"),
   ("sum(rate("+OP+"scheduler_checksDeferred"+S+"[5m])) * 60", "late (deferred into the catch-up window)"),
   ("sum(rate("+OP+"pacer_skipped"+S+"[5m])) * 60", "host busy (pacer line full)")], "short"),
 ("Changes detected per minute", [("sum(rate("+OP+"checks_outcome_finished"+CHG+"[5m])) * 60", "changes")], "short"),
 ("Deliveries per outcome and channel (per minute)", [("sum by (outcome, channel_type) (rate(flinkwatch_deliveries_total[5m])) * 60", "{{channel_type}} {{outcome}}")], "short"),
 ("row","Backpressure and checkpoints"),
 ("Backpressured time per task (ms/s)", [("max by (task_name) (flink_taskmanager_job_task_backPressuredTimeMsPerSecond"+S+")", "{{task_name}}")], "ms"),
 ("Busy time per task (ms/s)", [("max by (task_name) (flink_taskmanager_job_task_busyTimeMsPerSecond"+S+")", "{{task_name}}")], "ms"),
 ("Checkpoints", [
   ("flink_jobmanager_job_lastCheckpointDuration"+S, "last duration (ms)"),
   ("increase(flink_jobmanager_job_numberOfFailedCheckpoints"+S+"[15m])", "failed (15 min)")], "short"),
 ("Monitors topic lag (records)", [("sum("+OP+"pendingRecords"+MON+")", "pending")], "short"),
 ("row","Fetch"),
 ("Fetch latency", [
   ("max("+OP+"fetch_latencyMs"+Q99+")", "p99"),
   ("max("+OP+"fetch_latencyMs"+Q50+")", "p50")], "ms"),
 ("Fetches in flight", [("sum("+OP+"fetch_inFlight"+S+")", "in flight")], "short"),
 ("Fetch results per outcome (per minute)", [("sum by (outcome) (rate("+OP+"fetch_outcome_results"+S+"[5m])) * 60", "{{outcome}}")], "short"),
 ("Politeness waits", [
   ("sum(rate("+OP+"pacer_parked"+S+"[5m])) * 60", "parked per minute"),
   ("max("+OP+"pacer_waitMs"+Q99+")", "wait p99 (ms)")], "short"),
 ("row","LLM"),
 ("LLM calls, cache hits, errors (per minute)", [
   ("sum(rate("+OP+"llm_calls"+S+"[5m])) * 60", "calls"),
   ("sum(rate("+OP+"llm_cacheHits"+S+"[5m])) * 60", "cache hits"),
   ("sum(rate("+OP+"llm_errors"+S+"[5m])) * 60", "errors")], "short"),
 ("LLM tokens per minute", [
   ("sum(rate("+OP+"llm_tokensIn"+S+"[5m])) * 60", "in"),
   ("sum(rate("+OP+"llm_tokensOut"+S+"[5m])) * 60", "out")], "short"),
 ("row","Alerts and sinks"),
 ("Alerts per kind (per hour)", [("sum by (kind) (increase("+OP+"alerts_kind_raised"+S+"[1h]))", "{{kind}}")], "short"),
 ("Sink rows written (per second)", [("sum by (operator_name) (rate("+OP+"sink_rowsWritten"+S+"[5m]))", "{{operator_name}}")], "short"),
 ("Sink write failures and dead letters (per hour)", [
   ("sum by (operator_name) (increase("+OP+"sink_writeFailures"+S+"[1h]))", "write failures {{operator_name}}"),
   ("sum by (operator_name) (increase("+OP+"sink_deadLettered"+S+"[1h]))", "dead-lettered {{operator_name}}"),
   ("sum(increase("+OP+"user_sink_droppedRecords"+S+"[1h]))", "Kafka records dropped (too large)")], "short"),
 ("row","Control API"),
 ("API latency p99 per route", [("histogram_quantile(0.99, sum by (le, route) (rate(http_server_requests_seconds_bucket[5m])))", "{{route}}")], "s"),
 ("API requests per second per status", [("sum by (status) (rate(http_server_requests_seconds_count[5m]))", "{{status}}")], "reqps"),
 ("Database pool (HikariCP)", [
   ("sum by (pool) (hikaricp_connections_active)", "active {{pool}}"),
   ("sum by (pool) (hikaricp_connections_pending)", "pending {{pool}}"),
   ("max by (pool) (hikaricp_connections_max)", "max {{pool}}")], "short"),
 ("Outbox backlog and age", [
   ("max(flinkwatch_outbox_backlog)", "backlog (rows)"),
   ("max(flinkwatch_outbox_oldest_age_seconds)", "oldest age (s)")], "short"),
]
DS={"type":"prometheus","uid":"${datasource}"}
panels=[]; pid=1; x=0; y=0
for p in panels_spec:
    if p[0]=="row":
        if x: y+=8; x=0
        panels.append({"id":pid,"type":"row","title":p[1],"collapsed":False,"gridPos":{"h":1,"w":24,"x":0,"y":y},"panels":[]})
        pid+=1; y+=1; continue
    title, targets, unit = p
    panels.append({"id":pid,"type":"timeseries","title":title,"datasource":DS,
      "gridPos":{"h":8,"w":8,"x":x,"y":y},
      "fieldConfig":{"defaults":{"unit":unit},"overrides":[]},
      "options":{"legend":{"displayMode":"list","placement":"bottom"},"tooltip":{"mode":"multi"}},
      "targets":[{"refId":chr(65+i),"expr":e,"legendFormat":l,"datasource":DS} for i,(e,l) in enumerate(targets)]})
    pid+=1; x+=8
    if x>=24: x=0; y+=8
dash={"title":"Flinkwatch platform","uid":"flinkwatch-platform","schemaVersion":39,"version":1,"editable":True,
 "tags":["flinkwatch"],"time":{"from":"now-6h","to":"now"},"refresh":"30s",
 "description":"Is the platform keeping up? Generated by deploy/grafana/generate.py; series names: README, Metrics.",
 "templating":{"list":[{"name":"datasource","type":"datasource","query":"prometheus","label":"Prometheus"}]},
 "panels":panels}
open('deploy/grafana/flinkwatch-dashboard.json','w').write(json.dumps(dash,indent=2)+"\n")
