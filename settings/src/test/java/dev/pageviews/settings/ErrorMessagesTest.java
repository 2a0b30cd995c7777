package dev.pageviews.settings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ErrorMessagesTest {

    @Test
    void appendsWhatTheCausesAddAndSkipsWhatTheyRepeat() {
        SSLHandshakeException alert = new SSLHandshakeException("Received fatal alert: bad_certificate");
        IOException wrapped = new IOException("SSL handshake failed", new IOException(alert.getMessage(), alert));
        assertThat(ErrorMessages.withCauses(new RuntimeException("Failed to connect", wrapped)))
                .isEqualTo("Failed to connect: SSL handshake failed: Received fatal alert: bad_certificate");
    }

    @Test
    void aMessageOfNullIsWrittenAsSuch() {
        assertThat(ErrorMessages.withCauses(new IllegalStateException())).isEqualTo("null");
    }
}
