package dev.pageviews.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works around an S3Proxy file-store bug: a PUT whose client goes away mid-body leaves its temporary file
 * (written beside the object, metadata not yet attached) behind for good, and every later listing of that folder
 * fails with HTTP 500 ("Unable to get size of extended attribute 'user.content-md5'"). A writer killed
 * mid-upload, as the failure tests do to TaskManagers, is enough. Every object S3Proxy completes carries that
 * attribute; a file without it that has not changed for {@link #ABANDONED_AFTER} is such a leftover and is removed.
 */
final class S3OrphanJanitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(S3OrphanJanitor.class);
    static final Duration ABANDONED_AFTER = Duration.ofSeconds(10);
    private static final String COMPLETED_MARK = "user.content-md5"; // the name S3Proxy gives it through Java

    private final Path dataDir;
    private final ScheduledExecutorService timer;

    S3OrphanJanitor(Path dataDir) {
        this.dataDir = dataDir;
        this.timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "s3-orphan-janitor");
            thread.setDaemon(true);
            return thread;
        });
    }

    static S3OrphanJanitor start(Path dataDir) {
        S3OrphanJanitor janitor = new S3OrphanJanitor(dataDir);
        janitor.timer.scheduleWithFixedDelay(janitor::sweepQuietly, 2, 2, TimeUnit.SECONDS);
        return janitor;
    }

    /** Removes the abandoned upload files older than {@code ABANDONED_AFTER}; returns them. */
    List<Path> sweep(long nowMillis) {
        try (Stream<Path> files = Files.walk(dataDir)) {
            List<Path> abandoned = files.filter(Files::isRegularFile).filter(file -> isAbandoned(file, nowMillis)).toList();
            for (Path file : abandoned) {
                Files.deleteIfExists(file);
                LOG.warn("Removed {}: an upload S3Proxy never finished (its client went away), which would fail "
                        + "every listing of its folder", dataDir.relativize(file));
            }
            return abandoned;
        } catch (NoSuchFileException raced) {
            return List.of(); // a file went away while walking: S3Proxy moved or deleted it; next sweep
        } catch (IOException e) {
            throw new UncheckedIOException("could not sweep " + dataDir, e);
        }
    }

    private static boolean isAbandoned(Path file, long nowMillis) {
        try {
            UserDefinedFileAttributeView attributes = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
            return attributes != null
                    && !attributes.list().contains(COMPLETED_MARK)
                    && nowMillis - Files.getLastModifiedTime(file).toMillis() > ABANDONED_AFTER.toMillis();
        } catch (IOException gone) {
            return false; // moved into place or deleted meanwhile
        }
    }

    private void sweepQuietly() {
        try {
            sweep(System.currentTimeMillis());
        } catch (RuntimeException e) {
            LOG.warn("S3 orphan sweep of {} failed; trying again", dataDir, e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
