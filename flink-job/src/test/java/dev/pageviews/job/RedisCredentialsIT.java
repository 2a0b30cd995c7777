package dev.pageviews.job;

import static dev.pageviews.job.ExactRuns.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import dev.pageviews.stack.TestCertificates;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * The job counts exactly into a TLS-only Redis (private CA, client certificates) as an ACL user whose password holds
 * the characters that broke masks and parsers ({@code , @ : %}), and that password shows nowhere: not in a log line
 * of the job or of Flink (captured at INFO, as a cluster logs), not in the job parameters of the web UI
 * ({@code /jobs/<id>/config}), not in a failure when Redis refuses a wrong one.
 */
@ExtendWith(LocalStackExtension.class)
class RedisCredentialsIT extends OnFlinkCluster {

    private static final String USER = RedisTopologiesIT.APP_USER;
    private static final String PASSWORD = "s3,cr@t:100%,@:%x";
    private static final String WRONG_PASSWORD = "wr0ng,@:%pw";

    @Test
    void countsExactlyOverTlsAsAnAclUserWhosePasswordShowsInNoLogLineAndNoJobParameter(LocalStack stack) throws Exception {
        TestCertificates certificates = TestCertificates.shared();
        String rule = RedisTopologiesIT.leastRights(PASSWORD); // the README's least rights
        StringWriter log = new StringWriter();
        try (RedisServer redis = RedisServer.builder(LocalStackExtension.newWorkDir()).tls(certificates)
                        .admin("admin", "admin-secret").user(rule).start();
                LogCapture capture = new LogCapture(log)) {
            // as people write it: , @ : raw (the credentials end at the last @), only % escaped
            String uri = "rediss://" + USER + ":" + PASSWORD.replace("%", "%25") + "@" + redis.hostAndPort();
            String[] tls = RedisTopologiesIT.tlsArgs(certificates).toArray(String[]::new);

            ExactRuns.Run run = newRun(stack, uri, 2, tls);
            assertThat(run.config().redis().password()).isEqualTo(PASSWORD);
            JobID job = submitAsFlinkRunDoes(run.config());
            try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic());
                    Jedis jedis = redis.client()) {
                for (int i = 0; i < 2000; i++) {
                    traffic.view("u" + i % 97, "/secret/" + i % 13, ExactRuns.BASE + i / 200);
                }
                traffic.flush();
                ViewsTraffic.awaitCounts(jedis::hgetAll, run.key(), traffic.expected(), Duration.ofSeconds(90));
                String parameters = flink.rest("/jobs/" + job + "/config");
                assertHidden(PASSWORD, "the web UI's job parameters", parameters);
                assertThat(parameters).as("the web UI's job parameters")
                        .contains("\"redis\":\"" + "rediss://***@" + redis.hostAndPort());
                assertHidden(PASSWORD, "the web UI's job plan", flink.rest("/jobs/" + job));
                assertHidden(PASSWORD, "the web UI's JobManager configuration", flink.rest("/jobmanager/config"));
            } finally {
                flink.cancel(job);
            }

            // Redis refuses a wrong password, written percent-encoded: the failure says so, and shows it nowhere
            assertThat(redis.uri(USER, WRONG_PASSWORD)).contains("%2C%40%3A%25");
            ExactRuns.Run wrong = newRun(stack, redis.uri(USER, WRONG_PASSWORD), 1, tls);
            JobID refused = submitAsFlinkRunDoes(wrong.config());
            try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), wrong.topic())) {
                for (int i = 0; i < 20; i++) {
                    traffic.view("u" + i, "/secret/" + i % 3, ExactRuns.BASE + i / 10);
                }
                traffic.flush();
                String failure = flink.awaitFailureContaining(refused, "WRONGPASS");
                assertHidden(WRONG_PASSWORD, "the job's failure", failure);
                assertHidden(WRONG_PASSWORD, "the web UI's exception history", flink.rest("/jobs/" + refused + "/exceptions"));
            } finally {
                flink.cancel(refused);
            }
        }
        String lines = log.toString();
        assertHidden(PASSWORD, "the log", lines);
        assertHidden(WRONG_PASSWORD, "the log", lines);
        assertHidden("admin-secret", "the log", lines);
        assertThat(lines).as("the submit log line").contains("Submitting " + PageViewsJob.JOB_NAME + " with",
                "redis=rediss://***@" + "127.0.0.1");
        assertThat(lines).as("Flink logged at INFO").contains("INFO  [", " org.apache.flink.runtime.");
    }

    /** Builds the job as {@code flink run} does ({@link JobSubmission}, its log line included) and submits it. */
    private static JobID submitAsFlinkRunDoes(JobConfig config) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobSubmission.define(env, config);
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(PageViewsJob.JOB_NAME);
        return flink.submit(graph, null);
    }

    /** Neither the password nor any way a URI may write it. */
    private static void assertHidden(String password, String where, String text) {
        String encoded = URLEncoder.encode(password, StandardCharsets.UTF_8);
        for (String form : List.of(password, encoded, encoded.replace("+", "%20"), password.replace("%", "%25"))) {
            assertThat(text).as("%s must not show the password (%s)", where, form).doesNotContain(form);
        }
    }

    /**
     * Every log line of this JVM while open, as a cluster writes them: Flink's own at INFO (this module's tests keep
     * them at WARN), stack traces included.
     */
    private static final class LogCapture implements AutoCloseable {
        private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
        private final WriterAppender appender;
        private final Level flinkLevel;

        LogCapture(StringWriter target) {
            appender = WriterAppender.newBuilder().setName("capture").setTarget(target)
                    .setLayout(PatternLayout.newBuilder().withPattern("%-5p [%t] %c - %m%n").build()).build();
            appender.start();
            context.getConfiguration().addAppender(appender);
            context.getRootLogger().addAppender(appender);
            flinkLevel = context.getLogger("org.apache.flink").getLevel();
            Configurator.setLevel("org.apache.flink", Level.INFO);
        }

        @Override
        public void close() {
            Configurator.setLevel("org.apache.flink", flinkLevel);
            context.getRootLogger().removeAppender(appender);
            appender.stop();
        }
    }
}
