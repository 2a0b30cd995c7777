package dev.pageviews.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** {@link RedisCluster}: masters with replicas over TLS, and a replica's promotion when its master is killed. */
class RedisClusterIT {

    private static final String KEY = "page_views";

    @Test
    void aReplicaTakesOverTheSlotsOfAKilledMasterAndTheOldMasterRejoinsAsItsReplica() {
        TestCertificates certificates = TestCertificates.shared();
        try (RedisCluster cluster = RedisCluster.builder(LocalStackExtension.newWorkDir()).masters(3).replicasPerMaster(1)
                .tls(certificates).admin("admin", "admin-secret").start()) {
            assertThat(cluster.uri()).startsWith("rediss-cluster://127.0.0.1:");
            assertThat(cluster.nodes()).hasSize(6);
            RedisServer master = cluster.masterOf(KEY);
            assertThat(cluster.replicasOf(master)).hasSize(1);
            RedisServer replica = cluster.replicasOf(master).get(0);
            try (Jedis jedis = master.client()) {
                jedis.hset(KEY, "/home", "3");
                assertThat(jedis.waitReplicas(1, 10_000)).isEqualTo(1);
            }
            SslOptions noCertificate = SslOptions.builder()
                    .truststore(certificates.truststore().toFile(), certificates.password().toCharArray()).build();
            assertThatThrownBy(() -> {
                try (Jedis jedis = new Jedis(master.hostAndPort(), DefaultJedisClientConfig.builder().sslOptions(noCertificate)
                        .user("admin").password("admin-secret").build())) {
                    jedis.ping();
                }
            }).as("TLS without a client certificate").isInstanceOf(JedisConnectionException.class);

            master.kill();
            long started = System.nanoTime();
            RedisServer promoted = cluster.awaitPromotion(master, KEY, Duration.ofSeconds(30));
            assertThat(promoted).isSameAs(replica);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
            try (RedisClusterClient client = cluster.client()) {
                assertThat(client.hget(KEY, "/home")).as("the acknowledged write survived").isEqualTo("3");
            }

            cluster.restart(master);
            // it comes back as a master without slots and learns of the failover by gossip a moment later
            Poll.until(master + " following " + promoted, Duration.ofSeconds(30),
                    () -> cluster.replicasOf(promoted).contains(master), cluster::describe);
            assertThat(cluster.replicasOf(promoted)).containsExactly(master);
        }
    }

    @Test
    void threeMastersWithoutReplicasAsBefore() {
        try (RedisCluster cluster = RedisCluster.start(LocalStackExtension.newWorkDir(), 3);
                RedisClusterClient client = cluster.client()) {
            assertThat(cluster.uri()).startsWith("redis-cluster://127.0.0.1:");
            assertThat(client.hincrBy(KEY, "/a", 2)).isEqualTo(2);
            assertThat(cluster.replicasOf(cluster.masterOf(KEY))).isEmpty();
        }
    }
}
