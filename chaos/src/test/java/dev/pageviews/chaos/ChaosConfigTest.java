package dev.pageviews.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChaosConfigTest {

    @Test
    void readsItsFlagsThroughTheSharedSettings() {
        ChaosConfig config = ChaosConfig.parse(new String[] {"--minutes", "0.5", "--seed", "42", "--rate=300",
            "--faults", "kafka,edge"});
        assertThat(config.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.seed()).isEqualTo(42);
        assertThat(config.viewsPerSecond()).isEqualTo(300);
        assertThat(config.kinds()).containsExactlyInAnyOrder(FaultKind.KAFKA_KILL, FaultKind.EDGE_KILL);
        assertThat(ChaosConfig.parse(new String[] {"-h"})).isNull();
        assertThat(ChaosConfig.usage()).contains("--minutes <minutes>", "PAGEVIEWS_CHAOS_SEED", "--faults <text>");
    }

    @Test
    void badValuesNameTheFlag() {
        assertThatThrownBy(() -> ChaosConfig.parse(new String[] {"--minutes", "0"}))
                .hasMessage("--minutes (PAGEVIEWS_CHAOS_MINUTES): '0' must be more than 0 and at most 1440 (a day)");
        assertThatThrownBy(() -> ChaosConfig.parse(new String[] {"--faults", "kafka,meteor"}))
                .hasMessageStartingWith("--faults (PAGEVIEWS_CHAOS_FAULTS): unknown fault 'meteor'; use all or some of kafka,");
        assertThatThrownBy(() -> ChaosConfig.parse(new String[] {"--rate", "100000"}))
                .hasMessage("--rate (PAGEVIEWS_CHAOS_RATE): 100000 is not from 50 to 5000");
        assertThatThrownBy(() -> ChaosConfig.parse(new String[] {"--seed", "x"}))
                .hasMessage("--seed (PAGEVIEWS_CHAOS_SEED): 'x' is not a whole number from " + Long.MIN_VALUE + " to "
                        + Long.MAX_VALUE);
    }
}
