package dev.pageviews.job.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * One bucket's table of remembered ids: exact membership, windows, growth, reuse of expired slots, its format, slots
 * that ids chosen to collide cannot share, and its limit.
 */
class RememberedIdsTest {

    private static final int NOW = RememberedIds.second(1_730_000_000_000L);
    private static final int NO_LIMIT = Integer.MAX_VALUE;

    @Test
    void remembersEachIdExactlyWhateverItsKindAndHowManyThereAre() {
        RememberedIds ids = new RememberedIds();
        SplittableRandom random = new SplittableRandom(5);
        Map<DedupKey, Boolean> expected = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            DedupKey key = i % 3 == 0 ? DedupKey.of("order-" + random.nextInt(5_000))
                    : DedupKey.of(new UUID(random.nextInt(3), random.nextInt(8_000)).toString()); // many share high bits
            boolean isNew = expected.putIfAbsent(key, true) == null;
            assertThat(ids.rememberIfNew(key, NOW, 60, NO_LIMIT)).as("id %s", key.id()).isEqualTo(isNew);
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
        assertThat(ids.rememberIfNew(key, NOW, 10, NO_LIMIT)).isTrue();
        assertThat(ids.rememberIfNew(key, NOW + 10, 10, NO_LIMIT)).as("a copy within the window").isFalse();
        assertThat(ids.rememberIfNew(key, NOW + 11, 10, NO_LIMIT)).as("the window has passed").isTrue();
        assertThat(ids.rememberIfNew(key, NOW + 21, 10, NO_LIMIT)).as("remembered anew from the second count").isFalse();
        assertThat(ids.rememberIfNew(key, NOW + 25, 3, NO_LIMIT)).as("a shorter window applies to ids remembered before").isTrue();
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
            ids.rememberIfNew(DedupKey.of("old-" + i), NOW, 5, NO_LIMIT);
        }
        int slotsAfterOld = slots(ids);
        for (int i = 0; i < 10_000; i++) { // later, as many new ids as old ones: they take the old ids' slots
            assertThat(ids.rememberIfNew(DedupKey.of("new-" + i), NOW + 6, 5, NO_LIMIT)).isTrue();
        }
        assertThat(slots(ids)).as("no growth for ids that replace expired ones").isEqualTo(slotsAfterOld);
        assertThat(ids.size()).isEqualTo(10_000);
        assertThat(ids.rememberIfNew(DedupKey.of("old-7"), NOW + 6, 5, NO_LIMIT)).as("an expired id counts again").isTrue();

        for (int i = 0; i < 200; i++) { // long after, few ids: they reuse slots, the arrays keep their size
            ids.rememberIfNew(DedupKey.of("later-" + i), NOW + 100, 5, NO_LIMIT);
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
        ids.rememberIfNew(DedupKey.of("a"), NOW, 10, NO_LIMIT);
        RememberedIds copy = ids.copy();
        ids.rememberIfNew(DedupKey.of("b"), NOW, 10, NO_LIMIT);
        ids.rememberIfNew(DedupKey.of(new UUID(1, 2).toString()), NOW, 10, NO_LIMIT);
        assertThat(copy.size()).isEqualTo(1);
        assertThat(copy.rememberIfNew(DedupKey.of("b"), NOW, 10, NO_LIMIT)).isTrue();
    }

    @Test
    void isWrittenWithoutItsExpiredIdsAndReadBackWithTheSecondsOfTheirFirstCounts() throws Exception {
        RememberedIds ids = new RememberedIds();
        ids.rememberIfNew(DedupKey.of("expired"), NOW, 8, NO_LIMIT);
        ids.rememberIfNew(DedupKey.of("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f"), NOW + 1, 8, NO_LIMIT);
        ids.rememberIfNew(DedupKey.of("order-ü"), NOW + 9, 8, NO_LIMIT);

        DataOutputSerializer out = new DataOutputSerializer(64);
        RememberedIdsSerializer.INSTANCE.serialize(ids, out);
        assertThat(out.length()).as("three ints, a UUID in 21 bytes, a text id in 1 + 2 + 8 + 4").isEqualTo(12 + 21 + 15);
        RememberedIds read = RememberedIdsSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        Map<String, Integer> firsts = new HashMap<>();
        read.forEach((key, first) -> firsts.put(key.id(), first));
        assertThat(firsts).isEqualTo(Map.of("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f", NOW + 1, "order-ü", NOW + 9));
        assertThat(read.rememberIfNew(DedupKey.of("order-ü"), NOW + 17, 8, NO_LIMIT)).isFalse();
        assertThat(read.rememberIfNew(DedupKey.of("3f2b8c1e-9d4a-4e5b-8c7d-1a2b3c4d5e6f"), NOW + 10, 8, NO_LIMIT)).as("expired since").isTrue();
        assertThat(read.rememberIfNew(DedupKey.of("expired"), NOW + 10, 8, NO_LIMIT)).isTrue();
    }

