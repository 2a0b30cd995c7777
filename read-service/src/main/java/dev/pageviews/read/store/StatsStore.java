package dev.pageviews.read.store;

/**
 * Everything the service reads from the job's layout. {@link #read} answers a whole batch as of one commit: a
 * query never mixes buckets from before and after a commit.
 */
public interface StatsStore extends AutoCloseable {

    /** The last applied commit ({@code K:meta}); {@link CommitRecord#NONE} before the first. */
    CommitRecord commit();

    /**
     * Fills every result of {@code batch} as of one commit, and returns that commit.
     *
     * @throws CommitMoved when commits kept landing while reading (the caller may try again)
     * @throws StoreException when Redis cannot be read
     */
    CommitRecord read(ReadBatch batch);

    @Override
    void close();

    /** Commits landed during every attempt to read a batch. */
    final class CommitMoved extends StoreException {
        private static final long serialVersionUID = 1L;

        public CommitMoved(String message) {
            super(message);
        }
    }
}
