package dev.pageviews.stack;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JVM shutdown hook that stops things in the reverse order they were started. The JVM runs separate
 * hooks at the same time, which would stop Kafka and Redis while the job is still taking its final
 * savepoint; registering here instead keeps the order: last started, first stopped.
 */
public final class OrderedShutdown {

    private static final Logger LOG = LoggerFactory.getLogger(OrderedShutdown.class);
    private static final Deque<Action> ACTIONS = new ArrayDeque<>();
    private static boolean hookInstalled;
    private static boolean running;

    /** A registered action; {@link #cancel()} it once it has been done another way. */
    public static final class Action {
        private final String name;
        private final Runnable stop;

        private Action(String name, Runnable stop) {
            this.name = name;
            this.stop = stop;
        }

        public void cancel() {
            synchronized (OrderedShutdown.class) {
                if (!running) {
                    ACTIONS.remove(this);
                }
            }
        }
    }

    private OrderedShutdown() {}

    public static synchronized Action register(String name, Runnable stop) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(OrderedShutdown::runAll, "ordered-shutdown"));
            hookInstalled = true;
        }
        Action action = new Action(name, stop);
        ACTIONS.push(action);
        return action;
    }

    private static void runAll() {
        while (true) {
            Action action;
            synchronized (OrderedShutdown.class) {
                running = true;
                action = ACTIONS.poll();
            }
            if (action == null) {
                return;
            }
            try {
                action.stop.run();
            } catch (RuntimeException e) {
                LOG.warn("Stopping {} at shutdown failed", action.name, e);
            }
        }
    }
}
