package dev.pageviews.edge.http;

/** What {@code /readyz} reports: {@code null} when ready, else why not (a sentence for operators). */
@FunctionalInterface
public interface Readiness {

    /** Always ready: for an edge whose only condition is Kafka. */
    Readiness ALWAYS = () -> null;

    String notReadyReason();

    /** Ready when both are; the reason given is this one's first, as it is checked first. */
    default Readiness and(Readiness other) {
        return () -> {
            String reason = notReadyReason();
            return reason != null ? reason : other.notReadyReason();
        };
    }
}
