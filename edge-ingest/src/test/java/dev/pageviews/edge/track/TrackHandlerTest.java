package dev.pageviews.edge.track;

import static dev.pageviews.edge.http.EdgePipelineForTests.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.edge.admit.Admission;
import dev.pageviews.edge.admit.BotFilter;
import dev.pageviews.edge.admit.ClientAddress;
import dev.pageviews.edge.admit.ClientRateLimits;
import dev.pageviews.edge.http.EdgePipelineForTests;
import dev.pageviews.edge.http.EdgePipelineForTests.Answer;
import dev.pageviews.edge.http.NoLeaks;
import dev.pageviews.edge.metrics.Metrics;
import dev.pageviews.edge.produce.EventProducer;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The event endpoints in the public port's pipeline, producing to Kafka's {@link MockProducer}, which answers each
 * send only when the test says so: 202 only after Kafka's acknowledgement, 503 with {@code Retry-After} when it fails,
 * a batch's answer listing exactly the events to send again, the refusals that produce nothing (415, 413, 429, bots).
 * Every request and response is released, and no buffer leaks.
 */
@ExtendWith(NoLeaks.class)
class TrackHandlerTest {

    private static final int MAX_BATCH = 4;
    private static final int RETRY_AFTER = 7;
    private static final String GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    private static final BotFilter BOTS = BotFilter.load();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long now = System.currentTimeMillis() / 1000;
    private final Metrics metrics = new Metrics();
    private final MockProducer<byte[], byte[]> kafka =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final EventProducer producer = EventProducer.create(EdgeConfig.defaults().withTopic("views"), metrics,
            props -> kafka);
    private EdgePipelineForTests pipeline;

    @AfterEach
    void everythingReleased() {
        pipeline.assertAllReleased();
        producer.close(Duration.ZERO);
        metrics.close();
    }

    @Test
    void aViewIsAnswered202OnlyOnceKafkaHasAcknowledgedIt() throws Exception {
        pipeline = pipeline(Admission.none(metrics));

        pipeline.send(post("/api/v1/track", view("u1", "/home")));

        assertThat(pipeline.answer()).as("no answer before Kafka's").isNull();
        assertThat(kafka.history()).hasSize(1);
        ProducerRecord<byte[], byte[]> record = kafka.history().get(0);
        assertThat(record.topic()).isEqualTo("views");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("u1");
        JsonNode stored = JSON.readTree(record.value());
        assertThat(stored.get("page_url").asText()).isEqualTo("/home");
        assertThat(stored.get("received_at").asLong()).isPositive();

        assertThat(kafka.completeNext()).isTrue();
        Answer answer = pipeline.answer();

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(answer.body()).isEqualTo("{\"accepted\":1,\"event_id\":\"" + stored.get("event_id").asText() + "\"}");
        assertThat(metrics.exposition()).contains("edge_events_produced_total 1.0");
    }

    @Test
    void aViewKafkaDidNotTakeIs503WithRetryAfter() {
        pipeline = pipeline(Admission.none(metrics));

        pipeline.send(post("/api/v1/track", view("u1", "/home")));
        assertThat(pipeline.answer()).isNull();
        kafka.errorNext(new TimeoutException("Expiring 1 record(s) for views-0"));
        Answer answer = pipeline.answer();

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(answer.header(HttpHeaderNames.RETRY_AFTER)).isEqualTo(Integer.toString(RETRY_AFTER));
        assertThat(answer.body()).contains("\"error\":\"unavailable\"", "same event_id");
        assertThat(metrics.exposition()).contains("edge_events_rejected_total{reason=\"kafka_timeout\"} 1.0");
        assertThat(producer.recentlyFailing(Duration.ofMinutes(1))).isTrue();
    }

    @Test
    void anInvalidViewIs400NamingTheFieldAndIsNotProduced() {
        pipeline = pipeline(Admission.none(metrics));

        Answer answer = pipeline.exchange(post("/api/v1/track", "{\"page_url\":\"/home\",\"timestamp\":" + now + "}"));

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(answer.body()).contains("\"error\":\"invalid_event\"", "\"field\":\"user_id\"");
        assertThat(kafka.history()).isEmpty();
    }

