package dev.pageviews.edge.produce;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void areVersion7UuidsCarryingTheMillisecond() {
        long millis = 1_730_814_562_123L;
        UUID id = UUID.fromString(EventIds.next(millis));

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(millis);
    }

    @Test
    void areUniqueWithinOneMillisecondAndSortByTime() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add(EventIds.next(1_730_814_562_123L));
        }
        assertThat(ids).hasSize(100_000);
        assertThat(EventIds.next(1_730_814_562_123L)).isLessThan(EventIds.next(1_730_814_562_124L));
    }
}
