package dev.pageviews.local;

import dev.pageviews.edge.EdgeServer;
import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.job.FlinkSettings;
import dev.pageviews.job.JobConfig;
import dev.pageviews.job.PageViewsTopology;
import dev.pageviews.read.ReadConfig;
import dev.pageviews.read.ReadService;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.RedisServer;
import dev.pageviews.stack.S3Server;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline on one machine: Kafka and Redis (local-stack, data in the data dir; with {@code --s3} an S3
 * server for the archive too), the Flink job in a local cluster with its web UI, the edge, and the read service. The job resumes
 * from the newest state of the data dir's lineage ({@link RestorePoints}) and must run (its state restored) before the edge
 * listens, so no view is accepted while nothing counts it; the edge's {@code /readyz} also requires the job to run.
 * {@link #close()} stops the job with a savepoint, so the next start continues exactly there.
 */
public final class LocalPipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPipeline.class);
    /** Restoring state and deploying tasks on a busy laptop; a restore that fails does so well before. */
    private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(3);
    /** The Prometheus reporter's usual port. */
    static final int PROMETHEUS_PORT = 9249;

    private final UpConfig config;
    private final LocalStack stack;
    private final EdgeServer edge;
    private final ReadService stats;
    private final LocalJob job;
    private final Optional<RestorePoint> restoredFrom;
    private final RestoreRecord.Keeper restoreRecord;
    private final List<RestoreCompatibility.Dropped> droppedState;
    private final DataDirLock lock;
    private final int metricsPort;
    private boolean closed;

    /** The job's Kafka consumer group, whose committed offsets tell how far it has read. */
    private final String groupId;

    private LocalPipeline(UpConfig config, LocalStack stack, EdgeServer edge, ReadService stats, LocalJob job,
            Optional<RestorePoint> restoredFrom,
            RestoreRecord.Keeper restoreRecord, List<RestoreCompatibility.Dropped> droppedState, DataDirLock lock, int metricsPort,
            String groupId) {
        this.groupId = groupId;
        this.lock = lock;
        this.metricsPort = metricsPort;
        this.config = config;
        this.stack = stack;
        this.edge = edge;
        this.stats = stats;
        this.job = job;
        this.restoredFrom = restoredFrom;
        this.restoreRecord = restoreRecord;
        this.droppedState = List.copyOf(droppedState);
    }

    /**
     * Starts everything, the job before the edge. Throws {@link CannotStart} (with what to do) when the job cannot
     * resume from the data dir's state; everything started is stopped again first.
     */
    public static LocalPipeline start(UpConfig config, Map<String, String> env) throws Exception {
        DataDirLock lock = DataDirLock.acquire(config.dataDir()); // before anything in it is touched
        try {
            return start(config, env, lock);
        } catch (Exception | Error e) {
            lock.close();
            throw e;
        }
    }

    private static LocalPipeline start(UpConfig config, Map<String, String> env, DataDirLock lock) throws Exception {
        if (config.fresh()) {
            List<Path> keep = new ArrayList<>(List.of(config.dataDir().resolve(DataDirLock.FILE)));
            logFile().ifPresent(keep::add);
            DataDir.clear(config.dataDir(), keep);
        }
        // before anything starts: a choice that is not safe stops up at once
        RestorePoints.Choice choice = RestorePoints.choose(config.flinkDir(),
                RestorePoints.scan(config.checkpointDir(), config.savepointDir()), RestoreRecord.read(config.flinkDir()),
                config.restoreFrom());
        LocalStack stack = config.s3()
                ? LocalStack.startWithS3(config.dataDir(), config.kafkaPort(), config.redisPort(),
                        RedisServer.Persistence.APPEND_ONLY, config.s3Port())
                : LocalStack.start(config.dataDir(), config.kafkaPort(), config.redisPort(), RedisServer.Persistence.APPEND_ONLY);
        LocalJob job = null;
        EdgeServer edge = null;
        ReadService stats = null;
        try {
            stack.s3().ifPresent(s3 -> s3.createBucket(UpConfig.S3_BUCKET));
            JobConfig jobConfig = jobConfig(config, stack, env);
            Configuration flink = flinkConfiguration(config, jobConfig, stack.s3());
            int metricsPort = preferredOrFreePort(PROMETHEUS_PORT);
            flink.setString("metrics.reporter.prom.factory.class", "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
            flink.setString("metrics.reporter.prom.port", Integer.toString(metricsPort));
            JobGraph graph = jobGraph(flink, jobConfig);
            List<RestoreCompatibility.Dropped> dropped = resumeFrom(choice, graph, config, jobConfig);
            // recorded before the job runs: every checkpoint it completes is then known as this lineage's
            RestoreRecord.Keeper record = new RestoreRecord.Keeper(config.flinkDir(),
                    RestoreRecord.starting(graph.getJobID().toHexString(), config.flinkDir(), choice, Instant.now()));
            job = LocalJob.submit(flink, graph, (id, pointer) -> record.completed(localPath(pointer), id));
            awaitRestored(config, jobConfig, job, choice.point().map(RestorePoint::dir));
            LastRunSettings.save(config.flinkDir(), jobConfig);
            edge = EdgeServer.start(EdgeConfig.parse(edgeArgs(config, stack, env), env), job);
            // the read service reads what the job commits: its Redis and counts key are the job's
            stats = ReadService.start(ReadConfig.parse(new String[] {
                "--host", "127.0.0.1",
                "--port", Integer.toString(config.statsPort()),
                "--redis", stack.redis().uri(),
                "--redis-key", jobConfig.redisKey()}, env));
            return new LocalPipeline(config, stack, edge, stats, job, choice.point(), record, dropped, lock, metricsPort,
                    jobConfig.groupId());
        } catch (Exception | Error e) {
            if (stats != null) {
                stats.close();
            }
            if (edge != null) {
                edge.close();
            }
            if (job != null) {
                cancelQuietly(job); // no savepoint: the state it was started from stays the newest restore point
            }
            stack.close();
            throw e;
        }
    }

    /**
     * The edge's flags: on loopback, beside Kafka. Every sender of a laptop's pipeline is 127.0.0.1, one client to the
     * per-client rate limit, so it is off unless {@code EDGE_RATE_LIMIT} asks for one.
     */
    static String[] edgeArgs(UpConfig config, LocalStack stack, Map<String, String> env) {
        List<String> args = new ArrayList<>(List.of(
                "--host", "127.0.0.1",
                "--port", Integer.toString(config.httpPort()),
                "--admin-port", Integer.toString(config.edgeAdminPort()),
                "--kafka-bootstrap", stack.kafka().bootstrapServers(),
                "--topic", LocalStack.VIEWS_TOPIC));
        if (!env.containsKey(EdgeConfig.RATE_LIMIT.envName())) {
            args.addAll(List.of(EdgeConfig.RATE_LIMIT.flag(), "0"));
        }
        return args.toArray(String[]::new);
    }

    private static JobConfig jobConfig(UpConfig config, LocalStack stack, Map<String, String> env) {
        return JobConfig.parse(new String[] {
            "--kafka-bootstrap", stack.kafka().bootstrapServers(),
            "--topic", LocalStack.VIEWS_TOPIC,
            "--dlq-topic", LocalStack.DLQ_TOPIC,
            "--redis", stack.redis().uri(),
            "--checkpoint-dir", config.checkpointDir().toUri().toString(),
            "--savepoint-dir", config.savepointDir().toUri().toString(),
            "--archive-path", config.archivePath(),
            "--archive-format", config.archiveFormat(),
            "--window", config.window(),
            "--out-of-orderness", config.outOfOrderness(),
            "--dedup-window", config.dedupWindow(),
            "--archive-roll-interval", "1m"}, env); // locally, archived files show up within a minute
    }

    /** The job graph, set to resume from the chosen restore point if there is one; returns the operators whose state it drops. */
    private static List<RestoreCompatibility.Dropped> resumeFrom(RestorePoints.Choice choice, JobGraph graph, UpConfig config,
            JobConfig jobConfig) {
        if (choice.point().isEmpty()) {
            LOG.info("Starting the job from empty state: {}", choice.reason());
            return List.of();
        }
        Path path = choice.point().get().dir();
        RestoreCompatibility.Decision decision;
        try {
            decision = RestoreCompatibility.check(path, graph, jobConfig.dedupWindow().isZero(), !jobConfig.stats());
        } catch (RestoreCompatibility.Unrestorable e) {
            throw new CannotStart(e.getMessage() + changedSince(config, jobConfig), e);
        }
        for (String warning : decision.warnings(config)) {
            LOG.warn(warning);
        }
        LOG.info("Resuming the job from {}: {}", choice.point().get().describe(), choice.reason());
        graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(path.toUri().toString(), decision.allowNonRestoredState()));
        return decision.dropped();
    }

    private static Configuration flinkConfiguration(UpConfig config, JobConfig jobConfig, Optional<S3Server> s3) {
        Configuration flink = FlinkSettings.of(jobConfig);
        // the local S3 server, for the local cluster's S3 file system: what a cluster's own configuration would say
        s3.ifPresent(server -> flink.addAll(Configuration.fromMap(server.flinkFileSystemSettings())));
        if (config.archivePath().startsWith("s3")) {
            S3FileSystemPlugin.initialize(flink); // the local cluster's file systems, as a TaskManager would set them up
        }
        flink.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        flink.set(RestOptions.PORT, config.uiPort());
        return flink;
    }

    private static JobGraph jobGraph(Configuration flink, JobConfig jobConfig) {
        return PageViewsTopology.streamGraph(flink, jobConfig).getJobGraph();
    }

    private static void awaitRestored(UpConfig config, JobConfig jobConfig, LocalJob job, Optional<Path> restorePoint) throws Exception {
        try {
            job.awaitRestored(RESTORE_TIMEOUT);
        } catch (IllegalStateException e) {
            if (restorePoint.isEmpty()) {
                throw new CannotStart(e.getMessage() + "; see " + logFile().map(Path::toString).orElse("the log"), e);
            }
            if (e.getMessage().contains("--allow-restore-behind-redis")) {
                throw new CannotStart("cannot resume from " + restorePoint.get() + ": " + e.getMessage()
                        + " For up, the flag is the variable PAGEVIEWS_ALLOW_RESTORE_BEHIND_REDIS=true.", e);
            }
            throw new CannotStart("cannot resume from " + restorePoint.get() + ": " + e.getMessage() + changedSince(config, jobConfig)
                    + " Start with the settings of the previous run, or start from empty with --fresh (deletes the data dir: "
                    + "counts, Kafka log and archive).", e);
        }
    }

    private static String changedSince(UpConfig config, JobConfig jobConfig) {
        List<String> changes = LastRunSettings.changes(config.flinkDir(), jobConfig);
        return changes.isEmpty() ? "" : " Settings changed since the last run: " + String.join(", ", changes) + ".";
    }

    /** {@code up} cannot start as asked; the message says why and what to do. */
    public static final class CannotStart extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        CannotStart(String message, Throwable cause) {
            super(message, cause);
        }

        CannotStart(String message) {
            super(message);
        }
    }

    /** The file log4j writes to ({@code -Dpageviews.log.file}, set by the pageviews script), if any. */
    static Optional<Path> logFile() {
        return Optional.ofNullable(System.getProperty("pageviews.log.file")).map(Path::of);
    }

    /** Completes with a message if the job ends (fails, is cancelled) while the pipeline runs. */
    public CompletableFuture<String> jobEndedUnexpectedly() {
        return job.unexpectedEnd();
    }

    /** Why the job does not run right now; null when it does. */
    String jobNotRunningReason() {
        return job.notReadyReason();
    }

    public int httpPort() {
        return edge.port();
    }

    /** The read service: {@code POST /api/v2/query}, {@code GET /api/v2/stream}, the dashboard at {@code /}. */
    public int statsPort() {
        return stats.port();
    }

    /** The edge's admin port: {@code /metrics} (Prometheus format), {@code /readyz} with the reason, {@code /healthz}. */
    public int edgeAdminPort() {
        return edge.adminPort();
    }

    /** The job's metrics in Prometheus' format (Flink's Prometheus reporter): {@code http://localhost:<port>/metrics}. */
    public int flinkMetricsPort() {
        return metricsPort;
    }

    /** {@code preferred} when nothing listens on it, else a free port: two pipelines (tests) may run at once. */
    private static int preferredOrFreePort(int preferred) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(preferred, 1, java.net.InetAddress.getLoopbackAddress())) {
            return preferred;
        } catch (java.io.IOException taken) {
            return FreePorts.pick();
        }
    }

    /** The Flink web UI as it listens (with {@code --ui-port 0}, on the port picked). */
    public String uiUrl() {
        try {
            return job.restAddress().toString().replaceAll("/$", "");
        } catch (Exception e) {
            LOG.warn("Could not read the Flink web UI's address ({}); it was asked for on port {}", e.toString(), config.uiPort());
            return "http://127.0.0.1:" + config.uiPort();
        }
    }

    public int redisPort() {
        return stack.redis().port();
    }

    public String kafkaBootstrap() {
        return stack.kafka().bootstrapServers();
    }

    /** The directory of the checkpoint or savepoint the job resumed from. */
    public Optional<Path> restoredFrom() {
        return restoredFrom.map(RestorePoint::dir);
    }

    /** The checkpoint or savepoint the job resumed from, with its checkpoint id. */
    Optional<RestorePoint> restorePoint() {
        return restoredFrom;
    }

    /** The uids of the operators whose saved state this run dropped, as the settings switched them off (logged at WARN). */
    List<String> droppedState() {
        return droppedState.stream().map(RestoreCompatibility.Dropped::uid).toList();
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

    public String outOfOrderness() {
        return config.outOfOrderness();
    }

    public String dedupWindow() {
        return config.dedupWindow();
    }

    /** The local S3 server, when started with {@code --s3}. */
    public Optional<S3Server> s3() {
        return stack.s3();
    }

    /** Stops in order: no new requests, the job with a savepoint (when it still runs), then Redis and Kafka. */
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
            stats.close(); // before Redis: its streams end and its queries finish while Redis still answers
        } catch (RuntimeException e) {
            LOG.warn("Stopping the read service failed", e);
        }
        stopQuietly(job);
        stack.close();
        lock.close();
    }

    private void stopQuietly(LocalJob job) {
        if (job.isRunning()) {
            try (Admin admin = stack.kafka().admin()) {
                // the edge takes no more views: let the job read the last of them before the drain stops its source
                if (!ConsumerCatchUp.await(admin, LocalStack.VIEWS_TOPIC, groupId,
                        URI.create("http://127.0.0.1:" + metricsPort + "/metrics"), Duration.ofSeconds(30))) {
                    LOG.warn("The job had not read every view within 30 s; the rest wait in Kafka for the next start");
                }
            } catch (Exception e) {
                LOG.warn("Could not tell whether the job has read every view ({}); stopping it anyway", e.toString());
            }
            try {
                // Drained: the job ends only once the savepoint's commits are applied and the archive's part files
                // finished, so that once up has exited every view the job read is in Redis and in finished files.
                restoreRecord.stopping();
                String savepoint = job.stopWithSavepoint(config.savepointDir().toUri().toString(), true, Duration.ofSeconds(60));
                LOG.info("Job stopped with savepoint {} (drained: every view read was committed, archive files finished)", savepoint);
                recordSavepoint(localPath(savepoint));
            } catch (Exception e) {
                LOG.warn("Stop with savepoint failed ({}); cancelling. The next start resumes from the last checkpoint.", e.toString());
                cancelQuietly(job);
                return;
            }
        }
        job.close();
    }

    private void recordSavepoint(Path savepoint) {
        try {
            restoreRecord.stopped(savepoint, RestorePoint.read(savepoint).checkpointId());
        } catch (IOException e) {
            LOG.warn("Could not read the checkpoint id of savepoint {} to record it ({}); the next start still finds it",
                    savepoint, e.toString());
        }
    }

    /** A local file system location as Flink names it ({@code file:/...}), as a path. */
    private static Path localPath(String pointer) {
        return pointer.startsWith("file:") ? Path.of(URI.create(pointer)) : Path.of(pointer);
    }

    private static void cancelQuietly(LocalJob job) {
        if (job.isRunning()) {
            try {
                job.cancel(Duration.ofSeconds(30));
            } catch (Exception e) {
                LOG.warn("Cancelling the job failed", e);
            }
        }
        job.close();
    }
}
