package dev.pageviews.edge;

import static dev.pageviews.edge.RunningEdge.event;
import static dev.pageviews.edge.RunningEdge.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pageviews.stack.KafkaBroker;
import dev.pageviews.stack.LocalStackExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Kafka stopped under the edge (its own broker, not the shared one): events get 503 with Retry-After,
 * never 202; readiness drops; once Kafka is back events are accepted again; and every event that got 202,
 * before, during or after, is in Kafka.
 */
class KafkaOutageIT {

    private static final long TS = 1_730_814_562L;

    @Test
    void answers503WhileKafkaIsDownThenRecoversAndLosesNoAcceptedEvent() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start(LocalStackExtension.newWorkDir().resolve("kafka"), 0);
                RunningEdge edge = RunningEdge.start(kafka, "views-outage", "--kafka-delivery-timeout", "2000",
                        "--health-interval", "300", "--retry-after", "2s")) {
            Set<String> accepted = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> response = edge.track(event("outage", "/before-" + i, TS));
                assertThat(response.statusCode()).isEqualTo(202);
                accepted.add(json(response.body()).get("event_id").asText());
            }

            kafka.stop();

            List<CompletableFuture<HttpResponse<String>>> during = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                during.add(edge.http.sendAsync(trackRequest(edge, event("outage", "/during-" + i, TS)),
                        HttpResponse.BodyHandlers.ofString()));
            }
            HttpResponse<String> batch = edge.post("/api/v1/track/batch", "application/json",
                    "[" + event("outage", "/b0", TS) + ",{\"user_id\":\"x\"}," + event("outage", "/b2", TS) + "]");
            for (CompletableFuture<HttpResponse<String>> future : during) {
                HttpResponse<String> response = future.get();
                assertThat(response.statusCode()).isEqualTo(503);
                assertThat(response.headers().firstValue("retry-after")).hasValue("2");
                assertThat(json(response.body())).isEqualTo(json("{\"error\":\"unavailable\",\"problem\":\"Kafka did not "
                        + "acknowledge the event in time; it may or may not be stored: send it again after Retry-After seconds, "
                        + "with the same event_id so that it is counted once\"}"));
            }
            assertThat(batch.statusCode()).isEqualTo(503);
            assertThat(batch.headers().firstValue("retry-after")).hasValue("2");
            JsonNode batchBody = json(batch.body());
            assertThat(batchBody.get("error").asText()).isEqualTo("unavailable");
            assertThat(batchBody.get("accepted").asInt()).isZero();
            assertThat(batchBody.get("rejected").findValuesAsText("error")).containsExactly("unavailable", "invalid_event", "unavailable");
            assertThat(batchBody.get("rejected").findValuesAsText("index")).containsExactly("0", "1", "2");
            HttpResponse<String> notReady = eventually(edge, "/readyz", 503);
            assertThat(json(notReady.body())).isEqualTo(json("{\"status\":\"not_ready\"}")); // why: on the admin port
            assertThat(notReady.headers().firstValue("retry-after")).hasValue("2");
            HttpResponse<String> notReadyWhy = edge.admin("/readyz");
            assertThat(notReadyWhy.statusCode()).isEqualTo(503);
            assertThat(json(notReadyWhy.body()).get("problem").asText()).isNotEmpty();
            assertThat(PrometheusText.parse(edge.admin("/metrics").body()).get("edge_events_rejected_total{reason=\"kafka_timeout\"}"))
                    .isGreaterThanOrEqualTo(22);

            kafka.restart();

            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            int status = 0;
            for (int i = 0; status != 202 && System.nanoTime() < deadline; i++) {
                HttpResponse<String> response = edge.track(event("outage", "/recovering-" + i, TS));
                status = response.statusCode();
                assertThat(status).isIn(202, 503);
                if (status == 202) {
                    accepted.add(json(response.body()).get("event_id").asText());
                } else {
                    Thread.sleep(200);
                }
            }
            assertThat(status).as("an event accepted after Kafka came back").isEqualTo(202);
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> response = edge.track(event("outage", "/after-" + i, TS));
                assertThat(response.statusCode()).isEqualTo(202);
                accepted.add(json(response.body()).get("event_id").asText());
            }
            assertThat(eventually(edge, "/readyz", 200).statusCode()).isEqualTo(200);

            Set<String> stored = TopicReader.readUntil(edge.bootstrap, edge.topic,
                            records -> ids(records).containsAll(accepted), Duration.ofSeconds(30))
                    .stream().map(r -> TrackEndpointIT.decode(r).eventId()).collect(Collectors.toSet());
            assertThat(stored).containsAll(accepted);
        }
    }

    private static Set<String> ids(List<org.apache.kafka.clients.consumer.ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> TrackEndpointIT.decode(r).eventId()).collect(Collectors.toSet());
    }

    private static HttpRequest trackRequest(RunningEdge edge, String body) {
        return HttpRequest.newBuilder(edge.uri("/api/v1/track"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static HttpResponse<String> eventually(RunningEdge edge, String path, int status) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> response = edge.get(path);
        while (response.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(100);
            response = edge.get(path);
        }
        return response;
    }
}
