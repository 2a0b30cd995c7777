package dev.pageviews.edge.config;

import dev.pageviews.edge.admit.SitePolicy;
import dev.pageviews.edge.http.CorsPolicy;
import dev.pageviews.settings.ClientProperties;
import dev.pageviews.settings.Setting;
import dev.pageviews.settings.Settings;
import dev.pageviews.settings.SettingsSchema;
import dev.pageviews.settings.ValueType;
import dev.pageviews.settings.Values;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every setting of the edge, in the spirit of Kafka's {@code ProducerConfig}: each has a flag ({@code --port}),
 * an environment variable ({@code EDGE_PORT}), a default and a doc string ({@link SettingsSchema}, the mechanism
 * the job and {@code up} share). Flags win over the environment, which wins over defaults. Durations and sizes
 * take Flink's syntax ({@code 30s}, {@code 10min}; {@code 64kb}, {@code 1mb}).
 *
 * <p>Instances are immutable; the {@code with...} methods return changed copies.
 */
public final class EdgeConfig {

    public static final SettingsSchema SCHEMA = new SettingsSchema("edge-ingest", "EDGE_",
            "The pageviews edge: POST /api/v1/track and /api/v1/track/batch, answered 202 once Kafka acknowledged.");

    public static final Setting<String> HOST = SCHEMA.define("host").defaultValue("0.0.0.0")
            .doc("Address to listen on.").of(Values.nonEmptyText());
    public static final Setting<Integer> PORT = SCHEMA.define("port").defaultValue("8080")
            .doc("TCP port to listen on; 0 picks a free port.").of(Values.port());
    public static final Setting<Integer> ADMIN_PORT = SCHEMA.define("admin-port").defaultValue("9464")
            .doc("TCP port of the admin server (/metrics, /readyz with details, /healthz), on the same host; 0 picks a "
                    + "free port. Keep it away from the public network.")
            .of(Values.port());
    public static final Setting<String> KAFKA_BOOTSTRAP = SCHEMA.define("kafka-bootstrap").defaultValue("localhost:9092")
            .doc("Kafka bootstrap servers, host:port[,host:port...].").of(Values.nonEmptyText());
    public static final Setting<String> TOPIC = SCHEMA.define("topic").defaultValue("views")
            .doc("Kafka topic the events are produced to.").of(Values.nonEmptyText());
    public static final Setting<String> CORS_ORIGINS = SCHEMA.define("cors-origins").defaultValue("*")
            .doc("Origins allowed by CORS: * for any, or a comma-separated list of exact origins "
                    + "(e.g. https://a.example,https://b.example).")
            .of(Values.checked(Values.nonEmptyText(), CorsPolicy::parse));
    public static final Setting<Integer> MAX_BODY_SIZE = SCHEMA.define("max-body-size").defaultValue("1mb")
            .doc("Largest request body accepted; larger bodies get 413.").of(Values.intBytes(1024, 64 << 20));
    public static final Setting<Long> MAX_BODY_MEMORY = SCHEMA.define("max-body-memory").defaultValue("32mb")
            .doc("Most bytes the request bodies being received may hold together; a body that does not fit gets 503 "
                    + "with Retry-After. Bodies over 64kb may use only half, so slow large uploads cannot starve small "
                    + "requests. Bounds the edge's direct memory; see k8s/README.md.")
            .of(Values.bytes(128 << 10, 16L << 30));
    public static final Setting<Integer> MAX_BATCH_EVENTS = SCHEMA.define("max-batch-events").defaultValue("1000")
            .doc("Most events in one batch; more get 413.").of(Values.intIn(1, 100_000));
    public static final Setting<Integer> MAX_HEADER_SIZE = SCHEMA.define("max-header-size").defaultValue("8kb")
            .doc("Largest total size of a request's headers; larger get 431.").of(Values.intBytes(1024, 1 << 20));
    public static final Setting<Integer> MAX_REQUEST_LINE_SIZE = SCHEMA.define("max-request-line-size").defaultValue("4kb")
            .doc("Longest request line (method, URL, version); longer get 414.").of(Values.intBytes(256, 1 << 20));
    public static final Setting<String> TRACKER_PATH = SCHEMA.define("tracker-path").defaultValue("/pv.js")
            .doc("Path of the browser tracker script (GET); another name keeps ad-block lists that match /pv.js from "
                    + "catching it; none serves no script.")
            .of(Values.checked(Values.nonEmptyText(), EdgeConfig::checkTrackerPath));
    public static final Setting<Integer> MAX_CONNECTIONS = SCHEMA.define("max-connections").defaultValue("10000")
            .doc("Most client connections open at once; further ones are closed on accept.").of(Values.intIn(1, 1_000_000));
    public static final Setting<Integer> MAX_PIPELINED_REQUESTS = SCHEMA.define("max-pipelined-requests").defaultValue("64")
            .doc("Requests one connection may have waiting for their answers; past this the edge reads no more from it "
                    + "until answers have gone out.")
            .of(Values.intIn(1, 10_000));
    public static final Setting<Duration> IDLE_TIMEOUT = SCHEMA.define("idle-timeout").defaultValue("30s")
            .doc("A connection that sends nothing for this long, with no reply pending, is closed (with 408 when it "
                    + "stopped mid-request).")
            .of(Values.duration(Duration.ofMillis(100), Duration.ofHours(1)));
    public static final Setting<Duration> REQUEST_TIMEOUT = SCHEMA.define("request-timeout").defaultValue("10s")
            .doc("A request must arrive in full within this long of its first byte, else it gets 408 and the "
                    + "connection is closed (stops clients that trickle bytes).")
            .of(Values.duration(Duration.ofMillis(100), Duration.ofHours(1)));
    public static final Setting<Integer> IO_THREADS = SCHEMA.define("io-threads").defaultValue("0")
            .doc("Event-loop threads serving connections; 0 means one per CPU core.").of(Values.intIn(0, 1_024));
    public static final Setting<String> TRANSPORT = SCHEMA.define("transport").defaultValue("auto")
            .doc("Network transport: auto (io_uring when the kernel allows it, else native epoll, else NIO), io_uring, epoll or nio.")
            .of(Values.oneOf("auto", "io_uring", "epoll", "nio"));
    public static final Setting<Duration> SHUTDOWN_TIMEOUT = SCHEMA.define("shutdown-timeout").defaultValue("10s")
            .doc("On shutdown, how long in-flight requests and the producer flush may take.")
            .of(Values.duration(Duration.ZERO, Duration.ofMinutes(10)));
    public static final Setting<Duration> RETRY_AFTER = SCHEMA.define("retry-after").defaultValue("1s")
            .doc("Retry-After sent with 503, in whole seconds.")
            .of(wholeSeconds(Values.duration(Duration.ZERO, Duration.ofHours(1))));
    public static final Setting<Duration> HEALTH_INTERVAL = SCHEMA.define("health-interval").defaultValue("2s")
            .doc("How often Kafka's reachability is checked for /readyz.")
            .of(Values.duration(Duration.ofMillis(100), Duration.ofMinutes(10)));
    public static final Setting<Duration> KAFKA_STARTUP_WAIT = SCHEMA.define("kafka-startup-wait").defaultValue("10s")
            .doc("At start, how long to wait for Kafka before listening anyway (not ready until Kafka answers).")
            .of(Values.duration(Duration.ZERO, Duration.ofMinutes(10)));
    public static final Setting<Duration> KAFKA_LINGER = SCHEMA.define("kafka-linger").defaultValue("0")
            .doc("Producer linger.ms: how long a batch waits for more events before it is sent. With "
                    + "--kafka-max-in-flight 1 batches form while the previous one is at the broker, so no wait is needed.")
            .of(Values.duration(Duration.ZERO, Duration.ofSeconds(1)));
    public static final Setting<Integer> KAFKA_MAX_IN_FLIGHT = SCHEMA.define("kafka-max-in-flight").defaultValue("1")
            .doc("Producer max.in.flight.requests.per.connection (1 to 5, idempotence allows no more). 1: the next "
                    + "batch leaves the moment the previous one is acknowledged, so batches grow with the load and no "
                    + "event waits for a timer (BENCHMARKS.md, \"Why one produce in flight and no linger\").")
            .of(Values.intIn(1, 5));
    public static final Setting<Integer> KAFKA_BATCH_SIZE = SCHEMA.define("kafka-batch-size").defaultValue("128kb")
            .doc("Producer batch.size: bytes per partition batch.").of(Values.intBytes(1024, 16 << 20));
    public static final Setting<String> KAFKA_COMPRESSION = SCHEMA.define("kafka-compression").defaultValue("lz4")
            .doc("Producer compression.type: lz4, zstd, snappy, gzip or none.")
            .of(Values.oneOf("lz4", "zstd", "snappy", "gzip", "none"));
    public static final Setting<Duration> KAFKA_DELIVERY_TIMEOUT = SCHEMA.define("kafka-delivery-timeout").defaultValue("5s")
            .doc("Producer delivery.timeout.ms: an event not acknowledged by then is answered 503.")
            .of(Values.duration(Duration.ofSeconds(1), Duration.ofMinutes(10)));
    public static final Setting<Integer> KAFKA_PRODUCERS = SCHEMA.define("kafka-producers").defaultValue("1")
            .doc("Kafka producers the events are spread over (by user_id, so one user's events stay in order). A broker "
                    + "serves one request per connection at a time; more producers help only when the edge waits on a "
                    + "distant broker, and each costs CPU (BENCHMARKS.md, \"Why one producer\").")
            .of(Values.intIn(1, 64));
    public static final Setting<Long> KAFKA_BUFFER_MEMORY = SCHEMA.define("kafka-buffer-memory").defaultValue("64mb")
            .doc("Producer buffer.memory, shared by the producers: events waiting for Kafka; when full, requests get 503 at once.")
            .of(Values.bytes(1 << 20, 16L << 30));
    public static final Setting<Duration> KAFKA_MAX_BLOCK = SCHEMA.define("kafka-max-block").defaultValue("0")
            .doc("Producer max.block.ms: how long a send may wait for buffer space or metadata on an event-loop thread. "
                    + "0 answers 503 at once instead of stalling other connections.")
            .of(Values.duration(Duration.ZERO, Duration.ofSeconds(1)));
    public static final Setting<List<String>> KAFKA_PROPERTIES = SCHEMA.define("kafka-properties")
            .doc("Extra Kafka client properties for the producer and the health check, key=value, comma-separated "
                    + "(a comma inside a value as \\,) or the flag repeated: e.g. --kafka-properties security.protocol=SSL "
                    + "--kafka-properties ssl.enabled.protocols=TLSv1.3\\,TLSv1.2. Those that carry the delivery guarantee "
                    + "(acks, enable.idempotence, retries, serializers, and max.in.flight.requests.per.connection: use "
                    + "--kafka-max-in-flight) cannot be set.")
            .shownAs(ClientProperties::masked) // values may be secrets
            .of(ClientProperties.type(key -> EdgeConfig.FIXED_PRODUCER_PROPERTIES.contains(key)
                    ? key + " is fixed by the edge's delivery guarantee and cannot be set" : null));
    public static final Setting<Duration> MAX_FUTURE_SKEW = SCHEMA.define("max-future-skew").defaultValue("5m")
            .doc("A view whose timestamp is more than this after the edge's clock is rejected with 400 (a device with a "
                    + "wrong clock would otherwise count views in the future); e.g. 30s, 5m, 1h. Old timestamps are "
                    + "accepted and counted.")
            .of(Values.positiveDuration(Duration.ofDays(365)));

