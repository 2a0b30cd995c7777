package dev.pageviews.edge;

import dev.pageviews.edge.config.EdgeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs the edge: {@code java dev.pageviews.edge.EdgeMain [--flag value]...} (see {@code --help}).
 * SIGTERM or SIGINT close it gracefully and exit with status 0.
 */
public final class EdgeMain {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeMain.class);

    private EdgeMain() {}

    public static void main(String[] args) {
        EdgeConfig config;
        try {
            config = EdgeConfig.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("edge-ingest: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (config.helpRequested()) {
            System.out.print(EdgeConfig.usage());
            return;
        }
        EdgeServer server;
        try {
            server = EdgeServer.start(config);
        } catch (RuntimeException e) {
            LOG.error("{}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        // A handled signal exits 0 after the graceful close; the JVM's default would exit 143 (SIGTERM).
        Signal.handle(new Signal("TERM"), signal -> stopAndExit(server, "SIGTERM"));
        Signal.handle(new Signal("INT"), signal -> stopAndExit(server, "SIGINT"));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "edge-shutdown")); // any other exit
        server.awaitClosed();
    }

    private static void stopAndExit(EdgeServer server, String signal) {
        LOG.info("{} received: stopping gracefully", signal);
        server.close();
        System.exit(0);
    }
}
