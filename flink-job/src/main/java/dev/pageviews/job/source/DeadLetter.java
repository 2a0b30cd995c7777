package dev.pageviews.job.source;

import java.util.Arrays;

/**
 * A record that is not a valid page view: its original bytes (at most {@link #MAX_RAW_BYTES} of them), why,
 * and where it was read. {@code originalSize} is the size of the record as read, so a reader can tell a
 * truncated dead letter ({@link #truncated()}) from a short one.
 */
public record DeadLetter(byte[] raw, int originalSize, String reason, int partition, long offset) {

    /**
     * Raw bytes kept per dead letter. Kafka refuses a record above the producer's {@code max.request.size}
     * (1 MiB by default) or the topic's {@code max.message.bytes}; the topic {@code views} may allow more, and
     * a dead letter the sink cannot write fails the job at every restart. 64 KiB is far below both limits and
     * still shows what was wrong with the record.
     */
    public static final int MAX_RAW_BYTES = 64 * 1024;

    /** A dead letter of {@code raw}, keeping its first {@link #MAX_RAW_BYTES} bytes. */
    public static DeadLetter of(byte[] raw, String reason, int partition, long offset) {
        byte[] kept = raw.length > MAX_RAW_BYTES ? Arrays.copyOf(raw, MAX_RAW_BYTES) : raw;
        return new DeadLetter(kept, raw.length, reason, partition, offset);
    }

    public boolean truncated() {
        return raw.length < originalSize;
    }
}
