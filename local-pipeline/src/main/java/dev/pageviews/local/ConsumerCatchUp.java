package dev.pageviews.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Waits until the job has read a topic to its end, as the topic's end offsets are now. Used at a clean stop after the
 * edge has stopped taking views, so that the drain that follows sees every view the edge accepted: a drain stops the
 * source where it is, and views still unread in Kafka would wait for the next start.
 *
 * <p>A partition is read when either of two things shows it: the Kafka source has handed on the partition's last
 * record (its {@code currentOffset} metric, from the job's Prometheus reporter), or the consumer group's committed
 * offset reached the end (for a partition this run has read nothing of). The metric is the prompt one: the source
 * commits offsets to Kafka from its fetcher thread only between two polls of the consumer, and a poll of an idle topic
 * lasts up to 10 s, so the committed offsets of a topic that has just gone quiet lag by as long.
 */
final class ConsumerCatchUp {

    /** The source reader's per-partition gauge as the Prometheus reporter names it: the offset of the last record handed on. */
    static final String CURRENT_OFFSET = "flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset";
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private ConsumerCatchUp() {}

    /** True when caught up within {@code timeout}; false when not (what is left waits in Kafka for the next start). */
    static boolean await(Admin admin, String topic, String groupId, URI metrics, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> ends = endOffsets(admin, topic);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        while (true) {
            Map<TopicPartition, Long> read = new HashMap<>(handedOn(http, metrics, topic));
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .forEach((partition, committed) -> {
                        if (committed != null) {
                            read.merge(partition, committed.offset(), Math::max);
                        }
                    });
            if (caughtUp(ends, read)) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
    }

    /** Whether every partition with records has been read up to its end: {@code read} holds the next offset to read. */
    static boolean caughtUp(Map<TopicPartition, Long> ends, Map<TopicPartition, Long> read) {
        return ends.entrySet().stream().allMatch(end -> end.getValue() == 0
                || read.getOrDefault(end.getKey(), -1L) >= end.getValue());
    }

    /**
     * The next offset to read per partition of {@code topic}, from the source's {@code currentOffset} gauges in a
     * Prometheus scrape: one past the last record handed on. A partition read by no running task is left out, and so
     * is a gauge still at its initial -1.
     */
    static Map<TopicPartition, Long> handedOn(String scrape, String topic) {
        Map<TopicPartition, Long> next = new HashMap<>();
        for (String line : scrape.split("\n")) {
            if (!line.startsWith(CURRENT_OFFSET + "{")) {
                continue;
            }
            int close = line.lastIndexOf('}');
            Map<String, String> labels = new HashMap<>();
            Matcher label = LABEL.matcher(line.substring(CURRENT_OFFSET.length() + 1, close));
            while (label.find()) {
                labels.put(label.group(1), label.group(2));
            }
            if (!topic.equals(labels.get("topic")) || labels.get("partition") == null) {
                continue;
            }
            long offset = (long) Double.parseDouble(line.substring(close + 1).trim());
            if (offset >= 0) {
                next.merge(new TopicPartition(topic, Integer.parseInt(labels.get("partition"))), offset + 1, Math::max);
            }
        }
        return next;
    }

    private static Map<TopicPartition, Long> handedOn(HttpClient http, URI metrics, String topic) throws InterruptedException {
        try {
            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return scrape.statusCode() == 200 ? handedOn(scrape.body(), topic) : Map.of();
        } catch (IOException e) {
            return Map.of(); // the committed offsets still tell
        }
    }

    private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(java.util.List.of(topic)).allTopicNames()
                .get(10, TimeUnit.SECONDS).get(topic).partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
}
