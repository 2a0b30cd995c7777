package dev.pageviews.job.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.shaded.guava33.com.google.common.hash.Hashing;
import org.junit.jupiter.api.Test;

/** The hash the dedup state keeps instead of an id: standard MurmurHash3, stable, and spread over the key groups. */
class EventIdHashTest {

    @Test
    void isMurmurHash3X64With128BitsOverTheIdsUtf16LeCodeUnits() {
        SplittableRandom random = new SplittableRandom(7);
        StringBuilder id = new StringBuilder();
        for (int length = 0; length <= 70; length++) { // every tail length, several whole blocks
            assertSameAsReference(id.toString());
            id.append((char) ('!' + random.nextInt(94)));
        }
        for (int i = 0; i < 1000; i++) {
            assertSameAsReference(new UUID(random.nextLong(), random.nextLong()).toString());
        }
        assertSameAsReference("user-ü-€-😀"); // the key of a view without an id may be any user id
    }

    @Test
    void neverChangesForAGivenId() {
        // Key groups, and so where a restored job looks for an id, follow from these values: they must stay the same.
        EventIdHash hash = EventIdHash.of("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f");
        assertThat(hash).isEqualTo(new EventIdHash(hash.high(), hash.low()));
        assertThat(hash.hashCode()).isEqualTo((int) (hash.high() ^ (hash.high() >>> 32)));
        assertThat(KeyGroupRangeAssignment.assignToKeyGroup(hash, 128)).isEqualTo(PINNED_KEY_GROUP);
        assertThat(hash.high()).isEqualTo(PINNED_HIGH);
        assertThat(hash.low()).isEqualTo(PINNED_LOW);
    }

    @Test
    void spreadsIdsEvenlyOverKeyGroupsAndTellsThemApart() {
        int[] perKeyGroup = new int[128];
        Set<EventIdHash> seen = new HashSet<>();
        SplittableRandom random = new SplittableRandom(11);
        int ids = 128_000;
        for (int i = 0; i < ids; i++) {
            EventIdHash hash = EventIdHash.of(new UUID(random.nextLong(), random.nextLong()).toString());
            perKeyGroup[KeyGroupRangeAssignment.assignToKeyGroup(hash, 128)]++;
            seen.add(hash);
        }
        assertThat(seen).hasSize(ids);
        assertThat(java.util.Arrays.stream(perKeyGroup).boxed()).allSatisfy(n -> assertThat(n).isBetween(850, 1150)); // 1,000 expected, σ ≈ 32
    }

    private static void assertSameAsReference(String id) {
        ByteBuffer reference = ByteBuffer.wrap(Hashing.murmur3_128().hashString(id, StandardCharsets.UTF_16LE).asBytes())
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(EventIdHash.of(id)).as(id).isEqualTo(new EventIdHash(reference.getLong(), reference.getLong()));
    }

    private static final long PINNED_HIGH = -7200649262995109575L;
    private static final long PINNED_LOW = 5431052305587503092L;
    private static final int PINNED_KEY_GROUP = 104;
}
