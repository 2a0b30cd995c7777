package dev.pageviews.read.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pageviews.read.ReadService;
import dev.pageviews.read.push.CommitEvent;
import dev.pageviews.read.push.EventStreams;
import dev.pageviews.read.query.QueryParser;
import dev.pageviews.read.query.QueryRunner;
import dev.pageviews.read.store.CommitRecord;
import dev.pageviews.read.store.FakeStatsStore;
import dev.pageviews.read.store.LayoutFixture;
import dev.pageviews.read.store.ReadBatch;
import dev.pageviews.read.store.StatsStore;
import dev.pageviews.read.store.StoreException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The connection pipeline without a socket ({@code EmbeddedChannel}, from the HTTP codec on): routing, status codes,
 * headers, order of answers, and every buffer released (the build runs with paranoid leak detection; here each
 * request's and response's reference count is checked as well).
 */
class ApiPipelineTest {

    static final Instant NOW = Instant.parse("2026-12-07T10:30:15Z");
    static final String QUERY = "{\"site_id\":\"localhost\",\"metrics\":[\"pageviews\"],\"date_range\":\"day\"}";

    private final ObjectMapper json = ReadService.json();
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final List<FullHttpRequest> sent = new ArrayList<>();
    private final Queue<Runnable> queued = new ArrayDeque<>();
    private StatsStore store;
    private Executor queries = Runnable::run;
    private EmbeddedChannel channel;
    private final EventStreams streams = new EventStreams(2);

    @BeforeEach
    void fixture() {
        LayoutFixture fixture = new LayoutFixture("page_views", ZoneId.of("Europe/Berlin"));
        fixture.view("/a", "u1", NOW.minusSeconds(60)).view("/a", "u2", NOW.minusSeconds(30)).view("/b", "u1", NOW.minusSeconds(5));
        store = new FakeStatsStore(fixture, clock);
    }

