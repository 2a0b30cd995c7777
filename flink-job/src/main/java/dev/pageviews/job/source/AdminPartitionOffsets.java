package dev.pageviews.job.source;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * {@link PartitionOffsets} from the brokers, through an admin client made from the source's own Kafka properties
 * (the admin's share of them: bootstrap servers, security), opened on first use. Its calls end within the admin's
 * {@code default.api.timeout.ms}; a failure to answer fails the task, which restarts.
 */
final class AdminPartitionOffsets implements PartitionOffsets {

    private final Properties sourceProperties;
    private final String groupId;
    private final String clientId;
    private Admin admin;

    AdminPartitionOffsets(Properties sourceProperties, String groupId, String clientId) {
        this.sourceProperties = sourceProperties;
        this.groupId = groupId;
        this.clientId = clientId;
    }

    @Override
    public Map<TopicPartition, LogRange> logRanges(Collection<TopicPartition> partitions) {
        Set<TopicPartition> existing = existing(partitions);
        if (existing.isEmpty()) {
            return Map.of();
        }
        ListOffsetsResult starts = admin().listOffsets(existing.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.earliest())));
        ListOffsetsResult ends = admin().listOffsets(existing.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> start = await(starts.all(), "the log start offsets of " + existing);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end = await(ends.all(), "the log end offsets of " + existing);
        Map<TopicPartition, LogRange> ranges = new HashMap<>();
        for (TopicPartition tp : existing) {
            ranges.put(tp, new LogRange(start.get(tp).offset(), end.get(tp).offset()));
        }
        return ranges;
    }

    @Override
    public Map<TopicPartition, Long> committed(Collection<TopicPartition> partitions) {
        Map<TopicPartition, OffsetAndMetadata> offsets = await(admin()
                .listConsumerGroupOffsets(Map.of(groupId, new ListConsumerGroupOffsetsSpec().topicPartitions(partitions)))
                .partitionsToOffsetAndMetadata(groupId), "the committed offsets of consumer group " + groupId);
        Map<TopicPartition, Long> committed = new HashMap<>();
        offsets.forEach((tp, offset) -> {
            if (offset != null) {
                committed.put(tp, offset.offset());
            }
        });
        return committed;
    }

    /** The partitions that exist now: their topic exists and has that many partitions. */
    private Set<TopicPartition> existing(Collection<TopicPartition> partitions) {
        Set<String> topics = partitions.stream().map(TopicPartition::topic).collect(Collectors.toSet());
        Map<String, KafkaFuture<TopicDescription>> described = admin().describeTopics(topics).topicNameValues();
        Set<TopicPartition> existing = new HashSet<>();
        for (String topic : topics) {
            try {
                int count = described.get(topic).get().partitions().size();
                partitions.stream().filter(tp -> tp.topic().equals(topic) && tp.partition() < count).forEach(existing::add);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw failed("the partitions of topic " + topic, e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("the partitions of topic " + topic, e);
            }
        }
        return existing;
    }

    private <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw failed(what, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(what, e);
        }
    }

    private IllegalStateException failed(String what, Throwable cause) {
        return new IllegalStateException("Could not read " + what + " from Kafka ("
                + sourceProperties.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) + ") to check where the job "
                + "continues reading: " + cause, cause);
    }

    private Admin admin() {
        if (admin == null) {
            admin = Admin.create(adminProperties(sourceProperties, clientId));
        }
        return admin;
    }

    /** The admin's share of the source's properties: the connection and security ones, and the config providers. */
    static Properties adminProperties(Properties sourceProperties, String clientId) {
        Properties props = new Properties();
        Set<String> adminKeys = AdminClientConfig.configNames();
        // config.providers.<name>.class and .param.* are no defined keys, but ${name:...} values need them
        sourceProperties.stringPropertyNames().stream()
                .filter(key -> adminKeys.contains(key) || key.startsWith(AbstractConfig.CONFIG_PROVIDERS_CONFIG + "."))
                .forEach(key -> props.setProperty(key, sourceProperties.getProperty(key)));
        props.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return props;
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
            admin = null;
        }
    }
}
