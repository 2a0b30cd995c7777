package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReadinessTest {

    @Test
    void readyOnlyWhenBothAreAndSaysWhyNotFirstForTheFirst() {
        AtomicReference<String> kafka = new AtomicReference<>("Kafka at k:9092 is not reachable");
        AtomicReference<String> job = new AtomicReference<>("the Flink job is RESTARTING");
        Readiness both = ((Readiness) kafka::get).and(job::get);

        assertThat(both.notReadyReason()).isEqualTo("Kafka at k:9092 is not reachable");
        kafka.set(null);
        assertThat(both.notReadyReason()).isEqualTo("the Flink job is RESTARTING"); // asked again each time, not cached
        job.set(null);
        assertThat(both.notReadyReason()).isNull();
        job.set("the Flink job ended: FAILED");
        assertThat(both.notReadyReason()).isEqualTo("the Flink job ended: FAILED");
    }

    @Test
    void alwaysAddsNoCondition() {
        assertThat(((Readiness) () -> null).and(Readiness.ALWAYS).notReadyReason()).isNull();
        assertThat(((Readiness) () -> "no").and(Readiness.ALWAYS).notReadyReason()).isEqualTo("no");
    }
}
