package dev.pageviews.job.source;

import dev.pageviews.event.DecodeResult;
import dev.pageviews.event.PageViewCodec;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Decodes Kafka records with the shared contract; invalid ones are kept, with their reason, not thrown. */
public final class RawViewDeserializer implements KafkaRecordDeserializationSchema<RawView> {

    private static final long serialVersionUID = 1L;
    private static final byte[] EMPTY = new byte[0];

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawView> out) {
        byte[] value = record.value() == null ? EMPTY : record.value();
        DecodeResult result = PageViewCodec.decode(value);
        if (result instanceof DecodeResult.Valid valid) {
            out.collect(new RawView(valid.view(), null, null, record.partition(), record.offset()));
        } else {
            String problem = ((DecodeResult.Invalid) result).message();
            out.collect(new RawView(null, value, problem, record.partition(), record.offset()));
        }
    }

    @Override
    public TypeInformation<RawView> getProducedType() {
        return TypeInformation.of(RawView.class);
    }
}
