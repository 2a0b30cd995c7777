package dev.pageviews.chaos;

import dev.pageviews.stack.KafkaBroker;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.RedisServer;
import java.util.function.Supplier;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;

/**
 * Waits, after the load stopped, until the job has read and committed everything in Kafka (its consumer
 * group's offsets are at the end of every partition: they are committed when a checkpoint completes, the same
 * moment the counts are applied) and the counts in Redis have stopped changing for {@link #QUIET}: long enough
 * for the last windows to close (idle timeout) and a few more checkpoints to complete.
 */
final class Settling {

    private static final Logger LOG = LoggerFactory.getLogger(Settling.class);
    static final Duration QUIET = Duration.ofSeconds(10);
    static final Duration TIMEOUT = Duration.ofSeconds(240);

    /** Number of fields and sum of the counts: it changes with every increment applied. */
    private static final String SIGNATURE = String.join("\n",
            "local values = redis.call('HVALS', KEYS[1])",
            "local sum = 0",
            "for i = 1, #values do sum = sum + (tonumber(values[i]) or 0) end",
            "return tostring(#values) .. ':' .. tostring(sum)");

    private final KafkaBroker kafka;
    private final Supplier<RedisServer> redis;
    private final String hashKey;
    private final String groupId;

    Settling(KafkaBroker kafka, Supplier<RedisServer> redis, String hashKey, String groupId) {
        this.kafka = kafka;
        this.redis = redis;
        this.hashKey = hashKey;
        this.groupId = groupId;
    }

    /** True once settled; false if {@link #TIMEOUT} passed first. */
    boolean await() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String last = null;
        long quietSince = System.nanoTime();
        long lag = -1;
        try (Admin admin = kafka.admin()) {
            while (System.nanoTime() < deadline) {
                String signature = signature();
                if (signature == null || !signature.equals(last)) {
                    last = signature;
                    quietSince = System.nanoTime();
                }
                lag = lag(admin);
                if (lag == 0 && System.nanoTime() - quietSince >= QUIET.toNanos()) {
                    LOG.info("Counts settled: job caught up with Kafka, Redis unchanged for {} s ({} fields:sum)",
                            QUIET.toSeconds(), last);
                    return true;
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
        LOG.warn("Counts did not settle within {} s: job lag {} records, Redis last changed {} s ago", TIMEOUT.toSeconds(),
                lag, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - quietSince));
        return false;
    }

    /** Records in the views topic the job has not committed yet; -1 when Kafka does not answer. */
    private long lag(Admin admin) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < LocalStack.VIEWS_PARTITIONS; p++) {
                latest.put(new TopicPartition(LocalStack.VIEWS_TOPIC, p), OffsetSpec.latest());
            }
            long lag = 0;
            for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end
                    : admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS).entrySet()) {
                OffsetAndMetadata done = committed.get(end.getKey());
                lag += end.getValue().offset() - (done == null ? 0 : done.offset());
            }
            return lag;
        } catch (Exception e) {
            return -1;
        }
    }

    private String signature() {
        try (Jedis jedis = redis.get().client()) {
            return String.valueOf(jedis.eval(SIGNATURE, List.of(hashKey), List.of()));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Every count in the hash; a value that is not an integer is an error naming the field. */
    static Map<String, Long> counts(Supplier<RedisServer> redis, String hashKey) {
        Map<String, Long> counts = new HashMap<>();
        try (Jedis jedis = redis.get().client()) {
            jedis.hgetAll(hashKey).forEach((page, value) -> {
                try {
                    counts.put(page, Long.parseLong(value));
                } catch (NumberFormatException e) {
                    throw new IllegalStateException("field " + page + " of " + hashKey + " holds '" + value
                            + "', not a count: a bad-field fault was not undone", e);
                }
            });
        }
        return counts;
    }
}
