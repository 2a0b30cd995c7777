package dev.pageviews.job;

import static dev.pageviews.job.ExactRuns.assertExactThrough;
import static dev.pageviews.job.ExactRuns.newRun;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pageviews.job.redis.RedisRights;
import dev.pageviews.stack.LocalStack;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisCluster;
import dev.pageviews.stack.RedisSentinel;
import dev.pageviews.stack.RedisServer;
import dev.pageviews.stack.TestCertificates;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * The job counts exactly into Redis as operators run it: TLS only, with a private CA and client certificates, ACL
 * users with the {@code default} user off, and each topology the job reaches (one server, Sentinel, Cluster with
 * replicas). A TaskManager is killed on the way, so the job also reconnects from scratch over TLS. A TLS setup that
 * cannot work fails the job with a message that names the setting to fix.
 */
@ExtendWith(LocalStackExtension.class)
class RedisTopologiesIT extends OnFlinkCluster {

    static final String APP_USER = "app";
    static final String APP_PASSWORD = "p@ss,w:o%r/d"; // percent-encoded in the URI
    /** The job's user with the least rights the README gives it, for the hashes of every run ({@code page_views_<n>}). */
    static final String APP_ACL = leastRights(APP_PASSWORD);
    /** A cluster client also reads the slot map. */
    static final String APP_CLUSTER_ACL = APP_ACL + " +cluster|slots";

    /** The rule of {@link #APP_ACL}, with another password. */
    static String leastRights(String password) {
        String documented = RedisRights.aclSetUser(APP_USER, "page_views");
        String rule = documented.replace("ACL SETUSER ", "").replace(">PASSWORD", ">" + password)
                .replace(" ~page_views ", " ~page_views_* ").replace(" ~{page_views}:* ", " ~{page_views_*}:* ")
                .replace(" &{page_views}:commits ", " &{page_views_*}:commits ");
        assertThat(rule).as("rights for every run's keys and channels, from " + documented)
                .contains(" ~page_views_* ", " ~{page_views_*}:* ", " &{page_views_*}:commits ");
        return rule;
    }

