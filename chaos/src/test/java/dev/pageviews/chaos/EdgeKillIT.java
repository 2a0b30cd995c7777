package dev.pageviews.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The edge process killed with kill -9 mid-traffic and started again on its port: requests in flight get no
 * answer and are sent again with their event ids, as is every view sent while the edge is down, until it is back;
 * every view answered 202, at any try, is counted exactly once.
 */
class EdgeKillIT {

    @Test
    void everyViewAnswered202IsCountedOnceAcrossAnEdgeKill() throws Exception {
        ChaosResult result = ChaosRuns.run(ChaosRuns.oneFault(8080L), List.of(FaultKind.EDGE_KILL));

        assertThat(result.faultCount(FaultKind.EDGE_KILL)).isEqualTo(1);
        assertThat(result.faults().get(FaultKind.EDGE_KILL).notRecovered()).isZero();
        assertThat(result.retries()).as("tries the kill left without an answer, so sent again").isPositive();
        assertThat(result.acceptedOnRetry()).as("views answered 2xx at a retry, once the edge was back").isPositive();
        assertThat(result.accepted()).as("views answered 2xx").isGreaterThan(1_000);
        assertThat(result.resentAfter2xx()).as("copies sent after a 2xx").isPositive();
        assertThat(result.settled()).isTrue();
        assertThat(result.lost()).as("views answered 2xx and not counted; the run:%n%s", result.table()).isZero();
        assertThat(result.countedTwice()).as("views counted twice; the run:%n%s", result.table()).isZero();
    }
}
