package dev.pageviews.job.dedup;

/**
 * An event id as the dedup state keeps it, exactly and compactly: an id in the canonical lowercase form of a UUID
 * (what {@code crypto.randomUUID()} and {@code UUID.toString()} give) as its 128 bits, 16 bytes instead of a
 * 36-character string; any other id as itself. Two keys are equal only when their ids are the same string: a
 * hash would be smaller still, but could take two ids for one.
 *
 * <p>{@link #spread()} decides the id's {@link #bucket()} (and so its key group and the subtask that owns it), so it
 * is defined here and must never change: a restored job would look for ids where they are not. It is no secret, and
 * clients can choose ids that share it; an id's place in its bucket's table is therefore a keyed hash of its own
 * ({@link RememberedIds}).
 */
public record DedupKey(long high, long low, String text) {

    private static final int UUID_LENGTH = 36;
    /** How many buckets the ids are spread over: Flink's largest max parallelism, so every key group can own some. */
    public static final int BUCKETS = 1 << 15;
    private static final int BUCKET_SHIFT = 64 - 15;

    /** The key of {@code id}; allocates nothing but the key. */
    public static DedupKey of(String id) {
        if (id.length() == UUID_LENGTH && id.charAt(8) == '-' && id.charAt(13) == '-' && id.charAt(18) == '-'
                && id.charAt(23) == '-') {
            long a = hex(id, 0, 8);
            long b = hex(id, 9, 13);
            long c = hex(id, 14, 18);
            long d = hex(id, 19, 23);
            long e = hex(id, 24, 36);
            if ((a | b | c | d | e) >= 0) { // each group is at most 48 bits: -1 marks a character that is not a digit
                return new DedupKey(a << 32 | b << 16 | c, d << 48 | e, null);
            }
        }
        return new DedupKey(0, 0, id);
    }

    public boolean isUuid() {
        return text == null;
    }

    /** The id this key stands for. */
    public String id() {
        return text != null ? text : new java.util.UUID(high, low).toString();
    }

    /**
     * 64 well-mixed bits of the id (MurmurHash3's 64-bit finalizer over the UUID's bits, or over the string's hash):
     * the top 15 bits pick the bucket.
     */
    public long spread() {
        long bits = text != null ? text.hashCode() : high * 0x9E3779B97F4A7C15L ^ low;
        bits ^= bits >>> 33;
        bits *= 0xff51afd7ed558ccdL;
        bits ^= bits >>> 33;
        bits *= 0xc4ceb9fe1a85ec53L;
        bits ^= bits >>> 33;
        return bits;
    }

    /** The bucket (0 to {@link #BUCKETS} - 1) the dedup stage keys this id by. */
    public int bucket() {
        return (int) (spread() >>> BUCKET_SHIFT);
    }

    /** Lowercase hex digits {@code from} (inclusive) to {@code to} as a number, or -1 when any is not one. */
    private static long hex(String id, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            char c = id.charAt(i);
            int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (digit < 0) {
                return -1;
            }
            value = value << 4 | digit;
        }
        return value;
    }
}
