package dev.pageviews.job.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Which lineage a starting writer continues, and when its restore point is behind what Redis counted. */
class LineageTest {

    private static String resolve(OptionalLong restored, List<String> lineages, Lineage.Record inRedis, boolean allowBehind) {
        return Lineage.resolve(restored, lineages, "job-new", Optional.ofNullable(inRedis), allowBehind, "page_views");
    }

    @Test
    void aJobWithoutStateBeginsALineageWhateverRedisRecords() {
        assertThat(resolve(OptionalLong.empty(), List.of(), null, false)).isEqualTo("job-new");
        assertThat(resolve(OptionalLong.empty(), List.of(), new Lineage.Record("job-old", 900), false)).isEqualTo("job-new");
    }

    @Test
    void aRestoreAtOrAheadOfRedisContinuesItsLineage() {
        assertThat(resolve(OptionalLong.of(40), List.of("job-a", "job-a"), new Lineage.Record("job-a", 40), false)).isEqualTo("job-a");
        assertThat(resolve(OptionalLong.of(40), List.of("job-a"), new Lineage.Record("job-a", 12), false)).isEqualTo("job-a");
        assertThat(resolve(OptionalLong.of(40), List.of("job-a"), null, false)).isEqualTo("job-a");
    }

    @Test
    void aRestoreBehindRedisIsRefusedWithBothCheckpointsAndTheOverride() {
        assertThatThrownBy(() -> resolve(OptionalLong.of(39), List.of("job-a"), new Lineage.Record("job-a", 40), false))
                .isInstanceOf(Lineage.RestoreBehindRedis.class)
                .hasMessageContaining("checkpoint 40").hasMessageContaining("checkpoint 39")
                .hasMessageContaining("--allow-restore-behind-redis");
    }

    @Test
    void aRestoreOfALineageRedisHasLeftIsRefused() {
        // a job started without state wrote since: the restored history is behind it, whatever the ids say
        assertThatThrownBy(() -> resolve(OptionalLong.of(4000), List.of("job-a"), new Lineage.Record("job-b", 50), false))
                .isInstanceOf(Lineage.RestoreBehindRedis.class).hasMessageContaining("job-b").hasMessageContaining("job-a");
    }

    @Test
    void theOverrideForksANewLineage() {
        assertThat(resolve(OptionalLong.of(39), List.of("job-a"), new Lineage.Record("job-a", 40), true)).isEqualTo("job-new");
    }

    @Test
    void aSubtaskWithoutLineageStateComparesCheckpointsAndAdoptsRedisLineage() {
        // restored from a savepoint of a build that recorded no lineage
        assertThat(resolve(OptionalLong.of(40), List.of(), new Lineage.Record("job-a", 40), false)).isEqualTo("job-a");
        assertThatThrownBy(() -> resolve(OptionalLong.of(39), List.of(), new Lineage.Record("job-a", 40), false))
                .isInstanceOf(Lineage.RestoreBehindRedis.class);
    }
}
