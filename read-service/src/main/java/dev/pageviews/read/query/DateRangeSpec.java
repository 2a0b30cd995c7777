package dev.pageviews.read.query;

import java.time.LocalDate;
import java.time.OffsetDateTime;

/** A {@code date_range} as the request gave it, before "today" and the reporting time zone resolve it ({@link Periods}). */
public sealed interface DateRangeSpec {

    /**
     * {@code day}, {@code 7d} and any {@code <n>d} (the last n whole days, today not included, as Plausible has it),
     * {@code <n>mo}, {@code month}, {@code year}, {@code all}, {@code 24h}, {@code 30m}, {@code realtime}.
     */
    record Named(String name) implements DateRangeSpec {}

    /** {@code ["2024-01-01", "2024-01-31"]}: local days of the reporting time zone, both included. */
    record Dates(LocalDate first, LocalDate last) implements DateRangeSpec {}

    /** {@code ["2024-01-01T12:00:00+02:00", "2024-01-01T15:59:59+02:00"]}: instants, both included. */
    record Instants(OffsetDateTime first, OffsetDateTime last) implements DateRangeSpec {}
}
