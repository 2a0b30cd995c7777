package dev.pageviews.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EdgeConfigTest {

    @Test
    void hasTheDocumentedDefaults() {
        EdgeConfig config = EdgeConfig.parse(new String[0], Map.of());

        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.kafkaBootstrap()).isEqualTo("localhost:9092");
        assertThat(config.topic()).isEqualTo("views");
        assertThat(config.get(EdgeConfig.CORS_ORIGINS)).isEqualTo("*");
        assertThat(config.get(EdgeConfig.MAX_BATCH_EVENTS)).isEqualTo(1000);
        assertThat(config.get(EdgeConfig.MAX_BODY_BYTES)).isEqualTo(1_048_576);
        assertThat(config.get(EdgeConfig.KAFKA_COMPRESSION)).isEqualTo("lz4");
        assertThat(config.get(EdgeConfig.KAFKA_MAX_BLOCK_MS)).isZero();
        assertThat(config.get(EdgeConfig.KAFKA_PROPERTIES)).isEmpty();
        assertThat(config.maxFutureSkew()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.helpRequested()).isFalse();
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverDefaults() {
        EdgeConfig config = EdgeConfig.parse(new String[] {"--port", "9000", "--topic=clicks"},
                Map.of("EDGE_PORT", "7000", "EDGE_KAFKA_BOOTSTRAP", "kafka:9092", "EDGE_TOPIC", "env-topic"));

        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.topic()).isEqualTo("clicks");
        assertThat(config.kafkaBootstrap()).isEqualTo("kafka:9092");
    }

    @Test
    void everySettingHasAFlagAnEnvironmentVariableADefaultAndADoc() {
        Set<String> envNames = new HashSet<>();
        for (EdgeConfig.Setting<?> setting : EdgeConfig.settings()) {
            assertThat(setting.flag()).matches("--[a-z][a-z0-9-]*");
            assertThat(setting.envName()).isEqualTo("EDGE_" + setting.flag().substring(2).toUpperCase().replace('-', '_'));
            assertThat(setting.doc()).isNotBlank().endsWith(".");
            assertThat(envNames.add(setting.envName())).isTrue();
            // each setting can be given by its variable
            EdgeConfig.parse(new String[0], Map.of(setting.envName(), setting.defaultText()));
        }
        assertThat(EdgeConfig.settings()).extracting(EdgeConfig.Setting::envName)
                .contains("EDGE_PORT", "EDGE_KAFKA_BOOTSTRAP", "EDGE_TOPIC", "EDGE_CORS_ORIGINS");
    }

    @Test
    void unknownFlagIsNamed() {
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--prot", "1"}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown flag --prot (see --help for the list)");
    }

    @Test
    void badValuesNameTheFlagOrVariableAndWhatIsExpected() {
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--port", "http"}, Map.of()))
                .hasMessage("--port: expected a whole number from 0 to 65535, got 'http' (see --help)");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[0], Map.of("EDGE_PORT", "70000")))
                .hasMessage("EDGE_PORT: expected a whole number from 0 to 65535, got 70000 (see --help)");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--kafka-compression", "brotli"}, Map.of()))
                .hasMessage("--kafka-compression: expected one of lz4, zstd, snappy, gzip, none, got 'brotli' (see --help)");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--topic"}, Map.of()))
                .hasMessage("--topic needs a value (see --help)");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"8080"}, Map.of()))
                .hasMessage("unexpected argument '8080': settings are given as --name value (see --help)");
    }

    @Test
    void maxFutureSkewTakesTheJobsDurationSyntaxAndMustBePositive() {
        assertThat(EdgeConfig.parse(new String[] {"--max-future-skew", "90s"}, Map.of()).maxFutureSkew())
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(EdgeConfig.parse(new String[0], Map.of("EDGE_MAX_FUTURE_SKEW", "1500ms")).maxFutureSkew())
                .isEqualTo(Duration.ofMillis(1500));
        assertThat(EdgeConfig.defaults().with(EdgeConfig.MAX_FUTURE_SKEW, Duration.ofHours(1)).maxFutureSkew())
                .isEqualTo(Duration.ofHours(1));

        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--max-future-skew", "0s"}, Map.of()))
                .hasMessage("--max-future-skew: must be longer than 0, got '0s' (see --help)");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--max-future-skew=-5m"}, Map.of()))
                .hasMessage("--max-future-skew: must be longer than 0, got '-5m' (see --help)");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[0], Map.of("EDGE_MAX_FUTURE_SKEW", "300")))
                .hasMessage("EDGE_MAX_FUTURE_SKEW: expected a duration such as 500ms, 30s, 5m, 1h or 1d, got '300' (see --help)");
    }

    @Test
    void kafkaPropertiesCannotWeakenTheDeliveryGuarantee() {
        EdgeConfig config = EdgeConfig.parse(new String[] {"--kafka-properties", "security.protocol=SSL, client.rack=a"}, Map.of());
        assertThat(config.get(EdgeConfig.KAFKA_PROPERTIES)).containsExactly(
                Map.entry("security.protocol", "SSL"), Map.entry("client.rack", "a"));

        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--kafka-properties", "acks=1"}, Map.of()))
                .hasMessage("--kafka-properties: acks is fixed by the edge's delivery guarantee and cannot be set (see --help)");
    }

    @Test
    void withMethodsReturnChangedCopies() {
        EdgeConfig original = EdgeConfig.defaults();
        EdgeConfig changed = original.withPort(0).withKafkaBootstrap("127.0.0.1:1234").withTopic("t");

        assertThat(changed.port()).isZero();
        assertThat(changed.kafkaBootstrap()).isEqualTo("127.0.0.1:1234");
        assertThat(changed.topic()).isEqualTo("t");
        assertThat(original.port()).isEqualTo(8080);
        assertThat(original.topic()).isEqualTo("views");
        assertThatThrownBy(() -> original.withPort(-1)).hasMessageStartingWith("--port: expected a whole number");
    }

    @Test
    void helpIsRequestedByFlagAndUsageListsEverySetting() {
        assertThat(EdgeConfig.parse(new String[] {"--help"}, Map.of()).helpRequested()).isTrue();
        String usage = EdgeConfig.usage();
        for (EdgeConfig.Setting<?> setting : EdgeConfig.settings()) {
            assertThat(usage).contains(setting.flag()).contains(setting.envName()).contains(setting.doc());
        }
    }

    @Test
    void toStringHidesKafkaPropertyValuesWhichMayBeSecrets() {
        EdgeConfig config = EdgeConfig.parse(new String[] {"--kafka-properties", "sasl.jaas.config=secret"}, Map.of());
        assertThat(config.toString()).contains("sasl.jaas.config").doesNotContain("secret");
    }
}
