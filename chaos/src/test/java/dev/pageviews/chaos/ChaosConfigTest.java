package dev.pageviews.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosConfigTest {

    private static ChaosConfig parse(String... args) {
        return ChaosConfig.parse(args, Map.of());
    }

    @Test
    void readsItsFlagsThroughTheSharedSettings() {
        ChaosConfig config = parse("--minutes", "0.5", "--seed", "42", "--rate=300", "--faults", "kafka,edge");
        assertThat(config.duration()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.seed()).isEqualTo(42);
        assertThat(config.viewsPerSecond()).isEqualTo(300);
        assertThat(config.kinds()).containsExactlyInAnyOrder(FaultKind.KAFKA_KILL, FaultKind.EDGE_KILL);
        assertThat(config.minGap()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.maxGap()).isEqualTo(Duration.ofSeconds(20));
        assertThat(ChaosConfig.parse(new String[0], Map.of("PAGEVIEWS_CHAOS_RATE", "900")).viewsPerSecond()).isEqualTo(900);
        assertThat(parse("-h").helpRequested()).isTrue();
        assertThat(config.helpRequested()).isFalse();
        assertThat(ChaosConfig.usage()).contains("--minutes <minutes>", "PAGEVIEWS_CHAOS_SEED", "--faults <text>");
    }

    @Test
    void aSeedLeftUnsetIsDrawnOnceAndKeptByCopies() {
        ChaosConfig config = parse();
        assertThat(config.seed()).isBetween(1L, 999_999L);
        assertThat(config.seed()).isEqualTo(config.seed());
        assertThat(config.with(ChaosConfig.RATE, 300).seed()).isEqualTo(config.seed());
        assertThat(config.get(ChaosConfig.SEED)).isEqualTo(Long.toString(config.seed())); // as the run prints it
    }

    @Test
    void copiesAreCheckedAsTheirFlags() {
        ChaosConfig config = parse("--seed", "7").withGaps(Duration.ofSeconds(2), Duration.ofSeconds(5));
        ChaosConfig copy = config.with(ChaosConfig.MINUTES, 0.25).with(ChaosConfig.FAULTS, "redis");
        assertThat(copy.duration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(copy.kinds()).containsExactly(FaultKind.REDIS_KILL);
        assertThat(copy.seed()).isEqualTo(7);
        assertThat(copy.minGap()).isEqualTo(Duration.ofSeconds(2)); // the gaps are kept
        assertThat(config.duration()).isEqualTo(Duration.ofMinutes(5)); // unchanged
        assertThatThrownBy(() -> config.with(ChaosConfig.RATE, 10))
                .hasMessage("--rate (PAGEVIEWS_CHAOS_RATE): 10 is not from 50 to 5000");
        assertThatThrownBy(() -> config.with(ChaosConfig.FAULTS, "meteor"))
                .hasMessageStartingWith("--faults (PAGEVIEWS_CHAOS_FAULTS): unknown fault 'meteor'");
    }

    @Test
    void helpIsAskedForWhateverTheEnvironmentHolds() {
        assertThat(ChaosConfig.asksForHelp(new String[] {"--help"})).isTrue();
        assertThat(ChaosConfig.asksForHelp(new String[] {"--minutes", "1"})).isFalse();
        // the environment is not read for it: a bad PAGEVIEWS_CHAOS_* variable still lets --help print
        assertThatThrownBy(() -> ChaosConfig.parse(new String[] {"--help"}, Map.of("PAGEVIEWS_CHAOS_RATE", "lots")))
                .hasMessageContaining("PAGEVIEWS_CHAOS_RATE");
    }

    @Test
    void badValuesNameTheFlag() {
        assertThatThrownBy(() -> parse("--minutes", "0"))
                .hasMessage("--minutes (PAGEVIEWS_CHAOS_MINUTES): '0' must be more than 0 and at most 1440 (a day)");
        assertThatThrownBy(() -> parse("--minutes", "1441"))
                .hasMessage("--minutes (PAGEVIEWS_CHAOS_MINUTES): '1441' must be more than 0 and at most 1440 (a day)");
        assertThatThrownBy(() -> parse("--minutes", "0.000001"))
                .hasMessage("--minutes (PAGEVIEWS_CHAOS_MINUTES): '0.000001' is less than a millisecond; write e.g. 5 or 0.5");
        assertThatThrownBy(() -> parse("--minutes", "soon"))
                .hasMessage("--minutes (PAGEVIEWS_CHAOS_MINUTES): 'soon' is not a number of minutes, e.g. 5 or 0.5");
        assertThatThrownBy(() -> parse("--faults", "kafka,meteor"))
                .hasMessageStartingWith("--faults (PAGEVIEWS_CHAOS_FAULTS): unknown fault 'meteor'; use all or some of kafka,");
        assertThatThrownBy(() -> parse("--faults", ","))
                .hasMessageStartingWith("--faults (PAGEVIEWS_CHAOS_FAULTS): ',' names no fault; use all or some of kafka,");
        assertThatThrownBy(() -> parse("--rate", "100000"))
                .hasMessage("--rate (PAGEVIEWS_CHAOS_RATE): 100000 is not from 50 to 5000");
        assertThatThrownBy(() -> parse("--rate", "49"))
                .hasMessage("--rate (PAGEVIEWS_CHAOS_RATE): 49 is not from 50 to 5000");
        assertThatThrownBy(() -> parse("--seed", "x"))
                .hasMessage("--seed (PAGEVIEWS_CHAOS_SEED): 'x' is not a whole number from " + Long.MIN_VALUE + " to "
                        + Long.MAX_VALUE);
    }
}
