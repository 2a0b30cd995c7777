package dev.pageviews.read.store;

import java.time.LocalDate;

/**
 * The names of the keys the job writes beside its counts hash (flink-job/README.md, "The read side in Redis"). All
 * share the hash tag of the counts hash ({@code page_views} → {@code {page_views}}), so one commit script, and one
 * read here, touches one Redis Cluster slot.
 */
public final class Layout {

    /** The member of every bucket that holds the site's total (of views, or of a day's visitors). */
    public static final String TOTAL = "(total)";
    /** The member that holds the views of pages beyond the job's page budget. */
    public static final String OTHER = "(other)";

    private final String countsKey;
    private final String prefix;

    public Layout(String countsKey) {
        this.countsKey = countsKey;
        int open = countsKey.indexOf('{');
        int close = open < 0 ? -1 : countsKey.indexOf('}', open + 1);
        this.prefix = open >= 0 && close > open + 1 ? countsKey : "{" + countsKey + "}";
    }

    /** The all-time counts hash, {@code page_views}. */
    public String counts() {
        return countsKey;
    }

    /** The hash-tagged prefix of every read-side key, {@code {page_views}}. */
    public String prefix() {
        return prefix;
    }

    /** The commit record: seq, watermark, committed_at, time_zone, retentions. */
    public String meta() {
        return prefix + ":meta";
    }

    /** The channel each applied commit's seq is published on. */
    public String commits() {
        return prefix + ":commits";
    }

    /** The sorted set of a bucket's views: page → views, {@link #TOTAL} → all views, {@link #OTHER}. */
    public String views(Bucket bucket) {
        return switch (bucket.granularity()) {
            case MINUTE -> prefix + ":m:" + bucket.start();
            case HOUR -> prefix + ":h:" + bucket.start();
            case DAY -> prefix + ":d:" + bucket.date();
        };
    }

    /** The sorted set of a local day's exact distinct visitors: page → visitors, {@link #TOTAL} → the site's. */
    public String dayVisitors(LocalDate date) {
        return prefix + ":vd:" + date;
    }

    /** The HyperLogLog of the site's visitors on a local day. */
    public String visitorEstimate(LocalDate date) {
        return prefix + ":u:" + date;
    }

    /** The HyperLogLog of a page's visitors on a local day. */
    public String visitorEstimate(LocalDate date, String page) {
        return prefix + ":u:" + date + ":" + page;
    }

    /** {@link #TOTAL} and {@link #OTHER}: members that are not pages (pages start with / or a scheme). */
    public static boolean reserved(String member) {
        return TOTAL.equals(member) || OTHER.equals(member);
    }
}
