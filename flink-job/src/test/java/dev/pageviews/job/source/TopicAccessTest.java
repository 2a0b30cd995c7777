package dev.pageviews.job.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

/** Each answer Kafka can give to "what may the job's user do on its topic and on the dead-letter topic". */
class TopicAccessTest {

    private static final String SETTING = "--kafka-properties (PAGEVIEWS_KAFKA_PROPERTIES)";

    private static void check(TopicAccess.Operations operations) {
        TopicAccess.check(operations, "views", "views-dlq", "k:9093", SETTING);
    }

    private static TopicAccess.Operations allowing(Map<String, Set<AclOperation>> rights) {
        return topic -> {
            Set<AclOperation> allowed = rights.get(topic);
            if (allowed == null) {
                throw new ExecutionException(new TopicAuthorizationException(Set.of(topic)));
            }
            return allowed;
        };
    }

    @Test
    void readOnTheTopicAndWriteOnTheDeadLettersPass() {
        assertThatCode(() -> check(allowing(Map.of("views", Set.of(AclOperation.READ, AclOperation.DESCRIBE),
                "views-dlq", Set.of(AclOperation.WRITE, AclOperation.DESCRIBE))))).doesNotThrowAnyException();
        assertThatCode(() -> check(t -> Set.of(AclOperation.ALL))).doesNotThrowAnyException();
    }

    @Test
    void deadLettersItMaySeeButNotWriteFailNamingTheTopicAndTheSetting() {
        assertThatThrownBy(() -> check(allowing(Map.of("views", Set.of(AclOperation.READ),
                "views-dlq", Set.of(AclOperation.DESCRIBE, AclOperation.READ)))))
                .isInstanceOf(KafkaAccessDenied.class)
                .hasMessageContaining("does not allow the job's user").hasMessageContaining(SETTING)
                .hasMessageContaining("WRITE on the dead-letter topic views-dlq:")
                .hasMessageNotContaining("READ on the topic views");
    }

    @Test
    void topicsItMayNotEvenSeeAreAllNamed() {
        assertThatThrownBy(() -> check(allowing(Map.of())))
                .isInstanceOf(KafkaAccessDenied.class)
                .hasMessageContaining("READ on the topic views and WRITE on the dead-letter topic views-dlq")
                .hasMessageContaining("ACLs allowing READ on the topic");
        assertThatThrownBy(() -> check(allowing(Map.of("views-dlq", Set.of(AclOperation.WRITE)))))
                .hasMessageContaining("READ on the topic views:");
    }

    @Test
    void refusedCredentialsSaySo() {
        assertThatThrownBy(() -> check(t -> {
            throw new ExecutionException(new SaslAuthenticationException("Authentication failed"));
        })).isInstanceOf(KafkaAccessDenied.class).hasMessageContaining("refused the job's credentials");
    }

    @Test
    void noClearAnswerSkipsTheCheck() {
        assertThatCode(() -> check(t -> {
            throw new TimeoutException("no answer");
        })).doesNotThrowAnyException();
        assertThatCode(() -> check(t -> {
            throw new ExecutionException(new UnknownTopicOrPartitionException("no such topic"));
        })).doesNotThrowAnyException();
        assertThatCode(() -> check(t -> null)).as("not reported").doesNotThrowAnyException();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
}
