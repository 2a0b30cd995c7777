package dev.pageviews.job;

import dev.pageviews.event.PageKeys;
import dev.pageviews.job.archive.ArchiveFormat;
import dev.pageviews.job.redis.RedisSinkSettings;
import dev.pageviews.job.source.LostOffsets;
import dev.pageviews.settings.ClientProperties;
import dev.pageviews.settings.RedisSentinelSettings;
import dev.pageviews.settings.RedisTls;
import dev.pageviews.settings.RedisTlsSettings;
import dev.pageviews.settings.RedisUri;
import dev.pageviews.settings.SentinelCredentials;
import dev.pageviews.settings.Setting;
import dev.pageviews.settings.Settings;
import dev.pageviews.settings.SettingsSchema;
import dev.pageviews.settings.ValueType;
import dev.pageviews.settings.Values;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.util.TimeUtils;

/**
 * Every setting of the job, in one place: its flag, its environment variable, its default and its doc
 * ({@link SettingsSchema}: flags win over {@code PAGEVIEWS_*} variables, which win over defaults). Values are
 * checked here, once, so a bad setting fails at submission with a message naming the flag, not later inside a
 * running job. Durations and sizes are read by Flink's own parsers ({@code TimeUtils}, {@code MemorySize}).
 *
 * <p>Flink classes are touched only when a value is parsed, never when this class loads, so {@code --help} works
 * from the job jar without Flink on the classpath.
 */
public final class JobConfig implements Serializable {

    private static final long serialVersionUID = 2L;

    public enum Delivery { EXACTLY_ONCE, AT_LEAST_ONCE }

    public enum StateBackend { HASHMAP, ROCKSDB }

    public enum StartingOffsets { COMMITTED_OR_EARLIEST, EARLIEST, LATEST }

    public static final SettingsSchema SCHEMA = new SettingsSchema(
            "flink run flink-job-<version>-job.jar", "PAGEVIEWS_",
            "The pageviews Flink job: page views from Kafka, counted per page at each checkpoint into a Redis hash and "
                    + "time buckets, exactly once; raw views archived.");

    private static final Duration TEN_YEARS = Duration.ofDays(3650);

