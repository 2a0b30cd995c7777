package dev.pageviews.edge.admit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    private static final InetSocketAddress PROXY = new InetSocketAddress("10.0.0.9", 51000);

    @Test
    void withoutTrustedHopsTheTcpPeerCountsAndForwardedForIsIgnored() {
        ClientAddress clients = new ClientAddress(0);

        assertThat(clients.of(PROXY, List.of("203.0.113.7"))).isEqualTo("10.0.0.9");
        assertThat(clients.of(PROXY, List.of())).isEqualTo("10.0.0.9");
    }

    @Test
    void withOneHopTheRightmostEntryCountsWhatTheClientWroteLeftOfItDoesNot() {
        ClientAddress clients = new ClientAddress(1);

        assertThat(clients.of(PROXY, List.of("203.0.113.7"))).isEqualTo("203.0.113.7");
        assertThat(clients.of(PROXY, List.of("1.1.1.1, 2.2.2.2, 203.0.113.7"))).isEqualTo("203.0.113.7");
    }

    @Test
    void withTwoHopsTheSecondFromTheRightAcrossRepeatedHeaderFields() {
        ClientAddress clients = new ClientAddress(2);

        assertThat(clients.of(PROXY, List.of("1.1.1.1, 203.0.113.7", "198.51.100.2"))).isEqualTo("203.0.113.7");
    }

    @Test
    void fewerEntriesThanHopsTakesTheLeftmost() {
        assertThat(new ClientAddress(3).of(PROXY, List.of("203.0.113.7, 198.51.100.2"))).isEqualTo("203.0.113.7");
    }

    @Test
    void aMissingHeaderOrAnEntryThatIsNoAddressFallsBackToThePeer() {
        ClientAddress clients = new ClientAddress(1);

        assertThat(clients.of(PROXY, List.of())).isEqualTo("10.0.0.9");
        assertThat(clients.of(PROXY, List.of("unknown"))).isEqualTo("10.0.0.9");
        assertThat(clients.of(PROXY, List.of("evil.example"))).isEqualTo("10.0.0.9"); // a name is never looked up
    }

    @Test
    void portsAreDropped() {
        ClientAddress clients = new ClientAddress(1);

        assertThat(clients.of(PROXY, List.of("203.0.113.7:4711"))).isEqualTo("203.0.113.7");
        assertThat(clients.of(PROXY, List.of("[2001:db8:1:2::5]:4711"))).isEqualTo("2001:db8:1:2::/64");
    }

    @Test
    void anIpv6ClientIsItsSlash64AndAMappedIpv4AddressIsIpv4() {
        ClientAddress clients = new ClientAddress(1);

        assertThat(clients.of(PROXY, List.of("2001:db8:1:2:aaaa::1"))).isEqualTo("2001:db8:1:2::/64");
        assertThat(clients.of(PROXY, List.of("2001:db8:1:2:bbbb::2"))).isEqualTo("2001:db8:1:2::/64");
        assertThat(clients.of(PROXY, List.of("2001:db8:1:3::1"))).isEqualTo("2001:db8:1:3::/64");
        assertThat(clients.of(PROXY, List.of("::ffff:203.0.113.7"))).isEqualTo("203.0.113.7");
        assertThat(new ClientAddress(0).of(new InetSocketAddress("2001:db8::1", 1), List.of())).isEqualTo("2001:db8:0:0::/64");
    }
}
