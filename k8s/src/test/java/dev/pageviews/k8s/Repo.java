package dev.pageviews.k8s;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where things are: the repository root (found from the working directory) and the shared schema folder. */
final class Repo {

    static final String OPERATOR_SCHEMAS = "schemas/flink-kubernetes-operator-1.15.0";

    private Repo() {
    }

    /** The repository root: the nearest ancestor of the working directory holding pom.xml and k8s/pom.xml. */
    static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isRegularFile(dir.resolve("k8s/pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (pom.xml + k8s/pom.xml) above " + Path.of("").toAbsolutePath());
    }

    static Path path(String relative) {
        return root().resolve(relative);
    }

    /**
     * The Flink Kubernetes Operator CRDs: {@code k8s/schemas/flink-kubernetes-operator-1.15.0} in the repository (their
     * source and licence are in {@code k8s/schemas/README.md}); {@code -Dk8s.schemas.dir=...} overrides. (Kept in the
     * repository because the registry this project builds from serves no {@code flink-kubernetes-operator-api} jar,
     * which carries them: 1.12.1 to 1.15.0 were tried.)
     */
    static Path operatorSchemas() {
        List<Path> tried = new ArrayList<>();
        String override = System.getProperty("k8s.schemas.dir");
        if (override != null) {
            tried.add(Path.of(override).toAbsolutePath().normalize());
        }
        tried.add(root().resolve("k8s").resolve(OPERATOR_SCHEMAS).normalize());
        for (Path candidate : tried) {
            if (Files.isRegularFile(candidate.resolve("flinkdeployments.flink.apache.org-v1.yml"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("The Flink Kubernetes Operator 1.15.0 CRDs are missing. Expected "
                + "flinkdeployments.flink.apache.org-v1.yml in k8s/" + OPERATOR_SCHEMAS + " (or -Dk8s.schemas.dir=<dir>). "
                + "Tried: " + tried);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(String relative) {
        return read(path(relative));
    }

    /** The root pom's {@code <version>} of the project (the first one after its artifactId). */
    static String projectVersion() {
        return group(Pattern.compile("<artifactId>pageviews</artifactId>\\s*<version>([^<]+)</version>"), read("pom.xml"));
    }

    /** A property of the root pom, e.g. {@code flink.version}. */
    static String property(String name) {
        return group(Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">"), read("pom.xml"));
    }

    private static String group(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("not found in pom.xml: " + pattern);
        }
        return m.group(1).trim();
    }
}
