package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.EdgeServer;
import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.job.FlinkSettings;
import dev.pageviews.job.JobConfig;
import dev.pageviews.job.PageViewsTopology;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.KafkaBroker;
import dev.pageviews.stack.KafkaSecurity;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import dev.pageviews.stack.TestCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The edge and the job against a Kafka that takes only SASL_SSL with SCRAM-SHA-512 or mutual TLS and denies what no
 * ACL allows ({@link KafkaSecurity}), each as its own user with the least ACLs it needs: the edge produces, the job
 * counts exactly into Redis and writes dead letters, first with passwords, then, restored from a savepoint, with
 * client certificates; a wrong password, a missing ACL, a certificate the CA did not sign or none make the edge
 * answer 503, and its readiness names the setting to fix.
 */
class SecuredKafkaIT {

    private static final long TIMESTAMP = 1_730_814_562L;

    @Test
    void edgeAndJobWorkAsLeastPrivilegedUsersAndBadCredentialsGet503NamingTheSetting() throws Exception {
        Path dir = LocalStackExtension.newWorkDir();
        TestCertificates certificates = TestCertificates.shared();
        KafkaSecurity security = KafkaSecurity.withUsers(certificates, "edge", "job", "stranger", "reader");
        try (KafkaBroker kafka = KafkaBroker.startSecured(dir.resolve("kafka"), 0, security);
                RedisServer redis = RedisServer.start(dir.resolve("redis"), 0, RedisServer.Persistence.NONE)) {
            kafka.createTopic("views", 2);
            kafka.createTopic("views-dlq", 1);
            kafka.createAcls(KafkaSecurity.edgeAcls("edge", "views"));
            kafka.createAcls(KafkaSecurity.jobAcls("job", "views", "pageviews-job", "views-dlq"));
            // the job's ACLs but WRITE on the dead-letter topic
            kafka.createAcls(KafkaSecurity.jobAcls("reader", "views", "pageviews-job", "views-dlq").stream()
                    .filter(acl -> !acl.pattern().name().equals("views-dlq")).toList());

            // the job's secrets as a Kubernetes Secret mounts them: one file per key, read by Kafka's dir provider
            Path secrets = Files.createDirectories(dir.resolve("secrets"));
            Files.writeString(secrets.resolve("jaas"), security.clientProperties("job").get("sasl.jaas.config"));
            Files.writeString(secrets.resolve("truststore-password"), certificates.password());
            JobConfig jobConfig = JobConfig.parse(new String[] {
                "--kafka-bootstrap", kafka.bootstrapServers(),
                "--kafka-properties", "config.providers=dir,"
                        + "config.providers.dir.class=org.apache.kafka.common.config.provider.DirectoryConfigProvider,"
                        + "security.protocol=SASL_SSL,sasl.mechanism=SCRAM-SHA-512,"
                        + "sasl.jaas.config=${dir:" + secrets + ":jaas},"
                        + "ssl.truststore.type=PKCS12,ssl.truststore.location=" + certificates.truststore() + ","
                        + "ssl.truststore.password=${dir:" + secrets + ":truststore-password}",
                "--redis", redis.uri(),
                "--checkpoint-dir", dir.resolve("checkpoints").toUri().toString(),
                "--checkpoint-interval", "500ms",
                "--starting-offsets", "earliest",
                "--stats", "false"}, Map.of());
            assertThat(jobConfig.shown().toString()).as("the job parameters the web UI shows")
                    .doesNotContain(security.password("job"), certificates.password());

            // made while nothing else runs: keytool's JVMs would slow the job's start
            certificates.issueClients("edge", "job");
            Path impostor = certificates.selfSignedKeystore("edge");

            Configuration flink = flink(jobConfig);
            Map<String, Long> counted;
            String savepoint;
            try (LocalJob job = LocalJob.submit(flink, jobGraph(flink, jobConfig), (id, path) -> { })) {
                job.awaitRestored(Duration.ofSeconds(60));
                try (EdgeServer edge = edge(kafka.bootstrapServers(), security.clientProperties("edge"), job, "5s")) {
                    PipelineTraffic traffic = new PipelineTraffic(edge.port(), Map.of());
                    for (int i = 0; i < 60; i++) {
                        assertThat(traffic.post("u" + (i % 7), "/page/" + (i % 5), TIMESTAMP + i)).isEqualTo(202);
                    }
                    // what no edge sends, but a producer with the edge's rights could: dead letters for the job
                    List<String> garbage = List.of("not json", "{\"user_id\":\"x\"}", "[1,2]");
                    produce(kafka.bootstrapServers(), security.clientProperties("edge"), "views", garbage);
                    try (Jedis jedis = redis.client()) {
                        assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(30)))
                                .isEqualTo(traffic.expected()).containsEntry("/page/0", 12L);
                    }
                    assertThat(consume(kafka, security.clientProperties(KafkaSecurity.ADMIN), "views-dlq", garbage.size()))
                            .containsExactlyInAnyOrderElementsOf(garbage);
                    counted = traffic.expected();
                }

                // edges that are to fail wait no longer for Kafka at start: readyz below waits for the reason
                Map<String, String> wrongPassword = security.clientProperties("edge", "not-the-password");
                try (EdgeServer edge = edge(kafka.bootstrapServers(), wrongPassword, job, "1s")) {
                    assertThat(new PipelineTraffic(edge.port(), Map.of()).post("u", "/denied", TIMESTAMP)).isEqualTo(503);
                    assertThat(readyz(edge, "refused")).contains("refused the edge's credentials",
                            "--kafka-properties (EDGE_KAFKA_PROPERTIES)").doesNotContain("not-the-password");
                }
                try (EdgeServer edge = edge(kafka.bootstrapServers(), security.clientProperties("stranger"), job, "1s")) {
                    assertThat(new PipelineTraffic(edge.port(), Map.of()).post("u", "/denied", TIMESTAMP)).isEqualTo(503);
                    assertThat(readyz(edge, "does not let")).contains("does not let the edge's user",
                            "--kafka-properties (EDGE_KAFKA_PROPERTIES)", "ACL allowing WRITE on the topic");
                }
                savepoint = job.stopWithSavepoint(dir.resolve("savepoints").toUri().toString(), false, Duration.ofSeconds(60));
            }

