package dev.pageviews.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

class DeadLetterSerializerTest {

    private final DeadLetterSerializer serializer = new DeadLetterSerializer("views-dlq");

    @Test
    void keepsASmallRecordWholeWithoutTruncationHeaders() {
        byte[] raw = "not json".getBytes(StandardCharsets.UTF_8);
        ProducerRecord<byte[], byte[]> record = serializer.serialize(DeadLetter.of(raw, "body: is not valid JSON", 3, 42), null, 7L);

        assertThat(record.topic()).isEqualTo("views-dlq");
        assertThat(record.value()).isEqualTo(raw);
        assertThat(header(record, DeadLetterSerializer.REASON_HEADER)).isEqualTo("body: is not valid JSON");
        assertThat(header(record, DeadLetterSerializer.SOURCE_PARTITION_HEADER)).isEqualTo("3");
        assertThat(header(record, DeadLetterSerializer.SOURCE_OFFSET_HEADER)).isEqualTo("42");
        assertThat(record.headers().lastHeader(DeadLetterSerializer.TRUNCATED_HEADER)).isNull();
        assertThat(record.headers().lastHeader(DeadLetterSerializer.ORIGINAL_SIZE_HEADER)).isNull();
    }

    @Test
    void keepsTheFirstBytesOfARecordTooLargeForTheProducerAndSaysSo() {
        byte[] raw = new byte[2 * 1024 * 1024 + 5];
        Arrays.fill(raw, (byte) 'x');
        raw[0] = '{';
        ProducerRecord<byte[], byte[]> record = serializer.serialize(DeadLetter.of(raw, "body: is not valid JSON", 0, 9), null, null);

        assertThat(record.value()).hasSize(DeadLetter.MAX_RAW_BYTES).isEqualTo(Arrays.copyOf(raw, DeadLetter.MAX_RAW_BYTES));
        assertThat(header(record, DeadLetterSerializer.TRUNCATED_HEADER)).isEqualTo("true");
        assertThat(header(record, DeadLetterSerializer.ORIGINAL_SIZE_HEADER)).isEqualTo(Integer.toString(raw.length));
        int headerBytes = 0;
        for (Header h : record.headers()) {
            headerBytes += h.key().length() + h.value().length;
        }
        // well below the producer's default max.request.size (1 MiB), whatever the topic views allows
        assertThat(record.value().length + headerBytes).isLessThan(ProducerConfig.configDef().defaultValues()
                .get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG) instanceof Integer max ? max / 8 : 0);
    }

    @Test
    void aRecordOfExactlyTheLimitIsNotTruncated() {
        DeadLetter letter = DeadLetter.of(new byte[DeadLetter.MAX_RAW_BYTES], "r", 0, 0);
        assertThat(letter.truncated()).isFalse();
        assertThat(DeadLetter.of(new byte[DeadLetter.MAX_RAW_BYTES + 1], "r", 0, 0).truncated()).isTrue();
    }

    private static String header(ProducerRecord<byte[], byte[]> record, String key) {
        Header header = record.headers().lastHeader(key);
        assertThat(header).as(key).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
