package dev.pageviews.settings;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A list setting of client properties, {@code key=value} items, passed as they are to a client library (Kafka's
 * {@code security.protocol}, {@code sasl.jaas.config}, ...). The edge and the job read their Kafka properties with
 * this one type, so both take the same syntax, refuse keys the same way and mask the same way.
 */
public final class ClientProperties {

    private ClientProperties() {
    }

    /**
     * Where a Kafka client's identity is set, for the messages of a refusal: a SASL user, or the client certificate of
     * mutual TLS, in {@code setting} (the label of the client's properties setting).
     */
    public static String kafkaIdentity(String setting) {
        return "sasl.jaas.config, or the client certificate of ssl.keystore.*, in " + setting;
    }

    /** What to check in {@code setting} when the TLS handshake with Kafka failed. */
    public static String kafkaTlsAdvice(String setting) {
        return "check in " + setting + " the truststore (ssl.truststore.*) that Kafka's certificate must be signed by "
                + "and, for mutual TLS, the keystore (ssl.keystore.*): its client certificate must be signed by a CA "
                + "that Kafka trusts";
    }

    /**
     * The type: items {@code key=value}, comma-separated ({@code \,} for a comma in a value) or the flag repeated.
     * {@code refused} says why a key cannot be set (what to use instead), or null when it can.
     */
    public static ValueType<List<String>> type(Function<String, String> refused) {
        return Values.listOf(Values.checked(Values.nonEmptyText(), pair -> {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + pair + "' is not key=value");
            }
            String why = refused.apply(pair.substring(0, eq).trim());
            if (why != null) {
                throw new IllegalArgumentException(why);
            }
        }));
    }

    /** The items of a value of {@link #type} as a map, in their order; a later item wins over an earlier one. */
    public static Map<String, String> toMap(List<String> items) {
        Map<String, String> props = new LinkedHashMap<>();
        for (String pair : items) {
            int eq = pair.indexOf('=');
            props.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return Collections.unmodifiableMap(props);
    }

    /**
     * The text with every value masked and the keys kept, for {@code shownAs}: any value may be a secret
     * ({@code sasl.jaas.config}, {@code *.password}, {@code ssl.keystore.key}, an OAuth client secret...), and a
     * list of known secret keys would miss the next one a client library adds.
     */
    public static String masked(String text) {
        return text.replaceAll("=(\\\\,|[^,])*", "=***");
    }
}
