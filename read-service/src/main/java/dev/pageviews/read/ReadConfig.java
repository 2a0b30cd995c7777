package dev.pageviews.read;

import dev.pageviews.settings.RedisSentinelSettings;
import dev.pageviews.settings.RedisTls;
import dev.pageviews.settings.RedisTlsSettings;
import dev.pageviews.settings.RedisUri;
import dev.pageviews.settings.SentinelCredentials;
import dev.pageviews.settings.Setting;
import dev.pageviews.settings.Settings;
import dev.pageviews.settings.SettingsSchema;
import dev.pageviews.settings.Values;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;

/**
 * Every setting of the read service: flag ({@code --port}), environment variable ({@code PAGEVIEWS_PORT}), default and
 * doc ({@link SettingsSchema}, the mechanism the edge, the job and {@code up} share). Flags win over the environment,
 * which wins over defaults; durations take Flink's syntax ({@code 15s}, {@code 732d}).
 */
public final class ReadConfig {

    public static final SettingsSchema SCHEMA = new SettingsSchema("read-service", "PAGEVIEWS_",
            "The pageviews read service: POST /api/v2/query (Plausible's Stats API v2 over the job's time buckets in Redis), "
                    + "GET /api/v2/stream (Server-Sent Events after every commit) and the dashboard at /.");

    public static final Setting<String> HOST = SCHEMA.define("host").defaultValue("127.0.0.1")
            .doc("Address to listen on. Any address beyond loopback needs --api-token.").of(Values.nonEmptyText());
    public static final Setting<Integer> PORT = SCHEMA.define("port").defaultValue("8090")
            .doc("TCP port to listen on; 0 picks a free port.").of(Values.port());
    public static final Setting<String> REDIS = SCHEMA.define("redis").defaultValue("redis://localhost:6379")
            .doc("Redis the job counts into, in the job's forms: redis://[[user]:password@]host:port[/db], "
                    + "redis-cluster://[[user]:password@]host:port,host:port,..., "
                    + "redis-sentinel://[[user]:password@]host:port,...[/db]#primaryName (rediss... for TLS: see "
                    + "--redis-tls-truststore); user and password percent-encoded. A read-only user is enough: "
                    + "+@read +subscribe ~<key>* ~{<key>}* &{<key>}:commits.")
            .shownAs(RedisUri::withoutCredentials)
            .of(Values.checked(Values.nonEmptyText(), RedisUri::parse));
    public static final RedisTlsSettings REDIS_TLS = RedisTlsSettings.define(SCHEMA, REDIS, "the read service",
            "A file at this path where the service runs", "");
    public static final Setting<String> REDIS_TLS_TRUSTSTORE = REDIS_TLS.truststore();
    public static final Setting<String> REDIS_TLS_TRUSTSTORE_PASSWORD = REDIS_TLS.truststorePassword();
    public static final Setting<String> REDIS_TLS_KEYSTORE = REDIS_TLS.keystore();
    public static final Setting<String> REDIS_TLS_KEYSTORE_PASSWORD = REDIS_TLS.keystorePassword();
    public static final Setting<Boolean> REDIS_TLS_VERIFY_HOSTNAME = REDIS_TLS.verifyHostname();
    public static final RedisSentinelSettings REDIS_SENTINEL = RedisSentinelSettings.define(SCHEMA, REDIS);
    public static final Setting<String> REDIS_SENTINEL_USER = REDIS_SENTINEL.user();
    public static final Setting<String> REDIS_SENTINEL_PASSWORD = REDIS_SENTINEL.password();
    public static final Setting<String> REDIS_KEY = SCHEMA.define("redis-key").defaultValue("page_views")
            .doc("The job's counts hash (its --redis-key); the time buckets, visitors and commit record are the keys "
                    + "with its hash tag, {page_views}:...").of(Values.nonEmptyText());
    public static final Setting<Duration> REDIS_TIMEOUT = SCHEMA.define("redis-timeout").defaultValue("2s")
            .doc("Redis connect and read timeout; a query Redis does not answer in time gets 503.")
            .of(Values.duration(Duration.ofMillis(10), Duration.ofMinutes(1)));
    public static final Setting<String> SITE_ID = SCHEMA.define("site-id").defaultValue("localhost")
            .doc("The site_id queries must name (Plausible's site domain); others get 400.").of(Values.nonEmptyText());
    public static final Setting<String> API_TOKEN = SCHEMA.define("api-token")
            .doc("When set, /api/ requests need Authorization: Bearer <token> (the stream also takes ?access_token=<token>, "
                    + "as EventSource cannot send headers); else 401. Required when --host is not loopback.")
            .secret().of(Values.text());
    public static final Setting<Duration> MAX_RANGE = SCHEMA.define("max-range").defaultValue("732d")
            .doc("The longest date_range answered; longer ones get 400. Bounds the buckets one query reads.")
            .of(Values.duration(Duration.ofDays(1), Duration.ofDays(36_600)));
    public static final Setting<Integer> MAX_LIMIT = SCHEMA.define("max-limit").defaultValue("10000")
            .doc("The largest pagination.limit (rows per answer); larger get 400.").of(Values.intIn(1, 1_000_000));
    public static final Setting<Integer> MAX_CONCURRENT_QUERIES = SCHEMA.define("max-concurrent-queries").defaultValue("8")
            .doc("Queries read from Redis at once (threads beside the event loop); further ones get 503 with Retry-After.")
            .of(Values.intIn(1, 1_024));
    public static final Setting<Integer> MAX_STREAMS = SCHEMA.define("max-streams").defaultValue("1000")
            .doc("Server-Sent Event streams open at once (/api/v2/stream); further ones get 503 with Retry-After.")
            .of(Values.intIn(1, 1_000_000));
    public static final Setting<Integer> STREAM_BUFFER = SCHEMA.define("stream-buffer").defaultValue("64kb")
            .doc("Bytes a stream may have waiting for a slow client; a client that falls further behind is disconnected "
                    + "(its browser reconnects and catches up with Last-Event-ID).")
            .of(Values.intBytes(1024, 16 << 20));
    public static final Setting<Duration> HEARTBEAT = SCHEMA.define("heartbeat").defaultValue("15s")
            .doc("How often a stream gets a comment line when no commit comes, so proxies keep it open.")
            .of(Values.duration(Duration.ofMillis(100), Duration.ofMinutes(10)));
    public static final Setting<Integer> MAX_BODY_SIZE = SCHEMA.define("max-body-size").defaultValue("64kb")
            .doc("Largest query body; larger get 413.").of(Values.intBytes(1024, 16 << 20));
    public static final Setting<Duration> CONNECTION_IDLE_TIMEOUT = SCHEMA.define("connection-idle-timeout").defaultValue("60s")
            .doc("A connection (not a stream) that sends nothing for this long is closed.")
            .of(Values.duration(Duration.ofSeconds(1), Duration.ofHours(1)));

