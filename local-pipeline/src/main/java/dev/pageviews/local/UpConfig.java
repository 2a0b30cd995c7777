package dev.pageviews.local;

import dev.pageviews.job.JobConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of {@code ./pageviews up}: flag, environment variable ({@code --http-port} ↔
 * {@code PAGEVIEWS_HTTP_PORT}), default. Ports of 0 pick free ones (used by tests).
 */
public record UpConfig(int httpPort, int edgeAdminPort, int uiPort, int kafkaPort, int redisPort, Path dataDir, boolean fresh, String archivePath,
        String archiveFormat, boolean s3, int s3Port, String window, String outOfOrderness, String dedupWindow) {

    /** The bucket the local S3 server ({@code --s3}) gets, and the default archive path there. */
    public static final String S3_BUCKET = "pageviews-archive";

    /** JSON archive, no S3 server, the job's defaults. */
    public UpConfig(int httpPort, int edgeAdminPort, int uiPort, int kafkaPort, int redisPort, Path dataDir, boolean fresh,
            String archivePath) {
        this(httpPort, edgeAdminPort, uiPort, kafkaPort, redisPort, dataDir, fresh, archivePath, "json", false, 0, "1s", "2s", "24h");
    }

    /** A copy with other job settings, as a user changes them between two runs on the same data dir. */
    public UpConfig withJob(String archivePath, String archiveFormat, String window, String outOfOrderness, String dedupWindow) {
        return new UpConfig(httpPort, edgeAdminPort, uiPort, kafkaPort, redisPort, dataDir, false, archivePath, archiveFormat, s3, s3Port,
                window, outOfOrderness, dedupWindow);
    }

    record Option(String flag, String defaultValue, String doc) {
        String env() {
            return "PAGEVIEWS_" + flag.toUpperCase(Locale.ROOT).replace('-', '_');
        }
    }

    static final List<Option> OPTIONS = List.of(
            new Option("http-port", "8080", "Port of the edge: POST /api/v1/track."),
            new Option("edge-admin-port", "9464",
                    "Admin port of the edge: /metrics (Prometheus format), /readyz with the reason, /healthz."),
            new Option("ui-port", "8081", "Port of the Flink web UI."),
            new Option("kafka-port", "9092", "Port of the Kafka broker."),
            new Option("redis-port", "6379", "Port of Redis, where the counts are (hash page_views)."),
            new Option("data-dir", ".pageviews",
                    "Where Kafka's log, Redis's append-only file, Flink's checkpoints and the logs are kept."),
            new Option("fresh", "false", "Start from empty: delete the data dir first (a flag; no value needed)."),
            new Option("archive-path", "",
                    "Where every valid view is archived (file:// or s3://); empty: <data-dir>/archive, or s3://" + S3_BUCKET
                            + " with --s3; none: off."),
            new Option("archive-format", "json", "Archive formats, comma-separated: json (newline-delimited), parquet."),
            new Option("s3", "false", "Also start a local S3 server (S3Proxy, data in <data-dir>/s3) and archive to s3://"
                    + S3_BUCKET + " on it (a flag; no value needed)."),
            new Option("s3-port", "9000", "Port of the local S3 server (with --s3)."),
            new Option("window", "1s", "Size of the job's event-time windows; may change between runs (state is kept)."),
            new Option("out-of-orderness", "2s",
                    "How late a view may arrive and still fall in its window (later ones are counted too); may change between runs."),
            new Option("dedup-window", "24h",
                    "A view with the client's own event_id is counted once per id within this long; 0: off (every copy "
                            + "counted). May change between runs; 0 forgets the ids remembered so far."));

    public static UpConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Option option : OPTIONS) {
            values.put(option.flag(), env.getOrDefault(option.env(), option.defaultValue()));
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String flag = arg.startsWith("--") ? arg.substring(2) : arg;
            String value = null;
            int eq = flag.indexOf('=');
            if (eq >= 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            String name = flag;
            if (!arg.startsWith("--") || OPTIONS.stream().noneMatch(o -> o.flag().equals(name))) {
                throw new IllegalArgumentException("unknown option '" + arg + "'; see ./pageviews help");
            }
            if (value == null) {
                if (flag.equals("fresh") || flag.equals("s3")) {
                    value = "true";
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("--" + flag + " needs a value; see ./pageviews help");
                }
            }
            values.put(flag, value);
        }
        Path dataDir = Path.of(values.get("data-dir")).toAbsolutePath().normalize();
        JobConfig.parse(new String[] {"--archive-format", values.get("archive-format"), "--window", values.get("window"),
            "--out-of-orderness", values.get("out-of-orderness"), "--dedup-window", values.get("dedup-window")},
            Map.of()); // fails early, naming the flag
        boolean s3 = Boolean.parseBoolean(values.get("s3"));
        String archive = values.get("archive-path");
        if (archive.isEmpty()) {
            // toUri() ends with a slash only if the folder exists already: one spelling for every run
            archive = s3 ? "s3://" + S3_BUCKET : dataDir.resolve("archive").toUri().toString().replaceAll("/$", "");
        } else if (archive.equals("none")) {
            archive = "";
        }
        return new UpConfig(port(values, "http-port"), port(values, "edge-admin-port"), port(values, "ui-port"),
                port(values, "kafka-port"), port(values, "redis-port"), dataDir, Boolean.parseBoolean(values.get("fresh")), archive,
                values.get("archive-format"), s3, port(values, "s3-port"), values.get("window"), values.get("out-of-orderness"),
                values.get("dedup-window"));
    }

    private static int port(Map<String, String> values, String flag) {
        String value = values.get(flag);
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--" + flag + ": '" + value + "' is not a port (0-65535)");
    }

    static String help() {
        StringBuilder text = new StringBuilder();
        for (Option o : OPTIONS) {
            text.append(String.format("  --%-12s %-24s default: %s%n      %s%n", o.flag(), o.env(), o.defaultValue(), o.doc()));
        }
        return text.toString();
    }

    Path kafkaDir() { return dataDir.resolve("kafka"); }
    Path redisDir() { return dataDir.resolve("redis"); }
    Path flinkDir() { return dataDir.resolve("flink"); }
    Path checkpointDir() { return dataDir.resolve("flink").resolve("checkpoints"); }
    Path savepointDir() { return dataDir.resolve("flink").resolve("savepoints"); }
}
