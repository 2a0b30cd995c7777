package dev.pageviews.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientPropertiesTest {

    private static final ValueType<List<String>> TYPE = ClientProperties.type(key -> key.equals("acks") ? "acks is fixed" : null);

    @Test
    void readsKeyValueItemsWithEscapedCommasInOrderTheLaterWinning() {
        List<String> items = TYPE.parse("security.protocol=SASL_SSL, ssl.enabled.protocols=TLSv1.3\\,TLSv1.2,"
                + "sasl.jaas.config=a=b;,security.protocol=SSL");
        assertThat(ClientProperties.toMap(items)).containsExactly(Map.entry("security.protocol", "SSL"),
                Map.entry("ssl.enabled.protocols", "TLSv1.3,TLSv1.2"), Map.entry("sasl.jaas.config", "a=b;"));
    }

    @Test
    void refusesItemsThatAreNotKeyValueAndKeysTheCallerRefuses() {
        assertThatThrownBy(() -> TYPE.parse("SASL_SSL")).hasMessage("'SASL_SSL' is not key=value");
        assertThatThrownBy(() -> TYPE.parse("=x")).hasMessage("'=x' is not key=value");
        assertThatThrownBy(() -> TYPE.parse("a=1,acks=0")).hasMessage("acks is fixed");
    }

    @Test
    void masksEveryValueAndKeepsTheKeys() {
        assertThat(ClientProperties.masked("sasl.jaas.config=x required password=\"p\\,w=1\";,ssl.key.password=s,"
                + "security.protocol=SSL")).isEqualTo("sasl.jaas.config=***,ssl.key.password=***,security.protocol=***");
        assertThat(ClientProperties.masked("")).isEmpty();
    }
}