    /** The job's TLS settings: the test CA as truststore, the test client certificate as keystore. */
    static List<String> tlsArgs(TestCertificates certificates, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--redis-tls-truststore", certificates.truststore().toString(),
                "--redis-tls-truststore-password", certificates.password(),
                "--redis-tls-keystore", certificates.clientKeystore().toString(),
                "--redis-tls-keystore-password", certificates.password()));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void countsExactlyIntoOneServerOverTlsWithAPrivateCaAndAClientCertificate(LocalStack stack) throws Exception {
        TestCertificates certificates = TestCertificates.shared();
        try (RedisServer redis = RedisServer.builder(LocalStackExtension.newWorkDir()).tls(certificates)
                .admin("admin", "admin-secret").user(APP_ACL).start()) {
            ExactRuns.Run run = newRun(stack, redis.uri(APP_USER, APP_PASSWORD), 2, tlsArgs(certificates).toArray(String[]::new));
            assertThat(run.config().redis().tls()).isTrue();
            assertExactThrough(flink, stack, run, 24, redis::client, job -> {
                Thread.sleep(3000);
                flink.killTaskManager(job);
                return job;
            });
        }
    }

    @Test
    void countsExactlyThroughSentinelOverTls(LocalStack stack) throws Exception {
        TestCertificates certificates = TestCertificates.shared();
        try (RedisSentinel sentinel = RedisSentinel.builder(LocalStackExtension.newWorkDir()).tls(certificates)
                .admin("admin", "admin-secret").user(APP_ACL).sentinelAuth(null, "sentinel-secret").start()) {
            ExactRuns.Run run = newRun(stack, sentinel.uri(APP_USER, APP_PASSWORD), 2,
                    tlsArgs(certificates, "--redis-sentinel-password", "sentinel-secret").toArray(String[]::new));
            assertThat(run.config().redis().sentinel()).isTrue();
            assertExactThrough(flink, stack, run, 24, () -> sentinel.primary().client(), job -> {
                Thread.sleep(3000);
                flink.killTaskManager(job);
                return job;
            });
        }
    }

    @Test
    void countsExactlyIntoAClusterWithReplicasOverTls(LocalStack stack) throws Exception {
        TestCertificates certificates = TestCertificates.shared();
        try (RedisCluster cluster = RedisCluster.builder(LocalStackExtension.newWorkDir()).masters(3).replicasPerMaster(1)
                .tls(certificates).admin("admin", "admin-secret").user(APP_ACL).start()) {
            String uri = cluster.uri(APP_USER, APP_PASSWORD);
            String failure = failureOf(stack, newRun(stack, uri, 1, tlsArgs(certificates).toArray(String[]::new)), "+cluster|slots");
            assertThat(failure).contains("may not run CLUSTER SLOTS, which a Redis Cluster client needs");
            for (RedisServer node : cluster.nodes()) {
                try (Jedis admin = node.client()) {
                    admin.aclSetUser(APP_USER, "+cluster|slots"); // APP_CLUSTER_ACL
                }
            }

            ExactRuns.Run run = newRun(stack, uri, 2, tlsArgs(certificates).toArray(String[]::new));
            assertThat(run.config().redis().cluster()).isTrue();
            assertExactThrough(flink, stack, run, 24, () -> cluster.masterOf(run.key()).client(), job -> {
                Thread.sleep(3000);
                flink.killTaskManager(job);
                return job;
            });
        }
    }

    @Test
    void aTlsSetupThatCannotWorkFailsTheJobNamingTheSettingToFix(LocalStack stack) throws Exception {
        TestCertificates certificates = TestCertificates.shared();
        TestCertificates otherCa = TestCertificates.create(LocalStackExtension.newWorkDir().resolve("other-ca"));
        try (RedisServer redis = RedisServer.builder(LocalStackExtension.newWorkDir()).tls(certificates)
                .admin("admin", "admin-secret").user(APP_ACL).start()) {
            String uri = redis.uri(APP_USER, APP_PASSWORD);
            // a truststore with another CA than the one that signed Redis's certificate
            String failure = failureOf(stack, newRun(stack, uri, 1, tlsArgs(certificates,
                    "--redis-tls-truststore", otherCa.truststore().toString(),
                    "--redis-tls-truststore-password", otherCa.password()).toArray(String[]::new)), "--redis-tls-truststore");
            assertThat(failure).contains("Redis's TLS certificate is not signed by a CA the job trusts: --redis-tls-truststore "
                    + "(PAGEVIEWS_REDIS_TLS_TRUSTSTORE) is " + otherCa.truststore());
            // no client certificate for a Redis that wants one
            failure = failureOf(stack, newRun(stack, uri, 1, "--redis-tls-truststore", certificates.truststore().toString(),
                    "--redis-tls-truststore-password", certificates.password()), "--redis-tls-keystore");
            assertThat(failure).contains("Redis refused the job's TLS client certificate", "--redis-tls-keystore "
                    + "(PAGEVIEWS_REDIS_TLS_KEYSTORE) is empty, and Redis wants a client certificate (tls-auth-clients yes)");
            assertThat(failure).doesNotContain(APP_PASSWORD, certificates.password());
        }
    }

    /** Runs the job on a few views until it fails with a message containing {@code text}; returns that failure. */
    private static String failureOf(LocalStack stack, ExactRuns.Run run, String text) throws Exception {
        try (ViewsTraffic traffic = new ViewsTraffic(stack.kafka().bootstrapServers(), run.topic())) {
            for (int i = 0; i < 20; i++) {
                traffic.view("u" + i, "/tls/" + (i % 3), ExactRuns.BASE + i / 10);
            }
            traffic.flush();
            JobID job = flink.submit(run.config(), null);
            try {
                return flink.awaitFailureContaining(job, text);
            } finally {
                flink.cancel(job);
            }
        }
    }
}
