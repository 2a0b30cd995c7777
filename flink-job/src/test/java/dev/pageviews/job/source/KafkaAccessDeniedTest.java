package dev.pageviews.job.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Proxy;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class KafkaAccessDeniedTest {

    private static final String SETTING = "--kafka-properties (PAGEVIEWS_KAFKA_PROPERTIES)";

    @Test
    void aRefusedLoginAndAMissingAclAreNamedWithTheSettingAndOtherFailuresAreNot() {
        Throwable refused = new FlinkRuntimeException("Failed to list subscribed topic partitions due to ",
                new ExecutionException(new SaslAuthenticationException("Authentication failed: invalid credentials")));
        assertThat(KafkaAccessDenied.of(refused, "k:9093", SETTING)).hasValueSatisfying(e -> {
            assertThat(e).hasMessage("Kafka at k:9093 refused the job's credentials (Authentication failed: invalid "
                    + "credentials); check the user and password (sasl.jaas.config) and the TLS settings in " + SETTING)
                    .hasNoCause();
            assertThat(e.getSuppressed()).containsExactly(refused); // the connector's trace stays
        });
        Throwable denied = new FlinkRuntimeException("Failed to initialize partition splits due to ",
                new GroupAuthorizationException("Not authorized to access group: pageviews-job"));
        assertThat(KafkaAccessDenied.of(denied, "k:9093", SETTING)).hasValueSatisfying(e -> assertThat(e.getMessage())
                .contains("does not allow the job's user (sasl.jaas.config, or the client certificate of "
                        + "ssl.keystore.*, in " + SETTING + ")",
                        "Not authorized to access group: pageviews-job", "READ on the topic and the consumer group"));
        assertThat(KafkaAccessDenied.of(new FlinkRuntimeException("x", new TimeoutException("slow")), "k:9093", SETTING))
                .isEmpty();
    }

    @Test
    void aRefusedTlsHandshakeNamesTheStoresAndThePeersReason() {
        // what Kafka's client throws when the broker refuses the client certificate after a TLS 1.3 handshake
        Throwable refused = new FlinkRuntimeException("Failed to list subscribed topic partitions due to ",
                new ExecutionException(new SslAuthenticationException("Failed to process post-handshake messages",
                        new javax.net.ssl.SSLHandshakeException("Received fatal alert: bad_certificate"))));
        assertThat(KafkaAccessDenied.of(refused, "k:9094", SETTING)).hasValueSatisfying(e -> {
            assertThat(e.getMessage()).startsWith("the TLS handshake of the job with Kafka at k:9094 failed (Failed to "
                    + "process post-handshake messages: Received fatal alert: bad_certificate); check in " + SETTING)
                    .contains("(ssl.truststore.*)", "for mutual TLS, the keystore (ssl.keystore.*)")
                    .doesNotContain("sasl.jaas.config");
            assertThat(e.getSuppressed()).containsExactly(refused);
        });
    }

    @Test
    void theEnumeratorsAsyncFailuresAreNamed() {
        SplitEnumeratorContext<Split> context = KafkaAccessDenied.naming(synchronousContext(), "k:9093",
                SETTING);
        BiConsumer<Object, Throwable> connectorHandler = (result, error) -> {
            if (error != null) {
                throw new FlinkRuntimeException("Failed to list subscribed topic partitions due to ", error);
            }
        };
        assertThatThrownBy(() -> context.callAsync(() -> {
            throw new SaslAuthenticationException("invalid credentials");
        }, connectorHandler)).isInstanceOf(KafkaAccessDenied.class).hasMessageContaining(SETTING);
        assertThatThrownBy(() -> context.callAsync(() -> {
            throw new TimeoutException("no answer");
        }, connectorHandler, 0, 1000)).isInstanceOf(FlinkRuntimeException.class)
                .hasMessageStartingWith("Failed to list subscribed topic partitions");
    }

    private interface Split extends org.apache.flink.api.connector.source.SourceSplit {
    }

    /** A context whose callAsync runs the call at once and hands its outcome to the handler, as the coordinator does. */
    @SuppressWarnings("unchecked")
    private static SplitEnumeratorContext<Split> synchronousContext() {
        return (SplitEnumeratorContext<Split>) Proxy.newProxyInstance(
                KafkaAccessDeniedTest.class.getClassLoader(), new Class<?>[] {SplitEnumeratorContext.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("callAsync")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    Object result = null;
                    Throwable error = null;
                    try {
                        result = ((Callable<?>) args[0]).call();
                    } catch (Exception e) {
                        error = e;
                    }
                    ((BiConsumer<Object, Throwable>) args[1]).accept(result, error);
                    return null;
                });
    }
}
