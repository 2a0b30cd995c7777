package dev.pageviews.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One up per data dir: a second is refused before it touches anything, with the first one's pid. */
class DataDirLockTest {

    @TempDir
    Path tmp;

    @Test
    void aSecondUpOnTheSameDataDirIsRefusedNamingTheFirstsPid() throws Exception {
        Path dataDir = tmp.resolve("data");
        try (DataDirLock first = DataDirLock.acquire(dataDir)) {
            assertThat(Files.readString(dataDir.resolve(DataDirLock.FILE))).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThatThrownBy(() -> DataDirLock.acquire(dataDir))
                    .isInstanceOf(LocalPipeline.CannotStart.class)
                    .hasMessage("another ./pageviews up is running with the data dir " + dataDir + " (pid "
                            + ProcessHandle.current().pid() + "): stop it first (Ctrl-C), or give this one its own --data-dir and ports");
        }
        DataDirLock.acquire(dataDir).close(); // released: the next run may start
    }

    @Test
    void aLockHeldByAnotherProcessRefusesAndIsFreedWhenThatProcessDies() throws Exception {
        Path dataDir = tmp.resolve("other");
        Files.createDirectories(dataDir);
        // held by a second JVM, as by a running up
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process holder = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                HoldLock.class.getName(), dataDir.toString())).redirectErrorStream(true).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(6))).isEqualTo("locked");
            assertThatThrownBy(() -> DataDirLock.acquire(dataDir)).isInstanceOf(LocalPipeline.CannotStart.class)
                    .hasMessageContaining("(pid " + holder.pid() + ")");
        } finally {
            holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // as kill -9 would end an up
        }
        DataDirLock.acquire(dataDir).close(); // a crashed run never blocks the next
    }

    /** A process that holds the lock until it is killed. */
    public static final class HoldLock {
        public static void main(String[] args) throws Exception {
            DataDirLock.acquire(Path.of(args[0]));
            System.out.print("locked");
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(5));
        }
    }
}
