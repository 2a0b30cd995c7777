package dev.pageviews.local.chaos;

import dev.pageviews.stack.KafkaBroker;
import dev.pageviews.stack.RedisServer;
import java.time.Duration;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Injects one fault and returns once it is over (the service is back, or the bad setting undone). How long
 * each lasts is drawn from the run's seeded random, so a seed replays the same schedule.
 */
final class FaultInjector {

    private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);

    private final KafkaBroker kafka;
    private final RedisServer redis;
    private final EdgeProcess edge;
    private final JobCluster job;
    private final RedisFaults redisFaults;
    private final Random random;

    FaultInjector(KafkaBroker kafka, RedisServer redis, EdgeProcess edge, JobCluster job, String hashKey, Random random) {
        this.kafka = kafka;
        this.redis = redis;
        this.edge = edge;
        this.job = job;
        this.redisFaults = new RedisFaults(redis, hashKey);
        this.random = random;
    }

    /** Injects {@code kind}; returns a line saying what was done. */
    String inject(FaultKind kind) throws Exception {
        switch (kind) {
            case KAFKA_KILL -> {
                Duration down = between(2_000, 8_000);
                kafka.kill();
                LOG.info("Kafka killed (kill -9); down for {}", seconds(down));
                Thread.sleep(down.toMillis());
                kafka.restart();
                return "Kafka down " + seconds(down) + ", restarted on its data";
            }
            case REDIS_KILL -> {
                Duration down = between(1_000, 5_000);
                redis.kill();
                LOG.info("Redis killed (kill -9); down for {}", seconds(down));
                Thread.sleep(down.toMillis());
                redis.restart();
                return "Redis down " + seconds(down) + ", restarted from its AOF";
            }
            case TASK_MANAGER_KILL -> {
                int index = job.killTaskManager(random);
                return "TaskManager " + index + " terminated (MiniCluster.terminateTaskManager), a new one started";
            }
            case EDGE_KILL -> {
                Duration down = between(500, 3_000);
                edge.kill();
                LOG.info("Edge killed (kill -9); down for {}", seconds(down));
                Thread.sleep(down.toMillis());
                edge.restart();
                return "edge down " + seconds(down) + ", restarted on port " + edge.port();
            }
            case REDIS_OOM -> {
                Duration length = between(3_000, 10_000);
                LOG.info("Redis maxmemory 1 byte, noeviction, for {}", seconds(length));
                redisFaults.outOfMemory(length);
                return "Redis refused writes (OOM) for " + seconds(length);
            }
            case REDIS_BAD_FIELD -> {
                Duration length = between(3_000, 10_000);
                LOG.info("Redis field {} set to '{}' for {}", Load.BAD_FIELD_PAGE, RedisFaults.BAD_VALUE, seconds(length));
                String recorded = redisFaults.badField(Load.BAD_FIELD_PAGE, length);
                return "field " + Load.BAD_FIELD_PAGE + " not an integer for " + seconds(length) + ", restored to " + recorded;
            }
            default -> throw new IllegalArgumentException("no way to inject " + kind);
        }
    }

    private Duration between(int minMillis, int maxMillis) {
        return Duration.ofMillis(minMillis + random.nextInt(maxMillis - minMillis + 1));
    }

    static String seconds(Duration duration) {
        return String.format("%.1f s", duration.toMillis() / 1000.0);
    }
}
