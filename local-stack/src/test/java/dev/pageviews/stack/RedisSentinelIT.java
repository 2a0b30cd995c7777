package dev.pageviews.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** {@link RedisSentinel}: it starts as operators run it, and fails over as Sentinel does. */
class RedisSentinelIT {

    @Test
    void promotesTheReplicaWhenThePrimaryIsKilledAndTakesTheOldPrimaryBackAsAReplica() {
        TestCertificates certificates = TestCertificates.shared();
        try (RedisSentinel sentinel = RedisSentinel.builder(LocalStackExtension.newWorkDir())
                .tls(certificates).admin("admin", "admin-secret").sentinelAuth(null, "sentinel-secret")
                .user("app on >app-secret ~* +@all").start()) {
            assertThat(sentinel.uri()).matches("rediss-sentinel://127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+,127\\.0\\.0\\.1:\\d+#pageviews");
            RedisServer primary = sentinel.primary();
            assertThat(primary).isSameAs(sentinel.nodes().get(0));
            try (RedisSentinelClient client = client(sentinel, certificates)) {
                assertThat(client.getCurrentMaster().getPort()).isEqualTo(primary.port());
            }
            try (Jedis jedis = primary.client()) {
                jedis.hset("page_views", "/home", "7");
                assertThat(jedis.waitReplicas(1, 10_000)).as("replicas that acknowledged the write").isEqualTo(1);
            }

            RedisServer killed = sentinel.killPrimary();
            assertThat(killed).isSameAs(primary);
            long started = System.nanoTime();
            RedisServer promoted = sentinel.awaitPromotion(killed, Duration.ofSeconds(30));
            assertThat(promoted).isSameAs(sentinel.nodes().get(1));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            try (RedisSentinelClient client = client(sentinel, certificates)) {
                assertThat(client.getCurrentMaster().getPort()).isEqualTo(promoted.port());
                assertThat(client.hget("page_views", "/home")).as("the acknowledged write survived").isEqualTo("7");
            }

            sentinel.restart(killed);
            assertThat(sentinel.replicas()).containsExactly(killed);
            try (Jedis jedis = killed.client()) {
                assertThat(jedis.hget("page_views", "/home")).as("synced from the new primary").isEqualTo("7");
            }
        }
    }

    @Test
    void sentinelsAskForTheirOwnUserAndAClientCertificate() {
        TestCertificates certificates = TestCertificates.shared();
        try (RedisSentinel sentinel = RedisSentinel.builder(LocalStackExtension.newWorkDir()).replicas(1).sentinels(1, 1)
                .tls(certificates).sentinelAuth("watcher", "watcher-secret").start()) {
            HostAndPort address = sentinel.sentinelAddresses().get(0);
            try (Jedis jedis = new Jedis(address, sentinel.sentinelClientConfig())) {
                assertThat(jedis.sentinelGetMasterAddrByName("pageviews")).containsExactly("127.0.0.1",
                        Integer.toString(sentinel.primary().port()));
            }
            assertThatThrownBy(() -> ping(address, DefaultJedisClientConfig.builder()
                    .sslOptions(RedisServer.sslOptions(certificates)).user("watcher").password("wrong").build()))
                    .hasMessageContaining("WRONGPASS");
            SslOptions noCertificate = SslOptions.builder()
                    .truststore(certificates.truststore().toFile(), certificates.password().toCharArray()).build();
            assertThatThrownBy(() -> ping(address, DefaultJedisClientConfig.builder().sslOptions(noCertificate)
                    .user("watcher").password("watcher-secret").build()))
                    .isInstanceOf(JedisConnectionException.class);
        }
    }

    private static String ping(HostAndPort address, redis.clients.jedis.JedisClientConfig config) {
        try (Jedis jedis = new Jedis(address, config)) {
            return jedis.ping();
        }
    }

    private static RedisSentinelClient client(RedisSentinel sentinel, TestCertificates certificates) {
        return RedisSentinelClient.builder()
                .masterName(sentinel.masterName())
                .sentinels(new HashSet<>(sentinel.sentinelAddresses()))
                .sentinelClientConfig(sentinel.sentinelClientConfig())
                .clientConfig(DefaultJedisClientConfig.builder().sslOptions(RedisServer.sslOptions(certificates))
                        .user("app").password("app-secret").build())
                .build();
    }
}
