package dev.pageviews.job.dedup;

import dev.pageviews.event.PageView;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys a view by the {@link DedupKey#bucket() bucket} of its event id, so every copy of a client's view meets the
 * state that remembers it. Views without a client id are never looked up; they are spread by their edge id (or,
 * from writers that set none, by their user) only to share the work.
 */
public final class EventIdBucket implements KeySelector<PageView, Integer> {

    private static final long serialVersionUID = 1L;

    @Override
    public Integer getKey(PageView view) {
        return DedupKey.of(view.eventId() != null ? view.eventId() : view.userId()).bucket();
    }
}
