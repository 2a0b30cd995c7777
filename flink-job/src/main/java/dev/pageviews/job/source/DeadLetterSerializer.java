package dev.pageviews.job.source;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/** Writes a dead letter as its original bytes, with the reason and source position in headers. */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    public static final String REASON_HEADER = "dlq.reason";
    public static final String SOURCE_PARTITION_HEADER = "dlq.source.partition";
    public static final String SOURCE_OFFSET_HEADER = "dlq.source.offset";

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        List<Header> headers = List.of(
                header(REASON_HEADER, letter.reason()),
                header(SOURCE_PARTITION_HEADER, Integer.toString(letter.partition())),
                header(SOURCE_OFFSET_HEADER, Long.toString(letter.offset())));
        return new ProducerRecord<>(topic, null, timestamp, null, letter.raw(), headers);
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
