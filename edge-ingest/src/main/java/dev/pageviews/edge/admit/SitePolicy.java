package dev.pageviews.edge.admit;

import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which sites may send views: {@code --allowed-sites} ({@code *}, or hosts, where {@code *.example.com} stands for
 * every subdomain of example.com) and {@code --site-keys}. A request is taken when
 * <ul>
 *   <li>it carries a site key (the {@code X-Site-Key} header or the {@code site_key} query parameter, which the tracker
 *       sends) that is one of {@code --site-keys}: for apps and servers, whose requests have no page to come from;
 *   <li>or it carries no site key, and the host of its {@code Origin} (of its {@code Referer} when it has no Origin) is
 *       an allowed site. Browsers set both headers themselves; a page's script cannot forge them.
 * </ul>
 * With {@code *} every request without a site key is taken. A site key that is not configured is refused whatever
 * the origin: a client that sends one expects it to be checked.
 *
 * <p>This decides what browsers on other sites can send; it does not stop a script outside a browser, which can
 * write any header. The per-client rate limit bounds what such a script can do.
 */
public final class SitePolicy {

    /** Why a request was refused: the header or parameter at fault, and what to do. */
    public record Refusal(String reason, String field, String problem) {}

    public static final String SITE_KEY_HEADER = "X-Site-Key";
    public static final String SITE_KEY_PARAMETER = "site_key";

    private final boolean anySite;
    private final Set<String> hosts;
    private final List<String> domains;
    private final Set<String> keys;

    private SitePolicy(boolean anySite, Set<String> hosts, List<String> domains, Set<String> keys) {
        this.anySite = anySite;
        this.hosts = hosts;
        this.domains = domains;
        this.keys = keys;
    }

    /** {@code sites}: {@code *} or comma-separated hosts; {@code keys}: comma-separated site keys (may be empty). */
    public static SitePolicy parse(String sites, List<String> keys) {
        Set<String> entries = Arrays.stream(sites.split(","))
                .map(s -> s.trim().toLowerCase(Locale.ROOT))
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("give * or at least one host, e.g. shop.example,*.blog.example");
        }
        for (String entry : entries) {
            checkSite(entry);
        }
        for (String key : keys) {
            checkKey(key);
        }
        boolean any = entries.contains("*");
        return new SitePolicy(any,
                entries.stream().filter(e -> !e.startsWith("*")).collect(Collectors.toUnmodifiableSet()),
                entries.stream().filter(e -> e.startsWith("*.")).map(e -> e.substring(1)).toList(),
                Set.copyOf(keys));
    }

    static void checkSite(String entry) {
        if (entry.equals("*")) {
            return;
        }
        String host = entry.startsWith("*.") ? entry.substring(2) : entry;
        if (!host.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\\[[0-9a-f:.]+\\]")) {
            throw new IllegalArgumentException("'" + entry + "' is not a host (a name like shop.example, *.shop.example "
                    + "for its subdomains, or *); give hosts without scheme, port or path");
        }
    }

    public static void checkKey(String key) {
        if (!key.matches("[A-Za-z0-9_-]{8,128}")) {
            throw new IllegalArgumentException("a site key must be 8 to 128 characters of A-Z a-z 0-9 _ -");
        }
    }

    /** Whether every request without a site key is taken (no refusal is possible then but for a wrong key). */
    public boolean anySite() {
        return anySite;
    }

    /**
     * Null when the request may send views, else why not. {@code siteKey}: from the header or the query, or null;
     * {@code siteKeyField}: which of them it came from.
     */
    public Refusal check(String origin, String referer, String siteKey, String siteKeyField) {
        if (siteKey != null) {
            return keys.contains(siteKey) ? null : new Refusal("site_key_unknown", siteKeyField,
                    "is not a site key of this collector; use one of --site-keys, or send none from a page of an allowed site");
        }
        if (anySite) {
            return null;
        }
        if (origin != null && !origin.equals("null")) {
            return allowed(hostOf(origin)) ? null : new Refusal("site_not_allowed", "Origin",
                    "is not a site of this collector; add its host to --allowed-sites");
        }
        if (referer != null) {
            return allowed(hostOf(referer)) ? null : new Refusal("site_not_allowed", "Referer",
                    "is not a page of a site of this collector; add its host to --allowed-sites");
        }
        return new Refusal("site_not_allowed", "Origin", "is missing, and so are Referer and " + SITE_KEY_HEADER
                + ": send views from a page of an allowed site, or with a site key");
    }

    private boolean allowed(String host) {
        if (host == null) {
            return false;
        }
        if (hosts.contains(host)) {
            return true;
        }
        for (String domain : domains) {
            if (host.endsWith(domain)) {
                return true;
            }
        }
        return false;
    }

    /** The lowercase host of an origin or URL, or null when it has none. */
    static String hostOf(String url) {
        try {
            String host = new URI(url.trim()).getHost();
            return host == null ? null : host.toLowerCase(Locale.ROOT);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }
}
