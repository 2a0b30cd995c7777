package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Renders a kustomization with {@code kubectl kustomize} and parses the output into objects. */
final class Kustomize {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Kustomize() {
    }

    /** kubectl, from /usr/bin or the PATH; skips the calling test (only) when there is none. */
    static Path kubectl() {
        Optional<Path> found = Stream.concat(Stream.of(Path.of("/usr/bin/kubectl")),
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                                .filter(dir -> !dir.isEmpty())
                                .map(dir -> Path.of(dir, "kubectl")))
                .filter(Files::isExecutable)
                .findFirst();
        Assumptions.assumeTrue(found.isPresent(),
                "kubectl not found in /usr/bin or on the PATH: cannot render the kustomizations, skipping");
        return found.get();
    }

    static List<ObjectNode> render(Path kustomizationDir) {
        try {
            Path output = Files.createTempFile("kustomize", ".yaml");
            Path errors = Files.createTempFile("kustomize", ".err");
            Process process = new ProcessBuilder(kubectl().toString(), "kustomize", kustomizationDir.toString())
                    .redirectOutput(output.toFile())
                    .redirectError(errors.toFile())
                    .start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl kustomize " + kustomizationDir + " did not finish in 120 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("kubectl kustomize " + kustomizationDir + " failed: "
                        + Files.readString(errors, StandardCharsets.UTF_8));
            }
            String yaml = Files.readString(output, StandardCharsets.UTF_8);
            Files.delete(output);
            Files.delete(errors);
            return parse(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Parses a multi-document YAML stream into its (non-empty) objects. */
    static List<ObjectNode> parse(String yaml) throws IOException {
        List<ObjectNode> objects = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(yaml)) {
            for (var docs = YAML.readValues(parser, JsonNode.class); docs.hasNext(); ) {
                JsonNode doc = docs.next();
                if (doc instanceof ObjectNode object) {
                    objects.add(object);
                }
            }
        }
        return objects;
    }
}
