package dev.flinkwatch.pipeline;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.flinkwatch.model.ValidationLimits;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Typed options of the monitor pipeline, with defaults. Set them in the Flink configuration, as env
 * ({@code FLINKWATCH_KAFKA_BOOTSTRAP_SERVERS}) or as flags ({@code
 * --flinkwatch.kafka.bootstrap-servers=...}); see {@link dev.flinkwatch.flink.ConfigLoader}. Fetch
 * options are in {@link dev.flinkwatch.fetch.FetchOptions}; Flink's own options (checkpoint
 * interval, state backend, restart strategy) apply as usual.
 */
public final class PipelineOptions {
    private static final String PREFIX = "flinkwatch.";

    private PipelineOptions() {}

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS =
            key(PREFIX + "kafka.bootstrap-servers")
                    .stringType()
                    .defaultValue("localhost:9092")
                    .withDescription("Kafka bootstrap servers.");

    public static final ConfigOption<String> TOPIC_MONITORS =
            key(PREFIX + "kafka.topic.monitors")
                    .stringType()
                    .defaultValue("monitors")
                    .withDescription("Compacted topic of monitor events (key = monitor id).");

    public static final ConfigOption<String> TOPIC_ALERTS =
            key(PREFIX + "kafka.topic.alerts")
                    .stringType()
                    .defaultValue("alerts")
                    .withDescription("Topic the alerts are written to, exactly once.");

    public static final ConfigOption<String> TOPIC_CHECK_RESULTS =
            key(PREFIX + "kafka.topic.check-results")
                    .stringType()
                    .defaultValue("check-results")
                    .withDescription("Topic every check result is written to (at least once).");

    public static final ConfigOption<String> KAFKA_GROUP_ID =
            key(PREFIX + "kafka.group-id")
                    .stringType()
                    .defaultValue("monitor-pipeline")
                    .withDescription(
                            "Consumer group of the monitors source (offsets live in checkpoints).");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            key(PREFIX + "kafka.transactional-id-prefix")
                    .stringType()
                    .defaultValue("monitor-pipeline-alerts")
                    .withDescription(
                            "Transactional id prefix of the exactly-once alerts sink; unique per job"
                                    + " on a cluster.");

    public static final ConfigOption<String> JDBC_URL =
            key(PREFIX + "jdbc.url")
                    .stringType()
                    .defaultValue("jdbc:postgresql://localhost:5432/flinkwatch")
                    .withDescription("PostgreSQL JDBC URL for alerts, check runs and statuses.");

    public static final ConfigOption<String> JDBC_USER =
            key(PREFIX + "jdbc.user")
                    .stringType()
                    .defaultValue("flinkwatch")
                    .withDescription("PostgreSQL user.");

    public static final ConfigOption<String> JDBC_PASSWORD =
            key(PREFIX + "jdbc.password")
                    .stringType()
                    .defaultValue("")
                    .withDescription("PostgreSQL password.");

    public static final ConfigOption<Integer> JDBC_BATCH_SIZE =
            key(PREFIX + "jdbc.batch-size")
                    .intType()
                    .defaultValue(500)
                    .withDescription("Rows per JDBC batch.");

    public static final ConfigOption<Duration> JDBC_BATCH_INTERVAL =
            key(PREFIX + "jdbc.batch-interval")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription("Longest time a row waits for its JDBC batch.");

    public static final ConfigOption<Integer> JDBC_MAX_RETRIES =
            key(PREFIX + "jdbc.max-retries")
                    .intType()
                    .defaultValue(5)
                    .withDescription(
                            "Retries of a PostgreSQL write while the database is unavailable"
                                    + " (connection lost, serialization failure, shutdown), then"
                                    + " the job fails and restarts. Rows PostgreSQL refuses (data"
                                    + " exceptions, constraints) are not retried: they go to"
                                    + " dead_letters.");

