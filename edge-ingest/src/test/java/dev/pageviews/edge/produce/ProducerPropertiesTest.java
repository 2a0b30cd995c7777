package dev.pageviews.edge.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.edge.config.EdgeConfig;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProducerPropertiesTest {

    @Test
    void byDefaultOneRequestIsInFlightAndNothingLingers() {
        Properties props = EventProducer.properties(EdgeConfig.defaults(), 0);

        // the guarantee
        assertThat(props).containsEntry("acks", "all").containsEntry("enable.idempotence", "true");
        // self-clocked batches: the next produce leaves when the previous one is acknowledged, carrying what arrived
        // meanwhile, so no event waits for a timer (BENCHMARKS.md, "Why one produce in flight and no linger")
        assertThat(props).containsEntry("max.in.flight.requests.per.connection", "1").containsEntry("linger.ms", "0");
    }

    @Test
    void theInFlightLimitIsASettingUpToWhatIdempotenceAllows() {
        Properties props = EventProducer.properties(EdgeConfig.parse(
                new String[] {"--kafka-max-in-flight", "5", "--kafka-linger", "5ms"}, Map.of()), 0);
        assertThat(props).containsEntry("max.in.flight.requests.per.connection", "5").containsEntry("linger.ms", "5");

        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--kafka-max-in-flight", "6"}, Map.of()))
                .hasMessage("--kafka-max-in-flight (EDGE_KAFKA_MAX_IN_FLIGHT): 6 is not from 1 to 5");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--kafka-properties",
            "max.in.flight.requests.per.connection=10"}, Map.of()))
                .hasMessageContaining("max.in.flight.requests.per.connection is fixed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"snappy", "lz4", "zstd", "gzip", "none"})
    void everyOfferedCodecCompressesOnThisMachine(String codec) {
        // snappy and zstd load their native libraries here, as the edge does at start
        assertThatCode(() -> EventProducer.checkCompressionWorksHere(codec)).doesNotThrowAnyException();
    }

    @Test
    void aCodecThatCannotCompressFailsAtStartNamingTheSetting() {
        assertThatThrownBy(() -> EventProducer.checkCompressionWorksHere("brotli"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("--kafka-compression (EDGE_KAFKA_COMPRESSION) brotli does not work on this machine: ")
                .hasMessageEndingWith("Choose another codec, e.g. lz4 or none.");
    }
}