    @AfterEach
    void everyBufferReleased() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
        for (FullHttpRequest request : sent) {
            assertThat(request.refCnt()).as("request %s released", request.uri()).isZero();
        }
    }

    private EmbeddedChannel open(String token) {
        QueryRunner runner = new QueryRunner(store, clock, Duration.ofDays(732), json);
        StatsInitializer initializer = new StatsInitializer(new StatsInitializer.Shared(store, new QueryParser("localhost", 10_000),
                runner, command -> queries.execute(command), json, streams, () -> new CommitEvent(1, null, null), token,
                64 * 1024, Duration.ofSeconds(60), Duration.ofSeconds(15), 8));
        channel = new EmbeddedChannel();
        initializer.addHandlers(channel.pipeline());
        channel.pipeline().remove("codec"); // requests and answers as objects
        channel.pipeline().remove("aggregator");
        return channel;
    }

    private FullHttpRequest request(HttpMethod method, String uri, String body, String... headers) {
        // a fresh buffer even when empty: copiedBuffer("") is the shared EMPTY_BUFFER, whose count never drops
        ByteBuf content = Unpooled.buffer().writeBytes(body.getBytes(StandardCharsets.UTF_8));
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, content);
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().set(headers[i], headers[i + 1]);
        }
        sent.add(request);
        return request;
    }

    /** The next answer, with its body as text; the response is released. */
    private record Reply(int status, io.netty.handler.codec.http.HttpHeaders headers, String body) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(body);
        }
    }

    private Reply reply() {
        channel.runPendingTasks();
        Object out = channel.readOutbound();
        assertThat(out).as("an answer").isInstanceOf(FullHttpResponse.class);
        FullHttpResponse response = (FullHttpResponse) out;
        Reply reply = new Reply(response.status().code(), response.headers().copy(),
                response.content().toString(StandardCharsets.UTF_8));
        // an empty body is Unpooled's shared empty buffer, which counts no references (release() is false)
        assertThat(response.release() || response.content().capacity() == 0).as("response released").isTrue();
        return reply;
    }

    @Test
    void aQueryIsAnsweredWithPlausiblesShapeAnEtagAndTheCommit() throws Exception {
        open("").writeInbound(request(HttpMethod.POST, "/api/v2/query", QUERY));
        Reply reply = reply();
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(reply.json().get("results").get(0).get("metrics").get(0).asLong()).isEqualTo(3);
        assertThat(reply.headers().get(HttpHeaderNames.ETAG)).startsWith("\"1-");
        assertThat(reply.headers().get("X-Pageviews-Seq")).isEqualTo("1");
        assertThat(reply.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-cache");
        String etag = reply.headers().get(HttpHeaderNames.ETAG);

        channel.writeInbound(request(HttpMethod.POST, "/api/v2/query", QUERY, "If-None-Match", etag));
        Reply unchanged = reply();
        assertThat(unchanged.status()).isEqualTo(304);
        assertThat(unchanged.body()).isEmpty();
        assertThat(unchanged.headers().get(HttpHeaderNames.ETAG)).isEqualTo(etag);

        channel.writeInbound(request(HttpMethod.POST, "/api/v2/query", QUERY, "Accept", "text/csv"));
        Reply csv = reply();
        assertThat(csv.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/csv; charset=utf-8");
        assertThat(csv.body()).isEqualTo("pageviews\r\n3\r\n");
        assertThat(csv.headers().get(HttpHeaderNames.ETAG)).isNotEqualTo(etag);
    }

    @Test
    void badQueriesGet400NamingTheParameterNever500() throws Exception {
        open("").writeInbound(request(HttpMethod.POST, "/api/v2/query", "{\"site_id\":"));
        Reply notJson = reply();
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("error").asText()).startsWith("#/: the body is not JSON");
        channel.writeInbound(request(HttpMethod.POST, "/api/v2/query", QUERY.replace("day", "fortnight")));
        Reply badRange = reply();
        assertThat(badRange.status()).isEqualTo(400);
        assertThat(badRange.json().get("error").asText()).startsWith("#/date_range: unknown date range \"fortnight\"");
        channel.writeInbound(request(HttpMethod.POST, "/api/v2/query", QUERY.replace("\"day\"", "\"24h\"")
                .replace("pageviews", "visitors")));
        Reply visitors = reply();
        assertThat(visitors.status()).isEqualTo(400);
        assertThat(visitors.json().get("error").asText()).startsWith("#/metrics/0: visitors are counted per day");
        channel.writeInbound(request(HttpMethod.GET, "/api/v2/query", ""));
        Reply get = reply();
        assertThat(get.status()).isEqualTo(405);
        assertThat(get.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("POST");
    }

    @Test
    void busyOrUnreachableRedisIs503WithRetryAfter() throws Exception {
        queries = command -> {
            throw new RejectedExecutionException("full");
        };
        open("").writeInbound(request(HttpMethod.POST, "/api/v2/query", QUERY));
        Reply busy = reply();
        assertThat(busy.status()).isEqualTo(503);
        assertThat(busy.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("1");
        assertThat(busy.json().get("error").asText()).contains("--max-concurrent-queries");

        queries = Runnable::run;
        store = new StatsStore() {
            @Override
            public CommitRecord commit() {
                throw new StoreException("Redis (redis://x:6379) could not be read: Connection refused");
            }

            @Override
            public CommitRecord read(ReadBatch batch) {
                throw new AssertionError();
            }

            @Override
            public void close() {}
        };
        channel.finishAndReleaseAll();
        open("").writeInbound(request(HttpMethod.POST, "/api/v2/query", QUERY));
        Reply down = reply();
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.json().get("error").asText()).contains("Connection refused");
    }

    @Test
    void withATokenTheApiNeedsItAndTheFilesDoNot() throws Exception {
        open("s3cret").writeInbound(request(HttpMethod.POST, "/api/v2/query", QUERY));
        Reply missing = reply();
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.json().get("error").asText()).startsWith("Missing API key.");
        assertThat(missing.headers().get(HttpHeaderNames.WWW_AUTHENTICATE)).startsWith("Bearer");
        channel.writeInbound(request(HttpMethod.POST, "/api/v2/query", QUERY, "Authorization", "Bearer s3cre"));
        assertThat(reply().json().get("error").asText()).startsWith("Invalid API key.");
        channel.writeInbound(request(HttpMethod.POST, "/api/v2/query?access_token=s3cret", QUERY));
        assertThat(reply().status()).as("the query form is for the stream only").isEqualTo(401);
        channel.writeInbound(request(HttpMethod.POST, "/api/v2/query", QUERY, "Authorization", "bearer s3cret"));
        assertThat(reply().status()).isEqualTo(200);
        channel.writeInbound(request(HttpMethod.GET, "/", ""));
        assertThat(reply().status()).isEqualTo(200);
        channel.writeInbound(request(HttpMethod.GET, "/api/v2/stream?access_token=s3cret", ""));
        channel.runPendingTasks();
        HttpResponse stream = channel.readOutbound();
        assertThat(stream.status().code()).isEqualTo(200);
        readAllContent();
    }

    private void readAllContent() {
        Object out;
        while ((out = channel.readOutbound()) != null) {
            if (out instanceof HttpContent content) {
                assertThat(content.release()).isTrue();
            } else {
                ReferenceCountUtil.release(out);
            }
        }
    }

    @Test
    void theDashboardsFilesHaveTypesTagsAndCaching() {
        open("").writeInbound(request(HttpMethod.GET, "/", ""));
        Reply page = reply();
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/html; charset=utf-8");
        assertThat(page.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-cache");
        assertThat(page.body()).contains("<meta name=\"pageviews-site-id\" content=\"localhost\">");
        channel.writeInbound(request(HttpMethod.GET, "/", "", "If-None-Match", page.headers().get(HttpHeaderNames.ETAG)));
        assertThat(reply().status()).isEqualTo(304);
        channel.writeInbound(request(HttpMethod.GET, "/assets/dashboard.js", ""));
        Reply script = reply();
        assertThat(script.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/javascript; charset=utf-8");
        assertThat(script.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("public, max-age=300");
        // the chart library: the WebJar the root pom pins, found by name alone
        channel.writeInbound(request(HttpMethod.GET, "/assets/webjars/uplot/dist/uPlot.iife.min.js", ""));
        Reply library = reply();
        assertThat(library.status()).isEqualTo(200);
        assertThat(library.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("text/javascript; charset=utf-8");
        assertThat(library.body()).contains("uPlot");
        assertThat(page.body()).contains("/assets/webjars/uplot/dist/uPlot.iife.min.js", "/assets/dashboard.js");
        channel.writeInbound(request(HttpMethod.HEAD, "/assets/dashboard.css", ""));
        Reply head = reply();
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isGreaterThan(0);
        for (String path : List.of("/assets/../index.html", "/assets/%2e%2e/x.js", "/assets/.hidden.js", "/assets/nope.js",
                "/assets/x.class", "/assets/webjars/../../dev/pageviews/read/ReadMain.class",
                "/assets/webjars/uplot/../../../dev/pageviews/read/ReadMain.class", "/assets/webjars/nosuch/x.js",
                "/assets/webjars/uplot", "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js")) {
            channel.writeInbound(request(HttpMethod.GET, path, ""));
            assertThat(reply().status()).as(path).isEqualTo(404);
        }
        channel.writeInbound(request(HttpMethod.POST, "/", ""));
        assertThat(reply().status()).isEqualTo(405);
        channel.writeInbound(request(HttpMethod.GET, "/metrics", ""));
        assertThat(reply().status()).isEqualTo(404);
        channel.writeInbound(request(HttpMethod.POST, "/api/v2/stream", ""));
        assertThat(reply().status()).isEqualTo(405);
    }

    @Test
    void answersGoOutInRequestOrderWhenAQueryIsSlower() {
        queries = queued::add; // the query waits until the test runs it
        open("").writeInbound(request(HttpMethod.POST, "/api/v2/query", QUERY), request(HttpMethod.GET, "/", ""));
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).as("the page waits for the query's answer").isNull();
        queued.poll().run();
        channel.runPendingTasks();
        Reply first = reply();
        assertThat(first.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        Reply second = reply();
        assertThat(second.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/html");
    }

    @Test
    void healthIsTheProcessAndReadinessIsRedis() throws Exception {
        open("token").writeInbound(request(HttpMethod.GET, "/healthz", ""));
        assertThat(reply().body()).isEqualTo("{\"status\":\"ok\"}");
        channel.writeInbound(request(HttpMethod.GET, "/readyz", ""));
        assertThat(reply().body()).isEqualTo("{\"status\":\"ready\",\"seq\":1}");
    }

    @Test
    void aRequestWithoutKeepAliveIsAnsweredThenClosed() {
        FullHttpRequest request = request(HttpMethod.GET, "/", "");
        request.headers().set(HttpHeaderNames.CONNECTION, "close");
        open("").writeInbound(request);
        Reply reply = reply();
        assertThat(reply.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
        assertThat(channel.isOpen()).isFalse();
    }
}
