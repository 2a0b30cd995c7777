package dev.pageviews.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pageviews.settings.RedisUri.Endpoint;
import dev.pageviews.settings.RedisUri.Topology;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisUriTest {

    @Test
    void oneServerPlainOrTls() {
        RedisUri plain = RedisUri.parse("redis://cache.internal:6380/2");
        assertThat(plain.topology()).isEqualTo(Topology.STANDALONE);
        assertThat(plain.tls()).isFalse();
        assertThat(plain.endpoints()).containsExactly(new Endpoint("cache.internal", 6380));
        assertThat(plain.database()).isEqualTo(2);
        assertThat(plain.user()).isNull();
        assertThat(plain.password()).isNull();

        RedisUri tls = RedisUri.parse("rediss://:s3cret@cache.internal");
        assertThat(tls.tls()).isTrue();
        assertThat(tls.endpoints()).containsExactly(new Endpoint("cache.internal", 6379));
        assertThat(tls.user()).isNull();
        assertThat(tls.password()).isEqualTo("s3cret");
        assertThat(tls).hasToString("rediss://cache.internal:6379");
        assertThat(RedisUri.parse("redis://[::1]:7000").endpoints()).containsExactly(new Endpoint("::1", 7000));
    }

    @Test
    void clusterPlainOrTls() {
        RedisUri cluster = RedisUri.parse("rediss-cluster://app:pw@r1:7000,r2:7001,r3");
        assertThat(cluster.topology()).isEqualTo(Topology.CLUSTER);
        assertThat(cluster.cluster()).isTrue();
        assertThat(cluster.tls()).isTrue();
        assertThat(cluster.endpoints()).containsExactly(new Endpoint("r1", 7000), new Endpoint("r2", 7001), new Endpoint("r3", 6379));
        assertThat(cluster.user()).isEqualTo("app");
        assertThat(cluster).hasToString("rediss-cluster://r1:7000,r2:7001,r3:6379");
        assertThat(RedisUri.parse("redis-cluster://r1:7000").tls()).isFalse();
    }

    @Test
    void sentinelAsLettuceWritesIt() {
        RedisUri sentinel = RedisUri.parse("redis-sentinel://app:pw@s1,s2:26380,10.0.0.3:5000/3#mymaster");
        assertThat(sentinel.topology()).isEqualTo(Topology.SENTINEL);
        assertThat(sentinel.sentinel()).isTrue();
        assertThat(sentinel.tls()).isFalse();
        assertThat(sentinel.endpoints()).containsExactly(new Endpoint("s1", 26379), new Endpoint("s2", 26380),
                new Endpoint("10.0.0.3", 5000));
        assertThat(sentinel.masterName()).isEqualTo("mymaster");
        assertThat(sentinel.database()).isEqualTo(3);
        assertThat(sentinel.user()).isEqualTo("app");
        assertThat(sentinel.password()).isEqualTo("pw");
        assertThat(sentinel).hasToString("redis-sentinel://s1:26379,s2:26380,10.0.0.3:5000/3#mymaster");
        assertThat(RedisUri.parse("rediss-sentinel://s1#pv").tls()).isTrue();
        assertThat(RedisUri.parse("rediss-sentinel://s1#pv").scheme()).isEqualTo("rediss-sentinel");
    }

    @Test
    void credentialsArePercentDecodedSoAPasswordMayHoldAnyCharacter() {
        RedisUri uri = RedisUri.parse("redis-sentinel://us%3Aer:p%40ss%2Cw%3Ao%25r%2Fd%23x+y@s1:26379#pv");
        assertThat(uri.user()).isEqualTo("us:er");
        assertThat(uri.password()).isEqualTo("p@ss,w:o%r/d#x+y"); // + stays +: a URI's, not a form's, encoding
        assertThat(RedisUri.parse("redis://:%C3%BCber@h:1").password()).isEqualTo("über");
        // written raw, @ and / in a password still work: the credentials end at the last @
        assertThat(RedisUri.parse("redis://:pa@ss/word@h:1").password()).isEqualTo("pa@ss/word");
    }

    @Test
    void errorsNameTheProblemAndNeverThePassword() {
        Map<String, String> bad = Map.ofEntries(
                Map.entry("redis://:s3cret%zz@h:1", "the password has a '%' not followed by two hex digits (character 7); write a % in it as %25"),
                Map.entry("redis://:s3cret%@h:1", "the password has a '%' not followed by two hex digits"),
                Map.entry("redis://:s3cret%ff@h:1", "the password is not UTF-8 once percent-decoded"),
                Map.entry("redis-sentinel://:s3cret@s1:26379", "a Sentinel URI needs the primary's name after '#', e.g. redis-sentinel://s1:26379#mymaster"),
                Map.entry("rediss://:s3cret@h:1#pv", "'#pv' names a Sentinel primary, but the scheme is rediss; write rediss-sentinel://... for Sentinel"),
                Map.entry("redis-cluster://:s3cret@h:1/2", "Redis Cluster has database 0 only, not 2"),
                Map.entry("redis://:s3cret@h1:1,h2:2", "several hosts need the redis-cluster:// or redis-sentinel:// scheme"),
                Map.entry("memcached://:s3cret@h:1", "'***@h:1' has an unknown scheme"),
                Map.entry("redis://:s3cret@h:99999", "'h:99999' is not host:port"),
                Map.entry("redis://:s3cret@h:1?timeout=2s", "'h:1?timeout=2s' is not host:port"),
                Map.entry("redis://:s3cret@h:1/x", "database 'x' is not a number"),
                Map.entry("redis://:s3cret@h:port", "'h:port' is not host:port"));
        bad.forEach((text, message) -> assertThatThrownBy(() -> RedisUri.parse(text)).as(text)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message)
                .hasMessageContaining("percent-encoded")
                .hasMessageNotContaining("s3cret"));
        assertThatThrownBy(() -> RedisUri.parse("h:s3cret@host")).hasMessageStartingWith("'***@host' has no scheme");
        assertThatThrownBy(() -> RedisUri.parse("memcached://h:1")).hasMessageStartingWith("unknown scheme 'memcached'");
    }

    /** Passwords with every character that has a meaning in the URI, or in Flink's and the settings' list syntax. */
    private static final List<String> HARD_PASSWORDS = List.of("p,w", "p@w", "p:w", "p%w", "p/w", "p#w", "p?w", "p+w",
            "a,b@c:d%e", ",@:%/#?", "@@", "x%25y", "%40", "p\\,w", "pa://ss", "über,@:%");

    @Test
    void theMaskHidesAnyPasswordRawOrPercentEncodedInEveryForm() {
        for (String password : HARD_PASSWORDS) {
            String encoded = URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%2B");
            for (String written : List.of(encoded, password)) {
                for (String form : List.of("redis://app:%s@h:1/2", "rediss://:%s@h:1", "rediss-cluster://app:%s@a:1,b:2,[::1]:3",
                        "redis-sentinel://app:%s@s1:26379,s2:26380/1#pv", "REDISS-SENTINEL://%s@s1,s2#pv", "%s@h:1",
                        "app:%s@h:1", "rediss://app:%s@", "memcached://app:%s@h:1", "redis://app:%s@h:notaport,b")) {
                    String text = form.formatted(written);
                    String masked = RedisUri.withoutCredentials(text);
                    assertThat(masked).as(text).doesNotContain(password).doesNotContain(encoded).contains("***@");
                    try {
                        RedisUri uri = RedisUri.parse(text);
                        if (written.equals(encoded)) {
                            assertThat(uri.password()).as(text).isEqualTo(password);
                        }
                        assertThat(uri.toString()).as(text).doesNotContain(password).doesNotContain(encoded);
                    } catch (IllegalArgumentException e) {
                        // the forms the message ends with show %40 and the like, as any message does
                        String own = e.getMessage().substring(0, e.getMessage().lastIndexOf("; write redis://"));
                        assertThat(own).as(text).doesNotContain(password).doesNotContain(encoded);
                    }
                }
            }
        }
    }

    @Test
    void aSchemeIsReadWhateverItsCase() {
        assertThat(RedisUri.parse("REDISS-Cluster://a:1").scheme()).isEqualTo("rediss-cluster");
        assertThat(RedisUri.parse(" redis://h:1 ").endpoints()).containsExactly(new Endpoint("h", 1));
    }

    @Test
    void credentialsAreMaskedForLogs() {
        for (String text : List.of("redis://:s3cret@h:1", "rediss-sentinel://user:s3cret@s1,s2#pv", "redis://:s3@cr,et@h:1",
                "redis-cluster://u:s3cret@a:1,b:2", "h:s3cret@host", "x:s3://cret@h:1")) {
            assertThat(RedisUri.withoutCredentials(text)).as(text).doesNotContain("s3").contains("***@");
        }
        assertThat(RedisUri.withoutCredentials("redis-sentinel://u:pw@s1,s2#pv")).isEqualTo("redis-sentinel://***@s1,s2#pv");
        assertThat(RedisUri.withoutCredentials("redis://h:1")).isEqualTo("redis://h:1");
    }
}
