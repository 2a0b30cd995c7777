package dev.pageviews.edge;

import static dev.pageviews.edge.RunningEdge.event;
import static dev.pageviews.edge.RunningEdge.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pageviews.event.DecodeResult;
import dev.pageviews.event.PageView;
import dev.pageviews.event.PageViewCodec;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import io.netty.channel.uring.IoUring;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The event endpoints against a real Kafka: every reply code, and what reaches the topic. */
@ExtendWith(LocalStackExtension.class)
class TrackEndpointIT {

    private static final long TS = 1_730_814_562L;
    private static RunningEdge edge;

    @BeforeAll
    static void start(LocalStack stack) {
        edge = RunningEdge.start(stack.kafka(), "edge-track-it", "--max-body-size", "4096", "--max-batch-events", "5");
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
    }

    @Test
    void acceptsOneEventAfterKafkaHasItAndStoresItByteExact() {
        String user = "ü\"ser \\ " + UUID.randomUUID();
        String page = "/a?b=c&d=\u00e9#\u2603";
        long before = System.currentTimeMillis();
        HttpResponse<String> response = edge.track(
                "{\"user_id\":" + quote(user) + ",\"page_url\":" + quote(page) + ",\"timestamp\":" + TS + "}");
        long after = System.currentTimeMillis();

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        JsonNode body = json(response.body());
        assertThat(body.get("accepted").asInt()).isEqualTo(1);
        String eventId = body.get("event_id").asText();
        assertThat(UUID.fromString(eventId).version()).isEqualTo(7);
        assertThat(body.size()).isEqualTo(2);

        ConsumerRecord<byte[], byte[]> record = recordsById(Set.of(eventId)).get(eventId);
        assertThat(record.key()).isEqualTo(user.getBytes(StandardCharsets.UTF_8));
        PageView stored = ((DecodeResult.Valid) PageViewCodec.decode(record.value())).view();
        assertThat(stored.receivedAtMillis()).isBetween(before, after);
        assertThat(record.value()).isEqualTo(PageViewCodec.encode(new PageView(user, page, TS, eventId, stored.receivedAtMillis())));
    }

    @Test
    void ignoresUnknownFieldsAndReplacesAClientsReceiveTime() {
        String user = "u-" + UUID.randomUUID();
        HttpResponse<String> response = edge.track("{\"extra\":{\"nested\":[1,{\"x\":null}]},\"user_id\":\"" + user
                + "\",\"page_url\":\"/p\",\"timestamp\":" + TS + ",\"received_at\":1}");

        assertThat(response.statusCode()).isEqualTo(202);
        String eventId = json(response.body()).get("event_id").asText();
        PageView stored = decode(recordsById(Set.of(eventId)).get(eventId));
        assertThat(stored.eventIdFromClient()).isFalse();
        assertThat(stored.receivedAtMillis()).isGreaterThan(1);
        assertThat(stored.userId()).isEqualTo(user);
    }

    @Test
    void keepsAClientsEventIdOnEveryRetryAndMarksItAsTheClients() {
        String id = "order-42:" + UUID.randomUUID();
        String view = "{\"user_id\":\"retrier\",\"page_url\":\"/checkout\",\"timestamp\":" + TS
                + ",\"event_id\":\"" + id + "\",\"event_id_from_client\":false}";

        HttpResponse<String> first = edge.track(view);
        HttpResponse<String> retry = edge.track(view);
        HttpResponse<String> inABatch = edge.post("/api/v1/track/batch", "application/json", "[" + view + "," + view + "]");

        assertThat(json(first.body())).isEqualTo(json("{\"accepted\":1,\"event_id\":\"" + id + "\"}"));
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(json(retry.body())).isEqualTo(json(first.body()));
        assertThat(inABatch.statusCode()).isEqualTo(202);
        assertThat(json(inABatch.body())).isEqualTo(json("{\"accepted\":2,\"rejected\":[]}"));
        // the edge stores every copy; the job counts the id once
        List<PageView> stored = TopicReader.readUntil(edge.bootstrap, edge.topic,
                records -> records.stream().map(TrackEndpointIT::decode).filter(v -> id.equals(v.eventId())).count() >= 4,
                Duration.ofSeconds(30)).stream().map(TrackEndpointIT::decode).filter(v -> id.equals(v.eventId())).toList();
        assertThat(stored).hasSize(4).allSatisfy(v -> {
            assertThat(v.eventIdFromClient()).isTrue();
            assertThat(v.pageUrl()).isEqualTo("/checkout");
            assertThat(v.receivedAtMillis()).isPositive();
        });
    }

