package dev.pageviews.local;

import dev.pageviews.job.JobConfig;
import dev.pageviews.settings.Setting;
import dev.pageviews.settings.Settings;
import dev.pageviews.settings.SettingsSchema;
import dev.pageviews.settings.ValueType;
import dev.pageviews.settings.Values;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Settings of {@code ./pageviews up}: flag, environment variable ({@code --http-port} ↔
 * {@code PAGEVIEWS_HTTP_PORT}), default ({@link SettingsSchema}, the mechanism the edge and the job share; the
 * job's settings that {@code up} passes on are checked by the job's own value types). Ports of 0 pick free ones
 * (used by tests).
 */
public record UpConfig(int httpPort, int edgeAdminPort, int uiPort, int kafkaPort, int redisPort, Path dataDir, boolean fresh,
        String archivePath,
        String archiveFormat, boolean s3, int s3Port, String window, String outOfOrderness, String dedupWindow,
        Optional<Path> restoreFrom, int statsPort) {

    /** The bucket the local S3 server ({@code --s3}) gets, and the default archive path there. */
    public static final String S3_BUCKET = "pageviews-archive";

    /** JSON archive, no S3 server, the job's defaults. */
    public UpConfig(int httpPort, int edgeAdminPort, int uiPort, int kafkaPort, int redisPort, Path dataDir, boolean fresh,
            String archivePath) {
        this(httpPort, edgeAdminPort, uiPort, kafkaPort, redisPort, dataDir, fresh, archivePath, "json", false, 0, "1s", "2s",
                "24h", Optional.empty(), 0);
    }

    /** A copy with other job settings, as a user changes them between two runs on the same data dir. */
    public UpConfig withJob(String archivePath, String archiveFormat, String window, String outOfOrderness, String dedupWindow) {
        return new UpConfig(httpPort, edgeAdminPort, uiPort, kafkaPort, redisPort, dataDir, false, archivePath, archiveFormat,
                s3, s3Port, window, outOfOrderness, dedupWindow, Optional.empty(), statsPort);
    }

    /** A copy that resumes from {@code point}, as {@code --restore-from} says. */
    public UpConfig restoringFrom(Path point) {
        return new UpConfig(httpPort, edgeAdminPort, uiPort, kafkaPort, redisPort, dataDir, false, archivePath, archiveFormat,
                s3, s3Port, window, outOfOrderness, dedupWindow, Optional.of(point), statsPort);
    }

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
    static final Setting<?> ARCHIVE_FORMAT = SCHEMA.define("archive-format").defaultValue(JobConfig.ARCHIVE_FORMAT.defaultText())
            .doc("Archive formats, comma-separated: json (newline-delimited), parquet.").of(JobConfig.ARCHIVE_FORMAT.type());
    static final Setting<Boolean> S3 = SCHEMA.define("s3").defaultValue("false")
            .doc("Also start a local S3 server (S3Proxy, data in <data-dir>/s3) and archive to s3://" + S3_BUCKET + " on it.")
            .of(Values.bool());
    static final Setting<Integer> S3_PORT = SCHEMA.define("s3-port").defaultValue("9000")
            .doc("Port of the local S3 server (with --s3).").of(Values.port());
    static final Setting<?> WINDOW = SCHEMA.define("window").defaultValue(JobConfig.WINDOW.defaultText())
            .doc("Size of the event-time windows that counted views in builds before per-checkpoint counting (their "
                    + "restored state only); may change between runs.")
            .of(JobConfig.WINDOW.type());
    static final Setting<?> OUT_OF_ORDERNESS = SCHEMA.define("out-of-orderness")
            .defaultValue(JobConfig.OUT_OF_ORDERNESS.defaultText())
            .doc("How far behind the newest view the watermark trails, up to which time buckets are final (later views "
                    + "are counted too, in their own old buckets); may change between runs.")
            .of(JobConfig.OUT_OF_ORDERNESS.type());
    static final Setting<?> DEDUP_WINDOW = SCHEMA.define("dedup-window").defaultValue(JobConfig.DEDUP_WINDOW.defaultText())
            .doc("A view with the client's own event_id is counted once per id within this long; 0: off (every copy "
                    + "counted). May change between runs; 0 forgets the ids remembered so far.")
            .of(JobConfig.DEDUP_WINDOW.type());
    static final Setting<String> RESTORE_FROM = SCHEMA.define("restore-from")
            .doc("Resume the job from this checkpoint or savepoint (a directory holding Flink's _metadata) instead of the "
                    + "one up chooses, the newest of this data dir's lineage by checkpoint id. For the one start after up "
                    + "refused to choose (it says why). The job refuses a point older than what Redis has counted unless "
                    + "PAGEVIEWS_ALLOW_RESTORE_BEHIND_REDIS=true, which counts the views since a second time.")
            .of(new ValueType<>() {
                @Override
                public String parse(String text) {
                    localPath(text);
                    return text.trim();
                }

                @Override
                public String hint() {
                    return "<dir>";
                }
            });

    static {
        SCHEMA.check(s -> {
            if (!s.get(RESTORE_FROM).isEmpty() && s.get(FRESH)) {
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

    /** The settings from flags over {@code PAGEVIEWS_*} variables over defaults; {@code --help} is left to the caller. */
    public static UpConfig parse(String[] args, Map<String, String> env) {
        return of(SCHEMA.parse(args, env));
    }

    static boolean asksForHelp(String[] args) {
        return SCHEMA.parse(args, Map.of()).helpRequested();
    }

    private static UpConfig of(Settings values) {
        Path dataDir = Path.of(values.get(DATA_DIR)).toAbsolutePath().normalize();
        boolean s3 = values.get(S3);
        String archive = values.get(ARCHIVE_PATH).trim();
        if (archive.isEmpty()) {
            // toUri() ends with a slash only if the folder exists already: one spelling for every run
            archive = s3 ? "s3://" + S3_BUCKET : dataDir.resolve("archive").toUri().toString().replaceAll("/$", "");
        } else if (archive.equals("none")) {
            archive = "";
        }
        String restoreFrom = values.get(RESTORE_FROM);
        return new UpConfig(values.get(HTTP_PORT), values.get(EDGE_ADMIN_PORT), values.get(UI_PORT), values.get(KAFKA_PORT), values.get(REDIS_PORT),
                dataDir, values.get(FRESH), archive, values.text(ARCHIVE_FORMAT), s3, values.get(S3_PORT),
                values.text(WINDOW), values.text(OUT_OF_ORDERNESS), values.text(DEDUP_WINDOW),
                restoreFrom.isEmpty() ? Optional.empty() : Optional.of(localPath(restoreFrom)), values.get(STATS_PORT));
    }

    /** A local path, or a {@code file:} URI as Flink prints them; up's job reads its state from local files only. */
    private static Path localPath(String text) {
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            return Path.of("");
        }
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

    static String help() {
        return SCHEMA.help();
    }

    Path kafkaDir() { return dataDir.resolve("kafka"); }
    Path redisDir() { return dataDir.resolve("redis"); }
    Path flinkDir() { return dataDir.resolve("flink"); }
    Path checkpointDir() { return dataDir.resolve("flink").resolve("checkpoints"); }
    Path savepointDir() { return dataDir.resolve("flink").resolve("savepoints"); }
}
