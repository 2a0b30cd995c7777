package dev.pageviews.read.query;

import java.util.List;
import java.util.Locale;

/**
 * A filter on {@code event:page} in Plausible's syntax: {@code is}, {@code is_not}, {@code contains},
 * {@code contains_not} (any clause matches; {@code {"case_sensitive": false}} as a fourth element), combined with
 * {@code and}, {@code or}, {@code not}.
 */
public sealed interface PageFilter {

    boolean test(String page);

    record Match(Operator operator, List<String> clauses, boolean caseSensitive) implements PageFilter {
        @Override
        public boolean test(String page) {
            String subject = caseSensitive ? page : page.toLowerCase(Locale.ROOT);
            boolean any = false;
            for (String clause : clauses) {
                String c = caseSensitive ? clause : clause.toLowerCase(Locale.ROOT);
                if (operator.contains ? subject.contains(c) : subject.equals(c)) {
                    any = true;
                    break;
                }
            }
            return operator.negated != any;
        }

        /** The one page this filter can match, when it is {@code is} with one case-sensitive clause; else null. */
        String singlePage() {
            return operator == Operator.IS && caseSensitive && clauses.size() == 1 ? clauses.get(0) : null;
        }
    }

    record All(List<PageFilter> filters) implements PageFilter {
        @Override
        public boolean test(String page) {
            return filters.stream().allMatch(f -> f.test(page));
        }
    }

    record Any(List<PageFilter> filters) implements PageFilter {
        @Override
        public boolean test(String page) {
            return filters.stream().anyMatch(f -> f.test(page));
        }
    }

    record Not(PageFilter filter) implements PageFilter {
        @Override
        public boolean test(String page) {
            return !filter.test(page);
        }
    }

    enum Operator {
        IS("is", false, false), IS_NOT("is_not", false, true), CONTAINS("contains", true, false),
        CONTAINS_NOT("contains_not", true, true);

        final String apiName;
        final boolean contains;
        final boolean negated;

        Operator(String apiName, boolean contains, boolean negated) {
            this.apiName = apiName;
            this.contains = contains;
            this.negated = negated;
        }
    }
}
