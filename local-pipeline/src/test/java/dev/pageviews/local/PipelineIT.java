package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * End to end through real parts: HTTP → edge → Kafka → Flink → Redis, then a stop and a start on the same
 * data dir, as {@code ./pageviews up} does.
 */
class PipelineIT {

    private static final long TIMESTAMP = 1_730_814_562L;

    @Test
    void countsEveryAcceptedViewExactlyAndKeepsCountingAfterARestart() throws Exception {
        Path dataDir = LocalStackExtension.newWorkDir();
        UpConfig config = UpConfigs.up(dataDir);
        Map<String, Long> afterFirstRun;

        try (LocalPipeline pipeline = LocalPipeline.start(config, Map.of())) {
            assertThat(pipeline.restoredFrom()).isEmpty();
            PipelineTraffic traffic = new PipelineTraffic(pipeline.httpPort(), Map.of());
            for (int i = 0; i < 210; i++) {
                assertThat(traffic.post("u" + (i % 13), "/page/" + (i % 7), TIMESTAMP + i / 30)).isEqualTo(202);
            }
            try (Jedis jedis = new Jedis("127.0.0.1", pipeline.redisPort())) {
                afterFirstRun = PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(30));
            }
            assertThat(afterFirstRun).isEqualTo(traffic.expected()).hasSize(7).containsEntry("/page/0", 30L);
            String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + pipeline.flinkMetricsPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).as("the job's metrics through Flink's Prometheus reporter")
                    .contains("flink_jobmanager_job_numRestarts", "_eventsIn", "_duplicates");
            String edgeMetrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + pipeline.edgeAdminPort() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertThat(edgeMetrics).as("the edge's metrics on its admin port")
                    .contains("edge_events_produced_total 210.0\n", "edge_ready 1.0\n", "jvm_memory_used_bytes{");
            java.net.http.HttpResponse<String> stats = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create("http://127.0.0.1:" + pipeline.statsPort() + "/readyz")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(stats.statusCode()).as("the read service runs beside the edge and reads the job's Redis: " + stats.body())
                    .isEqualTo(200);
        }

        try (LocalPipeline pipeline = LocalPipeline.start(config, Map.of())) {
            assertThat(pipeline.restoredFrom()).isPresent();
            PipelineTraffic traffic = new PipelineTraffic(pipeline.httpPort(), afterFirstRun);
            try (Jedis jedis = new Jedis("127.0.0.1", pipeline.redisPort())) {
                assertThat(PipelineTraffic.counts(jedis)).isEqualTo(afterFirstRun); // kept across the restart
                assertThat(traffic.post("u1", "/home", TIMESTAMP)).isEqualTo(202);
                // today's views are in the job's time buckets too, which the read service answers from
                assertThat(traffic.post("u1", "/today", System.currentTimeMillis() / 1000)).isEqualTo(202);
                assertThat(traffic.post("u2", "/today", System.currentTimeMillis() / 1000)).isEqualTo(202);
                assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), Duration.ofSeconds(30)))
                        .isEqualTo(traffic.expected())
                        .containsEntry("/home", 1L);
                java.net.http.HttpResponse<String> today = java.net.http.HttpClient.newHttpClient().send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + pipeline.statsPort()
                                + "/api/v2/query")).POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"site_id\":"
                                + "\"localhost\",\"metrics\":[\"pageviews\",\"visitors\"],\"date_range\":\"day\","
                                + "\"dimensions\":[\"event:page\"]}")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(today.statusCode()).as(today.body()).isEqualTo(200);
                assertThat(today.body()).as("the read service answers from what the job committed")
                        .contains("{\"metrics\":[2,2],\"dimensions\":[\"/today\"]}");
                Thread.sleep(3000); // a few more checkpoints: nothing may be applied twice
                assertThat(PipelineTraffic.counts(jedis)).isEqualTo(traffic.expected());
            }
        }
    }
}
