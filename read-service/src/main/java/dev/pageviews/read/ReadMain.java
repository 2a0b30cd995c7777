package dev.pageviews.read;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs the read service as its own process; SIGTERM or Ctrl-C stops it (exit 0). A bad setting exits 2, naming it. */
public final class ReadMain {

    private static final Logger LOG = LoggerFactory.getLogger(ReadMain.class);

    private ReadMain() {}

    public static void main(String[] args) throws Exception {
        ReadConfig config;
        try {
            config = ReadConfig.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("read-service: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (config.helpRequested()) {
            System.out.print(ReadConfig.help());
            return;
        }
        LOG.info("Settings: {}", config);
        ReadService service = ReadService.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Stopping the read service");
            service.close();
            stopped.countDown();
        }, "read-service-stop"));
        stopped.await();
    }
}