    @Test
    void aBatchIsAnswered202OnceKafkaHasAcknowledgedEveryEvent() throws Exception {
        pipeline = pipeline(Admission.none(metrics));

        pipeline.send(post("/api/v1/track/batch", "[" + view("u1", "/a") + "," + view("u2", "/b") + "," + view("u3", "/c") + "]"));
        assertThat(kafka.history()).hasSize(3);
        kafka.completeNext();
        kafka.completeNext();
        assertThat(pipeline.answer()).as("no answer while one event waits for Kafka").isNull();
        kafka.completeNext();
        Answer answer = pipeline.answer();

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(JSON.readTree(answer.body())).isEqualTo(JSON.readTree("{\"accepted\":3,\"rejected\":[]}"));
    }

    @Test
    void aBatchWithInvalidEventsIs202ListingThoseRejected() throws Exception {
        pipeline = pipeline(Admission.none(metrics));

        pipeline.send(post("/api/v1/track/batch", "[" + view("u1", "/a") + ",{\"user_id\":\"u2\",\"timestamp\":" + now
                + "}," + view("u3", "/c") + "]"));
        assertThat(kafka.history()).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("u1", "u3");
        kafka.completeNext();
        kafka.completeNext();
        JsonNode answer = body(pipeline.answer(), HttpResponseStatus.ACCEPTED);

        assertThat(answer.get("accepted").asInt()).isEqualTo(2);
        assertThat(answer.get("rejected")).hasSize(1);
        assertThat(answer.at("/rejected/0/index").asInt()).isEqualTo(1);
        assertThat(answer.at("/rejected/0/error").asText()).isEqualTo("invalid_event");
        assertThat(answer.at("/rejected/0/field").asText()).isEqualTo("page_url");
        assertThat(metrics.exposition()).contains("edge_events_rejected_total{reason=\"invalid_page_url\"} 1.0");
    }

    @Test
    void aBatchKafkaFailedInPartIs503ListingExactlyTheEventsToSendAgain() throws Exception {
        pipeline = pipeline(Admission.none(metrics));

        pipeline.send(post("/api/v1/track/batch", "[" + view("u1", "/a") + "," + view("u2", "/b") + ",{},"
                + view("u4", "/d") + "]"));
        kafka.completeNext();
        kafka.errorNext(new BufferExhaustedException("Failed to allocate 100 bytes within the configured max blocking time 0 ms."));
        kafka.errorNext(new TimeoutException("Expiring 1 record(s) for views-0"));
        Answer answer = pipeline.answer();
        JsonNode body = body(answer, HttpResponseStatus.SERVICE_UNAVAILABLE);

        assertThat(answer.header(HttpHeaderNames.RETRY_AFTER)).isEqualTo(Integer.toString(RETRY_AFTER));
        assertThat(body.get("error").asText()).isEqualTo("unavailable");
        assertThat(body.get("accepted").asInt()).isEqualTo(1);
        List<String> rejected = new ArrayList<>();
        body.get("rejected").forEach(r -> rejected.add(r.get("index").asInt() + " " + r.get("error").asText()));
        assertThat(rejected).containsExactly("1 unavailable", "2 invalid_event", "3 unavailable");
        assertThat(metrics.exposition()).contains("edge_events_rejected_total{reason=\"kafka_buffer_full\"} 1.0",
                "edge_events_rejected_total{reason=\"kafka_timeout\"} 1.0");
    }

    @Test
    void aBatchOfOnlyInvalidEventsIs400AndProducesNothing() throws Exception {
        pipeline = pipeline(Admission.none(metrics));

        JsonNode body = body(pipeline.exchange(post("/api/v1/track/batch", "[{},{\"user_id\":\"u\"}]")),
                HttpResponseStatus.BAD_REQUEST);

        assertThat(body.get("error").asText()).isEqualTo("no_valid_events");
        assertThat(body.get("rejected")).hasSize(2);
        assertThat(kafka.history()).isEmpty();
    }

    @Test
    void aBatchOfMoreThanTheMostEventsIs413AndProducesNothing() {
        pipeline = pipeline(Admission.none(metrics));
        StringBuilder events = new StringBuilder("[");
        for (int i = 0; i <= MAX_BATCH; i++) {
            events.append(i == 0 ? "" : ",").append(view("u" + i, "/p"));
        }

        Answer answer = pipeline.exchange(post("/api/v1/track/batch", events.append("]").toString()));

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        assertThat(answer.body()).contains("\"error\":\"too_many_events\"", "more than " + MAX_BATCH + " events");
        assertThat(kafka.history()).isEmpty();
    }

