package dev.pageviews.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Steady, bounded load: several senders, each with its own connections, some posting single views and some
 * batches, at a fixed schedule that adds up to the requested views per second. A sender whose request takes
 * long (an outage, retries) skips the slots it missed rather than bursting afterwards. Every request names a page
 * of its own (see {@link Ledger}), every view has an event id of its own; the senders retry as a client does
 * ({@link ViewSender.Retries#CLIENT}), and send a share ({@link #REPLY_LOST_SHARE}) of the requests answered 2xx
 * once more, as a client does whose reply was lost. One sender also feeds {@link #BAD_FIELD_PAGE}, the page the
 * bad-field fault corrupts, so commits containing it keep coming while it is bad.
 */
final class Load implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Load.class);

    static final String BAD_FIELD_PAGE = "/chaos/bad-field";
    static final int SINGLE_SENDERS = 4;
    static final int BATCH_SENDERS = 2;
    static final int BATCH_SIZE = 20;
    /** Share of the views sent as single requests; the rest go in batches. */
    static final double SINGLE_SHARE = 0.25;
    /** Share of the requests answered 2xx that are sent once more, as if the reply had been lost. */
    static final double REPLY_LOST_SHARE = 0.01;
    private static final int BAD_FIELD_VIEWS_PER_SECOND = 10;
    private static final long DAY = 86_400;

    private final IntSupplier port;
    private final Ledger ledger;
    private final Random seeds;
    private final int viewsPerSecond;
    private final boolean sendDayAhead;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong requests = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param sendDayAhead whether to mix in views a day ahead: only when the edge refuses them, since an
     *     accepted one would move its partition's event time a day ahead
     */
    Load(IntSupplier port, Ledger ledger, long seed, int viewsPerSecond, boolean sendDayAhead) {
        this.port = port;
        this.ledger = ledger;
        this.seeds = new Random(seed);
        this.viewsPerSecond = viewsPerSecond;
        this.sendDayAhead = sendDayAhead;
    }

    void start() {
        double singlesPerSender = viewsPerSecond * SINGLE_SHARE / SINGLE_SENDERS;
        double batchesPerSender = viewsPerSecond * (1 - SINGLE_SHARE) / BATCH_SIZE / BATCH_SENDERS;
        for (int i = 0; i < SINGLE_SENDERS; i++) {
            int id = i;
            Random random = new Random(seeds.nextLong());
            ViewSender sender = new ViewSender(port, ledger, ViewSender.Retries.CLIENT);
            start("single-" + i, singlesPerSender, seq -> sendSingle(sender, random, "s" + id + "-" + seq));
        }
        for (int i = 0; i < BATCH_SENDERS; i++) {
            int id = i;
            Random random = new Random(seeds.nextLong());
            ViewSender sender = new ViewSender(port, ledger, ViewSender.Retries.CLIENT);
            start("batch-" + i, batchesPerSender, seq -> sendBatch(sender, random, id + "-" + seq));
        }
        ViewSender badFieldSender = new ViewSender(port, ledger, ViewSender.Retries.CLIENT);
        Random random = new Random(seeds.nextLong());
        start("bad-field", BAD_FIELD_VIEWS_PER_SECOND, seq -> badFieldSender.single(
                new ViewSender.View(user(random), BAD_FIELD_PAGE, now(), "bf-" + seq), true));
        ViewSender.Retries retries = ViewSender.Retries.CLIENT;
        LOG.info("Load: {} views/s: {} senders of single views, {} of batches of {}, {} views/s to {}; each view with an "
                + "event_id, up to {} tries (backoff {} doubling to {}), {}% of the requests answered 2xx sent once more",
                viewsPerSecond, SINGLE_SENDERS, BATCH_SENDERS, BATCH_SIZE, BAD_FIELD_VIEWS_PER_SECOND, BAD_FIELD_PAGE,
                retries.maxTries(), FaultInjector.seconds(retries.firstBackoff()), FaultInjector.seconds(retries.maxBackoff()),
                REPLY_LOST_SHARE * 100);
    }

    long requests() {
        return requests.get();
    }

    /** Stops sending new views and waits for the views in flight to get their answers (or their last try to time out). */
    @Override
    public void close() {
        running.set(false);
        long deadline = System.nanoTime() + ViewSender.Retries.CLIENT.longestView().plusSeconds(5).toNanos();
        for (Thread thread : threads) {
            try {
                thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Most single views are for now; some are skewed: a minute ahead (accepted and counted), a day in the
     * past (counted as late), and, when the edge refuses them, a day ahead (must be refused and not counted).
     */
    private void sendSingle(ViewSender sender, Random random, String name) {
        double dice = random.nextDouble();
        long now = now();
        ViewSender.View view;
        if (dice < 0.04) {
            view = new ViewSender.View(user(random), "/chaos/minute-ahead/" + name, now + 60, name);
        } else if (dice < 0.08) {
            view = new ViewSender.View(user(random), "/chaos/day-behind/" + name, now - DAY, name);
        } else if (dice < 0.10 && sendDayAhead) {
            sender.single(new ViewSender.View(user(random), "/chaos/day-ahead/" + name, now + DAY, name), false);
            return;
        } else {
            view = new ViewSender.View(user(random), "/chaos/s/" + name, now, name);
        }
        boolean replyLost = random.nextDouble() < REPLY_LOST_SHARE;
        if (sender.single(view, true) == Ledger.Outcome.ACCEPTED && replyLost) {
            sender.resendAccepted(view);
        }
    }

    private void sendBatch(ViewSender sender, Random random, String name) {
        List<ViewSender.View> views = new ArrayList<>(BATCH_SIZE);
        String page = "/chaos/b/" + name;
        long now = now();
        for (int i = 0; i < BATCH_SIZE; i++) {
            views.add(new ViewSender.View(user(random), page, random.nextInt(10) == 0 ? now - DAY : now, "b" + name + "." + i));
        }
        boolean replyLost = random.nextDouble() < REPLY_LOST_SHARE;
        if (sender.batch(views) && replyLost) {
            sender.resendAccepted(views);
        }
    }

    private interface Step {
        void run(long seq);
    }

    private void start(String name, double perSecond, Step step) {
        long periodNanos = (long) (TimeUnit.SECONDS.toNanos(1) / perSecond);
        Thread thread = new Thread(() -> {
            long next = System.nanoTime();
            long seq = 0;
            while (running.get()) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (!running.get()) {
                    return;
                }
                step.run(seq++);
                requests.incrementAndGet();
                next += periodNanos;
                next = Math.max(next, System.nanoTime() - periodNanos); // after a stall, resume the pace, no burst
            }
        }, "chaos-load-" + name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private static String user(Random random) {
        return "u" + random.nextInt(1000);
    }

    static long now() {
        return System.currentTimeMillis() / 1000;
    }
}
