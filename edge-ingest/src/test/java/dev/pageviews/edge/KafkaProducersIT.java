package dev.pageviews.edge;

import static dev.pageviews.edge.RunningEdge.event;
import static dev.pageviews.edge.RunningEdge.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.event.DecodeResult;
import dev.pageviews.event.PageViewCodec;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Events spread over several producers (--kafka-producers) against a real Kafka. */
@ExtendWith(LocalStackExtension.class)
class KafkaProducersIT {

    private static final long TS = 1_730_814_562L;
    private static final int USERS = 40;
    private static final int EVENTS_PER_USER = 5;

    /**
     * Ready means every producer can send: the first batch after start, spread over all four producers, is taken
     * whole. (When readiness asked only the first producer for the topic's metadata, the others answered 503 for
     * their users until they had fetched it.) Each user's events stay in the order of the batch, and all four
     * producers carried events.
     */
    @Test
    void theFirstBatchAfterReadyIsTakenWholeAndEachUsersEventsKeepTheirOrder(LocalStack stack) {
        try (RunningEdge edge = RunningEdge.start(stack.kafka(), "edge-producers-it", "--kafka-producers", "4")) {
            StringJoiner batch = new StringJoiner(",", "[", "]");
            for (int n = 0; n < EVENTS_PER_USER; n++) { // interleaved: user 0 #0, user 1 #0, ..., user 0 #1, ...
                for (int u = 0; u < USERS; u++) {
                    batch.add(event("user-" + u, "/step-" + n, TS + n));
                }
            }

            HttpResponse<String> response = edge.post("/api/v1/track/batch", "application/json", batch.toString());

            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
            assertThat(json(response.body()).get("accepted").asInt()).isEqualTo(USERS * EVENTS_PER_USER);
            List<ConsumerRecord<byte[], byte[]>> stored =
                    TopicReader.readAtLeast(edge.bootstrap, edge.topic, USERS * EVENTS_PER_USER);
            Map<String, List<String>> pagesByUser = new LinkedHashMap<>();
            stored.stream() // a user's events are in one partition, in offset order as read
                    .map(r -> ((DecodeResult.Valid) PageViewCodec.decode(r.value())).view())
                    .forEach(v -> pagesByUser.computeIfAbsent(v.userId(), k -> new ArrayList<>()).add(v.pageUrl()));
            assertThat(pagesByUser).hasSize(USERS).allSatisfy((user, pages) ->
                    assertThat(pages).containsExactly("/step-0", "/step-1", "/step-2", "/step-3", "/step-4"));
            Map<String, Double> sent = PrometheusText.parse(edge.admin("/metrics").body());
            for (int i = 0; i < 4; i++) {
                String series = "kafka_producer_record_send_total{client_id=\"edge-ingest-" + i + "\",kafka_version=";
                assertThat(sent.entrySet()).as("producer %d sent events", i)
                        .anyMatch(e -> e.getKey().startsWith(series) && e.getValue() > 0);
            }
        }
    }

    @Test
    void aBadProducerCountIsRefusedNamingTheFlag() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                () -> EdgeConfig.parse(new String[] {"--kafka-producers", "0"}, Map.of())))
                .hasMessageContaining("--kafka-producers");
    }
}
