package dev.pageviews.local.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosResultTest {

    private static final ChaosConfig CONFIG = new ChaosConfig(Duration.ofMinutes(2), 7, 600, Duration.ofSeconds(5),
            Duration.ofSeconds(20), EnumSet.allOf(FaultKind.class));

    @Test
    void aLostViewFailsTheRunAndIsListedUnderTheFaultItMet() {
        Map<FaultKind, ChaosResult.FaultStats> faults = ChaosResult.noFaults();
        faults.put(FaultKind.REDIS_OOM, faults.get(FaultKind.REDIS_OOM).plus(Duration.ofMillis(300), Duration.ofSeconds(7)));
        List<Ledger.Mismatch> mismatches = List.of(new Ledger.Mismatch("/chaos/s/s0-1", 0, 1, 0, 101_000),
                new Ledger.Mismatch(Load.BAD_FIELD_PAGE, 8, 10, 0, 1_000));
        ChaosResult result = new ChaosResult(CONFIG, Duration.ofSeconds(125), 11, 11, 0, 0, 0, 0, 8, 3, 0, mismatches, faults,
                List.of(new FaultWindow(1, FaultKind.REDIS_OOM, 100_000, 107_000)), false, true);

        assertThat(result.exact()).isFalse();
        assertThat(result.table())
                .contains("2m05s of load at 600 views/s, seed 7")
                .containsPattern("Redis maxmemory tiny \\(noeviction\\)\\s+1\\s+0.3 s\\s+7.0 s")
                .containsPattern("fault 1 \\(Redis maxmemory tiny \\(noeviction\\)\\)\\s+1 lost\\s+0 counted twice")
                .containsPattern("the bad-field page \\(fed all run long\\)\\s+2 lost")
                .contains("RESULT: FAILED: 3 lost, 0 counted twice");
    }

    @Test
    void noLossNoDoubleAndSettledIsExact() {
        ChaosResult result = new ChaosResult(CONFIG, Duration.ofSeconds(120), 10, 9, 1, 0, 0, 0, 9, 0, 0, List.of(),
                ChaosResult.noFaults(), List.of(), true, true);

        assertThat(result.exact()).isTrue();
        assertThat(result.table()).contains("RESULT: OK");
    }

    @Test
    void countsThatDidNotSettleFailTheRun() {
        ChaosResult result = new ChaosResult(CONFIG, Duration.ofSeconds(120), 10, 9, 1, 0, 0, 0, 9, 0, 0, List.of(),
                ChaosResult.noFaults(), List.of(), true, false);

        assertThat(result.exact()).isFalse();
        assertThat(result.table()).contains("counts not settled");
    }
}
