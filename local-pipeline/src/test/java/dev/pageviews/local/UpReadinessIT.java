package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStackExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The edge inside {@code up} is ready only while the job runs, whatever Kafka says. */
class UpReadinessIT {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void readyzIs503OnceTheJobNoLongerRuns() throws Exception {
        Path dataDir = LocalStackExtension.newWorkDir();
        // the web UI on a port the system picks: the address the test cancels through is the one up reports
        UpConfig config = UpConfigs.up(dataDir, "--archive-path", "none", "--ui-port", "0");
        try (LocalPipeline pipeline = LocalPipeline.start(config, Map.of())) {
            assertThat(get(pipeline.httpPort(), "/readyz").statusCode()).isEqualTo(200);
            assertThat(pipeline.jobNotRunningReason()).isNull();
            assertThat(URI.create(pipeline.uiUrl()).getPort()).isPositive();

            cancelJob(pipeline.uiUrl()); // as the web UI's Cancel Job does; Kafka stays up

            String reason = pipeline.jobEndedUnexpectedly().get(60, TimeUnit.SECONDS);
            assertThat(reason).contains("CANCELED");
            HttpResponse<String> notReady = awaitStatus(pipeline.httpPort(), 503, Duration.ofSeconds(10));
            assertThat(notReady.body()).isEqualTo("{\"status\":\"not_ready\"}"); // the reason only on the admin port
            HttpResponse<String> why = get(pipeline.edgeAdminPort(), "/readyz");
            assertThat(why.statusCode()).isEqualTo(503);
            assertThat(why.body()).contains("not_ready").contains("Flink job");
            assertThat(get(pipeline.edgeAdminPort(), "/metrics").body()).contains("edge_ready 0.0");
            assertThat(get(pipeline.httpPort(), "/metrics").statusCode()).isEqualTo(404);
        } // closing a pipeline whose job ended stops the rest without a savepoint
    }

    private HttpResponse<String> awaitStatus(int port, int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> response = get(port, "/readyz");
        while (response.statusCode() != status && System.nanoTime() < deadline) {
            Thread.sleep(100);
            response = get(port, "/readyz");
        }
        return response;
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void cancelJob(String ui) throws Exception {
        String jobs = http.send(HttpRequest.newBuilder(URI.create(ui + "/jobs")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher id = Pattern.compile("\"id\":\"([0-9a-f]{32})\"").matcher(jobs);
        assertThat(id.find()).as(jobs).isTrue();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(ui + "/jobs/" + id.group(1) + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
}
