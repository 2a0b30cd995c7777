package dev.pageviews.job.count;

/**
 * What the Redis sink counts: {@code count} views of {@code page} (its key) at {@code second} (event time, Unix
 * seconds), by {@code userId}, and whether the view is the user's first of the page ({@link #FIRST_OF_PAGE_DAY}) or
 * of the site ({@link #FIRST_OF_SITE_DAY}) that day of the reporting time zone. A view counted by the windows of an
 * older build (restored from its checkpoint) has a count of its own and no user ({@code null}) or flags.
 */
public record CountedView(String page, long second, String userId, int flags, long count) {

    public static final int FIRST_OF_PAGE_DAY = 1;
    public static final int FIRST_OF_SITE_DAY = 2;

    public static CountedView of(String page, long second, String userId) {
        return new CountedView(page, second, userId, 0, 1);
    }

    public CountedView withFlags(int newFlags) {
        return new CountedView(page, second, userId, newFlags, count);
    }

    public boolean firstOfPageDay() {
        return (flags & FIRST_OF_PAGE_DAY) != 0;
    }

    public boolean firstOfSiteDay() {
        return (flags & FIRST_OF_SITE_DAY) != 0;
    }
}
