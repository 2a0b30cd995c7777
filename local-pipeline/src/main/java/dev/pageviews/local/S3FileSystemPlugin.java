package dev.pageviews.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.apache.flink.core.plugin.PluginConfig;

/**
 * Gives this JVM's Flink the {@code s3://} file system, as a TaskManager gets it at start: flink-s3-fs-hadoop
 * loaded as a plugin (its own class loader) and configured from the {@code s3.*} keys. The build copies the plugin
 * to {@code local-pipeline/target/plugins/s3-fs-hadoop/}; {@code FLINK_PLUGINS_DIR} overrides where it is looked for.
 */
final class S3FileSystemPlugin {

    private S3FileSystemPlugin() {}

    static void initialize(Configuration flinkConfiguration) {
        Path plugins = pluginsDir();
        // the plugin's AWS SDK v1 prints a deprecation notice with a stack trace to stderr on first use
        System.setProperty("aws.java.v1.disableDeprecationAnnouncement", "true");
        try {
            FileSystem.initialize(flinkConfiguration, new DefaultPluginManager(
                    new DirectoryBasedPluginFinder(plugins).findPlugins(),
                    PluginConfig.fromConfiguration(flinkConfiguration).getAlwaysParentFirstPatterns()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not load the Flink plugins in " + plugins, e);
        }
    }

    private static Path pluginsDir() {
        String fromEnv = System.getenv("FLINK_PLUGINS_DIR");
        Path dir = fromEnv != null ? Path.of(fromEnv) : besideTheBuild();
        if (!Files.isDirectory(dir.resolve("s3-fs-hadoop"))) {
            throw new IllegalStateException("the S3 file system plugin is missing: no " + dir.resolve("s3-fs-hadoop")
                    + "; build local-pipeline (mvn install -pl local-pipeline -DskipTests), or set FLINK_PLUGINS_DIR to a "
                    + "folder with s3-fs-hadoop/flink-s3-fs-hadoop-<version>.jar");
        }
        return dir;
    }

    /** target/plugins, next to target/classes (or the jar) this class is loaded from. */
    private static Path besideTheBuild() {
        try {
            Path code = Path.of(S3FileSystemPlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return code.getParent().resolve("plugins");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
