package dev.pageviews.edge;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic from the beginning with a real consumer (no group: all partitions assigned). */
final class TopicReader {

    private TopicReader() {}

    /** Every record until {@code done} holds for what was read, or the timeout passes; returns what was read. */
    static List<ConsumerRecord<byte[], byte[]>> readUntil(String bootstrap, String topic,
            Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(records) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    static List<ConsumerRecord<byte[], byte[]>> readAtLeast(String bootstrap, String topic, int count) {
        return readUntil(bootstrap, topic, r -> r.size() >= count, Duration.ofSeconds(30));
    }

    /** Reads for a while and returns all records; for asserting that nothing more arrives. */
    static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic, Duration settle) {
        return readUntil(bootstrap, topic, r -> false, settle);
    }
}
