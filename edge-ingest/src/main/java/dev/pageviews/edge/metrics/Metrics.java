package dev.pageviews.edge.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.concurrent.EventExecutorGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.apache.kafka.clients.producer.Producer;

/**
 * The edge's metrics, kept in Micrometer's Prometheus registry and scraped in the Prometheus text format
 * (version 0.0.4). The edge's own meters render to the names they had before Micrometer ({@code edge_...});
 * {@link #bindJvm}, {@link #bindNetty} and {@link #bindKafkaProducer} add the JVM's, the event loops' and
 * allocator's, and the producer's. Updates are lock-free; they happen on event-loop and producer threads.
 */
public final class Metrics implements AutoCloseable {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Upper bounds of the produce-latency buckets; Micrometer adds {@code +Inf}. */
    private static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5),
        Duration.ofSeconds(10)
    };

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();
    private final Map<String, Counter> refused = new ConcurrentHashMap<>();
    private final Map<String, Counter> filtered = new ConcurrentHashMap<>();
    private final AtomicInteger requestsInFlight = new AtomicInteger();
    private final AtomicInteger eventsInFlight = new AtomicInteger();
    private final AtomicInteger connectionsOpen = new AtomicInteger();
    private final Counter produced;
    private final Counter connectionsRefused;
    private final Counter connectionsTimedOut;
    private final Timer produceLatency;
    private final List<AutoCloseable> binders = new ArrayList<>();
    // Micrometer holds a function counter's object weakly: these are held here for as long as the registry
    private final List<Object> measured = new ArrayList<>();
    private volatile IntSupplier ready = () -> 0;

    private record RequestKey(String route, int status) {}

    public Metrics() {
        // Micrometer's names are dotted; the Prometheus registry writes them with underscores, adds _total to
        // counters and the base unit (_seconds) to timers: edge.events.produced -> edge_events_produced_total.
        Gauge.builder("edge.http.requests.in.flight", requestsInFlight, AtomicInteger::get)
                .description("Requests received and not yet answered.").register(registry);
        produced = Counter.builder("edge.events.produced").description("Events acknowledged by Kafka.").register(registry);
        Gauge.builder("edge.events.in.flight", eventsInFlight, AtomicInteger::get)
                .description("Events handed to the Kafka producer and not yet acknowledged.").register(registry);
        produceLatency = Timer.builder("edge.produce.latency")
                .description("Time from handing an event to the producer to Kafka's acknowledgement.")
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .register(registry);
        Gauge.builder("edge.connections.open", connectionsOpen, AtomicInteger::get)
                .description("Client connections open.").register(registry);
        connectionsRefused = Counter.builder("edge.connections.refused")
                .description("Connections closed on accept because --max-connections were open.").register(registry);
        connectionsTimedOut = Counter.builder("edge.connections.timed.out")
                .description("Connections closed for idleness or a request that arrived too slowly.").register(registry);
        Gauge.builder("edge.ready", this, m -> m.ready.getAsInt())
                .description("1 when /readyz answers 200: Kafka reachable, the producer healthy, and any condition "
                        + "the embedding process adds.")
                .register(registry);
    }

    public void requestAnswered(String route, int status) {
        RequestKey key = new RequestKey(route, status);
        Counter counter = requests.get(key);
        if (counter == null) {
            counter = requests.computeIfAbsent(key, k -> Counter.builder("edge.http.requests")
                    .description("HTTP requests answered, by route and status code.")
                    .tag("route", k.route()).tag("status", Integer.toString(k.status()))
                    .register(registry));
        }
        counter.increment();
    }

    /** {@code reason} must come from a small fixed set (it becomes a label value). */
    public void eventsRejected(String reason, int count) {
        Counter counter = rejected.get(reason);
        if (counter == null) {
            counter = rejected.computeIfAbsent(reason, r -> Counter.builder("edge.events.rejected")
                    .description("Events not accepted, by reason (invalid_<field>, kafka_timeout, kafka_buffer_full, kafka_error, "
                            + "rate_limited).")
                    .tag("reason", r)
                    .register(registry));
        }
        counter.increment(count);
    }

    /** A request refused by admission control; {@code reason} from a small fixed set (site_not_allowed, ...). */
    public void requestRefused(String reason) {
        refused.computeIfAbsent(reason, r -> Counter.builder("edge.requests.refused")
                .description("Event requests refused by admission control, by reason (site_not_allowed, "
                        + "site_key_unknown: 403; rate_limited: 429).")
                .tag("reason", r)
                .register(registry)).increment();
    }

    /** Valid events answered but not produced; {@code reason} from a small fixed set (bot). */
    public void eventsFiltered(String reason, int count) {
        filtered.computeIfAbsent(reason, r -> Counter.builder("edge.events.filtered")
                .description("Valid events answered 202 but not produced, so never counted, by reason (bot: the "
                        + "User-Agent is a known bot's).")
                .tag("reason", r)
                .register(registry)).increment(count);
    }

    /** The per-client rate limit's table: clients with a bucket, and buckets evicted because it was full. */
    public void rateLimitTable(java.util.function.LongSupplier clients, java.util.function.LongSupplier evictions) {
        Gauge.builder("edge.rate.limit.clients", clients, c -> c.getAsLong()).strongReference(true)
                .description("Clients the per-client rate limit holds a bucket for, out of --rate-limit-clients.")
                .register(registry);
        measured.add(evictions);
        io.micrometer.core.instrument.FunctionCounter.builder("edge.rate.limit.evictions", evictions, e -> e.getAsLong())
                .description("Client buckets dropped because --rate-limit-clients were held: such a client starts "
                        + "again with a full burst.")
                .register(registry);
    }

    public void eventProduced(long latencyNanos) {
        produced.increment();
        produceLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
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

    /** The bytes request bodies hold while they arrive ({@code edge_body_memory_used_bytes}), out of {@code limit}. */
    public void bodyMemory(java.util.function.LongSupplier used, long limit) {
        Gauge.builder("edge.body.memory.used", used, u -> u.getAsLong()).strongReference(true).baseUnit("bytes")
                .description("Bytes reserved by request bodies being received, out of --max-body-memory.").register(registry);
        Gauge.builder("edge.body.memory.limit", () -> limit).baseUnit("bytes")
                .description("--max-body-memory: the most bytes request bodies being received may hold.").register(registry);
    }

    public void readiness(IntSupplier readyAsOneOrZero) {
        this.ready = readyAsOneOrZero;
    }

    public long producedCount() {
        return (long) produced.count();
    }

    /** The JVM's memory, garbage collection, threads, class loading, CPU and uptime ({@code jvm_}, {@code process_}, {@code system_}). */
    public void bindJvm() {
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        binders.add(gc);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Tasks waiting on each event loop of {@code groups} ({@code netty_eventexecutor_tasks_pending{name=<thread>}}) and
     * the memory {@code allocator} holds ({@code netty_allocator_...}). Starts the groups' threads if they have not yet.
     */
    public void bindNetty(ByteBufAllocatorMetricProvider allocator, EventExecutorGroup... groups) {
        for (EventExecutorGroup group : groups) {
            new NettyEventExecutorMetrics(group).bindTo(registry);
        }
        new NettyAllocatorMetrics(allocator).bindTo(registry);
    }

    /** The producer's own metrics ({@code kafka_producer_...}), until {@link #close()}. */
    public void bindKafkaProducer(Producer<?, ?> producer) {
        KafkaClientMetrics kafka = new KafkaClientMetrics(producer);
        kafka.bindTo(registry);
        binders.add(kafka);
    }

    /** Every meter, in the Prometheus text format 0.0.4 ({@link #CONTENT_TYPE}). */
    public String exposition() {
        return registry.scrape(CONTENT_TYPE);
    }

    /** Stops the binders that run threads or listen to the JVM (GC notifications, Kafka's metric refresh). */
    @Override
    public void close() {
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception ignored) {
                // closing metrics cannot fail the shutdown
            }
        }
        binders.clear();
    }
}
