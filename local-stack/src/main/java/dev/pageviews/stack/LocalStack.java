package dev.pageviews.stack;

import java.nio.file.Path;
import java.util.Map;

/**
 * The real services the pipeline needs, started together on loopback: Kafka with the pipeline's topics,
 * and Redis. (The S3 server joins here with the archive.)
 */
public final class LocalStack implements AutoCloseable {

    public static final String VIEWS_TOPIC = "views";
    public static final String DLQ_TOPIC = "views-dlq";
    public static final int VIEWS_PARTITIONS = 4;

    private final KafkaBroker kafka;
    private final RedisServer redis;

    private LocalStack(KafkaBroker kafka, RedisServer redis) {
        this.kafka = kafka;
        this.redis = redis;
    }

    /** Starts Kafka and Redis under {@code workDir}; ports of 0 mean free ones. */
    public static LocalStack start(Path workDir, int kafkaPort, int redisPort, RedisServer.Persistence persistence) {
        KafkaBroker kafka = KafkaBroker.start(workDir.resolve("kafka"), kafkaPort);
        try {
            kafka.createTopics(Map.of(VIEWS_TOPIC, VIEWS_PARTITIONS, DLQ_TOPIC, 1));
            RedisServer redis = RedisServer.start(workDir.resolve("redis"), redisPort, persistence);
            return new LocalStack(kafka, redis);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    /** For tests: free ports, no Redis persistence. */
    public static LocalStack startForTests(Path workDir) {
        return start(workDir, 0, 0, RedisServer.Persistence.NONE);
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    public RedisServer redis() {
        return redis;
    }

    @Override
    public void close() {
        try {
            redis.close();
        } finally {
            kafka.close();
        }
    }
}
