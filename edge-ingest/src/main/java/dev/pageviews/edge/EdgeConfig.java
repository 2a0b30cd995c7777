package dev.pageviews.edge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every setting of the edge, in the spirit of Kafka's {@code ProducerConfig}: each has a flag
 * ({@code --port}), an environment variable ({@code EDGE_PORT}: {@code EDGE_} + the flag in upper snake case),
 * a default and a doc string. Flags win over the environment, which wins over defaults.
 *
 * <p>Instances are immutable; the {@code with...} methods return changed copies.
 */
public final class EdgeConfig {

    /** One setting: its flag name (without {@code --}), default, doc, and how its text becomes a value. */
    public static final class Setting<T> {
        private final String name;
        private final String defaultText;
        private final String doc;
        private final Function<String, T> parser;

        private Setting(String name, String defaultText, String doc, Function<String, T> parser) {
            this.name = name;
            this.defaultText = defaultText;
            this.doc = doc;
            this.parser = parser;
        }

        public String flag() {
            return "--" + name;
        }

        public String envName() {
            return "EDGE_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
        }

        public String defaultText() {
            return defaultText;
        }

        public String doc() {
            return doc;
        }

        T parse(String text, String source) {
            try {
                return parser.apply(text.trim());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": " + e.getMessage() + " (see --help)", e);
            }
        }
    }

    private static final List<Setting<?>> SETTINGS = new ArrayList<>();

    public static final Setting<String> HOST = define("host", "0.0.0.0",
            "Address to listen on.", EdgeConfig::nonEmpty);
    public static final Setting<Integer> PORT = define("port", "8080",
            "TCP port to listen on; 0 picks a free port.", intIn(0, 65_535));
    public static final Setting<Integer> ADMIN_PORT = define("admin-port", "9464",
            "TCP port of the admin server (/metrics, /readyz with details, /healthz), on the same host; 0 picks a free "
                    + "port. Keep it away from the public network.", intIn(0, 65_535));
    public static final Setting<String> KAFKA_BOOTSTRAP = define("kafka-bootstrap", "localhost:9092",
            "Kafka bootstrap servers, host:port[,host:port...].", EdgeConfig::nonEmpty);
    public static final Setting<String> TOPIC = define("topic", "views",
            "Kafka topic the events are produced to.", EdgeConfig::nonEmpty);
    public static final Setting<String> CORS_ORIGINS = define("cors-origins", "*",
            "Origins allowed by CORS: * for any, or a comma-separated list of exact origins "
                    + "(e.g. https://a.example,https://b.example).", EdgeConfig::nonEmpty);
    public static final Setting<Integer> MAX_BODY_BYTES = define("max-body-bytes", "1048576",
            "Largest request body accepted; larger bodies get 413.", intIn(1_024, 64 * 1024 * 1024));
    public static final Setting<Integer> MAX_BATCH_EVENTS = define("max-batch-events", "1000",
            "Most events in one batch; more get 413.", intIn(1, 100_000));
    public static final Setting<Integer> MAX_HEADER_BYTES = define("max-header-bytes", "8192",
            "Largest total size of a request's headers; larger get 431.", intIn(1_024, 1024 * 1024));
    public static final Setting<Integer> MAX_REQUEST_LINE_BYTES = define("max-request-line-bytes", "4096",
            "Longest request line (method, URL, version); longer get 414.", intIn(256, 1024 * 1024));
    public static final Setting<Integer> MAX_CONNECTIONS = define("max-connections", "10000",
            "Most client connections open at once; further ones are closed on accept.", intIn(1, 1_000_000));
    public static final Setting<Integer> MAX_PIPELINED_REQUESTS = define("max-pipelined-requests", "64",
            "Requests one connection may have waiting for their answers; past this the edge reads no more from it "
                    + "until answers have gone out.", intIn(1, 10_000));
    public static final Setting<Integer> IDLE_TIMEOUT_MS = define("idle-timeout-ms", "30000",
            "A connection that sends nothing for this long, with no reply pending, is closed (with 408 when it "
                    + "stopped mid-request).",
            intIn(100, 3_600_000));
    public static final Setting<Integer> REQUEST_TIMEOUT_MS = define("request-timeout-ms", "10000",
            "A request must arrive in full within this long of its first byte, else it gets 408 and the "
                    + "connection is closed (stops clients that trickle bytes).", intIn(100, 3_600_000));
    public static final Setting<Integer> IO_THREADS = define("io-threads", "0",
            "Event-loop threads serving connections; 0 means one per CPU core.", intIn(0, 1_024));
    public static final Setting<String> TRANSPORT = define("transport", "auto",
            "Network transport: auto (native epoll when available, else NIO), epoll or nio.",
            oneOf("auto", "epoll", "nio"));
    public static final Setting<Integer> SHUTDOWN_TIMEOUT_MS = define("shutdown-timeout-ms", "10000",
            "On shutdown, how long in-flight requests and the producer flush may take.", intIn(0, 600_000));
    public static final Setting<Integer> RETRY_AFTER_SECONDS = define("retry-after-seconds", "1",
            "Value of the Retry-After header sent with 503.", intIn(0, 3_600));
    public static final Setting<Integer> HEALTH_INTERVAL_MS = define("health-interval-ms", "2000",
            "How often Kafka's reachability is checked for /readyz.", intIn(100, 600_000));
    public static final Setting<Integer> KAFKA_STARTUP_WAIT_MS = define("kafka-startup-wait-ms", "10000",
            "At start, how long to wait for Kafka before listening anyway (not ready until Kafka answers).",
            intIn(0, 600_000));
    public static final Setting<Integer> KAFKA_LINGER_MS = define("kafka-linger-ms", "5",
            "Producer linger.ms: how long a batch waits for more events before it is sent.", intIn(0, 1_000));
    public static final Setting<Integer> KAFKA_BATCH_BYTES = define("kafka-batch-bytes", "131072",
            "Producer batch.size: bytes per partition batch.", intIn(1_024, 16 * 1024 * 1024));
    public static final Setting<String> KAFKA_COMPRESSION = define("kafka-compression", "lz4",
            "Producer compression.type: lz4, zstd, snappy, gzip or none.", oneOf("lz4", "zstd", "snappy", "gzip", "none"));
    public static final Setting<Integer> KAFKA_DELIVERY_TIMEOUT_MS = define("kafka-delivery-timeout-ms", "5000",
            "Producer delivery.timeout.ms: an event not acknowledged by then is answered 503.", intIn(1_000, 600_000));
    public static final Setting<Long> KAFKA_BUFFER_BYTES = define("kafka-buffer-bytes", "67108864",
            "Producer buffer.memory: events waiting for Kafka; when full, requests get 503 at once.",
            longIn(1024 * 1024, 16L * 1024 * 1024 * 1024));
    public static final Setting<Integer> KAFKA_MAX_BLOCK_MS = define("kafka-max-block-ms", "0",
            "Producer max.block.ms: how long a send may wait for buffer space or metadata on an event-loop "
                    + "thread. 0 answers 503 at once instead of stalling other connections.", intIn(0, 1_000));
    public static final Setting<Map<String, String>> KAFKA_PROPERTIES = define("kafka-properties", "",
            "Extra Kafka client properties, comma-separated key=value (e.g. security.protocol=SSL), for the "
                    + "producer and the health check. Those that carry the delivery guarantee (acks, enable.idempotence, "
                    + "retries, max.in.flight.requests.per.connection, serializers) cannot be set.", EdgeConfig::properties);

    public static final Setting<Duration> MAX_FUTURE_SKEW = define("max-future-skew", "5m",
            "A view whose timestamp is more than this after the edge's clock is rejected with 400 (a device with a "
                    + "wrong clock would otherwise count views in the future); e.g. 30s, 5m, 1h. Old timestamps are "
                    + "accepted and counted.", EdgeConfig::positiveDuration);

    private final Map<Setting<?>, Object> values;
    private final boolean helpRequested;

    private EdgeConfig(Map<Setting<?>, Object> values, boolean helpRequested) {
        this.values = Collections.unmodifiableMap(values);
        this.helpRequested = helpRequested;
    }

    /** The defaults alone. */
    public static EdgeConfig defaults() {
        return parse(new String[0], Map.of());
    }

    /**
     * Reads flags ({@code --name value} or {@code --name=value}) and environment variables
     * ({@code EDGE_NAME}). Throws {@link IllegalArgumentException} naming the bad flag or variable.
     */
    public static EdgeConfig parse(String[] args, Map<String, String> env) {
        Map<Setting<?>, Object> values = new LinkedHashMap<>();
        for (Setting<?> setting : SETTINGS) {
            String fromEnv = env.get(setting.envName());
            values.put(setting, fromEnv != null
                    ? setting.parse(fromEnv, setting.envName())
                    : setting.parse(setting.defaultText, "default of " + setting.flag()));
        }
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "': settings are given as --name value (see --help)");
            }
            int eq = arg.indexOf('=');
            String flag = eq < 0 ? arg : arg.substring(0, eq);
            Setting<?> setting = byFlag(flag);
            String text;
            if (eq >= 0) {
                text = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                text = args[++i];
            } else {
                throw new IllegalArgumentException(flag + " needs a value (see --help)");
            }
            values.put(setting, setting.parse(text, flag));
        }
        return new EdgeConfig(values, help);
    }

    private static Setting<?> byFlag(String flag) {
        for (Setting<?> setting : SETTINGS) {
            if (setting.flag().equals(flag)) {
                return setting;
            }
        }
        throw new IllegalArgumentException("unknown flag " + flag + " (see --help for the list)");
    }

    public static List<Setting<?>> settings() {
        return Collections.unmodifiableList(SETTINGS);
    }

    /** The text {@code --help} prints: every flag, its environment variable, default and doc. */
    public static String usage() {
        StringBuilder out = new StringBuilder("Usage: edge-ingest [--flag value]...\n"
                + "Every flag can also be set by its environment variable; flags win.\n\n");
        for (Setting<?> s : SETTINGS) {
            out.append(String.format(Locale.ROOT, "  %-30s %-32s default: %s%n      %s%n",
                    s.flag(), s.envName(), s.defaultText.isEmpty() ? "(none)" : s.defaultText, s.doc));
        }
        return out.toString();
    }

    public boolean helpRequested() {
        return helpRequested;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        return (T) values.get(setting);
    }

    /** A copy with {@code setting} changed; the value is checked as its flag would be. */
    public <T> EdgeConfig with(Setting<T> setting, T value) {
        Objects.requireNonNull(value, setting.flag());
        String text = value instanceof Map<?, ?> map ? joinProperties(map)
                : value instanceof Duration duration ? duration.toMillis() + "ms"
                : String.valueOf(value);
        Map<Setting<?>, Object> copy = new LinkedHashMap<>(values);
        copy.put(setting, setting.parse(text, setting.flag()));
        return new EdgeConfig(copy, helpRequested);
    }

    public EdgeConfig withPort(int port) {
        return with(PORT, port);
    }

    public EdgeConfig withKafkaBootstrap(String bootstrap) {
        return with(KAFKA_BOOTSTRAP, bootstrap);
    }

    public EdgeConfig withTopic(String topic) {
        return with(TOPIC, topic);
    }

    public String host() {
        return get(HOST);
    }

    public int port() {
        return get(PORT);
    }

    public int adminPort() {
        return get(ADMIN_PORT);
    }

    public String kafkaBootstrap() {
        return get(KAFKA_BOOTSTRAP);
    }

    public String topic() {
        return get(TOPIC);
    }

    public Duration maxFutureSkew() {
        return get(MAX_FUTURE_SKEW);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("EdgeConfig{");
        values.forEach((s, v) -> out.append(s.name).append('=')
                .append(s == KAFKA_PROPERTIES ? ((Map<?, ?>) v).keySet() : v).append(", ")); // values may be secrets
        out.setLength(out.length() - 2);
        return out.append('}').toString();
    }

    private static <T> Setting<T> define(String name, String defaultText, String doc, Function<String, T> parser) {
        Setting<T> setting = new Setting<>(name, defaultText, doc, parser);
        SETTINGS.add(setting);
        return setting;
    }

    private static String nonEmpty(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return text;
    }

    private static Function<String, Integer> intIn(int min, int max) {
        return text -> (int) (long) longIn(min, max).apply(text);
    }

    private static Function<String, Long> longIn(long min, long max) {
        return text -> {
            long value;
            try {
                value = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number from " + min + " to " + max + ", got '" + text + "'");
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException("expected a whole number from " + min + " to " + max + ", got " + value);
            }
            return value;
        };
    }

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

    /** {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}, {@code 1d}: the syntax of the job's durations. */
    private static Duration positiveDuration(String text) {
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException(text.startsWith("-")
                    ? "must be longer than 0, got '" + text + "'"
                    : "expected a duration such as 500ms, 30s, 5m, 1h or 1d, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration duration = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (duration.isZero()) {
            throw new IllegalArgumentException("must be longer than 0, got '" + text + "'");
        }
        return duration;
    }

    private static Function<String, String> oneOf(String... choices) {
        return text -> {
            for (String choice : choices) {
                if (choice.equalsIgnoreCase(text)) {
                    return choice;
                }
            }
            throw new IllegalArgumentException("expected one of " + String.join(", ", choices) + ", got '" + text + "'");
        };
    }

    /** Settings that carry the edge's delivery guarantee, so they cannot be overridden by --kafka-properties. */
    static final List<String> FIXED_PRODUCER_PROPERTIES = List.of("acks", "enable.idempotence", "key.serializer",
            "value.serializer", "max.in.flight.requests.per.connection", "retries");

    private static Map<String, String> properties(String text) {
        Map<String, String> props = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return Collections.unmodifiableMap(props);
        }
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value pairs separated by commas, got an entry without '='");
            }
            String key = pair.substring(0, eq).trim();
            if (FIXED_PRODUCER_PROPERTIES.contains(key)) {
                throw new IllegalArgumentException(key + " is fixed by the edge's delivery guarantee and cannot be set");
            }
            props.put(key, pair.substring(eq + 1).trim());
        }
        return Collections.unmodifiableMap(props);
    }

    private static String joinProperties(Map<?, ?> map) {
        StringBuilder out = new StringBuilder();
        map.forEach((k, v) -> out.append(out.length() == 0 ? "" : ",").append(k).append('=').append(v));
        return out.toString();
    }
}
