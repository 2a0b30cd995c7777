package dev.pageviews.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;

/** {@code --kafka-properties}: how the job's Kafka clients connect to a Kafka with TLS or SASL. */
class KafkaConnectionSettingsTest {

    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"job\" password=\"p@ss,word=1\";";

    @Test
    void kafkaPropertiesReachTheSourceTheDeadLettersAndTheAdmin() {
        JobConfig config = JobConfig.parse(new String[] {"--kafka-bootstrap", "k1:9093",
            "--kafka-properties", "security.protocol=SASL_SSL,sasl.mechanism=SCRAM-SHA-512",
            "--kafka-properties", "sasl.jaas.config=" + JAAS.replace(",", "\\,")}, Map.of());

        Properties connection = PageViewsTopology.kafkaConnection(config);
        assertThat(connection).containsEntry("bootstrap.servers", "k1:9093")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", JAAS);
        // both Kafka clients are built from it; they must build (a missing bootstrap.servers would throw)
        PageViewsTopology.kafkaSource(config);
        PageViewsTopology.deadLetterSink(config);
    }

    @Test
    void configProvidersReachTheAdminClientThatChecksTheOffsets() {
        JobConfig config = JobConfig.parse(new String[] {"--kafka-properties", "config.providers=env,"
                + "config.providers.env.class=org.apache.kafka.common.config.provider.EnvVarConfigProvider,"
                + "sasl.jaas.config=${env:KAFKA_JAAS},max.poll.records=10"}, Map.of());
        Properties admin = dev.pageviews.job.source.AdminPropertiesAccess.of(PageViewsTopology.kafkaConnection(config));
        assertThat(admin).containsEntry("config.providers", "env")
                .containsEntry("config.providers.env.class",
                        "org.apache.kafka.common.config.provider.EnvVarConfigProvider")
                .containsEntry("sasl.jaas.config", "${env:KAFKA_JAAS}")
                .containsEntry(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092")
                .doesNotContainKey("max.poll.records"); // a consumer's key, unknown to the admin
    }

    @Test
    void valuesAreMaskedInLogsAndTheWebUi() {
        JobConfig config = JobConfig.parse(new String[] {"--kafka-properties",
            "security.protocol=SASL_SSL,sasl.jaas.config=" + JAAS.replace(",", "\\,")
                    + ",ssl.truststore.password=trust-secret"}, Map.of());
        for (String shown : List.of(config.toString(), config.shown().toString())) {
            assertThat(shown).contains("sasl.jaas.config", "ssl.truststore.password")
                    .doesNotContain("p@ss", "word=1", "trust-secret");
        }
        assertThat(config.shown()).containsEntry("kafka-properties",
                "security.protocol=***,sasl.jaas.config=***,ssl.truststore.password=***");
    }

    @Test
    void refusesWhatTheJobSetsItselfNamingTheFlagToUse() {
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--kafka-properties", "bootstrap.servers=x:1"}, Map.of()))
                .hasMessage("--kafka-properties (PAGEVIEWS_KAFKA_PROPERTIES): bootstrap.servers cannot be set here; "
                        + "use --kafka-bootstrap");
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--kafka-properties", "group.id=g"}, Map.of()))
                .hasMessageEndingWith("group.id cannot be set here; use --group-id");
        assertThatThrownBy(() -> JobConfig.parse(new String[] {"--kafka-properties", "acks=0"}, Map.of()))
                .hasMessageEndingWith("acks is fixed by the job (its offsets and its dead letters' delivery depend on "
                        + "it) and cannot be set");
        assertThatThrownBy(() -> JobConfig.parse(new String[] {}, Map.of("PAGEVIEWS_KAFKA_PROPERTIES", "SASL_SSL")))
                .hasMessage("--kafka-properties (PAGEVIEWS_KAFKA_PROPERTIES): 'SASL_SSL' is not key=value");
    }

    @Test
    void theWholeListMayComeFromTheEnvironment() {
        JobConfig config = JobConfig.parse(new String[0], Map.of("PAGEVIEWS_KAFKA_PROPERTIES",
                "security.protocol=SSL,ssl.enabled.protocols=TLSv1.3\\,TLSv1.2"));
        assertThat(config.kafkaProperties()).containsExactly(Map.entry("security.protocol", "SSL"),
                Map.entry("ssl.enabled.protocols", "TLSv1.3,TLSv1.2"));
    }
}
