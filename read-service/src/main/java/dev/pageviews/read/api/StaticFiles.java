package dev.pageviews.read.api;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard's files, from this module's resources: {@code /} is {@code static/index.html} (revalidated on every
 * load, so a new build shows at once), {@code /assets/*} is {@code static/assets/*}, and
 * {@code /assets/webjars/<name>/<file>} a file of the WebJar {@code <name>} on the classpath, in the version the build
 * pinned (read from the WebJar's own {@code pom.properties}, so the page names no version and the root pom stays the one
 * place that does). Assets are cached for 5 minutes. Each answer has an ETag, and {@code If-None-Match} gets 304.
 * Files are read from the classpath once and kept.
 */
@io.netty.channel.ChannelHandler.Sharable
final class StaticFiles extends ChannelInboundHandlerAdapter {

    static final String ROOT = "dev/pageviews/read/static/";
    static final String WEBJARS = "/assets/webjars/";
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"), Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"), Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"), Map.entry("map", "application/json"), Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"), Map.entry("ico", "image/x-icon"), Map.entry("woff2", "font/woff2"),
            Map.entry("txt", "text/plain; charset=utf-8"));

    /** A file as served: its bytes, type, tag and caching. */
    record File(byte[] bytes, String contentType, String etag, String cacheControl) {}

    private final Map<String, Optional<File>> files = new ConcurrentHashMap<>();
    private final String siteId;

    /** @param siteId written into {@code index.html} where it says {@code %SITE_ID%}: the site_id its queries name */
    StaticFiles(String siteId) {
        this.siteId = siteId;
        file("/"); // the page every visit starts with, read before the first request
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean ours = path.equals("/") || path.equals("/index.html") || path.startsWith("/assets/");
        if (!ours) {
            ctx.fireChannelRead(msg);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        try {
            HttpMethod method = request.method();
            if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
                FullHttpResponse notAllowed = Replies.error(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " " + path
                        + " is not allowed; files are read with GET");
                notAllowed.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
                Replies.send(ctx, keepAlive, notAllowed);
                return;
            }
            Optional<File> file = file(path);
            if (file.isEmpty()) {
                Replies.send(ctx, keepAlive, Replies.error(HttpResponseStatus.NOT_FOUND, "no file " + path));
                return;
            }
            File f = file.get();
            String ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
            boolean unchanged = ifNoneMatch != null && (ifNoneMatch.contains(f.etag()) || ifNoneMatch.trim().equals("*"));
            FullHttpResponse response = unchanged
                    ? Replies.response(HttpResponseStatus.NOT_MODIFIED, null, new byte[0])
                    : Replies.response(HttpResponseStatus.OK, f.contentType(), method.equals(HttpMethod.HEAD) ? new byte[0] : f.bytes());
            if (unchanged) {
                response.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
            } else if (method.equals(HttpMethod.HEAD)) {
                response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, f.bytes().length);
            }
            response.headers().set(HttpHeaderNames.ETAG, f.etag()).set(HttpHeaderNames.CACHE_CONTROL, f.cacheControl())
                    .set("X-Content-Type-Options", "nosniff");
            Replies.send(ctx, keepAlive, response);
        } finally {
            request.release();
        }
    }

    private Optional<File> file(String path) {
        Optional<File> known = files.get(path);
        if (known != null) {
            return known;
        }
        Optional<File> loaded = load(path, siteId);
        loaded.ifPresent(f -> files.put(path, loaded)); // only files that exist: a scan of made-up paths keeps nothing
        return loaded;
    }

    private static Optional<File> load(String path, String siteId) {
        String resource;
        String cache;
        if (path.equals("/") || path.equals("/index.html")) {
            resource = ROOT + "index.html";
            cache = "no-cache";
        } else if (path.startsWith(WEBJARS) && safe(path.substring(WEBJARS.length()))
                && path.indexOf('/', WEBJARS.length()) > 0) {
            String name = path.substring(WEBJARS.length(), path.indexOf('/', WEBJARS.length()));
            Optional<String> version = webJarVersion(name);
            if (version.isEmpty()) {
                return Optional.empty();
            }
            resource = "META-INF/resources/webjars/" + name + "/" + version.get() + "/"
                    + path.substring(WEBJARS.length() + name.length() + 1);
            cache = "public, max-age=300";
        } else if (path.startsWith("/assets/") && safe(path.substring(8))) {
            resource = ROOT + "assets/" + path.substring(8);
            cache = "public, max-age=300";
        } else {
            return Optional.empty();
        }
        int dot = resource.lastIndexOf('.');
        String type = TYPES.get(dot < 0 ? "" : resource.substring(dot + 1).toLowerCase(Locale.ROOT));
        if (type == null) {
            return Optional.empty(); // only kinds of files a page uses
        }
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            if (resource.endsWith("index.html")) {
                bytes = new String(bytes, StandardCharsets.UTF_8).replace("%SITE_ID%", htmlEscaped(siteId))
                        .getBytes(StandardCharsets.UTF_8);
            }
            return Optional.of(new File(bytes, type, etag(bytes), cache));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + resource + " from the classpath", e);
        }
    }

    /** The version of the WebJar {@code name} on the classpath, from its Maven metadata. */
    private static Optional<String> webJarVersion(String name) {
        for (String group : new String[] {"org.webjars.npm", "org.webjars"}) {
            String metadata = "META-INF/maven/" + group + "/" + name + "/pom.properties";
            try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(metadata)) {
                if (in != null) {
                    Properties properties = new Properties();
                    properties.load(in);
                    return Optional.ofNullable(properties.getProperty("version"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + metadata + " from the classpath", e);
            }
        }
        return Optional.empty();
    }

    private static String htmlEscaped(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    /** Names of plain files under the folder: no {@code ..}, no empty or hidden parts, no odd characters. */
    static boolean safe(String relative) {
        if (relative.isEmpty() || relative.length() > 200) {
            return false;
        }
        for (String part : relative.split("/", -1)) {
            if (part.isEmpty() || part.startsWith(".") || !part.matches("[A-Za-z0-9._@-]+")) {
                return false;
            }
        }
        return true;
    }

    private static String etag(byte[] bytes) {
        try {
            return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
