package dev.pageviews.local;

import dev.pageviews.job.JobConfig;
import dev.pageviews.job.archive.ArchiveFormat;
import dev.pageviews.settings.Setting;
import dev.pageviews.settings.Settings;
import dev.pageviews.settings.SettingsSchema;
import dev.pageviews.settings.ValueType;
import dev.pageviews.settings.Values;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of {@code ./pageviews up}: flag, environment variable ({@code --http-port} ↔
 * {@code PAGEVIEWS_HTTP_PORT}), default ({@link SettingsSchema}, the mechanism the edge and the job share; the
 * job's settings that {@code up} passes on are checked by the job's own value types). Ports of 0 pick free ones
 * (used by tests).
 *
 * <p>Instances are immutable; {@link #with} returns a changed copy, checked as the flag would be.
 */
public final class UpConfig {

    /** The bucket the local S3 server ({@code --s3}) gets, and the default archive path there. */
    public static final String S3_BUCKET = "pageviews-archive";

    static final SettingsSchema SCHEMA = new SettingsSchema("./pageviews up", "PAGEVIEWS_",
            "Starts Kafka, Redis, the edge, the Flink job (with its web UI) and the read service on this machine. Ctrl-C stops everything; "
                    + "the next up continues where it stopped.");

    static final Setting<Integer> HTTP_PORT = SCHEMA.define("http-port").defaultValue("8080")
            .doc("Port of the edge: POST /api/v1/track.").of(Values.port());
    static final Setting<Integer> EDGE_ADMIN_PORT = SCHEMA.define("edge-admin-port").defaultValue("9464")
            .doc("Admin port of the edge: /metrics (Prometheus format), /readyz with the reason, /healthz.").of(Values.port());
    static final Setting<Integer> UI_PORT = SCHEMA.define("ui-port").defaultValue("8081")
            .doc("Port of the Flink web UI.").of(Values.port());
    static final Setting<Integer> STATS_PORT = SCHEMA.define("stats-port").defaultValue("8090")
            .doc("Port of the read service: POST /api/v2/query (the Stats API), GET /api/v2/stream (a push per commit) "
                    + "and the dashboard at /.").of(Values.port());
    static final Setting<Integer> KAFKA_PORT = SCHEMA.define("kafka-port").defaultValue("9092")
            .doc("Port of the Kafka broker.").of(Values.port());
    static final Setting<Integer> REDIS_PORT = SCHEMA.define("redis-port").defaultValue("6379")
            .doc("Port of Redis, where the counts are (hash page_views).").of(Values.port());
    static final Setting<String> DATA_DIR = SCHEMA.define("data-dir").defaultValue(".pageviews")
            .doc("Where Kafka's log, Redis's append-only file, Flink's checkpoints and the logs are kept.")
            .of(Values.nonEmptyText());
    static final Setting<Boolean> FRESH = SCHEMA.define("fresh").defaultValue("false")
            .doc("Start from empty: delete the data dir first (keeps pageviews.log).").of(Values.bool());
    static final Setting<String> ARCHIVE_PATH = SCHEMA.define("archive-path")
            .doc("Where every valid view is archived (file:// or s3://); unset: <data-dir>/archive, or s3://" + S3_BUCKET
                    + " with --s3; none: off.")
            .of(Values.checked(Values.text(), text -> JobConfig.ARCHIVE_PATH.type().parse(text))); // the job's own check
    static final Setting<List<ArchiveFormat>> ARCHIVE_FORMAT = SCHEMA.define("archive-format")
            .defaultValue(JobConfig.ARCHIVE_FORMAT.defaultText())
            .doc("Archive formats, comma-separated: json (newline-delimited), parquet.").of(JobConfig.ARCHIVE_FORMAT.type());
    static final Setting<Boolean> S3 = SCHEMA.define("s3").defaultValue("false")
            .doc("Also start a local S3 server (S3Proxy, data in <data-dir>/s3) and archive to s3://" + S3_BUCKET + " on it.")
            .of(Values.bool());
    static final Setting<Integer> S3_PORT = SCHEMA.define("s3-port").defaultValue("9000")
            .doc("Port of the local S3 server (with --s3).").of(Values.port());
    static final Setting<Duration> WINDOW = SCHEMA.define("window").defaultValue(JobConfig.WINDOW.defaultText())
            .doc("Size of the event-time windows that counted views in builds before per-checkpoint counting (their "
                    + "restored state only); may change between runs.")
            .of(JobConfig.WINDOW.type());
    static final Setting<Duration> OUT_OF_ORDERNESS = SCHEMA.define("out-of-orderness")
            .defaultValue(JobConfig.OUT_OF_ORDERNESS.defaultText())
            .doc("How far behind the newest view the watermark trails, up to which time buckets are final (later views "
                    + "are counted too, in their own old buckets); may change between runs.")
            .of(JobConfig.OUT_OF_ORDERNESS.type());
    static final Setting<Duration> DEDUP_WINDOW = SCHEMA.define("dedup-window").defaultValue(JobConfig.DEDUP_WINDOW.defaultText())
            .doc("A view with the client's own event_id is counted once per id within this long; 0: off (every copy "
                    + "counted). May change between runs; 0 forgets the ids remembered so far.")
            .of(JobConfig.DEDUP_WINDOW.type());
    static final Setting<Optional<Path>> RESTORE_FROM = SCHEMA.define("restore-from")
            .doc("Resume the job from this checkpoint or savepoint (a directory holding Flink's _metadata) instead of the "
                    + "one up chooses, the newest of this data dir's lineage by checkpoint id. For the one start after up "
                    + "refused to choose (it says why). The job refuses a point older than what Redis has counted unless "
                    + "PAGEVIEWS_ALLOW_RESTORE_BEHIND_REDIS=true, which counts the views since a second time.")
            .of(new ValueType<>() {
                @Override
                public Optional<Path> parse(String text) {
                    return text.isBlank() ? Optional.empty() : Optional.of(localPath(text));
                }

                @Override
                public String hint() {
                    return "<dir>";
                }

                @Override
                public String format(Optional<Path> value) {
                    return value.map(Path::toString).orElse("");
                }
            });

    static {
        SCHEMA.check(s -> {
            if (s.get(RESTORE_FROM).isPresent() && s.get(FRESH)) {
                throw s.invalid(RESTORE_FROM, "goes with --fresh, which deletes the data dir's state, Kafka's log and Redis' "
                        + "counts: resume from a restore point, or start from empty, not both");
            }
        });
        SCHEMA.check(s -> {
            Map<Integer, Setting<Integer>> taken = new LinkedHashMap<>();
            for (Setting<Integer> port : List.of(HTTP_PORT, EDGE_ADMIN_PORT, UI_PORT, STATS_PORT, KAFKA_PORT, REDIS_PORT, S3_PORT)) {
                if (port == S3_PORT && !s.get(S3)) {
                    continue;
                }
                Setting<Integer> other = s.get(port) == 0 ? null : taken.putIfAbsent(s.get(port), port);
                if (other != null) {
                    throw s.invalid(port, "is " + other.flag() + " too; give each service its own port (0 picks a free one)");
                }
            }
        });
        SCHEMA.check(s -> {
            if (s.get(ARCHIVE_PATH).startsWith("s3") && !s.get(S3)) {
                throw s.invalid(ARCHIVE_PATH, "is on S3, but up only knows the local S3 server: add --s3, or archive to a "
                        + "file:// path");
            }
        });
    }

    private final Settings settings;
    private final Path dataDir;
    private final String archivePath;

    private UpConfig(Settings settings) {
        this.settings = settings;
        this.dataDir = Path.of(settings.get(DATA_DIR)).toAbsolutePath().normalize();
        String archive = settings.get(ARCHIVE_PATH).trim();
        if (archive.isEmpty()) {
            // toUri() ends with a slash only if the folder exists already: one spelling for every run
            archive = settings.get(S3) ? "s3://" + S3_BUCKET : dataDir.resolve("archive").toUri().toString().replaceAll("/$", "");
        } else if (archive.equalsIgnoreCase("none")) { // as the job reads it
            archive = "";
        }
        this.archivePath = archive;
    }

    /** The settings from flags over {@code PAGEVIEWS_*} variables over defaults; {@code --help} is left to the caller. */
    public static UpConfig parse(String[] args, Map<String, String> env) {
        return new UpConfig(SCHEMA.parse(args, env));
    }

    /**
     * Whether {@code args} ask for {@code --help}, read without the environment, so that a bad variable does not
     * keep the help from being shown.
     */
    static boolean asksForHelp(String[] args) {
        return SCHEMA.parse(args, Map.of()).helpRequested();
    }

    public boolean helpRequested() {
        return settings.helpRequested();
    }

    static String help() {
        return SCHEMA.help();
    }

    public <T> T get(Setting<T> setting) {
        return settings.get(setting);
    }

    /** A copy with {@code setting} changed; the value is checked as its flag would be, cross-field checks included. */
    public <T> UpConfig with(Setting<T> setting, T value) {
        return new UpConfig(settings.with(setting, value));
    }

    public int httpPort() { return get(HTTP_PORT); }
    public int edgeAdminPort() { return get(EDGE_ADMIN_PORT); }
    public int uiPort() { return get(UI_PORT); }
    public int statsPort() { return get(STATS_PORT); }
    public int kafkaPort() { return get(KAFKA_PORT); }
    public int redisPort() { return get(REDIS_PORT); }
    /** {@code --data-dir}, absolute. */
    public Path dataDir() { return dataDir; }
    public boolean fresh() { return get(FRESH); }
    /** Where the job archives: {@code --archive-path}, or its default under the data dir or on S3; empty for none. */
    public String archivePath() { return archivePath; }
    public boolean s3() { return get(S3); }
    public int s3Port() { return get(S3_PORT); }
    /** {@code --restore-from} as an absolute path; empty when up chooses. */
    public Optional<Path> restoreFrom() { return get(RESTORE_FROM); }

    // the job's settings as the user wrote them (10 s stays 10 s), for the job's own parser
    public String archiveFormat() { return settings.text(ARCHIVE_FORMAT); }
    public String window() { return settings.text(WINDOW); }
    public String outOfOrderness() { return settings.text(OUT_OF_ORDERNESS); }
    public String dedupWindow() { return settings.text(DEDUP_WINDOW); }

    Path kafkaDir() { return dataDir.resolve("kafka"); }
    Path redisDir() { return dataDir.resolve("redis"); }
    Path flinkDir() { return dataDir.resolve("flink"); }
    Path checkpointDir() { return dataDir.resolve("flink").resolve("checkpoints"); }
    Path savepointDir() { return dataDir.resolve("flink").resolve("savepoints"); }

    /** A local path, or a {@code file:} URI as Flink prints them; up's job reads its state from local files only. */
    private static Path localPath(String text) {
        String trimmed = text.trim();
        if (trimmed.matches("[A-Za-z][A-Za-z0-9+.-]*:.*") && !trimmed.startsWith("file:")) {
            throw new IllegalArgumentException("'" + trimmed + "' is not a local path; up resumes from a directory on this "
                    + "machine (a path, or a file: URI)");
        }
        try {
            Path path = trimmed.startsWith("file:") ? Path.of(URI.create(trimmed)) : Path.of(trimmed);
            return path.toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) { // a bad URI or path (InvalidPathException)
            throw new IllegalArgumentException("'" + trimmed + "' is not a path (" + e.getMessage() + ")");
        }
    }

    /** Every setting as logs may show it. */
    @Override
    public String toString() {
        return "UpConfig" + settings.shown();
    }
}
