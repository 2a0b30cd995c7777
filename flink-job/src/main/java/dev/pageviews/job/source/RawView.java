package dev.pageviews.job.source;

import dev.pageviews.event.PageView;

/**
 * One Kafka record as read: the decoded view when it is valid, otherwise the original bytes and the reason,
 * bound for the dead-letter topic. Decoding never throws, so a bad record cannot fail the job.
 */
public record RawView(PageView view, byte[] raw, String problem, int partition, long offset) {

    public boolean isValid() {
        return view != null;
    }
}