    public static final Setting<String> KAFKA_BOOTSTRAP = SCHEMA.define("kafka-bootstrap").defaultValue("localhost:9092")
            .doc("Kafka bootstrap servers (host:port,...).").of(Values.nonEmptyText());
    public static final Setting<List<String>> KAFKA_PROPERTIES = SCHEMA.define("kafka-properties")
            .doc("Extra Kafka client properties for the source's consumer, the dead-letter producer and the admin "
                    + "clients, e.g. for a Kafka with TLS or SASL: key=value, comma-separated (a comma inside a value as "
                    + "\\,) or the flag repeated, as the edge's --kafka-properties: --kafka-properties "
                    + "security.protocol=SASL_SSL --kafka-properties sasl.mechanism=SCRAM-SHA-512. Secrets through "
                    + "Kafka's config providers, resolved where each client starts (the TaskManagers too): "
                    + "config.providers=env,config.providers.env.class=org.apache.kafka.common.config.provider."
                    + "EnvVarConfigProvider and then ${env:NAME} in a value (or the dir provider for mounted files). "
                    + "Values are masked in logs and the web UI. Those the job sets itself (bootstrap.servers, "
                    + "group.id, client.id, offsets, fetch sizes, serializers, the dead letters' acks) cannot be set.")
            .shownAs(ClientProperties::masked) // values may be secrets
            .of(ClientProperties.type(JobConfig::refusedKafkaProperty));
    public static final Setting<String> TOPIC = SCHEMA.define("topic").defaultValue("views")
            .doc("Kafka topic the page views are read from.").of(Values.nonEmptyText());
    public static final Setting<String> DLQ_TOPIC = SCHEMA.define("dlq-topic").defaultValue("views-dlq")
            .doc("Kafka topic for records that are not valid page views (original bytes; reason in headers).")
            .of(Values.nonEmptyText());
    public static final Setting<String> GROUP_ID = SCHEMA.define("group-id").defaultValue("pageviews-job")
            .doc("Kafka consumer group; offsets are committed to it on each checkpoint (for monitoring lag).")
            .of(Values.nonEmptyText());
    public static final Setting<StartingOffsets> STARTING_OFFSETS = SCHEMA.define("starting-offsets")
            .defaultValue("committed-or-earliest")
            .doc("Where a job without state starts reading. A job restored from a checkpoint or savepoint always "
                    + "continues from its own offsets.")
            .of(Values.oneOf(StartingOffsets.class));
    public static final Setting<LostOffsets> KAFKA_LOST_OFFSETS = SCHEMA.define("kafka-lost-offsets")
            .defaultValue("fail")
            .doc("What the job does when a Kafka offset it is to continue from (from its checkpoint or savepoint, or the "
                    + "group's committed offset) is no longer in its partition. fail: the job fails, naming the partition, "
                    + "the offset and the log's start and end, and restarts until told. earliest: it continues at the log "
                    + "start; an offset before it misses only the records retention (or deleteRecords) already deleted, "
                    + "their number logged; an offset past the log end reads the partition again from its start: exact "
                    + "for a recreated topic, but after a lost tail the views counted before the loss count twice. latest: "
                    + "it continues at the log end, skipping every record still before it (after a lost tail, the views "
                    + "produced since the loss). Logged at ERROR, metric kafkaPartitionsOutOfRange.")
            .of(Values.oneOf(LostOffsets.class));
    public static final Setting<Long> KAFKA_FETCH_MIN_SIZE = SCHEMA.define("kafka-fetch-min-size").defaultValue("64kb")
            .doc("Consumer fetch.min.bytes: the broker answers a fetch once this much is there (or after "
                    + "--kafka-fetch-max-wait). Larger fetches mean fewer requests for the broker to handle.")
            .of(size(1, 64L << 20));
    public static final Setting<Duration> KAFKA_FETCH_MAX_WAIT = SCHEMA.define("kafka-fetch-max-wait").defaultValue("200ms")
            .doc("Consumer fetch.max.wait.ms: how long the broker holds a fetch waiting for --kafka-fetch-min-size; the "
                    + "most it adds to a view's way to Redis when traffic is low.")
            .of(duration(Duration.ZERO, Duration.ofSeconds(30)));
    public static final Setting<String> REDIS = SCHEMA.define("redis").defaultValue("redis://localhost:6379")
            .doc("Redis to count into. One server: redis://[[user]:password@]host:port[/db] (rediss://... for TLS). "
                    + "Redis Cluster: redis-cluster://[[user]:password@]host:port,host:port,... (rediss-cluster://... for "
                    + "TLS; any nodes, the others are discovered). Sentinel: redis-sentinel://[[user]:password@]host:port,"
                    + "host:port,...[/db]#masterName (rediss-sentinel://... for TLS to the sentinels and the data nodes; "
                    + "sentinel port 26379 by default), the primary the sentinels name, followed through failovers. The "
                    + "user and password are the data nodes' (the sentinels' own: --redis-sentinel-user and "
                    + "--redis-sentinel-password), percent-encoded: @ , : / % # as %40 %2C %3A %2F %25 %23.")
            .shownAs(RedisUri::withoutCredentials) // no Redis password in logs or the UI
            .of(Values.checked(Values.nonEmptyText(), RedisUri::parse));
    public static final Setting<String> REDIS_KEY = SCHEMA.define("redis-key").defaultValue("page_views")
            .doc("Redis hash holding the counts: HGET <key> <page_url>.").of(Values.nonEmptyText());
    public static final Setting<Duration> WINDOW = SCHEMA.define("window").defaultValue("1s")
            .doc("Size of the tumbling event-time windows that counted views in builds before per-checkpoint counting; "
                    + "such a build's checkpoint restores them, and they count what they held as the watermark passes. "
                    + "Views are counted per checkpoint, without waiting for windows.")
            .of(duration(Duration.ofMillis(1), Duration.ofDays(1)));
    public static final Setting<Duration> OUT_OF_ORDERNESS = SCHEMA.define("out-of-orderness").defaultValue("2s")
            .doc("How far behind the newest event the watermark trails: the commit record's watermark (up to which "
                    + "time buckets are final) says no earlier view is expected. Later views are counted too, in their own "
                    + "old buckets.")
            .of(duration(Duration.ZERO, Duration.ofDays(1)));
    public static final Setting<Duration> IDLE_TIMEOUT = SCHEMA.define("idle-timeout").defaultValue("1s")
            .doc("After this long without events on a Kafka partition, its event time catches up with the clock "
                    + "(minus --out-of-orderness): the watermark moves on when traffic stops, and a partition that only "
                    + "had old views does not hold back the live ones.")
            .of(duration(Duration.ofMillis(1), Duration.ofDays(1)));
    public static final Setting<Duration> MAX_FUTURE_SKEW = SCHEMA.define("max-future-skew").defaultValue("5m")
            .doc("A view is never counted later than its Kafka record's time; one stamped more than this after it (or "
                    + "after the clock) means a wrong clock: metric eventsFutureClamped and a log line. The watermark "
                    + "never passes the clock by more than this.")
            .of(duration(Duration.ofMillis(1), Duration.ofDays(365)));
    public static final Setting<Duration> DEDUP_WINDOW = SCHEMA.define("dedup-window").defaultValue("24h")
            .doc("A view carrying a client's event_id is counted once per id within this window: copies are dropped "
                    + "(metric duplicates) until this long after the first was counted, by the clock; later ones count again. "
                    + "0 turns deduplication off. At most 3650d (ids are remembered to the second in an int). Costs state "
                    + "per remembered id: see the README for sizing.")
            .of(duration(Duration.ZERO, TEN_YEARS));
    public static final Setting<Integer> DEDUP_MAX_IDS_PER_BUCKET = SCHEMA.define("dedup-max-ids-per-bucket")
            .defaultValue("100000")
            .doc("With the hashmap state backend, the most event ids one of the 32,768 dedup buckets remembers. A full bucket "
                    + "forgets the ids it counted longest ago, before their --dedup-window passed (metric dedupIdsForgotten, a "
                    + "warning): a copy of one of them is counted again. Which bucket an id falls in is public, so this bounds what "
                    + "one client can pile into one bucket. Spread traffic reaches it at ids/s x window above 3 billion.")
            .of(Values.intIn(100, 1 << 28));
    public static final Setting<Integer> MAX_PAGE_LENGTH = SCHEMA.define("max-page-length").defaultValue("512")
            .doc("The longest page key (Redis field) a view is counted under. A page whose key (page_url normalised: see "
                    + "the README's Pages) is longer counts under its first characters and ' (truncated)': metric "
                    + "eventsPageTruncated. The archive keeps every page_url whole.")
            .of(Values.intIn(PageKeys.MIN_MAX_LENGTH, 1 << 16));
    public static final Setting<Duration> WATERMARK_INTERVAL = SCHEMA.define("watermark-interval").defaultValue("200ms")
            .doc("How often sources emit watermarks: how soon after a window ends it can fire.")
            .of(duration(Duration.ofMillis(1), Duration.ofMinutes(10)));
    public static final Setting<Duration> CHECKPOINT_INTERVAL = SCHEMA.define("checkpoint-interval").defaultValue("2s")
            .doc("Checkpoint interval when the cluster sets no execution.checkpointing.interval. In exactly-once "
                    + "delivery, counts reach Redis when a checkpoint completes.")
            .of(duration(Duration.ofMillis(10), Duration.ofDays(1)));
    public static final Setting<String> CHECKPOINT_DIR = SCHEMA.define("checkpoint-dir")
            .doc("Where checkpoints are kept (file://, s3://; retained on cancellation) when the cluster sets no "
                    + "execution.checkpointing.dir. The job does not start without one of the two.")
            .of(Values.text());
    public static final Setting<String> SAVEPOINT_DIR = SCHEMA.define("savepoint-dir")
            .doc("Default savepoint directory (file://, s3://) when the cluster sets no "
                    + "execution.checkpointing.savepoint-dir; empty for none.")
            .of(Values.text());
    public static final Setting<StateBackend> STATE_BACKEND = SCHEMA.define("state-backend").defaultValue("hashmap")
            .doc("State backend when the cluster sets no state.backend.type: hashmap (heap) or rocksdb (large state, "
                    + "incremental checkpoints).")
            .of(Values.oneOf(StateBackend.class));
    public static final Setting<Delivery> DELIVERY = SCHEMA.define("delivery").defaultValue("exactly-once")
            .doc("exactly-once: counts are applied to Redis once per completed checkpoint, idempotently. at-least-once: "
                    + "counts are flushed on every watermark (lowest latency); after a failure some may be applied twice.")
            .of(Values.oneOf(Delivery.class));
    public static final Setting<Integer> PARALLELISM = SCHEMA.define("parallelism").defaultValue("0")
            .doc("Job parallelism; 0 keeps the cluster's default (or flink run -p).").of(Values.intIn(0, 32_768));
    public static final Setting<Duration> COMMIT_MARKER_TTL = SCHEMA.define("commit-marker-ttl").defaultValue("7d")
            .doc("How long Redis remembers an applied commit, so it is not applied again after a recovery. Must exceed "
                    + "the longest time a job may stay down before it is restored.")
            .of(duration(Duration.ofSeconds(1), TEN_YEARS));
    public static final Setting<RedisSinkSettings.StaleCommits> STALE_COMMITS = SCHEMA.define("stale-commits")
            .defaultValue("fail")
            .doc("What a restored commit older than --commit-marker-ttl does (Redis may have forgotten that it was "
                    + "applied): fail (the job stops and says so), skip (right for the savepoint of a stop) or apply "
                    + "(right for the last checkpoint of a crash).")
            .of(Values.oneOf(RedisSinkSettings.StaleCommits.class));
    public static final Setting<Duration> REDIS_TIMEOUT = SCHEMA.define("redis-timeout").defaultValue("5s")
            .doc("Redis connect and read timeout.").of(duration(Duration.ofMillis(1), Duration.ofMinutes(10)));
    public static final Setting<Integer> MAX_PAGES = SCHEMA.define("max-pages").defaultValue("100000")
            .doc("Most page fields the counts hash holds. Views of further pages are added to the field '(other)' "
                    + "(metrics redisViewsOverBudget, redisPagesOverBudget), so that a client inventing URLs cannot fill "
                    + "Redis; every view stays in the archive as sent. See the README for the memory this takes.")
            .of(Values.intIn(1, 100_000_000));
    public static final Setting<Integer> MAX_PAGES_PER_CHECKPOINT = SCHEMA.define("max-pages-per-checkpoint")
            .defaultValue("50000")
            .doc("Most distinct pages one Redis writer subtask buffers between two checkpoints; views of further pages "
                    + "are buffered under '(other)' (metric redisPagesFoldedInWriter). Bounds the writer's memory whatever "
                    + "the traffic and however long a checkpoint takes.")
            .of(Values.intIn(1, 10_000_000));
    public static final Setting<Integer> REDIS_WAIT_REPLICAS = SCHEMA.define("redis-wait-replicas").defaultValue("0")
            .doc("How many Redis replicas must acknowledge a commit (Redis WAIT, on the commit's connection) before it "
                    + "counts as applied. With 0, a failover to an asynchronous replica can lose the last commits that "
                    + "Flink already considers done: an undercount. Set it to the replicas a failover may promote.")
            .of(Values.intIn(0, 100));
    public static final Setting<Duration> REDIS_WAIT_TIMEOUT = SCHEMA.define("redis-wait-timeout").defaultValue("1s")
            .doc("How long one WAIT waits for --redis-wait-replicas; when too few acknowledged, the commit is retried "
                    + "(idempotently) and, if that keeps failing, the job restarts and commits again.")
            .of(duration(Duration.ofMillis(1), Duration.ofMinutes(10)));
    public static final Setting<Boolean> ALLOW_RESTORE_BEHIND_REDIS = SCHEMA.define("allow-restore-behind-redis")
            .defaultValue("false")
            .doc("Start even when the restored checkpoint or savepoint is older than what Redis has counted (Redis "
                    + "records the newest checkpoint it applied). The views between the two are then counted twice. "
                    + "Without it such a job refuses to start and says which checkpoint to restore instead.")
            .of(Values.bool());
    // How the job's Redis clients connect beyond --redis: TLS material and the sentinels' own credentials. The files
    // are checked here, where the job is submitted (in application mode: on the JobManager), and read by the clients
    // on the TaskManagers: the same path must hold them on both.
    public static final RedisTlsSettings REDIS_TLS = RedisTlsSettings.define(SCHEMA, REDIS, "the job",
            "A file at this path on the JobManager and on every TaskManager",
            "Same path on the JobManager and every TaskManager.");
    public static final Setting<String> REDIS_TLS_TRUSTSTORE = REDIS_TLS.truststore();
    public static final Setting<String> REDIS_TLS_TRUSTSTORE_PASSWORD = REDIS_TLS.truststorePassword();
    public static final Setting<String> REDIS_TLS_KEYSTORE = REDIS_TLS.keystore();
    public static final Setting<String> REDIS_TLS_KEYSTORE_PASSWORD = REDIS_TLS.keystorePassword();
    public static final Setting<Boolean> REDIS_TLS_VERIFY_HOSTNAME = REDIS_TLS.verifyHostname();
    public static final RedisSentinelSettings REDIS_SENTINEL = RedisSentinelSettings.define(SCHEMA, REDIS);
    public static final Setting<String> REDIS_SENTINEL_USER = REDIS_SENTINEL.user();
    public static final Setting<String> REDIS_SENTINEL_PASSWORD = REDIS_SENTINEL.password();

