package dev.pageviews.stack;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The few S3 calls local runs and tests need (create a bucket, list, write and read objects), as path-style HTTP
 * requests signed with AWS Signature Version 4, using only the JDK: no S3 client library joins the classpath
 * next to the one inside Flink's S3 file system.
 */
public final class S3Api {

    private static final String REGION = "us-east-1";
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final HexFormat HEX = HexFormat.of();
    private static final Duration RETRY_FOR = Duration.ofSeconds(45);

    /** One object of a listing; {@code size} is -1 when the server gave none. */
    public record S3Object(String key, long size) {}

    private final String endpoint;
    private final String host;
    private final String accessKey;
    private final String secretKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public S3Api(String endpoint, String accessKey, String secretKey) {
        this.endpoint = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        URI uri = URI.create(this.endpoint);
        this.host = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /** True when a signed ListBuckets succeeds: the server is up and takes these keys. */
    public boolean answers() {
        try {
            return send("GET", "/", Map.of(), new byte[0]).statusCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    /** Creates the bucket; one that exists already (and is ours) is fine. */
    public void createBucket(String bucket) {
        HttpResponse<byte[]> response = call("PUT", "/" + bucket, Map.of(), new byte[0]);
        if (response.statusCode() != 200 && !body(response).contains("BucketAlreadyOwnedByYou")) {
            throw failure("PUT bucket " + bucket, response);
        }
    }

    /** Every object under {@code prefix} (all pages of ListObjectsV2), in key order. */
    public List<S3Object> list(String bucket, String prefix) {
        List<S3Object> objects = new ArrayList<>();
        String token = null;
        do {
            Map<String, String> query = new TreeMap<>(Map.of("list-type", "2", "prefix", prefix));
            if (token != null) {
                query.put("continuation-token", token);
            }
            HttpResponse<byte[]> response = call("GET", "/" + bucket, query, new byte[0]);
            if (response.statusCode() != 200) {
                throw failure("list s3://" + bucket + "/" + prefix, response);
            }
            Document doc = xml(response.body());
            NodeList contents = doc.getElementsByTagName("Contents");
            for (int i = 0; i < contents.getLength(); i++) {
                Element item = (Element) contents.item(i);
                String size = text(item, "Size"); // S3Proxy's file store omits it for a file that vanished mid-listing
                objects.add(new S3Object(text(item, "Key"), size == null ? -1 : Long.parseLong(size)));
            }
            token = "true".equals(text(doc.getDocumentElement(), "IsTruncated"))
                    ? text(doc.getDocumentElement(), "NextContinuationToken") : null;
        } while (token != null);
        return objects;
    }

    /** Writes an object in one request. */
    public void put(String bucket, String key, byte[] content) {
        HttpResponse<byte[]> response = call("PUT", "/" + bucket + "/" + key, Map.of(), content);
        if (response.statusCode() != 200) {
            throw failure("put s3://" + bucket + "/" + key, response);
        }
    }

    /** The object's bytes. */
    public byte[] get(String bucket, String key) {
        HttpResponse<byte[]> response = call("GET", "/" + bucket + "/" + key, Map.of(), new byte[0]);
        if (response.statusCode() != 200) {
            throw failure("get s3://" + bucket + "/" + key, response);
        }
        return response.body();
    }

    /**
     * Retries 5xx answers with backoff for up to {@link #RETRY_FOR}, as S3 clients do. S3Proxy's file store fails
     * a listing while a PUT into the listed folder is still receiving its body (the object's temporary file has no
     * metadata yet); a writer that vanished mid-upload keeps that going until the server's idle timeout drops it.
     */
    private HttpResponse<byte[]> call(String method, String path, Map<String, String> query, byte[] body) {
        try {
            long deadline = System.nanoTime() + RETRY_FOR.toNanos();
            HttpResponse<byte[]> response = send(method, path, query, body);
            for (int attempt = 1; response.statusCode() >= 500 && System.nanoTime() < deadline; attempt++) {
                Thread.sleep(Math.min(1000L, 100L * attempt));
                response = send(method, path, query, body);
            }
            return response;
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + endpoint + path + " failed: " + e + "; is the S3 server running?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + endpoint + path, e);
        }
    }

    private HttpResponse<byte[]> send(String method, String path, Map<String, String> query, byte[] body) throws IOException {
        String canonicalPath = encode(path, false);
        StringBuilder canonicalQuery = new StringBuilder();
        new TreeMap<>(query).forEach((k, v) -> canonicalQuery.append(canonicalQuery.isEmpty() ? "" : "&")
                .append(encode(k, true)).append('=').append(encode(v, true)));
        String amzDate = AMZ_DATE.format(ZonedDateTime.now(ZoneOffset.UTC));
        String payloadHash = HEX.formatHex(sha256(body));
        String signedHeaders = "host;x-amz-content-sha256;x-amz-date";
        String canonicalRequest = String.join("\n", method, canonicalPath, canonicalQuery,
                "host:" + host, "x-amz-content-sha256:" + payloadHash, "x-amz-date:" + amzDate, "",
                signedHeaders, payloadHash);
        String scope = amzDate.substring(0, 8) + "/" + REGION + "/s3/aws4_request";
        String stringToSign = String.join("\n", "AWS4-HMAC-SHA256", amzDate, scope,
                HEX.formatHex(sha256(canonicalRequest.getBytes(StandardCharsets.UTF_8))));
        byte[] key = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), amzDate.substring(0, 8));
        key = hmac(key, REGION);
        key = hmac(key, "s3");
        key = hmac(key, "aws4_request");
        String signature = HEX.formatHex(hmac(key, stringToSign));
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + canonicalPath
                        + (canonicalQuery.isEmpty() ? "" : "?" + canonicalQuery)))
                .timeout(Duration.ofSeconds(30))
                .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .header("x-amz-date", amzDate)
                .header("x-amz-content-sha256", payloadHash)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope
                        + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature)
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** URI encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ (and '/' in paths). */
    static String encode(String value, boolean encodeSlash) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
                out.append(c);
            } else {
                out.append('%').append(HEX.withUpperCase().toHexDigits(b));
            }
        }
        return out.toString();
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Document xml(byte[] body) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(new ByteArrayInputStream(body));
        } catch (Exception e) {
            throw new IllegalStateException("S3 answered with XML that does not parse: " + e, e);
        }
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
    }

    private static String body(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private IllegalStateException failure(String what, HttpResponse<byte[]> response) {
        return new IllegalStateException(what + " at " + endpoint + " failed with HTTP " + response.statusCode() + ": "
                + body(response));
    }
}
