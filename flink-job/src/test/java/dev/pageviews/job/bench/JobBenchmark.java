package dev.pageviews.job.bench;

import dev.pageviews.event.PageView;
import dev.pageviews.event.PageViewCodec;
import dev.pageviews.job.JobConfig;
import dev.pageviews.job.FlinkSettings;
import dev.pageviews.job.PageViewsTopology;
import dev.pageviews.job.count.CountedView;
import dev.pageviews.job.count.CountedViewSerializer;
import dev.pageviews.job.count.FirstVisits;
import dev.pageviews.job.count.ReportingTime;
import dev.pageviews.job.count.VisitorBucket;
import dev.pageviews.job.dedup.CountOncePerEventId;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.RedisServer;
import java.io.DataInputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * {@code ./pageviews bench job}: real Kafka, real Redis, the real job in a local Flink cluster.
 * <ol>
 *   <li>Drain: pre-fills a topic with a realistic stream (Zipf pages over 100,000 URLs, 1,000,000 users,
 *       5 % out of order by up to 5 s) and times how fast the job turns it into exact Redis counts, at
 *       parallelism 1 and 2, with the Redis commands issued per event. Also a hot-page stream (one page gets
 *       60 % of the views) at parallelism 2.
 *   <li>Freshness: a steady stream at real-time timestamps plus, after 10 s of warm-up, a probe view every
 *       100 ms on a page of its own; time from produce to visible in Redis, p50/p99, in both delivery modes.
 *   <li>Archive: the same Zipf drain at parallelism 2, exactly once, with the archive off and writing JSON lines,
 *       Parquet, and both to local files.
 *   <li>Keys ({@code only=keys} only): the same costs with keys a client chose to collide in hash structures (page
 *       URLs with one {@code String.hashCode}, event ids with one dedup spread) against random keys; and Redis's Lua
 *       interning of script arguments, random against colliding.
 *   <li>Dedup: a stream where every view carries a client's event id and 10 % are copies of an earlier view, drained at
 *       parallelism 2, exactly once, with {@code --dedup-window 24h} (each id counted once) and {@code 0} (every copy
 *       counted); the dedup operator's checkpointed state per id (hashmap and RocksDB) and its heap per id, and what
 *       that comes to for a day of ids.
 *   <li>Stats: the same Zipf drain, stamped with the last hours instead of 2024 (buckets past their retention are
 *       not written), at parallelism 2, exactly once, with the read side's writes ({@code --stats true}: buckets,
 *       first visits, HyperLogLogs) and without ({@code --stats false}).
 * </ol>
 * Arguments: {@code events=N} (default 3,000,000; 300,000 for {@code only=keys}), {@code users=N} (how many users the
 * drains' views are spread over, default 1,000,000), {@code pages=N} (how many pages the drains' Zipf draws from,
 * default 100,000),
 * {@code only=drain|archive|dedup|freshness|fresh-alo|fresh-eo|keys|stats|stats-parts}, extra job
 * flags after {@code --}.
 */
public final class JobBenchmark {

    private static final Duration WARM_UP = Duration.ofSeconds(10);
    private static final int ARCHIVE_ROUNDS = 3;
    private static final int DEDUP_ROUNDS = 3;
    private static final int STATS_ROUNDS = 3;
    private static final int KEY_ROUNDS = 2;
    /** Views per topic in only=keys: colliding keys make a structure that chains them cost O(n) per view. */
    private static final long KEY_EVENTS = 300_000;
    /** only=keys draws pages from 2^16 paths, each of 16 blocks Aa or BB (colliding) or of 32 random letters. */
    private static final int PAGE_BLOCKS = 16;
    /** A copy of a client's view repeats one of the views with the last this many ids (2 s of event time). */
    private static final int RECENT_IDS = 40_000;
    /** Watermark settings for the lowest latency: no out-of-orderness allowance, frequent watermarks, quick idleness. */
    private static final String[] LOWEST_LATENCY = {"--out-of-orderness", "0ms", "--watermark-interval", "50ms", "--idle-timeout", "500ms"};
    private static final String SUM_SCRIPT =
            "local s = 0 for _, v in ipairs(redis.call('HVALS', KEYS[1])) do s = s + tonumber(v) end return s";

    private final LocalStack stack;
    private final Path workDir;
    private final List<String> extraJobArgs;
    private final int users;
    private final int pages;
    private int runs;
    /** What the next drains' jobs do to the views just before the Redis sink ({@link #statsParts}). */
    private UnaryOperator<DataStream<CountedView>> beforeSink = UnaryOperator.identity();

    private JobBenchmark(LocalStack stack, Path workDir, List<String> extraJobArgs, int users, int pages) {
        this.stack = stack;
        this.workDir = workDir;
        this.extraJobArgs = extraJobArgs;
        this.users = users;
        this.pages = pages;
    }

