package dev.pageviews.read.push;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open streams, at most {@code max}: each commit and watermark move the {@link CommitFeed} reports is offered to
 * every one of them, on its own channel's event loop.
 */
public final class EventStreams implements CommitFeed.Listener {

    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final Set<StreamHandler> streams = ConcurrentHashMap.newKeySet();

    public EventStreams(int max) {
        this.max = max;
    }

    /** Takes a place for a new stream; false when {@code max} are open. */
    boolean tryOpen() {
        while (true) {
            int now = open.get();
            if (now >= max) {
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    void add(StreamHandler stream) {
        streams.add(stream);
    }

    void closed(StreamHandler stream) {
        if (streams.remove(stream)) {
            open.decrementAndGet();
        }
    }

    /** Gives back a place taken by {@link #tryOpen} for a stream that never started. */
    void release() {
        open.decrementAndGet();
    }

    @Override
    public void commit(CommitEvent event) {
        for (StreamHandler stream : streams) {
            stream.offer(event);
        }
    }

    @Override
    public void watermark(CommitEvent event) {
        for (StreamHandler stream : streams) {
            stream.offerWatermark(event);
        }
    }

    /** Ends every stream (their browsers reconnect, to another instance or to this one when it is back). */
    public void closeAll() {
        streams.forEach(StreamHandler::close);
    }

    public int open() {
        return open.get();
    }

    public int max() {
        return max;
    }
}
