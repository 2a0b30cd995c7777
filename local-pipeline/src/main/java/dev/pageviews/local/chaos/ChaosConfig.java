package dev.pageviews.local.chaos;

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

    static final String USAGE = String.join("\n",
            "Usage: ./pageviews chaos [--minutes N] [--seed S] [--rate N] [--faults LIST]",
            "",
            "Runs Kafka, Redis, the edge (its own JVM) and the Flink job (MiniCluster, 2 TaskManagers, exactly once,",
            "1 s checkpoints) on loopback under steady load, injects faults at random one at a time, then prints what",
            "was sent, answered and counted. Exits 1 if any view answered 2xx is not counted, or a view is counted twice.",
            "Every view carries an event_id of its own; one without a definite answer (timeout, reset, refused connection,",
            "503) is sent again with it, as a client does, up to 8 tries; 1% of the requests answered 2xx are sent once",
            "more (a reply taken as lost). The job must count each event_id once.",
            "",
            "  --minutes N   how long the load runs (decimals allowed; default 5); it runs on until every kind of",
            "                fault has happened once",
            "  --seed S      seed of the fault schedule and the load (default: random, printed)",
            "  --rate N      views per second (default 600): a quarter as single views, the rest in batches of 20",
            "  --faults LIST which faults (default all): kafka,redis,taskmanager,edge,redis-oom,redis-bad-field",
            "",
            "Faults: kill -9 of Kafka (restarted on its data), of Redis (restarted from its AOF, fsync always) and of",
            "the edge (restarted on its port); a TaskManager terminated and replaced (in-JVM MiniCluster, not a",
            "process kill); Redis maxmemory set tiny with noeviction; a counted field set to a non-integer.",
            "Data goes to a temp dir, removed at the end unless the run fails.",
            "");

    public ChaosConfig {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("--faults names no fault; use all or some of kafka,redis,taskmanager,edge,"
                    + "redis-oom,redis-bad-field");
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
        double minutes = 5;
        long seed = ThreadLocalRandom.current().nextLong(1, 1_000_000);
        int rate = 600;
        Set<FaultKind> kinds = EnumSet.allOf(FaultKind.class);
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h") || flag.equals("help")) {
                return null;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value; see --help");
            }
            String value = args[++i];
            try {
                switch (flag) {
                    case "--minutes" -> minutes = Double.parseDouble(value);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--rate" -> rate = Integer.parseInt(value);
                    case "--faults" -> kinds = FaultKind.parseList(value);
                    default -> throw new IllegalArgumentException("unknown option " + flag + "; see --help");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(flag + " must be a number (got '" + value + "')", e);
            }
        }
        return new ChaosConfig(Duration.ofMillis((long) (minutes * 60_000)), seed, rate,
                Duration.ofSeconds(5), Duration.ofSeconds(20), kinds);
    }
}
