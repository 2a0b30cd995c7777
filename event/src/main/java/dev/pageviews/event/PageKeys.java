package dev.pageviews.event;

import java.net.IDN;
import java.util.Locale;

/**
 * What one page is: the key a valid {@code page_url} is counted under (the field of the Redis hash). Two spellings
 * of one page give one key; the key is printable ASCII, starts with {@code /} or a scheme, and is at most a given
 * length. Kafka and the archive keep {@code page_url} as sent; only the count uses the key.
 *
 * <p>The rules, in the order they apply (RFC 3986's normalisations where it has one):
 * <ol>
 *   <li><b>Fragment</b>: dropped from the first {@code #} on; it is a place in the page, not another page.
 *   <li><b>Form</b>: a {@code page_url} starting with {@code /} is a path (what pv.js sends: {@code location.pathname}
 *       and the query parameters the site keeps; {@code //a} is a path too, as a browser's pathname can be). One
 *       starting with a scheme ({@code [A-Za-z][A-Za-z0-9+.-]*:}) is an absolute URL. Anything else is a path relative
 *       to the site's root, as a browser would resolve it there: {@code a/b} is {@code /a/b}, {@code ?q=1} is
 *       {@code /?q=1}. So a key always starts with {@code /} or a scheme, and never equals a name the counts may
 *       use for themselves, such as {@code (other)}.
 *   <li><b>Percent-encoding</b>, in the path, the query and the host: an escape of an unreserved character
 *       ({@code A-Z a-z 0-9 - . _ ~}) is decoded ({@code %41} is {@code A}, {@code %7E} is {@code ~}); every other
 *       escape stays, with upper-case hex ({@code %2f} is {@code %2F}; {@code %2F %3F %23 %25} are never decoded, as
 *       they would change the path's structure); a character RFC 3986 does not allow there (space, {@code " < > [ \ ]
 *       ^ ` { | }}, anything beyond ASCII) is encoded as its UTF-8 bytes ({@code /café} is {@code /caf%C3%A9}, as a
 *       browser sends it); a {@code %} that starts no escape is {@code %25}.
 *   <li><b>Dot segments</b> are resolved (RFC 3986 5.2.4): {@code /a/./b} is {@code /a/b}, {@code /a/../b} is
 *       {@code /b}, {@code /..} is {@code /}.
 *   <li><b>Trailing slash</b>: dropped from the path ({@code /a/} is {@code /a}; {@code /a/?x=1} is {@code /a?x=1}); the
 *       root stays {@code /}. Sites that serve different pages at {@code /a} and {@code /a/} are rare; a page counted
 *       in two fields is not.
 *   <li><b>Query</b>: kept, in the order sent, with the percent-encoding above; an empty one ({@code /a?}) is
 *       dropped. It is not sorted: pv.js already sends the kept parameters in the site's order (that of
 *       {@code data-keep-params}), whatever the address bar's; and for other clients the order can matter (a
 *       repeated parameter, an application that reads them by position), so sorting could merge different pages.
 *   <li><b>Absolute URLs</b>: the scheme and the host in lower case ({@code HTTPS://Example.COM/x} is
 *       {@code https://example.com/x}); a host beyond ASCII in its ASCII form, as browsers send it
 *       ({@code bücher.example} is {@code xn--bcher-kva.example}, {@link IDN#toASCII}; one that IDNA refuses is
 *       percent-encoded); the default port dropped ({@code :80} for http, {@code :443} for https, and an empty one);
 *       user and password dropped (they name who asked, not the page, and a password has no place in a Redis
 *       field); an empty path is {@code /} ({@code https://x.com} is {@code https://x.com/}). A URL with a scheme but
 *       no {@code //} ({@code urn:a:b}) keeps all but its scheme's case and its percent-encoding as sent.
 *   <li><b>Length</b>: a key longer than the limit is cut to fit and ends with {@value #TRUNCATED} (a space, which
 *       no key holds otherwise); all long URLs with the same beginning are then one page. A cut never splits an
 *       escape, nor the escaped UTF-8 bytes of one character.
 * </ol>
 * A relative path and the absolute URL of the same page stay two keys: the edge cannot know the site's origin.
 * Views from pv.js always have the path form.
 */