    @Test
    void idsChosenToCollideInTheirSpreadDoNotCrowdIntoOneRunOfSlots() {
        SplittableRandom random = new SplittableRandom(29);
        RememberedIds uuids = new RememberedIds();
        RememberedIds texts = new RememberedIds();
        long spread = 0;
        for (int i = 0; i < 20_000; i++) {
            long high = random.nextLong(); // high * G ^ low fixed: one spread, so one bucket, for every id
            DedupKey uuid = DedupKey.of(new UUID(high, 0x5DEECE66DL ^ high * 0x9E3779B97F4A7C15L).toString());
            StringBuilder blocks = new StringBuilder(); // Aa and BB: one String.hashCode, so one spread
            for (int b = 0; b < 16; b++) {
                blocks.append((i >>> b & 1) == 0 ? "Aa" : "BB");
            }
            DedupKey text = DedupKey.of(blocks.toString());
            spread = i == 0 ? uuid.spread() : spread;
            assertThat(uuid.isUuid()).isTrue();
            assertThat(uuid.spread()).isEqualTo(spread);
            assertThat(text.spread()).isEqualTo(DedupKey.of("Aa".repeat(16)).spread());
            assertThat(uuids.rememberIfNew(uuid, NOW, 60, NO_LIMIT)).isTrue();
            assertThat(texts.rememberIfNew(text, NOW, 60, NO_LIMIT)).isTrue();
        }
        // random places at this fill (20,000 ids in 32,768 slots) give runs of at most a few hundred; one place, 20,000
        assertThat(uuids.longestRun()).isLessThan(1_000);
        assertThat(texts.longestRun()).isLessThan(1_000);
        assertThat(uuids.size()).isEqualTo(20_000);
        assertThat(uuids.rememberIfNew(DedupKey.of(new UUID(1, 0x5DEECE66DL ^ 0x9E3779B97F4A7C15L).toString()), NOW, 60, NO_LIMIT))
                .isTrue();
    }

    @Test
    void aFullTableForgetsTheIdsCountedLongestAgoDownToThreeQuartersOfItsLimit() {
        RememberedIds ids = new RememberedIds();
        for (int i = 0; i < 100; i++) {
            assertThat(ids.rememberIfNew(DedupKey.of("id-" + i), NOW + i, 1_000, 100)).isTrue();
        }
        assertThat(ids.takeForgotten()).isZero();

        assertThat(ids.rememberIfNew(DedupKey.of("one-more"), NOW + 100, 1_000, 100)).isTrue();
        assertThat(ids.takeForgotten()).as("the 25 counted first").isEqualTo(25);
        assertThat(ids.takeForgotten()).as("said once").isZero();
        assertThat(ids.size()).isEqualTo(76);
        for (int i = 25; i < 100; i++) {
            assertThat(ids.rememberIfNew(DedupKey.of("id-" + i), NOW + 101, 1_000, 100)).as("id-%d is remembered", i).isFalse();
        }
        assertThat(ids.rememberIfNew(DedupKey.of("id-0"), NOW + 101, 1_000, 100)).as("a forgotten id counts again").isTrue();
    }

    @Test
    void aTableNeverHoldsMoreIdsThanItsLimitAndCountsEveryIdItForgot() {
        RememberedIds ids = new RememberedIds();
        int forgotten = 0;
        for (int i = 0; i < 10_000; i++) { // all in one second: which of them go is the table's choice
            assertThat(ids.rememberIfNew(DedupKey.of(new UUID(i, i).toString()), NOW, 1_000, 100)).isTrue();
            forgotten += ids.takeForgotten();
            assertThat(ids.size()).isLessThanOrEqualTo(100);
        }
        assertThat(forgotten + ids.size()).isEqualTo(10_000);
        assertThat(ids.rememberIfNew(DedupKey.of(new UUID(9_999, 9_999).toString()), NOW, 1_000, 100)).as("the newest stays")
                .isFalse();
    }

    @Test
    void expiredIdsMakeRoomBeforeAnyRememberedIdIsForgotten() {
        RememberedIds ids = new RememberedIds();
        for (int i = 0; i < 100; i++) {
            ids.rememberIfNew(DedupKey.of("old-" + i), NOW, 10, 100);
        }
        for (int i = 0; i < 50; i++) {
            ids.rememberIfNew(DedupKey.of("new-" + i), NOW + 20, 10, 100);
        }
        assertThat(ids.takeForgotten()).as("the old ids had expired").isZero();
        assertThat(ids.size()).isEqualTo(50);
    }

    private static int slots(RememberedIds ids) {
        String text = ids.toString(); // "RememberedIds[n of m slots]"
        return Integer.parseInt(text.substring(text.indexOf(" of ") + 4, text.indexOf(" slots")));
    }
}
