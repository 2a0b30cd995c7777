package dev.pageviews.local;

import dev.pageviews.job.JobConfig;
import dev.pageviews.stack.OrderedShutdown;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code ./pageviews up}: starts the local pipeline, says how to use it, stops it cleanly on Ctrl-C or SIGTERM. */
public final class PageviewsUp {

    private static final Logger LOG = LoggerFactory.getLogger(PageviewsUp.class);

    private PageviewsUp() {}

    public static void main(String[] args) throws Exception {
        UpConfig config;
        try {
            if (UpConfig.asksForHelp(args)) {
                System.out.print(UpConfig.help());
                return;
            }
            config = UpConfig.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("pageviews up: " + e.getMessage());
            System.exit(2);
            return;
        }
        LocalPipeline pipeline;
        try {
            pipeline = LocalPipeline.start(config, System.getenv());
        } catch (LocalPipeline.CannotStart e) {
            LOG.error("pageviews up: {}", e.getMessage()); // Kafka, Redis and the job are stopped already
            System.exit(1);
            return;
        } catch (Exception e) {
            LOG.error("pageviews up: could not start: {}", e.getMessage(), e); // what was started is stopped already
            System.exit(1); // Flink's and Netty's threads would otherwise keep the JVM alive
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // registered after Kafka and Redis, so it runs before they are stopped
        OrderedShutdown.register("pageviews", () -> {
            LOG.info("Stopping pageviews ...");
            pipeline.close();
            LOG.info("Stopped.");
            stopped.countDown();
        });
        // A job that ended leaves nothing to count the views the edge would accept: stop everything, and say so.
        // on a thread of its own: exiting blocks until the shutdown hooks are done, and they need Flink's threads
        pipeline.jobEndedUnexpectedly().thenAcceptAsync(reason -> {
            LOG.error("pageviews up: {}; stopping. Its last checkpoint stays in {}: the next ./pageviews up resumes from it. "
                    + "Details in {}.", reason, pipeline.dataDir(), LocalPipeline.logFile().map(Object::toString).orElse("the log"));
            System.exit(1); // runs the shutdown hooks: the edge, then Redis and Kafka
        }, runnable -> new Thread(runnable, "job-ended").start());
        System.out.print(banner(pipeline));
        System.out.flush();
        stopped.await();
    }

    static String banner(LocalPipeline p) {
        return String.join("\n",
                "",
                "pageviews is up" + p.restorePoint().map(r -> " (resumed from " + r.describe() + ")").orElse("") + ":",
                "  edge        http://localhost:" + p.httpPort() + "/api/v1/track   (health: /healthz, /readyz)",
                "  edge admin  http://localhost:" + p.edgeAdminPort() + "/metrics   (the edge's metrics, Prometheus format; "
                        + "/readyz with the reason when not ready)",
                "  stats       http://localhost:" + p.statsPort() + "/   (dashboard; POST /api/v2/query: the Stats API, "
                        + "GET /api/v2/stream: a push per commit)",
                "  Flink UI    " + p.uiUrl(),
                "  Flink       http://localhost:" + p.flinkMetricsPort() + "/metrics   (the job's metrics, Prometheus format)",
                "  Kafka       " + p.kafkaBootstrap() + "   (topics views, views-dlq)",
                "  Redis       127.0.0.1:" + p.redisPort() + "   (hash page_views)",
                "  data dir    " + p.dataDir(),
                "  job         out-of-orderness " + p.outOfOrderness() + ", dedup-window "
                        + p.dedupWindow() + (JobConfig.DEDUP_WINDOW.type().parse(p.dedupWindow()).isZero() ? " (off: every copy of a view is counted)"
                        : " (a view with the client's event_id is counted once per id)"),
                "  archive     " + (p.archivePath().isEmpty() ? "off"
                        : p.archivePath() + "  (" + p.archiveFormat() + ", format=.../dt=YYYY-MM-DD/hour=HH/)"),
                p.s3().map(s3 -> "  S3          " + s3.endpoint() + "   (bucket " + UpConfig.S3_BUCKET + ", path-style; local keys "
                        + s3.accessKey() + " / " + s3.secretKey() + ")\n"
                        + "              AWS_ACCESS_KEY_ID=" + s3.accessKey() + " AWS_SECRET_ACCESS_KEY=" + s3.secretKey()
                        + " aws --endpoint-url " + s3.endpoint() + " s3 ls --recursive s3://" + UpConfig.S3_BUCKET + "/")
                        .orElse("  S3          off (--s3 starts a local S3 server)"),
                "",
                "Send a view:",
                "  curl -s -o /dev/null -w '%{http_code}\\n' -X POST localhost:" + p.httpPort() + "/api/v1/track \\",
                "    -H 'Content-Type: application/json' \\",
                "    -d '{\"user_id\":\"u1\",\"page_url\":\"/home\",\"timestamp\":" + System.currentTimeMillis() / 1000 + "}'",
                "Read the count (within a few seconds):",
                "  redis-cli -p " + p.redisPort() + " HGET page_views /home",
                "  curl -s localhost:" + p.statsPort() + "/api/v2/query -d '{\"site_id\":\"localhost\",\"metrics\":[\"pageviews\"],"
                        + "\"date_range\":\"day\",\"dimensions\":[\"event:page\"]}'",
                "",
                "Ctrl-C stops everything; the next ./pageviews up continues where this one stopped.",
                "");
    }
}
