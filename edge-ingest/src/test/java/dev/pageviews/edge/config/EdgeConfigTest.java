package dev.pageviews.edge.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.settings.Setting;
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
        assertThat(config.get(EdgeConfig.MAX_BODY_SIZE)).isEqualTo(1_048_576);
        assertThat(config.get(EdgeConfig.IDLE_TIMEOUT)).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.get(EdgeConfig.KAFKA_COMPRESSION)).isEqualTo("lz4");
        assertThat(config.get(EdgeConfig.KAFKA_LINGER)).isZero();
        assertThat(config.get(EdgeConfig.KAFKA_MAX_IN_FLIGHT)).isEqualTo(1);
        assertThat(config.get(EdgeConfig.KAFKA_MAX_BLOCK)).isZero();
        assertThat(config.get(EdgeConfig.KAFKA_BUFFER_MEMORY)).isEqualTo(64L << 20);
        assertThat(config.kafkaProperties()).isEmpty();
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
    void durationsAndSizesTakeFlinksSyntax() {
        EdgeConfig config = EdgeConfig.parse(new String[] {"--idle-timeout", "2min", "--request-timeout", "1500",
            "--max-body-size", "256 kb", "--kafka-buffer-memory", "1g", "--shutdown-timeout", "0"}, Map.of());
        assertThat(config.get(EdgeConfig.IDLE_TIMEOUT)).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.get(EdgeConfig.REQUEST_TIMEOUT)).isEqualTo(Duration.ofMillis(1500));
        assertThat(config.get(EdgeConfig.MAX_BODY_SIZE)).isEqualTo(256 * 1024);
        assertThat(config.get(EdgeConfig.KAFKA_BUFFER_MEMORY)).isEqualTo(1L << 30);
        assertThat(config.get(EdgeConfig.SHUTDOWN_TIMEOUT)).isZero();
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--max-body-size", "100mb"}, Map.of()))
                .hasMessage("--max-body-size (EDGE_MAX_BODY_SIZE): '100mb' is not from 1kb to 64mb");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--retry-after", "1500ms"}, Map.of()))
                .hasMessage("--retry-after (EDGE_RETRY_AFTER): '1500ms' is not whole seconds (Retry-After counts seconds)");
    }

    @Test
    void everySettingHasAFlagAnEnvironmentVariableADefaultAndADoc() {
        Set<String> envNames = new HashSet<>();
        for (Setting<?> setting : EdgeConfig.settings()) {
            assertThat(setting.flag()).matches("--[a-z][a-z0-9-]*");
            assertThat(setting.envName()).isEqualTo("EDGE_" + setting.flag().substring(2).toUpperCase().replace('-', '_'));
            assertThat(setting.doc()).isNotBlank().endsWith(".");
            assertThat(envNames.add(setting.envName())).isTrue();
            // each setting can be given by its variable
            EdgeConfig.parse(new String[0], Map.of(setting.envName(), setting.defaultText()));
        }
        assertThat(EdgeConfig.settings()).extracting(Setting::envName)
                .contains("EDGE_PORT", "EDGE_KAFKA_BOOTSTRAP", "EDGE_TOPIC", "EDGE_CORS_ORIGINS");
    }

    @Test
    void unknownFlagIsNamed() {
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--prot", "1"}, Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown setting --prot; did you mean --port?; --help lists them all");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--idle-timeout-ms", "1000"}, Map.of()))
                .hasMessage("unknown setting --idle-timeout-ms; did you mean --idle-timeout?; --help lists them all");
    }

    @Test
    void badValuesNameTheFlagOrVariableAndWhatIsExpected() {
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--port", "http"}, Map.of()))
                .hasMessage("--port (EDGE_PORT): 'http' is not a port (0-65535; 0 picks a free one)");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[0], Map.of("EDGE_PORT", "70000")))
                .hasMessage("--port (EDGE_PORT): '70000' is not a port (0-65535; 0 picks a free one)");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--kafka-compression", "brotli"}, Map.of()))
                .hasMessage("--kafka-compression (EDGE_KAFKA_COMPRESSION): 'brotli' is not one of lz4, zstd, snappy, gzip, none");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--topic"}, Map.of()))
                .hasMessage("--topic needs a value, e.g. --topic views");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"8080"}, Map.of()))
                .hasMessage("unexpected argument '8080': settings are given as --name value; --help lists them");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--cors-origins", " , "}, Map.of()))
                .hasMessage("--cors-origins (EDGE_CORS_ORIGINS): give * or at least one origin");
    }

    @Test
    void maxFutureSkewTakesTheJobsDurationSyntaxAndMustBePositive() {
        assertThat(EdgeConfig.parse(new String[] {"--max-future-skew", "90s"}, Map.of()).maxFutureSkew())
                .isEqualTo(Duration.ofSeconds(90));
        assertThat(EdgeConfig.parse(new String[0], Map.of("EDGE_MAX_FUTURE_SKEW", "1500ms")).maxFutureSkew())
                .isEqualTo(Duration.ofMillis(1500));
        assertThat(EdgeConfig.parse(new String[0], Map.of("EDGE_MAX_FUTURE_SKEW", "10 min")).maxFutureSkew())
                .isEqualTo(Duration.ofMinutes(10));
        assertThat(EdgeConfig.defaults().with(EdgeConfig.MAX_FUTURE_SKEW, Duration.ofHours(1)).maxFutureSkew())
                .isEqualTo(Duration.ofHours(1));

        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--max-future-skew", "0s"}, Map.of()))
                .hasMessage("--max-future-skew (EDGE_MAX_FUTURE_SKEW): '0s' must be longer than 0");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--max-future-skew=-5m"}, Map.of()))
                .hasMessage("--max-future-skew (EDGE_MAX_FUTURE_SKEW): '-5m' is negative; write e.g. 500ms, 2s, 10min, 1h or 7d");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[0], Map.of("EDGE_MAX_FUTURE_SKEW", "5 fortnights")))
                .hasMessage("--max-future-skew (EDGE_MAX_FUTURE_SKEW): '5 fortnights' is not a duration; "
                        + "write e.g. 500ms, 2s, 10min, 1h or 7d");
    }

    @Test
    void kafkaPropertiesCannotWeakenTheDeliveryGuaranteeAndMayHoldCommas() {
        EdgeConfig config = EdgeConfig.parse(new String[] {"--kafka-properties", "security.protocol=SSL, client.rack=a",
            "--kafka-properties", "ssl.enabled.protocols=TLSv1.3\\,TLSv1.2"}, Map.of());
        assertThat(config.kafkaProperties()).containsExactly(Map.entry("security.protocol", "SSL"),
                Map.entry("client.rack", "a"), Map.entry("ssl.enabled.protocols", "TLSv1.3,TLSv1.2"));

        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--kafka-properties", "acks=1"}, Map.of()))
                .hasMessage("--kafka-properties (EDGE_KAFKA_PROPERTIES): acks is fixed by the edge's delivery guarantee "
                        + "and cannot be set");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--kafka-properties", "TLSv1.2"}, Map.of()))
                .hasMessage("--kafka-properties (EDGE_KAFKA_PROPERTIES): 'TLSv1.2' is not key=value");
    }

    @Test
    void deliveryTimeoutMustLeaveRoomAfterLinger() {
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--kafka-linger", "1s", "--kafka-delivery-timeout", "1s"},
                Map.of()))
                .hasMessageStartingWith("--kafka-delivery-timeout (EDGE_KAFKA_DELIVERY_TIMEOUT) is '1s': must be at least "
                        + "500ms more than --kafka-linger (1s)");
    }

    @Test
    void theAdminPortMustDifferFromThePublicOne() {
        assertThat(EdgeConfig.defaults().adminPort()).isEqualTo(9464);
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--port", "9000", "--admin-port", "9000"}, Map.of()))
                .hasMessage("--admin-port (EDGE_ADMIN_PORT) is '9000': is --port too; the admin port must be another "
                        + "(0 picks a free one)");
        assertThat(EdgeConfig.parse(new String[] {"--port", "0", "--admin-port", "0"}, Map.of()).adminPort()).isZero();
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
        assertThatThrownBy(() -> original.withPort(-1)).hasMessageStartingWith("--port (EDGE_PORT): '-1' is not a port");
    }

    @Test
    void helpIsRequestedByEitherFlagAndUsageListsEverySetting() {
        assertThat(EdgeConfig.parse(new String[] {"--help"}, Map.of()).helpRequested()).isTrue();
        assertThat(EdgeConfig.parse(new String[] {"-h"}, Map.of()).helpRequested()).isTrue();
        String usage = EdgeConfig.usage().replaceAll("\\s+", " ");
        for (Setting<?> setting : EdgeConfig.settings()) {
            assertThat(usage).contains(setting.flag()).contains(setting.envName()).contains(setting.doc());
        }
    }

    @Test
    void toStringHidesKafkaPropertyValuesWhichMayBeSecrets() {
        EdgeConfig config = EdgeConfig.parse(new String[] {"--kafka-properties",
            "sasl.jaas.config=secret,ssl.key.password=top\\,secret"}, Map.of());
        assertThat(config.toString()).contains("sasl.jaas.config", "ssl.key.password").doesNotContain("secret", "=top");
    }
}