    static {
        SCHEMA.check(REDIS_TLS::check);
        SCHEMA.check(REDIS_TLS::checkStores);
        SCHEMA.check(REDIS_SENTINEL::check);
        SCHEMA.check(s -> {
            if (s.get(API_TOKEN).isEmpty() && !loopback(s.get(HOST))) {
                throw s.invalid(HOST, "is beyond loopback, so the stats would be open to anyone who reaches it: set "
                        + API_TOKEN.label() + " (clients send Authorization: Bearer <token>), or listen on 127.0.0.1");
            }
        });
    }

    private final Settings settings;

    private ReadConfig(Settings settings) {
        this.settings = settings;
    }

    /** From {@code args} over {@code env} over the defaults; {@link dev.pageviews.settings.SettingsException} names the flag. */
    public static ReadConfig parse(String[] args, Map<String, String> env) {
        return new ReadConfig(SCHEMA.parse(args, env));
    }

    public boolean helpRequested() {
        return settings.helpRequested();
    }

    public <T> T get(Setting<T> setting) {
        return settings.get(setting);
    }

    /** A copy with {@code setting} changed; the value is checked as its flag would be. */
    public <T> ReadConfig with(Setting<T> setting, T value) {
        return new ReadConfig(settings.with(setting, value));
    }

    public static String help() {
        return SCHEMA.help();
    }

    /** Whether {@code host} names only this machine: a loopback address or {@code localhost}. */
    static boolean loopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:.]+]?")) {
            return false; // a name other than localhost: where it resolves may change
        }
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public String host() { return settings.get(HOST); }
    public int port() { return settings.get(PORT); }
    public RedisUri redis() { return RedisUri.parse(settings.get(REDIS)); }
    public RedisTls redisTls() { return REDIS_TLS.of(settings); }
    public SentinelCredentials redisSentinel() { return REDIS_SENTINEL.of(settings); }
    public String redisKey() { return settings.get(REDIS_KEY); }
    public Duration redisTimeout() { return settings.get(REDIS_TIMEOUT); }
    public String siteId() { return settings.get(SITE_ID); }
    public String apiToken() { return settings.get(API_TOKEN); }
    public Duration maxRange() { return settings.get(MAX_RANGE); }
    public int maxLimit() { return settings.get(MAX_LIMIT); }
    public int maxConcurrentQueries() { return settings.get(MAX_CONCURRENT_QUERIES); }
    public int maxStreams() { return settings.get(MAX_STREAMS); }
    public int streamBuffer() { return settings.get(STREAM_BUFFER); }
    public Duration heartbeat() { return settings.get(HEARTBEAT); }
    public int maxBodySize() { return settings.get(MAX_BODY_SIZE); }
    public Duration idleTimeout() { return settings.get(CONNECTION_IDLE_TIMEOUT); }

    /** Every setting as logs may show it: the token and the Redis and TLS store passwords masked. */
    @Override
    public String toString() {
        return settings.toString();
    }
}
