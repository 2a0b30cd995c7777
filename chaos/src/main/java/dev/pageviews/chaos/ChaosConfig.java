package dev.pageviews.chaos;

import dev.pageviews.settings.Setting;
import dev.pageviews.settings.Settings;
import dev.pageviews.settings.SettingsSchema;
import dev.pageviews.settings.ValueType;
import dev.pageviews.settings.Values;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Settings of a chaos run: how long the load runs, the seed of every random choice, the load's rate, and
 * the pause between faults.
 *
 * @param duration how long the load runs; it runs on until every kind of fault has happened once
 * @param seed seeds the fault schedule, the fault durations and the load
 * @param viewsPerSecond total rate of the load
 * @param minGap shortest pause between a fault's recovery and the next fault
 * @param maxGap longest such pause
 * @param kinds the kinds of fault to inject
 */
public record ChaosConfig(Duration duration, long seed, int viewsPerSecond, Duration minGap, Duration maxGap, Set<FaultKind> kinds) {

    private static final String ABOUT = String.join(" ",
            "Runs Kafka, Redis, the edge (its own JVM) and the Flink job (MiniCluster, 2 TaskManagers, exactly once,",
            "1 s checkpoints) on loopback under steady load, injects faults at random one at a time, then prints what",
            "was sent, answered and counted. Exits 1 if any view answered 2xx is not counted, or a view is counted twice.",
            "Every view carries an event_id of its own; one without a definite answer (timeout, reset, refused connection,",
            "503) is sent again with it, as a client does, up to 8 tries; 1% of the requests answered 2xx are sent once",
            "more (a reply taken as lost). The job must count each event_id once.",
            "Redis is a primary and a replica (AOF, fsync always) with a sentinel; the job waits for the replica to",
            "acknowledge each commit (--redis-wait-replicas 1).",
            "Faults: kill -9 of Kafka (restarted on its data), of the Redis primary (restarted from its AOF, or as a",
            "replica when the sentinel promoted the replica meanwhile), of the primary until the replica is promoted, and of",
            "the edge (restarted on its port); a TaskManager terminated and replaced (in-JVM MiniCluster, not a",
            "process kill); Redis maxmemory set tiny with noeviction; a counted field set to a non-integer; a right of",
            "the job's Redis user (its own, with the least rights) revoked and restored; one client flooding distinct",
            "URLs (the run prints how soon other pages' views are counted meanwhile).",
            "Data goes to a temp dir, removed at the end unless the run fails.");

    private static final SettingsSchema SCHEMA = new SettingsSchema("./pageviews chaos", "PAGEVIEWS_CHAOS_", ABOUT);
    private static final Setting<Double> MINUTES = SCHEMA.define("minutes").defaultValue("5")
            .doc("How long the load runs (decimals allowed); it runs on until every kind of fault has happened once.")
            .of(minutes());
    private static final Setting<String> SEED = SCHEMA.define("seed")
            .doc("Seed of the fault schedule and the load; unset: random, printed, so a run can be replayed.")
            .of(Values.checked(Values.text(), t -> {
                if (!t.isBlank()) {
                    Values.longIn(Long.MIN_VALUE, Long.MAX_VALUE).parse(t);
                }
            }));
    private static final Setting<Integer> RATE = SCHEMA.define("rate").defaultValue("600")
            .doc("Views per second, a quarter as single views, the rest in batches of 20; at most 5000: the load has 7 "
                    + "senders and this machine runs every service too.")
            .of(Values.intIn(50, 5_000));
    private static final Setting<String> FAULTS = SCHEMA.define("faults").defaultValue("all")
            .doc("Which faults: all, or some of kafka,redis,redis-failover,taskmanager,edge,redis-oom,redis-bad-field,redis-acl,url-flood.")
            .of(Values.checked(Values.nonEmptyText(), FaultKind::parseList));

    static String usage() {
        return SCHEMA.help();
    }

    public ChaosConfig {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("--faults names no fault; use all or some of kafka,redis,redis-failover,taskmanager,edge,"
                    + "redis-oom,redis-bad-field,redis-acl,url-flood");
        }
        kinds = Set.copyOf(EnumSet.copyOf(kinds));
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("--minutes must be more than 0 (got " + duration + ")");
        }
        if (viewsPerSecond < 50 || viewsPerSecond > 5_000) {
            throw new IllegalArgumentException("--rate must be between 50 and 5000 views per second (got " + viewsPerSecond
                    + "); the load has 7 senders and this machine runs every service too");
        }
    }

    /** Parses the command line; returns null when help was asked for. */
    static ChaosConfig parse(String[] args) {
        Settings settings = SCHEMA.parse(args, System.getenv());
        if (settings.helpRequested()) {
            return null;
        }
        String seed = settings.get(SEED).trim();
        return new ChaosConfig(Duration.ofMillis((long) (settings.get(MINUTES) * 60_000)),
                seed.isEmpty() ? ThreadLocalRandom.current().nextLong(1, 1_000_000) : Long.parseLong(seed), settings.get(RATE),
                Duration.ofSeconds(5), Duration.ofSeconds(20), FaultKind.parseList(settings.get(FAULTS)));
    }

    private static ValueType<Double> minutes() {
        return new ValueType<>() {
            @Override
            public Double parse(String text) {
                double minutes;
                try {
                    minutes = Double.parseDouble(text.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + text + "' is not a number of minutes, e.g. 5 or 0.5");
                }
                if (!(minutes > 0) || minutes > 24 * 60) {
                    throw new IllegalArgumentException("'" + text + "' must be more than 0 and at most 1440 (a day)");
                }
                return minutes;
            }

            @Override
            public String hint() {
                return "<minutes>";
            }
        };
    }
}