    public static final ConfigOption<Duration> JDBC_RETRY_BACKOFF =
            key(PREFIX + "jdbc.retry-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMillis(500))
                    .withDescription(
                            "Wait before the first retry of a PostgreSQL write, doubled for each"
                                    + " further one (at most 30 s).");

    public static final ConfigOption<Integer> KAFKA_MAX_RECORD_BYTES =
            key(PREFIX + "kafka.max-record-bytes")
                    .intType()
                    .defaultValue(1_000_000)
                    .withDescription(
                            "Largest key + value the pipeline writes to Kafka; a larger alert or"
                                    + " check result is written without its diff and excerpt."
                                    + " Keep it below the producer's max.request.size and the"
                                    + " topics' max.message.bytes (1 MiB by default).");

    public static final ConfigOption<Integer> MIN_INTERVAL_SECONDS =
            key(PREFIX + "schedule.min-interval-seconds")
                    .intType()
                    .defaultValue(ValidationLimits.DEFAULT_MIN_INTERVAL_SECONDS)
                    .withDescription("Interval floor; specs below it are rejected.");

    public static final ConfigOption<Duration> OVERDUE_THRESHOLD =
            key(PREFIX + "schedule.overdue-threshold")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "A timer firing later than this (after downtime) is not checked at"
                                    + " once: overdue monitors are spread over the catch-up"
                                    + " window instead.");

