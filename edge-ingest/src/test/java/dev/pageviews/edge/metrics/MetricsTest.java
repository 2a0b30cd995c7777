package dev.pageviews.edge.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricsTest {

    @Test
    void writesCountersGaugesAndACumulativeHistogram() {
        Metrics metrics = new Metrics();
        metrics.requestAnswered("/api/v1/track", 202);
        metrics.requestAnswered("/api/v1/track", 202);
        metrics.requestAnswered("unmatched", 404);
        metrics.eventsRejected("invalid_timestamp", 3);
        metrics.eventProduced(500_000);       // 0.5 ms
        metrics.eventProduced(3_000_000);     // 3 ms
        metrics.eventProduced(20_000_000_000L); // 20 s: past every bucket
        metrics.eventsInFlight().set(4);
        metrics.readiness(() -> 1);

        String text = metrics.exposition();

        assertThat(text).contains(
                "# TYPE edge_http_requests_total counter\n",
                "edge_http_requests_total{route=\"/api/v1/track\",status=\"202\"} 2\n",
                "edge_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n",
                "edge_events_rejected_total{reason=\"invalid_timestamp\"} 3\n",
                "edge_events_produced_total 3\n",
                "edge_events_in_flight 4\n",
                "# TYPE edge_produce_latency_seconds histogram\n",
                "edge_produce_latency_seconds_bucket{le=\"0.001\"} 1\n",
                "edge_produce_latency_seconds_bucket{le=\"0.0025\"} 1\n",
                "edge_produce_latency_seconds_bucket{le=\"0.005\"} 2\n",
                "edge_produce_latency_seconds_bucket{le=\"10\"} 2\n",
                "edge_produce_latency_seconds_bucket{le=\"+Inf\"} 3\n",
                "edge_produce_latency_seconds_sum 20.0035\n",
                "edge_produce_latency_seconds_count 3\n",
                "edge_ready 1\n");
        assertThat(text.indexOf("le=\"0.001\"")).isLessThan(text.indexOf("le=\"+Inf\""));
    }

    @Test
    void aBucketBoundIsInclusive() {
        Metrics metrics = new Metrics();
        metrics.eventProduced(1_000_000); // exactly 1 ms

        assertThat(metrics.exposition()).contains("edge_produce_latency_seconds_bucket{le=\"0.001\"} 1\n");
    }

    @Test
    void escapesLabelValues() {
        assertThat(Metrics.escape("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
    }
}
