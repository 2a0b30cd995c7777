package dev.pageviews.job.window;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The sum the older builds' windows keep per page: one long, built from the partial counts they were fed. A window
 * restored from such a build's checkpoint holds this accumulator; what it emits is what Redis is incremented by.
 */
class CountViewsTest {

    private final CountViews sum = new CountViews();

    /** A partial count stands for that many views: adding it as one view would undercount every hot page. */
    @Test
    void addsTheViewsOfEachPartialCountNotOnePerPartial() {
        Long count = sum.createAccumulator();
        count = sum.add(new PageCount("/a", 1000), count);
        count = sum.add(new PageCount("/a", 3), count);

        assertThat(sum.getResult(count)).isEqualTo(1003L);
    }

    /** A window that has been fed nothing emits nothing more than zero views. */
    @Test
    void anEmptyWindowCountsNoViews() {
        assertThat(sum.getResult(sum.createAccumulator())).isZero();
    }

    /**
     * Flink merges sums only when windows merge (session windows); the tumbling windows here never do, but a function
     * that merged wrong would count wrong the day they did.
     */
    @Test
    void mergingTwoSumsOfOneWindowAddsThem() {
        assertThat(sum.merge(5L, 7L)).isEqualTo(12L);
        assertThat(sum.merge(sum.createAccumulator(), 7L)).isEqualTo(7L);
    }
}