    public static final Setting<String> ALLOWED_SITES = SCHEMA.define("allowed-sites").defaultValue("*")
            .doc("Sites whose pages may send views: * for any, or comma-separated hosts (shop.example; *.shop.example for "
                    + "its subdomains). A view request is taken when the host of its Origin (else its Referer) is one of "
                    + "them, or when it carries a site key of --site-keys; others get 403 naming the header.")
            .of(Values.checked(Values.nonEmptyText(), sites -> SitePolicy.parse(sites, List.of())));
    public static final Setting<List<String>> SITE_KEYS = SCHEMA.define("site-keys").defaultValue("")
            .doc("Site keys that admit a view request whatever its Origin, for apps and servers: sent as the header "
                    + "X-Site-Key or the query parameter site_key (the tracker's data-site-key), comma-separated, 8 to 128 "
                    + "characters of A-Z a-z 0-9 _ - each. A request with a key not listed gets 403.")
            .shownAs(keys -> keys.isEmpty() ? keys : "****")
            .of(Values.listOf(Values.checked(Values.nonEmptyText(), SitePolicy::checkKey)));
    public static final Setting<Integer> RATE_LIMIT = SCHEMA.define("rate-limit").defaultValue("200")
            .doc("Events per second one client may send, on average (a batch counts each event); 0 for no limit. A "
                    + "client over it gets 429 with Retry-After for the whole request. Clients are told apart by their "
                    + "address (an IPv6 client by its /64); behind proxies set --trusted-proxy-hops.")
            .of(Values.intIn(0, 1_000_000));
    public static final Setting<Integer> RATE_LIMIT_BURST = SCHEMA.define("rate-limit-burst").defaultValue("2000")
            .doc("Events one client may send at once above --rate-limit, after a pause; at least --max-batch-events.")
            .of(Values.intIn(1, 100_000_000));
    public static final Setting<Integer> RATE_LIMIT_CLIENTS = SCHEMA.define("rate-limit-clients").defaultValue("50000")
            .doc("Most clients the rate limit holds a bucket for (about 500 bytes of heap each: 25 MB at the default). When "
                    + "more are active at "
                    + "once, the least likely to return are forgotten, and start again with a full burst "
                    + "(edge_rate_limit_evictions_total).")
            .of(Values.intIn(1, 10_000_000));
    public static final Setting<Integer> TRUSTED_PROXY_HOPS = SCHEMA.define("trusted-proxy-hops").defaultValue("0")
            .doc("Proxies in front of the edge that append the address they received a request from to "
                    + "X-Forwarded-For (a load balancer, an ingress controller): the client is the address that many "
                    + "entries from the right. 0: the TCP peer, and X-Forwarded-For is ignored (a client can write it).")
            .of(Values.intIn(0, 10));
    public static final Setting<Boolean> BOT_FILTER = SCHEMA.define("bot-filter").defaultValue("true")
            .doc("Answer views whose User-Agent is a known bot's (ua-parser's list of crawlers) with 202, but do not "
                    + "produce them (edge_events_filtered_total{reason=\"bot\"}).")
            .of(Values.bool());

