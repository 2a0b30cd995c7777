package dev.pageviews.job.source;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Writes a dead letter as its original bytes, with the reason and source position in headers; a truncated one
 * ({@link DeadLetter#MAX_RAW_BYTES}) also says so and gives the size of the record it came from.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    public static final String REASON_HEADER = "dlq.reason";
    public static final String SOURCE_PARTITION_HEADER = "dlq.source.partition";
    public static final String SOURCE_OFFSET_HEADER = "dlq.source.offset";
    /** {@code true} when only the first {@link DeadLetter#MAX_RAW_BYTES} bytes of the record were kept. */
    public static final String TRUNCATED_HEADER = "dlq.truncated";
    /** The size in bytes of the record as read, on truncated dead letters. */
    public static final String ORIGINAL_SIZE_HEADER = "dlq.original.size";

    private final String topic;

    public DeadLetterSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        List<Header> headers = new ArrayList<>(5);
        headers.add(header(REASON_HEADER, letter.reason()));
        headers.add(header(SOURCE_PARTITION_HEADER, Integer.toString(letter.partition())));
        headers.add(header(SOURCE_OFFSET_HEADER, Long.toString(letter.offset())));
        if (letter.truncated()) {
            headers.add(header(TRUNCATED_HEADER, "true"));
            headers.add(header(ORIGINAL_SIZE_HEADER, Integer.toString(letter.originalSize())));
        }
        return new ProducerRecord<>(topic, null, timestamp, null, letter.raw(), headers);
    }

    private static Header header(String key, String value) {
        return new RecordHeader(key, value.getBytes(StandardCharsets.UTF_8));
    }
}
