package dev.pageviews.edge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.stack.KafkaBroker;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/** An edge started for a test on its own topic of a real broker, with an HTTP client for it. */
final class RunningEdge implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final EdgeServer server;
    final String topic;
    final String bootstrap;
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private RunningEdge(EdgeServer server, String topic, String bootstrap) {
        this.server = server;
        this.topic = topic;
        this.bootstrap = bootstrap;
    }

    /** Creates {@code topic} (4 partitions) and starts an edge for it on free ports (public and admin); {@code flags} as on the command line. */
    static RunningEdge start(KafkaBroker kafka, String topic, String... flags) {
        kafka.createTopic(topic, 4);
        List<String> args = new ArrayList<>(List.of(flags));
        EdgeConfig config = EdgeConfig.parse(args.toArray(String[]::new), Map.of())
                .withPort(0)
                .with(EdgeConfig.ADMIN_PORT, 0)
                .withKafkaBootstrap(kafka.bootstrapServers())
                .withTopic(topic);
        return new RunningEdge(EdgeServer.start(config), topic, kafka.bootstrapServers());
    }

    int port() {
        return server.port();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    HttpResponse<String> post(String path, String contentType, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request.build());
    }

    HttpResponse<String> track(String body) {
        return post("/api/v1/track", "application/json", body);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    /** GET on the admin port ({@code /metrics}, the detailed {@code /readyz}). */
    HttpResponse<String> admin(String path) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.adminPort() + path))
                .timeout(Duration.ofSeconds(30)).GET().build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Skips the calling test where {@code --transport io_uring} cannot run (a kernel or seccomp that forbids it). */
    static void assumeTransportAvailable(String transport) {
        Assumptions.assumeTrue(!transport.equals("io_uring") || IoUring.isAvailable(),
                () -> "io_uring is not available here: " + IoUring.unavailabilityCause());
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    static String event(String userId, String pageUrl, long timestamp) {
        try {
            return JSON.writeValueAsString(Map.of("user_id", userId, "page_url", pageUrl, "timestamp", timestamp));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
