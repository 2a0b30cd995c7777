package dev.pageviews.job;

import dev.pageviews.event.PageKeys;
import dev.pageviews.event.PageView;
import dev.pageviews.event.PageViewCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import java.util.function.Function;

/** Produces page views into Kafka and keeps the exact count per page that Redis must end up with. */
final class ViewsTraffic implements AutoCloseable {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final Map<String, Long> expected = new TreeMap<>();
    private final List<PageView> sentViews = new ArrayList<>();
    private final java.util.Set<String> clientIds = new java.util.HashSet<>();
    private long sent;
    private long copies;

    ViewsTraffic(String bootstrap, String topic) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        this.producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    /** Sends one valid view and counts it. */
    void view(String userId, String pageUrl, long timestamp) {
        PageView view = new PageView(userId, pageUrl, timestamp, "e-" + sent, timestamp * 1000);
        producer.send(new ProducerRecord<>(topic, userId.getBytes(StandardCharsets.UTF_8), PageViewCodec.encode(view)));
        expected.merge(counted(pageUrl), 1L, Long::sum);
        sentViews.add(view);
        sent++;
    }

    /**
     * Sends one valid view as another producer might: to {@code partition} (null: by key) with the record timestamp
     * {@code recordTimestamp} (null: the producer's clock), and counts it. Returns the producer's future.
     */
    java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> view(Integer partition, Long recordTimestamp,
            String userId, String pageUrl, long timestamp) {
        PageView view = new PageView(userId, pageUrl, timestamp, "e-" + sent, timestamp * 1000);
        var sending = producer.send(new ProducerRecord<>(topic, partition, recordTimestamp,
                userId.getBytes(StandardCharsets.UTF_8), PageViewCodec.encode(view)));
        expected.merge(counted(pageUrl), 1L, Long::sum);
        sentViews.add(view);
        sent++;
        return sending;
    }

    /**
     * Sends a view carrying a client's event id, as the edge stores it. Only the first view sent with an id counts
     * (the job's dedup window is taken to be longer than the test); every later one is a copy the job must drop.
     * Returns the view sent, for sending it again.
     */
    PageView clientView(String eventId, String userId, String pageUrl, long timestamp) {
        PageView view = new PageView(userId, pageUrl, timestamp, eventId, System.currentTimeMillis(), true);
        resend(view);
        return view;
    }

    /** Sends {@code view} (again): counted only if it carries no client id or its id was never sent before. */
    void resend(PageView view) {
        producer.send(new ProducerRecord<>(topic, view.userId().getBytes(StandardCharsets.UTF_8), PageViewCodec.encode(view)));
        if (!view.eventIdFromClient() || clientIds.add(view.eventId())) {
            expected.merge(counted(view.pageUrl()), 1L, Long::sum);
            sentViews.add(view);
        } else {
            copies++;
        }
        sent++;
    }

    /** How many views sent were copies of a client's view already sent. */
    long copies() {
        return copies;
    }

    /** Sends bytes that are not a valid view; they must not be counted. */
    void garbage(String raw) {
        producer.send(new ProducerRecord<>(topic, null, raw.getBytes(StandardCharsets.UTF_8)));
    }

    void flush() {
        producer.flush();
    }

    long sent() {
        return sent;
    }

    /** Every valid view sent that counts, as sent (not the copies of a client's view). */
    List<PageView> sentViews() {
        return new ArrayList<>(sentViews);
    }

    /** The field a view of {@code pageUrl} is counted in (with the job's default {@code --max-page-length}). */
    static String counted(String pageUrl) {
        return PageKeys.of(pageUrl, Integer.parseInt(JobConfig.MAX_PAGE_LENGTH.defaultText()));
    }

    /** The counts Redis must hold: views per page key. */
    Map<String, Long> expected() {
        return new TreeMap<>(expected);
    }

    /** Waits until the Redis hash ({@code hgetAll}: e.g. {@code jedis::hgetAll}) holds exactly the expected counts; fails with the difference otherwise. */
    static void awaitCounts(Function<String, Map<String, String>> hgetAll, String key, Map<String, Long> expected, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> actual = Map.of();
        while (System.nanoTime() < deadline) {
            actual = counts(hgetAll, key);
            if (actual.equals(expected)) {
                return;
            }
            long total = actual.values().stream().mapToLong(Long::longValue).sum();
            long wanted = expected.values().stream().mapToLong(Long::longValue).sum();
            if (total > wanted) {
                break; // counted twice: waiting longer cannot fix it
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new AssertionError("Redis " + key + " does not hold the expected counts.\n expected total "
                + expected.values().stream().mapToLong(Long::longValue).sum() + ", actual total "
                + actual.values().stream().mapToLong(Long::longValue).sum() + "\n diff: " + diff(expected, actual));
    }

    static Map<String, Long> counts(Function<String, Map<String, String>> hgetAll, String key) {
        Map<String, Long> counts = new TreeMap<>();
        hgetAll.apply(key).forEach((k, v) -> counts.put(k, Long.parseLong(v)));
        return counts;
    }

    private static String diff(Map<String, Long> expected, Map<String, Long> actual) {
        StringBuilder text = new StringBuilder();
        Map<String, Long> all = new TreeMap<>(expected);
        actual.keySet().forEach(k -> all.putIfAbsent(k, 0L));
        int shown = 0;
        for (String page : all.keySet()) {
            long e = expected.getOrDefault(page, 0L);
            long a = actual.getOrDefault(page, 0L);
            if (e != a && shown++ < 10) {
                text.append(page).append(": expected ").append(e).append(", got ").append(a).append("; ");
            }
        }
        return text.toString();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
