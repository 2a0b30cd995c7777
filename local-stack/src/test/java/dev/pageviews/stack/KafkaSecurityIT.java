package dev.pageviews.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The SASL_SSL mode of {@link KafkaBroker}: TLS, SCRAM users, and ACLs that deny what they do not allow. */
class KafkaSecurityIT {

    @Test
    void clientsGetOnlyWhatTheirAclsAllowAndAWrongPasswordIsRefused() throws Exception {
        KafkaSecurity security = KafkaSecurity.withUsers(TestCertificates.shared(), "edge", "job");
        try (KafkaBroker kafka = KafkaBroker.startSecured(LocalStackExtension.newWorkDir().resolve("kafka"), 0, security)) {
            kafka.createTopic("views", 1);
            kafka.createTopic("views-dlq", 1);
            kafka.createAcls(KafkaSecurity.edgeAcls("edge", "views"));
            kafka.createAcls(KafkaSecurity.jobAcls("job", "views", "pageviews-job", "views-dlq"));

            try (KafkaProducer<String, String> edge = producer(kafka, security.clientProperties("edge"))) {
                edge.send(new ProducerRecord<>("views", "k", "v")).get(30, TimeUnit.SECONDS);
                // the edge may write views but not dead letters
                assertThatThrownBy(() -> edge.send(new ProducerRecord<>("views-dlq", "k", "v")).get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
            }
            try (KafkaConsumer<String, String> job = consumer(kafka, security.clientProperties("job"))) {
                job.subscribe(List.of("views"));
                ConsumerRecords<String, String> records = ConsumerRecords.empty();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (records.isEmpty() && System.nanoTime() < deadline) {
                    records = job.poll(Duration.ofMillis(500));
                }
                assertThat(records.count()).isEqualTo(1);
                job.commitSync();
            }
            try (KafkaProducer<String, String> job = producer(kafka, security.clientProperties("job"))) {
                job.send(new ProducerRecord<>("views-dlq", "k", "dead")).get(30, TimeUnit.SECONDS);
                // the job may not write views
                assertThatThrownBy(() -> job.send(new ProducerRecord<>("views", "k", "v")).get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(TopicAuthorizationException.class);
            }
            try (KafkaProducer<String, String> intruder = producer(kafka, security.clientProperties("edge", "wrong"))) {
                assertThatThrownBy(() -> intruder.send(new ProducerRecord<>("views", "k", "v")).get(30, TimeUnit.SECONDS))
                        .hasCauseInstanceOf(SaslAuthenticationException.class);
            }
            // without SASL_SSL the listener takes no client at all: a plaintext client times out on metadata
            assertThatThrownBy(() -> {
                try (KafkaProducer<String, String> plain = producer(kafka, Map.of())) {
                    plain.send(new ProducerRecord<>("views", "k", "v")).get(30, TimeUnit.SECONDS);
                }
            }).hasMessageContaining("not present in metadata");
        }
    }

    private static KafkaProducer<String, String> producer(KafkaBroker kafka, Map<String, String> security) {
        Properties props = new Properties();
        props.putAll(security);
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("max.block.ms", "5000");
        props.put("delivery.timeout.ms", "10000");
        props.put("request.timeout.ms", "5000");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(KafkaBroker kafka, Map<String, String> security) {
        Properties props = new Properties();
        props.putAll(security);
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", "pageviews-job");
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }
}
