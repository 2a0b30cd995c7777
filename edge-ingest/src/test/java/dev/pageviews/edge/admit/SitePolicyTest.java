package dev.pageviews.edge.admit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SitePolicyTest {

    private static final String KEY = "app-key-0123456789";
    private final SitePolicy shop = SitePolicy.parse("shop.example, *.blog.example", List.of(KEY));

    @Test
    void anAllowedOriginOrItsSubdomainIsTaken() {
        assertThat(shop.check("https://shop.example", null, null, null)).isNull();
        assertThat(shop.check("https://SHOP.example:8443", null, null, null)).isNull();
        assertThat(shop.check("https://www.blog.example", null, null, null)).isNull();
        assertThat(shop.check("https://a.b.blog.example", null, null, null)).isNull();
    }

    @Test
    void anotherOriginIsRefusedNamingOrigin() {
        assertThat(shop.check("https://evil.example", null, null, null))
                .extracting(SitePolicy.Refusal::reason, SitePolicy.Refusal::field)
                .containsExactly("site_not_allowed", "Origin");
        // a suffix that is not a subdomain, and the bare domain of a subdomain rule
        assertThat(shop.check("https://evilshop.example", null, null, null)).isNotNull();
        assertThat(shop.check("https://notblog.example", null, null, null)).isNotNull();
        assertThat(shop.check("https://blog.example", null, null, null)).isNotNull();
    }

    @Test
    void withoutOriginTheReferersHostDecides() {
        assertThat(shop.check(null, "https://shop.example/pricing?x=1", null, null)).isNull();
        assertThat(shop.check("null", "https://shop.example/", null, null)).isNull(); // an opaque origin
        assertThat(shop.check(null, "https://evil.example/shop.example", null, null))
                .extracting(SitePolicy.Refusal::field).isEqualTo("Referer");
    }

    @Test
    void neitherOriginNorRefererNorKeyIsRefused() {
        assertThat(shop.check(null, null, null, null))
                .extracting(SitePolicy.Refusal::reason, SitePolicy.Refusal::field)
                .containsExactly("site_not_allowed", "Origin");
    }

    @Test
    void aKnownSiteKeyIsTakenWhateverTheOriginAndAnUnknownOneIsRefusedWhateverTheOrigin() {
        assertThat(shop.check(null, null, KEY, "X-Site-Key")).isNull();
        assertThat(shop.check("https://evil.example", null, KEY, "site_key")).isNull();
        assertThat(shop.check("https://shop.example", null, "wrong-key-0000", "site_key"))
                .extracting(SitePolicy.Refusal::reason, SitePolicy.Refusal::field)
                .containsExactly("site_key_unknown", "site_key");
    }

    @Test
    void anyTakesEveryRequestWithoutAKey() {
        SitePolicy any = SitePolicy.parse("*", List.of());

        assertThat(any.anySite()).isTrue();
        assertThat(any.check("https://anything.example", null, null, null)).isNull();
        assertThat(any.check(null, null, null, null)).isNull();
        assertThat(any.check(null, null, "some-key-12345", "X-Site-Key")).isNotNull();
    }

    @Test
    void badSettingsAreRefusedWithTheFix() {
        assertThatThrownBy(() -> SitePolicy.parse("https://shop.example", List.of()))
                .hasMessageContaining("'https://shop.example' is not a host").hasMessageContaining("without scheme");
        assertThatThrownBy(() -> SitePolicy.parse(" , ", List.of())).hasMessageContaining("give * or at least one host");
        assertThatThrownBy(() -> SitePolicy.parse("*", List.of("short"))).hasMessageContaining("8 to 128 characters");
    }
}
