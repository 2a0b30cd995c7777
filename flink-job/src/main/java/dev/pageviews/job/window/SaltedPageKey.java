package dev.pageviews.job.window;

import dev.pageviews.job.hashing.SipHash;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * The key of the windows: a page behind a prefix made of a keyed hash of it ({@link SipHash}, under a secret drawn
 * when the job graph is built), so that what a window costs per view does not depend on the pages a client chooses.
 *
 * <p>Why: the windows' state on the heap (Flink's {@code CopyOnWriteStateMap}) chains keys by {@code key.hashCode()},
 * and so does the dedup map of the heap timers; both pick the key group, and so the subtask, from it too. Pages with
 * one {@code String.hashCode} are free to make ({@code Aa} and {@code BB} hash alike, so 16 such blocks give 65,536
 * of them), and keyed by themselves they would make every access walk one chain of all the pages open in a window:
 * O(pages) per view, one subtask doing it all (32.5 times the CPU per view of random pages: BENCHMARKS.md, "Why keys
 * are salted and slots come from a keyed hash"). The hash code of the prefixed key depends on the prefix, which a client cannot compute without the
 * secret: collisions are back to chance.
 *
 * <p>A key is {@value #MARK_TEXT}, {@value #HASH_CHARS} characters of the hash ({@code A-Z a-z 0-9 - _}) and the page.
 * {@link #page} strips the prefix when a window emits. Pages never start with the mark (a control character, which
 * neither {@code page_url} nor a page key may contain), so a window restored from a savepoint of a job that keyed by
 * the page alone fires as before and emits its page unchanged.
 *
 * <p>A new secret per submission is safe: the window state lives for a window and the out-of-orderness, and nothing
 * looks it up by key from outside. After a restore under a new secret, a page's views of a window restored from the
 * snapshot and its views read afterwards sit under two keys, and both are emitted as increments of the same page,
 * which the sink adds up: the counts are the same. Across failover restarts the job graph, and so the secret, stays.
 */
public final class SaltedPageKey implements KeySelector<PageCount, String> {

    private static final long serialVersionUID = 1L;

    static final char MARK = '\u0001';
    static final String MARK_TEXT = "U+0001";
    static final int HASH_CHARS = 8;
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();

    private final SipHash hash;

    public SaltedPageKey(SipHash hash) {
        this.hash = hash;
    }

    @Override
    public String getKey(PageCount count) {
        String page = count.pageUrl();
        long bits = hash.hash(page);
        char[] key = new char[1 + HASH_CHARS + page.length()];
        key[0] = MARK;
        for (int i = 1; i <= HASH_CHARS; i++) {
            key[i] = ALPHABET[(int) (bits & 63)];
            bits >>>= 6;
        }
        page.getChars(0, page.length(), key, 1 + HASH_CHARS);
        return new String(key);
    }

    /** The page a window key stands for: without its prefix, or as it is when a job before this one keyed by the page. */
    public static String page(String key) {
        return key.length() >= 1 + HASH_CHARS && key.charAt(0) == MARK ? key.substring(1 + HASH_CHARS) : key;
    }
}
