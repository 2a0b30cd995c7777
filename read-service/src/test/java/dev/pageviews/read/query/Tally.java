package dev.pageviews.read.query;

import dev.pageviews.read.store.LayoutFixture;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/** The expected answers, counted straight from the views: no buckets, no layout, no HyperLogLog. */
public final class Tally {

    private final List<LayoutFixture.View> views;

    public Tally(List<LayoutFixture.View> views) {
        this.views = views;
    }

    /** Views in {@code [from, to)} (epoch seconds) of pages that pass {@code pages}. */
    public long views(long from, long to, Predicate<String> pages) {
        return views.stream().filter(v -> v.second() >= from && v.second() < to && pages.test(v.page())).count();
    }

    public long views(long from, long to) {
        return views(from, to, p -> true);
    }

    /** Distinct users in {@code [from, to)} of pages that pass {@code pages}. */
    public long visitors(long from, long to, Predicate<String> pages) {
        Set<String> users = new HashSet<>();
        views.stream().filter(v -> v.second() >= from && v.second() < to && pages.test(v.page())).forEach(v -> users.add(v.user()));
        return users.size();
    }

    /** Views per page in {@code [from, to)}. */
    public Map<String, Long> viewsByPage(long from, long to) {
        Map<String, Long> byPage = new TreeMap<>();
        views.stream().filter(v -> v.second() >= from && v.second() < to).forEach(v -> byPage.merge(v.page(), 1L, Long::sum));
        return byPage;
    }
}
