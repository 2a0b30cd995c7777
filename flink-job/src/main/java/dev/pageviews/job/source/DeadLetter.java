package dev.pageviews.job.source;

/** A record that is not a valid page view: its original bytes, why, and where it was read. */
public record DeadLetter(byte[] raw, String reason, int partition, long offset) {}
