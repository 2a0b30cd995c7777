package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.edge.EdgeServer;
import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.stack.FlinkStandaloneCluster;
import dev.pageviews.stack.FlinkStandaloneCluster.CliResult;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * What a data engineer does, for real: the shaded job jar submitted with Flink's own client ({@code flink run}) to a
 * standalone session cluster (a JobManager and a TaskManager JVM built from Flink's artifacts), views posted to the
 * edge, {@code flink stop --savepointPath}, then {@code flink run -s <savepoint> -p 3}: every view counted once. The
 * cluster's own checkpoint directory and interval (its config.yaml) are what the job runs with.
 */
class FlinkRunIT {

    private static final Path JOB_JAR = Path.of("target", "job", "flink-job.jar");
    private static final Pattern SUBMITTED = Pattern.compile("Job has been submitted with JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");
    private static final Duration COUNTED = Duration.ofSeconds(60);
    private static final long TIMESTAMP = 1_730_814_562L;

    @Test
    void aJobSubmittedStoppedWithASavepointAndRescaledWithFlinksClientCountsEveryViewOnce() throws Exception {
        assertThat(JOB_JAR).as("the shaded job jar (mvn package -pl flink-job, then local-pipeline)").exists();
        Path dir = LocalStackExtension.newWorkDir();
        Path savepoints = dir.resolve("savepoints");
        Path clusterCheckpoints = dir.resolve("cluster-checkpoints");
        try (LocalStack stack = LocalStack.startForTests(dir.resolve("stack"));
                FlinkStandaloneCluster flink = FlinkStandaloneCluster.start(dir.resolve("flink"), 3, Map.of(
                        "execution.checkpointing.dir", clusterCheckpoints.toUri().toString(),
                        "execution.checkpointing.interval", "1500 ms")); // the job's default is 2 s
                EdgeServer edge = EdgeServer.start(EdgeConfig.parse(new String[] {"--host", "127.0.0.1",
                        "--port", Integer.toString(FreePorts.pick()), "--admin-port", "0", "--kafka-bootstrap", stack.kafka().bootstrapServers()},
                        Map.of()));
                Jedis jedis = new Jedis("127.0.0.1", stack.redis().port())) {
            List<String> jobArgs = List.of(JOB_JAR.toAbsolutePath().toString(),
                    "--kafka-bootstrap", stack.kafka().bootstrapServers(),
                    "--redis", stack.redis().uri());
            PipelineTraffic traffic = new PipelineTraffic(edge.port(), Map.of());

            String job = submitted(flink.flink(args(List.of("run", "--detached", "--parallelism", "2"), jobArgs)));
            postViews(traffic, 0, 300);
            assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), COUNTED)).isEqualTo(traffic.expected());
            assertThat(flink.rest("/jobs/" + job + "/checkpoints/config")).as("the cluster's interval")
                    .contains("\"interval\":1500");
            assertThat(flink.rest("/jobs/" + job + "/config")).as("the job's settings as global job parameters (web UI)")
                    .contains("\"kafka-bootstrap\":\"" + stack.kafka().bootstrapServers() + "\"", "\"dedup-window\":\"24h\"");
            assertThat(flink.rest("/jobs/" + job + "/checkpoints")).as("checkpoints in the cluster's directory")
                    .contains("\"external_path\":\"file:" + clusterCheckpoints.toAbsolutePath() + "/" + job + "/chk-");

            CliResult stop = flink.flink("stop", "--savepointPath", savepoints.toUri().toString(), job);
            assertThat(stop.exitCode()).as(stop.output()).isZero();
            Matcher savepoint = SAVEPOINT.matcher(stop.output());
            assertThat(savepoint.find()).as(stop.output()).isTrue();
            postViews(traffic, 300, 200); // accepted while no job runs: read by the restored job

            String rescaled = submitted(flink.flink(args(List.of("run", "--detached",
                    "--fromSavepoint", savepoint.group(1), "--parallelism", "3"), jobArgs)));
            postViews(traffic, 500, 200);
            try {
                assertThat(PipelineTraffic.awaitCounts(jedis, traffic.expected(), COUNTED)).isEqualTo(traffic.expected());
                assertThat(flink.rest("/jobs/" + rescaled)).contains("\"state\":\"RUNNING\"").contains("\"parallelism\":3");
                Thread.sleep(3000); // more checkpoints: nothing is applied twice
                assertThat(PipelineTraffic.counts(jedis)).isEqualTo(traffic.expected());
            } finally {
                CliResult cancel = flink.flink("cancel", rescaled);
                assertThat(cancel.exitCode()).as(cancel.output()).isZero();
            }
        }
    }

    @Test
    void theJobJarAloneAnswersHelpWithItsSettings() throws Exception {
        // as documented: no Flink and no SLF4J on the classpath, only the jar a data engineer has
        Process help = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", JOB_JAR.toAbsolutePath().toString(), "dev.pageviews.job.PageViewsJob", "--help")
                .redirectErrorStream(true).start();
        String output = new String(help.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(help.waitFor()).as(output).isZero();
        assertThat(output).contains("--kafka-bootstrap", "PAGEVIEWS_CHECKPOINT_DIR", "--dedup-window");
    }

    private static void postViews(PipelineTraffic traffic, int from, int count) throws Exception {
        for (int i = from; i < from + count; i++) {
            assertThat(traffic.post("u" + i % 17, "/flink-run/" + i % 9, TIMESTAMP + i / 50)).isEqualTo(202);
        }
    }

    /** The job id {@code flink run} printed; fails with its output when it did not submit. */
    private static String submitted(CliResult run) {
        Matcher id = SUBMITTED.matcher(run.output());
        assertThat(run.exitCode() == 0 && id.find()).as("flink run printed:\n%s", run.output()).isTrue();
        return id.group(1);
    }

    /** A {@code flink} command line: an action and its options, then the job jar and the job's own flags. */
    private static String[] args(List<String> actionAndOptions, List<String> jarAndJobArgs) {
        List<String> all = new ArrayList<>(actionAndOptions);
        all.addAll(jarAndJobArgs);
        return all.toArray(String[]::new);
    }
}
