package dev.pageviews.job.bench;

import dev.pageviews.event.PageView;
import dev.pageviews.event.PageViewCodec;
import dev.pageviews.job.JobConfig;
import dev.pageviews.job.PageViewsJob;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
 * </ol>
 * Arguments: {@code events=N} (default 3,000,000), {@code only=drain|archive|freshness|fresh-alo}, extra job flags
 * after {@code --}.
 */
public final class JobBenchmark {

    private static final Duration WARM_UP = Duration.ofSeconds(10);
    private static final int ARCHIVE_ROUNDS = 3;
    /** Watermark settings for the lowest latency: no out-of-orderness allowance, frequent watermarks, quick idleness. */
    private static final String[] LOWEST_LATENCY = {"--out-of-orderness", "0ms", "--watermark-interval", "50ms", "--idle-timeout", "500ms"};
    private static final String SUM_SCRIPT =
            "local s = 0 for _, v in ipairs(redis.call('HVALS', KEYS[1])) do s = s + tonumber(v) end return s";

    private final LocalStack stack;
    private final Path workDir;
    private final List<String> extraJobArgs;
    private int runs;

    private JobBenchmark(LocalStack stack, Path workDir, List<String> extraJobArgs) {
        this.stack = stack;
        this.workDir = workDir;
        this.extraJobArgs = extraJobArgs;
    }

    public static void main(String[] args) throws Exception {
        long events = 3_000_000;
        String only = "";
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                extra.addAll(Arrays.asList(args).subList(i + 1, args.length));
                break;
            } else if (args[i].startsWith("events=")) {
                events = Long.parseLong(args[i].substring(7).replace("_", ""));
            } else if (args[i].startsWith("only=")) {
                only = args[i].substring(5);
                if (!List.of("drain", "archive", "freshness", "fresh-alo").contains(only)) {
                    throw new IllegalArgumentException("unknown only=" + only + "; use only=drain|archive|freshness|fresh-alo");
                }
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i] + "; use events=N only=drain|archive|freshness|fresh-alo -- <job flags>");
            }
        }
        Path workDir = Files.createTempDirectory(Path.of("target"), "bench-job-").toAbsolutePath();
        try (LocalStack stack = LocalStack.start(workDir, 0, 0, RedisServer.Persistence.NONE)) {
            JobBenchmark bench = new JobBenchmark(stack, workDir, extra);
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
            if (only.equals("fresh-alo")) {
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

    /** Fills a new topic with {@code events} views; returns its name. */
    private String prefill(long events, boolean hotPage) throws Exception {
        String topic = "bench-" + (++runs);
        stack.kafka().createTopic(topic, LocalStack.VIEWS_PARTITIONS);
        ZipfPages pages = new ZipfPages(100_000, 1.0);
        SplittableRandom random = new SplittableRandom(42);
        long start = System.nanoTime();
        long eventTime = 1_730_000_000L;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (long i = 0; i < events; i++) {
                long second = eventTime + i / 20_000; // 20,000 views per second of event time
                long timestamp = random.nextInt(100) < 5 ? second - random.nextInt(6) : second;
                String page = hotPage && random.nextInt(100) < 60 ? "/" : pages.next(random);
                String user = "u" + random.nextInt(1_000_000);
                PageView view = new PageView(user, page, timestamp, Long.toString(i), timestamp * 1000);
                producer.send(new ProducerRecord<>(topic, user.getBytes(StandardCharsets.UTF_8), PageViewCodec.encode(view)));
            }
            producer.flush();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out("prefill %-8s %,d views (%s) in %.1f s (%,.0f/s produced)", topic, events,
                hotPage ? "60 % on one page, the rest Zipf" : String.format(Locale.ROOT, "Zipf s=1 over 100,000 pages, top page %.1f %%", pages.topShare() * 100),
                seconds, events / seconds);
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

    private List<String> archiveFlags(String formats) {
        if (formats.equals("off")) {
            return List.of();
        }
        Path archive = workDir.resolve("archive-" + (runs + 1));
        return List.of("--archive-path", archive.toUri().toString(), "--archive-format", formats, "--archive-roll-interval", "1m");
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
        String key = "drain_" + (++runs);
        Map<String, Long> before = commandStats();
        List<String> flags = new ArrayList<>(List.of("--starting-offsets", "earliest"));
        flags.addAll(jobFlags);
        JobClient job = startJob(topic, key, parallelism, delivery, flags);
        long started = System.nanoTime();
        long total = 0;
        try (Jedis jedis = stack.redis().client()) {
            long deadline = started + Duration.ofMinutes(10).toNanos();
            while (total < events && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(100);
                total = (Long) jedis.eval(SUM_SCRIPT, 1, key);
            }
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        long finished = System.nanoTime();
        if (total != events) {
            throw new IllegalStateException("drain of " + topic + " ended with " + total + " views counted, expected " + events);
        }
        Map<String, Long> after = commandStats();
        long evals = after.getOrDefault("eval", 0L) - before.getOrDefault("eval", 0L);
        long hincrbys = after.getOrDefault("hincrby", 0L) - before.getOrDefault("hincrby", 0L);
        long clientCommands = delivery.equals("exactly-once") ? evals : hincrbys;
        out("drain   %-8s p=%d %-13s %,d views exact in Redis after %.1f s (job start to last view visible): %,.0f views/s; "
                        + "Redis commands sent %.4f per view (%,d %s), HINCRBYs executed %.4f per view",
                topic, parallelism, delivery, events, (finished - started) / 1e9, events / ((finished - started) / 1e9),
                clientCommands / (double) events, clientCommands, delivery.equals("exactly-once") ? "EVAL" : "pipelined HINCRBY",
                hincrbys / (double) events);
        return events / ((finished - started) / 1e9);
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
                    producer.send(new ProducerRecord<>(topic, user.getBytes(StandardCharsets.UTF_8), PageViewCodec.encode(view)));
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
                acks.isEmpty() ? -1 : acks.get(acks.size() - 1), jobFlags.length == 0 ? "(defaults)" : String.join(" ", jobFlags));
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
        Configuration flink = PageViewsJob.flinkConfiguration(config);
        flink.set(RestOptions.BIND_PORT, "0");
        flink.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        flink.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.ofMebiBytes(128));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(flink);
        PageViewsJob.define(env, config);
        return env.executeAsync(PageViewsJob.JOB_NAME);
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
