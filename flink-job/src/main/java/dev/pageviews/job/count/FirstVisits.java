package dev.pageviews.job.count;

import dev.pageviews.job.dedup.DedupKey;
import dev.pageviews.job.dedup.RememberedPerBucket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Marks a view as its user's first of the page, and of the site, on the view's day in the reporting time zone: what
 * the exact daily visitor counts add up. Runs on a stream keyed by a bucket of the user id ({@link VisitorBucket}), and
 * remembers which (day, user) and (day, user, page) it has seen, each for a day, two hours and {@code window} after
 * it was first seen ({@link #memory}): long enough for every view that is still counted as a visitor.
 *
 * <p>A visit is remembered as the first 128 bits of the SHA-256 of its day, user and page
 * ({@link #visit}): 16 bytes in a bucket's table ({@link RememberedPerBucket}) whatever the lengths of the ids, so
 * the state and each checkpoint of it stay small. Two visits are taken for one only if their digests share those
 * bits: for a billion visits a day the chance that any two do is below 10<sup>-20</sup>, and, SHA-256 being collision
 * resistant, no client can choose ids that do.
 *
 * <p>A view that arrives more than {@code window} after its day ended (by the TaskManager's clock) is counted as a
 * view but not as a visitor (metric {@value #TOO_LATE_METRIC}): what was seen on its day may be forgotten by then, and
 * counting it could count a visitor twice. The day's HyperLogLog is not written for it either.
 *
 * <p>With the hashmap state backend a bucket remembers at most {@code maxPerBucket} visits. Which bucket a user falls in
 * is public, so this bounds what one client can pile into one bucket. A full bucket forgets the visits it saw longest
 * ago (metric {@value #FORGOTTEN_METRIC}, a warning at most once a minute): a user's next view of a forgotten visit
 * counts them as a visitor again that day. Views are never affected.
 */
public final class FirstVisits extends AbstractStreamOperator<CountedView> implements OneInputStreamOperator<CountedView, CountedView> {

    private static final long serialVersionUID = 1L;

    public static final String TOO_LATE_METRIC = "visitorsTooLate";
    public static final String FORGOTTEN_METRIC = "visitsForgotten";
    static final String TABLES_STATE = "remembered-visits";
    static final String ENTRIES_STATE = "seen-visits";

    private final ReportingTime time;
    private final long windowSeconds;
    private final int maxPerBucket;
    private transient RememberedPerBucket seen;
    private transient MessageDigest sha256;
    private transient Counter tooLate;
    private transient Counter forgotten;

    public FirstVisits(ReportingTime time, Duration window, int maxPerBucket) {
        this.time = time;
        this.windowSeconds = window.toSeconds();
        this.maxPerBucket = maxPerBucket;
    }

    /**
     * How long a seen visit is remembered: its whole day (25 hours at most), the window, and a margin for clocks. A
     * page's visit is seen after its site visit of the day; both are remembered this long, so a page visit still
     * remembered means its site visit is too (unless a full bucket forgot it, which forgets the older first).
     */
    static Duration memory(Duration window) {
        return Duration.ofHours(26).plus(window);
    }

    @Override
    public void open() throws Exception {
        super.open();
        tooLate = getMetricGroup().counter(TOO_LATE_METRIC);
        forgotten = getMetricGroup().counter(FORGOTTEN_METRIC);
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        seen = new RememberedPerBucket(this, TABLES_STATE, ENTRIES_STATE, memory(Duration.ofSeconds(windowSeconds)), maxPerBucket,
                new RememberedPerBucket.Forgetting("visits", "--visitor-max-per-bucket", "those users count as visitors again at "
                        + "their next view that day", FORGOTTEN_METRIC), forgotten);
    }

    @Override
    public void processElement(StreamRecord<CountedView> element) throws Exception {
        CountedView view = element.getValue();
        if (view.userId() == null) {
            output.collect(element);
            return;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime() / 1000;
        if (now > time.dayEnd(view.second()) + windowSeconds) {
            tooLate.inc();
            output.collect(element);
            return;
        }
        String date = time.date(view.second());
        int flags = 0;
        // a page visit seen before implies its site visit was seen before it: one lookup for most views
        if (seen.firstWithinWindow(visit(date, view.userId(), view.page()))) {
            flags |= CountedView.FIRST_OF_PAGE_DAY;
            if (seen.firstWithinWindow(visit(date, view.userId(), null))) {
                flags |= CountedView.FIRST_OF_SITE_DAY;
            }
        }
        output.collect(flags == 0 ? element : element.replace(view.withFlags(flags)));
    }

    /** The first 128 bits of the SHA-256 of {@code date\nuser} or {@code date\nuser\npage} (no id holds a newline). */
    DedupKey visit(String date, String user, String page) {
        String text = page == null ? date + '\n' + user : date + '\n' + user + '\n' + page;
        ByteBuffer digest = ByteBuffer.wrap(sha256.digest(text.getBytes(StandardCharsets.UTF_8)));
        return new DedupKey(digest.getLong(), digest.getLong(), null);
    }
}
