package dev.pageviews.edge.produce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.edge.metrics.Metrics;
import dev.pageviews.event.PageView;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The producer behind the event endpoints, over Kafka's {@link MockProducer}s: which producer a user's events go to,
 * what each kind of Kafka failure is reported as, and when the topic's partitions count as known.
 */
class EventProducerTest {

    private static final List<String> USERS = List.of("alice", "bob", "carol", "dave", "erin", "frank");
    private static final Node BROKER = new Node(0, "127.0.0.1", 9092);
    private static final List<PartitionInfo> VIEWS = List.of(
            new PartitionInfo("views", 0, BROKER, new Node[] {BROKER}, new Node[] {BROKER}),
            new PartitionInfo("views", 1, BROKER, new Node[] {BROKER}, new Node[] {BROKER}));

    private final Metrics metrics = new Metrics();
    private final List<Properties> created = new ArrayList<>();
    private final List<MockProducer<byte[], byte[]>> kafka = new ArrayList<>();
    private final List<EventProducer.Failure> outcomes = new ArrayList<>();
    private EventProducer producer;

    @AfterEach
    void close() {
        producer.close(Duration.ZERO);
        assertThat(kafka).allSatisfy(mock -> assertThat(mock.closed()).isTrue());
        metrics.close();
    }

    @Test
    void eachUsersEventsGoToOneOfTheProducersAndKeepTheirOrder() {
        producer = create(3, Cluster.empty());

        for (int round = 0; round < 3; round++) {
            for (String user : USERS) {
                producer.send(view(user, "/" + round), outcomes::add);
            }
        }

        assertThat(created).extracting(props -> props.getProperty("client.id"))
                .containsExactly("edge-ingest-0", "edge-ingest-1", "edge-ingest-2");
        for (String user : USERS) {
            MockProducer<byte[], byte[]> expected = kafka.get(Math.floorMod(user.hashCode(), 3));
            assertThat(expected.history()).filteredOn(r -> new String(r.key(), StandardCharsets.UTF_8).equals(user))
                    .extracting(r -> new String(r.value(), StandardCharsets.UTF_8))
                    .hasSize(3)
                    .satisfiesExactly(v -> assertThat(v).contains("\"page_url\":\"/0\""),
                            v -> assertThat(v).contains("\"page_url\":\"/1\""),
                            v -> assertThat(v).contains("\"page_url\":\"/2\""));
        }
        assertThat(kafka).extracting(mock -> mock.history().size()).containsExactly(
                usersOf(0, 3) * 3, usersOf(1, 3) * 3, usersOf(2, 3) * 3);
    }

    @Test
    void eachOutcomeIsToldOnceAndKafkasFailuresAreNamed() {
        producer = create(1, Cluster.empty());
        MockProducer<byte[], byte[]> mock = kafka.get(0);

        for (int i = 0; i < 4; i++) {
            producer.send(view("u" + i, "/p"), outcomes::add);
        }
        assertThat(metrics.eventsInFlight().get()).isEqualTo(4);
        mock.errorNext(new BufferExhaustedException("Failed to allocate 100 bytes"));
        mock.errorNext(new TimeoutException("Expiring 1 record(s)"));
        mock.errorNext(new RecordTooLargeException("too large"));
        assertThat(producer.recentlyFailing(Duration.ofMinutes(1))).isTrue();
        mock.completeNext();

        assertThat(outcomes).containsExactly(EventProducer.Failure.BUFFER_FULL, EventProducer.Failure.TIMEOUT,
                EventProducer.Failure.ERROR, null);
        assertThat(metrics.eventsInFlight().get()).isZero();
        assertThat(producer.recentlyFailing(Duration.ofMinutes(1))).as("a success ends the failing spell").isFalse();
        assertThat(metrics.exposition()).contains("edge_events_rejected_total{reason=\"kafka_buffer_full\"} 1.0",
                "edge_events_rejected_total{reason=\"kafka_timeout\"} 1.0",
                "edge_events_rejected_total{reason=\"kafka_error\"} 1.0", "edge_events_produced_total 1.0");
    }

    @Test
    void aSendThatThrowsIsAFailureToo() {
        producer = create(1, Cluster.empty());
        kafka.get(0).sendException = new IllegalStateException("Cannot perform operation after producer has been closed");

        producer.send(view("u1", "/p"), outcomes::add);

        assertThat(outcomes).containsExactly(EventProducer.Failure.ERROR);
        assertThat(metrics.eventsInFlight().get()).isZero();
    }

    @Test
    void theTopicsPartitionsAreKnownOnlyWhenEveryProducerKnowsThem() {
        Cluster views = new Cluster("c", List.of(BROKER), VIEWS, Set.of(), Set.of());
        producer = create(2, views, Cluster.empty());
        EventProducer allKnow = EventProducer.create(config(2), metrics, props -> mock(views));

        assertThat(producer.topicPartitions()).isEmpty();
        assertThat(allKnow.topicPartitions()).hasSize(2);
        allKnow.close(Duration.ZERO);
    }

    private EventProducer create(int producers, Cluster... clusters) {
        return EventProducer.create(config(producers), metrics, props -> {
            created.add(props);
            MockProducer<byte[], byte[]> mock = mock(clusters[Math.min(kafka.size(), clusters.length - 1)]);
            kafka.add(mock);
            return mock;
        });
    }

    private static MockProducer<byte[], byte[]> mock(Cluster cluster) {
        return new MockProducer<>(cluster, false, null, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static EdgeConfig config(int producers) {
        return EdgeConfig.defaults().withTopic("views").with(EdgeConfig.KAFKA_PRODUCERS, producers);
    }

    private static PageView view(String user, String page) {
        return PageView.of(user, page, 1_730_814_562L).stamped("id-" + user + page, 1_730_814_562_123L);
    }

    private static int usersOf(int index, int producers) {
        return (int) USERS.stream().filter(u -> Math.floorMod(u.hashCode(), producers) == index).count();
    }
}
