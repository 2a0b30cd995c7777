package dev.pageviews.edge.produce;

import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.edge.metrics.Metrics;
import dev.pageviews.event.PageView;
import dev.pageviews.event.PageViewCodec;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.ByteBufferOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produces stamped events to the topic and reports each outcome once Kafka has answered. Record key:
 * {@code user_id} (spreads load evenly, keeps one user's events in order); value:
 * {@link PageViewCodec#encode}.
 *
 * <p>The events are spread over {@code --kafka-producers} producers by {@code user_id}. The broker handles one
 * request per connection at a time, so one producer has one batch being written while the next waits; more
 * producers overlap them, but each sends its own, smaller batches. Inside {@code ./pageviews up} (broker on the same
 * machine) four producers gained 3-7 % at 64 connections for about twice the CPU and lost where the machine was
 * CPU-bound (BENCHMARKS.md, "Why one producer"), so the default is one.
 *
 * <p>{@link #send} is called on event-loop threads. With {@code max.block.ms} 0 it never waits: a full
 * buffer or missing metadata fails the event at once. The topic's metadata is fetched before traffic and
 * kept fresh by {@link #topicPartitions()}, which the health check calls.
 *
 * <p>The producers come from a factory given their settings ({@link #KAFKA}, or Kafka's {@code MockProducer} in unit
 * tests of the handlers that send), as {@code KafkaSink} is handed a factory for its producer.
 */
public final class EventProducer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventProducer.class);

    /** Why Kafka did not take an event; {@code reason} is the metrics label. */
    public enum Failure {
        TIMEOUT("kafka_timeout"),
        BUFFER_FULL("kafka_buffer_full"),
        ERROR("kafka_error");

        public final String reason;

        Failure(String reason) {
            this.reason = reason;
        }
    }

    /** Called once per event, on a producer or event-loop thread: {@code failure} is null on success. */
    @FunctionalInterface
    public interface Outcome {
        void completed(Failure failure);
    }

    /** The producers of the running edge: {@link KafkaProducer}s with byte-array serializers. */
    public static final Function<Properties, Producer<byte[], byte[]>> KAFKA =
            props -> new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());

    private final List<Producer<byte[], byte[]>> producers;
    private final String topic;
    private final Metrics metrics;
    private final AtomicBoolean failing = new AtomicBoolean();
    private volatile long lastFailureNanos;

    private EventProducer(List<Producer<byte[], byte[]>> producers, String topic, Metrics metrics) {
        this.producers = producers;
        this.topic = topic;
        this.metrics = metrics;
    }

    /** Creates the producers and adds their own metrics ({@code kafka_producer_...}, by client id) to {@code metrics}. */
    public static EventProducer create(EdgeConfig config, Metrics metrics) {
        return create(config, metrics, KAFKA);
    }

    /**
     * Like {@link #create(EdgeConfig, Metrics)}, with {@code --kafka-producers} producers made by {@code factory} from
     * {@link #properties} (one call per producer, in index order).
     */
    public static EventProducer create(EdgeConfig config, Metrics metrics,
            Function<Properties, Producer<byte[], byte[]>> factory) {
        checkCompressionWorksHere(config.get(EdgeConfig.KAFKA_COMPRESSION));
        int count = config.get(EdgeConfig.KAFKA_PRODUCERS);
        List<Producer<byte[], byte[]>> producers = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                Producer<byte[], byte[]> producer = factory.apply(properties(config, i));
                producers.add(producer);
                metrics.bindKafkaProducer(producer);
            }
        } catch (RuntimeException e) {
            producers.forEach(p -> p.close(Duration.ZERO));
            throw e;
        }
        return new EventProducer(List.copyOf(producers), config.topic(), metrics);
    }

    /**
     * Compresses a few bytes with the codec Kafka will use. snappy and zstd load a native library on first use; where
     * it cannot load, this fails at start and names the setting, instead of failing every produce later (a 503 per
     * event).
     */
    static void checkCompressionWorksHere(String compression) {
        if ("none".equals(compression)) {
            return;
        }
        try (OutputStream out = Compression.of(CompressionType.forName(compression)).build()
                .wrapForOutput(new ByteBufferOutputStream(256), RecordBatch.CURRENT_MAGIC_VALUE)) {
            out.write("{\"user_id\":\"check\"}".getBytes(StandardCharsets.UTF_8));
        } catch (Exception | Error e) { // a native library that cannot load throws an Error (UnsatisfiedLinkError, SnappyError)
            throw new IllegalStateException(EdgeConfig.KAFKA_COMPRESSION.label() + " " + compression
                    + " does not work on this machine: " + e + ". Choose another codec, e.g. lz4 or none.", e);
        }
    }

    /**
     * The settings of producer {@code index}: the guarantee (acks=all, idempotence) is fixed; throughput knobs
     * come from the config, and each producer gets its share of {@code --kafka-buffer-memory}.
     */
    static Properties properties(EdgeConfig config, int index) {
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        int linger = (int) config.get(EdgeConfig.KAFKA_LINGER).toMillis();
        int delivery = (int) config.get(EdgeConfig.KAFKA_DELIVERY_TIMEOUT).toMillis();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "edge-ingest-" + index);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                Integer.toString(config.get(EdgeConfig.KAFKA_MAX_IN_FLIGHT)));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, config.get(EdgeConfig.KAFKA_COMPRESSION));
        props.put(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(linger));
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(config.get(EdgeConfig.KAFKA_BATCH_SIZE)));
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG,
                Long.toString(config.get(EdgeConfig.KAFKA_BUFFER_MEMORY) / config.get(EdgeConfig.KAFKA_PRODUCERS)));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(config.get(EdgeConfig.KAFKA_MAX_BLOCK).toMillis()));
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString(delivery));
        // Kafka demands delivery.timeout.ms >= linger.ms + request.timeout.ms
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(Math.min(30_000, delivery - linger)));
        return props;
    }

    public String topic() {
        return topic;
    }

    /** Sends one stamped event; {@code outcome} is told once Kafka has acknowledged it, or why not. */
    public void send(PageView stamped, Outcome outcome) {
        byte[] key = stamped.userId().getBytes(StandardCharsets.UTF_8);
        byte[] value = PageViewCodec.encode(stamped);
        long start = System.nanoTime();
        metrics.eventsInFlight().incrementAndGet();
        try {
            producerFor(stamped.userId()).send(new ProducerRecord<>(topic, key, value), (metadata, error) -> {
                metrics.eventsInFlight().decrementAndGet();
                if (error == null) {
                    succeeded(System.nanoTime() - start);
                    outcome.completed(null);
                } else {
                    outcome.completed(failed(error));
                }
            });
        } catch (RuntimeException e) { // e.g. the producer was closed; Kafka's own errors go to the callback
            metrics.eventsInFlight().decrementAndGet();
            outcome.completed(failed(e));
        }
    }

    /** The same producer for every event of a user, so Kafka keeps that user's events in the order they came. */
    private Producer<byte[], byte[]> producerFor(String userId) {
        return producers.get(Math.floorMod(userId.hashCode(), producers.size()));
    }

    private void succeeded(long latencyNanos) {
        metrics.eventProduced(latencyNanos);
        if (failing.compareAndSet(true, false)) {
            LOG.info("Kafka acknowledges events again (topic {})", topic);
        }
    }

    private Failure failed(Exception error) {
        Failure failure = error instanceof BufferExhaustedException ? Failure.BUFFER_FULL
                : error instanceof TimeoutException ? Failure.TIMEOUT
                : Failure.ERROR;
        metrics.eventsRejected(failure.reason, 1);
        lastFailureNanos = System.nanoTime();
        if (failing.compareAndSet(false, true)) { // log the change, not every event
            LOG.warn("Kafka did not take an event for topic {} ({}); answering 503 until it does", topic, error.toString());
        }
        return failure;
    }

    /**
     * The topic's partitions from the producers' metadata, or an empty list while any producer has none yet (its
     * events would be answered 503). Does not wait: with {@code max.block.ms} 0 a miss only asks that producer to
     * fetch the metadata. Calling it regularly also keeps the topic's metadata from expiring while no events come.
     */
    public List<PartitionInfo> topicPartitions() {
        List<PartitionInfo> known = List.of();
        for (Producer<byte[], byte[]> producer : producers) { // ask every producer, so all fetch at once
            List<PartitionInfo> partitions = partitionsKnownTo(producer);
            known = known == null || partitions.isEmpty() ? null : partitions;
        }
        return known == null ? List.of() : known;
    }

    private List<PartitionInfo> partitionsKnownTo(Producer<byte[], byte[]> producer) {
        try {
            List<PartitionInfo> partitions = producer.partitionsFor(topic);
            return partitions == null ? List.of() : partitions;
        } catch (RuntimeException notYet) {
            return List.of();
        }
    }

    /** True when an event failed within {@code window} and none succeeded since. */
    public boolean recentlyFailing(Duration window) {
        return failing.get() && System.nanoTime() - lastFailureNanos < window.toNanos();
    }

    public void flush() {
        producers.forEach(Producer::flush);
    }

    /**
     * Closes the producers, each sending what it has buffered, all within {@code timeout}. Their sender threads
     * keep sending while an earlier one is closed, so one deadline covers all; an event not sent by then fails
     * (its client gets 503), never silently.
     */
    public void close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Producer<byte[], byte[]> producer : producers) {
            producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
