package dev.pageviews.local.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The edge process killed with kill -9 mid-traffic and started again on its port: requests in flight get no
 * answer, and every view answered 202, before and after, is counted exactly once.
 */
class EdgeKillIT {

    @Test
    void everyViewAnswered202IsCountedOnceAcrossAnEdgeKill() throws Exception {
        ChaosResult result = ChaosRuns.run(ChaosRuns.oneFault(8080L), List.of(FaultKind.EDGE_KILL));

        assertThat(result.faultCount(FaultKind.EDGE_KILL)).isEqualTo(1);
        assertThat(result.faults().get(FaultKind.EDGE_KILL).notRecovered()).isZero();
        assertThat(result.unknown() + result.notDelivered()).as("views the kill left without an answer").isPositive();
        assertThat(result.accepted()).as("views answered 2xx").isGreaterThan(1_000);
        assertThat(result.settled()).isTrue();
        assertThat(result.lost()).as("views answered 2xx and not counted; the run:%n%s", result.table()).isZero();
        assertThat(result.countedTwice()).as("views counted twice; the run:%n%s", result.table()).isZero();
    }
}
