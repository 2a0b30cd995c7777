package dev.pageviews.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server started as a child process: its output goes to a log file, it is stopped on {@link #close()},
 * at JVM shutdown ({@link OrderedShutdown}), and, should this JVM be killed outright, by a small watchdog that ends it once
 * its parent is gone. A pid file in the work dir lets the next start clean up after a crash.
 *
 * <p>Where {@code setsid} exists (Linux's util-linux) the server and its watchdog run in a session of their own: a
 * terminal's Ctrl-C signals its whole foreground process group, and so do {@code timeout} and service managers that
 * stop a control group. The servers must hear of a stop only from this JVM, which stops them in order, after the job's
 * last savepoint and commit; signalled along with it, Redis and Kafka would end under the job.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceProcess.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    /** Runs a command in a new session; it execs the command, so the pid stays the command's. */
    private static final Optional<String> SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid")
            .filter(path -> Files.isExecutable(Path.of(path))).findFirst();

    private final String name;
    private final Process process;
    private final Path logFile;
    private final Path pidFile;
    private final OrderedShutdown.Action shutdownAction;
    private final Process watchdog;
    private volatile boolean paused;

    private ServiceProcess(String name, Process process, Path logFile, Path pidFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.pidFile = pidFile;
        this.shutdownAction = OrderedShutdown.register(name, this::stop);
        this.watchdog = startWatchdog(process.pid());
    }

    /** Starts {@code command} with its output appended to {@code logFile}. */
    public static ServiceProcess start(String name, List<String> command, Path workDir, Path logFile) {
        try {
            Files.createDirectories(workDir);
            Files.createDirectories(logFile.getParent());
            Path pidFile = workDir.resolve(name + ".pid");
            killLeftover(name, pidFile, Path.of(command.get(0)).getFileName().toString());
            LOG.info("Starting {} (log: {})", name, logFile);
            Process process = new ProcessBuilder(inOwnSession(command))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            Files.writeString(pidFile, Long.toString(process.pid()));
            return new ServiceProcess(name, process, logFile, pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + ": " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** Waits until {@code ready} holds, failing fast with the log's tail if the process exits first. */
    public void awaitReady(BooleanSupplier ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue()
                        + " before it was ready; last lines of " + logFile + ":\n" + tail(40));
            }
            if (ready.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException(name + " was not ready within " + timeout.toSeconds()
                        + " s; last lines of " + logFile + ":\n" + tail(40));
            }
            sleep(100);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    /** Kills the process without a chance to clean up, as {@code kill -9} would. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /**
     * Freezes the process (SIGSTOP), as a long GC pause or an overloaded host would: its sockets stay open, but it
     * reads, writes and answers nothing until {@link #resume()}.
     */
    public void pause() {
        signal("STOP");
        paused = true;
    }

    /** Lets a {@link #pause() paused} process run again (SIGCONT). */
    public void resume() {
        signal("CONT");
        paused = false;
    }

    public boolean isPaused() {
        return paused;
    }

    private void signal(String signal) {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " is not running; cannot send it SIG" + signal);
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " (" + name + ") failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run kill -" + signal + " for " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
    }

    /** Asks the process to stop (SIGTERM) and waits; kills it if it does not stop in time. */
    public void stop() {
        if (paused && process.isAlive()) {
            resume(); // a stopped process would hold SIGTERM pending, and only the kill after the grace period would end it
        }
        if (process.isAlive()) {
            LOG.info("Stopping {} (pid {})", name, process.pid());
            process.destroy();
            if (!waitFor(STOP_GRACE)) {
                LOG.warn("{} did not stop within {} s; killing it", name, STOP_GRACE.toSeconds());
                process.destroyForcibly();
                waitFor(Duration.ofSeconds(10));
            }
        }
        if (watchdog != null) {
            watchdog.destroy();
        }
        try {
            Files.deleteIfExists(pidFile);
        } catch (IOException ignored) {
            // a stale pid file is checked against the live process on the next start
        }
    }

    @Override
    public void close() {
        stop();
        shutdownAction.cancel();
    }

    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Ends the child once this JVM is gone, even after kill -9, which no shutdown hook survives. */
    private static Process startWatchdog(long childPid) {
        long parent = ProcessHandle.current().pid();
        String script = "while kill -0 " + parent + " 2>/dev/null && kill -0 " + childPid + " 2>/dev/null; do sleep 1; done; "
                + "if kill -0 " + childPid + " 2>/dev/null; then kill -TERM " + childPid + "; sleep 15; kill -KILL " + childPid
                + " 2>/dev/null; fi";
        try {
            return new ProcessBuilder(inOwnSession(List.of("/bin/sh", "-c", script)))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            LOG.warn("No watchdog for pid {} ({}); it is still stopped on normal exit", childPid, e.getMessage());
            return null;
        }
    }

    /** {@code command} under {@code setsid}, or as it is where there is none (then a group's signal reaches it too). */
    public static List<String> inOwnSession(List<String> command) {
        if (SETSID.isEmpty()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(command.size() + 1);
        wrapped.add(SETSID.get());
        wrapped.addAll(command);
        return wrapped;
    }

    /** A previous run killed outright may have left its server running: stop it before starting anew. */
    private static void killLeftover(String name, Path pidFile, String executable) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        String text = Files.readString(pidFile).trim();
        Files.deleteIfExists(pidFile);
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            return;
        }
        ProcessHandle.of(pid)
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith(executable)).orElse(false)) // not a reused pid
                .ifPresent(old -> {
            LOG.warn("Stopping {} left over from an earlier run (pid {})", name, pid);
            old.destroy();
            try {
                old.onExit().get(STOP_GRACE.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                old.destroyForcibly();
            }
        });
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
