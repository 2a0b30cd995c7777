package dev.pageviews.job.window;

/** An increment for one page: {@code count} more views of {@code pageUrl}. */
public record PageCount(String pageUrl, long count) {}
