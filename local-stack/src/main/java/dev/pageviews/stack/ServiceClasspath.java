package dev.pageviews.stack;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The classpath of a service that local-stack runs as its own JVM (Kafka, S3Proxy): the jars Maven resolved for
 * one of its modules, recorded at build time as a resource, checked to be still in the local repository.
 */
final class ServiceClasspath {

    private ServiceClasspath() {}

    /** Reads {@code /dev/pageviews/stack/<module>.classpath}, written by the build of {@code local-stack/<module>}. */
    static String of(String service, String module) {
        String resource = "/dev/pageviews/stack/" + module + ".classpath";
        try (InputStream in = ServiceClasspath.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(service + " classpath resource " + resource + " is missing: build the "
                        + "project with `mvn install` (module local-stack/" + module + ") first");
            }
            String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            for (String jar : classpath.split(File.pathSeparator)) {
                if (!Files.exists(Path.of(jar))) {
                    throw new IllegalStateException(service + " jar " + jar + " is missing from the local Maven "
                            + "repository: run `mvn install -pl local-stack/" + module + "` to resolve it again");
                }
            }
            return classpath;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
