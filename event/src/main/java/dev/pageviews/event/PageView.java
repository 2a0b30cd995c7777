package dev.pageviews.event;

import java.util.Objects;

/**
 * One page view, as clients send it and as it travels through Kafka.
 *
 * <p>{@code userId}, {@code pageUrl} and {@code timestamp} (Unix seconds) come from the client and are
 * required. {@code eventId} and {@code receivedAtMillis} are added by the edge: a unique id per accepted
 * event (so the archive can be checked for loss and duplicates) and the server's receive time. Events
 * produced by other writers may lack them: {@code eventId} is then {@code null} and
 * {@code receivedAtMillis} is {@link #UNKNOWN_RECEIVE_TIME}.
 */
public record PageView(String userId, String pageUrl, long timestamp, String eventId, long receivedAtMillis) {

    public static final long UNKNOWN_RECEIVE_TIME = -1L;

    public PageView {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(pageUrl, "pageUrl");
    }

    /** A client's event before the edge stamps it. */
    public static PageView of(String userId, String pageUrl, long timestamp) {
        return new PageView(userId, pageUrl, timestamp, null, UNKNOWN_RECEIVE_TIME);
    }

    public PageView stamped(String newEventId, long receivedAt) {
        return new PageView(userId, pageUrl, timestamp, newEventId, receivedAt);
    }

    public long timestampMillis() {
        return timestamp * 1000L;
    }
}