    public static final Setting<Boolean> STATS = SCHEMA.define("stats").defaultValue("true")
            .doc("Also write, in the same exactly-once commit, what the read service answers from: views per page and "
                    + "for the site per minute (UTC), hour and day (--time-zone), top pages per bucket, and visitors (exact "
                    + "per day, HyperLogLog for ranges), with the commit's sequence and watermark. false: only the counts "
                    + "hash.")
            .of(Values.bool());
    public static final Setting<java.time.ZoneId> TIME_ZONE = SCHEMA.define("time-zone").defaultValue("UTC")
            .doc("The reporting time zone of hour and day buckets and of visitor days (an IANA name, e.g. "
                    + "Europe/Berlin); DST days have 23 or 25 hours. Minute buckets are UTC.")
            .of(zone());
    public static final Setting<Duration> MINUTE_RETENTION = SCHEMA.define("minute-retention").defaultValue("2d")
            .doc("How long a minute bucket is kept after its minute (Redis expiry).")
            .of(duration(Duration.ofMinutes(1), TEN_YEARS));
    public static final Setting<Duration> HOUR_RETENTION = SCHEMA.define("hour-retention").defaultValue("90d")
            .doc("How long an hour bucket is kept after its hour.").of(duration(Duration.ofHours(1), TEN_YEARS));
    public static final Setting<Duration> DAY_RETENTION = SCHEMA.define("day-retention").defaultValue("730d")
            .doc("How long a day bucket and a day's exact visitor counts are kept after the day.")
            .of(duration(Duration.ofDays(1), TEN_YEARS));
    public static final Setting<Duration> VISITOR_ESTIMATE_RETENTION = SCHEMA.define("visitor-estimate-retention")
            .defaultValue("90d")
            .doc("How long the HyperLogLogs of a day's visitors (per page and for the site; what ranges of days are "
                    + "estimated from) are kept after the day.")
            .of(duration(Duration.ofDays(1), TEN_YEARS));
    public static final Setting<Duration> VISITOR_WINDOW = SCHEMA.define("visitor-window").defaultValue("2d")
            .doc("A view arriving up to this long after its day ended still counts as a visitor of that day; a later one "
                    + "counts as a view only (metric visitorsTooLate). The job remembers a day's visitors for the day and "
                    + "this long: the state it costs grows with it.")
            .of(duration(Duration.ofMinutes(1), Duration.ofDays(365)));
    public static final Setting<Integer> VISITOR_MAX_PER_BUCKET = SCHEMA.define("visitor-max-per-bucket")
            .defaultValue("100000")
            .doc("With the hashmap state backend, the most visits (a user's first view of the site or of a page on a day) one "
                    + "of the 32,768 visitor buckets remembers. A full bucket forgets those seen longest ago (metric "
                    + "visitsForgotten, a warning): such a user counts as a visitor again at their next view that day; views "
                    + "are not affected. Which bucket a user falls in is public, so this bounds what one client can pile into "
                    + "one bucket. Spread traffic reaches it with 3 billion visits remembered at once: about a billion a day with the default --visitor-window.")
            .of(Values.intIn(100, 1 << 28));
    public static final Setting<String> ARCHIVE_PATH = SCHEMA.define("archive-path").defaultValue("none")
            .doc("Archive raw events under this path (s3://bucket/prefix or file:///dir); none for off.")
            .of(archivePathOrNone());
    public static final Setting<List<ArchiveFormat>> ARCHIVE_FORMAT = SCHEMA.define("archive-format").defaultValue("json")
            .doc("Archive formats, comma-separated: json (newline-delimited), parquet; each under its own format=... folder.")
            .of(Values.enumList(ArchiveFormat.class));
    public static final Setting<Duration> ARCHIVE_MAX_LATENESS = SCHEMA.define("archive-max-lateness").defaultValue("7d")
            .doc("A view is archived under the hour it happened, unless it happened more than this before it arrived: "
                    + "then under the hour it arrived (its row keeps its timestamp; metric archiveViewsFiledByArrival). "
                    + "Bounds the part files the archive keeps open, whatever timestamps clients send.")
            .of(duration(Duration.ofHours(1), TEN_YEARS));
    public static final Setting<Duration> ARCHIVE_ROLL_INTERVAL = SCHEMA.define("archive-roll-interval").defaultValue("5m")
            .doc("A plain JSON part file is finished after this long (or this long without events); it becomes visible at "
                    + "the next completed checkpoint. Gzip JSON and Parquet part files finish at every checkpoint.")
            .of(duration(Duration.ofSeconds(1), Duration.ofDays(1)));
    public static final Setting<Long> ARCHIVE_MAX_PART_SIZE = SCHEMA.define("archive-max-part-size").defaultValue("128mb")
            .doc("A part file (any format) is finished at this size.")
            .of(size(1024, 64L << 30));
    public static final Setting<Boolean> ARCHIVE_JSON_GZIP = SCHEMA.define("archive-json-gzip").defaultValue("false")
            .doc("Gzip the JSON part files (.json.gz); they then finish at every checkpoint.").of(Values.bool());

