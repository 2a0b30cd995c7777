package dev.pageviews.edge.http;

/** What {@code /readyz} reports: {@code null} when ready, else why not (a sentence for operators). */
@FunctionalInterface
public interface Readiness {
    String notReadyReason();
}
