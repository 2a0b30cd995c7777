package dev.pageviews.read.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** Date ranges in the reporting time zone, DST days included. */
class PeriodsTest {

    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static Period resolve(DateRangeSpec spec, ZoneId zone, Instant now) {
        return Periods.resolve(spec, zone, now.getEpochSecond(), null, (a, b) -> LocalDate.of(2025, 1, 1),
                Duration.ofDays(730), Duration.ofDays(732));
    }

    private static long hours(Period p) {
        return (p.to() - p.from()) / 3600;
    }

    @Test
    void dstDaysHave23And25Hours() {
        Instant now = Instant.parse("2025-12-01T12:00:00Z");
        assertThat(hours(resolve(new DateRangeSpec.Dates(LocalDate.of(2025, 3, 30), LocalDate.of(2025, 3, 30)), BERLIN, now))).isEqualTo(23);
        assertThat(hours(resolve(new DateRangeSpec.Dates(LocalDate.of(2025, 10, 26), LocalDate.of(2025, 10, 26)), BERLIN, now))).isEqualTo(25);
        assertThat(hours(resolve(new DateRangeSpec.Dates(LocalDate.of(2025, 3, 9), LocalDate.of(2025, 3, 9)), NEW_YORK, now))).isEqualTo(23);
        assertThat(hours(resolve(new DateRangeSpec.Dates(LocalDate.of(2025, 11, 2), LocalDate.of(2025, 11, 2)), NEW_YORK, now))).isEqualTo(25);
        assertThat(hours(resolve(new DateRangeSpec.Dates(LocalDate.of(2025, 11, 3), LocalDate.of(2025, 11, 3)), NEW_YORK, now))).isEqualTo(24);
    }

    @Test
    void dayIsTodayInTheZoneNotInUtc() {
        Instant lateUtc = Instant.parse("2025-06-30T23:30:00Z"); // 1 July in Berlin, 30 June in New York
        Period berlin = resolve(new DateRangeSpec.Named("day"), BERLIN, lateUtc);
        Period newYork = resolve(new DateRangeSpec.Named("day"), NEW_YORK, lateUtc);
        assertThat(berlin.echo().get(0)).isEqualTo("2025-07-01T00:00:00+02:00");
        assertThat(newYork.echo()).containsExactly("2025-06-30T00:00:00-04:00", "2025-06-30T23:59:59-04:00");
    }

    @Test
    void rollingDaysEndYesterdayAsPlausiblesDo() {
        Instant now = Instant.parse("2025-11-05T10:00:00Z");
        Period week = resolve(new DateRangeSpec.Named("7d"), NEW_YORK, now);
        assertThat(week.echo()).containsExactly("2025-10-29T00:00:00-04:00", "2025-11-04T23:59:59-05:00");
        assertThat(hours(week)).isEqualTo(7 * 24 + 1); // 2 November has 25 hours
        Period thirty = resolve(new DateRangeSpec.Named("30d"), BERLIN, now);
        assertThat(thirty.echo()).containsExactly("2025-10-06T00:00:00+02:00", "2025-11-04T23:59:59+01:00");
    }

    @Test
    void monthYearAndMonthsAreWholeCalendarOnes() {
        Instant now = Instant.parse("2024-02-10T10:00:00Z");
        assertThat(resolve(new DateRangeSpec.Named("month"), BERLIN, now).echo())
                .containsExactly("2024-02-01T00:00:00+01:00", "2024-02-29T23:59:59+01:00");
        assertThat(resolve(new DateRangeSpec.Named("year"), BERLIN, now).echo())
                .containsExactly("2024-01-01T00:00:00+01:00", "2024-12-31T23:59:59+01:00");
        assertThat(resolve(new DateRangeSpec.Named("3mo"), BERLIN, now).echo())
                .containsExactly("2023-11-01T00:00:00+01:00", "2024-01-31T23:59:59+01:00");
    }

    @Test
    void allStartsWhereTheStoreSaysAndRollingMinutesEndWithTheCurrentOne() {
        Instant now = Instant.parse("2025-11-05T10:17:42Z");
        assertThat(resolve(new DateRangeSpec.Named("all"), BERLIN, now).echo().get(0)).isEqualTo("2025-01-01T00:00:00+01:00");
        Period day = resolve(new DateRangeSpec.Named("24h"), BERLIN, now);
        assertThat(day.to() - day.from()).isEqualTo(86400);
        assertThat(day.to()).isEqualTo(Instant.parse("2025-11-05T10:18:00Z").getEpochSecond());
        Period realtime = resolve(new DateRangeSpec.Named("realtime"), BERLIN, now);
        assertThat(realtime.from()).isEqualTo(Instant.parse("2025-11-05T10:13:00Z").getEpochSecond());
        assertThat(realtime.to() - realtime.from()).isEqualTo(300);
    }

    @Test
    void datetimesWidenToWholeMinutesIncludingTheirLastSecond() {
        Period p = resolve(new DateRangeSpec.Instants(OffsetDateTime.parse("2025-11-05T10:15:30+01:00"),
                OffsetDateTime.parse("2025-11-05T10:59:59+01:00")), BERLIN, Instant.parse("2025-11-06T00:00:00Z"));
        assertThat(p.echo()).containsExactly("2025-11-05T10:15:00+01:00", "2025-11-05T10:59:59+01:00");
    }

    @Test
    void aRangeLongerThanTheMostIsRefused() {
        assertThatThrownBy(() -> resolve(new DateRangeSpec.Dates(LocalDate.of(2020, 1, 1), LocalDate.of(2025, 1, 1)), BERLIN,
                Instant.parse("2025-11-06T00:00:00Z"))).isInstanceOf(QueryException.class)
                .hasMessageStartingWith("#/date_range: the range is longer than 732 days");
    }
}
