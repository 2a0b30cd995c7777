package dev.pageviews.settings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The value types settings are made of. Each checks its text and says what to write instead. */
public final class Values {

    private Values() {
    }

    /** Any text, empty included. */
    public static ValueType<String> text() {
        return new Simple<>("<text>", t -> t);
    }

    public static ValueType<String> nonEmptyText() {
        return new Simple<>("<text>", t -> {
            if (t.isBlank()) {
                throw new IllegalArgumentException("must not be empty");
            }
            return t.trim();
        });
    }

    public static ValueType<Integer> intIn(int min, int max) {
        return new Simple<>("<n>", t -> (int) parseLong(t, min, max));
    }

    public static ValueType<Long> longIn(long min, long max) {
        return new Simple<>("<n>", t -> parseLong(t, min, max));
    }

    public static ValueType<Integer> port() {
        return new Simple<>("<port>", t -> {
            try {
                return (int) parseLong(t, 0, 65_535);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + t + "' is not a port (0-65535; 0 picks a free one)");
            }
        });
    }

    /** {@code true} or {@code false}; given as a bare flag it is true. */
    public static ValueType<Boolean> bool() {
        return new ValueType<>() {
            @Override
            public Boolean parse(String text) {
                return switch (text.trim().toLowerCase(Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new IllegalArgumentException("'" + text + "' is not true or false");
                };
            }

            @Override
            public String hint() {
                return "[true|false]";
            }

            @Override
            public boolean isSwitch() {
                return true;
            }
        };
    }

    /** One of an enum's constants, written in lower case with dashes: {@code at-least-once}. */
    public static <E extends Enum<E>> ValueType<E> oneOf(Class<E> type) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(Values::spelled).toList();
        return new Simple<E>(String.join("|", names), t -> {
            for (E constant : type.getEnumConstants()) {
                if (spelled(constant).equalsIgnoreCase(t.trim().replace('_', '-'))) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("'" + t + "' is not one of " + String.join(", ", names));
        }) {
            @Override
            public String format(E value) {
                return spelled(value);
            }
        };
    }

    /** One of fixed words, case ignored: {@code lz4|zstd|none}. */
    public static ValueType<String> oneOf(String... choices) {
        return new Simple<>(String.join("|", choices), t -> {
            for (String choice : choices) {
                if (choice.equalsIgnoreCase(t.trim())) {
                    return choice;
                }
            }
            throw new IllegalArgumentException("'" + t + "' is not one of " + String.join(", ", choices));
        });
    }

    /** {@code type}, plus a further check of its value (which throws IllegalArgumentException saying why). */
    public static <T> ValueType<T> checked(ValueType<T> type, java.util.function.Consumer<? super T> check) {
        return new ValueType<>() {
            @Override
            public T parse(String text) {
                T value = type.parse(text);
                check.accept(value);
                return value;
            }

            @Override
            public String hint() {
                return type.hint();
            }

            @Override
            public boolean isSwitch() {
                return type.isSwitch();
            }

            @Override
            public boolean isList() {
                return type.isList();
            }

            @Override
            public String format(T value) {
                return type.format(value);
            }
        };
    }

    /** The way an enum constant is written in a setting: {@code AT_LEAST_ONCE} → {@code at-least-once}. */
    public static String spelled(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A duration in Flink's syntax ({@link FlinkSyntax#duration}), from {@code min} to {@code max}. */
    public static ValueType<Duration> duration(Duration min, Duration max) {
        return duration(FlinkSyntax::duration, min, max);
    }

    /** A duration read by {@code syntax} (the job passes Flink's own {@code TimeUtils::parseDuration}). */
    public static ValueType<Duration> duration(Function<String, Duration> syntax, Duration min, Duration max) {
        return new Simple<Duration>("<duration>", t -> {
            if (t.trim().startsWith("-")) {
                throw new IllegalArgumentException("'" + t + "' is negative; write e.g. 500ms, 2s, 10min, 1h or 7d");
            }
            Duration value;
            try {
                value = syntax.apply(t.trim());
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new IllegalArgumentException("'" + t + "' is not a duration; write e.g. 500ms, 2s, 10min, 1h or 7d");
            }
            if (value.compareTo(min) < 0) {
                throw new IllegalArgumentException(value.isZero()
                        ? "'" + t + "' must be longer than 0"
                        : "'" + t + "' is shorter than the least allowed, " + FlinkSyntax.formatDuration(min));
            }
            if (value.compareTo(max) > 0) {
                throw new IllegalArgumentException("'" + t + "' is longer than the most allowed, " + FlinkSyntax.formatDuration(max));
            }
            return value;
        }) {
            @Override
            public String format(Duration value) {
                return FlinkSyntax.formatDuration(value);
            }
        };
    }

    /** Longer than zero, at most {@code max}. */
    public static ValueType<Duration> positiveDuration(Duration max) {
        return duration(Duration.ofNanos(1), max);
    }

    /** A memory size in Flink's syntax ({@link FlinkSyntax#bytes}: {@code 64kb}, {@code 1mb}), in bytes. */
    public static ValueType<Long> bytes(long min, long max) {
        return bytes(FlinkSyntax::bytes, min, max);
    }

    /** A memory size read by {@code syntax} (the job passes Flink's own {@code MemorySize.parse}). */
    public static ValueType<Long> bytes(Function<String, Long> syntax, long min, long max) {
        return new Simple<Long>("<size>", t -> {
            if (t.trim().startsWith("-")) {
                throw new IllegalArgumentException("'" + t + "' is negative; write e.g. 64kb, 1mb or 2gb");
            }
            long value;
            try {
                value = syntax.apply(t.trim());
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new IllegalArgumentException("'" + t + "' is not a size; write e.g. 1048576, 64kb, 1mb or 2gb");
            }
            if (value < min || value > max) {
                throw new IllegalArgumentException("'" + t + "' is not from " + FlinkSyntax.formatBytes(min) + " to "
                        + FlinkSyntax.formatBytes(max));
            }
            return value;
        }) {
            @Override
            public String format(Long value) {
                return FlinkSyntax.formatBytes(value);
            }
        };
    }

    /** A memory size that fits an int (buffers, bodies). */
    public static ValueType<Integer> intBytes(int min, int max) {
        ValueType<Long> bytes = bytes(min, max);
        return new Simple<Integer>("<size>", t -> (int) (long) bytes.parse(t)) {
            @Override
            public String format(Integer value) {
                return FlinkSyntax.formatBytes(value);
            }
        };
    }

    /**
     * A list of {@code item}s. One text holds items separated by commas; a comma inside an item is written
     * {@code \,}, e.g. {@code ssl.enabled.protocols=TLSv1.2\,TLSv1.3}. A repeated flag adds its items.
     */
    public static <E> ValueType<List<E>> listOf(ValueType<E> item) {
        return new ValueType<>() {
            @Override
            public List<E> parse(String text) {
                List<E> items = new ArrayList<>();
                for (String part : splitItems(text)) {
                    if (!part.isBlank()) {
                        items.add(item.parse(part.trim()));
                    }
                }
                return Collections.unmodifiableList(items);
            }

            @Override
            public String hint() {
                return item.hint() + ",...";
            }

            @Override
            public boolean isList() {
                return true;
            }

            @Override
            public String format(List<E> value) {
                return value.stream().map(v -> item.format(v).replace(",", "\\,")).collect(Collectors.joining(","));
            }
        };
    }

    /** Distinct enum constants, in the order given: {@code json,parquet}. */
    public static <E extends Enum<E>> ValueType<List<E>> enumList(Class<E> type) {
        ValueType<List<E>> list = listOf(oneOf(type));
        return new ValueType<>() {
            @Override
            public List<E> parse(String text) {
                List<E> items = list.parse(text);
                if (EnumSet.copyOf(items.isEmpty() ? EnumSet.noneOf(type) : items).size() != items.size()) {
                    throw new IllegalArgumentException("'" + text + "' names a value twice");
                }
                return items;
            }

            @Override
            public String hint() {
                return list.hint();
            }

            @Override
            public boolean isList() {
                return true;
            }

            @Override
            public String format(List<E> value) {
                return list.format(value);
            }
        };
    }

    /** Items of a list text: split at commas, except those written {@code \,}. */
    static List<String> splitItems(String text) {
        List<String> items = new ArrayList<>();
        StringBuilder item = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == ',') {
                item.append(',');
                i++;
            } else if (c == ',') {
                items.add(item.toString());
                item.setLength(0);
            } else {
                item.append(c);
            }
        }
        items.add(item.toString());
        return items;
    }

    private static long parseLong(String text, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number from " + min + " to " + max);
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(value + " is not from " + min + " to " + max);
        }
        return value;
    }

    /** A value type made of a hint and a parse function. */
    private static class Simple<T> implements ValueType<T> {
        private final String hint;
        private final Function<String, T> parser;

        Simple(String hint, Function<String, T> parser) {
            this.hint = hint;
            this.parser = parser;
        }

        @Override
        public T parse(String text) {
            return parser.apply(text);
        }

        @Override
        public String hint() {
            return hint;
        }
    }
}
