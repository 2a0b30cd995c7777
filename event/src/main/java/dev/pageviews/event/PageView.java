package dev.pageviews.event;

import java.util.Objects;

/**
 * One page view, as clients send it and as it travels through Kafka.
 *
 * <p>{@code userId}, {@code pageUrl} and {@code timestamp} (Unix seconds) come from the client and are
 * required. A client may also send an {@code eventId} of its own, the same on every retry of the view: the
 * job then counts the view once per id ({@code eventIdFromClient} is true). The edge adds an id to every view
 * without one (unique per accepted view, so the archive can be checked for loss and duplicates; never
 * deduplicated) and the server's receive time. Events produced by other writers may lack both:
 * {@code eventId} is then {@code null} and {@code receivedAtMillis} is {@link #UNKNOWN_RECEIVE_TIME}.
 */
public record PageView(String userId, String pageUrl, long timestamp, String eventId, long receivedAtMillis,
        boolean eventIdFromClient) {

    public static final long UNKNOWN_RECEIVE_TIME = -1L;

    public PageView {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(pageUrl, "pageUrl");
        if (eventIdFromClient && eventId == null) {
            throw new IllegalArgumentException("a view without an event id cannot have one from the client");
        }
    }

    /** A view whose id, if any, was assigned by the edge (or by another writer), not chosen by the client. */
    public PageView(String userId, String pageUrl, long timestamp, String eventId, long receivedAtMillis) {
        this(userId, pageUrl, timestamp, eventId, receivedAtMillis, false);
    }

    /** A client's event before the edge stamps it. */
    public static PageView of(String userId, String pageUrl, long timestamp) {
        return new PageView(userId, pageUrl, timestamp, null, UNKNOWN_RECEIVE_TIME);
    }

    /**
     * The view as the edge stores it: received at {@code receivedAt}, with the client's own id when it sent one
     * (marked as the client's), else {@code generatedId}.
     */
    public PageView stamped(String generatedId, long receivedAt) {
        return eventId != null
                ? new PageView(userId, pageUrl, timestamp, eventId, receivedAt, true)
                : new PageView(userId, pageUrl, timestamp, generatedId, receivedAt, false);
    }

    public long timestampMillis() {
        return timestamp * 1000L;
    }
}
