package dev.pageviews.chaos;

import dev.pageviews.stack.OrderedShutdown;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ./pageviews chaos}: runs {@link ChaosRun} in a temp dir, prints its table, exits 0 when every view
 * answered 2xx was counted exactly once, 1 when a view was lost or counted twice, 2 for bad options, 3 when
 * the run itself failed. Ctrl-C stops every process it started (local-stack's ordered shutdown).
 */
public final class ChaosMain {

    private static final Logger LOG = LoggerFactory.getLogger(ChaosMain.class);

    private ChaosMain() {}

    public static void main(String[] args) throws IOException {
        ChaosConfig config;
        try {
            if (ChaosConfig.asksForHelp(args)) {
                System.out.print(ChaosConfig.usage());
                return;
            }
            config = ChaosConfig.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("pageviews chaos: " + e.getMessage());
            System.exit(2);
            return;
        }
        String given = System.getProperty("pageviews.chaos.dir"); // the pageviews script's temp dir, which also holds the log
        Path workDir = given != null ? Path.of(given) : Files.createTempDirectory("pageviews-chaos-");
        OrderedShutdown.Action removeAtExit = OrderedShutdown.register("chaos work dir", () -> deleteRecursively(workDir));
        System.out.printf("pageviews chaos: seed %d, %d views/s for %s (at least until every kind of fault has happened"
                + " once); data and logs in %s%n", config.seed(), config.viewsPerSecond(), config.duration(), workDir);
        int status;
        try (ChaosRun run = new ChaosRun(config, workDir, System.getProperty("java.class.path"))) {
            ChaosResult result = run.run();
            System.out.print(result.table());
            status = result.exact() ? 0 : 1;
        } catch (Exception | Error e) {
            LOG.error("The chaos run failed: {}", e.toString(), e);
            status = 3;
        }
        if (status == 0) {
            deleteRecursively(workDir);
        } else {
            System.out.println("Logs and data kept in " + workDir + " (Kafka: kafka/kafka.log, Redis: "
                    + "redis/node-*/redis.log and redis/sentinel-*/sentinel.log, edge: edge/edge.log, job: " + System.getProperty("pageviews.log.file", "pageviews.log") + ")");
        }
        removeAtExit.cancel();
        System.exit(status);
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove the chaos work dir " + dir + "; delete it by hand", e);
        }
    }
}
