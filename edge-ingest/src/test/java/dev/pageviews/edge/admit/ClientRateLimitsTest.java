package dev.pageviews.edge.admit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.TimeMeter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The buckets on a clock of the test's own. */
class ClientRateLimitsTest {

    private long now = TimeUnit.SECONDS.toNanos(1000);
    private final TimeMeter clock = new TimeMeter() {
        @Override
        public long currentTimeNanos() {
            return now;
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    };

    @Test
    void aClientMaySendItsBurstThenIsToldHowLongToWait() {
        ClientRateLimits limits = new ClientRateLimits(10, 50, 100, clock);

        assertThat(limits.take("a", 50).allowed()).isTrue();
        ClientRateLimits.Decision refused = limits.take("a", 5);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.nanosToWait()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(limits.take("a", 1).allowed()).as("a refused request takes nothing, but nothing is there").isFalse();
    }

    @Test
    void refillsAtTheRate() {
        ClientRateLimits limits = new ClientRateLimits(10, 50, 100, clock);
        limits.take("a", 50);

        now += TimeUnit.MILLISECONDS.toNanos(300);

        assertThat(limits.take("a", 3).allowed()).isTrue();
        assertThat(limits.take("a", 1).allowed()).isFalse();
    }

    @Test
    void aBatchLargerThanWhatIsLeftIsRefusedWholeWithTheWaitForAllOfIt() {
        ClientRateLimits limits = new ClientRateLimits(10, 50, 100, clock);
        limits.take("a", 40);

        ClientRateLimits.Decision refused = limits.take("a", 35);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(3); // 25 more tokens at 10/s
        assertThat(limits.take("a", 10).allowed()).as("the refused batch took nothing").isTrue();
    }

    @Test
    void clientsHaveBucketsOfTheirOwn() {
        ClientRateLimits limits = new ClientRateLimits(10, 50, 100, clock);
        limits.take("a", 50);

        assertThat(limits.take("a", 1).allowed()).isFalse();
        assertThat(limits.take("b", 50).allowed()).isTrue();
    }

    @Test
    void aBucketUnusedUntilItWouldBeFullIsDropped() {
        ClientRateLimits limits = new ClientRateLimits(10, 50, 100, clock);
        limits.take("a", 50);

        now += TimeUnit.SECONDS.toNanos(5) + 1;
        limits.cleanUp();

        assertThat(limits.clients()).isZero();
        assertThat(limits.evictions()).as("expiry is no eviction").isZero();
        assertThat(limits.take("a", 50).allowed()).isTrue();
    }

    @Test
    void theTableHoldsAtMostItsSizeAndCountsWhatItEvicts() {
        ClientRateLimits limits = new ClientRateLimits(10, 50, 100, clock);

        for (int i = 0; i < 1_000; i++) {
            limits.take("client-" + i, 1);
        }
        limits.cleanUp();

        assertThat(limits.clients()).isLessThanOrEqualTo(100);
        assertThat(limits.evictions()).isGreaterThanOrEqualTo(900);
    }
}