public final class PageKeys {

    /** What ends a key that was cut to the length limit. */
    public static final String TRUNCATED = " (truncated)";
    /** The shortest length limit: room for a useful beginning besides {@link #TRUNCATED}. */
    public static final int MIN_MAX_LENGTH = 64;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final boolean[] UNRESERVED = new boolean[128];
    private static final boolean[] PATH = new boolean[128];
    private static final boolean[] QUERY = new boolean[128];
    private static final boolean[] SCHEME = new boolean[128];
    /** A host's characters: a name, or an IP literal in brackets. */
    private static final boolean[] HOST = new boolean[128];

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            UNRESERVED[c] = true;
            UNRESERVED[Character.toUpperCase(c)] = true;
            SCHEME[c] = true;
            SCHEME[Character.toUpperCase(c)] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            UNRESERVED[c] = true;
            SCHEME[c] = true;
        }
        for (char c : "-._~".toCharArray()) {
            UNRESERVED[c] = true;
        }
        for (char c : "+-.".toCharArray()) {
            SCHEME[c] = true;
        }
        for (int c = 0; c < 128; c++) {
            PATH[c] = UNRESERVED[c] || "!$&'()*+,;=:@/".indexOf(c) >= 0;
            QUERY[c] = PATH[c] || c == '?';
            HOST[c] = UNRESERVED[c] || "!$&'()*+,;=[]:".indexOf(c) >= 0;
        }
    }

    private PageKeys() {}

    /**
     * The key {@code pageUrl} is counted under, at most {@code maxLength} characters (at least
     * {@value #MIN_MAX_LENGTH}). {@code pageUrl} should be valid ({@link PageViewRules}); any other string still
     * gives a key, never an exception. A {@code pageUrl} that is its own key is returned as is.
     */
    public static String of(String pageUrl, int maxLength) {
        if (maxLength < MIN_MAX_LENGTH) {
            throw new IllegalArgumentException("the longest page key must be at least " + MIN_MAX_LENGTH + ", got " + maxLength);
        }
        String key = isKey(pageUrl) ? pageUrl : normalise(pageUrl);
        return key.length() <= maxLength ? key : cut(key, maxLength);
    }

    /** Whether {@code key} was cut to the length limit. */
    public static boolean isTruncated(String key) {
        return key.endsWith(TRUNCATED);
    }

    /**
     * Whether a path-form {@code pageUrl} is already a key, in one pass without allocating: the common case, a
     * browser's path with no escape, dot segment, trailing slash or fragment, costs a table lookup per character.
     */
    static boolean isKey(String url) {
        int length = url.length();
        if (length == 0 || url.charAt(0) != '/') {
            return false;
        }
        boolean[] allowed = PATH;
        for (int i = 0; i < length; i++) {
            char c = url.charAt(i);
            if (c >= 128 || !allowed[c]) {
                if (c == '?' && allowed == PATH && i + 1 < length && (i == 1 || url.charAt(i - 1) != '/')) {
                    allowed = QUERY;
                    continue;
                }
                return false; // '%', '#', a character to encode, a trailing slash before the query, an empty query
            }
            if (c == '.' && allowed == PATH && url.charAt(i - 1) == '/' && isDotSegmentAt(url, i)) {
                return false;
            }
        }
        return allowed == QUERY || length == 1 || url.charAt(length - 1) != '/';
    }

    /** Whether a segment starting at {@code i} (after a slash) is {@code .} or {@code ..}. */
    private static boolean isDotSegmentAt(String url, int i) {
        int end = i + 1 < url.length() && url.charAt(i + 1) == '.' ? i + 2 : i + 1;
        return end == url.length() || url.charAt(end) == '/' || url.charAt(end) == '?';
    }

    static String normalise(String url) {
        int hash = url.indexOf('#');
        String noFragment = hash >= 0 ? url.substring(0, hash) : url;
        int schemeEnd = schemeEnd(noFragment);
        if (schemeEnd < 0) {
            return pathAndQuery(noFragment.startsWith("/") ? noFragment : "/" + noFragment, false);
        }
        String scheme = noFragment.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        String rest = noFragment.substring(schemeEnd + 1);
        if (!rest.startsWith("//")) {
            StringBuilder key = new StringBuilder(url.length() + 8).append(scheme).append(':');
            return percentNormalised(rest, QUERY, key).toString();
        }
        int authorityEnd = 2;
        while (authorityEnd < rest.length() && rest.charAt(authorityEnd) != '/' && rest.charAt(authorityEnd) != '?') {
            authorityEnd++;
        }
        StringBuilder key = new StringBuilder(url.length() + 8).append(scheme).append("://");
        authority(rest.substring(2, authorityEnd), scheme, key);
        return key.append(pathAndQuery(rest.substring(authorityEnd), true)).toString();
    }

    /** The index of the colon that ends a scheme at the start of {@code url}, or -1 when it starts with none. */
    private static int schemeEnd(String url) {
        if (url.isEmpty() || !isAsciiLetter(url.charAt(0))) {
            return -1;
        }
        for (int i = 1; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == ':') {
                return i;
            }
            if (c >= 128 || !SCHEME[c]) {
                return -1;
            }
        }
        return -1;
    }

    /** The authority without user and password: host lower-cased (ASCII form), default port dropped. */
    private static void authority(String authority, String scheme, StringBuilder key) {
        String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
        int bracket = hostPort.startsWith("[") ? hostPort.indexOf(']') : -1;
        int colon = hostPort.indexOf(':', Math.max(bracket, 0));
        String host = colon >= 0 ? hostPort.substring(0, colon) : hostPort;
        String port = colon >= 0 ? hostPort.substring(colon + 1) : "";
        if (!isAscii(host)) {
            try {
                host = IDN.toASCII(host, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException notIdna) {
                host = host.toLowerCase(Locale.ROOT); // percent-encoded below, as RFC 3986 allows for a host
            }
        }
        int from = key.length();
        percentNormalised(host, HOST, key);
        lowerCaseOutsideEscapes(key, from);
        if (!port.isEmpty() && !isDefaultPort(scheme, port)) {
            key.append(':');
            if (port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                String digits = port.replaceFirst("^0+(?=.)", "");
                key.append(digits);
            } else {
                percentNormalised(port, UNRESERVED, key);
            }
        }
    }

    private static boolean isDefaultPort(String scheme, String port) {
        if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return false;
        }
        int number = Integer.parseInt(port);
        return scheme.equals("http") && number == 80 || scheme.equals("https") && number == 443;
    }

    /** A path and its query (no fragment), both percent-normalised, the path without dot segments or trailing slash. */
    private static String pathAndQuery(String url, boolean absolute) {
        int question = url.indexOf('?');
        String path = question >= 0 ? url.substring(0, question) : url;
        String query = question >= 0 ? url.substring(question + 1) : "";
        StringBuilder key = new StringBuilder(url.length() + 8);
        String normalisedPath = percentNormalised(path, PATH, new StringBuilder(path.length() + 8)).toString();
        key.append(withoutTrailingSlash(withoutDotSegments(normalisedPath.isEmpty() && absolute ? "/" : normalisedPath)));
        if (!query.isEmpty()) {
            percentNormalised(query, QUERY, key.append('?'));
        }
        return key.toString();
    }

    /** RFC 3986 5.2.4 for a path that starts with a slash, in one pass over its segments. */
    static String withoutDotSegments(String path) {
        if (!path.contains("/.")) {
            return path;
        }
        String[] segments = path.split("/", -1);
        String[] kept = new String[segments.length];
        int size = 0;
        for (int i = 1; i < segments.length; i++) {
            String segment = segments[i];
            boolean last = i == segments.length - 1;
            if (segment.equals(".") || segment.equals("..")) {
                if (segment.equals("..") && size > 0) {
                    size--;
                }
                if (last) {
                    kept[size++] = ""; // the path ends in a directory: "/a/b/.." is "/a/"
                }
            } else {
                kept[size++] = segment;
            }
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < size; i++) {
            out.append('/').append(kept[i]);
        }
        return size == 0 ? "/" : out.toString();
    }

    private static String withoutTrailingSlash(String path) {
        int end = path.length();
        while (end > 1 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(0, end);
    }

    /**
     * Appends {@code text} to {@code out} with escapes of unreserved characters decoded, other escapes in upper case,
     * a stray {@code %} as {@code %25}, and every character outside {@code allowed} encoded as its UTF-8 bytes.
     */
    private static StringBuilder percentNormalised(String text, boolean[] allowed, StringBuilder out) {
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c == '%') {
                int high = i + 2 < length ? Character.digit(text.charAt(i + 1), 16) : -1;
                int low = high >= 0 ? Character.digit(text.charAt(i + 2), 16) : -1;
                if (low < 0 || text.charAt(i + 1) >= 128 || text.charAt(i + 2) >= 128) {
                    escape(out, '%');
                    continue;
                }
                int value = high << 4 | low;
                if (value < 128 && UNRESERVED[value]) {
                    out.append((char) value);
                } else {
                    escape(out, value);
                }
                i += 2;
            } else if (c < 128) {
                if (allowed[c]) {
                    out.append(c);
                } else {
                    escape(out, c);
                }
            } else {
                int codePoint = text.codePointAt(i);
                if (Character.isSurrogate(c) && Character.charCount(codePoint) == 1) {
                    codePoint = 0xFFFD; // unreachable for a valid page_url: the contract refuses lone surrogates
                }
                i += Character.charCount(codePoint) - 1;
                utf8(out, codePoint);
            }
        }
        return out;
    }

    private static void utf8(StringBuilder out, int codePoint) {
        if (codePoint < 0x800) {
            escape(out, 0xC0 | codePoint >> 6);
            escape(out, 0x80 | codePoint & 0x3F);
        } else if (codePoint < 0x10000) {
            escape(out, 0xE0 | codePoint >> 12);
            escape(out, 0x80 | codePoint >> 6 & 0x3F);
            escape(out, 0x80 | codePoint & 0x3F);
        } else {
            escape(out, 0xF0 | codePoint >> 18);
            escape(out, 0x80 | codePoint >> 12 & 0x3F);
            escape(out, 0x80 | codePoint >> 6 & 0x3F);
            escape(out, 0x80 | codePoint & 0x3F);
        }
    }

    private static void escape(StringBuilder out, int octet) {
        out.append('%').append(HEX[octet >> 4 & 0xF]).append(HEX[octet & 0xF]);
    }

    private static void lowerCaseOutsideEscapes(StringBuilder key, int from) {
        for (int i = from; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '%') {
                i += 2;
            } else if (c >= 'A' && c <= 'Z') {
                key.setCharAt(i, (char) (c + ('a' - 'A')));
            }
        }
    }

    /**
     * {@code key} cut to {@code maxLength} with {@link #TRUNCATED} at its end, never inside an escape nor between the
     * escaped UTF-8 bytes of one character (a reader decoding the key gets whole characters).
     */
    private static String cut(String key, int maxLength) {
        int end = maxLength - TRUNCATED.length();
        if (key.charAt(end - 1) == '%') {
            end -= 1;
        } else if (key.charAt(end - 2) == '%') {
            end -= 2;
        }
        int start = end; // walks back over the escaped bytes of the last character
        for (int back = 0; back < 4 && start >= 3 && key.charAt(start - 3) == '%'; back++) {
            int octet = Character.digit(key.charAt(start - 2), 16) << 4 | Character.digit(key.charAt(start - 1), 16);
            if (octet < 0x80) {
                break; // an escaped ASCII character is whole
            }
            start -= 3;
            if (octet >= 0xC0) { // the first byte of the character: it says how many belong to it
                int bytes = octet >= 0xF0 ? 4 : octet >= 0xE0 ? 3 : 2;
                if ((end - start) / 3 < bytes) {
                    end = start;
                }
                break;
            }
        }
        return key.substring(0, end) + TRUNCATED;
    }

    private static boolean isAsciiLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 128) {
                return false;
            }
        }
        return true;
    }
}
