package dev.pageviews.job.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** One bucket's table of remembered ids: exact membership, windows, growth, reuse of expired slots, and its format. */
class RememberedIdsTest {

    private static final int NOW = RememberedIds.second(1_730_000_000_000L);

    @Test
    void remembersEachIdExactlyWhateverItsKindAndHowManyThereAre() {
        RememberedIds ids = new RememberedIds();
        SplittableRandom random = new SplittableRandom(5);
        Map<DedupKey, Boolean> expected = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            DedupKey key = i % 3 == 0 ? DedupKey.of("order-" + random.nextInt(5_000))
                    : DedupKey.of(new UUID(random.nextInt(3), random.nextInt(8_000)).toString()); // many share high bits
            boolean isNew = expected.putIfAbsent(key, true) == null;
            assertThat(ids.rememberIfNew(key, NOW, 60)).as("id %s", key.id()).isEqualTo(isNew);
        }
        assertThat(ids.size()).isEqualTo(expected.size());
        Map<DedupKey, Integer> listed = new HashMap<>();
        ids.forEach(listed::put);
        assertThat(listed.keySet()).isEqualTo(expected.keySet());
    }

    @Test
    void anIdIsRememberedForItsSpanAfterItsFirstCountAndThenCountsAgain() {
        RememberedIds ids = new RememberedIds();
        DedupKey key = DedupKey.of("a");
        assertThat(ids.rememberIfNew(key, NOW, 10)).isTrue();
        assertThat(ids.rememberIfNew(key, NOW + 10, 10)).as("a copy within the window").isFalse();
        assertThat(ids.rememberIfNew(key, NOW + 11, 10)).as("the window has passed").isTrue();
        assertThat(ids.rememberIfNew(key, NOW + 21, 10)).as("remembered anew from the second count").isFalse();
        assertThat(ids.rememberIfNew(key, NOW + 25, 3)).as("a shorter window applies to ids remembered before").isTrue();
        assertThat(ids.size()).isEqualTo(1);
    }

    @Test
    void aWindowLastsAtLeastAsLongAsAskedAndAtMostASecondLonger() {
        long window = 4_000;
        int span = RememberedIds.span(window);
        for (long first : new long[] {1_730_000_000_000L, 1_730_000_000_400L, 1_730_000_000_999L}) {
            int counted = RememberedIds.second(first);
            assertThat(RememberedIds.remembered(counted, RememberedIds.second(first + window - 1), span)).isTrue();
            assertThat(RememberedIds.remembered(counted, RememberedIds.second(first + window + 1_000), span)).isFalse();
        }
        assertThat(RememberedIds.span(4_001)).isEqualTo(5);
        assertThat(RememberedIds.second(0)).as("a clock before 2020 is not an empty slot").isEqualTo(1);
    }

    @Test
    void expiredIdsGiveTheirSlotsToNewOnesAndAreLeftOutOfSnapshotsWhichAreReadBackSmall() throws Exception {
        RememberedIds ids = new RememberedIds();
        for (int i = 0; i < 10_000; i++) {
            ids.rememberIfNew(DedupKey.of("old-" + i), NOW, 5);
        }
        int slotsAfterOld = slots(ids);
        for (int i = 0; i < 10_000; i++) { // later, as many new ids as old ones: they take the old ids' slots
            assertThat(ids.rememberIfNew(DedupKey.of("new-" + i), NOW + 6, 5)).isTrue();
        }
        assertThat(slots(ids)).as("no growth for ids that replace expired ones").isEqualTo(slotsAfterOld);
        assertThat(ids.size()).isEqualTo(10_000);
        assertThat(ids.rememberIfNew(DedupKey.of("old-7"), NOW + 6, 5)).as("an expired id counts again").isTrue();

        for (int i = 0; i < 200; i++) { // long after, few ids: they reuse slots, the arrays keep their size
            ids.rememberIfNew(DedupKey.of("later-" + i), NOW + 100, 5);
        }
        assertThat(ids.size()).isEqualTo(200);
        DataOutputSerializer out = new DataOutputSerializer(64);
        RememberedIdsSerializer.INSTANCE.serialize(ids, out);
        RememberedIds restored = RememberedIdsSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(restored.size()).isEqualTo(200);
        assertThat(slots(restored)).as("a snapshot holds the 200 only, and is read back into arrays sized for them")
                .isEqualTo(512);
    }

    @Test
    void aCopySharesNothingWithItsOriginal() {
        RememberedIds ids = new RememberedIds();
        ids.rememberIfNew(DedupKey.of("a"), NOW, 10);
        RememberedIds copy = ids.copy();
        ids.rememberIfNew(DedupKey.of("b"), NOW, 10);
        ids.rememberIfNew(DedupKey.of(new UUID(1, 2).toString()), NOW, 10);
        assertThat(copy.size()).isEqualTo(1);
        assertThat(copy.rememberIfNew(DedupKey.of("b"), NOW, 10)).isTrue();
    }

    @Test
    void isWrittenWithoutItsExpiredIdsAndReadBackWithTheSecondsOfTheirFirstCounts() throws Exception {
        RememberedIds ids = new RememberedIds();
        ids.rememberIfNew(DedupKey.of("expired"), NOW, 8);
        ids.rememberIfNew(DedupKey.of("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f"), NOW + 1, 8);
        ids.rememberIfNew(DedupKey.of("order-ü"), NOW + 9, 8);

        DataOutputSerializer out = new DataOutputSerializer(64);
        RememberedIdsSerializer.INSTANCE.serialize(ids, out);
        assertThat(out.length()).as("three ints, a UUID in 21 bytes, a text id in 1 + 2 + 8 + 4").isEqualTo(12 + 21 + 15);
        RememberedIds read = RememberedIdsSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        Map<String, Integer> firsts = new HashMap<>();
        read.forEach((key, first) -> firsts.put(key.id(), first));
        assertThat(firsts).isEqualTo(Map.of("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f", NOW + 1, "order-ü", NOW + 9));
        assertThat(read.rememberIfNew(DedupKey.of("order-ü"), NOW + 17, 8)).isFalse();
        assertThat(read.rememberIfNew(DedupKey.of("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f"), NOW + 10, 8)).as("expired since").isTrue();
        assertThat(read.rememberIfNew(DedupKey.of("expired"), NOW + 10, 8)).isTrue();
    }

    private static int slots(RememberedIds ids) {
        String text = ids.toString(); // "RememberedIds[n of m slots]"
        return Integer.parseInt(text.substring(text.indexOf(" of ") + 4, text.indexOf(" slots")));
    }
}
