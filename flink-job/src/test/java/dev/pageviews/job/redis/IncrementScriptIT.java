package dev.pageviews.job.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.settings.RedisUri;
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
        assertThat(IncrementScript.apply(client, settings, c).appliedNow()).isTrue();
        assertThat(IncrementScript.apply(client, settings, c).appliedNow()).isFalse();
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
        assertThat(IncrementScript.apply(client, settings, c).appliedNow()).isTrue();
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
            assertThat(IncrementScript.apply(client, settings, commit("good-" + good, "/x", 1)).appliedNow()).as("'%s'", good).isTrue();
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
        assertThat(IncrementScript.apply(client, settings, c).appliedNow()).isTrue();
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

    @Test
    void aUserWithoutOneWriteRightAppliesNothingAndSaysWhichRight() {
        // the user's report: the default user without SET; Redis checks rights per call, so without the script's own
        // check every HINCRBY ran and only the marker failed, and every retry added the views again
        admin.aclSetUser("default", "-set");
        try {
            RedisCommittable c = commit("acl-1", "/a", 1, "/b", 2);
            for (int attempt = 0; attempt < 3; attempt++) {
                assertThatThrownBy(() -> IncrementScript.apply(client, settings, c))
                        .isInstanceOfSatisfying(JedisDataException.class, e -> {
                            assertThat(RedisErrors.code(e)).isEqualTo(IncrementScript.NO_PERMISSION);
                            assertThat(RedisErrors.whatWasApplied(e)).isEqualTo("nothing of this commit was applied");
                        })
                        .hasMessageContaining("SET " + settings.markerKey("acl-1"));
            }
            assertThat(admin.hgetAll("counts")).isEmpty();
        } finally {
            admin.aclSetUser("default", "+@all");
        }
        assertThat(IncrementScript.apply(client, settings, commit("acl-1", "/a", 1, "/b", 2)).appliedNow()).isTrue();
        assertThat(admin.hgetAll("counts")).isEqualTo(Map.of("/a", "1", "/b", "2"));
    }

    @Test
    void refusesEveryEvictionPolicyButNoevictionBeforeWritingAnything() {
        for (String policy : new String[] {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
                "allkeys-lru", "allkeys-lfu", "allkeys-random"}) {
            admin.configSet("maxmemory-policy", policy);
            assertThatThrownBy(() -> IncrementScript.apply(client, settings, commit("ev-" + policy, "/a", 1)))
                    .as(policy).isInstanceOfSatisfying(JedisDataException.class,
                            e -> assertThat(RedisErrors.code(e)).isEqualTo(IncrementScript.EVICTION))
                    .hasMessageContaining(policy);
            assertThat(admin.exists("counts")).as(policy).isFalse();
        }
        admin.configSet("maxmemory-policy", "noeviction");
        assertThat(IncrementScript.apply(client, settings, commit("ev-ok", "/a", 1)).appliedNow()).isTrue();
    }

    @Test
    void pagesBeyondTheBudgetAreCountedAsOtherAndKnownPagesKeepCounting() {
        RedisSinkSettings budget3 = settings.with(new RedisSinkSettings.CommitRules(3, 50_000, 0, Duration.ofSeconds(1), false));
        admin.hset("counts", Map.of("/a", "10", "/b", "20"));
        IncrementScript.Outcome first = IncrementScript.apply(client, budget3, commit("b-1", "/a", 1, "/c", 1, "/d", 4, "/e", 5));
        assertThat(first).usingRecursiveComparison().ignoringFields("seq").isEqualTo(new IncrementScript.Outcome(true, 2, 9));
        assertThat(admin.hgetAll("counts")).isEqualTo(Map.of("/a", "11", "/b", "20", "/c", "1", "(other)", "9"));
        // full: a known page still counts under its name; (other) itself does not take a place in the budget
        IncrementScript.Outcome second = IncrementScript.apply(client, budget3, commit("b-2", "/b", 1, "/f", 2));
        assertThat(second).usingRecursiveComparison().ignoringFields("seq").isEqualTo(new IncrementScript.Outcome(true, 1, 2));
        assertThat(admin.hgetAll("counts")).isEqualTo(Map.of("/a", "11", "/b", "21", "/c", "1", "(other)", "11"));
        assertThat(admin.hvals("counts").stream().mapToLong(Long::parseLong).sum()).isEqualTo(30 + (1 + 1 + 4 + 5) + (1 + 2));
    }

    @Test
    void recordsTheNewestAppliedCheckpointOfTheLineage() {
        IncrementScript.apply(client, settings, new RedisCommittable("l-1", 1, Map.of("/a", 1L), "job-1", 7));
        assertThat(admin.hgetAll(settings.lineageKey())).isEqualTo(Map.of("lineage", "job-1", "checkpoint", "7"));
        // a commit of an older checkpoint applied later (a pending one after a restore) does not move it back
        IncrementScript.apply(client, settings, new RedisCommittable("l-2", 1, Map.of("/a", 1L), "job-1", 5));
        assertThat(admin.hget(settings.lineageKey(), "checkpoint")).isEqualTo("7");
        IncrementScript.apply(client, settings, new RedisCommittable("l-3", 1, Map.of("/a", 1L), "job-1", 9));
        assertThat(admin.hget(settings.lineageKey(), "checkpoint")).isEqualTo("9");
        // another lineage takes over; one of an older build's checkpoints (no lineage) leaves the record alone
        IncrementScript.apply(client, settings, new RedisCommittable("l-4", 1, Map.of("/a", 1L), "job-2", 2));
        IncrementScript.apply(client, settings, new RedisCommittable("l-5", 1, Map.of("/a", 1L)));
        assertThat(admin.hgetAll(settings.lineageKey())).isEqualTo(Map.of("lineage", "job-2", "checkpoint", "2"));
        assertThat(admin.hget("counts", "/a")).isEqualTo("5");
    }

    @Test
    void theRecordOfARefusedCommitIsNotWritten() {
        admin.hset("counts", "/bad", "abc");
        assertThatThrownBy(() -> IncrementScript.apply(client, settings,
                new RedisCommittable("r-1", 1, Map.of("/bad", 1L), "job-1", 3))).hasMessageContaining(RedisErrors.BAD_FIELD);
        assertThat(admin.exists(settings.lineageKey())).isFalse();
    }

    @Test
    void aCommitCountsAsAppliedOnlyOnceTheAskedReplicasHaveItAlsoWhenRepeatedOnANewConnection() throws Exception {
        // long enough for a busy machine when the replica does acknowledge; short where it cannot
        RedisSinkSettings waitForOne = settings.with(new RedisSinkSettings.CommitRules(100_000, 50_000, 1, Duration.ofSeconds(10), false));
        RedisSinkSettings waitShortly = settings.with(new RedisSinkSettings.CommitRules(100_000, 50_000, 1, Duration.ofMillis(300), false));
        admin.configSet("repl-diskless-sync-delay", "0"); // sync the replica at once instead of waiting for more
        try (RedisServer replica = RedisServer.start(LocalStackExtension.newWorkDir(), FreePorts.pick(), RedisServer.Persistence.NONE,
                java.util.List.of("--replicaof", server.host(), Integer.toString(server.port())))) {
            awaitReplicas(1);
            RedisCommittable c = commit("w-1", "/a", 1);
            assertThat(IncrementScript.apply(client, waitForOne, c).appliedNow()).isTrue();
            long pid;
            try (Jedis r = replica.client()) {
                pid = Long.parseLong(r.info("server").replaceAll("(?s).*process_id:(\\d+).*", "$1"));
            }
            signal("STOP", pid); // the replica stays connected but acknowledges nothing
            try {
                assertThatThrownBy(() -> IncrementScript.apply(client, waitShortly, commit("w-2", "/a", 1)))
                        .isInstanceOf(IncrementScript.ReplicationShortfall.class).hasMessageContaining("0 of 1");
                // the repeat of w-1, on a connection that has written nothing before, must wait for the replica too
                try (UnifiedJedis fresh = RedisConnections.open(waitShortly, "fresh")) {
                    assertThatThrownBy(() -> IncrementScript.apply(fresh, waitShortly, c))
                            .isInstanceOf(IncrementScript.ReplicationShortfall.class);
                }
            } finally {
                signal("CONT", pid);
            }
            assertThat(IncrementScript.apply(client, waitForOne, commit("w-2", "/a", 1)).appliedNow()).isFalse();
            assertThat(admin.hget("counts", "/a")).isEqualTo("2");
        } finally {
            admin.replicaofNoOne();
        }
    }

    private void awaitReplicas(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!admin.info("replication").contains("connected_slaves:" + n) || !admin.info("replication").contains("state=online")) {
            assertThat(System.nanoTime()).as("replicas connected within 20 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor()).isZero();
    }
}