    static {
        SCHEMA.check(JobConfig::checkRedisConnection);
        SCHEMA.check(s -> {
            if (s.get(ARCHIVE_JSON_GZIP) && !s.get(ARCHIVE_FORMAT).contains(ArchiveFormat.JSON)) {
                throw s.invalid(ARCHIVE_JSON_GZIP, "gzips JSON part files, but " + ARCHIVE_FORMAT.flag() + " is "
                        + s.text(ARCHIVE_FORMAT) + "; add json to it or drop " + ARCHIVE_JSON_GZIP.flag());
            }
        });
    }

    private final Settings settings;

    private JobConfig(Settings settings) {
        this.settings = settings;
    }

    public static JobConfig parse(String[] args) {
        return parse(args, System.getenv());
    }

    /** Reads flags ({@code --flag value} or {@code --flag=value}) over environment variables over defaults. */
    public static JobConfig parse(String[] args, Map<String, String> env) {
        return new JobConfig(SCHEMA.parse(args, env));
    }

    /** True when the arguments ask for {@code --help} or {@code -h}, whatever else they hold. */
    public static boolean asksForHelp(String[] args) {
        return List.of(args).contains("--help") || List.of(args).contains("-h");
    }

    /** A copy with one setting changed; checked as a flag would be, cross-field checks included. */
    public <T> JobConfig with(Setting<T> setting, T value) {
        return new JobConfig(settings.with(setting, value));
    }

