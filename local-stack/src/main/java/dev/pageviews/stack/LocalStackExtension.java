package dev.pageviews.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests a {@link LocalStack} parameter. One stack is started per test JVM and
 * shared by all test classes using the extension (Kafka takes seconds to start); it is stopped when the
 * test run ends, whatever the tests' outcome. Tests keep apart by using their own topics and Redis keys.
 * Logs go to {@code target/local-stack/}.
 */
public final class LocalStackExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalStackExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(SharedStack.class, key -> new SharedStack(), SharedStack.class)
                .stack;
    }

    /** Closed by JUnit when the root context closes, i.e. at the end of the test run. */
    private static final class SharedStack implements ExtensionContext.Store.CloseableResource {
        final LocalStack stack = LocalStack.startForTests(newWorkDir());

        @Override
        public void close() {
            stack.close();
        }
    }

    /** A fresh directory under target/local-stack for one test's services. */
    public static Path newWorkDir() {
        try {
            Path base = Path.of("target", "local-stack").toAbsolutePath();
            Files.createDirectories(base);
            return Files.createTempDirectory(base, "run-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
