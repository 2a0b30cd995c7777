package dev.pageviews.edge.bench;

import dev.pageviews.stack.KafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * For {@code bench/edge.sh}: starts a real single-node Kafka (local-stack) under {@code workDir} with a
 * topic, writes its bootstrap address to {@code workDir/bootstrap}, and stops it on SIGTERM (should this
 * JVM be killed outright, local-stack's watchdog stops the broker). Usage: {@code BenchKafka <workDir> <topic> <partitions>}.
 */
public final class BenchKafka {

    private BenchKafka() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: BenchKafka <workDir> <topic> <partitions>");
            System.exit(2);
        }
        Path workDir = Path.of(args[0]).toAbsolutePath();
        KafkaBroker kafka = KafkaBroker.start(workDir.resolve("kafka"), 0);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stopped.countDown();
        }, "stop-bench-kafka"));
        kafka.createTopic(args[1], Integer.parseInt(args[2]));
        Files.writeString(workDir.resolve("bootstrap"), kafka.bootstrapServers());
        stopped.await();
    }
}
