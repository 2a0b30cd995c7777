package dev.pageviews.chaos;

import dev.pageviews.job.JobConfig;
import dev.pageviews.job.redis.RedisRights;
import dev.pageviews.stack.KafkaBroker;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.OrderedShutdown;
import dev.pageviews.stack.RedisSentinel;
import dev.pageviews.stack.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos run: starts Kafka and Redis (separate processes, Redis with an fsynced AOF), the edge (its own
 * JVM) and the job (MiniCluster here), puts steady load on the edge, injects faults one at a time with a pause
 * between them, measures how long each takes to recover, then stops the load, lets the counts settle and
 * compares them with what the edge answered. {@link #close()} stops everything it started.
 */
public final class ChaosRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosRun.class);
    static final String HASH_KEY = "page_views";
    /** The job's own Redis user, with the least rights it needs (RedisRights), as production runs it. */
    static final String JOB_USER = "pageviews-job";
    /** How long the sentinel waits before it takes a silent primary for failed and promotes the replica. */
    private static final Duration SENTINEL_DOWN_AFTER = Duration.ofSeconds(2);
    private static final String JOB_PASSWORD = "chaos-job-secret";
    /** Ordinary probes in a quiet stretch before the first fault: the freshness the flood is compared with. */
    private static final int QUIET_PROBES = 5;
    private static final String CHECKPOINT_INTERVAL = "1s";

    private final ChaosConfig config;
    private final Path workDir;
    private final String edgeClasspath;
    private final List<FaultKind> script;
    private final Ledger ledger = new Ledger();
    private final List<FaultWindow> faultWindows = new ArrayList<>();
    private KafkaBroker kafka;
    private RedisSentinel redis;
    private EdgeProcess edge;
    private JobCluster job;
    private OrderedShutdown.Action stopJobAtExit;
    private Load load;

    /**
     * @param workDir where the services keep their data; the caller removes it
     * @param edgeClasspath classpath of the edge's JVM (this JVM's own when run from the {@code pageviews} script)
     */
    public ChaosRun(ChaosConfig config, Path workDir, String edgeClasspath) {
        this(config, workDir, edgeClasspath, null);
    }

    /** With {@code script}, exactly these faults in this order (each after a random pause), then load until the end. */
    public ChaosRun(ChaosConfig config, Path workDir, String edgeClasspath, List<FaultKind> script) {
        this.config = config;
        this.workDir = workDir;
        this.edgeClasspath = edgeClasspath;
        this.script = script == null ? null : List.copyOf(script);
    }

    public ChaosResult run() throws Exception {
        Random random = new Random(config.seed());
        startPipeline();
        Probe probe = new Probe(new ViewSender(edge::port, ledger, ViewSender.Retries.NONE), redis::primary, HASH_KEY);
        Duration firstCount = probe.awaitCounted(System.nanoTime());
        if (firstCount == null) {
            throw new IllegalStateException("the pipeline counted no view within " + Probe.TIMEOUT.toSeconds() + " s of starting;"
                    + " see the logs under " + workDir);
        }
        LOG.info("Pipeline up: a view is counted {} after it is sent", FaultInjector.seconds(firstCount));
        boolean dayAheadRefused = probe.dayAheadRefused();

        load = new Load(edge::port, ledger, random.nextLong(), config.viewsPerSecond(), dayAheadRefused);
        long loadStart = System.nanoTime();
        load.start();
        List<Duration> quiet = new ArrayList<>();
        for (int i = 0; i < QUIET_PROBES; i++) {
            Duration counted = probe.awaitCounted(System.nanoTime());
            if (counted != null) {
                quiet.add(counted);
            }
        }
        FaultInjector injector = new FaultInjector(kafka, redis, edge, job, HASH_KEY, JOB_USER, ledger, probe, random);
        Map<FaultKind, ChaosResult.FaultStats> faults = injectFaults(injector, random, probe, loadStart);
        load.close();
        Duration loadDuration = Duration.ofNanos(System.nanoTime() - loadStart);
        LOG.info("Load stopped after {}; waiting for the counts to settle", FaultInjector.seconds(loadDuration));

        boolean settled = new Settling(kafka, redis::primary, HASH_KEY, JobConfig.parse(new String[0], Map.of()).groupId()).await();
        Map<String, Long> counts = Settling.counts(redis::primary, HASH_KEY);
        List<Ledger.Mismatch> mismatches = ledger.mismatches(counts);
        return new ChaosResult(config, loadDuration,
                ledger.total(Ledger.Tally::sent), ledger.total(Ledger.Tally::accepted), ledger.total(Ledger.Tally::rejected),
                ledger.total(Ledger.Tally::notDelivered), ledger.total(Ledger.Tally::unknown), ledger.unavailable(),
                ledger.retries(), ledger.acceptedOnRetry(), ledger.resentAfter2xx(),
                counts.values().stream().mapToLong(Long::longValue).sum(),
                mismatches.stream().mapToLong(Ledger.Mismatch::lost).sum(),
                mismatches.stream().mapToLong(Ledger.Mismatch::countedTwice).sum(),
                mismatches, faults, faultWindows, dayAheadRefused, settled,
                new Freshness(quiet, injector.freshnessDuringFlood()));
    }

    private void startPipeline() throws Exception {
        kafka = KafkaBroker.start(workDir.resolve("kafka"), 0);
        kafka.createTopics(Map.of(LocalStack.VIEWS_TOPIC, LocalStack.VIEWS_PARTITIONS, LocalStack.DLQ_TOPIC, 1));
        // a primary and a replica with fsynced AOFs, watched by a sentinel; ACLs are not replicated: the job's user is
        // created on each node
        redis = RedisSentinel.builder(workDir.resolve("redis"))
                .replicas(1).sentinels(1, 1).downAfter(SENTINEL_DOWN_AFTER)
                .persistence(RedisServer.Persistence.APPEND_ONLY)
                .user(RedisRights.aclSetUser(JOB_USER, HASH_KEY).replace(">PASSWORD", ">" + JOB_PASSWORD)
                        .substring("ACL SETUSER ".length()))
                .start();
        LOG.info("Redis: {}", redis.describe());
        edge = EdgeProcess.start(workDir.resolve("edge"), kafka.bootstrapServers(), edgeClasspath);
        LOG.info("Edge (its own JVM) ready on port {}", edge.port());
        job = JobCluster.start();
        stopJobAtExit = OrderedShutdown.register("flink", job::close); // Ctrl-C: the job stops before Kafka and Redis
        JobConfig jobConfig = JobConfig.parse(new String[] {
            "--kafka-bootstrap", kafka.bootstrapServers(),
            "--topic", LocalStack.VIEWS_TOPIC,
            "--dlq-topic", LocalStack.DLQ_TOPIC,
            "--redis", redis.uri(JOB_USER, JOB_PASSWORD),
            "--redis-wait-replicas", "1",
            "--redis-key", HASH_KEY,
            "--delivery", "exactly-once",
            "--checkpoint-interval", CHECKPOINT_INTERVAL,
            "--checkpoint-dir", workDir.resolve("flink/checkpoints").toUri().toString(),
            "--parallelism", "2"}, Map.of());
        job.submit(jobConfig);
        LOG.info("Job running: MiniCluster with 2 TaskManagers, exactly once, checkpoints every {}, restart backoff at most {}, "
                + "each event_id counted once within {}", CHECKPOINT_INTERVAL, FaultInjector.seconds(JobCluster.MAX_RESTART_BACKOFF),
                jobConfig.get(JobConfig.DEDUP_WINDOW));
    }

    /**
     * Faults one at a time, each after a random pause: the scripted ones if there is a script, else first one of
     * every kind in a shuffled order, then kinds at random, until the load's time is up (and every kind has
     * happened once).
     */
    private Map<FaultKind, ChaosResult.FaultStats> injectFaults(FaultInjector injector, Random random, Probe probe, long loadStart)
            throws Exception {
        List<FaultKind> kinds = new ArrayList<>(new java.util.TreeSet<>(config.kinds())); // enum order: a seed replays
        List<FaultKind> planned = new ArrayList<>(script != null ? script : kinds);
        if (script == null) {
            Collections.shuffle(planned, random);
        }
        Map<FaultKind, ChaosResult.FaultStats> stats = ChaosResult.noFaults();
        long loadEnd = loadStart + config.duration().toNanos();
        for (int n = 0; ; n++) {
            long gapMillis = config.minGap().toMillis()
                    + (long) (random.nextDouble() * (config.maxGap().toMillis() - config.minGap().toMillis()));
            boolean planDone = n >= planned.size();
            long left = (loadEnd - System.nanoTime()) / 1_000_000;
            if (planDone && script != null) {
                Thread.sleep(Math.max(left, gapMillis)); // load after the last fault too: views it must still count
                return stats;
            }
            if (planDone && left <= gapMillis) {
                Thread.sleep(Math.max(0, left));
                return stats;
            }
            Thread.sleep(gapMillis);
            FaultKind kind = !planDone ? planned.get(n) : kinds.get(random.nextInt(kinds.size()));
            LOG.info("Fault {}: {}", n + 1, kind.description());
            long startMillis = System.currentTimeMillis();
            String what = injector.inject(kind);
            long ended = System.nanoTime();
            Duration recovery = probe.awaitCounted(ended);
            faultWindows.add(new FaultWindow(n + 1, kind, startMillis, System.currentTimeMillis()));
            stats.put(kind, stats.get(kind).plus(recovery, Duration.ofMillis(System.currentTimeMillis() - startMillis)));
            LOG.info("Fault {} over: {}; {}", n + 1, what,
                    recovery == null ? "NOT recovered within " + Probe.TIMEOUT.toSeconds() + " s"
                            : "a new view was counted " + FaultInjector.seconds(recovery) + " later");
        }
    }

    @Override
    public void close() {
        if (load != null) {
            load.close();
        }
        if (job != null) {
            job.close();
            stopJobAtExit.cancel();
        }
        if (edge != null) {
            edge.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }
}
