package dev.pageviews.settings;

/**
 * How the text of one setting becomes its value. {@link #parse} throws {@link IllegalArgumentException} with a
 * message that says what was wrong and what to write instead; the setting's name is added by the caller.
 */
public interface ValueType<T> {

    T parse(String text);

    /** What {@code --help} shows after the flag: {@code <duration>}, {@code json|parquet}... */
    String hint();

    /** A boolean given as a bare flag ({@code --fresh}) means true. */
    default boolean isSwitch() {
        return false;
    }

    /** A list: a repeated flag adds to it, and one value may hold several items separated by commas. */
    default boolean isList() {
        return false;
    }

    /** The text that parses back to {@code value}, for {@link Settings#with} and {@link Settings#toArgs}. */
    default String format(T value) {
        return String.valueOf(value);
    }
}
