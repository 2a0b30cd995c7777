package dev.pageviews.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CorsPolicyTest {

    @Test
    void starAllowsAnyOriginWithoutEchoingIt() {
        CorsPolicy any = CorsPolicy.parse("*");

        assertThat(any.allows("https://anything.example")).isTrue();
        assertThat(any.allowOriginValue("https://anything.example")).isEqualTo("*");
        assertThat(any.variesByOrigin()).isFalse();
    }

    @Test
    void aListAllowsExactlyItsOrigins() {
        CorsPolicy list = CorsPolicy.parse(" https://a.example , https://b.example/ ");

        assertThat(list.allows("https://a.example")).isTrue();
        assertThat(list.allows("https://b.example")).isTrue();
        assertThat(list.allows("https://a.example.evil")).isFalse();
        assertThat(list.allows("http://a.example")).isFalse();
        assertThat(list.allows("null")).isFalse();
        assertThat(list.allowOriginValue("https://b.example")).isEqualTo("https://b.example");
        assertThat(list.variesByOrigin()).isTrue();
    }

    @Test
    void anEmptyListIsRefused() {
        assertThatThrownBy(() -> CorsPolicy.parse(" , ")).hasMessage("give * or at least one origin");
    }
}
