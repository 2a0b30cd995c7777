package dev.pageviews.stack;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The real services the pipeline needs, started together on loopback: Kafka with the pipeline's topics,
 * and Redis; and, only when asked ({@link #startWithS3}), an S3 API server for the archive.
 */
public final class LocalStack implements AutoCloseable {

    public static final String VIEWS_TOPIC = "views";
    public static final String DLQ_TOPIC = "views-dlq";
    public static final int VIEWS_PARTITIONS = 4;

    private final KafkaBroker kafka;
    private final RedisServer redis;
    private final S3Server s3;

    private LocalStack(KafkaBroker kafka, RedisServer redis, S3Server s3) {
        this.kafka = kafka;
        this.redis = redis;
        this.s3 = s3;
    }

    /** Starts Kafka and Redis under {@code workDir}; ports of 0 mean free ones. */
    public static LocalStack start(Path workDir, int kafkaPort, int redisPort, RedisServer.Persistence persistence) {
        KafkaBroker kafka = KafkaBroker.start(workDir.resolve("kafka"), kafkaPort);
        try {
            kafka.createTopics(Map.of(VIEWS_TOPIC, VIEWS_PARTITIONS, DLQ_TOPIC, 1));
            RedisServer redis = RedisServer.start(workDir.resolve("redis"), redisPort, persistence);
            return new LocalStack(kafka, redis, null);
        } catch (RuntimeException e) {
            kafka.close();
            throw e;
        }
    }

    /** As {@link #start}, plus an S3 API server on {@code s3Port} (0 for a free one) keeping its objects under {@code workDir/s3}. */
    public static LocalStack startWithS3(Path workDir, int kafkaPort, int redisPort, RedisServer.Persistence persistence,
            int s3Port) {
        S3Server s3 = S3Server.start(workDir.resolve("s3"), s3Port);
        try {
            LocalStack stack = start(workDir, kafkaPort, redisPort, persistence);
            return new LocalStack(stack.kafka, stack.redis, s3);
        } catch (RuntimeException e) {
            s3.close();
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

    /** The S3 server, when the stack was started with one. */
    public Optional<S3Server> s3() {
        return Optional.ofNullable(s3);
    }

    @Override
    public void close() {
        try {
            redis.close();
        } finally {
            try {
                kafka.close();
            } finally {
                if (s3 != null) {
                    s3.close();
                }
            }
        }
    }
}
