package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ConsumerCatchUpTest {

    private static final String SCRAPE = """
            # HELP flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset currentOffset
            # TYPE flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset gauge
            %1$s{task_attempt_id="a_0_0",host="",partition="0",topic="views",job_id="j",operator_name="Source: kafka: views",} 16.0
            %1$s{task_attempt_id="a_1_0",host="",partition="1",topic="views",job_id="j",} 7.0
            %1$s{task_attempt_id="a_0_0",host="",partition="2",topic="views",job_id="j",} -1.0
            %1$s{task_attempt_id="a_1_0",host="",partition="0",topic="views-dlq",job_id="j",} 99.0
            flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_committedOffset{partition="3",topic="views",} 40.0
            """.formatted(ConsumerCatchUp.CURRENT_OFFSET);

    @Test
    void readsTheNextOffsetToReadOfEachPartitionOfTheTopicFromTheSourcesGauges() {
        assertThat(ConsumerCatchUp.handedOn(SCRAPE, "views")).isEqualTo(Map.of(views(0), 17L, views(1), 8L));
        assertThat(ConsumerCatchUp.handedOn(SCRAPE, "views-dlq")).isEqualTo(Map.of(new TopicPartition("views-dlq", 0), 100L));
        assertThat(ConsumerCatchUp.handedOn("", "views")).isEmpty();
    }

    @Test
    void caughtUpWhenEveryPartitionWithRecordsIsReadToItsEnd() {
        Map<TopicPartition, Long> ends = Map.of(views(0), 17L, views(1), 8L, views(2), 0L);
        assertThat(ConsumerCatchUp.caughtUp(ends, Map.of(views(0), 17L, views(1), 8L))).isTrue();
        assertThat(ConsumerCatchUp.caughtUp(ends, Map.of(views(0), 17L, views(1), 7L))).isFalse();
        assertThat(ConsumerCatchUp.caughtUp(ends, Map.of(views(0), 17L))).as("partition 1 unread").isFalse();
        assertThat(ConsumerCatchUp.caughtUp(Map.of(views(2), 0L), Map.of())).as("an empty partition").isTrue();
    }

    private static TopicPartition views(int partition) {
        return new TopicPartition("views", partition);
    }
}
