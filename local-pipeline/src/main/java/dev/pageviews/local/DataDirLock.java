package dev.pageviews.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One {@code up} per data dir. A second one would take the first's Kafka for a leftover of an earlier run and stop
 * it, resume the job from checkpoints the first is still writing, and leave the first without Kafka: so it refuses
 * before it touches anything. The lock is the operating system's lock on {@code <data-dir>/up.lock} (the file
 * holds the owner's pid, for the message); it is released when the process ends, however it ends, so a crashed
 * run never blocks the next.
 */
final class DataDirLock implements AutoCloseable {

    static final String FILE = "up.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks {@code dataDir} (creating it) or throws {@link LocalPipeline.CannotStart} naming the process that holds it. */
    static DataDirLock acquire(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM holds it already
        }
        if (lock == null) {
            String owner = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
            channel.close();
            throw new LocalPipeline.CannotStart("another ./pageviews up is running with the data dir " + dataDir
                    + (owner.isEmpty() ? "" : " (pid " + owner + ")") + ": stop it first (Ctrl-C), or give this one its own "
                    + "--data-dir and ports");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)), 0);
        return new DataDirLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }
}
