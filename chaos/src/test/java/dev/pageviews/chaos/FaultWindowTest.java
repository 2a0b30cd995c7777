package dev.pageviews.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaultWindowTest {

    private final List<FaultWindow> windows = List.of(
            new FaultWindow(1, FaultKind.REDIS_OOM, 100_000, 110_000),
            new FaultWindow(2, FaultKind.EDGE_KILL, 120_000, 140_000));

    @Test
    void aViewBelongsToTheFirstFaultItMetOnItsWayToRedis() {
        assertThat(FaultWindow.firstMet(windows, 84_999)).isNull(); // counted before the first fault began
        assertThat(FaultWindow.firstMet(windows, 85_000).number()).isEqualTo(1); // still on its way when it began
        assertThat(FaultWindow.firstMet(windows, 109_000).number()).isEqualTo(1); // sent during it, also before fault 2
        assertThat(FaultWindow.firstMet(windows, 110_001).number()).isEqualTo(2); // after fault 1, met fault 2
        assertThat(FaultWindow.firstMet(windows, 140_001)).isNull();
    }
}