    /** The settings as job arguments, e.g. for submitting the same job elsewhere. */
    public String[] toArgs() {
        return settings.toArgs();
    }

    public static String help() {
        return SCHEMA.help();
    }

    /** The value as text, in the syntax its flag takes. */
    public String text(Setting<?> setting) {
        return settings.text(setting);
    }

    public <T> T get(Setting<T> setting) {
        return settings.get(setting);
    }

    public String kafkaBootstrap() { return get(KAFKA_BOOTSTRAP); }
    public String topic() { return get(TOPIC); }
    /** {@code --kafka-properties} as client properties. */
    public Map<String, String> kafkaProperties() { return ClientProperties.toMap(get(KAFKA_PROPERTIES)); }
    public String dlqTopic() { return get(DLQ_TOPIC); }
    public String groupId() { return get(GROUP_ID); }
    public long kafkaFetchMinSize() { return get(KAFKA_FETCH_MIN_SIZE); }
    public Duration kafkaFetchMaxWait() { return get(KAFKA_FETCH_MAX_WAIT); }
    public StartingOffsets startingOffsets() { return get(STARTING_OFFSETS); }
    public LostOffsets lostOffsets() { return get(KAFKA_LOST_OFFSETS); }
    public RedisUri redis() { return RedisUri.parse(get(REDIS)); }
    public String redisKey() { return get(REDIS_KEY); }
    public Duration window() { return get(WINDOW); }
    public Duration outOfOrderness() { return get(OUT_OF_ORDERNESS); }
    public Duration idleTimeout() { return get(IDLE_TIMEOUT); }
    public Duration maxFutureSkew() { return get(MAX_FUTURE_SKEW); }
    public Duration watermarkInterval() { return get(WATERMARK_INTERVAL); }
    public Duration dedupWindow() { return get(DEDUP_WINDOW); }
    public int maxPageLength() { return get(MAX_PAGE_LENGTH); }
    public int dedupMaxIdsPerBucket() { return get(DEDUP_MAX_IDS_PER_BUCKET); }
    public Duration checkpointInterval() { return get(CHECKPOINT_INTERVAL); }
    public String checkpointDir() { return get(CHECKPOINT_DIR); }
    public String savepointDir() { return get(SAVEPOINT_DIR); }
    public StateBackend stateBackend() { return get(STATE_BACKEND); }
    public Delivery delivery() { return get(DELIVERY); }
    public int parallelism() { return get(PARALLELISM); }
    public Duration commitMarkerTtl() { return get(COMMIT_MARKER_TTL); }
    public RedisSinkSettings.StaleCommits staleCommits() { return get(STALE_COMMITS); }
    public Duration redisTimeout() { return get(REDIS_TIMEOUT); }
    public RedisSinkSettings.CommitRules commitRules() {
        return new RedisSinkSettings.CommitRules(get(MAX_PAGES), get(MAX_PAGES_PER_CHECKPOINT), get(REDIS_WAIT_REPLICAS),
                get(REDIS_WAIT_TIMEOUT), get(ALLOW_RESTORE_BEHIND_REDIS));
    }
    public RedisTls redisTls() {
        return REDIS_TLS.of(settings);
    }
    public SentinelCredentials redisSentinelCredentials() {
        return REDIS_SENTINEL.of(settings);
    }
    /** The archive's base path; empty when archiving is off ({@code none}). */
    public String archivePath() { return get(ARCHIVE_PATH); }
    public Set<ArchiveFormat> archiveFormats() { return new LinkedHashSet<>(get(ARCHIVE_FORMAT)); }
    public Duration archiveRollInterval() { return get(ARCHIVE_ROLL_INTERVAL); }
    public Duration archiveMaxLateness() { return get(ARCHIVE_MAX_LATENESS); }
    public boolean stats() { return get(STATS); }
    public java.time.ZoneId timeZone() { return get(TIME_ZONE); }
    public Duration visitorWindow() { return get(VISITOR_WINDOW); }
    public int visitorMaxPerBucket() { return get(VISITOR_MAX_PER_BUCKET); }
    public RedisSinkSettings.Stats statsSettings() {
        return new RedisSinkSettings.Stats(stats(), timeZone(), get(MINUTE_RETENTION), get(HOUR_RETENTION), get(DAY_RETENTION),
                get(VISITOR_ESTIMATE_RETENTION));
    }
    public long archiveMaxPartSizeBytes() { return get(ARCHIVE_MAX_PART_SIZE); }
    public boolean archiveJsonGzip() { return get(ARCHIVE_JSON_GZIP); }

