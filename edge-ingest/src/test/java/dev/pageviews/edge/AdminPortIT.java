package dev.pageviews.edge;

import static dev.pageviews.edge.RunningEdge.event;
import static dev.pageviews.edge.RunningEdge.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The admin port against a real Kafka: the edge's metrics under their names, the JVM's, Netty's and the producer's. */
@ExtendWith(LocalStackExtension.class)
class AdminPortIT {

    private static final long TS = 1_730_814_562L;

    @Test
    void servesTheEdgesMetricsWithTheirValuesAndTheJvmNettyAndProducerMetrics(LocalStack stack) {
        try (RunningEdge edge = RunningEdge.start(stack.kafka(), "edge-admin-it")) {
            edge.track(event("admin", "/a", TS));
            edge.track(event("admin", "/b", TS));
            edge.track("{}");
            edge.post("/api/v1/track/batch", "application/json", "[" + event("admin", "/c", TS) + "," + event("admin", "/d", TS) + "]");
            HttpResponse<String> publicMetrics = edge.get("/metrics");
            HttpResponse<String> publicReady = edge.get("/readyz");

            HttpResponse<String> metrics = edge.admin("/metrics");
            HttpResponse<String> ready = edge.admin("/readyz");
            HttpResponse<String> health = edge.admin("/healthz");

            assertThat(edge.server.adminPort()).isPositive().isNotEqualTo(edge.port());
            assertThat(publicMetrics.statusCode()).isEqualTo(404);
            assertThat(publicReady.statusCode()).isEqualTo(200);
            assertThat(json(publicReady.body())).isEqualTo(json("{\"status\":\"ready\"}"));
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(json(ready.body())).isEqualTo(json("{\"status\":\"ready\"}"));
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            Map<String, Double> samples = PrometheusText.parse(metrics.body());
            assertThat(samples).containsEntry("edge_http_requests_total{route=\"/api/v1/track\",status=\"202\"}", 2.0)
                    .containsEntry("edge_http_requests_total{route=\"/api/v1/track\",status=\"400\"}", 1.0)
                    .containsEntry("edge_http_requests_total{route=\"/api/v1/track/batch\",status=\"202\"}", 1.0)
                    .containsEntry("edge_http_requests_total{route=\"unmatched\",status=\"404\"}", 1.0) // the public /metrics
                    .containsEntry("edge_http_requests_total{route=\"/readyz\",status=\"200\"}", 1.0) // admin requests not counted
                    .containsEntry("edge_http_requests_in_flight", 0.0)
                    .containsEntry("edge_events_produced_total", 4.0)
                    .containsEntry("edge_events_rejected_total{reason=\"invalid_user_id\"}", 1.0)
                    .containsEntry("edge_events_in_flight", 0.0)
                    .containsEntry("edge_produce_latency_seconds_count", 4.0)
                    .containsEntry("edge_produce_latency_seconds_bucket{le=\"+Inf\"}", 4.0)
                    .containsEntry("edge_connections_refused_total", 0.0)
                    .containsEntry("edge_connections_timed_out_total", 0.0)
                    .containsEntry("edge_ready", 1.0)
                    .containsKeys("edge_produce_latency_seconds_bucket{le=\"0.001\"}", "edge_produce_latency_seconds_bucket{le=\"10.0\"}",
                            "edge_produce_latency_seconds_sum", "edge_connections_open");
            assertThat(samples.get("edge_connections_open")).isGreaterThanOrEqualTo(1);
            assertThat(samples.keySet())
                    .anyMatch(k -> k.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                    .anyMatch(k -> k.startsWith("jvm_threads_live_threads"))
                    .anyMatch(k -> k.startsWith("jvm_classes_loaded_classes"))
                    .anyMatch(k -> k.startsWith("process_uptime_seconds"))
                    .anyMatch(k -> k.startsWith("system_cpu_count"))
                    .anyMatch(k -> k.startsWith("netty_eventexecutor_tasks_pending{name=\"edge-io-"))
                    .anyMatch(k -> k.startsWith("netty_eventexecutor_tasks_pending{name=\"edge-accept-"))
                    .anyMatch(k -> k.startsWith("netty_allocator_memory_used{"))
                    .anyMatch(k -> k.startsWith("jvm_buffer_"))
                    .anyMatch(k -> k.startsWith("jvm_gc_memory_allocated_bytes_total"))
                    .anyMatch(k -> k.startsWith("jvm_threads_states_threads{"))
                    .anyMatch(k -> k.startsWith("process_cpu_usage"))
                    .anyMatch(k -> k.startsWith("netty_allocator_memory_used{allocator_type=\"AdaptiveByteBufAllocator\""))
                    .anyMatch(k -> k.startsWith("kafka_producer_buffer_available_bytes{"))
                    .anyMatch(k -> k.startsWith("kafka_producer_record_error_total{"));
            // one series per producer (client_id edge-ingest-0, ...; one by default); together they sent the 4 events
            Map<String, Double> sent = samples.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("kafka_producer_record_send_total{"))
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
            assertThat(sent.keySet()).hasSize(1) // --kafka-producers 1, the default
                    .allMatch(k -> k.contains("client_id=\"edge-ingest-"));
            assertThat(sent.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(4.0);
        }
    }

    @Test
    void onlyTheAdminPortTellsWhyNotReadyNamingKafkasAddress() {
        String nowhere = "127.0.0.1:" + FreePorts.pick();
        EdgeConfig config = EdgeConfig.parse(new String[] {"--kafka-startup-wait", "0", "--health-interval", "500ms"}, Map.of())
                .withPort(0).with(EdgeConfig.ADMIN_PORT, 0).withKafkaBootstrap(nowhere).withTopic("edge-admin-nowhere");
        try (EdgeServer server = EdgeServer.start(config)) {
            HttpResponse<String> publicReady = get(server.port(), "/readyz");
            HttpResponse<String> adminReady = get(server.adminPort(), "/readyz");
            HttpResponse<String> adminMetrics = get(server.adminPort(), "/metrics");

            assertThat(publicReady.statusCode()).isEqualTo(503);
            assertThat(json(publicReady.body())).isEqualTo(json("{\"status\":\"not_ready\"}"));
            assertThat(publicReady.body()).doesNotContain(nowhere);
            assertThat(adminReady.statusCode()).isEqualTo(503);
            assertThat(json(adminReady.body()).get("problem").asText()).contains(nowhere);
            assertThat(PrometheusText.parse(adminMetrics.body())).containsEntry("edge_ready", 0.0);
        }
    }

    @Test
    void anAdminPortInUseStopsTheStartNamingTheSetting(LocalStack stack) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            EdgeConfig config = EdgeConfig.parse(new String[] {"--host", "127.0.0.1"}, Map.of())
                    .withPort(0).with(EdgeConfig.ADMIN_PORT, taken.getLocalPort())
                    .withKafkaBootstrap(stack.kafka().bootstrapServers()).withTopic("edge-admin-taken");

            assertThatThrownBy(() -> EdgeServer.start(config).close())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("admin port " + taken.getLocalPort())
                    .hasMessageContaining("--admin-port or EDGE_ADMIN_PORT");
        }
    }

    private static HttpResponse<String> get(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
