package dev.pageviews.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChaosResultTest {

    private static final ChaosConfig CONFIG = ChaosConfig.parse(new String[] {"--minutes", "2", "--seed", "7", "--rate", "600"},
            Map.of());

    @Test
    void aLostViewFailsTheRunAndIsListedUnderTheFaultItMet() {
        Map<FaultKind, ChaosResult.FaultStats> faults = ChaosResult.noFaults();
        faults.put(FaultKind.REDIS_OOM, faults.get(FaultKind.REDIS_OOM).plus(Duration.ofMillis(300), Duration.ofSeconds(7)));
        List<Ledger.Mismatch> mismatches = List.of(new Ledger.Mismatch("/chaos/s/s0-1", 0, 1, 0, 101_000),
                new Ledger.Mismatch(Load.BAD_FIELD_PAGE, 8, 10, 0, 1_000));
        ChaosResult result = new ChaosResult(CONFIG, Duration.ofSeconds(125), 11, 11, 0, 0, 0, 0, 0, 0, 0, 8, 3, 0, mismatches, faults,
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
        ChaosResult result = new ChaosResult(CONFIG, Duration.ofSeconds(120), 10, 9, 1, 0, 0, 0, 0, 0, 0, 9, 0, 0, List.of(),
                ChaosResult.noFaults(), List.of(), true, true);

        assertThat(result.exact()).isTrue();
        assertThat(result.table()).contains("RESULT: OK");
    }

    @Test
    void theTableShowsRetriesAndTheViewsThatNeverGotA2xx() {
        // 100 views: 95 answered 2xx (4 of them only at a retry), 2 refused (4xx), 1 never delivered, 2 unknown at the end
        ChaosResult result = new ChaosResult(CONFIG, Duration.ofSeconds(120), 100, 95, 2, 1, 2, 6, 17, 4, 3, 96, 0, 0, List.of(),
                ChaosResult.noFaults(), List.of(), true, true);

        assertThat(result.exact()).isTrue();
        assertThat(result.table())
                .containsPattern("views sent, each with an event_id of its own\\s+100\\n")
                .containsPattern("retries, same event_id \\(no definite answer\\)\\s+17\\n")
                .containsPattern("sent again after a 2xx \\(reply taken as lost\\)\\s+3\\n")
                .containsPattern("tries answered 503 \\(Kafka unavailable\\)\\s+6\\n")
                .containsPattern("answered 2xx \\(must be counted once\\)\\s+95\\n")
                .containsPattern("of which only at a retry\\s+4\\n")
                .containsPattern("never answered 2xx\\s+5\\n")
                .containsPattern("unknown after the last try \\(counted 0 or 1\\)\\s+2\\n")
                .contains("A view is tried up to 8 times");
    }

    @Test
    void countsThatDidNotSettleFailTheRun() {
        ChaosResult result = new ChaosResult(CONFIG, Duration.ofSeconds(120), 10, 9, 1, 0, 0, 0, 0, 0, 0, 9, 0, 0, List.of(),
                ChaosResult.noFaults(), List.of(), true, false);

        assertThat(result.exact()).isFalse();
        assertThat(result.table()).contains("counts not settled");
    }
}
