package dev.pageviews.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A short chaos run with a fixed seed: every kind of fault at least once under load, views retried with their
 * event ids, and still every view answered 2xx counted exactly once, nothing counted twice.
 */
class ChaosIT {

    @Test
    void everyAcceptedViewIsCountedExactlyOnceThroughEveryKindOfFault() throws Exception {
        ChaosResult result = ChaosRuns.run(ChaosRuns.shortRun(Duration.ofSeconds(60), 20261202L), null);

        for (FaultKind kind : FaultKind.values()) {
            assertThat(result.faultCount(kind)).as("faults of kind %s", kind).isPositive();
            assertThat(result.faults().get(kind).notRecovered()).as("%s faults not recovered from", kind).isZero();
        }
        assertThat(result.accepted()).as("views answered 2xx").isGreaterThan(5_000);
        assertThat(result.retries()).as("tries the faults left without an answer, so sent again").isPositive();
        assertThat(result.acceptedOnRetry()).as("views answered 2xx only at a retry").isPositive();
        assertThat(result.resentAfter2xx()).as("copies sent after a 2xx").isPositive();
        assertThat(result.settled()).as("counts settled after the load").isTrue();
        assertThat(result.lost()).as("views answered 2xx and not counted; the run:%n%s", result.table()).isZero();
        assertThat(result.countedTwice()).as("views counted twice; the run:%n%s", result.table()).isZero();
    }
}
