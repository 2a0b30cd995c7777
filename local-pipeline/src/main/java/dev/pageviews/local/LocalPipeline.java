package dev.pageviews.local;

import dev.pageviews.edge.EdgeConfig;
import dev.pageviews.edge.EdgeServer;
import dev.pageviews.job.JobConfig;
import dev.pageviews.job.PageViewsJob;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.RedisServer;
import dev.pageviews.stack.S3Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline on one machine: Kafka and Redis (local-stack, data in the data dir; with {@code --s3} an S3
 * server for the archive too), the edge, and the
 * Flink job in a local cluster with its web UI. The job resumes from the newest checkpoint or savepoint in
 * the data dir; {@link #close()} stops it with a savepoint, so the next start continues exactly there.
 */
public final class LocalPipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPipeline.class);

    private final UpConfig config;
    private final LocalStack stack;
    private final EdgeServer edge;
    private final JobClient job;
    private final Optional<Path> restoredFrom;
    private boolean closed;

    private LocalPipeline(UpConfig config, LocalStack stack, EdgeServer edge, JobClient job, Optional<Path> restoredFrom) {
        this.config = config;
        this.stack = stack;
        this.edge = edge;
        this.job = job;
        this.restoredFrom = restoredFrom;
    }

    public static LocalPipeline start(UpConfig config, Map<String, String> env) throws Exception {
        if (config.fresh()) {
            deleteRecursively(config.dataDir());
        }
        Files.createDirectories(config.dataDir());
        LocalStack stack = config.s3()
                ? LocalStack.startWithS3(config.dataDir(), config.kafkaPort(), config.redisPort(),
                        RedisServer.Persistence.APPEND_ONLY, config.s3Port())
                : LocalStack.start(config.dataDir(), config.kafkaPort(), config.redisPort(), RedisServer.Persistence.APPEND_ONLY);
        EdgeServer edge = null;
        try {
            stack.s3().ifPresent(s3 -> s3.createBucket(UpConfig.S3_BUCKET));
            edge = EdgeServer.start(EdgeConfig.parse(new String[] {
                "--host", "127.0.0.1",
                "--port", Integer.toString(config.httpPort()),
                "--kafka-bootstrap", stack.kafka().bootstrapServers(),
                "--topic", LocalStack.VIEWS_TOPIC}, env));
            Optional<Path> restorePoint = RestorePoints.newest(config.checkpointDir(), config.savepointDir());
            JobClient job = startJob(config, stack, restorePoint, env);
            return new LocalPipeline(config, stack, edge, job, restorePoint);
        } catch (Exception | Error e) {
            if (edge != null) {
                edge.close();
            }
            stack.close();
            throw e;
        }
    }

    private static JobClient startJob(UpConfig config, LocalStack stack, Optional<Path> restorePoint, Map<String, String> env)
            throws Exception {
        JobConfig jobConfig = JobConfig.parse(new String[] {
            "--kafka-bootstrap", stack.kafka().bootstrapServers(),
            "--topic", LocalStack.VIEWS_TOPIC,
            "--dlq-topic", LocalStack.DLQ_TOPIC,
            "--redis", stack.redis().uri(),
            "--checkpoint-dir", config.checkpointDir().toUri().toString(),
            "--savepoint-dir", config.savepointDir().toUri().toString(),
            "--archive-path", config.archivePath(),
            "--archive-format", config.archiveFormat(),
            "--archive-roll-interval", "1m"}, env); // locally, archived files show up within a minute
        if (stack.s3().isPresent()) {
            S3Server s3 = stack.s3().get();
            jobConfig = jobConfig.with(JobConfig.S3_ENDPOINT, s3.endpoint()).with(JobConfig.S3_PATH_STYLE, "true")
                    .with(JobConfig.S3_ACCESS_KEY, s3.accessKey()).with(JobConfig.S3_SECRET_KEY, s3.secretKey());
        }
        Configuration flink = PageViewsJob.flinkConfiguration(jobConfig);
        if (config.archivePath().startsWith("s3")) {
            S3FileSystemPlugin.initialize(flink); // the local cluster's file systems, as a TaskManager would set them up
        }
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.PORT, config.uiPort());
        restorePoint.ifPresent(path -> {
            LOG.info("Resuming the job from {}", path);
            flink.set(StateRecoveryOptions.SAVEPOINT_PATH, path.toUri().toString());
        });
        StreamExecutionEnvironment env2 = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
        PageViewsJob.define(env2, jobConfig);
        return env2.executeAsync(PageViewsJob.JOB_NAME);
    }

    public int httpPort() {
        return edge.port();
    }

    public String uiUrl() {
        return "http://127.0.0.1:" + config.uiPort();
    }

    public int redisPort() {
        return stack.redis().port();
    }

    public String kafkaBootstrap() {
        return stack.kafka().bootstrapServers();
    }

    public Optional<Path> restoredFrom() {
        return restoredFrom;
    }

    public Path dataDir() {
        return config.dataDir();
    }

    public String archivePath() {
        return config.archivePath();
    }

    public String archiveFormat() {
        return config.archiveFormat();
    }

    /** The local S3 server, when started with {@code --s3}. */
    public Optional<S3Server> s3() {
        return stack.s3();
    }

    /** Stops in order: no new requests, the job with a savepoint, then Redis and Kafka. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            edge.close();
        } catch (RuntimeException e) {
            LOG.warn("Stopping the edge failed", e);
        }
        try {
            String savepoint = job.stopWithSavepoint(false, config.savepointDir().toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(60, TimeUnit.SECONDS);
            LOG.info("Job stopped with savepoint {}", savepoint);
        } catch (Exception e) {
            LOG.warn("Stop with savepoint failed ({}); cancelling. The next start resumes from the last checkpoint.", e.toString());
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (Exception cancelFailed) {
                LOG.warn("Cancelling the job failed", cancelFailed);
            }
        }
        stack.close();
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir + " for --fresh", e);
        }
    }
}
