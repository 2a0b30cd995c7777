package dev.pageviews.job.count;

import dev.pageviews.job.dedup.DedupKey;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys the visitor stage by a bucket of the user id (one of {@link DedupKey#BUCKETS}), as the dedup stage keys event
 * ids: the keyed state then has a bounded number of keys, which no client can make collide, and each bucket a map of
 * its users. The bucket is a fixed function of the id, so a restored job finds a user's visits where it left them.
 */
public final class VisitorBucket implements KeySelector<CountedView, Integer> {

    private static final long serialVersionUID = 1L;

    @Override
    public Integer getKey(CountedView view) {
        return DedupKey.of(view.userId()).bucket();
    }
}
