package dev.pageviews.chaos;

import dev.pageviews.settings.Setting;
import dev.pageviews.settings.Settings;
import dev.pageviews.settings.SettingsSchema;
import dev.pageviews.settings.ValueType;
import dev.pageviews.settings.Values;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Settings of a chaos run: how long the load runs, the seed of every random choice, the load's rate and the kinds
 * of fault, as flags or {@code PAGEVIEWS_CHAOS_*} variables ({@link SettingsSchema}, the mechanism every program
 * here shares); and the pause between faults, fixed for a run from the command line, shorter in tests.
 *
 * <p>Instances are immutable; {@link #with} returns a changed copy, checked as the flag would be.
 */
public final class ChaosConfig {

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
    static final Setting<Double> MINUTES = SCHEMA.define("minutes").defaultValue("5")
            .doc("How long the load runs (decimals allowed); it runs on until every kind of fault has happened once.")
            .of(minutes());
    static final Setting<String> SEED = SCHEMA.define("seed")
            .doc("Seed of the fault schedule and the load; unset: random, printed, so a run can be replayed.")
            .of(Values.checked(Values.text(), t -> {
                if (!t.isBlank()) {
                    Values.longIn(Long.MIN_VALUE, Long.MAX_VALUE).parse(t);
                }
            }));
    static final Setting<Integer> RATE = SCHEMA.define("rate").defaultValue("600")
            .doc("Views per second, a quarter as single views, the rest in batches of 20; at most 5000: the load has 7 "
                    + "senders and this machine runs every service too.")
            .of(Values.intIn(50, 5_000));
    static final Setting<String> FAULTS = SCHEMA.define("faults").defaultValue("all")
            .doc("Which faults: all, or some of kafka,redis,redis-failover,taskmanager,edge,redis-oom,redis-bad-field,redis-acl,url-flood.")
            .of(Values.checked(Values.nonEmptyText(), FaultKind::parseList)); // refuses unknown names, and none at all

    /** Shortest pause between a fault's recovery and the next fault in a run from the command line. */
    static final Duration MIN_GAP = Duration.ofSeconds(5);
    /** Longest such pause. */
    static final Duration MAX_GAP = Duration.ofSeconds(20);

    private final Settings settings;
    private final Duration minGap;
    private final Duration maxGap;

    private ChaosConfig(Settings settings, Duration minGap, Duration maxGap) {
        this.settings = settings;
        this.minGap = minGap;
        this.maxGap = maxGap;
    }

    /**
     * From {@code args} over {@code env} over the defaults; throws {@link dev.pageviews.settings.SettingsException}
     * naming the flag. Without {@code --seed} a seed is drawn here, once, so the run prints it and a copy keeps it.
     */
    static ChaosConfig parse(String[] args, Map<String, String> env) {
        Settings settings = SCHEMA.parse(args, env);
        if (!settings.helpRequested() && settings.get(SEED).isBlank()) {
            settings = settings.with(SEED, Long.toString(ThreadLocalRandom.current().nextLong(1, 1_000_000)));
        }
        return new ChaosConfig(settings, MIN_GAP, MAX_GAP);
    }

    static String usage() {
        return SCHEMA.help();
    }

    /** Whether {@code args} ask for help, read without the environment: a bad variable does not hide the help. */
    static boolean asksForHelp(String[] args) {
        return SCHEMA.parse(args, Map.of()).helpRequested();
    }

    public boolean helpRequested() {
        return settings.helpRequested();
    }

    public <T> T get(Setting<T> setting) {
        return settings.get(setting);
    }

    /** A copy with {@code setting} changed; the value is checked as its flag would be. */
    public <T> ChaosConfig with(Setting<T> setting, T value) {
        return new ChaosConfig(settings.with(setting, value), minGap, maxGap);
    }

    /** A copy with other pauses between faults, for tests that cannot wait as long as a run from the command line. */
    ChaosConfig withGaps(Duration min, Duration max) {
        return new ChaosConfig(settings, min, max);
    }

    /** How long the load runs; it runs on until every kind of fault has happened once. */
    public Duration duration() {
        return duration(get(MINUTES));
    }

    /** Seeds the fault schedule, the fault durations and the load. */
    public long seed() {
        return Long.parseLong(get(SEED).trim());
    }

    /** Total rate of the load. */
    public int viewsPerSecond() {
        return get(RATE);
    }

    /** Shortest pause between a fault's recovery and the next fault. */
    public Duration minGap() {
        return minGap;
    }

    /** Longest such pause. */
    public Duration maxGap() {
        return maxGap;
    }

    /** The kinds of fault to inject. */
    public Set<FaultKind> kinds() {
        return Collections.unmodifiableSet(FaultKind.parseList(get(FAULTS)));
    }

    @Override
    public String toString() {
        return "ChaosConfig" + settings.shown() + ", gaps " + minGap + " to " + maxGap;
    }

    private static Duration duration(double minutes) {
        return Duration.ofMillis(Math.round(minutes * 60_000));
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
                if (duration(minutes).isZero()) {
                    throw new IllegalArgumentException("'" + text + "' is less than a millisecond; write e.g. 5 or 0.5");
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
