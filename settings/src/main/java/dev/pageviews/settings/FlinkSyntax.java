package dev.pageviews.settings;

import java.math.BigInteger;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Durations and memory sizes written as in Flink's configuration ({@code TimeUtils.parseDuration},
 * {@code MemorySize.parse}): a whole number, optional spaces, an optional unit. A bare number is milliseconds
 * for a duration and bytes for a size.
 *
 * <p>Written here rather than calling Flink, because the edge has no Flink on its classpath and should not carry
 * flink-core and its dependencies to read "5m". The job's own settings call Flink's parsers, and a test in
 * flink-job checks that both accept and refuse the same texts with the same values.
 */
public final class FlinkSyntax {

    private static final Map<String, ChronoUnit> TIME_UNITS = new LinkedHashMap<>();
    private static final Map<String, Long> SIZE_UNITS = new LinkedHashMap<>();

    static {
        timeUnit(ChronoUnit.DAYS, "d", "day", "days");
        timeUnit(ChronoUnit.HOURS, "h", "hour", "hours");
        timeUnit(ChronoUnit.MINUTES, "min", "m", "minute", "minutes");
        timeUnit(ChronoUnit.SECONDS, "s", "sec", "secs", "second", "seconds");
        timeUnit(ChronoUnit.MILLIS, "ms", "milli", "millis", "millisecond", "milliseconds");
        timeUnit(ChronoUnit.MICROS, "µs", "micro", "micros", "microsecond", "microseconds");
        timeUnit(ChronoUnit.NANOS, "ns", "nano", "nanos", "nanosecond", "nanoseconds");
        sizeUnit(1L, "b", "bytes");
        sizeUnit(1L << 10, "k", "kb", "kibibytes");
        sizeUnit(1L << 20, "m", "mb", "mebibytes");
        sizeUnit(1L << 30, "g", "gb", "gibibytes");
        sizeUnit(1L << 40, "t", "tb", "tebibytes");
    }

    private FlinkSyntax() {
    }

    /** {@code 500ms}, {@code 2s}, {@code 30 s}, {@code 5m} or {@code 10min}, {@code 1h}, {@code 7d}; {@code 250} is 250 ms. */
    public static Duration duration(String text) {
        Split split = split(text, "duration", "500ms, 2s, 10min, 1h or 7d");
        ChronoUnit unit = split.unit.isEmpty() ? ChronoUnit.MILLIS : TIME_UNITS.get(split.unit);
        if (unit == null) {
            throw new IllegalArgumentException("'" + text.trim() + "': unknown time unit '" + split.unit
                    + "'; write e.g. 500ms, 2s, 10min, 1h or 7d (units: " + String.join(", ", TIME_UNITS.keySet()) + ")");
        }
        BigInteger[] seconds = split.number.multiply(BigInteger.valueOf(unit.getDuration().toNanos()))
                .divideAndRemainder(BigInteger.valueOf(1_000_000_000L));
        if (seconds[0].bitLength() > 63) {
            throw new IllegalArgumentException("'" + text.trim() + "' is too long a duration");
        }
        return Duration.ofSeconds(seconds[0].longValue(), seconds[1].longValue());
    }

    /** {@code 512}, {@code 64kb}, {@code 1 mb}, {@code 2g}: bytes, as Flink's memory sizes (powers of 1024). */
    public static long bytes(String text) {
        Split split = split(text, "size", "1048576, 64kb, 1mb or 2gb");
        long factor = split.unit.isEmpty() ? 1 : SIZE_UNITS.getOrDefault(split.unit, 0L);
        if (factor == 0) {
            throw new IllegalArgumentException("'" + text.trim() + "': unknown size unit '" + split.unit
                    + "'; write e.g. 1048576, 64kb, 1mb or 2gb (units: " + String.join(", ", SIZE_UNITS.keySet()) + ")");
        }
        BigInteger bytes = split.number.multiply(BigInteger.valueOf(factor));
        if (bytes.bitLength() > 63) {
            throw new IllegalArgumentException("'" + text.trim() + "' is too large a size");
        }
        return bytes.longValue();
    }

    /** A size as the shortest exact text: 1048576 → {@code 1mb}, 1500 → {@code 1500b}. */
    public static String formatBytes(long bytes) {
        String best = bytes + "b";
        for (Map.Entry<String, Long> unit : SIZE_UNITS.entrySet()) {
            if (unit.getKey().length() == 2 && bytes != 0 && bytes % unit.getValue() == 0) {
                best = bytes / unit.getValue() + unit.getKey();
            }
        }
        return best;
    }

    /** A duration as the shortest exact text: 120000 ms → {@code 2min}, 1500 ms → {@code 1500ms}. */
    public static String formatDuration(Duration duration) {
        long millis = duration.toMillis();
        if (!Duration.ofMillis(millis).equals(duration)) {
            return duration.toNanos() + "ns";
        }
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] labels = {"d", "h", "min", "s"};
        for (int i = 0; i < sizes.length; i++) {
            if (millis != 0 && millis % sizes[i] == 0) {
                return millis / sizes[i] + labels[i];
            }
        }
        return millis + "ms";
    }

    private record Split(BigInteger number, String unit) {
    }

    private static Split split(String text, String what, String examples) {
        String trimmed = text.trim();
        int digits = 0;
        while (digits < trimmed.length() && trimmed.charAt(digits) >= '0' && trimmed.charAt(digits) <= '9') {
            digits++;
        }
        if (trimmed.isEmpty() || digits == 0) {
            throw new IllegalArgumentException((trimmed.startsWith("-") ? "'" + trimmed + "' is negative" : "'" + trimmed
                    + "' is not a " + what) + "; write e.g. " + examples);
        }
        return new Split(new BigInteger(trimmed.substring(0, digits)), trimmed.substring(digits).trim().toLowerCase(Locale.US));
    }

    private static void timeUnit(ChronoUnit unit, String... labels) {
        for (String label : labels) {
            TIME_UNITS.put(label, unit);
        }
    }

    private static void sizeUnit(long factor, String... labels) {
        for (String label : labels) {
            SIZE_UNITS.put(label, factor);
        }
    }
}