    /**
     * Why a Kafka client property cannot be set by {@code --kafka-properties} (the flag that sets it instead), or
     * null: those the job's source, its exactly-once offsets and its dead letters' delivery depend on.
     */
    static String refusedKafkaProperty(String key) {
        String flag = switch (key) {
            case "bootstrap.servers" -> KAFKA_BOOTSTRAP.flag();
            case "group.id" -> GROUP_ID.flag();
            case "client.id", "client.id.prefix" -> GROUP_ID.flag() + " (the client ids start with it)";
            case "auto.offset.reset" -> STARTING_OFFSETS.flag();
            case "fetch.min.bytes" -> KAFKA_FETCH_MIN_SIZE.flag();
            case "fetch.max.wait.ms" -> KAFKA_FETCH_MAX_WAIT.flag();
            case "enable.auto.commit", "commit.offsets.on.checkpoint", "key.deserializer", "value.deserializer",
                    "key.serializer", "value.serializer", "acks", "enable.idempotence", "transactional.id",
                    "partition.discovery.interval.ms" -> "";
            default -> null;
        };
        if (flag == null) {
            return null;
        }
        return key + (flag.isEmpty() ? " is fixed by the job (its offsets and its dead letters' delivery depend on it) "
                + "and cannot be set" : " cannot be set here; use " + flag);
    }

