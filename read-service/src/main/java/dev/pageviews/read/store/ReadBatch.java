package dev.pageviews.read.store;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Reads that must all reflect the same commit, in the layout's terms. Each method returns a {@link Result} that
 * {@link StatsStore#read} fills. A query collects its reads here, so the store is one seam: Redis in production, a map
 * in unit tests.
 */
public final class ReadBatch {

    /** One read; {@link StatsStore} implementations tell them apart by type. */
    public sealed interface Read permits Total, Pages, DayVisitors, Estimate, Exists {}

    /** The views of the whole site in a bucket ({@code ZSCORE bucket (total)}). */
    public record Total(Bucket bucket, Result<Long> out) implements Read {}

    /** The views per page summed over buckets, without {@code (total)} ({@code ZUNION ... WITHSCORES}). */
    public record Pages(List<Bucket> buckets, Result<Map<String, Long>> out) implements Read {}

    /** A local day's exact visitors, of {@code members} (pages, {@code (total)}), or of all when null. */
    public record DayVisitors(LocalDate date, List<String> members, Result<Map<String, Long>> out) implements Read {}

    /**
     * The estimated distinct visitors of the union of the days' HyperLogLogs, of the site when {@code pages} is empty,
     * else of those pages ({@code PFCOUNT}).
     */
    public record Estimate(List<LocalDate> days, List<String> pages, Result<Long> out) implements Read {}

    /** Whether a bucket's key exists. */
    public record Exists(Bucket bucket, Result<Boolean> out) implements Read {}

    /** A value a read produces, there once the batch was read. */
    public static final class Result<T> {
        private T value;
        private boolean done;

        public T get() {
            if (!done) {
                throw new IllegalStateException("the batch has not been read");
            }
            return value;
        }

        public void set(T value) {
            this.value = value;
            this.done = true;
        }
    }

    private final List<Read> reads = new ArrayList<>();

    public Result<Long> total(Bucket bucket) {
        Result<Long> out = new Result<>();
        reads.add(new Total(bucket, out));
        return out;
    }

    public Result<Map<String, Long>> pages(List<Bucket> buckets) {
        Result<Map<String, Long>> out = new Result<>();
        reads.add(new Pages(List.copyOf(buckets), out));
        return out;
    }

    public Result<Map<String, Long>> dayVisitors(LocalDate date, List<String> members) {
        Result<Map<String, Long>> out = new Result<>();
        reads.add(new DayVisitors(date, members == null ? null : List.copyOf(members), out));
        return out;
    }

    public Result<Long> estimate(List<LocalDate> days, List<String> pages) {
        Result<Long> out = new Result<>();
        reads.add(new Estimate(List.copyOf(days), List.copyOf(pages), out));
        return out;
    }

    public Result<Boolean> exists(Bucket bucket) {
        Result<Boolean> out = new Result<>();
        reads.add(new Exists(bucket, out));
        return out;
    }

    public List<Read> reads() {
        return Collections.unmodifiableList(reads);
    }

    public boolean isEmpty() {
        return reads.isEmpty();
    }
}
