package dev.pageviews.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LedgerTest {

    private final Ledger ledger = new Ledger();

    @Test
    void aPageAnswered2xxMustBeCountedExactly() {
        ledger.record("/a", Ledger.Outcome.ACCEPTED, 20);

        assertThat(ledger.mismatches(Map.of("/a", 20L))).isEmpty();
        assertThat(ledger.mismatches(Map.of("/a", 19L))).singleElement()
                .satisfies(m -> assertThat(m.lost()).isEqualTo(1))
                .satisfies(m -> assertThat(m.countedTwice()).isZero());
        assertThat(ledger.mismatches(Map.of("/a", 21L))).singleElement()
                .satisfies(m -> assertThat(m.countedTwice()).isEqualTo(1));
        assertThat(ledger.mismatches(Map.of())).singleElement().satisfies(m -> assertThat(m.lost()).isEqualTo(20));
    }

    @Test
    void refusedViewsMustNotBeCounted() {
        ledger.record("/refused", Ledger.Outcome.REJECTED, 1);
        ledger.record("/never-connected", Ledger.Outcome.NOT_DELIVERED, 1);

        assertThat(ledger.mismatches(Map.of())).isEmpty();
        assertThat(ledger.mismatches(Map.of("/refused", 1L, "/never-connected", 1L)))
                .extracting(Ledger.Mismatch::countedTwice).containsExactly(1L, 1L);
    }

    @Test
    void viewsOfUnknownOutcomeMayBeCountedOnceOrNot() {
        ledger.record("/batch", Ledger.Outcome.ACCEPTED, 15); // a 503 batch: 15 stored, 5 not acknowledged
        ledger.record("/batch", Ledger.Outcome.UNKNOWN, 5);

        assertThat(ledger.mismatches(Map.of("/batch", 15L))).isEmpty();
        assertThat(ledger.mismatches(Map.of("/batch", 20L))).isEmpty();
        assertThat(ledger.mismatches(Map.of("/batch", 14L))).extracting(Ledger.Mismatch::lost).containsExactly(1L);
        assertThat(ledger.mismatches(Map.of("/batch", 21L))).extracting(Ledger.Mismatch::countedTwice).containsExactly(1L);
    }

    @Test
    void aCountForAPageNeverSentIsCountedTwice() {
        assertThat(ledger.mismatches(Map.of("/ghost", 3L))).extracting(Ledger.Mismatch::countedTwice).containsExactly(3L);
    }

    @Test
    void uncheckedViewsAreNotLostWhenMissingButNotCountedTwiceEither() {
        ledger.recordUnchecked("/day-ahead", Ledger.Outcome.ACCEPTED, 1);

        assertThat(ledger.mismatches(Map.of())).isEmpty();
        assertThat(ledger.mismatches(Map.of("/day-ahead", 1L))).isEmpty();
        assertThat(ledger.mismatches(Map.of("/day-ahead", 2L))).extracting(Ledger.Mismatch::countedTwice).containsExactly(1L);
    }

    @Test
    void totalsAddUpEveryOutcome() {
        ledger.record("/a", Ledger.Outcome.ACCEPTED, 2);
        ledger.record("/b", Ledger.Outcome.UNKNOWN, 3);
        ledger.record("/c", Ledger.Outcome.REJECTED, 4);

        assertThat(ledger.total(Ledger.Tally::sent)).isEqualTo(9);
        assertThat(List.of(ledger.total(Ledger.Tally::accepted), ledger.total(Ledger.Tally::unknown),
                ledger.total(Ledger.Tally::rejected))).containsExactly(2L, 3L, 4L);
    }

    @Test
    void aViewsOutcomeOverItsTriesIsItsMostDefinite() {
        Ledger.Outcome accepted = Ledger.Outcome.ACCEPTED;
        Ledger.Outcome unknown = Ledger.Outcome.UNKNOWN;
        Ledger.Outcome rejected = Ledger.Outcome.REJECTED;
        Ledger.Outcome notDelivered = Ledger.Outcome.NOT_DELIVERED;

        assertThat(Ledger.Outcome.overTries(null, unknown)).isEqualTo(unknown);
        // answered 2xx at any try: must be counted once, whatever the other tries said
        assertThat(Ledger.Outcome.overTries(unknown, accepted)).isEqualTo(accepted);
        assertThat(Ledger.Outcome.overTries(accepted, unknown)).isEqualTo(accepted);
        // a try that may have stored it keeps it unknown, even if a later one was refused or never arrived
        assertThat(Ledger.Outcome.overTries(unknown, notDelivered)).isEqualTo(unknown);
        assertThat(Ledger.Outcome.overTries(notDelivered, unknown)).isEqualTo(unknown);
        assertThat(Ledger.Outcome.overTries(unknown, rejected)).isEqualTo(unknown);
        assertThat(Ledger.Outcome.overTries(notDelivered, notDelivered)).isEqualTo(notDelivered);
        assertThat(Ledger.Outcome.overTries(notDelivered, rejected)).isEqualTo(rejected);
    }

    @Test
    void onlyTriesWithoutADefiniteAnswerAreRetried() {
        assertThat(Ledger.Outcome.UNKNOWN.retried()).isTrue();
        assertThat(Ledger.Outcome.NOT_DELIVERED.retried()).isTrue();
        assertThat(Ledger.Outcome.ACCEPTED.retried()).isFalse();
        assertThat(Ledger.Outcome.REJECTED.retried()).isFalse();
    }

    @Test
    void viewsOfPagesBeyondTheBudgetAreCheckedTogetherUnderOther() {
        Ledger ledger = new Ledger();
        ledger.record("/in", Ledger.Outcome.ACCEPTED, 5);
        ledger.record("/out-1", Ledger.Outcome.ACCEPTED, 3);
        ledger.record("/out-2", Ledger.Outcome.ACCEPTED, 2);
        ledger.record("/out-2", Ledger.Outcome.UNKNOWN, 1);
        ledger.record("/split", Ledger.Outcome.ACCEPTED, 4); // folded in one checkpoint, counted by name in another
        assertThat(ledger.mismatches(Map.of("/in", 5L, "/split", 1L, "(other)", 8L))).isEmpty();
        assertThat(ledger.mismatches(Map.of("/in", 5L, "/split", 1L, "(other)", 9L))).isEmpty(); // the unknown one stored
        assertThat(ledger.mismatches(Map.of("/in", 5L, "/split", 1L, "(other)", 7L)))
                .singleElement().satisfies(m -> {
                    assertThat(m.page()).isEqualTo("(other)");
                    assertThat(m.lost()).isEqualTo(1);
                });
        assertThat(ledger.mismatches(Map.of("/in", 5L, "/split", 1L, "(other)", 10L)))
                .extracting(Ledger.Mismatch::countedTwice).containsExactly(1L);
        assertThat(ledger.mismatches(Map.of("/in", 6L, "/split", 1L, "(other)", 8L)))
                .extracting(Ledger.Mismatch::page).containsExactly("/in");
    }
}
