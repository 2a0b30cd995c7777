package dev.pageviews.job.archive;

import dev.pageviews.event.PageView;
import dev.pageviews.event.PageViewCodec;
import java.util.List;

/**
 * Views of one hour partition ({@code dt=YYYY-MM-DD/hour=HH}), in arrival order: what the archive's file sinks
 * write, so that a part file gets a few large writes instead of one per view.
 */
public record ArchiveBatch(String partition, List<PageView> views) {

    /** The views as newline-delimited JSON, the same JSON as on the topic, one view per line. */
    public byte[] jsonLines() {
        return PageViewCodec.encodeLines(views, views.size() * 128);
    }
}
