package dev.pageviews.job.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The dedup state's key: exact (one key per id string), compact for UUIDs, stable, spread over the key groups. */
class DedupKeyTest {

    @Test
    void keepsACanonicalLowercaseUuidAsItsBitsAndGivesTheSameIdBack() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 10_000; i++) {
            UUID uuid = new UUID(random.nextLong(), random.nextLong());
            DedupKey key = DedupKey.of(uuid.toString());
            assertThat(key.isUuid()).isTrue();
            assertThat(key).isEqualTo(new DedupKey(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits(), null));
            assertThat(key.id()).isEqualTo(uuid.toString());
        }
        assertThat(DedupKey.of("ffffffff-ffff-ffff-ffff-ffffffffffff").id()).isEqualTo("ffffffff-ffff-ffff-ffff-ffffffffffff");
        assertThat(DedupKey.of("00000000-0000-0000-0000-000000000000").isUuid()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"3F2B8C1E-9D4A-4E5B-8C7D-1A2B3C4D5E6F", "3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6g",
            "3f2b8c1e:9d4a-4e5b-8c7d-1a2b3c4d5e6f", "3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6", "order-42", "", "user-ü"})
    void keepsEveryOtherIdAsItselfSoThatNoTwoIdsShareAKey(String id) {
        DedupKey key = DedupKey.of(id);
        assertThat(key.isUuid()).isFalse();
        assertThat(key.id()).isEqualTo(id);
    }

    @Test
    void anUppercaseUuidAndItsLowercaseFormAreTwoIds() {
        // ids are case-sensitive strings: the job must not take two of them for one
        assertThat(DedupKey.of("3F2B8C1E-9D4A-4E5B-8C7D-1A2B3C4D5E6F"))
                .isNotEqualTo(DedupKey.of("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f"));
    }

    @Test
    void neverChangesItsBucketOrPlace() {
        // where a restored job looks for an id follows from spread(): these must stay the same
        assertThat(DedupKey.of("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f").spread()).isEqualTo(PINNED_UUID_SPREAD);
        assertThat(DedupKey.of("order-42").spread()).isEqualTo(PINNED_TEXT_SPREAD);
        assertThat(DedupKey.of("order-42").bucket()).isEqualTo(30095);
    }

    @Test
    void spreadsTimeOrderedIdsEvenlyOverTheKeyGroupsOfTheirBuckets() {
        int[] perKeyGroup = new int[128];
        Set<DedupKey> seen = new HashSet<>();
        SplittableRandom random = new SplittableRandom(11);
        int ids = 128_000;
        long millis = 1_730_000_000_000L;
        for (int i = 0; i < ids; i++) { // UUIDv7 as the edge makes them: the high bits are mostly the clock
            long high = ((millis + i / 100) << 16) | 0x7000L | (random.nextInt() & 0x0fffL);
            UUID uuid = new UUID(high, (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L);
            DedupKey key = DedupKey.of(uuid.toString());
            perKeyGroup[KeyGroupRangeAssignment.assignToKeyGroup(key.bucket(), 128)]++;
            seen.add(key);
        }
        assertThat(seen).hasSize(ids);
        assertThat(java.util.Arrays.stream(perKeyGroup).boxed()).allSatisfy(n -> assertThat(n).isBetween(750, 1250)); // 1,000 expected, σ ≈ 70 (ids over buckets, buckets over key groups)
    }

    private static final long PINNED_UUID_SPREAD = 1871895276053915429L;
    private static final long PINNED_TEXT_SPREAD = -1504721226682757459L;
}
