package dev.pageviews.edge.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The edge's metrics, written in the Prometheus text exposition format (version 0.0.4) by hand: a few
 * counters, gauges and one histogram need no client library. Updates are lock-free; they happen on
 * event-loop and producer threads.
 */
public final class Metrics {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Upper bounds of the produce-latency buckets, in seconds, as they are printed. */
    private static final String[] LATENCY_BUCKETS = {
        "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10"
    };

    private final Map<RequestKey, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
    private final LongAdder produced = new LongAdder();
    private final AtomicInteger requestsInFlight = new AtomicInteger();
    private final AtomicInteger eventsInFlight = new AtomicInteger();
    private final AtomicInteger connectionsOpen = new AtomicInteger();
    private final LongAdder connectionsRefused = new LongAdder();
    private final LongAdder connectionsTimedOut = new LongAdder();
    private final Histogram produceLatency = new Histogram(LATENCY_BUCKETS);
    private volatile IntSupplier ready = () -> 0;

    private record RequestKey(String route, int status) {}

    public void requestAnswered(String route, int status) {
        RequestKey key = new RequestKey(route, status);
        LongAdder counter = requests.get(key);
        if (counter == null) {
            counter = requests.computeIfAbsent(key, k -> new LongAdder());
        }
        counter.increment();
    }

    /** {@code reason} must come from a small fixed set (it becomes a label value). */
    public void eventsRejected(String reason, int count) {
        LongAdder counter = rejected.get(reason);
        if (counter == null) {
            counter = rejected.computeIfAbsent(reason, k -> new LongAdder());
        }
        counter.add(count);
    }

    public void eventProduced(long latencyNanos) {
        produced.increment();
        produceLatency.observe(latencyNanos);
    }

    public AtomicInteger requestsInFlight() {
        return requestsInFlight;
    }

    public AtomicInteger eventsInFlight() {
        return eventsInFlight;
    }

    public AtomicInteger connectionsOpen() {
        return connectionsOpen;
    }

    public void connectionRefused() {
        connectionsRefused.increment();
    }

    public void connectionTimedOut() {
        connectionsTimedOut.increment();
    }

    public void readiness(IntSupplier readyAsOneOrZero) {
        this.ready = readyAsOneOrZero;
    }

    public long producedCount() {
        return produced.sum();
    }

    public String exposition() {
        StringBuilder out = new StringBuilder(4096);
        header(out, "edge_http_requests_total", "counter", "HTTP requests answered, by route and status code.");
        Map<String, Long> sortedRequests = new TreeMap<>();
        requests.forEach((k, v) -> sortedRequests.put(
                "{route=\"" + escape(k.route()) + "\",status=\"" + k.status() + "\"}", v.sum()));
        sortedRequests.forEach((labels, value) -> sample(out, "edge_http_requests_total" + labels, value));

        header(out, "edge_http_requests_in_flight", "gauge", "Requests received and not yet answered.");
        sample(out, "edge_http_requests_in_flight", requestsInFlight.get());

        header(out, "edge_events_produced_total", "counter", "Events acknowledged by Kafka.");
        sample(out, "edge_events_produced_total", produced.sum());

        header(out, "edge_events_rejected_total", "counter",
                "Events not accepted, by reason (invalid_<field>, kafka_timeout, kafka_buffer_full, kafka_error).");
        new TreeMap<>(rejected).forEach((reason, v) ->
                sample(out, "edge_events_rejected_total{reason=\"" + escape(reason) + "\"}", v.sum()));

        header(out, "edge_events_in_flight", "gauge", "Events handed to the Kafka producer and not yet acknowledged.");
        sample(out, "edge_events_in_flight", eventsInFlight.get());

        header(out, "edge_produce_latency_seconds", "histogram",
                "Time from handing an event to the producer to Kafka's acknowledgement.");
        produceLatency.writeTo(out, "edge_produce_latency_seconds");

        header(out, "edge_connections_open", "gauge", "Client connections open.");
        sample(out, "edge_connections_open", connectionsOpen.get());
        header(out, "edge_connections_refused_total", "counter", "Connections closed on accept because --max-connections were open.");
        sample(out, "edge_connections_refused_total", connectionsRefused.sum());
        header(out, "edge_connections_timed_out_total", "counter", "Connections closed for idleness or a request that arrived too slowly.");
        sample(out, "edge_connections_timed_out_total", connectionsTimedOut.sum());

        header(out, "edge_ready", "gauge", "1 when /readyz answers 200: Kafka reachable, the producer healthy, and any condition the embedding process adds.");
        sample(out, "edge_ready", ready.getAsInt());
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    static void sample(StringBuilder out, String nameAndLabels, long value) {
        out.append(nameAndLabels).append(' ').append(value).append('\n');
    }

    /** Label values are escaped as the format demands: backslash, double quote and line feed. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
