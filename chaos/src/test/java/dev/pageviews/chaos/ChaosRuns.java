package dev.pageviews.chaos;

import dev.pageviews.stack.LocalStackExtension;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runs a chaos run from a test: the edge's JVM gets the module's classes and its recorded runtime classpath. */
final class ChaosRuns {

    private ChaosRuns() {}

    static ChaosResult run(ChaosConfig config, List<FaultKind> script) throws Exception {
        Path workDir = LocalStackExtension.newWorkDir();
        String classpath = "target/classes" + File.pathSeparator + Files.readString(Path.of("target/runtime.classpath")).trim();
        try (ChaosRun run = new ChaosRun(config, workDir, classpath, script)) {
            ChaosResult result = run.run();
            System.out.print(result.table()); // in the test's output file, for a failure's diagnosis
            return result;
        }
    }

    /** A short run at a modest rate: the suite shares two cores with the services it starts. */
    static ChaosConfig shortRun(Duration load, long seed) {
        return config(load, seed).withGaps(Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    /** For one scripted fault: a few seconds of load before it and after it. */
    static ChaosConfig oneFault(long seed) {
        return config(Duration.ofSeconds(15), seed).withGaps(Duration.ofSeconds(6), Duration.ofSeconds(9));
    }

    /** Every kind of fault, 300 views per second, as the command line would give it. */
    private static ChaosConfig config(Duration load, long seed) {
        return ChaosConfig.parse(new String[] {"--minutes", Double.toString(load.toMillis() / 60_000.0), "--seed",
            Long.toString(seed), "--rate", "300", "--faults", "all"}, Map.of());
    }
}