    @Test
    void aBatchRejectsABadEventIdByIndexAndProducesTheOthers() {
        String user = "bad-id-" + UUID.randomUUID();
        String good = "{\"user_id\":\"" + user + "\",\"page_url\":\"/ok\",\"timestamp\":" + TS + ",\"event_id\":\"ok-1\"}";
        String tooLong = "{\"user_id\":\"" + user + "\",\"page_url\":\"/long\",\"timestamp\":" + TS
                + ",\"event_id\":\"" + "x".repeat(65) + "\"}";
        String notString = "{\"user_id\":\"" + user + "\",\"page_url\":\"/num\",\"timestamp\":" + TS + ",\"event_id\":7}";

        HttpResponse<String> response = edge.post("/api/v1/track/batch", "application/json",
                "[" + tooLong + "," + good + "," + notString + "]");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(json(response.body())).isEqualTo(json("{\"accepted\":1,\"rejected\":["
                + "{\"index\":0,\"error\":\"invalid_event\",\"field\":\"event_id\",\"problem\":\"must be at most 64 characters (got 65)\"},"
                + "{\"index\":2,\"error\":\"invalid_event\",\"field\":\"event_id\",\"problem\":\"must be a string (got an integer)\"}]}"));
        edge.track(event(user, "/marker", TS)); // produced last: once it is read, a rejected view would have been too
        List<ConsumerRecord<byte[], byte[]>> stored = TopicReader.readUntil(edge.bootstrap, edge.topic,
                records -> ofUser(records, user).stream().anyMatch(v -> v.pageUrl().equals("/marker")), Duration.ofSeconds(30));
        assertThat(ofUser(stored, user)).extracting(PageView::pageUrl).containsExactlyInAnyOrder("/ok", "/marker");
    }

    @Test
    void acceptsSendBeaconBodiesSentAsTextPlain() {
        HttpResponse<String> single = edge.post("/api/v1/track", "text/plain;charset=UTF-8", event("beacon", "/b", TS));
        HttpResponse<String> batch = edge.post("/api/v1/track/batch", "text/plain;charset=UTF-8",
                "[" + event("beacon", "/b1", TS) + "," + event("beacon", "/b2", TS) + "]");

        assertThat(single.statusCode()).isEqualTo(202);
        assertThat(batch.statusCode()).isEqualTo(202);
        assertThat(json(batch.body()).get("accepted").asInt()).isEqualTo(2);
    }

    @Test
    void batchAnswersAcceptedCountAndRejectedIndexesAfterKafkaHasTheValidOnes() {
        String user = "batch-" + UUID.randomUUID();
        String body = "[" + event(user, "/one", TS) + ","
                + "{\"user_id\":\"" + user + "\",\"page_url\":\"/two\",\"timestamp\":\"soon\"},"
                + event(user, "/three", TS) + ",42]";

        HttpResponse<String> response = edge.post("/api/v1/track/batch", "application/json", body);

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(json(response.body())).isEqualTo(json("{\"accepted\":2,\"rejected\":["
                + "{\"index\":1,\"error\":\"invalid_event\",\"field\":\"timestamp\","
                + "\"problem\":\"must be an integer number of Unix seconds (got a string)\"},"
                + "{\"index\":3,\"error\":\"invalid_event\",\"field\":\"body\",\"problem\":\"must be a JSON object\"}]}"));
        List<ConsumerRecord<byte[], byte[]>> stored = TopicReader.readUntil(edge.bootstrap, edge.topic,
                records -> ofUser(records, user).size() >= 2, Duration.ofSeconds(30));
        assertThat(ofUser(stored, user)).extracting(PageView::pageUrl).containsExactlyInAnyOrder("/one", "/three");
    }

