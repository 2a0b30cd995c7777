package dev.pageviews.edge.track;

import dev.pageviews.event.DecodeResult;
import dev.pageviews.event.PageViewCodec;
import java.time.Duration;
import java.time.Instant;

/**
 * Rejects a view stamped more than {@code --max-future-skew} after the edge received it. Such a timestamp
 * comes from a device whose clock is wrong: counted, it would sit in a window that closes only when its
 * time comes, and tell the job that event time has reached the future. Old timestamps are not limited: a
 * view may be sent long after it happened (an offline device, a retry queue), and the job still counts it,
 * as a late increment.
 */
public final class FutureSkewCheck {

    private final long maxSkewMillis;
    private final String maxSkewText;

    public FutureSkewCheck(Duration maxSkew) {
        if (maxSkew.isNegative() || maxSkew.isZero()) {
            throw new IllegalArgumentException("the future skew bound must be longer than 0, got " + maxSkew);
        }
        this.maxSkewMillis = maxSkew.toMillis();
        this.maxSkewText = shortText(maxSkew);
    }

    /** {@code result} itself, or, for a valid view too far in the future, why it is rejected. */
    public DecodeResult check(DecodeResult result, long receivedAtMillis) {
        if (!(result instanceof DecodeResult.Valid valid)) {
            return result;
        }
        long seconds = valid.view().timestamp();
        if (valid.view().timestampMillis() - receivedAtMillis <= maxSkewMillis) {
            return result;
        }
        // only our own numbers and dates: a problem never quotes the request's text
        return DecodeResult.invalid(PageViewCodec.TIMESTAMP, "timestamp " + seconds + " is " + Instant.ofEpochSecond(seconds)
                + ", more than " + maxSkewText + " after this server's clock (" + Instant.ofEpochMilli(receivedAtMillis)
                + "); check the device's clock");
    }

    /** 5m, 90s, 1500ms: as the flag is written. */
    static String shortText(Duration duration) {
        long millis = duration.toMillis();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (millis % units[i] == 0) {
                return millis / units[i] + names[i];
            }
        }
        return millis + "ms";
    }
}
