package dev.pageviews.job.source;

import dev.pageviews.settings.ClientProperties;
import dev.pageviews.settings.ErrorMessages;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Kafka refused the job's credentials, or its user lacks an ACL: the failure says so and names the setting to fix,
 * instead of the connector's "Failed to list subscribed topic partitions" with the cause at the bottom of the trace.
 */
public final class KafkaAccessDenied extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * The connector's failure is kept as suppressed, not as the cause: tools that show a failure's root cause (Flink's
     * job exceptions, up's log) then show this sentence rather than Kafka's, which does not name the setting.
     */
    private KafkaAccessDenied(String message, Throwable failure) {
        super(message);
        if (failure != null) {
            addSuppressed(failure);
        }
    }

    /**
     * {@code failure} named, when an authentication or authorization error caused it; else empty. {@code setting}
     * is the label of the setting that holds the client's security properties.
     */
    static Optional<KafkaAccessDenied> of(Throwable failure, String bootstrap, String setting) {
        Optional<SslAuthenticationException> handshake = ExceptionUtils.findThrowable(failure, SslAuthenticationException.class);
        if (handshake.isPresent()) {
            return Optional.of(new KafkaAccessDenied("the TLS handshake of the job with Kafka at " + bootstrap
                    + " failed (" + ErrorMessages.withCauses(handshake.get()) + "); " + ClientProperties.kafkaTlsAdvice(setting),
                    failure));
        }
        Optional<AuthenticationException> authentication = ExceptionUtils.findThrowable(failure, AuthenticationException.class);
        if (authentication.isPresent()) {
            return Optional.of(new KafkaAccessDenied("Kafka at " + bootstrap + " refused the job's credentials ("
                    + authentication.get().getMessage() + "); check the user and password (sasl.jaas.config) and the "
                    + "TLS settings in " + setting, failure));
        }
        return ExceptionUtils.findThrowable(failure, AuthorizationException.class).map(denied ->
                new KafkaAccessDenied("Kafka at " + bootstrap + " does not allow the job's user ("
                        + ClientProperties.kafkaIdentity(setting) + ") what it needs ("
                        + denied.getMessage() + "): it needs ACLs allowing READ on the topic and the consumer group "
                        + "and WRITE on the dead-letter topic", failure));
    }

    /** The rights the job's user lacks ({@link TopicAccess}), with Kafka's refusal when it refused to answer. */
    static KafkaAccessDenied missing(String bootstrap, String setting, List<String> missing, Throwable refusal) {
        return new KafkaAccessDenied("Kafka at " + bootstrap + " does not allow the job's user ("
                + ClientProperties.kafkaIdentity(setting) + ") " + String.join(" and ", missing) + ": it needs ACLs "
                + "allowing READ on the topic and the consumer group and WRITE on the dead-letter topic", refusal);
    }

    /**
     * The enumerator's context, with every failure of its asynchronous calls (listing partitions, reading offsets:
     * the first requests the job makes to Kafka) named by {@link #of}.
     */
    static <S extends SourceSplit> SplitEnumeratorContext<S> naming(SplitEnumeratorContext<S> context, String bootstrap,
            String setting) {
        return new SplitEnumeratorContext<>() {
            private <T> BiConsumer<T, Throwable> named(BiConsumer<T, Throwable> handler) {
                return (result, error) -> {
                    try {
                        handler.accept(result, error);
                    } catch (RuntimeException e) {
                        throw of(e, bootstrap, setting).map(RuntimeException.class::cast).orElse(e);
                    }
                };
            }

            @Override
            public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
                context.callAsync(callable, named(handler));
            }

            @Override
            public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long initialDelay, long period) {
                context.callAsync(callable, named(handler), initialDelay, period);
            }

            @Override
            public SplitEnumeratorMetricGroup metricGroup() {
                return context.metricGroup();
            }

            @Override
            public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
                context.sendEventToSourceReader(subtaskId, event);
            }

            @Override
            public void sendEventToSourceReader(int subtaskId, int attemptNumber, SourceEvent event) {
                context.sendEventToSourceReader(subtaskId, attemptNumber, event);
            }

            @Override
            public int currentParallelism() {
                return context.currentParallelism();
            }

            @Override
            public Map<Integer, ReaderInfo> registeredReaders() {
                return context.registeredReaders();
            }

            @Override
            public Map<Integer, Map<Integer, ReaderInfo>> registeredReadersOfAttempts() {
                return context.registeredReadersOfAttempts();
            }

            @Override
            public void assignSplits(SplitsAssignment<S> assignment) {
                context.assignSplits(assignment);
            }

            @Override
            public void assignSplit(S split, int subtask) {
                context.assignSplit(split, subtask);
            }

            @Override
            public void signalNoMoreSplits(int subtask) {
                context.signalNoMoreSplits(subtask);
            }

            @Override
            public void runInCoordinatorThread(Runnable runnable) {
                context.runInCoordinatorThread(runnable);
            }

            @Override
            public void setIsProcessingBacklog(boolean isProcessingBacklog) {
                context.setIsProcessingBacklog(isProcessingBacklog);
            }
        };
    }
}
