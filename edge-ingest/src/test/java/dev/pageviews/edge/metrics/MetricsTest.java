package dev.pageviews.edge.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void writesTheEdgesMetricsUnderTheirPrometheusNames() {
        Metrics metrics = new Metrics();
        metrics.requestAnswered("/api/v1/track", 202);
        metrics.requestAnswered("/api/v1/track", 202);
        metrics.requestAnswered("unmatched", 404);
        metrics.eventsRejected("invalid_timestamp", 3);
        metrics.eventProduced(500_000);       // 0.5 ms
        metrics.eventProduced(3_000_000);     // 3 ms
        metrics.eventProduced(20_000_000_000L); // 20 s: past every bucket
        metrics.eventsInFlight().set(4);
        metrics.connectionRefused();
        metrics.readiness(() -> 1);

        String text = metrics.exposition();

        assertThat(text).contains(
                "# TYPE edge_http_requests_total counter\n",
                "edge_http_requests_total{route=\"/api/v1/track\",status=\"202\"} 2.0\n",
                "edge_http_requests_total{route=\"unmatched\",status=\"404\"} 1.0\n",
                "# TYPE edge_http_requests_in_flight gauge\n",
                "edge_http_requests_in_flight 0.0\n",
                "# TYPE edge_events_rejected_total counter\n",
                "edge_events_rejected_total{reason=\"invalid_timestamp\"} 3.0\n",
                "# TYPE edge_events_produced_total counter\n",
                "edge_events_produced_total 3.0\n",
                "# TYPE edge_events_in_flight gauge\n",
                "edge_events_in_flight 4.0\n",
                "# TYPE edge_produce_latency_seconds histogram\n",
                "edge_produce_latency_seconds_bucket{le=\"0.001\"} 1\n",
                "edge_produce_latency_seconds_bucket{le=\"0.0025\"} 1\n",
                "edge_produce_latency_seconds_bucket{le=\"0.005\"} 2\n",
                "edge_produce_latency_seconds_bucket{le=\"10.0\"} 2\n",
                "edge_produce_latency_seconds_bucket{le=\"+Inf\"} 3\n",
                "edge_produce_latency_seconds_sum 20.0035\n",
                "edge_produce_latency_seconds_count 3\n",
                "# TYPE edge_connections_open gauge\n",
                "edge_connections_open 0.0\n",
                "# TYPE edge_connections_refused_total counter\n",
                "edge_connections_refused_total 1.0\n",
                "# TYPE edge_connections_timed_out_total counter\n",
                "edge_connections_timed_out_total 0.0\n",
                "# TYPE edge_ready gauge\n",
                "edge_ready 1.0\n");
        assertThat(text.indexOf("le=\"0.001\"")).isLessThan(text.indexOf("le=\"+Inf\""));
    }

    @Test
    void keepsTheLatencyBucketsOfTheHandWrittenHistogram() {
        Metrics metrics = new Metrics();
        metrics.eventProduced(1_000_000); // exactly 1 ms: a bound is inclusive

        assertThat(metrics.exposition().lines().filter(l -> l.startsWith("edge_produce_latency_seconds_bucket")))
                .containsExactly(
                        "edge_produce_latency_seconds_bucket{le=\"0.001\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"0.0025\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"0.005\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"0.01\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"0.025\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"0.05\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"0.1\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"0.25\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"0.5\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"1.0\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"2.5\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"5.0\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"10.0\"} 1",
                        "edge_produce_latency_seconds_bucket{le=\"+Inf\"} 1");
    }

    @Test
    void escapesLabelValues() {
        Metrics metrics = new Metrics();
        metrics.requestAnswered("a\"b\\c\nd", 200);

        assertThat(metrics.exposition()).contains("edge_http_requests_total{route=\"a\\\"b\\\\c\\nd\",status=\"200\"} 1.0\n");
    }

    @Test
    void addsTheJvmsAndNettysMeters() {
        MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("metrics-test"),
                NioIoHandler.newFactory());
        try (Metrics metrics = new Metrics()) {
            metrics.bindJvm();
            metrics.bindNetty(PooledByteBufAllocator.DEFAULT, loops);

            String text = metrics.exposition();

            assertThat(text).contains("# TYPE jvm_memory_used_bytes gauge\n", "jvm_gc_memory_allocated_bytes_total ", "jvm_threads_live_threads ",
                    "jvm_classes_loaded_classes ", "process_cpu_usage ", "system_cpu_count ", "process_uptime_seconds ",
                    "netty_allocator_memory_used{allocator_type=\"PooledByteBufAllocator\"",
                    "netty_allocator_pooled_arenas{",
                    "netty_eventexecutor_tasks_pending{name=\"metrics-test-");
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
