package dev.pageviews.edge;

import static dev.pageviews.edge.RunningEdge.event;
import static dev.pageviews.edge.RunningEdge.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Admission control against a real Kafka: which sites may send, the per-client rate limit behind a proxy, and bots.
 * The edge trusts one proxy hop, so each test is its own client by the address it puts in X-Forwarded-For, as a
 * load balancer would.
 */
@ExtendWith(LocalStackExtension.class)
class AdmissionIT {

    private static final long TS = 1_730_814_562L;
    private static final String SITE = "https://shop.example";
    private static final String KEY = "server-key-0123456789";
    private static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    private static RunningEdge edge;

    @BeforeAll
    static void start(LocalStack stack) {
        edge = RunningEdge.start(stack.kafka(), "edge-admission-it", "--allowed-sites", "shop.example,*.blog.example",
                "--site-keys", KEY, "--rate-limit", "5", "--rate-limit-burst", "10", "--max-batch-events", "10",
                "--trusted-proxy-hops", "1");
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
    }

    @Test
    void aSiteNotAllowedGets403NamingTheHeaderAndNothingReachesKafka() {
        String user = "site-" + UUID.randomUUID();
        String client = "X-Forwarded-For";

        HttpResponse<String> evil = post(event(user, "/evil", TS), "Origin", "https://evil.example", client, "198.51.100.1");
        HttpResponse<String> noOrigin = post(event(user, "/none", TS), client, "198.51.100.1");
        HttpResponse<String> wrongKey = post(event(user, "/key", TS), "X-Site-Key", "not-a-key-000000", client, "198.51.100.1");
        HttpResponse<String> shop = post(event(user, "/shop", TS), "Origin", SITE, client, "198.51.100.1");
        HttpResponse<String> blog = post(event(user, "/blog", TS), "Referer", "https://www.blog.example/post/1", client, "198.51.100.1");
        HttpResponse<String> server = post(event(user, "/server", TS), "X-Site-Key", KEY, client, "198.51.100.1");

        assertThat(evil.statusCode()).isEqualTo(403);
        assertThat(json(evil.body()).get("error").asText()).isEqualTo("site_not_allowed");
        assertThat(json(evil.body()).get("field").asText()).isEqualTo("Origin");
        assertThat(json(evil.body()).get("problem").asText()).contains("--allowed-sites");
        assertThat(noOrigin.statusCode()).isEqualTo(403);
        assertThat(json(wrongKey.body()).get("error").asText()).isEqualTo("site_key_unknown");
        assertThat(json(wrongKey.body()).get("field").asText()).isEqualTo("X-Site-Key");
        assertThat(List.of(shop.statusCode(), blog.statusCode(), server.statusCode())).containsOnly(202);
        assertThat(pagesOf(user, 3)).containsExactlyInAnyOrder("/shop", "/blog", "/server");
        assertThat(edge.admin("/metrics").body())
                .contains("edge_requests_refused_total{reason=\"site_not_allowed\"} 2.0")
                .contains("edge_requests_refused_total{reason=\"site_key_unknown\"} 1.0");
    }

    @Test
    void aClientOverItsLimitGets429WithRetryAfterWhileAnotherKeepsGetting202() throws Exception {
        String busy = "203.0.113.10";
        String quiet = "203.0.113.11";
        String user = "rate-" + UUID.randomUUID();

        HttpResponse<String> burst = postBatch(user, "/burst", 10, "Origin", SITE, "X-Forwarded-For", busy);
        // what the client itself writes left of the proxy's entry changes nothing
        HttpResponse<String> over = post(event(user, "/over", TS), "Origin", SITE, "X-Forwarded-For", "192.0.2.99, " + busy);
        List<Integer> others = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            others.add(post(event(user, "/quiet", TS), "Origin", SITE, "X-Forwarded-For", quiet).statusCode());
        }

        assertThat(burst.statusCode()).isEqualTo(202);
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(json(over.body()).get("error").asText()).isEqualTo("rate_limited");
        long retryAfter = Long.parseLong(over.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).isBetween(1L, 2L);
        assertThat(others).containsOnly(202);

        Thread.sleep(Duration.ofSeconds(retryAfter).toMillis());
        assertThat(post(event(user, "/again", TS), "Origin", SITE, "X-Forwarded-For", busy).statusCode()).isEqualTo(202);

        assertThat(pagesOf(user, 19)).doesNotContain("/over").contains("/again").hasSize(19);
        assertThat(edge.admin("/metrics").body())
                .contains("edge_events_rejected_total{reason=\"rate_limited\"} 1.0")
                .contains("edge_rate_limit_clients ");
    }

    @Test
    void aKnownBotsViewsAreAnsweredButNeverProduced() {
        String user = "bot-" + UUID.randomUUID();
        String client = "203.0.113.20";

        HttpResponse<String> single = post(event(user, "/bot-single", TS), "User-Agent", GOOGLEBOT, "Origin", SITE, "X-Forwarded-For", client);
        HttpResponse<String> batch = postBatch(user, "/bot-batch", 3, "User-Agent", GOOGLEBOT, "Origin", SITE, "X-Forwarded-For", client);
        HttpResponse<String> person = post(event(user, "/person", TS), "User-Agent",
                "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Origin", SITE, "X-Forwarded-For", client);

        assertThat(single.statusCode()).isEqualTo(202);
        JsonNode singleBody = json(single.body());
        assertThat(singleBody.get("accepted").asInt()).isZero();
        assertThat(singleBody.get("filtered").asInt()).isEqualTo(1);
        assertThat(singleBody.get("reason").asText()).isEqualTo("bot");
        assertThat(batch.statusCode()).isEqualTo(202);
        assertThat(json(batch.body()).get("filtered").asInt()).isEqualTo(3);
        assertThat(person.statusCode()).isEqualTo(202);
        // the person's view follows the bot's on the same key: once it is read, the bot's would have been too
        assertThat(pagesOf(user, 1)).containsExactly("/person");
        assertThat(edge.admin("/metrics").body()).contains("edge_events_filtered_total{reason=\"bot\"} 4.0");
    }

    private static HttpResponse<String> post(String body, String... headers) {
        return edge.post("/api/v1/track", "application/json", body, headers);
    }

    private static HttpResponse<String> postBatch(String user, String page, int events, String... headers) {
        String body = java.util.stream.IntStream.range(0, events).mapToObj(i -> event(user, page, TS))
                .collect(Collectors.joining(",", "[", "]"));
        return edge.post("/api/v1/track/batch", "application/json", body, headers);
    }

    /** The pages of {@code user}'s records in the topic, once at least {@code count} have arrived (and 1 s more). */
    private static List<String> pagesOf(String user, int count) {
        byte[] key = user.getBytes(StandardCharsets.UTF_8);
        List<ConsumerRecord<byte[], byte[]>> read = TopicReader.readUntil(edge.bootstrap, edge.topic,
                records -> records.stream().filter(r -> java.util.Arrays.equals(r.key(), key)).count() >= count,
                Duration.ofSeconds(30));
        List<ConsumerRecord<byte[], byte[]>> settled = TopicReader.readAll(edge.bootstrap, edge.topic, Duration.ofSeconds(1));
        Set<String> seen = new java.util.HashSet<>();
        List<String> pages = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : settled.size() >= read.size() ? settled : read) {
            if (java.util.Arrays.equals(r.key(), key)) {
                String value = new String(r.value(), StandardCharsets.UTF_8);
                String page = json(value).get("page_url").asText();
                if (seen.add(json(value).get("event_id").asText())) {
                    pages.add(page);
                }
            }
        }
        return pages;
    }
}
