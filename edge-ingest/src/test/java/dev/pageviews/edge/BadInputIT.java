package dev.pageviews.edge;

import static dev.pageviews.edge.RawHttpClient.post;
import static dev.pageviews.edge.RunningEdge.event;
import static dev.pageviews.edge.RunningEdge.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of bad requests: each gets its 4xx (never a 5xx, never a hang), nothing reaches Kafka, and
 * the server keeps serving: after every case a valid event still gets 202.
 */
@ExtendWith(LocalStackExtension.class)
class BadInputIT {

    private static final String TRACK = "/api/v1/track";
    private static final String JSON = "application/json";
    private static final long TS = 1_730_814_562L;
    private static RunningEdge edge;

    @BeforeAll
    static void start(LocalStack stack) {
        edge = RunningEdge.start(stack.kafka(), "edge-bad-input-it", "--max-body-size", "4096",
                "--max-header-size", "2048", "--max-request-line-size", "1024",
                "--idle-timeout", "1000", "--request-timeout", "2500");
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
    }

    @AfterEach
    void serverStillServes() throws Exception {
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send(post(TRACK, JSON, event("still-serving", "/ok", TS)));
            assertThat(client.read().status()).isEqualTo(202);
        }
    }

    static Stream<Arguments> badEvents() {
        return Stream.of(
                bad("truncated JSON", "{\"user_id\":\"u\",\"page_url\":", "body", "ends before the JSON is complete"),
                bad("not JSON", "hello", "body", "is not valid JSON"),
                bad("unquoted names", "{user_id:\"u\"}", "body", "is not valid JSON"),
                bad("single quotes", "{'user_id':'u'}", "body", "is not valid JSON"),
                bad("trailing comma", "{\"user_id\":\"u\",}", "body", "is not valid JSON"),
                bad("JSON null", "null", "body", "must be a JSON object"),
                bad("array on the single endpoint", "[" + event("u", "/p", TS) + "]", "body", "must be a JSON object"),
                bad("number as user_id", "{\"user_id\":7,\"page_url\":\"/p\",\"timestamp\":" + TS + "}",
                        "user_id", "must be a string (got an integer)"),
                bad("boolean as page_url", "{\"user_id\":\"u\",\"page_url\":true,\"timestamp\":" + TS + "}",
                        "page_url", "must be a string (got a boolean)"),
                bad("string timestamp", "{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":\"" + TS + "\"}",
                        "timestamp", "must be an integer number of Unix seconds (got a string)"),
                bad("huge exponent", "{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":1e400}",
                        "timestamp", "must be an integer number of Unix seconds (got a number with a fraction)"),
                bad("huge integer", "{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":123456789012345678901234567890}",
                        "timestamp", "is far out of range: it must be Unix seconds between 946684800 and 4102444799"),
                bad("100-digit number", "{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":" + "9".repeat(100) + "}",
                        "body", "has a number or string longer than allowed"),
                bad("NaN", "{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":NaN}", "body", "is not valid JSON"),
                bad("Infinity", "{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":-Infinity}", "body", "is not valid JSON"),
                bad("deep nesting", "{\"x\":" + "[".repeat(1000) + "]".repeat(1000) + "}", "body", "nests deeper than 32 levels"),
                bad("duplicate field", "{\"user_id\":\"u\",\"user_id\":\"v\",\"page_url\":\"/p\",\"timestamp\":" + TS + "}",
                        "body", "repeats a field; each field may appear once"),
                bad("control character", "{\"user_id\":\"a\\u0007\",\"page_url\":\"/p\",\"timestamp\":" + TS + "}",
                        "user_id", "must not contain control characters (found one at index 1)"),
                bad("unpaired surrogate", "{\"user_id\":\"u\",\"page_url\":\"/a\\ud800\",\"timestamp\":" + TS + "}",
                        "page_url", "must be Unicode text: found an unpaired UTF-16 surrogate at index 2 (a \\\\uD800-\\\\uDFFF escape "
                                + "without its other half)"),
                bad("C1 control character", "{\"user_id\":\"u\",\"page_url\":\"/a\\u009b\",\"timestamp\":" + TS + "}",
                        "page_url", "must not contain control characters (found one at index 2)"),
                bad("event_id too long", withEventId("\"" + "a".repeat(65) + "\""),
                        "event_id", "must be at most 64 characters (got 65)"),
                bad("event_id with a space", withEventId("\"order 7\""), "event_id",
                        "may only contain letters A-Z a-z, digits 0-9 and . _ : - (found another character at index 5)"),
                bad("event_id with markup", withEventId("\"<b>\""), "event_id",
                        "may only contain letters A-Z a-z, digits 0-9 and . _ : - (found another character at index 0)"),
                bad("empty event_id", withEventId("\"\""), "event_id",
                        "must not be empty; leave it out when the view has no id of its own"),
                bad("number as event_id", withEventId("12345"), "event_id", "must be a string (got an integer)"),
                bad("array as event_id", withEventId("[\"a\"]"), "event_id", "must be a string (got an array)"),
                bad("empty body", "", "body", "must be a JSON object"),
                bad("whitespace body", "  \r\n ", "body", "must be a JSON object"));
    }

    private static String withEventId(String idJson) {
        return "{\"user_id\":\"u\",\"page_url\":\"/p\",\"timestamp\":" + TS + ",\"event_id\":" + idJson + "}";
    }

    private static Arguments bad(String name, String body, String field, String problem) {
        return Arguments.of(name, body.getBytes(StandardCharsets.UTF_8), field, problem);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEvents")
    void badEventGets400NamingFieldAndProblem(String name, byte[] body, String field, String problem) throws Exception {
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send(post(TRACK, JSON, body));
            RawHttpClient.Response response = client.read();

            assertThat(response.status()).isEqualTo(400);
            assertThat(response.header("content-type")).isEqualTo("application/json; charset=utf-8");
            assertThat(json(response.body())).isEqualTo(json("{\"error\":\"invalid_event\",\"field\":\"" + field
                    + "\",\"problem\":\"" + problem + "\"}"));
            assertThat(response.header("connection")).isNull(); // a bad event does not cost the connection
        }
    }

    @Test
    void invalidUtf8Gets400() throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"user_id\":\"u".getBytes(StandardCharsets.US_ASCII));
        body.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28}); // a lead byte followed by a non-continuation byte
        body.writeBytes(("\",\"page_url\":\"/p\",\"timestamp\":" + TS + "}").getBytes(StandardCharsets.US_ASCII));
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send(post(TRACK, JSON, body.toByteArray()));
            RawHttpClient.Response response = client.read();

            assertThat(response.status()).isEqualTo(400);
            assertThat(json(response.body())).isEqualTo(json(
                    "{\"error\":\"invalid_event\",\"field\":\"body\",\"problem\":\"is not valid UTF-8\"}"));
        }
    }

    @Test
    void invalidUtf8InABatchGets400ForTheWholeBatch() throws Exception {
        byte[] body = ("[" + event("u", "/p", TS) + ",{\"user_id\":\"\u00ff\"}]").getBytes(StandardCharsets.ISO_8859_1);
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send(post(TRACK + "/batch", JSON, body));
            RawHttpClient.Response response = client.read();

            assertThat(response.status()).isEqualTo(400);
            assertThat(json(response.body())).isEqualTo(json(
                    "{\"error\":\"invalid_batch\",\"field\":\"body\",\"problem\":\"is not valid UTF-8\"}"));
        }
    }

    static Stream<Arguments> badRequests() {
        String event = event("u", "/p", TS);
        return Stream.of(
                Arguments.of("DELETE on track", "DELETE " + TRACK + " HTTP/1.1\r\nHost: x\r\n\r\n", 405, "POST, OPTIONS"),
                Arguments.of("PUT on batch", new String(post(TRACK + "/batch", JSON, event), StandardCharsets.UTF_8)
                        .replaceFirst("POST", "PUT"), 405, "POST, OPTIONS"),
                Arguments.of("unknown method", "BREW " + TRACK + " HTTP/1.1\r\nHost: x\r\n\r\n", 405, "POST, OPTIONS"),
                Arguments.of("TRACE on readyz", "TRACE /readyz HTTP/1.1\r\nHost: x\r\n\r\n", 405, "GET"),
                Arguments.of("OPTIONS on readyz", "OPTIONS /readyz HTTP/1.1\r\nHost: x\r\n\r\n", 405, "GET"),
                Arguments.of("metrics (on the admin port only)", "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 404, null),
                Arguments.of("traversal to a file", "GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 404, null),
                Arguments.of("traversal onto track", new String(post("/api/v1/../v1/track", JSON, event), StandardCharsets.UTF_8),
                        404, null),
                Arguments.of("encoded traversal", "GET /api/v1/track/%2e%2e/batch HTTP/1.1\r\nHost: x\r\n\r\n", 404, null),
                Arguments.of("traversal onto metrics", "GET /healthz/../metrics HTTP/1.1\r\nHost: x\r\n\r\n", 404, null),
                Arguments.of("backslashes", "GET /api\\v1\\track HTTP/1.1\r\nHost: x\r\n\r\n", 404, null),
                Arguments.of("trailing slash", new String(post(TRACK + "/", JSON, event), StandardCharsets.UTF_8), 404, null),
                Arguments.of("root", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 404, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void wrongMethodsAndPathsGet404Or405(String name, String request, int status, String allow) throws Exception {
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send(request);
            RawHttpClient.Response response = client.read();

            assertThat(response.status()).isEqualTo(status);
            assertThat(response.header("allow")).isEqualTo(allow);
            assertThat(response.body()).doesNotContain("passwd").doesNotContain("..").doesNotContain("%2e");
        }
    }

    static Stream<Arguments> brokenHttp() {
        return Stream.of(
                Arguments.of("request line too long", "GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414,
                        "{\"error\":\"request_line_too_long\",\"problem\":\"the request line (method, URL, version) is longer than allowed\"}"),
                Arguments.of("headers too large", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + "p".repeat(3000) + "\r\n\r\n", 431,
                        "{\"error\":\"headers_too_large\",\"problem\":\"the request headers are larger than allowed\"}"),
                Arguments.of("many small headers", "GET /healthz HTTP/1.1\r\nHost: x\r\n" + "X-A: b\r\n".repeat(400) + "\r\n", 431,
                        "{\"error\":\"headers_too_large\",\"problem\":\"the request headers are larger than allowed\"}"),
                Arguments.of("not HTTP", "HELLO\r\n\r\n", 400,
                        "{\"error\":\"bad_request\",\"problem\":\"the request is not valid HTTP/1.1\"}"),
                Arguments.of("non-numeric Content-Length", "POST " + TRACK + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: ten\r\n\r\n", 400,
                        "{\"error\":\"bad_request\",\"problem\":\"the request is not valid HTTP/1.1\"}"),
                Arguments.of("negative Content-Length", "POST " + TRACK + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Content-Length: -5\r\n\r\n", 400,
                        "{\"error\":\"bad_request\",\"problem\":\"the request is not valid HTTP/1.1\"}"),
                Arguments.of("space in header name", "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400,
                        "{\"error\":\"bad_request\",\"problem\":\"the request is not valid HTTP/1.1\"}"),
                Arguments.of("oversized body", new String(post(TRACK, JSON, "{\"pad\":\"" + "x".repeat(5000) + "\"}"),
                        StandardCharsets.UTF_8), 413,
                        "{\"error\":\"body_too_large\",\"field\":\"body\",\"problem\":\"is larger than 4096 bytes; send fewer events per request\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenHttp")
    void brokenHttpGets4xxAndTheConnectionIsClosed(String name, String request, int status, String body) throws Exception {
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send(request.getBytes(StandardCharsets.ISO_8859_1));
            RawHttpClient.Response response = client.read();

            assertThat(response.status()).isEqualTo(status);
            assertThat(json(response.body())).isEqualTo(json(body));
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void clientThatStopsMidRequestGets408AfterTheIdleTimeout() throws Exception {
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send("POST " + TRACK + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Len");
            long start = System.nanoTime();
            RawHttpClient.Response response = client.read(); // blocks until the server gives up on us

            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(response.status()).isEqualTo(408);
            assertThat(response.header("connection")).isEqualTo("close");
            assertThat(json(response.body())).isEqualTo(json(
                    "{\"error\":\"request_timeout\",\"problem\":\"the request did not arrive in full in time\"}"));
            assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void clientThatTricklesItsBodyGets408AfterTheRequestTimeout() throws Exception {
        byte[] request = post(TRACK, JSON, event("slow", "/trickle", TS));
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            long start = System.nanoTime();
            int sent = 0;
            try {
                while (sent < request.length && !client.hasDataToRead()
                        && Duration.ofNanos(System.nanoTime() - start).toMillis() < 8_000) {
                    client.send(new byte[] {request[sent++]}); // one byte every 300 ms: never idle for 1 s
                    Thread.sleep(300);
                }
            } catch (java.io.IOException closedOnUs) {
                // expected once the server gives up
            }
            RawHttpClient.Response response = client.read();

            assertThat(sent).isLessThan(request.length);
            assertThat(response.status()).isEqualTo(408);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(2_400));
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedSilentlyAfterTheIdleTimeout() throws Exception {
        try (RawHttpClient client = new RawHttpClient(edge.port())) {
            client.send(post(TRACK, JSON, event("idle", "/i", TS)));
            assertThat(client.read().status()).isEqualTo(202);

            assertThat(client.closedByServerWithin(Duration.ofSeconds(5))).isTrue(); // closed, with no 408 first
        }
    }

    @Test
    void nothingFromTheBadCorpusReachedKafka() {
        // runs in any order with the others: every record in the topic must be one of the valid probes
        assertThat(TopicReader.readAll(edge.bootstrap, edge.topic, Duration.ofSeconds(2)))
                .allSatisfy(record -> assertThat(TrackEndpointIT.decode(record).userId()).isIn("still-serving", "idle"));
    }
}
