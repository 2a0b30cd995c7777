package dev.pageviews.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.IntSupplier;

/**
 * One hostile client: batches of views, each for a URL nobody visited before, as fast as the edge takes them, for a
 * while. Its views are ordinary accepted views (in the ledger like any other); what it must not do is delay the
 * counts of other pages (the run measures that with probes meanwhile) or grow Redis beyond its page budget.
 */
final class Flood {

    static final int BATCH = 100;
    /** Long enough to cost memory, short enough to pass the edge's and the job's limits. */
    private static final int URL_LENGTH = 200;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final ViewSender sender;
    private final Random random;

    Flood(IntSupplier port, Ledger ledger, Random random) {
        this.sender = new ViewSender(port, ledger, ViewSender.Retries.CLIENT);
        this.random = new Random(random.nextLong());
    }

    /** Sends for {@code duration} at about {@code viewsPerSecond}; returns the views sent. */
    long run(Duration duration, int viewsPerSecond) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        long pauseNanos = 1_000_000_000L * BATCH / viewsPerSecond;
        long sent = 0;
        long next = System.nanoTime();
        for (int n = 0; System.nanoTime() < end; n++) {
            List<ViewSender.View> views = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                views.add(new ViewSender.View("flood", "/chaos/flood/" + url(), Load.now(), "flood-" + n + "." + i + "." + random.nextInt()));
            }
            sender.batch(views);
            sent += BATCH;
            next += pauseNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } else {
                next = System.nanoTime(); // behind: no burst to catch up
            }
        }
        return sent;
    }

    private String url() {
        StringBuilder url = new StringBuilder(URL_LENGTH);
        for (int i = 0; i < URL_LENGTH; i++) {
            url.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return url.toString();
    }
}
