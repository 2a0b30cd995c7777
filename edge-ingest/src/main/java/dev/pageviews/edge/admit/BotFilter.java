package dev.pageviews.edge.admit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Recognises crawlers and other bots by their User-Agent, with the list the ua-parser project maintains (uap-core's
 * {@code regexes.yaml}, as bundled in the uap-java jar whose version the root pom pins): a User-Agent is a bot when
 * it matches one of the list's device rules that name the device {@code Spider}, the family ua-parser gives every
 * crawler (Googlebot, bingbot, GPTBot, facebookexternalhit, ...).
 *
 * <p>Only those rules are evaluated, not ua-parser's whole device list: that parse takes about half a millisecond per
 * new User-Agent. Unlike the full parse, a User-Agent that an earlier, more specific device rule would have claimed (a
 * phone model) still counts as a bot here when a Spider rule matches it.
 *
 * <p>The rules still take 15 to 90 µs per User-Agent (their alternations are tried at each of the first 100
 * characters), so verdicts are kept for the {@value #CACHED} User-Agents seen most (Caffeine), of at most
 * {@value #CACHED_LENGTH} characters each: a site's visitors share a few thousand. A client that sends a new one
 * with every request pays the full check each time, within its rate limit, which is checked first.
 */
public final class BotFilter {

    static final String LIST = "ua_parser/regexes.yaml";
    static final String SPIDER = "Spider";

    static final int CACHED = 4096;
    static final int CACHED_LENGTH = 1024;

    private final List<Pattern> rules;
    private final Cache<String, Boolean> verdicts = Caffeine.newBuilder()
            .maximumSize(CACHED)
            .executor(Runnable::run) // maintenance on the calling thread: no pool to stop
            .build();

    private BotFilter(List<Pattern> rules) {
        this.rules = rules;
    }

    /** The Spider rules of the bundled list. */
    public static BotFilter load() {
        try (InputStream in = BotFilter.class.getClassLoader().getResourceAsStream(LIST)) {
            if (in == null) {
                throw new IllegalStateException(LIST + " is not on the class path: the uap-java jar is missing");
            }
            return fromList(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + LIST, e);
        }
    }

    static BotFilter fromList(InputStream yaml) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Map<?, ?> list = new Yaml(options).load(yaml);
        List<Pattern> rules = new ArrayList<>();
        for (Object entry : (List<?>) list.get("device_parsers")) {
            Map<?, ?> rule = (Map<?, ?>) entry;
            if (SPIDER.equals(rule.get("device_replacement"))) {
                int flags = "i".equals(rule.get("regex_flag")) ? Pattern.CASE_INSENSITIVE : 0;
                rules.add(Pattern.compile((String) rule.get("regex"), flags));
            }
        }
        if (rules.isEmpty()) {
            throw new IllegalStateException(LIST + " has no device rule for " + SPIDER + ": its format changed");
        }
        return new BotFilter(List.copyOf(rules));
    }

    /** How many rules the list gave. */
    int ruleCount() {
        return rules.size();
    }

    /** Whether {@code userAgent} is a known bot; a request without one is not. */
    public boolean isBot(String userAgent) {
        if (userAgent == null || userAgent.isEmpty()) {
            return false;
        }
        return userAgent.length() > CACHED_LENGTH ? matches(userAgent) : verdicts.get(userAgent, this::matches);
    }

    private boolean matches(String userAgent) {
        for (Pattern rule : rules) {
            if (rule.matcher(userAgent).find()) {
                return true;
            }
        }
        return false;
    }
}