    /** Every setting by flag, secrets masked: what the logs and the Flink web UI (global job parameters) show. */
    public Map<String, String> shown() {
        return settings.shown();
    }

    @Override
    public String toString() {
        return shown().toString();
    }

    /** The TLS and Sentinel settings fit --redis, and the stores open with their passwords. */
    private static void checkRedisConnection(Settings s) {
        REDIS_TLS.check(s);
        REDIS_SENTINEL.check(s);
        REDIS_TLS.checkStores(s);
    }

    /** An IANA time zone name (or an offset such as +02:00), read by {@link java.time.ZoneId#of}. */
    private static ValueType<java.time.ZoneId> zone() {
        return new ValueType<>() {
            @Override
            public java.time.ZoneId parse(String text) {
                try {
                    return java.time.ZoneId.of(text.trim());
                } catch (java.time.DateTimeException e) {
                    throw new IllegalArgumentException("'" + text + "' is not a time zone; write an IANA name such as "
                            + "Europe/Berlin or America/New_York, or UTC");
                }
            }

            @Override
            public String hint() {
                return "<zone>";
            }

            @Override
            public String format(java.time.ZoneId value) {
                return value.getId();
            }
        };
    }

    /** A duration in Flink's syntax, read by Flink's own {@link TimeUtils#parseDuration}. */
    private static ValueType<Duration> duration(Duration min, Duration max) {
        return Values.duration(text -> TimeUtils.parseDuration(text), min, max); // a lambda: TimeUtils loads on first use
    }

    /** A memory size in Flink's syntax, read by Flink's own {@link MemorySize#parse}. */
    private static ValueType<Long> size(long min, long max) {
        return Values.bytes(text -> MemorySize.parse(text).getBytes(), min, max);
    }

    /** {@code none} (or empty) for off, else a URI with a file system scheme Flink knows. */
    private static ValueType<String> archivePathOrNone() {
        return new ValueType<>() {
            @Override
            public String parse(String text) {
                String path = text.trim();
                if (path.isEmpty() || path.equalsIgnoreCase("none")) {
                    return "";
                }
                if (!path.toLowerCase(Locale.ROOT).matches("[a-z][a-z0-9+.-]*://.+")) {
                    throw new IllegalArgumentException("'" + text + "' is not a path with a scheme; write "
                            + "s3://bucket/prefix or file:///dir, or none for no archive");
                }
                return path;
            }

            @Override
            public String hint() {
                return "<uri>|none";
            }

            @Override
            public String format(String value) {
                return value.isEmpty() ? "none" : value;
            }
        };
    }
}
