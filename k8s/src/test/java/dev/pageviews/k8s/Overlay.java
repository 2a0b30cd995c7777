package dev.pageviews.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The four kustomize overlays, rendered once per test run. Rendering happens in a temporary copy of
 * k8s/ and flink-operator/ where every git-ignored {@code *.env} is created from its committed
 * {@code *.env.example}: the checks never read real credentials and work on a fresh clone.
 */
enum Overlay {
    K8S_MINIKUBE("k8s", "minikube"),
    K8S_CLOUD("k8s", "cloud"),
    FLINK_MINIKUBE("flink-operator", "minikube"),
    FLINK_CLOUD("flink-operator", "cloud");

    final String tree;
    final String environment;

    Overlay(String tree, String environment) {
        this.tree = tree;
        this.environment = environment;
    }

    String dir() {
        return tree + "/overlays/" + environment;
    }

    /** The k8s/ overlay of the same environment (where Kafka topics live). */
    Overlay platform() {
        return environment.equals("minikube") ? K8S_MINIKUBE : K8S_CLOUD;
    }

    /** The flink-operator/ overlay of the same environment. */
    Overlay flink() {
        return environment.equals("minikube") ? FLINK_MINIKUBE : FLINK_CLOUD;
    }

    private static final Map<Overlay, List<ObjectNode>> RENDERED = new ConcurrentHashMap<>();

    /** The rendered objects; each call returns fresh copies, so callers may modify them. */
    List<ObjectNode> objects() {
        return RENDERED.computeIfAbsent(this, o -> Kustomize.render(Workspace.DIR.resolve(o.dir())))
                .stream().map(ObjectNode::deepCopy).toList();
    }

    ObjectNode find(String kind, String name) {
        return objects().stream()
                .filter(o -> o.path("kind").asText().equals(kind) && o.path("metadata").path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException(kind + " " + name + " not rendered by " + dir()));
    }

    List<ObjectNode> all(String kind) {
        return objects().stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    @Override
    public String toString() {
        return dir();
    }

    /** The temporary copy the overlays are rendered from. */
    private static final class Workspace {
        static final Path DIR = create();

        private static Path create() {
            try {
                Path dir = Files.createTempDirectory("pageviews-k8s-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
                for (String tree : List.of("k8s/base", "k8s/overlays", "flink-operator/base", "flink-operator/overlays")) {
                    copy(Repo.path(tree), dir.resolve(tree));
                }
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static void deleteQuietly(Path dir) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException ignored) {
                // a leftover temp directory is harmless
            }
        }

        private static void copy(Path from, Path to) throws IOException {
            try (Stream<Path> files = Files.walk(from)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".env")) {
                        continue; // real secrets stay where they are
                    }
                    Path target = to.resolve(from.relativize(file).toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target);
                    if (name.endsWith(".env.example")) {
                        Files.copy(file, target.resolveSibling(name.substring(0, name.length() - ".example".length())));
                    }
                }
            }
        }
    }
}
