package dev.pageviews.job.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.flink.util.ExceptionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, when the source's enumerator starts, that Kafka lets the job's user read the views and write dead letters.
 * The dead-letter sink would otherwise learn it only at the first invalid record, maybe hours later, and fail the job
 * with Kafka's TopicAuthorizationException, which names no setting. Kafka reports the operations a user may perform on
 * a topic when asked ({@code includeAuthorizedOperations}; a broker without an authorizer reports all of them), and
 * refuses to describe a topic to a user with no right on it.
 *
 * <p>Only a clear answer fails the job, with every right that is missing: when Kafka cannot be asked in time (it is
 * down, a topic does not exist yet), the check is skipped with a warning, and the source and the sink meet the problem
 * as they would have.
 */
final class TopicAccess {

    private static final Logger LOG = LoggerFactory.getLogger(TopicAccess.class);
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    /** What the user may do on a topic; throws what Kafka answered when it refused to say. */
    interface Operations {
        Set<AclOperation> on(String topic) throws Exception;
    }

    private TopicAccess() {}

    /** Through an admin client with the source's connection properties. */
    static void check(Properties connection, String topic, String deadLetterTopic, String setting) {
        try (Admin admin = Admin.create(AdminPartitionOffsets.adminProperties(connection, "topic-access-check"))) {
            check(t -> admin.describeTopics(List.of(t), new DescribeTopicsOptions().includeAuthorizedOperations(true)
                            .timeoutMs((int) TIMEOUT.toMillis()))
                    .allTopicNames().get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS).get(t).authorizedOperations(),
                    topic, deadLetterTopic, connection.getProperty("bootstrap.servers"), setting);
        }
    }

    static void check(Operations operations, String topic, String deadLetterTopic, String bootstrap, String setting) {
        Map<String, AclOperation> needed = new LinkedHashMap<>();
        needed.put(topic, AclOperation.READ);
        needed.put(deadLetterTopic, AclOperation.WRITE);
        List<String> missing = new ArrayList<>();
        Throwable refusal = null;
        for (Map.Entry<String, AclOperation> need : needed.entrySet()) {
            String what = need.getValue() + " on " + (need.getKey().equals(deadLetterTopic) ? "the dead-letter topic " : "the topic ")
                    + need.getKey();
            Set<AclOperation> allowed;
            try {
                allowed = operations.on(need.getKey());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                Throwable failure = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                if (ExceptionUtils.findThrowable(failure, AuthenticationException.class).isPresent()) {
                    throw KafkaAccessDenied.of(failure, bootstrap, setting).orElseThrow();
                }
                if (ExceptionUtils.findThrowable(failure, AuthorizationException.class).isPresent()) {
                    missing.add(what);
                    refusal = failure;
                    continue;
                }
                LOG.warn("Could not ask Kafka at {} what the job's user may do on {} ({}); going on without the check",
                        bootstrap, need.getKey(), failure.toString());
                continue;
            }
            if (allowed != null && !allowed.contains(need.getValue()) && !allowed.contains(AclOperation.ALL)) {
                missing.add(what);
            }
        }
        if (!missing.isEmpty()) {
            throw KafkaAccessDenied.missing(bootstrap, setting, missing, refusal);
        }
    }
}
