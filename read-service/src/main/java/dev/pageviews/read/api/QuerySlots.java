package dev.pageviews.read.api;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;

/**
 * Runs at most {@code slots} queries at once on {@code threads}, and refuses ({@link RejectedExecutionException}) a
 * query beyond them at once instead of queueing it, so a slow Redis cannot pile up waiting queries. A slot is taken
 * before the query is handed over and given back when its work is done, not when its thread is next idle: a refusal
 * means that many queries are running at that moment, which a pool without a queue (a thread still on its way back
 * refuses the hand-over) cannot say.
 */
public final class QuerySlots implements Executor {

    private final Semaphore free;
    private final Executor threads;

    /** @param threads runs what is admitted; it must accept {@code slots} tasks at once (e.g. that many threads) */
    public QuerySlots(int slots, Executor threads) {
        if (slots < 1) {
            throw new IllegalArgumentException("at least one query slot is needed, got " + slots);
        }
        this.free = new Semaphore(slots);
        this.threads = threads;
    }

    @Override
    public void execute(Runnable query) {
        if (!free.tryAcquire()) {
            throw new RejectedExecutionException("every query slot is taken");
        }
        try {
            threads.execute(() -> {
                try {
                    query.run();
                } finally {
                    free.release();
                }
            });
        } catch (RuntimeException e) {
            free.release();
            throw e;
        }
    }
}
