package dev.pageviews.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/** {@link RedisServer} as operators run it: TLS with client certificates, ACL users, a replica, a memory limit. */
class RedisServerIT {

    @Test
    void servesTlsOnlyAndOnlyToClientsWithACertificateItsCaSigned() {
        TestCertificates certificates = TestCertificates.shared();
        try (RedisServer redis = RedisServer.builder(LocalStackExtension.newWorkDir()).tls(certificates).start()) {
            assertThat(redis.uri()).isEqualTo("rediss://127.0.0.1:" + redis.port());
            try (Jedis jedis = redis.client()) {
                assertThat(jedis.hincrBy("page_views", "/home", 2)).isEqualTo(2);
            }
            assertThatThrownBy(() -> ping(redis, DefaultJedisClientConfig.builder().timeoutMillis(2000).build()))
                    .as("plain text on the TLS port").isInstanceOf(JedisConnectionException.class);
            SslOptions noCertificate = SslOptions.builder()
                    .truststore(certificates.truststore().toFile(), certificates.password().toCharArray()).build();
            assertThatThrownBy(() -> ping(redis, DefaultJedisClientConfig.builder().sslOptions(noCertificate).build()))
                    .as("TLS without a client certificate").isInstanceOf(JedisConnectionException.class);

            TestCertificates otherCa = TestCertificates.create(LocalStackExtension.newWorkDir().resolve("other-ca"));
            assertThatThrownBy(() -> ping(redis, DefaultJedisClientConfig.builder().sslOptions(RedisServer.sslOptions(otherCa)).build()))
                    .as("a client that trusts another CA, with a certificate of that CA")
                    .isInstanceOf(JedisConnectionException.class)
                    .hasStackTraceContaining("PKIX path building failed");
        }
    }

    @Test
    void usersHaveTheirRightsAndTheDefaultUserIsOff() {
        try (RedisServer redis = RedisServer.builder(LocalStackExtension.newWorkDir())
                .admin("admin", "admin-secret")
                .user("app on >p@ss,w:o%r/d ~page_views* ~{page_views}* +hincrby +ping")
                .start()) {
            try (Jedis anonymous = new Jedis(redis.hostAndPort(), DefaultJedisClientConfig.builder().build())) {
                assertThatThrownBy(() -> anonymous.get("k")).hasMessageStartingWith("NOAUTH");
            }
            try (Jedis app = new Jedis(redis.hostAndPort(), DefaultJedisClientConfig.builder().user("app").password("p@ss,w:o%r/d").build())) {
                assertThat(app.hincrBy("page_views", "/home", 1)).isEqualTo(1);
                assertThatThrownBy(() -> app.set("other", "1")).isInstanceOf(JedisAccessControlException.class)
                        .hasMessageStartingWith("NOPERM");
            }
            try (Jedis admin = redis.client()) {
                assertThat(admin.hget("page_views", "/home")).isEqualTo("1");
                assertThat(admin.aclUsers()).containsExactlyInAnyOrder("default", "admin", "app");
            }
            assertThat(redis.uri("app", "p@ss,w:o%r/d")).isEqualTo("redis://app:p%40ss%2Cw%3Ao%25r%2Fd@127.0.0.1:" + redis.port());
        }
    }

    @Test
    void aReplicaOverTlsWithUsersFollowsItsPrimary() throws Exception {
        TestCertificates certificates = TestCertificates.shared();
        try (RedisServer primary = RedisServer.builder(LocalStackExtension.newWorkDir()).tls(certificates).admin("admin", "pw").start();
                RedisServer replica = RedisServer.builder(LocalStackExtension.newWorkDir()).tls(certificates).admin("admin", "pw")
                        .replicaOf(primary.hostAndPort()).start()) {
            try (Jedis jedis = primary.client()) {
                jedis.hset("page_views", "/a", "5");
                assertThat(jedis.waitReplicas(1, 10_000)).as("replicas that acknowledged").isEqualTo(1);
            }
            try (Jedis jedis = replica.client()) {
                assertThat(jedis.hget("page_views", "/a")).isEqualTo("5");
                assertThat(jedis.info("replication")).contains("role:slave", "master_link_status:up");
                assertThatThrownBy(() -> jedis.hset("page_views", "/a", "6")).hasMessageStartingWith("READONLY");
            }
        }
    }

    @Test
    void aReplicaCutOffLacksTheWritesAfterTheCutWhenItsPrimaryDies() {
        try (RedisServer primary = RedisServer.builder(LocalStackExtension.newWorkDir()).start();
                RedisServer replica = RedisServer.builder(LocalStackExtension.newWorkDir()).replicaOf(primary.hostAndPort()).start()) {
            try (Jedis jedis = primary.client()) {
                jedis.set("before", "1");
                assertThat(jedis.waitReplicas(1, 10_000)).isEqualTo(1);
                primary.cutOff(replica, () -> { });
                jedis.set("after", "1");
                assertThat(jedis.waitReplicas(1, 300)).as("replicas that acknowledged the write after the cut").isZero();
            }
            primary.kill();
            replica.resume();
            try (Jedis jedis = replica.client()) {
                assertThat(jedis.get("before")).isEqualTo("1");
                assertThat(jedis.get("after")).as("written on the primary alone").isNull();
            }
        }
    }

    @Test
    void aMemoryLimitWithNoevictionRefusesWrites() {
        try (RedisServer redis = RedisServer.builder(LocalStackExtension.newWorkDir()).maxmemory("1", "noeviction").start();
                Jedis jedis = redis.client()) {
            assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "noeviction");
            assertThatThrownBy(() -> jedis.set("k", "v")).isInstanceOf(JedisDataException.class).hasMessageStartingWith("OOM");
        }
    }

    @Test
    void aPausedServerAnswersNothingUntilResumedAndStillStopsAtOnce() {
        try (RedisServer redis = RedisServer.builder(LocalStackExtension.newWorkDir()).start()) {
            redis.pause();
            assertThat(redis.isPaused()).isTrue();
            assertThatThrownBy(() -> ping(redis, DefaultJedisClientConfig.builder().timeoutMillis(500).build()))
                    .isInstanceOf(JedisConnectionException.class);
            redis.resume();
            try (Jedis jedis = redis.client()) {
                assertThat(jedis.ping()).isEqualTo("PONG");
            }
            redis.pause();
            long started = System.nanoTime();
            redis.stop();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("a paused server stops without the kill's grace period")
                    .isLessThan(Duration.ofSeconds(10));
            assertThat(redis.isRunning()).isFalse();
        }
    }

    @Test
    void theExistingStartWithExtraArgumentsStillWorks() {
        try (RedisServer redis = RedisServer.start(LocalStackExtension.newWorkDir(), 0, RedisServer.Persistence.NONE,
                List.of("--maxmemory-policy", "allkeys-lru"));
                Jedis jedis = redis.client()) {
            assertThat(redis.uri()).startsWith("redis://127.0.0.1:");
            assertThat(jedis.configGet("maxmemory-policy")).containsEntry("maxmemory-policy", "allkeys-lru");
        }
    }

    private static String ping(RedisServer redis, redis.clients.jedis.JedisClientConfig config) {
        try (Jedis jedis = new Jedis(redis.hostAndPort(), config)) {
            return jedis.ping();
        }
    }
}