    @Test
    void batchTakesNdjsonSkippingBlankLinesAndCountingEventsByLine() {
        String user = "ndjson-" + UUID.randomUUID();
        String body = event(user, "/n1", TS) + "\r\n\n" + "{\"user_id\":\"" + user + "\"}\n" + event(user, "/n2", TS) + "\n";

        HttpResponse<String> response = edge.post("/api/v1/track/batch", "application/x-ndjson", body);

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(json(response.body())).isEqualTo(json("{\"accepted\":2,\"rejected\":[{\"index\":1,"
                + "\"error\":\"invalid_event\",\"field\":\"page_url\",\"problem\":\"is required\"}]}"));
        List<ConsumerRecord<byte[], byte[]>> stored = TopicReader.readUntil(edge.bootstrap, edge.topic,
                records -> ofUser(records, user).size() >= 2, Duration.ofSeconds(30));
        assertThat(ofUser(stored, user)).extracting(PageView::pageUrl).containsExactlyInAnyOrder("/n1", "/n2");
    }

    @Test
    void timestampsMoreThanTheFutureSkewAheadGet400AndAreNotProducedWhileOldOnesAreCounted() {
        String user = "skew-" + UUID.randomUUID();
        long now = System.currentTimeMillis() / 1000;
        long dayAhead = now + 86_400;
        long year2099 = 4_102_444_799L;

        HttpResponse<String> tomorrow = edge.track(event(user, "/tomorrow", dayAhead));
        HttpResponse<String> farFuture = edge.track(event(user, "/2099", year2099));
        HttpResponse<String> nearFuture = edge.track(event(user, "/in-a-minute", now + 60)); // within the default 5m
        HttpResponse<String> old = edge.track(event(user, "/y2k", 946_684_800L)); // 2000-01-01: a late view, still counted
        HttpResponse<String> batch = edge.post("/api/v1/track/batch", "application/json",
                "[" + event(user, "/batch-tomorrow", dayAhead) + "," + event(user, "/batch-now", now) + ","
                        + event(user, "/batch-2099", year2099) + "]");

        assertThat(tomorrow.statusCode()).isEqualTo(400);
        assertFutureRejection(json(tomorrow.body()), dayAhead);
        assertThat(json(tomorrow.body()).get("error").asText()).isEqualTo("invalid_event");
        assertThat(farFuture.statusCode()).isEqualTo(400);
        assertFutureRejection(json(farFuture.body()), year2099);
        assertThat(json(farFuture.body()).get("problem").asText()).contains("is 2099-12-31T23:59:59Z");
        assertThat(nearFuture.statusCode()).isEqualTo(202);
        assertThat(old.statusCode()).isEqualTo(202);
        assertThat(batch.statusCode()).isEqualTo(202);
        JsonNode batchBody = json(batch.body());
        assertThat(batchBody.get("accepted").asInt()).isEqualTo(1);
        assertThat(batchBody.get("rejected")).hasSize(2);
        assertThat(batchBody.get("rejected").get(0).get("index").asInt()).isEqualTo(0);
        assertFutureRejection(batchBody.get("rejected").get(0), dayAhead);
        assertThat(batchBody.get("rejected").get(1).get("index").asInt()).isEqualTo(2);
        assertFutureRejection(batchBody.get("rejected").get(1), year2099);

        edge.track(event(user, "/marker", now)); // produced last: once it is read, a rejected view would have been too
        List<ConsumerRecord<byte[], byte[]>> stored = TopicReader.readUntil(edge.bootstrap, edge.topic,
                records -> ofUser(records, user).stream().anyMatch(v -> v.pageUrl().equals("/marker")), Duration.ofSeconds(30));
        assertThat(ofUser(stored, user)).extracting(PageView::pageUrl)
                .containsExactlyInAnyOrder("/in-a-minute", "/y2k", "/batch-now", "/marker");
    }

    private static void assertFutureRejection(JsonNode rejection, long timestamp) {
        assertThat(rejection.get("field").asText()).isEqualTo("timestamp");
        assertThat(rejection.get("problem").asText()).matches("timestamp " + timestamp + " is \\d{4}-\\d\\d-\\d\\dT[0-9:]+Z, "
                + "more than 5m after this server's clock \\(\\d{4}-[0-9T:.-]+Z\\); check the device's clock");
    }