    public static void main(String[] args) throws Exception {
        long events = 3_000_000;
        boolean eventsGiven = false;
        String only = "";
        int users = 1_000_000;
        int pages = 100_000;
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                extra.addAll(Arrays.asList(args).subList(i + 1, args.length));
                break;
            } else if (args[i].startsWith("events=")) {
                events = Long.parseLong(args[i].substring(7).replace("_", ""));
                eventsGiven = true;
            } else if (args[i].startsWith("users=")) {
                users = Integer.parseInt(args[i].substring(6).replace("_", ""));
            } else if (args[i].startsWith("pages=")) {
                pages = Integer.parseInt(args[i].substring(6).replace("_", ""));
            } else if (args[i].startsWith("only=")) {
                only = args[i].substring(5);
                if (!List.of("drain", "archive", "dedup", "freshness", "fresh-alo", "fresh-eo", "keys", "stats", "stats-parts").contains(only)) {
                    throw new IllegalArgumentException("unknown only=" + only + "; use only=drain|archive|dedup|freshness|fresh-alo|fresh-eo|keys|stats|stats-parts");
                }
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i] + "; use events=N users=N pages=N only=drain|archive|dedup|freshness|fresh-alo|fresh-eo|keys|stats|stats-parts -- <job flags>");
            }
        }
        Path workDir = Files.createTempDirectory(Path.of("target"), "bench-job-").toAbsolutePath();
        try (LocalStack stack = LocalStack.start(workDir, 0, 0, RedisServer.Persistence.NONE)) {
            JobBenchmark bench = new JobBenchmark(stack, workDir, extra, users, pages);
            bench.createOffsetsTopic();
            out("machine: %d cores, %d MiB max heap for this JVM; Kafka and Redis on the same machine",
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
            if (only.isEmpty() || only.equals("drain")) {
                String topic = bench.prefill(events, false);
                // the JIT compilers of this JVM and of the broker need a few million views to settle
                out("drain   %-8s warm-up: %,.0f views/s (p=2 exactly-once; not reported)", topic,
                        bench.drain(topic, events, 2, "exactly-once", List.of()));
                bench.drain(topic, events, 1, "exactly-once");
                bench.drain(topic, events, 2, "exactly-once");
                bench.drain(topic, events, 2, "at-least-once");
                String hot = bench.prefill(events, true);
                bench.drain(hot, events, 2, "exactly-once");
            }
            if (only.isEmpty() || only.equals("archive")) {
                bench.archiveCost(events);
            }
            if (only.isEmpty() || only.equals("dedup")) {
                bench.dedupCost(events);
            }
            if (only.isEmpty() || only.equals("stats")) {
                bench.statsCost(events);
            }
            if (only.equals("stats-parts")) {
                bench.statsParts(events);
            }
            if (only.equals("keys")) {
                bench.keysCost(eventsGiven ? events : KEY_EVENTS);
            }
            if (only.equals("fresh-eo")) {
                // the default delivery and settings, at a site's rate and at a load test's
                bench.freshness("exactly-once", 600, Duration.ofSeconds(30));
                bench.freshness("exactly-once", 20_000, Duration.ofSeconds(30));
            } else if (only.equals("fresh-alo")) {
                bench.freshness("at-least-once", 20_000, Duration.ofSeconds(30), LOWEST_LATENCY);
            } else if (only.isEmpty() || only.equals("freshness")) {
                bench.freshness("at-least-once", 20_000, Duration.ofSeconds(30), LOWEST_LATENCY);
                bench.freshness("at-least-once", 20_000, Duration.ofSeconds(30), "--out-of-orderness", "0ms");
                bench.freshness("exactly-once", 20_000, Duration.ofSeconds(30), "--out-of-orderness", "0ms", "--watermark-interval", "50ms",
                        "--idle-timeout", "500ms", "--checkpoint-interval", "1s");
                bench.freshness("exactly-once", 20_000, Duration.ofSeconds(30));
            }
        }
    }

    /**
     * A new broker creates its internal {@code __consumer_offsets} topic at the first offset commit, which
     * stalls it for about 1.5 s; a broker in service has long had it. Commit once up front so that the
     * one-time stall does not land inside a measurement.
     */
    private void createOffsetsTopic() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-warm-up");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition partition = new TopicPartition(LocalStack.DLQ_TOPIC, 0);
            consumer.assign(List.of(partition));
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(0)), Duration.ofSeconds(60));
        }
    }

    /** Fills a new topic with {@code events} views stamped in 2024; returns its name. */
    private String prefill(long events, boolean hotPage) throws Exception {
        return prefill(events, hotPage, 1_730_000_000L);
    }

    /** Fills a new topic with {@code events} views, 20,000 per second of event time from {@code eventTime}. */
    private String prefill(long events, boolean hotPage, long eventTime) throws Exception {
        String topic = "bench-" + (++runs);
        stack.kafka().createTopic(topic, LocalStack.VIEWS_PARTITIONS);
        ZipfPages pages = new ZipfPages(this.pages, 1.0);
        SplittableRandom random = new SplittableRandom(42);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (long i = 0; i < events; i++) {
                long second = eventTime + i / 20_000; // 20,000 views per second of event time
                long timestamp = random.nextInt(100) < 5 ? second - random.nextInt(6) : second;
                String page = hotPage && random.nextInt(100) < 60 ? "/" : pages.next(random);
                String user = "u" + random.nextInt(users);
                PageView view = new PageView(user, page, timestamp, Long.toString(i), timestamp * 1000);
                producer.send(new ProducerRecord<>(topic, user.getBytes(StandardCharsets.UTF_8), PageViewCodec.encode(view)), LOST_IN_PREFILL);
            }
            producer.flush();
        }
        checkDelivered(topic);
        double seconds = (System.nanoTime() - start) / 1e9;
        out("prefill %-8s %,d views (%s, users uniform over %,d) in %.1f s (%,.0f/s produced)", topic, events,
                hotPage ? "60 % on one page, the rest Zipf" : String.format(Locale.ROOT, "Zipf s=1 over %,d pages, top page %.1f %%", this.pages, pages.topShare() * 100),
                users, seconds, events / seconds);
        return topic;
    }

    /**
     * Drains one Zipf topic with the archive off, then on in each format, to local files (p = 2, exactly once), in
     * interleaved rounds, and compares the median rates. Two warm-up drains (archive off, then both formats) get
     * the JIT compiler through every path first; single drains still vary by 15 % or more.
     */
    private void archiveCost(long events) throws Exception {
        String topic = prefill(events, false);
        for (String formats : List.of("off", "json,parquet")) {
            out("archive %-8s warm-up: %,.0f views/s (archive %s; not compared)", topic,
                    drain(topic, events, 2, "exactly-once", archiveFlags(formats)), formats);
        }
        List<String> settings = List.of("off", "json", "parquet", "json,parquet");
        Map<String, List<Double>> rates = new java.util.LinkedHashMap<>();
        for (int round = 1; round <= ARCHIVE_ROUNDS; round++) {
            for (String formats : settings) {
                double rate = drain(topic, events, 2, "exactly-once", archiveFlags(formats));
                rates.computeIfAbsent(formats, f -> new ArrayList<>()).add(rate);
                out("archive %-8s p=2 exactly-once archive %-12s round %d: %,.0f views/s", topic, formats, round, rate);
            }
        }
        double off = median(rates.get("off"));
        for (String formats : settings) {
            double rate = median(rates.get(formats));
            out("archive %-8s p=2 exactly-once archive %-12s median %,.0f views/s, %+.1f %% against archive off",
                    topic, formats, rate, (rate / off - 1) * 100);
        }
    }

    /**
     * Drains one Zipf topic with the read side's writes on and off (p = 2, exactly once) in interleaved rounds after a
     * warm-up of each, and compares the median rates. The views are stamped with the hours before now, so that every
     * bucket is within its retention and written; after each drain with stats on, the day buckets' site totals must
     * add up to the views drained.
     */
    private void statsCost(long events) throws Exception {
        compareDrains("stats", events, List.of(
                new Variant("--stats true", true, UnaryOperator.identity()),
                new Variant("--stats false", false, UnaryOperator.identity())));
    }

    /**
     * What each part of the read side's work costs a drain ({@code only=stats-parts}, not in the default run): the
     * topic of {@link #statsCost} drained with {@code --stats false}; with the shuffle by user that {@code --stats}
     * adds (a keyBy on the user's bucket and an operator passing views on); with that shuffle and the first-visits
     * stage (the visits remembered, the flags set, and the sink ignoring them); and with {@code --stats true}.
     */
    private void statsParts(long events) throws Exception {
        JobConfig defaults = JobConfig.parse(new String[0], Map.of());
        compareDrains("parts", events, List.of(
                new Variant("--stats false", false, UnaryOperator.identity()),
                new Variant("--stats false + shuffle by user", false, views -> views.keyBy(new VisitorBucket(), Types.INT)
                        .map(view -> view, CountedViewSerializer.TYPE).name("pass on")),
                new Variant("--stats false + shuffle + first visits", false, views -> views.keyBy(new VisitorBucket(), Types.INT)
                        .transform("first visits of the day", CountedViewSerializer.TYPE, new FirstVisits(
                                new ReportingTime(defaults.timeZone()), defaults.visitorWindow(), defaults.visitorMaxPerBucket()))),
                new Variant("--stats true", true, UnaryOperator.identity())));
    }

    /** A way to drain in {@link #compareDrains}: with {@code --stats} on or off, and a stage before the Redis sink. */
    private record Variant(String label, boolean stats, UnaryOperator<DataStream<CountedView>> beforeSink) {}

    /**
     * Drains one Zipf topic stamped with the last minutes (p = 2, exactly once) each way of {@code variants}, in
     * interleaved rounds after a warm-up of each, and prints each way's median rate against that of
     * {@code --stats false}. After each drain with stats on in a round, the day buckets' site totals must add up to
     * the views drained.
     */
    private void compareDrains(String name, long events, List<Variant> variants) throws Exception {
        long eventSeconds = events / 20_000 + 1;
        String topic = prefill(events, false, System.currentTimeMillis() / 1000 - eventSeconds - 60);
        Map<String, List<Double>> rates = new java.util.LinkedHashMap<>();
        for (int round = 0; round <= STATS_ROUNDS; round++) {
            for (Variant variant : variants) {
                beforeSink = variant.beforeSink();
                double rate;
                try {
                    rate = drain(topic, events, 2, "exactly-once", List.of("--stats", Boolean.toString(variant.stats())));
                } finally {
                    beforeSink = UnaryOperator.identity();
                }
                if (round == 0) {
                    out("%-7s %-8s warm-up: %,.0f views/s (%s; not compared)", name, topic, rate, variant.label());
                    continue;
                }
                if (variant.stats()) {
                    checkDayTotals("drain_" + runs, events);
                }
                rates.computeIfAbsent(variant.label(), v -> new ArrayList<>()).add(rate);
                out("%-7s %-8s p=2 exactly-once %s round %d: %,.0f views/s", name, topic, variant.label(), round, rate);
            }
        }
        double off = median(rates.get("--stats false"));
        for (Map.Entry<String, List<Double>> variant : rates.entrySet()) {
            double rate = median(variant.getValue());
            out("%-7s %-8s p=2 exactly-once %s median %,.0f views/s, %+.1f %% against --stats false", name, topic,
                    variant.getKey(), rate, (rate / off - 1) * 100);
        }
    }

    /** The site totals of the day buckets of {@code key} must add up to {@code views}. */
    private void checkDayTotals(String key, long views) {
        try (Jedis jedis = stack.redis().client()) {
            long sum = 0;
            for (String day : jedis.keys("{" + key + "}:d:*")) {
                Double total = jedis.zscore(day, "(total)");
                sum += total == null ? 0 : total.longValue();
            }
            if (sum != views) {
                throw new IllegalStateException("the day buckets of " + key + " hold " + sum + " views, expected " + views);
            }
        }
    }

    /**
     * Drains one topic of views that all carry a client's event id, 10 % of them copies of a view sent up to 2 s
     * earlier, with dedup on ({@code --dedup-window 24h}: the exact total is the number of distinct ids) and off
     * ({@code 0}: every copy counts), in interleaved rounds after a warm-up (p = 2, exactly once, hashmap state), and
     * compares the median rates. From the same drains: the dedup operator's state in the job's last checkpoint per
     * remembered id, and the heap used after GC with and without the ids; then one drain with dedup on and RocksDB
     * for its checkpointed state per id. Last, what those sizes come to for a 24 h window at a few rates.
     */
    private void dedupCost(long events) throws Exception {
        IdTopic topic = prefillWithClientIds(events);
        List<String> on = List.of("--dedup-window", "24h");
        List<String> off = List.of("--dedup-window", "0");
        Drain warmUp = drain(topic.name(), events, topic.distinct(), 2, "exactly-once", on, false);
        deleteCheckpoints(warmUp.job());
        out("dedup   %-8s warm-up: %,.0f views/s (dedup on; not compared)", topic.name(), warmUp.rate());
        Map<String, List<Double>> rates = new java.util.LinkedHashMap<>();
        Map<String, List<Double>> cpu = new java.util.LinkedHashMap<>();
        List<Long> stateBytes = new ArrayList<>();
        List<Long> heapOn = new ArrayList<>();
        List<Long> heapOff = new ArrayList<>();
        for (int round = 1; round <= DEDUP_ROUNDS; round++) {
            for (String setting : List.of("24h", "off")) {
                boolean dedup = setting.equals("24h");
                Drain run = drain(topic.name(), events, dedup ? topic.distinct() : events, 2, "exactly-once", dedup ? on : off, true);
                rates.computeIfAbsent(setting, f -> new ArrayList<>()).add(run.rate());
                cpu.computeIfAbsent(setting, f -> new ArrayList<>()).add(run.cpuMicrosPerView());
                (dedup ? heapOn : heapOff).add(run.heapAfterGc());
                String state = "";
                if (dedup) {
                    long bytes = dedupStateSize(run.job()).stateSize();
                    stateBytes.add(bytes);
                    state = String.format(Locale.ROOT, "; dedup state in the last checkpoint %,d bytes", bytes);
                }
                deleteCheckpoints(run.job());
                out("dedup   %-8s p=2 exactly-once dedup %-4s round %d: %,.0f views/s, %.2f µs CPU per view, %,d counted; "
                                + "heap used after GC %,d MiB%s", topic.name(), setting, round, run.rate(), run.cpuMicrosPerView(),
                        dedup ? topic.distinct() : events, run.heapAfterGc() >> 20, state);
            }
        }
        double offRate = median(rates.get("off"));
        double offCpu = median(cpu.get("off"));
        for (String setting : List.of("24h", "off")) {
            double rate = median(rates.get(setting));
            double cpuPerView = median(cpu.get(setting));
            out("dedup   %-8s p=2 exactly-once dedup %-4s median %,.0f views/s, %+.1f %% against dedup off; CPU of this JVM %.2f µs "
                            + "per view, %+.1f %% (%,d views, 10 %% repeated ids)",
                    topic.name(), setting, rate, (rate / offRate - 1) * 100, cpuPerView, (cpuPerView / offCpu - 1) * 100, events);
        }

        double hashmapPerId = medianLong(stateBytes) / (double) topic.distinct();
        out("dedup   state    hashmap: the dedup operator's state in the last checkpoint, median of %d drains: %,.0f bytes "
                + "for %,d ids = %.1f bytes per id", stateBytes.size(), medianLong(stateBytes), topic.distinct(), hashmapPerId);
        double heapPerId = (medianLong(heapOn) - medianLong(heapOff)) / topic.distinct();
        out("dedup   state    hashmap: heap used after a full GC once drained, median of %d drains each: %,d MiB with the ids "
                        + "in state, %,d MiB with dedup off = %.0f bytes of heap per id (the whole JVM; rough)",
                heapOn.size(), (long) medianLong(heapOn) >> 20, (long) medianLong(heapOff) >> 20, heapPerId);

        List<String> rocksDb = List.of("--dedup-window", "24h", "--state-backend", "rocksdb");
        Drain rocks = drain(topic.name(), events, topic.distinct(), 2, "exactly-once", rocksDb, false);
        StateSize rocksState = dedupStateSize(rocks.job());
        deleteCheckpoints(rocks.job());
        double rocksPerId = rocksState.stateSize() / (double) topic.distinct();
        out("dedup   state    rocksdb (incremental checkpoints): %,.0f views/s (one drain; not compared); the dedup operator's "
                        + "state in the last checkpoint %,d bytes (%,d of them uploaded by that checkpoint) for %,d ids = %.1f bytes per id",
                rocks.rate(), rocksState.stateSize(), rocksState.checkpointedSize(), topic.distinct(), rocksPerId);

        for (long idsPerSecond : List.of(1_000L, 10_000L, 50_000L)) {
            long ids = idsPerSecond * 86_400;
            out("dedup   sizing   24 h window at %,d new ids/s = %,d ids remembered: hashmap %s per full checkpoint and %s of heap; "
                            + "rocksdb %s of state (before expired ids are compacted away)",
                    idsPerSecond, ids, bytes(ids * hashmapPerId), bytes(ids * heapPerId), bytes(ids * rocksPerId));
        }
    }

    /**
     * What a view costs when its keys are chosen to collide, against random keys of the same shape: page URLs with one
     * {@code String.hashCode} (the keyed window state and its timers on the heap) and event ids with one
     * {@code DedupKey.spread()} (the dedup table), each drained (p = 2, exactly once, hashmap state) in interleaved
     * rounds after a warm-up; views/s and this JVM's CPU per view, medians. Then Redis's Lua interning of a commit's
     * arguments, random against colliding.
     */
    private void keysCost(long events) throws Exception {
        SplittableRandom random = new SplittableRandom(29);
        String[] colliding = AdversarialKeys.collidingPages(PAGE_BLOCKS);
        if (colliding[0].hashCode() != colliding[colliding.length - 1].hashCode()) {
            throw new IllegalStateException("the colliding pages do not collide");
        }
        Map<String, String> topics = new java.util.LinkedHashMap<>();
        topics.put("pages random", prefillKeys(events, AdversarialKeys.randomPages(PAGE_BLOCKS, random), IdKind.NONE));
        topics.put("pages colliding", prefillKeys(events, colliding, IdKind.NONE));
        topics.put("ids random UUIDs", prefillKeys(events, null, IdKind.RANDOM_UUID));
        topics.put("ids colliding UUIDs", prefillKeys(events, null, IdKind.COLLIDING_UUID));
        topics.put("ids colliding text", prefillKeys(events, null, IdKind.COLLIDING_TEXT));
        List<String> flags = List.of("--dedup-window", "24h");
        Drain warmUp = drain(topics.get("pages random"), events, events, 2, "exactly-once", flags, false);
        deleteCheckpoints(warmUp.job());
        out("keys    warm-up: %,.0f views/s (random pages; not compared)", warmUp.rate());
        Map<String, List<Double>> rates = new java.util.LinkedHashMap<>();
        Map<String, List<Double>> cpu = new java.util.LinkedHashMap<>();
        for (int round = 1; round <= KEY_ROUNDS; round++) {
            for (Map.Entry<String, String> mode : topics.entrySet()) {
                Drain run = drain(mode.getValue(), events, events, 2, "exactly-once", flags, false);
                deleteCheckpoints(run.job());
                rates.computeIfAbsent(mode.getKey(), m -> new ArrayList<>()).add(run.rate());
                cpu.computeIfAbsent(mode.getKey(), m -> new ArrayList<>()).add(run.cpuMicrosPerView());
                out("keys    %-20s round %d: %,.0f views/s, %.2f µs CPU per view", mode.getKey(), round, run.rate(), run.cpuMicrosPerView());
            }
        }
        for (String mode : topics.keySet()) {
            String base = mode.startsWith("pages") ? "pages random" : "ids random UUIDs";
            out("keys    %-20s median %,.0f views/s, %.2f µs CPU per view (%.2f× the CPU of %s; %,d views, p=2 exactly-once, hashmap)",
                    mode, median(rates.get(mode)), median(cpu.get(mode)), median(cpu.get(mode)) / median(cpu.get(base)), base, events);
        }
        luaInterning(random);
    }

    private enum IdKind { NONE, RANDOM_UUID, COLLIDING_UUID, COLLIDING_TEXT }

    /**
     * Fills a new topic with {@code events} distinct views at 20,000 per second of event time: pages drawn uniformly from
     * {@code pages} (or Zipf pages when null), and event ids of {@code ids} kind, marked as the client's, each once.
     */
    private String prefillKeys(long events, String[] pages, IdKind ids) throws Exception {
        String topic = "bench-" + (++runs);
        stack.kafka().createTopic(topic, LocalStack.VIEWS_PARTITIONS);
        ZipfPages zipf = new ZipfPages(100_000, 1.0);
        SplittableRandom random = new SplittableRandom(runs);
        long eventTime = 1_730_000_000L;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (long i = 0; i < events; i++) {
                long second = eventTime + i / 20_000;
                String page = pages != null ? pages[random.nextInt(pages.length)] : zipf.next(random);
                String user = "u" + random.nextInt(1_000_000);
                String id = switch (ids) {
                    case NONE -> Long.toString(i);
                    case RANDOM_UUID -> new UUID(random.nextLong(), random.nextLong()).toString();
                    case COLLIDING_UUID -> AdversarialKeys.collidingUuid(random);
                    case COLLIDING_TEXT -> AdversarialKeys.collidingTextId(i, 20);
                };
                PageView view = new PageView(user, page, second, id, second * 1000, ids != IdKind.NONE);
                producer.send(new ProducerRecord<>(topic, user.getBytes(StandardCharsets.UTF_8), PageViewCodec.encode(view)), LOST_IN_PREFILL);
            }
            producer.flush();
        }
        checkDelivered(topic);
        out("prefill %-8s %,d views: %s, %s", topic, events,
                pages == null ? "Zipf pages" : String.format(Locale.ROOT, "pages from %,d like %s", pages.length, pages[1]),
                ids == IdKind.NONE ? "no client ids" : "each with a client id, " + ids.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        return topic;
    }

    /**
     * Redis's Lua turns each argument of a script call into an interned string. Times {@code EVAL "return #ARGV"} with
     * random arguments against arguments that collide: 8,000 of 1,024 bytes alike at the characters Lua 5.1 as released
     * samples, and 2,000 of 512 bytes (a commit's most fields, at the longest page key) alike in the low 16 bits of
     * the hash Redis's Lua computes over every character (one bucket of its string table). Median of 7 calls each.
     */
    private void luaInterning(SplittableRandom random) {
        Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        cases.put("8,000 × 1,024 B random", AdversarialKeys.randomStrings(8_000, 1_024, random));
        cases.put("8,000 × 1,024 B alike where Lua 5.1 samples", AdversarialKeys.luaSampledCollisions(8_000, 1_024, random));
        cases.put("2,000 × 512 B random", AdversarialKeys.randomStrings(2_000, 512, random));
        cases.put("2,000 × 512 B one Lua hash bucket", AdversarialKeys.luaBucketCollisions(2_000, 512, 16, random));
        try (Jedis jedis = stack.redis().client()) {
            out("lua     %s", jedis.info("server").lines().filter(l -> l.startsWith("redis_version")).findFirst().orElse("?"));
            for (Map.Entry<String, String[]> c : cases.entrySet()) {
                List<Double> millis = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    long start = System.nanoTime();
                    Object n = jedis.eval("return #ARGV", 0, c.getValue());
                    if (i > 0) { // the first call also compiles the script
                        millis.add((System.nanoTime() - start) / 1e6);
                    }
                    if (((Long) n) != c.getValue().length) {
                        throw new IllegalStateException("the script saw " + n + " arguments");
                    }
                }
                out("lua     EVAL \"return #ARGV\" with %-45s median %.1f ms (min %.1f, max %.1f)", c.getKey(), median(millis),
                        millis.stream().mapToDouble(Double::doubleValue).min().orElse(0),
                        millis.stream().mapToDouble(Double::doubleValue).max().orElse(0));
            }
        }
    }

    /** A topic of views with client event ids: how many views, how many distinct ids among them. */
    private record IdTopic(String name, long views, long distinct) {}

    /**
     * Fills a new topic with {@code events} views as the edge stores a view whose client sent an id: UUID-like ids of 36
     * characters, marked as the client's. One view in ten is a copy of a view sent up to {@value #RECENT_IDS} views
     * (2 s of event time) earlier: the same user, page, timestamp and id, received later, as a client's retry would be.
     */
    private IdTopic prefillWithClientIds(long events) throws Exception {
        String topic = "bench-" + (++runs);
        stack.kafka().createTopic(topic, LocalStack.VIEWS_PARTITIONS);
        ZipfPages pages = new ZipfPages(100_000, 1.0);
        SplittableRandom random = new SplittableRandom(42);
        PageView[] recent = new PageView[RECENT_IDS];
        long distinct = 0;
        long start = System.nanoTime();
        long eventTime = 1_730_000_000L;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (long i = 0; i < events; i++) {
                long second = eventTime + i / 20_000; // 20,000 views per second of event time
                PageView view;
                if (distinct > 0 && random.nextInt(100) < 10) {
                    PageView first = recent[(int) ((distinct - 1 - random.nextLong(Math.min(distinct, RECENT_IDS))) % RECENT_IDS)];
                    view = new PageView(first.userId(), first.pageUrl(), first.timestamp(), first.eventId(), second * 1000, true);
                } else {
                    long timestamp = random.nextInt(100) < 5 ? second - random.nextInt(6) : second;
                    String id = new UUID(random.nextLong(), random.nextLong()).toString();
                    view = new PageView("u" + random.nextInt(1_000_000), pages.next(random), timestamp, id, second * 1000, true);
                    recent[(int) (distinct++ % RECENT_IDS)] = view;
                }
                producer.send(new ProducerRecord<>(topic, view.userId().getBytes(StandardCharsets.UTF_8), PageViewCodec.encode(view)), LOST_IN_PREFILL);
            }
            producer.flush();
        }
        checkDelivered(topic);
        double seconds = (System.nanoTime() - start) / 1e9;
        out("prefill %-8s %,d views, each with a client event id: %,d distinct ids, %,d copies of an id sent up to 2 s earlier "
                + "(Zipf pages as above) in %.1f s (%,.0f/s produced)", topic, events, distinct, events - distinct, seconds, events / seconds);
        return new IdTopic(topic, events, distinct);
    }

    private record StateSize(long stateSize, long checkpointedSize) {}

    /** The dedup operator's state in the newest checkpoint {@code job} retained: its full size, and what that checkpoint uploaded. */
    private StateSize dedupStateSize(JobID job) throws Exception {
        Path checkpoint;
        try (var dirs = Files.list(workDir.resolve("checkpoints").resolve(job.toHexString()))) {
            checkpoint = dirs.filter(d -> d.getFileName().toString().startsWith("chk-") && Files.exists(d.resolve("_metadata")))
                    .max(Comparator.comparingLong(d -> Long.parseLong(d.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new IllegalStateException("job " + job + " retained no completed checkpoint"));
        }
        OperatorID dedup = new OperatorID(StreamGraphHasherV2.generateUserSpecifiedHash(CountOncePerEventId.UID));
        try (DataInputStream in = new DataInputStream(Files.newInputStream(checkpoint.resolve("_metadata")))) {
            CheckpointMetadata metadata = Checkpoints.loadCheckpointMetadata(in, getClass().getClassLoader(), checkpoint.toUri().toString());
            for (OperatorState operator : metadata.getOperatorStates()) {
                if (operator.getOperatorID().equals(dedup)) {
                    return new StateSize(operator.getStateSize(), operator.getCheckpointedSize());
                }
            }
        }
        throw new IllegalStateException(checkpoint + " holds no state of operator " + CountOncePerEventId.UID);
    }

    /** Deletes what a finished drain's job left in the checkpoint directory (with dedup state, a few hundred MB). */
    private void deleteCheckpoints(JobID job) throws Exception {
        Path dir = workDir.resolve("checkpoints").resolve(job.toHexString());
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** Waits until {@code job} has ended (its local cluster then shuts down). */
    private static void awaitTerminal(JobClient job) throws Exception {
        try {
            job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException cancelled) {
            // a cancelled job's result is its cancellation: expected
        }
    }

    /** CPU time used by this JVM so far (the job's tasks, and the producer when it runs), in nanoseconds. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Heap used right after a full GC, the least of three tries (a checkpoint in progress holds a little more). */
    private static long heapUsedAfterGc() throws InterruptedException {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            TimeUnit.MILLISECONDS.sleep(300);
        }
        return least;
    }

    private static double medianLong(List<Long> values) {
        return median(values.stream().map(Long::doubleValue).toList());
    }

    private static String bytes(double bytes) {
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.1f GB", bytes / 1e9) : String.format(Locale.ROOT, "%.0f MB", bytes / 1e6);
    }

    private List<String> archiveFlags(String formats) {
        if (formats.equals("off")) {
            return List.of();
        }
        Path archive = workDir.resolve("archive-" + (runs + 1));
        return List.of("--archive-path", archive.toUri().toString(), "--archive-format", formats, "--archive-roll-interval", "1m");
    }

    /** The flags a run had: its own and those given after {@code --}. */
    private String flagsOf(String... jobFlags) {
        List<String> all = new ArrayList<>(List.of(jobFlags));
        all.addAll(extraJobArgs);
        return all.isEmpty() ? "(defaults)" : String.join(" ", all);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private void drain(String topic, long events, int parallelism, String delivery) throws Exception {
        drain(topic, events, parallelism, delivery, List.of());
    }

    /** Runs the job from the start of {@code topic} until Redis holds all {@code events}; returns views/s. */
    private double drain(String topic, long events, int parallelism, String delivery, List<String> jobFlags) throws Exception {
        return drain(topic, events, events, parallelism, delivery, jobFlags, false).rate();
    }

    /** One drain: views/s, the job (for its retained checkpoint), and the heap used after GC once it was done (or -1). */
    private record Drain(double rate, double cpuMicrosPerView, JobID job, long heapAfterGc) {}

    /**
     * Runs the job from the start of {@code topic} ({@code views} records) until Redis holds exactly {@code expected}
     * counted views (fewer than {@code views} when copies of a client's view are dropped). The rate counts every view
     * drained. When {@code views != expected} the total is read again a few checkpoints later, so that copies counted
     * after the expected total was reached fail the run too. With {@code measureHeap}, the heap used after a full GC is
     * taken once the drain is done, while the job still holds its state.
     */
    private Drain drain(String topic, long views, long expected, int parallelism, String delivery, List<String> jobFlags,
            boolean measureHeap) throws Exception {
        String key = "drain_" + (++runs);
        Map<String, Long> before = commandStats();
        List<String> flags = new ArrayList<>(List.of("--starting-offsets", "earliest"));
        flags.addAll(jobFlags);
        JobClient job = startJob(topic, key, parallelism, delivery, flags);
        long started = System.nanoTime();
        long cpuStarted = processCpuNanos();
        long finished;
        long total = 0;
        long cpu;
        long heap = -1;
        try (Jedis jedis = stack.redis().client()) {
            long deadline = started + Duration.ofMinutes(10).toNanos();
            while (total < expected && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(100);
                total = (Long) jedis.eval(SUM_SCRIPT, 1, key);
            }
            finished = System.nanoTime();
            cpu = processCpuNanos() - cpuStarted;
            if (total == expected && views != expected) {
                TimeUnit.SECONDS.sleep(3); // a checkpoint or two more: any copy counted late shows up now
                total = (Long) jedis.eval(SUM_SCRIPT, 1, key);
            }
            if (measureHeap && total == expected) {
                heap = heapUsedAfterGc();
            }
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
            awaitTerminal(job); // its last checkpoint is then final, for dedupStateSize
        }
        if (total != expected) {
            throw new IllegalStateException("drain of " + topic + " ended with " + total + " views counted, expected " + expected
                    + (views != expected ? " (" + views + " views, copies of a client's view counted once)" : ""));
        }
        Map<String, Long> after = commandStats();
        long evals = after.getOrDefault("eval", 0L) - before.getOrDefault("eval", 0L);
        long hincrbys = after.getOrDefault("hincrby", 0L) - before.getOrDefault("hincrby", 0L);
        long clientCommands = delivery.equals("exactly-once") ? evals : hincrbys;
        // what Redis spent in the commit scripts by its commandstats, without this benchmark's polls of the total
        long redisMicros = after.getOrDefault("eval.usec", 0L) - before.getOrDefault("eval.usec", 0L)
                - (after.getOrDefault("hvals.usec", 0L) - before.getOrDefault("hvals.usec", 0L));
        double seconds = (finished - started) / 1e9;
        double cpuPerView = cpu / 1e3 / views;
        out("drain   %-8s p=%d %-13s %,d views%s exact in Redis after %.1f s (job start to last view visible): %,.0f views/s; "
                        + "Redis commands sent %.4f per view (%,d %s), HINCRBYs executed %.4f per view; CPU of this JVM %.2f µs per view, "
                        + "Redis in scripts %.2f µs per view",
                topic, parallelism, delivery, views, views == expected ? "" : String.format(Locale.ROOT, " (%,d counted)", expected),
                seconds, views / seconds, clientCommands / (double) views, clientCommands,
                delivery.equals("exactly-once") ? "EVAL" : "pipelined HINCRBY", hincrbys / (double) views, cpuPerView,
                redisMicros / (double) views);
        // where Redis's time went, by command (a script's calls are counted under their own names too)
        List<String> costliest = after.keySet().stream().filter(k -> k.endsWith(".usec") && !k.equals("eval.usec"))
                .sorted(java.util.Comparator.comparingLong((String k) -> before.getOrDefault(k, 0L) - after.get(k)))
                .limit(8).map(k -> String.format(Locale.ROOT, "%s %.2f", k.substring(0, k.length() - 5).toUpperCase(Locale.ROOT),
                        (after.get(k) - before.getOrDefault(k, 0L)) / (double) views)).toList();
        out("        Redis µs per view by command: %s", String.join(", ", costliest));
        return new Drain(views / seconds, cpuPerView, job.getJobID(), heap);
    }

    /**
     * A steady stream at {@code rate} views/s with real-time timestamps, plus a probe view every 100 ms on a
     * page of its own; reports how long each probe took from send to visible in Redis.
     */
    private void freshness(String delivery, int rate, Duration length, String... jobFlags) throws Exception {
        String topic = "fresh-" + (++runs);
        String key = "fresh_" + runs;
        stack.kafka().createTopic(topic, LocalStack.VIEWS_PARTITIONS);
        JobClient job = startJob(topic, key, 2, delivery, List.of(jobFlags));
        long jobStartedMillis = System.currentTimeMillis();
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Map<String, Long> sentWallMillis = new ConcurrentHashMap<>();
        List<Long> latencies = new ArrayList<>();
        List<Long> ackLatencies = new ArrayList<>();
        Map<String, Long> ackedMillis = new ConcurrentHashMap<>();
        List<String> slowest = new ArrayList<>();
        Thread poller = new Thread(() -> pollProbes(key, sentAt, latencies, sentWallMillis, ackedMillis, slowest, jobStartedMillis), "probe-poller");
        poller.start();
        ZipfPages pages = new ZipfPages(100_000, 1.0);
        SplittableRandom random = new SplittableRandom(7);
        int probes = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            TimeUnit.SECONDS.sleep(3); // let the job start reading
            long start = System.nanoTime();
            long sent = 0;
            long nextProbe = start + WARM_UP.toNanos(); // steady state: the first seconds pay for JIT compilation
            while (System.nanoTime() - start < WARM_UP.plus(length).toNanos()) {
                long now = System.nanoTime();
                long due = (now - start) * rate / 1_000_000_000L;
                for (; sent < due; sent++) {
                    String user = "u" + random.nextInt(1_000_000);
                    PageView view = new PageView(user, pages.next(random), System.currentTimeMillis() / 1000, null, -1);
                    producer.send(new ProducerRecord<>(topic, user.getBytes(StandardCharsets.UTF_8), PageViewCodec.encode(view)), LOST_IN_PREFILL);
                }
                if (now >= nextProbe) {
                    String page = "/probe/" + probes++;
                    PageView probe = new PageView("prober", page, System.currentTimeMillis() / 1000, null, -1);
                    long sentNanos = System.nanoTime();
                    sentAt.put(page, sentNanos);
                    sentWallMillis.put(page, System.currentTimeMillis());
                    producer.send(new ProducerRecord<>(topic, PageViewCodec.encode(probe)), (metadata, error) -> {
                        long ackMillis = (System.nanoTime() - sentNanos) / 1_000_000;
                        synchronized (ackLatencies) {
                            ackLatencies.add(ackMillis);
                        }
                        ackedMillis.put(page, ackMillis);
                    });
                    nextProbe += 100_000_000L;
                }
                TimeUnit.MILLISECONDS.sleep(1);
            }
            producer.flush();
        }
        checkDelivered(topic);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!sentAt.isEmpty() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
        poller.interrupt();
        poller.join();
        job.cancel().get(60, TimeUnit.SECONDS);
        List<Long> sorted;
        synchronized (latencies) {
            sorted = new ArrayList<>(latencies);
        }
        sorted.sort(Long::compare);
        List<Long> acks;
        synchronized (ackLatencies) {
            acks = new ArrayList<>(ackLatencies);
        }
        acks.sort(Long::compare);
        out("fresh   %-8s p=2 %-13s %,d views/s + %d probes (%d never seen): produce→visible p50 %,d ms, p99 %,d ms, max %,d ms "
                        + "(of which the Kafka ack: p50 %,d ms, p99 %,d ms, max %,d ms); flags %s",
                topic, delivery, rate, probes, sentAt.size(), percentile(sorted, 50), percentile(sorted, 99),
                sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1), percentile(acks, 50), percentile(acks, 99),
                acks.isEmpty() ? -1 : acks.get(acks.size() - 1), flagsOf(jobFlags));
        if (!slowest.isEmpty()) {
            out("        probes slower than 1.5 s (%d, the first 8): %s", slowest.size(), slowest.subList(0, Math.min(8, slowest.size())));
        }
    }

    private void pollProbes(String key, Map<String, Long> sentAt, List<Long> latencies, Map<String, Long> sentWall,
            Map<String, Long> ackedMillis, List<String> slow, long jobStartedMillis) {
        try (Jedis jedis = stack.redis().client()) {
            while (!Thread.currentThread().isInterrupted()) {
                List<String> pending = new ArrayList<>(sentAt.keySet());
                if (!pending.isEmpty()) {
                    Pipeline pipeline = jedis.pipelined();
                    List<Response<Boolean>> seen = new ArrayList<>();
                    for (String page : pending) {
                        seen.add(pipeline.hexists(key, page));
                    }
                    pipeline.sync();
                    long now = System.nanoTime();
                    for (int i = 0; i < pending.size(); i++) {
                        if (seen.get(i).get()) {
                            Long sent = sentAt.remove(pending.get(i));
                            long millis = (now - sent) / 1_000_000;
                            synchronized (latencies) {
                                latencies.add(millis);
                                if (millis > 1500) {
                                    long wall = sentWall.get(pending.get(i));
                                    slow.add(millis + " ms (sent " + (wall % 1000) + " ms into second " + (wall / 1000 % 100)
                                            + ", " + (wall - jobStartedMillis) + " ms after the job started, Kafka ack after "
                                            + ackedMillis.get(pending.get(i)) + " ms)");
                                }
                            }
                        }
                    }
                }
                TimeUnit.MILLISECONDS.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private JobClient startJob(String topic, String key, int parallelism, String delivery, List<String> flags) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "--kafka-bootstrap", stack.kafka().bootstrapServers(),
                "--topic", topic, "--dlq-topic", LocalStack.DLQ_TOPIC, "--group-id", "bench-" + key,
                "--redis", stack.redis().uri(), "--redis-key", key, "--delivery", delivery,
                "--parallelism", Integer.toString(parallelism),
                "--checkpoint-dir", workDir.resolve("checkpoints").toUri().toString()));
        args.addAll(flags);
        args.addAll(extraJobArgs);
        JobConfig config = JobConfig.parse(args.toArray(String[]::new), Map.of());
        Configuration flink = FlinkSettings.of(config);
        flink.set(RestOptions.BIND_PORT, "0");
        flink.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(128));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
        return env.executeAsync(PageViewsTopology.streamGraph(env, config, beforeSink));
    }

    private Map<String, Long> commandStats() {
        Map<String, Long> calls = new java.util.HashMap<>();
        try (Jedis jedis = stack.redis().client()) {
            for (String line : jedis.info("commandstats").split("\r?\n")) {
                if (line.startsWith("cmdstat_")) {
                    String name = line.substring(8, line.indexOf(':'));
                    String stats = line.substring(line.indexOf(':') + 1);
                    for (String part : stats.split(",")) {
                        if (part.startsWith("calls=")) {
                            calls.put(name, Long.parseLong(part.substring(6)));
                        } else if (part.startsWith("usec=")) {
                            calls.put(name + ".usec", Long.parseLong(part.substring(5)));
                        }
                    }
                }
            }
        }
        return calls;
    }

    private static long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return -1;
        }
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    /**
     * Counts the records a prefill's producer could not deliver: a benchmark that compares Redis with what it sent
     * must know that Kafka holds all of it (a starved broker can let a batch expire).
     */
    private static final java.util.concurrent.atomic.AtomicLong UNDELIVERED = new java.util.concurrent.atomic.AtomicLong();
    private static final org.apache.kafka.clients.producer.Callback LOST_IN_PREFILL = (metadata, error) -> {
        if (error != null) {
            UNDELIVERED.incrementAndGet();
        }
    };

    /** Throws when any record sent so far was not delivered. */
    private static void checkDelivered(String topic) {
        long undelivered = UNDELIVERED.get();
        if (undelivered > 0) {
            throw new IllegalStateException(undelivered + " records of the prefill (up to topic " + topic + ") were not "
                    + "delivered to Kafka; the figures would compare Redis with views Kafka never had");
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L << 20));
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static void out(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args)); // a benchmark main: its figures are its output
    }
}
