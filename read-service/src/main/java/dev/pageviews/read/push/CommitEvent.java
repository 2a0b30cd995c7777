package dev.pageviews.read.push;

import dev.pageviews.read.store.CommitRecord;
import java.time.Instant;

/**
 * What the stream says after a commit: its sequence number (the event id), the watermark it reflects and when Redis
 * applied it (epoch ms; null before the job has one).
 */
public record CommitEvent(long seq, Long watermarkMillis, Long committedAtMillis) {

    public static CommitEvent of(CommitRecord commit) {
        return new CommitEvent(commit.seq(),
                commit.watermarkMillis().isPresent() ? commit.watermarkMillis().getAsLong() : null,
                commit.committedAtMillis().isPresent() ? commit.committedAtMillis().getAsLong() : null);
    }

    /**
     * The event as Server-Sent Events frame it: {@code id}, one {@code data} line of JSON, a blank line. The JSON has
     * {@code seq}, {@code watermark} and {@code committed_at} as ISO 8601 instants (or null), and the same two in epoch
     * milliseconds, for a page that computes its lag.
     */
    public String frame() {
        return "id: " + seq + "\n"
                + "data: {\"seq\":" + seq
                + ",\"watermark\":" + iso(watermarkMillis) + ",\"watermark_ms\":" + watermarkMillis
                + ",\"committed_at\":" + iso(committedAtMillis) + ",\"committed_at_ms\":" + committedAtMillis + "}\n\n";
    }

    /**
     * The frame of a watermark move between commits: a {@code watermark} event with the same JSON and no {@code id}, so
     * a browser's last event id stays the commit it has, and a page that listens only for commits ignores it.
     */
    public String watermarkFrame() {
        return "event: watermark\n" + frame().substring(frame().indexOf("data: "));
    }

    private static String iso(Long millis) {
        return millis == null ? "null" : "\"" + Instant.ofEpochMilli(millis) + "\"";
    }
}
