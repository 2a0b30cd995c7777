package dev.pageviews.chaos;

import dev.pageviews.stack.KafkaBroker;
import dev.pageviews.stack.RedisSentinel;
import dev.pageviews.stack.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Injects one fault and returns once it is over (the service is back, or the bad setting undone). How long
 * each lasts is drawn from the run's seeded random, so a seed replays the same schedule.
 */
final class FaultInjector {

    private static final Logger LOG = LoggerFactory.getLogger(FaultInjector.class);

    private final KafkaBroker kafka;
    private final RedisSentinel redis;
    private final EdgeProcess edge;
    private final JobCluster job;
    private final RedisFaults redisFaults;
    private final Random random;
    private final String jobUser;
    private final Flood flood;
    private final Probe probe;
    private final List<Duration> freshnessDuringFlood = new ArrayList<>();

    /** The rights of the job's Redis user a {@link FaultKind#REDIS_ACL} fault takes away, one at a time. */
    static final List<String> REVOCABLE_RIGHTS = List.of("set", "hincrby", "hset", "hget", "eval", "info");
    /** The flood's rate: several times the load's, and far more distinct pages than a commit takes. */
    static final int FLOOD_VIEWS_PER_SECOND = 2_000;

    FaultInjector(KafkaBroker kafka, RedisSentinel redis, EdgeProcess edge, JobCluster job, String hashKey, String jobUser,
            Ledger ledger, Probe probe, Random random) {
        this.kafka = kafka;
        this.redis = redis;
        this.edge = edge;
        this.job = job;
        this.redisFaults = new RedisFaults(redis::primary, hashKey);
        this.random = random;
        this.jobUser = jobUser;
        this.flood = new Flood(edge::port, ledger, random);
        this.probe = probe;
    }

    /** How soon the probes of ordinary pages were counted while URL floods ran. */
    List<Duration> freshnessDuringFlood() {
        return List.copyOf(freshnessDuringFlood);
    }

    /** Injects {@code kind}; returns a line saying what was done. */
    String inject(FaultKind kind) throws Exception {
        switch (kind) {
            case KAFKA_KILL -> {
                Duration down = between(2_000, 8_000);
                kafka.kill();
                LOG.info("Kafka killed (kill -9); down for {}", seconds(down));
                Thread.sleep(down.toMillis());
                kafka.restart();
                return "Kafka down " + seconds(down) + ", restarted on its data";
            }
            case REDIS_KILL -> {
                Duration down = between(1_000, 5_000);
                RedisServer killed = redis.killPrimary();
                LOG.info("Redis primary killed (kill -9); down for {}", seconds(down));
                Thread.sleep(down.toMillis());
                if (redis.primary() == killed) {
                    killed.restart(); // not failed over yet: back as the primary, from its AOF
                    return "Redis primary down " + seconds(down) + ", restarted from its AOF as the primary";
                }
                redis.restart(killed); // the sentinels promoted the replica meanwhile
                return "Redis primary down " + seconds(down) + ", the replica promoted meanwhile; restarted as its replica";
            }
            case REDIS_FAILOVER -> {
                RedisServer killed = redis.killPrimary();
                long started = System.nanoTime();
                RedisServer promoted = redis.awaitPromotion(killed, Duration.ofSeconds(60));
                Duration promotion = Duration.ofNanos(System.nanoTime() - started);
                Duration down = between(1_000, 5_000);
                Thread.sleep(down.toMillis());
                redis.restart(killed);
                return "Redis primary killed (kill -9), replica " + promoted.port() + " promoted after " + seconds(promotion)
                        + ", the old primary back as its replica " + seconds(down) + " later";
            }
            case TASK_MANAGER_KILL -> {
                int index = job.killTaskManager(random);
                return "TaskManager " + index + " terminated (MiniCluster.terminateTaskManager), a new one started";
            }
            case EDGE_KILL -> {
                Duration down = between(500, 3_000);
                edge.kill();
                LOG.info("Edge killed (kill -9); down for {}", seconds(down));
                Thread.sleep(down.toMillis());
                edge.restart();
                return "edge down " + seconds(down) + ", restarted on port " + edge.port();
            }
            case REDIS_OOM -> {
                Duration length = between(3_000, 10_000);
                LOG.info("Redis maxmemory 1 byte, noeviction, for {}", seconds(length));
                redisFaults.outOfMemory(length);
                return "Redis refused writes (OOM) for " + seconds(length);
            }
            case REDIS_BAD_FIELD -> {
                Duration length = between(3_000, 10_000);
                LOG.info("Redis field {} set to '{}' for {}", Load.BAD_FIELD_PAGE, RedisFaults.BAD_VALUE, seconds(length));
                String recorded = redisFaults.badField(Load.BAD_FIELD_PAGE, length);
                return "field " + Load.BAD_FIELD_PAGE + " not an integer for " + seconds(length) + ", restored to " + recorded;
            }
            case REDIS_ACL -> {
                Duration length = between(3_000, 10_000);
                String right = REVOCABLE_RIGHTS.get(random.nextInt(REVOCABLE_RIGHTS.size()));
                LOG.info("Redis user {} loses {} for {}", jobUser, right, seconds(length));
                redisFaults.revoke(jobUser, right, length);
                return "the job's Redis user without " + right + " for " + seconds(length);
            }
            case URL_FLOOD -> {
                Duration length = between(10_000, 20_000);
                LOG.info("One client floods distinct URLs at {} views/s for {}", FLOOD_VIEWS_PER_SECOND, seconds(length));
                long[] sent = new long[1];
                Thread flooding = new Thread(() -> {
                    try {
                        sent[0] = flood.run(length, FLOOD_VIEWS_PER_SECOND);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "url-flood");
                flooding.start();
                List<Duration> samples = new ArrayList<>();
                while (flooding.isAlive()) {
                    Duration counted = probe.awaitCounted(System.nanoTime());
                    if (counted != null && flooding.isAlive()) {
                        samples.add(counted);
                    }
                }
                flooding.join();
                freshnessDuringFlood.addAll(samples);
                return String.format("%d views of distinct URLs in %s; meanwhile ordinary pages counted within %s (p50), "
                        + "%s (max) of %d probes", sent[0], seconds(length),
                        samples.isEmpty() ? "-" : seconds(Freshness.percentile(samples, 50)),
                        samples.isEmpty() ? "-" : seconds(Freshness.percentile(samples, 100)), samples.size());
            }
            default -> throw new IllegalArgumentException("no way to inject " + kind);
        }
    }

    private Duration between(int minMillis, int maxMillis) {
        return Duration.ofMillis(minMillis + random.nextInt(maxMillis - minMillis + 1));
    }

    static String seconds(Duration duration) {
        return String.format("%.1f s", duration.toMillis() / 1000.0);
    }
}
