package dev.pageviews.edge.admit;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Who a request comes from, as the per-client rate limit counts it. With no trusted proxy hops
 * ({@code --trusted-proxy-hops 0}) it is the TCP peer and {@code X-Forwarded-For} is ignored, since any client can
 * write that header. With {@code n} hops it is the {@code n}-th address from the right of {@code X-Forwarded-For}
 * (all the request's fields, in order): each trusted proxy appends the address it received the request from, so the
 * entries right of that one were written by the proxies and the entries left of it by whoever sent the request. With
 * fewer entries than hops the leftmost is taken; when that entry is not an IP address, or the header is missing, the
 * TCP peer.
 *
 * <p>An IPv6 client is counted by its /64 prefix: one subscriber usually holds a whole /64, and would otherwise have
 * 2<sup>64</sup> addresses to rotate through.
 */
public final class ClientAddress {

    private final int trustedHops;

    public ClientAddress(int trustedHops) {
        if (trustedHops < 0) {
            throw new IllegalArgumentException("trusted hops must be 0 or more, got " + trustedHops);
        }
        this.trustedHops = trustedHops;
    }

    /** The client's key: an IPv4 address ({@code 203.0.113.7}) or an IPv6 /64 ({@code 2001:db8:1:2::/64}). */
    public String of(SocketAddress peer, List<String> forwardedFor) {
        InetAddress address = null;
        if (trustedHops > 0) {
            List<String> entries = entries(forwardedFor);
            if (!entries.isEmpty()) {
                address = parse(entries.get(Math.max(0, entries.size() - trustedHops)));
            }
        }
        if (address == null && peer instanceof InetSocketAddress socket) {
            address = socket.getAddress();
        }
        return address == null ? String.valueOf(peer) : key(address);
    }

    private static List<String> entries(List<String> fields) {
        List<String> entries = new ArrayList<>();
        for (String field : fields) {
            for (String entry : field.split(",")) {
                String trimmed = entry.trim();
                if (!trimmed.isEmpty()) {
                    entries.add(trimmed);
                }
            }
        }
        return entries;
    }

    /** An IP address, with or without a port ({@code 1.2.3.4:80}, {@code [2001:db8::1]:80}); never a DNS lookup. */
    static InetAddress parse(String entry) {
        String text = entry;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            text = close < 0 ? text : text.substring(1, close);
        } else if (text.indexOf(':') == text.lastIndexOf(':') && text.indexOf(':') > 0) {
            text = text.substring(0, text.indexOf(':')); // IPv4 with a port
        }
        return NetUtil.createInetAddressFromIpAddressString(text);
    }

    private static String key(InetAddress address) {
        // an IPv4-mapped IPv6 address comes back as its Inet4Address
        if (address instanceof Inet4Address) {
            return address.getHostAddress();
        }
        byte[] bytes = address.getAddress();
        StringBuilder prefix = new StringBuilder(24);
        for (int i = 0; i < 8; i += 2) {
            prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
        }
        return prefix.append(":/64").toString();
    }
}