    static {
        SCHEMA.check(s -> {
            if (s.get(RATE_LIMIT) > 0 && s.get(RATE_LIMIT_BURST) < s.get(MAX_BATCH_EVENTS)) {
                throw s.invalid(RATE_LIMIT_BURST, "must be at least " + MAX_BATCH_EVENTS.flag() + " ("
                        + s.text(MAX_BATCH_EVENTS) + "), or a full batch could never be sent");
            }
        });
        SCHEMA.check(s -> {
            if (s.get(PORT) != 0 && s.get(PORT).equals(s.get(ADMIN_PORT))) {
                throw s.invalid(ADMIN_PORT, "is " + PORT.flag() + " too; the admin port must be another (0 picks a free one)");
            }
        });
        SCHEMA.check(s -> {
            if (s.get(MAX_BODY_MEMORY) < 2L * s.get(MAX_BODY_SIZE)) {
                throw s.invalid(MAX_BODY_MEMORY, "must be at least twice " + MAX_BODY_SIZE.flag() + " ("
                        + s.text(MAX_BODY_SIZE) + "): a body of the largest size may use only half of it");
            }
            if (s.get(KAFKA_DELIVERY_TIMEOUT).compareTo(s.get(KAFKA_LINGER).plusMillis(500)) < 0) {
                throw s.invalid(KAFKA_DELIVERY_TIMEOUT, "must be at least 500ms more than " + KAFKA_LINGER.flag() + " ("
                        + s.text(KAFKA_LINGER) + "): Kafka needs delivery.timeout.ms >= linger.ms + request.timeout.ms");
            }
        });
    }