    @Test
    void batchWithNoValidEventIsRefusedWith400AndTheReasons() {
        HttpResponse<String> response = edge.post("/api/v1/track/batch", "application/json",
                "[{\"user_id\":\"\",\"page_url\":\"/p\",\"timestamp\":" + TS + "}]");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response.body())).isEqualTo(json("{\"error\":\"no_valid_events\","
                + "\"problem\":\"none of the events is valid; see rejected\",\"accepted\":0,\"rejected\":[{\"index\":0,"
                + "\"error\":\"invalid_event\",\"field\":\"user_id\",\"problem\":\"must not be empty\"}]}"));
    }

    @Test
    void batchThatIsNotAnArrayOrIsEmptyGets400() {
        HttpResponse<String> object = edge.post("/api/v1/track/batch", "application/json", event("u", "/p", TS));
        HttpResponse<String> empty = edge.post("/api/v1/track/batch", "application/json", "[]");

        assertThat(object.statusCode()).isEqualTo(400);
        assertThat(json(object.body())).isEqualTo(json("{\"error\":\"invalid_batch\",\"field\":\"body\","
                + "\"problem\":\"must be a JSON array of events; send a single event to /api/v1/track\"}"));
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(json(empty.body()).get("problem").asText()).isEqualTo("must contain at least one event");
    }

    @Test
    void batchWithMoreEventsThanAllowedGets413AndNothingIsProduced() {
        String user = "too-many-" + UUID.randomUUID();
        String six = "[" + String.join(",", java.util.Collections.nCopies(6, event(user, "/p", TS))) + "]";

        HttpResponse<String> response = edge.post("/api/v1/track/batch", "application/json", six);

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(json(response.body())).isEqualTo(json("{\"error\":\"too_many_events\",\"field\":\"body\","
                + "\"problem\":\"has more than 5 events; split it into smaller batches\"}"));
        edge.track(event(user, "/marker", TS)); // produced after the refused batch: once it is read, the batch would have been too
        List<ConsumerRecord<byte[], byte[]>> stored = TopicReader.readUntil(edge.bootstrap, edge.topic,
                records -> !ofUser(records, user).isEmpty(), Duration.ofSeconds(30));
        assertThat(ofUser(stored, user)).extracting(PageView::pageUrl).containsExactly("/marker");
    }

    @Test
    void invalidEventGets400NamingTheFieldAndTheProblem() {
        HttpResponse<String> response = edge.track("{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1730814562000}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
        assertThat(json(response.body())).isEqualTo(json("{\"error\":\"invalid_event\",\"field\":\"timestamp\",\"problem\":"
                + "\"must be Unix seconds between 946684800 and 4102444799 (got 1730814562000); "
                + "this looks like milliseconds: divide by 1000\"}"));
    }

    @Test
    void invalidInputIsNeverEchoed() {
        String script = "<script>alert(1)</script>";
        HttpResponse<String> badValue = edge.track("{\"user_id\":{\"" + script + "\":1},\"page_url\":\"" + script + "\"}");
        HttpResponse<String> badPath = edge.post("/api/v1/track/%3Cscript%3E", "application/json", "{}");

        assertThat(badValue.statusCode()).isEqualTo(400);
        assertThat(badPath.statusCode()).isEqualTo(404);
        assertThat(badValue.body()).doesNotContain("script").doesNotContain("alert");
        assertThat(badPath.body()).doesNotContain("script").doesNotContain("%3C");
    }

    /** Through the real HTTP codec: HEAD gets GET's headers and no body; GET's body is the script. */
    @Test
    void servesTheTrackerScriptToGetAndItsHeadersToHead() throws Exception {
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send("HEAD /pv.js HTTP/1.1\r\nHost: x\r\n\r\nGET /pv.js HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttpClient.Response head = readHeadResponse(client);
            RawHttpClient.Response get = client.read();

            assertThat(head.status()).isEqualTo(200);
            assertThat(get.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(get.header("content-length"));
            assertThat(head.header("etag")).isEqualTo(get.header("etag"));
            assertThat(get.header("content-type")).isEqualTo("text/javascript; charset=utf-8");
            assertThat(get.body()).contains("sendBeacon").hasSize(Integer.parseInt(get.header("content-length")));
        }
    }

    /** A HEAD response has a Content-Length but no body: read its headers only. */
    private static RawHttpClient.Response readHeadResponse(RawHttpClient client) throws Exception {
        return client.readHeadersOnly();
    }

    @Test
    void unknownPathGets404() {
        HttpResponse<String> response = edge.get("/api/v1/nope");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response.body())).isEqualTo(json("{\"error\":\"not_found\",\"problem\":"
                + "\"no such endpoint; events go to POST /api/v1/track or POST /api/v1/track/batch\"}"));
    }

    @Test
    void wrongMethodGets405WithAllow() {
        HttpResponse<String> getTrack = edge.get("/api/v1/track");
        HttpResponse<String> postHealth = edge.post("/healthz", "application/json", "{}");

        assertThat(getTrack.statusCode()).isEqualTo(405);
        assertThat(getTrack.headers().firstValue("allow")).hasValue("POST, OPTIONS");
        assertThat(json(getTrack.body())).isEqualTo(json("{\"error\":\"method_not_allowed\","
                + "\"problem\":\"this endpoint accepts POST, OPTIONS\"}"));
        assertThat(postHealth.statusCode()).isEqualTo(405);
        assertThat(postHealth.headers().firstValue("allow")).hasValue("GET");
    }

    @Test
    void postWithoutContentLengthGets411AndTheConnectionIsClosed() throws Exception {
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            // a client streaming its body without a length: the body must not be read as a next request
            client.send("POST /api/v1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n"
                    + "GET /healthz HTTP/1.1\r\n\r\n");
            RawHttpClient.Response response = client.read();

            assertThat(response.status()).isEqualTo(411);
            assertThat(json(response.body())).isEqualTo(json("{\"error\":\"length_required\","
                    + "\"problem\":\"a POST needs a Content-Length header or chunked Transfer-Encoding\"}"));
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void bodyOverTheLimitGets413AndTheConnectionIsClosed() throws Exception {
        byte[] big = ("{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":" + TS + ",\"pad\":\"" + "x".repeat(5000) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send(RawHttpClient.post("/api/v1/track", "application/json", big));
            RawHttpClient.Response response = client.read();

            assertThat(response.status()).isEqualTo(413);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(json(response.body())).isEqualTo(json("{\"error\":\"body_too_large\",\"field\":\"body\","
                    + "\"problem\":\"is larger than 4096 bytes; send fewer events per request\"}"));
            assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void chunkedBodyOverTheLimitGets413() throws Exception {
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            String chunk = "x".repeat(3000);
            client.send("POST /api/v1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n"
                    + Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n0\r\n\r\n");

            assertThat(client.read().status()).isEqualTo(413);
        }
    }

    @Test
    void chunkedEventWithinTheLimitIsAccepted() throws Exception {
        String body = event("chunked", "/c", TS);
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send("POST /api/v1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(10) + "\r\n" + body.substring(0, 10) + "\r\n"
                    + Integer.toHexString(body.length() - 10) + "\r\n" + body.substring(10) + "\r\n0\r\n\r\n");

            assertThat(client.read().status()).isEqualTo(202);
        }
    }

    @Test
    void unsupportedContentTypesGet415() {
        String event = event("u", "/p", TS);
        List<HttpResponse<String>> responses = List.of(
                edge.post("/api/v1/track", "application/xml", event),
                edge.post("/api/v1/track", "application/x-www-form-urlencoded", event),
                edge.post("/api/v1/track", "application/json; charset=iso-8859-1", event),
                edge.post("/api/v1/track", "application/x-ndjson", event),
                edge.post("/api/v1/track", null, event));

        for (HttpResponse<String> response : responses) {
            assertThat(response.statusCode()).isEqualTo(415);
            assertThat(json(response.body())).isEqualTo(json("{\"error\":\"unsupported_media_type\",\"field\":\"Content-Type\","
                    + "\"problem\":\"Content-Type must be application/json, text/plain (sendBeacon) or, for batches, "
                    + "application/x-ndjson; the charset, if given, must be UTF-8\"}"));
        }
    }

    @Test
    void corsPreflightIsAnsweredAndEventsCarryTheAllowOrigin() {
        HttpResponse<String> preflight = edge.send(java.net.http.HttpRequest.newBuilder(edge.uri("/api/v1/track/batch"))
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://shop.example")
                .header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "content-type")
                .build());
        HttpResponse<String> post = edge.post("/api/v1/track", "application/json", event("cors", "/p", TS),
                "Origin", "https://shop.example");

        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("*");
        assertThat(preflight.headers().firstValue("access-control-allow-methods")).hasValue("POST, OPTIONS");
        assertThat(preflight.headers().firstValue("access-control-allow-headers")).hasValue("content-type");
        assertThat(preflight.headers().firstValue("access-control-max-age")).hasValue("86400");
        assertThat(preflight.body()).isEmpty();
        assertThat(post.statusCode()).isEqualTo(202);
        assertThat(post.headers().firstValue("access-control-allow-origin")).hasValue("*");
    }

    @Test
    void corsWithAnOriginListEchoesOnlyListedOriginsAndRefusesOthers(LocalStack stack) {
        try (RunningEdge listed = RunningEdge.start(stack.kafka(), "edge-cors-it", "--cors-origins",
                "https://shop.example, https://blog.example")) {
            HttpResponse<String> allowed = listed.post("/api/v1/track", "application/json", event("c", "/p", TS),
                    "Origin", "https://blog.example");
            HttpResponse<String> other = listed.post("/api/v1/track", "application/json", event("c", "/p", TS),
                    "Origin", "https://evil.example");
            HttpResponse<String> noOrigin = listed.post("/api/v1/track", "application/json", event("c", "/p", TS));

            assertThat(allowed.statusCode()).isEqualTo(202);
            assertThat(allowed.headers().firstValue("access-control-allow-origin")).hasValue("https://blog.example");
            assertThat(allowed.headers().firstValue("vary")).hasValue("origin");
            assertThat(other.statusCode()).isEqualTo(403);
            assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
            assertThat(json(other.body())).isEqualTo(json("{\"error\":\"origin_not_allowed\",\"field\":\"Origin\","
                    + "\"problem\":\"this origin may not send events; ask for it to be added to --cors-origins\"}"));
            assertThat(other.body()).doesNotContain("evil");
            assertThat(noOrigin.statusCode()).isEqualTo(202);
            assertThat(noOrigin.headers().firstValue("access-control-allow-origin")).isEmpty();
            assertThat(TopicReader.readAll(listed.bootstrap, listed.topic, Duration.ofSeconds(2))).hasSize(2);
        }
    }

    @Test
    void theDefaultTransportIsIoUringWhereTheKernelAllowsItElseEpoll() {
        assertThat(edge.server.transport()).isEqualTo(IoUring.isAvailable() ? Transport.IO_URING : Transport.EPOLL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void servesOverEachTransport(String transport, LocalStack stack) {
        RunningEdge.assumeTransportAvailable(transport);
        try (RunningEdge other = RunningEdge.start(stack.kafka(), "edge-" + transport + "-it", "--transport", transport)) {
            HttpResponse<String> response = other.track(event(transport, "/n", TS));

            assertThat(other.server.transport().name().toLowerCase()).isEqualTo(transport);
            assertThat(response.statusCode()).isEqualTo(202);
            String eventId = json(response.body()).get("event_id").asText();
            assertThat(TopicReader.readAtLeast(other.bootstrap, other.topic, 1)).extracting(r -> decode(r).eventId())
                    .containsExactly(eventId);
        }
    }

    @Test
    void healthAndStatusOnlyReadinessAnswerOnThePublicPortAndMetricsDoNot() {
        HttpResponse<String> health = edge.get("/healthz");
        HttpResponse<String> ready = edge.get("/readyz");
        HttpResponse<String> metrics = edge.get("/metrics");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(json(health.body())).isEqualTo(json("{\"status\":\"ok\"}"));
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(json(ready.body())).isEqualTo(json("{\"status\":\"ready\"}"));
        assertThat(metrics.statusCode()).isEqualTo(404); // on the admin port: AdminPortIT
        assertThat(metrics.body()).doesNotContain("edge_");
    }

    private static Map<String, ConsumerRecord<byte[], byte[]>> recordsById(Set<String> ids) {
        List<ConsumerRecord<byte[], byte[]>> records = TopicReader.readUntil(edge.bootstrap, edge.topic,
                read -> read.stream().map(r -> decode(r).eventId()).collect(Collectors.toSet()).containsAll(ids),
                Duration.ofSeconds(30));
        Map<String, ConsumerRecord<byte[], byte[]>> byId = records.stream()
                .collect(Collectors.toMap(r -> decode(r).eventId(), Function.identity(), (a, b) -> a));
        assertThat(byId).containsKeys(ids.toArray(String[]::new));
        return byId;
    }

    private static List<PageView> ofUser(List<ConsumerRecord<byte[], byte[]>> records, String user) {
        return records.stream().map(TrackEndpointIT::decode).filter(v -> v.userId().equals(user)).toList();
    }

    static PageView decode(ConsumerRecord<byte[], byte[]> record) {
        return ((DecodeResult.Valid) PageViewCodec.decode(record.value())).view();
    }

    private static String quote(String text) {
        try {
            return RunningEdge.JSON.writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
