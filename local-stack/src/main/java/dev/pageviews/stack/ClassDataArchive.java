package dev.pageviews.stack;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Class-data sharing (AppCDS) for a JVM that local-stack starts: the first start records the classes the JVM loaded
 * into an archive when it exits, later starts map them instead of loading and verifying them again (the Kafka broker
 * listened 2.87 s after its start instead of 3.77-4.72 s: BENCHMARKS.md, "Why class-data sharing for up's JVM and
 * the Kafka broker"). The archive is recorded again when a jar on the classpath is newer
 * than it. Each recording goes to its own file ({@code <archive>.<pid>-<n>}) and the next start adopts the newest,
 * so JVMs started side by side never write one file. The JVM ignores an archive it cannot use (another JDK, a
 * truncated file) and loads its classes as usual; its CDS messages are turned off. A directory that cannot hold the
 * archives costs only the faster start (a warning), never the start.
 */
public final class ClassDataArchive {

    /** The system property naming the directory for the archives (the pageviews script and the ITs set it); unset, no CDS. */
    public static final String DIR_PROPERTY = "pageviews.stack.cds-dir";

    private static final Logger LOG = LoggerFactory.getLogger(ClassDataArchive.class);
    private static final AtomicInteger RECORDINGS = new AtomicInteger();
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");

    private ClassDataArchive() {}

    /** The JVM options for {@code name}'s archive in the directory {@link #DIR_PROPERTY} names; none if unset. */
    public static List<String> options(String name, String classpath) {
        String dir = System.getProperty(DIR_PROPERTY, "").trim();
        return dir.isEmpty() ? List.of() : options(Path.of(dir).resolve(name + ".jsa"), classpath);
    }

    /** Map {@code archive} when it is newer than every entry of {@code classpath}, else record a new one. */
    static List<String> options(Path archive, String classpath) {
        try {
            Files.createDirectories(archive.toAbsolutePath().getParent());
            adoptNewestRecording(archive);
            List<String> options = new ArrayList<>();
            if (Files.isRegularFile(archive) && newerThanAll(Files.getLastModifiedTime(archive), classpath)) {
                options.add("-XX:SharedArchiveFile=" + archive.toAbsolutePath());
            } else {
                options.add("-XX:ArchiveClassesAtExit=" + archive.toAbsolutePath() + "." + ProcessHandle.current().pid()
                        + "-" + RECORDINGS.incrementAndGet());
            }
            options.addAll(QUIET);
            return options;
        } catch (IOException e) { // only a faster start is lost: the JVM starts without an archive
            LOG.warn("Starting without the class-data archive {} ({}); the JVM loads its classes as usual. "
                    + "PAGEVIEWS_CDS=off stops up from trying.", archive, e.toString());
            return List.of();
        }
    }

    /** Renames the newest finished recording to {@code archive} and deletes the older ones. */
    private static void adoptNewestRecording(Path archive) throws IOException {
        Path dir = archive.toAbsolutePath().getParent();
        String prefix = archive.getFileName() + ".";
        List<Path> recordings = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, path -> path.getFileName().toString().startsWith(prefix))) {
            files.forEach(recordings::add);
        }
        Optional<Path> newest = recordings.stream().max((a, b) -> modified(a).compareTo(modified(b)));
        for (Path recording : recordings) {
            try {
                if (newest.get().equals(recording)) {
                    Files.move(recording, archive, StandardCopyOption.REPLACE_EXISTING);
                } else {
                    Files.deleteIfExists(recording);
                }
            } catch (NoSuchFileException takenMeanwhile) {
                // another start adopted or deleted it first
            }
        }
    }

    private static boolean newerThanAll(FileTime archiveTime, String classpath) {
        for (String entry : classpath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.exists(path) && modified(path).compareTo(archiveTime) >= 0) {
                return false;
            }
        }
        return true;
    }

    private static FileTime modified(Path path) {
        try {
            return Files.getLastModifiedTime(path);
        } catch (IOException gone) { // deleted meanwhile, e.g. by another start adopting it
            return FileTime.fromMillis(0);
        }
    }
}
