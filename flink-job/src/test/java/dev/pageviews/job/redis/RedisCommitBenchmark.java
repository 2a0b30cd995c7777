package dev.pageviews.job.redis;

import dev.pageviews.settings.RedisUri;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.UnifiedJedis;

/**
 * {@code ./pageviews bench redis-commit}: what one commit costs against a real redis-server with an append-only
 * file fsynced always (as {@code up} runs it) and one replica, without {@code WAIT} and with {@code WAIT 1}. Each
 * commit is what a writer hands over at a checkpoint: {@code pages} page increments (default 200) in one script
 * call. Prints per setting the commits per second (one after the other, as a committer sends them) and the
 * latency p50, p99 and max.
 */
public final class RedisCommitBenchmark {

    private RedisCommitBenchmark() {}

    public static void main(String[] args) throws Exception {
        int pages = intArg(args, "pages", 200);
        int commits = intArg(args, "commits", 3000);
        java.nio.file.Path dir = LocalStackExtension.newWorkDir();
        try (RedisServer primary = RedisServer.start(dir.resolve("primary"), 0, RedisServer.Persistence.APPEND_ONLY);
                RedisServer replica = RedisServer.start(dir.resolve("replica"), 0, RedisServer.Persistence.APPEND_ONLY,
                        List.of("--replicaof", primary.host(), Integer.toString(primary.port())))) {
            awaitReplica(primary);
            System.out.printf(Locale.ROOT, "redis-server %s, appendfsync always on both, 1 replica on loopback; commits of %d pages%n",
                    version(primary), pages);
            for (int round = 1; round <= 2; round++) {
                for (int replicas : new int[] {0, 1}) {
                    RedisSinkSettings settings = new RedisSinkSettings(RedisUri.parse(primary.uri()), "bench_" + replicas,
                            Duration.ofDays(7), Duration.ofSeconds(5), 2000)
                            .with(new RedisSinkSettings.CommitRules(1_000_000, 50_000, replicas, Duration.ofSeconds(1), false));
                    try (UnifiedJedis client = RedisConnections.open(settings, "bench")) {
                        run(client, settings, pages, commits / 5); // warm-up
                        long[] micros = run(client, settings, pages, commits);
                        Arrays.sort(micros);
                        long total = Arrays.stream(micros).sum();
                        System.out.printf(Locale.ROOT, "round %d, WAIT %s: %6.0f commits/s, p50 %6.2f ms, p99 %6.2f ms, max %6.2f ms%n",
                                round, replicas == 0 ? "off" : Integer.toString(replicas), commits / (total / 1e6),
                                micros[micros.length / 2] / 1e3, micros[(int) (micros.length * 0.99)] / 1e3,
                                micros[micros.length - 1] / 1e3);
                    }
                }
            }
        }
    }

    private static long[] run(UnifiedJedis client, RedisSinkSettings settings, int pages, int commits) {
        long[] micros = new long[commits];
        for (int c = 0; c < commits; c++) {
            Map<String, Long> increments = new LinkedHashMap<>();
            for (int p = 0; p < pages; p++) {
                increments.put("/bench/page/" + ((c * 7 + p) % 5000), 1L + p % 3);
            }
            RedisCommittable committable = new RedisCommittable(UUID.randomUUID().toString(), System.currentTimeMillis(),
                    increments, "bench", c + 1);
            long started = System.nanoTime();
            IncrementScript.apply(client, settings, committable);
            micros[c] = (System.nanoTime() - started) / 1_000;
        }
        return micros;
    }

    private static void awaitReplica(RedisServer primary) throws InterruptedException {
        try (Jedis jedis = primary.client()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!jedis.info("replication").contains("state=online")) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the replica did not come online within 30 s");
                }
                Thread.sleep(100);
            }
        }
    }

    private static String version(RedisServer server) {
        try (Jedis jedis = server.client()) {
            return jedis.info("server").replaceAll("(?s).*redis_version:([^\\r\\n]+).*", "$1");
        }
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (String arg : args) {
            if (arg.startsWith(name + "=")) {
                return Integer.parseInt(arg.substring(name.length() + 1));
            }
        }
        return fallback;
    }
}