    /** Settings that carry the edge's delivery guarantee, so they cannot be overridden by --kafka-properties. */
    static final List<String> FIXED_PRODUCER_PROPERTIES = List.of("acks", "enable.idempotence", "key.serializer",
            "value.serializer", "max.in.flight.requests.per.connection", "retries");

    private final Settings settings;

    private EdgeConfig(Settings settings) {
        this.settings = settings;
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
        return new EdgeConfig(SCHEMA.parse(args, env));
    }

    public static List<Setting<?>> settings() {
        return SCHEMA.settings();
    }

    /** The text {@code --help} prints: every flag, its environment variable, default and doc. */
    public static String usage() {
        return SCHEMA.help();
    }

    public boolean helpRequested() {
        return settings.helpRequested();
    }

    public <T> T get(Setting<T> setting) {
        return settings.get(setting);
    }

    /** A copy with {@code setting} changed; the value is checked as its flag would be. */
    public <T> EdgeConfig with(Setting<T> setting, T value) {
        return new EdgeConfig(settings.with(setting, value));
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

    /** The tracker script's path, or null when {@code --tracker-path none}. */
    public String trackerPath() {
        String path = get(TRACKER_PATH);
        return path.equals("none") ? null : path;
    }

    private static void checkTrackerPath(String path) {
        if (path.equals("none")) {
            return;
        }
        if (!path.matches("/[A-Za-z0-9._~/-]{1,200}")) {
            throw new IllegalArgumentException("must be a path like /pv.js (letters, digits and . _ ~ / -), or none");
        }
        if (dev.pageviews.edge.http.Paths.isEndpoint(path)) {
            throw new IllegalArgumentException("is already the path of another endpoint");
        }
    }

    /** {@code --allowed-sites} and {@code --site-keys}. */
    public SitePolicy sitePolicy() {
        return SitePolicy.parse(get(ALLOWED_SITES), get(SITE_KEYS));
    }

    /** {@code --kafka-properties} as client properties. */
    public Map<String, String> kafkaProperties() {
        return ClientProperties.toMap(get(KAFKA_PROPERTIES));
    }

    @Override
    public String toString() {
        return "EdgeConfig" + settings.shown();
    }

    private static ValueType<Duration> wholeSeconds(ValueType<Duration> type) {
        return Values.checked(type, d -> {
            if (d.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException("'" + type.format(d) + "' is not whole seconds (Retry-After counts seconds)");
            }
        });
    }
}
