package dev.pageviews.edge.produce;

import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.edge.http.Readiness;
import dev.pageviews.settings.ClientProperties;
import dev.pageviews.settings.ErrorMessages;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides readiness on a background thread, so {@code /readyz} answers from memory: the edge is ready
 * when Kafka answers an admin request for the topic, the producer has the topic's metadata, and no event
 * failed recently without a success since.
 */
public final class KafkaHealth implements Readiness, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaHealth.class);

    private final EventProducer producer;
    private final Admin admin;
    private final String bootstrap;
    private final Duration interval;
    private final Duration timeout;
    private final ScheduledExecutorService checker;
    private volatile String notReadyReason = "Kafka has not been checked yet";
    private volatile boolean shuttingDown;
    /** Changes are logged once the startup wait is over; the server logs the outcome of the wait itself. */
    private volatile boolean watching;

    private KafkaHealth(EdgeConfig config, EventProducer producer) {
        this.producer = producer;
        this.bootstrap = config.kafkaBootstrap();
        this.interval = config.get(EdgeConfig.HEALTH_INTERVAL);
        this.timeout = Duration.ofMillis(Math.max(1_000, Math.min(5_000, interval.toMillis())));
        Properties props = new Properties();
        props.putAll(config.kafkaProperties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "edge-ingest-health");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        this.admin = Admin.create(props);
        this.checker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "edge-kafka-health");
            thread.setDaemon(true);
            return thread;
        });
    }

    public static KafkaHealth create(EdgeConfig config, EventProducer producer) {
        return new KafkaHealth(config, producer);
    }

    /** Checks until ready or {@code max} has passed; returns whether ready. Then keeps checking in the background. */
    public boolean awaitReadyThenWatch(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        boolean ready = checkNow();
        while (!ready && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            ready = checkNow();
        }
        watching = true;
        checker.scheduleWithFixedDelay(this::checkNow, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return ready;
    }

    @Override
    public String notReadyReason() {
        return shuttingDown ? "the edge is shutting down" : notReadyReason;
    }

    /** From now on the edge reports not ready, so load balancers stop sending it traffic. */
    public void shuttingDown() {
        shuttingDown = true;
    }

    boolean checkNow() {
        String reason;
        try {
            reason = problem();
        } catch (RuntimeException e) {
            reason = "the Kafka check failed: " + e;
        }
        String previous = notReadyReason;
        notReadyReason = reason;
        if (watching && !Objects.equals(previous, reason)) {
            if (reason == null) {
                LOG.info("Ready: Kafka at {} takes events for topic {}", bootstrap, producer.topic());
            } else {
                LOG.warn("Not ready: {}", reason);
            }
        }
        return reason == null;
    }

    private String problem() {
        boolean producerKnowsTopic = !producer.topicPartitions().isEmpty(); // also asks for metadata when missing
        try {
            admin.describeTopics(List.of(producer.topic())).allTopicNames().get(timeout.toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return "topic " + producer.topic() + " does not exist in Kafka at " + bootstrap + "; create it";
            }
            if (e.getCause() instanceof SslAuthenticationException) {
                return "the TLS handshake with Kafka at " + bootstrap + " failed (" + ErrorMessages.withCauses(e.getCause())
                        + "); " + ClientProperties.kafkaTlsAdvice(EdgeConfig.KAFKA_PROPERTIES.label());
            }
            if (e.getCause() instanceof AuthenticationException) {
                return "Kafka at " + bootstrap + " refused the edge's credentials (" + e.getCause().getMessage()
                        + "); check the user and password (sasl.jaas.config) and the TLS settings in "
                        + EdgeConfig.KAFKA_PROPERTIES.label();
            }
            if (e.getCause() instanceof AuthorizationException) {
                return "Kafka at " + bootstrap + " does not let the edge's user ("
                        + ClientProperties.kafkaIdentity(EdgeConfig.KAFKA_PROPERTIES.label()) + ") use topic "
                        + producer.topic() + " (" + e.getCause().getMessage() + "); it needs an ACL allowing WRITE on "
                        + "the topic";
            }
            return "Kafka at " + bootstrap + " is not reachable (" + e.getCause().getClass().getSimpleName() + ")";
        } catch (java.util.concurrent.TimeoutException e) {
            return "Kafka at " + bootstrap + " did not answer within " + timeout.toMillis() + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        if (!producerKnowsTopic && producer.topicPartitions().isEmpty()) {
            return "the producer has no metadata for topic " + producer.topic() + " yet";
        }
        if (producer.recentlyFailing(interval.multipliedBy(2))) {
            return "recent events were not acknowledged by Kafka";
        }
        return null;
    }

    @Override
    public void close() {
        checker.shutdownNow();
        admin.close(Duration.ofSeconds(2));
    }
}
