package dev.pageviews.local.browser;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A web site on another origin than the edge ({@code http://localhost:<port>}, the edge being on 127.0.0.1): each
 * page registered here is served for every path under its own prefix, as a single-page app's server would.
 */
public final class TestSite implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, String> pages = new ConcurrentHashMap<>();

    public TestSite() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String html = pages.entrySet().stream().filter(e -> path.startsWith(e.getKey())).map(Map.Entry::getValue)
                    .findFirst().orElse("<!doctype html><title>no tracker</title><p>a page without pv.js");
            byte[] body = html.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** Registers a page under a new prefix ({@code /name-<random>/}) and returns the prefix. */
    public String page(String name, String html) {
        String prefix = "/" + name + "-" + UUID.randomUUID().toString().substring(0, 8) + "/";
        pages.put(prefix, html);
        return prefix;
    }

    public String url(String path) {
        return "http://localhost:" + server.getAddress().getPort() + path;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
