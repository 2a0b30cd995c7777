package dev.pageviews.job.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.pageviews.settings.RedisUri;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

/**
 * The job's Redis user with exactly the rights of {@link RedisRights#aclSetUser} (the line flink-job/README.md
 * documents) against a real redis-server: it can check, commit, repeat and wait; without any one of those rights the
 * job refuses to start and names the right, and a commit writes nothing.
 */
class RedisRightsIT {

    private static final String USER = "pageviews";
    private static final String PASSWORD = "s3cret";
    private static RedisServer server;
    private Jedis admin;

    @BeforeAll
    static void startRedis() {
        server = RedisServer.start(LocalStackExtension.newWorkDir(), FreePorts.pick(), RedisServer.Persistence.NONE);
    }

    @AfterAll
    static void stopRedis() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void freshUser() {
        admin = server.client();
        admin.flushAll();
        admin.aclDelUser(USER);
        admin.sendCommand(redis.clients.jedis.Protocol.Command.ACL, lineArgs(RedisRights.aclSetUser(USER, "counts")
                .replace(">PASSWORD", ">" + PASSWORD)));
    }

    private static String[] lineArgs(String line) {
        List<String> words = new ArrayList<>(Arrays.asList(line.split(" ")));
        words.remove(0); // ACL
        return words.toArray(String[]::new);
    }

    private static RedisSinkSettings settings() {
        return new RedisSinkSettings(RedisUri.parse("redis://" + USER + ":" + PASSWORD + "@" + server.host() + ":" + server.port()),
                "counts", Duration.ofDays(7), Duration.ofSeconds(5), 2000);
    }

    @Test
    void theDocumentedUserCanDoEverythingTheJobDoes() throws Exception {
        RedisSinkSettings settings = settings();
        assertThat(RedisStartChecks.run(settings, true, "rights-it")).isEmpty();
        try (UnifiedJedis client = RedisConnections.open(settings, "rights-it")) {
            RedisCommittable c = new RedisCommittable("r-1", 1, Map.of("/a", 2L), "job-1", 3);
            assertThat(IncrementScript.apply(client, settings, c).appliedNow()).isTrue();
            assertThat(IncrementScript.apply(client, settings, c).appliedNow()).isFalse();
            IncrementScript.add(client, settings, Map.of("/b", 1L));
            IncrementScript.apply(client, settings, RedisCommittable.watermarkOnly("w-1", 1, "job-1", 4, 5_000));
        }
        assertThat(admin.hget("{counts}:meta", "watermark")).as("a checkpoint without views").isEqualTo("5000");
        assertThat(RedisStartChecks.run(settings, true, "rights-it")).contains(new Lineage.Record("job-1", 3));
        assertThat(admin.hgetAll("counts")).isEqualTo(Map.of("/a", "2", "/b", "1"));
    }

    @Test
    void withoutAnyOneRightTheJobRefusesToStartAndNamesIt() throws Exception {
        String[] rights = RedisRights.aclSetUser(USER, "counts").replaceAll(".*-@all ", "").split(" ");
        for (String right : rights) {
            String revoke = "-" + right.substring(1);
            admin.sendCommand(redis.clients.jedis.Protocol.Command.ACL, "SETUSER", USER, revoke);
            try {
                // WAIT is needed only when commits wait for replicas
                RedisSinkSettings settings = right.equals("+wait") ? settings().with(new RedisSinkSettings.CommitRules(
                        100, 100, 1, Duration.ofSeconds(1), false)) : settings();
                assertThat(catchThrowable(() -> RedisStartChecks.run(settings, true, "rights-it"))).as(revoke)
                        .hasMessageContaining(right.substring(1).replace("|", " ").toUpperCase().split(" ")[0]);
                try (UnifiedJedis client = RedisConnections.open(settings, "rights-it")) {
                    assertThat(catchThrowable(() -> IncrementScript.apply(client, settings,
                            new RedisCommittable("r-" + right, 1, Map.of("/a", 1L), "job-1", 1)))).as(revoke).isNotNull();
                } catch (RuntimeException connectRefused) {
                    // without a right the client uses to connect, nothing is sent at all
                }
                assertThat(admin.exists("counts")).as(revoke).isFalse();
            } finally {
                admin.sendCommand(redis.clients.jedis.Protocol.Command.ACL, "SETUSER", USER, right);
            }
        }
    }
}