    @Test
    void aBodyOfAnotherTypeIs415AndProducesNothing() {
        pipeline = pipeline(Admission.none(metrics));

        Answer html = pipeline.exchange(request(HttpMethod.POST, "/api/v1/track", view("u1", "/a"), "Content-Type", "text/html"));
        Answer ndjsonSingle = pipeline.exchange(request(HttpMethod.POST, "/api/v1/track", view("u1", "/a"),
                "Content-Type", "application/x-ndjson"));
        Answer none = pipeline.exchange(request(HttpMethod.POST, "/api/v1/track/batch", "[" + view("u1", "/a") + "]"));

        for (Answer answer : List.of(html, ndjsonSingle, none)) {
            assertThat(answer.status()).isEqualTo(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE);
            assertThat(answer.body()).contains("\"error\":\"unsupported_media_type\"", "\"field\":\"Content-Type\"");
        }
        assertThat(kafka.history()).isEmpty();
    }

    @Test
    void aClientOverTheRateLimitGets429WithRetryAfterAndNothingIsProduced() {
        pipeline = pipeline(new Admission(new ClientAddress(0), new ClientRateLimits(1, 2, 100), null, metrics));

        pipeline.send(post("/api/v1/track/batch", "[" + view("u1", "/a") + "," + view("u2", "/b") + "]"));
        kafka.completeNext();
        kafka.completeNext();
        assertThat(pipeline.answer().status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        Answer single = pipeline.exchange(post("/api/v1/track", view("u3", "/c")));
        Answer batch = pipeline.exchange(post("/api/v1/track/batch", "[" + view("u4", "/d") + "]"));

        for (Answer answer : List.of(single, batch)) {
            assertThat(answer.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
            assertThat(answer.header(HttpHeaderNames.RETRY_AFTER)).isEqualTo("1");
            assertThat(answer.body()).contains("\"error\":\"rate_limited\"", "none of these was stored");
        }
        assertThat(kafka.history()).hasSize(2);
        assertThat(metrics.exposition()).contains("edge_events_rejected_total{reason=\"rate_limited\"} 2.0");
    }

    @Test
    void aBotsViewsAreAnswered202FilteredAndNotProduced() throws Exception {
        pipeline = pipeline(new Admission(new ClientAddress(0), null, BOTS, metrics));

        Answer single = pipeline.exchange(post("/api/v1/track", view("u1", "/a"), "User-Agent", GOOGLEBOT));
        JsonNode batch = body(pipeline.exchange(post("/api/v1/track/batch",
                "[" + view("u1", "/a") + ",{}," + view("u2", "/b") + "]", "User-Agent", GOOGLEBOT)), HttpResponseStatus.ACCEPTED);

        assertThat(single.status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(single.body()).isEqualTo("{\"accepted\":0,\"filtered\":1,\"reason\":\"bot\"}");
        assertThat(batch.get("accepted").asInt()).isZero();
        assertThat(batch.get("filtered").asInt()).isEqualTo(2);
        assertThat(batch.get("reason").asText()).isEqualTo("bot");
        assertThat(batch.at("/rejected/0/index").asInt()).isEqualTo(1);
        assertThat(kafka.history()).isEmpty();
        assertThat(metrics.exposition()).contains("edge_events_filtered_total{reason=\"bot\"} 3.0");
    }

    @Test
    void aBrowsersViewIsProducedWhenTheBotFilterIsOn() {
        pipeline = pipeline(new Admission(new ClientAddress(0), null, BOTS, metrics));

        pipeline.send(post("/api/v1/track", view("u1", "/a"), "User-Agent",
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"));
        kafka.completeNext();

        assertThat(pipeline.answer().status()).isEqualTo(HttpResponseStatus.ACCEPTED);
        assertThat(kafka.history()).hasSize(1);
    }

    private EdgePipelineForTests pipeline(Admission admission) {
        return new EdgePipelineForTests(metrics, new TrackHandler(producer, metrics, MAX_BATCH, RETRY_AFTER,
                new FutureSkewCheck(Duration.ofMinutes(5)), admission));
    }

    private String view(String user, String page) {
        return "{\"user_id\":\"" + user + "\",\"page_url\":\"" + page + "\",\"timestamp\":" + now + "}";
    }

    private static FullHttpRequest post(String uri, String body, String... headers) {
        FullHttpRequest request = request(HttpMethod.POST, uri, body, headers);
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return request;
    }

    private static JsonNode body(Answer answer, HttpResponseStatus status) throws Exception {
        assertThat(answer).isNotNull();
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        return JSON.readTree(answer.body());
    }
}
