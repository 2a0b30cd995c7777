package dev.pageviews.job.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.job.RedisUri;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

/** The commit script against a real redis-server: all or nothing, at most once, whatever the hash holds. */
class IncrementScriptIT {

    private static RedisServer server;
    private static UnifiedJedis client;
    private static RedisSinkSettings settings;
    private Jedis admin;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start(LocalStackExtension.newWorkDir(), FreePorts.pick(), RedisServer.Persistence.NONE);
        settings = new RedisSinkSettings(RedisUri.parse(server.uri()), "counts", Duration.ofDays(7), Duration.ofSeconds(5), 2000);
        client = RedisConnections.open(settings, "script-it");
    }

    @AfterAll
    static void stopRedis() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void emptyRedis() {
        admin = server.client();
        admin.configSet("maxmemory", "0");
        admin.flushAll();
    }

    private static RedisCommittable commit(String id, Object... pagesAndCounts) {
        Map<String, Long> increments = new LinkedHashMap<>();
        for (int i = 0; i < pagesAndCounts.length; i += 2) {
            increments.put((String) pagesAndCounts[i], ((Number) pagesAndCounts[i + 1]).longValue());
        }
        return new RedisCommittable(id, System.currentTimeMillis(), increments);
    }

    @Test
    void appliesEveryIncrementOnceAndSkipsARepeat() {
        RedisCommittable c = commit("c1", "/a", 2, "/b", 3);
        assertThat(IncrementScript.apply(client, settings, c)).isTrue();
        assertThat(IncrementScript.apply(client, settings, c)).isFalse();
        assertThat(admin.hgetAll("counts")).isEqualTo(Map.of("/a", "2", "/b", "3"));
        assertThat(admin.ttl(settings.markerKey("c1"))).isGreaterThan(Duration.ofDays(6).toSeconds());
    }

    @Test
    void aFieldThatIsNotAnIntegerRefusesTheWholeCommitAndLeavesNoMarker() {
        admin.hset("counts", "/bad", "abc");
        // the bad field comes last: a script that added as it went would have applied /a and /b already
        RedisCommittable c = commit("c2", "/a", 1, "/b", 1, "/bad", 1);
        assertThatThrownBy(() -> IncrementScript.apply(client, settings, c))
                .isInstanceOf(JedisDataException.class)
                .hasMessageContaining(RedisErrors.BAD_FIELD).hasMessageContaining("/bad").hasMessageContaining("abc");
        assertThat(admin.hgetAll("counts")).isEqualTo(Map.of("/bad", "abc"));
        assertThat(admin.exists(settings.markerKey("c2"))).isFalse();

        admin.hdel("counts", "/bad"); // fixed: the same commit now applies whole, once
        assertThat(IncrementScript.apply(client, settings, c)).isTrue();
        assertThat(admin.hgetAll("counts")).isEqualTo(Map.of("/a", "1", "/b", "1", "/bad", "1"));
    }

    @Test
    void refusesWhatHincrbyWouldRefuseOrOverflow() {
        for (String bad : new String[] {"", "007", "+5", "-0", "1.5", " 1", "1e3", "1234567890123456789"}) {
            admin.hset("counts", "/x", bad);
            assertThatThrownBy(() -> IncrementScript.apply(client, settings, commit("bad-" + bad, "/y", 1, "/x", 1)))
                    .as("'%s'", bad).hasMessageContaining(RedisErrors.BAD_FIELD);
            assertThat(admin.hexists("counts", "/y")).as("'%s'", bad).isFalse();
        }
        for (String good : new String[] {"0", "-5", "42", "123456789012345678"}) {
            admin.hset("counts", "/x", good);
            assertThat(IncrementScript.apply(client, settings, commit("good-" + good, "/x", 1))).as("'%s'", good).isTrue();
        }
    }

    @Test
    void aKeyThatIsNotAHashRefusesTheCommit() {
        admin.set("counts", "a string");
        assertThatThrownBy(() -> IncrementScript.apply(client, settings, commit("c3", "/a", 1)))
                .isInstanceOf(JedisDataException.class).hasMessageContaining(RedisErrors.WRONG_TYPE);
        assertThat(admin.exists(settings.markerKey("c3"))).isFalse();
    }

    @Test
    void underMaxmemoryWithNoevictionNothingIsWrittenAndTheReplyIsTransient() {
        admin.configSet("maxmemory-policy", "noeviction");
        admin.configSet("maxmemory", "1");
        RedisCommittable c = commit("c4", "/a", 1, "/b", 1);
        assertThatThrownBy(() -> IncrementScript.apply(client, settings, c))
                .isInstanceOfSatisfying(JedisDataException.class,
                        e -> assertThat(RedisErrors.kind(e)).as(e.getMessage()).isEqualTo(RedisErrors.Kind.TRANSIENT));
        admin.configSet("maxmemory", "0");
        assertThat(admin.hgetAll("counts")).isEmpty();
        assertThat(IncrementScript.apply(client, settings, c)).isTrue();
        assertThat(admin.hgetAll("counts")).isEqualTo(Map.of("/a", "1", "/b", "1"));
    }

    @Test
    void onAReadOnlyReplicaNothingIsWrittenAndTheReplyIsTransient() {
        admin.hset("counts", "/a", "5");
        admin.replicaof("127.0.0.1", FreePorts.pick()); // its primary is unreachable: it keeps its data, refuses writes
        try {
            assertThatThrownBy(() -> IncrementScript.apply(client, settings, commit("c5", "/a", 1)))
                    .isInstanceOfSatisfying(JedisDataException.class, e -> {
                        assertThat(RedisErrors.code(e)).isEqualTo("READONLY");
                        assertThat(RedisErrors.kind(e)).isEqualTo(RedisErrors.Kind.TRANSIENT);
                    });
        } finally {
            admin.replicaofNoOne();
        }
        assertThat(admin.hgetAll("counts")).isEqualTo(Map.of("/a", "5"));
    }
}