            // mutual TLS: the job moves to it as an operator would (stop with a savepoint, start from it with other
            // properties), the edge's and the job's certificates are the users the ACLs name, and every secret (the
            // stores' passwords) comes through the dir provider
            JobConfig mtlsJobConfig = jobConfig.with(JobConfig.KAFKA_BOOTSTRAP, kafka.mtlsBootstrapServers())
                    .with(JobConfig.KAFKA_PROPERTIES, properties(fromFiles(
                            security.mtlsClientProperties(certificates.clientKeystore("job")), dir.resolve("job-secrets"))));
            assertThat(mtlsJobConfig.shown().toString()).as("the job parameters the web UI shows")
                    .doesNotContain(certificates.password());
            Configuration mtlsFlink = flink(mtlsJobConfig);
            JobGraph restored = jobGraph(mtlsFlink, mtlsJobConfig);
            restored.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
            try (LocalJob job = LocalJob.submit(mtlsFlink, restored, (id, path) -> { })) {
                job.awaitRestored(Duration.ofSeconds(60));
                Map<String, String> edgeCertificate = fromFiles(
                        security.mtlsClientProperties(certificates.clientKeystore("edge")), dir.resolve("edge-secrets"));
                try (EdgeServer edge = edge(kafka.mtlsBootstrapServers(), edgeCertificate, job, "5s")) {
                    PipelineTraffic traffic = new PipelineTraffic(edge.port(), counted);
                    for (int i = 0; i < 30; i++) {
                        assertThat(traffic.post("m" + (i % 4), "/page/" + (i % 6), TIMESTAMP + 100 + i)).isEqualTo(202);
                    }
                    List<String> garbage = List.of("not json over mutual TLS", "{\"page_url\":\"/mtls\"}");
                    produce(kafka.mtlsBootstrapServers(), security.mtlsClientProperties(certificates.clientKeystore("edge")),
                            "views", garbage);
                    try (Jedis jedis = redis.client()) {
                        assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(30)))
                                .isEqualTo(traffic.expected()).containsEntry("/page/5", 5L);
                    }
                    assertThat(consume(kafka, security.clientProperties(KafkaSecurity.ADMIN), "views-dlq", 5))
                            .containsExactlyInAnyOrder("not json", "{\"user_id\":\"x\"}", "[1,2]",
                                    "not json over mutual TLS", "{\"page_url\":\"/mtls\"}");
                }

                // the edge's name, but a certificate the CA did not sign; then no certificate at all
                for (Map<String, String> refused : List.of(security.mtlsClientProperties(impostor),
                        withoutKeystore(security.mtlsClientProperties(certificates.clientKeystore("edge"))))) {
                    try (EdgeServer edge = edge(kafka.mtlsBootstrapServers(), refused, job, "1s")) {
                        assertThat(new PipelineTraffic(edge.port(), Map.of()).post("u", "/denied", TIMESTAMP)).isEqualTo(503);
                        assertThat(readyz(edge, "handshake")).contains("TLS handshake with Kafka at",
                                "ssl.keystore", "--kafka-properties (EDGE_KAFKA_PROPERTIES)");
                    }
                }
                job.cancel(Duration.ofSeconds(30));
            }

            // the job as a user with a wrong password, and as one without ACLs: it fails at once, naming the setting
            JobConfig wrongPassword = jobConfig.with(JobConfig.KAFKA_PROPERTIES, properties(
                    security.clientProperties("job", "not-the-password")));
            assertThat(failureOf(wrongPassword)).contains("refused the job's credentials",
                    "--kafka-properties (PAGEVIEWS_KAFKA_PROPERTIES)").doesNotContain("not-the-password");
            JobConfig noAcls = jobConfig.with(JobConfig.KAFKA_PROPERTIES, properties(security.clientProperties("stranger")));
            assertThat(failureOf(noAcls)).contains("does not allow the job's user",
                    "--kafka-properties (PAGEVIEWS_KAFKA_PROPERTIES)", "ACLs allowing READ on the topic");
            // and as a user that may read but not write dead letters: it fails at its start, not at the first one
            JobConfig noDeadLetters = jobConfig.with(JobConfig.KAFKA_PROPERTIES, properties(security.clientProperties("reader")));
            assertThat(failureOf(noDeadLetters)).contains("does not allow the job's user",
                    "--kafka-properties (PAGEVIEWS_KAFKA_PROPERTIES)", "WRITE on the dead-letter topic views-dlq:")
                    .doesNotContain("READ on the topic views");
        }
    }

    /** Why the job fails with {@code jobConfig}: the root cause of its end, without restarts. */
    private static String failureOf(JobConfig jobConfig) throws Exception {
        Configuration flink = flink(jobConfig);
        flink.setString("restart-strategy.type", "none");
        try (LocalJob job = LocalJob.submit(flink, jobGraph(flink, jobConfig), (id, path) -> { })) {
            return job.unexpectedEnd().get(60, TimeUnit.SECONDS);
        }
    }

    /** Client properties as a --kafka-properties value. */
    private static List<String> properties(Map<String, String> properties) {
        return properties.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
    }

    /**
     * {@code properties} with the stores' passwords in files of {@code secrets}, one per key, read by Kafka's dir
     * config provider, as a mounted Kubernetes Secret gives them: the flags then hold no secret.
     */
    private static Map<String, String> fromFiles(Map<String, String> properties, Path secrets) throws Exception {
        Files.createDirectories(secrets);
        Map<String, String> read = new LinkedHashMap<>();
        read.put("config.providers", "dir");
        read.put("config.providers.dir.class", "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
        for (Map.Entry<String, String> property : properties.entrySet()) {
            if (property.getKey().endsWith(".password")) {
                Files.writeString(secrets.resolve(property.getKey()), property.getValue());
                read.put(property.getKey(), "${dir:" + secrets + ":" + property.getKey() + "}");
            } else {
                read.put(property.getKey(), property.getValue());
            }
        }
        return read;
    }

    private static Map<String, String> withoutKeystore(Map<String, String> properties) {
        Map<String, String> without = new LinkedHashMap<>(properties);
        without.keySet().removeIf(key -> key.startsWith("ssl.keystore."));
        return without;
    }

    private static EdgeServer edge(String bootstrap, Map<String, String> security, LocalJob job, String startupWait) {
        String properties = EdgeConfig.KAFKA_PROPERTIES.type().format(properties(security)); // the flag's text
        return EdgeServer.start(EdgeConfig.parse(new String[] {
            "--host", "127.0.0.1", "--port", "0", "--admin-port", "0",
            "--kafka-bootstrap", bootstrap, "--topic", "views",
            "--kafka-startup-wait", startupWait, "--health-interval", "500ms",
            "--kafka-properties", properties}, Map.of()), job);
    }

    /**
     * The admin port's {@code /readyz} (503), once it says {@code expected}: until the TLS handshake and the SASL
     * exchange finish within a health check's timeout, the edge can only say Kafka did not answer.
     */
    private static String readyz(EdgeServer edge, String expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + edge.adminPort() + "/readyz")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
            if (response.body().contains(expected) || System.nanoTime() > deadline) {
                return response.body();
            }
            Thread.sleep(200);
        }
    }

    private static Configuration flink(JobConfig jobConfig) {
        Configuration flink = FlinkSettings.of(jobConfig);
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.PORT, FreePorts.pick());
        return flink;
    }

    private static JobGraph jobGraph(Configuration flink, JobConfig jobConfig) {
        return PageViewsTopology.streamGraph(flink, jobConfig).getJobGraph();
    }

    private static void produce(String bootstrap, Map<String, String> security, String topic, List<String> values)
            throws Exception {
        Properties props = new Properties();
        props.putAll(security);
        props.put("bootstrap.servers", bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (String value : values) {
                producer.send(new ProducerRecord<>(topic, value.getBytes())).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> consume(KafkaBroker kafka, Map<String, String> security, String topic, int count) {
        Properties props = new Properties();
        props.putAll(security);
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("group.id", "secured-kafka-it-" + UUID.randomUUID()); // from the start each time
        props.put("auto.offset.reset", "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (values.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(new String(record.value()));
                }
            }
        }
        return values;
    }
}