    public static final ConfigOption<Duration> CATCH_UP_WINDOW =
            key(PREFIX + "schedule.catch-up-window")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(5))
                    .withDescription(
                            "After downtime every overdue check runs within this window (never"
                                    + " more than the monitor's interval), spread evenly by a"
                                    + " stable per-monitor jitter.");

    public static final ConfigOption<Duration> FIRST_CHECK_SPREAD =
            key(PREFIX + "schedule.first-check-spread")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "A new or resumed monitor is first checked within this time (spread"
                                    + " by a stable per-monitor jitter), so its baseline and first"
                                    + " result appear within seconds.");

    public static final ConfigOption<Integer> MAX_PARALLELISM =
            key(PREFIX + "max-parallelism")
                    .intType()
                    .defaultValue(4096)
                    .withDescription(
                            "The job's max parallelism (number of key groups), frozen into every"
                                    + " savepoint: the job can never scale beyond it. More key"
                                    + " groups cost a little per checkpoint and per timer service;"
                                    + " 4096 lets a 100M-monitor deployment grow to 4096 slots. A"
                                    + " job restored from a savepoint must keep the value it was"
                                    + " started with (0.1 jobs ran with Flink's default, 128).");

    public static final ConfigOption<Integer> FETCH_CAPACITY =
            key(PREFIX + "fetch.async-capacity")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Fetches in flight per subtask.");

    public static final ConfigOption<MemorySize> CONDITIONAL_GET_MEMORY =
            key(PREFIX + "fetch.validator-memory-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("64mb"))
                    .withDescription(
                            "Heap per fetch subtask for the ETag/Last-Modified of (monitor, URL)"
                                    + " pairs, about 230 bytes a pair (64mb: about 290k pairs)."
                                    + " Pairs beyond it are admitted by frequency, so a stable"
                                    + " subset keeps its 304s (hit rate about memory / pairs);"
                                    + " for 304s on every page give it the pairs one subtask"
                                    + " sees (sources of all monitors / parallelism) times 230"
                                    + " bytes: 1M pairs (100M monitors, parallelism 100) take"
                                    + " about 232mb.");

    /**
     * The 0.x entry count; read only when {@link #CONDITIONAL_GET_MEMORY} is not set.
     *
     * @deprecated use {@link #CONDITIONAL_GET_MEMORY}
     */
    @Deprecated
    public static final ConfigOption<Integer> CONDITIONAL_GET_ENTRIES =
            key(PREFIX + "fetch.validator-memory")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "Deprecated: use fetch.validator-memory-size. (monitor, URL) pairs per"
                                    + " subtask, converted at 231 bytes a pair.");

    public static final ConfigOption<Integer> MAX_TEXT_CHARS =
            key(PREFIX + "change.max-text-chars")
                    .intType()
                    .defaultValue(64 * 1024)
                    .withDescription("Cap of the normalized text kept per source for diffs.");

    public static final ConfigOption<Integer> MAX_DIFF_CHARS =
            key(PREFIX + "change.max-diff-chars")
                    .intType()
                    .defaultValue(8 * 1024)
                    .withDescription("Cap of a diff in results and alerts.");

    public static final ConfigOption<Integer> MAX_DIFF_LINES =
            key(PREFIX + "change.max-diff-lines")
                    .intType()
                    .defaultValue(500)
                    .withDescription(
                            "Most changed lines per side (after the common first and last lines)"
                                    + " that are diffed line by line; a larger change is reported"
                                    + " with a \"diff too large\" note instead of a diff, since"
                                    + " the diff's cost grows with lines times differences.");

    public static final ConfigOption<Integer> MAX_EXTRACTED_CHARS =
            key(PREFIX + "change.max-extracted-chars")
                    .intType()
                    .defaultValue(256 * 1024)
                    .withDescription(
                            "Cap of the text taken from one page (selected elements or the whole"
                                    + " body) before normalization, ignore patterns and rules;"
                                    + " bounds their cost for any page.");

    public static final ConfigOption<MemorySize> TEMPLATE_MEMORY =
            key(PREFIX + "fetch.template-memory-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("64mb"))
                    .withDescription(
                            "Heap per fetch subtask for page templates: for each monitor's source"
                                    + " where its last parsed page had values no extraction reads"
                                    + " (nonces, tokens, timestamps in attributes and scripts) and"
                                    + " its text, so a page differing only there is not parsed"
                                    + " again. About 500 bytes a source plus twice its text's"
                                    + " length (64mb: about 130k sources with a short selected"
                                    + " text); sources beyond it are admitted by frequency. 0"
                                    + " turns templates off (every page is parsed).");

    public static final ConfigOption<Duration> PATTERN_BUDGET =
            key(PREFIX + "change.pattern-budget")
                    .durationType()
                    .defaultValue(Duration.ofMillis(250))
                    .withDescription(
                            "Time one check's user patterns (selector, ignore patterns, regex"
                                    + " condition) may run together; beyond it the check is an"
                                    + " error PATTERN_BUDGET_EXCEEDED naming the pattern. RE2 is"
                                    + " linear in the text, but an adversarial pattern costs"
                                    + " seconds per MiB, and the change detector's thread serves"
                                    + " every monitor of its subtask.");

    public static final ConfigOption<Duration> STATUS_REFRESH =
            key(PREFIX + "change.status-refresh")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "How often an unchanged monitor's monitor_status row is rewritten;"
                                    + " changes and errors are always written.");

    public static final ConfigOption<Integer> FAILURE_THRESHOLD =
            key(PREFIX + "alert.failure-threshold")
                    .intType()
                    .defaultValue(3)
                    .withDescription("Consecutive failed checks before MONITOR_FAILING.");

    public static final ConfigOption<Duration> ALERT_COOLDOWN =
            key(PREFIX + "alert.cooldown")
                    .durationType()
                    .defaultValue(Duration.ZERO)
                    .withDescription("Minimum time between CONDITION_MET alerts of a monitor.");

    public static final ConfigOption<Integer> LLM_CAPACITY =
            key(PREFIX + "llm.async-capacity")
                    .intType()
                    .defaultValue(100)
                    .withDescription("LLM evaluations in flight per subtask.");

    public static final ConfigOption<Duration> LLM_TIMEOUT =
            key(PREFIX + "llm.async-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(120))
                    .withDescription(
                            "Async operator timeout of one LLM evaluation, retries included.");

    /** Every option above, for {@link dev.flinkwatch.flink.ConfigLoader}. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                KAFKA_BOOTSTRAP_SERVERS,
                TOPIC_MONITORS,
                TOPIC_ALERTS,
                TOPIC_CHECK_RESULTS,
                KAFKA_GROUP_ID,
                TRANSACTIONAL_ID_PREFIX,
                JDBC_URL,
                JDBC_USER,
                JDBC_PASSWORD,
                JDBC_BATCH_SIZE,
                JDBC_BATCH_INTERVAL,
                JDBC_MAX_RETRIES,
                JDBC_RETRY_BACKOFF,
                KAFKA_MAX_RECORD_BYTES,
                MIN_INTERVAL_SECONDS,
                OVERDUE_THRESHOLD,
                CATCH_UP_WINDOW,
                FIRST_CHECK_SPREAD,
                MAX_PARALLELISM,
                FETCH_CAPACITY,
                CONDITIONAL_GET_MEMORY,
                CONDITIONAL_GET_ENTRIES,
                MAX_TEXT_CHARS,
                MAX_DIFF_CHARS,
                MAX_DIFF_LINES,
                MAX_EXTRACTED_CHARS,
                TEMPLATE_MEMORY,
                PATTERN_BUDGET,
                STATUS_REFRESH,
                FAILURE_THRESHOLD,
                ALERT_COOLDOWN,
                LLM_CAPACITY,
                LLM_TIMEOUT);
    }
}
