package dev.pageviews.job;

import dev.pageviews.job.redis.RedisSinkSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.flink.util.TimeUtils;

/**
 * Every setting of the job, in one place: its flag, its environment variable, its default and its doc.
 * Flags win over environment variables ({@code --kafka-bootstrap} ↔ {@code PAGEVIEWS_KAFKA_BOOTSTRAP}),
 * which win over defaults. Values are checked here, once, so a bad setting fails at submission with a
 * message naming the flag, not later inside a running job.
 */
public final class JobConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    public enum Delivery { EXACTLY_ONCE, AT_LEAST_ONCE }

    public enum StateBackend { HASHMAP, ROCKSDB }

    public enum StartingOffsets { COMMITTED_OR_EARLIEST, EARLIEST, LATEST }

    public enum ArchiveFormat { JSON, PARQUET }

    /** One setting. */
    public record Option(String flag, String defaultValue, String doc, Consumer<String> check) {
        public String env() {
            return "PAGEVIEWS_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
        }
    }

    public static final String KAFKA_BOOTSTRAP = "kafka-bootstrap";
    public static final String TOPIC = "topic";
    public static final String DLQ_TOPIC = "dlq-topic";
    public static final String GROUP_ID = "group-id";
    public static final String STARTING_OFFSETS = "starting-offsets";
    public static final String REDIS = "redis";
    public static final String REDIS_KEY = "redis-key";
    public static final String WINDOW = "window";
    public static final String OUT_OF_ORDERNESS = "out-of-orderness";
    public static final String IDLE_TIMEOUT = "idle-timeout";
    public static final String MAX_FUTURE_SKEW = "max-future-skew";
    public static final String WATERMARK_INTERVAL = "watermark-interval";
    public static final String DEDUP_WINDOW = "dedup-window";
    /** Remembered ids end at whole seconds counted in an int (from 2020), so the window has an upper bound. */
    private static final Duration MAX_DEDUP_WINDOW = Duration.ofDays(3650);
    public static final String CHECKPOINT_INTERVAL = "checkpoint-interval";
    public static final String CHECKPOINT_DIR = "checkpoint-dir";
    public static final String SAVEPOINT_DIR = "savepoint-dir";
    public static final String STATE_BACKEND = "state-backend";
    public static final String DELIVERY = "delivery";
    public static final String PARALLELISM = "parallelism";
    public static final String COMMIT_MARKER_TTL = "commit-marker-ttl";
    public static final String STALE_COMMITS = "stale-commits";
    public static final String REDIS_TIMEOUT = "redis-timeout";
    public static final String ARCHIVE_PATH = "archive-path";
    public static final String ARCHIVE_FORMAT = "archive-format";
    public static final String ARCHIVE_ROLL_INTERVAL = "archive-roll-interval";
    public static final String ARCHIVE_MAX_PART_SIZE_MB = "archive-max-part-size-mb";
    public static final String ARCHIVE_JSON_GZIP = "archive-json-gzip";


    public static final List<Option> OPTIONS = List.of(
            new Option(KAFKA_BOOTSTRAP, "localhost:9092", "Kafka bootstrap servers (host:port,...).", JobConfig::nonEmpty),
            new Option(TOPIC, "views", "Kafka topic the page views are read from.", JobConfig::nonEmpty),
            new Option(DLQ_TOPIC, "views-dlq",
                    "Kafka topic for records that are not valid page views (original bytes; reason in headers).", JobConfig::nonEmpty),
            new Option(GROUP_ID, "pageviews-job",
                    "Kafka consumer group; offsets are committed to it on each checkpoint (for monitoring lag).", JobConfig::nonEmpty),
            new Option(STARTING_OFFSETS, "committed-or-earliest",
                    "Where a job without state starts reading: committed-or-earliest, earliest or latest. "
                            + "A job restored from a checkpoint or savepoint always continues from its own offsets.",
                    v -> enumValue(StartingOffsets.class, v)),
            new Option(REDIS, "redis://localhost:6379",
                    "Redis to count into: redis://[:password@]host:port[/db] or rediss://... for TLS; "
                            + "redis-cluster://host:port,host:port for Redis Cluster.", RedisUri::parse),
            new Option(REDIS_KEY, "page_views", "Redis hash holding the counts: HGET <key> <page_url>.", JobConfig::nonEmpty),
            new Option(WINDOW, "1s", "Size of the tumbling event-time windows that pre-aggregate counts per page.",
                    JobConfig::positiveDuration),
            new Option(OUT_OF_ORDERNESS, "2s",
                    "How far behind the newest event an event may arrive and still fall in its window; "
                            + "later events are counted too, as late increments.", JobConfig::duration),
            new Option(IDLE_TIMEOUT, "1s",
                    "After this long without events on a Kafka partition, its event time catches up with the clock "
                            + "(minus --out-of-orderness), so the last windows close when traffic stops and a partition "
                            + "that only had old views does not hold back the live ones.", JobConfig::positiveDuration),
            new Option(MAX_FUTURE_SKEW, "5m",
                    "A view is never counted later than its Kafka record's time; one stamped more than this after it "
                            + "(or after the clock) means a wrong clock: metric eventsFutureClamped and a log line. The "
                            + "watermark never passes the clock by more than this.", JobConfig::positiveDuration),
            new Option(DEDUP_WINDOW, "24h",
                    "A view carrying a client's event_id is counted once per id within this window: copies are dropped "
                            + "(metric duplicates) until this long after the first was counted, by the clock; later ones count "
                            + "again. 0 turns deduplication off. Costs state per remembered id: see the README for sizing.",
                    JobConfig::dedupWindow),
            new Option(WATERMARK_INTERVAL, "200ms",
                    "How often sources emit watermarks: how soon after a window ends it can fire.", JobConfig::positiveDuration),
            new Option(CHECKPOINT_INTERVAL, "2s",
                    "Checkpoint interval when the cluster sets no execution.checkpointing.interval. In exactly-once "
                            + "delivery, counts reach Redis when a checkpoint completes.",
                    JobConfig::positiveDuration),
            new Option(CHECKPOINT_DIR, "",
                    "Where checkpoints are kept (file://, s3://; retained on cancellation) when the cluster sets no "
                            + "execution.checkpointing.dir. The job does not start without one of the two.", v -> { }),
            new Option(SAVEPOINT_DIR, "", "Default savepoint directory (file://, s3://) when the cluster sets no "
                    + "execution.checkpointing.savepoint-dir; empty for none.", v -> { }),
            new Option(STATE_BACKEND, "hashmap", "State backend when the cluster sets no state.backend.type: hashmap (heap) "
                    + "or rocksdb (large state, incremental checkpoints).",
                    v -> enumValue(StateBackend.class, v)),
            new Option(DELIVERY, "exactly-once",
                    "exactly-once: counts are applied to Redis once per completed checkpoint, idempotently. "
                            + "at-least-once: counts are flushed on every window firing (lowest latency); "
                            + "after a failure some may be applied twice.", v -> enumValue(Delivery.class, v)),
            new Option(PARALLELISM, "0", "Job parallelism; 0 keeps the cluster's default.", JobConfig::nonNegativeInt),
            new Option(COMMIT_MARKER_TTL, "7d",
                    "How long Redis remembers an applied commit, so it is not applied again after a recovery. "
                            + "Must exceed the longest time a job may stay down before it is restored.", JobConfig::positiveDuration),
            new Option(STALE_COMMITS, "fail",
                    "What a restored commit older than --commit-marker-ttl does (Redis may have forgotten that it was "
                            + "applied): fail (the job stops and says so), skip (right for the savepoint of a stop) "
                            + "or apply (right for the last checkpoint of a crash).", v -> enumValue(RedisSinkSettings.StaleCommits.class, v)),
            new Option(REDIS_TIMEOUT, "5s", "Redis connect and read timeout.", JobConfig::positiveDuration),
            new Option(ARCHIVE_PATH, "", "Archive raw events under this path (s3://bucket/prefix or file:///dir); empty for off.",
                    v -> { }),
            new Option(ARCHIVE_FORMAT, "json",
                    "Archive formats, comma-separated: json (newline-delimited), parquet; each under its own format=... folder.",
                    JobConfig::archiveFormats),
            new Option(ARCHIVE_ROLL_INTERVAL, "5m",
                    "A plain JSON part file is finished after this long (or this long without events); it becomes visible "
                            + "at the next completed checkpoint. Gzip JSON and Parquet part files finish at every checkpoint.",
                    JobConfig::positiveDuration),
            new Option(ARCHIVE_MAX_PART_SIZE_MB, "128", "A part file (any format) is finished at this size (MiB).",
                    JobConfig::positiveInt),
            new Option(ARCHIVE_JSON_GZIP, "false",
                    "Gzip the JSON part files (.json.gz); they then finish at every checkpoint.", JobConfig::bool));

    private final Map<String, String> values;

    private JobConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static JobConfig parse(String[] args) {
        return parse(args, System.getenv());
    }

    /** Reads flags ({@code --flag value} or {@code --flag=value}) over environment variables over defaults. */
    public static JobConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Option option : OPTIONS) {
            values.put(option.flag(), env.getOrDefault(option.env(), option.defaultValue()));
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "': settings are given as --flag value; see --help");
            }
            String flag = arg.substring(2);
            String value;
            int eq = flag.indexOf('=');
            if (eq >= 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + flag + " needs a value; see --help");
            }
            if (option(flag) == null) {
                throw new IllegalArgumentException("unknown flag --" + flag + "; see --help for the settings");
            }
            values.put(flag, value);
        }
        return new JobConfig(checked(values));
    }

    /** A copy with one setting changed (validated like a flag). */
    public JobConfig with(String flag, String value) {
        if (option(flag) == null) {
            throw new IllegalArgumentException("unknown flag --" + flag);
        }
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.put(flag, value);
        return new JobConfig(checked(copy));
    }

    /** The settings as job arguments, e.g. for submitting the same job elsewhere. */
    public String[] toArgs() {
        List<String> args = new ArrayList<>();
        values.forEach((k, v) -> {
            args.add("--" + k);
            args.add(v);
        });
        return args.toArray(String[]::new);
    }

    public static String help() {
        StringBuilder text = new StringBuilder("pageviews flink-job settings (flag, environment variable, default):\n");
        for (Option o : OPTIONS) {
            text.append(String.format("  --%-20s %-32s default: %s%n      %s%n", o.flag(), o.env(),
                    o.defaultValue().isEmpty() ? "(none)" : o.defaultValue(), o.doc()));
        }
        return text.toString();
    }

    public String get(String flag) {
        return values.get(flag);
    }

    public String kafkaBootstrap() { return get(KAFKA_BOOTSTRAP); }
    public String topic() { return get(TOPIC); }
    public String dlqTopic() { return get(DLQ_TOPIC); }
    public String groupId() { return get(GROUP_ID); }
    public StartingOffsets startingOffsets() { return enumValue(StartingOffsets.class, get(STARTING_OFFSETS)); }
    public RedisUri redis() { return RedisUri.parse(get(REDIS)); }
    public String redisKey() { return get(REDIS_KEY); }
    public Duration window() { return duration(get(WINDOW)); }
    public Duration outOfOrderness() { return duration(get(OUT_OF_ORDERNESS)); }
    public Duration idleTimeout() { return duration(get(IDLE_TIMEOUT)); }
    public Duration maxFutureSkew() { return duration(get(MAX_FUTURE_SKEW)); }
    public Duration watermarkInterval() { return duration(get(WATERMARK_INTERVAL)); }
    public Duration dedupWindow() { return duration(get(DEDUP_WINDOW)); }
    public Duration checkpointInterval() { return duration(get(CHECKPOINT_INTERVAL)); }
    public String checkpointDir() { return get(CHECKPOINT_DIR); }
    public String savepointDir() { return get(SAVEPOINT_DIR); }
    public StateBackend stateBackend() { return enumValue(StateBackend.class, get(STATE_BACKEND)); }
    public Delivery delivery() { return enumValue(Delivery.class, get(DELIVERY)); }
    public int parallelism() { return Integer.parseInt(get(PARALLELISM)); }
    public Duration commitMarkerTtl() { return duration(get(COMMIT_MARKER_TTL)); }
    public RedisSinkSettings.StaleCommits staleCommits() { return enumValue(RedisSinkSettings.StaleCommits.class, get(STALE_COMMITS)); }
    public Duration redisTimeout() { return duration(get(REDIS_TIMEOUT)); }
    public String archivePath() { return get(ARCHIVE_PATH); }
    public Set<ArchiveFormat> archiveFormats() { return archiveFormats(get(ARCHIVE_FORMAT)); }
    public Duration archiveRollInterval() { return duration(get(ARCHIVE_ROLL_INTERVAL)); }
    public int archiveMaxPartSizeMb() { return Integer.parseInt(get(ARCHIVE_MAX_PART_SIZE_MB)); }
    public boolean archiveJsonGzip() { return Boolean.parseBoolean(get(ARCHIVE_JSON_GZIP)); }

    /** Every setting by flag, secrets masked: what the logs and the Flink web UI (global job parameters) show. */
    public Map<String, String> shown() {
        Map<String, String> shown = new LinkedHashMap<>();
        values.forEach((flag, value) -> shown.put(flag, value.replaceAll("(redis[^,]*://)[^@,]*@", "$1***@"))); // no Redis password
        return shown;
    }

    @Override
    public String toString() {
        return shown().toString();
    }

    private static Map<String, String> checked(Map<String, String> values) {
        for (Option option : OPTIONS) {
            String value = values.get(option.flag());
            try {
                option.check().accept(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + option.flag() + " (" + option.env() + "): " + e.getMessage(), e);
            }
        }
        return values;
    }

    private static Option option(String flag) {
        return OPTIONS.stream().filter(o -> o.flag().equals(flag)).findFirst().orElse(null);
    }

    /**
     * Parses a duration in Flink's syntax ({@link TimeUtils#parseDuration}: {@code 500ms}, {@code 2s}, {@code 30 s},
     * {@code 5m} or {@code 10min}, {@code 1h}, {@code 7d}; a bare number is milliseconds, {@code 0} is zero).
     */
    public static Duration duration(String value) {
        try {
            return TimeUtils.parseDuration(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + value + "' is not a duration; write e.g. 500ms, 2s, 10min, 1h or 7d");
        }
    }

    private static void positiveDuration(String value) {
        if (value.trim().startsWith("-")) {
            throw new IllegalArgumentException("'" + value + "' is negative; it must be longer than 0, e.g. 500ms, 2s or 5m");
        }
        if (duration(value).isZero()) {
            throw new IllegalArgumentException("must be longer than 0");
        }
    }

    private static void nonNegativeDuration(String value) {
        if (value.trim().startsWith("-")) {
            throw new IllegalArgumentException("'" + value + "' is negative; write 0 for off or a duration such as 24h");
        }
        duration(value);
    }

    private static void dedupWindow(String value) {
        nonNegativeDuration(value);
        if (duration(value).compareTo(MAX_DEDUP_WINDOW) > 0) {
            throw new IllegalArgumentException("'" + value + "' is too long; it may be at most 3650d (ten years)");
        }
    }

    private static void nonEmpty(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
    }

    private static void nonNegativeInt(String value) {
        try {
            if (Integer.parseInt(value) >= 0) {
                return;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("'" + value + "' is not a whole number >= 0");
    }

    private static void positiveInt(String value) {
        nonNegativeInt(value);
        if (Integer.parseInt(value) == 0) {
            throw new IllegalArgumentException("must be at least 1");
        }
    }

    private static void bool(String value) {
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException("'" + value + "' is not true or false");
        }
    }

    static <E extends Enum<E>> E enumValue(Class<E> type, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            for (E constant : type.getEnumConstants()) {
                names.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new IllegalArgumentException("'" + value + "' is not one of " + String.join(", ", names));
        }
    }

    private static Set<ArchiveFormat> archiveFormats(String value) {
        Set<ArchiveFormat> formats = new LinkedHashSet<>();
        for (String part : value.split(",")) {
            formats.add(enumValue(ArchiveFormat.class, part));
        }
        return formats;
    }
}
