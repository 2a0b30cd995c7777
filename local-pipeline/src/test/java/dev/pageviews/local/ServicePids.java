package dev.pageviews.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Kafka and Redis processes an {@code up} process started, found by the pid files local-stack keeps in its data dir. */
final class ServicePids {

    private ServicePids() {}

    static List<Long> of(Path dataDir) throws Exception {
        List<Long> pids = new ArrayList<>();
        for (Path file : List.of(dataDir.resolve("kafka/kafka.pid"), dataDir.resolve("redis/redis.pid"))) {
            if (Files.exists(file)) {
                pids.add(Long.parseLong(Files.readString(file).trim()));
            }
        }
        return pids;
    }

    /** Whatever a failed test left running: the {@code up} processes it started, then their Kafka and Redis. */
    static void killLeftovers(List<Process> started, Path dataDir) throws Exception {
        for (Process p : started) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        for (long pid : of(dataDir)) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Waits up to a minute for every one of {@code pids} to have ended; fails naming the first still running. */
    static void awaitDead(List<Long> pids) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (long pid : pids) {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("process " + pid + " is still running");
                }
                Thread.sleep(200);
            }
        }
    }
}
