package dev.pageviews.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Kafka broker killed with kill -9 while the edge takes traffic, then restarted on its data: the edge
 * answers 503 during the outage, the views are sent again with their event ids until Kafka is back, and every
 * view answered 202, at any try, is counted exactly once.
 */
class KafkaKillIT {

    @Test
    void everyViewAnswered202IsCountedOnceAndTheOutageIsAnswered503() throws Exception {
        ChaosResult result = ChaosRuns.run(ChaosRuns.oneFault(9092L), List.of(FaultKind.KAFKA_KILL));

        assertThat(result.faultCount(FaultKind.KAFKA_KILL)).isEqualTo(1);
        assertThat(result.faults().get(FaultKind.KAFKA_KILL).notRecovered()).isZero();
        assertThat(result.unavailable()).as("tries answered 503 while Kafka was down").isPositive();
        assertThat(result.acceptedOnRetry()).as("views answered 2xx at a retry, once Kafka was back").isPositive();
        assertThat(result.accepted()).as("views answered 2xx").isGreaterThan(1_000);
        assertThat(result.resentAfter2xx()).as("copies sent after a 2xx").isPositive();
        assertThat(result.settled()).isTrue();
        assertThat(result.lost()).as("views answered 2xx and not counted; the run:%n%s", result.table()).isZero();
        assertThat(result.countedTwice()).as("views counted twice; the run:%n%s", result.table()).isZero();
    }
}
