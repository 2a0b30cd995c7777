package dev.pageviews.edge.admit;

import java.util.List;

/**
 * {@code ./pageviews bench admission}: what the edge's admission control costs per request, and the memory of the rate
 * limit's table, measured in this JVM (no network): a bucket taken by a client that has one, by new clients while
 * the table is full (every take evicts), the heap per bucket, and the bot check of a User-Agent cached and not.
 */
public final class AdmissionBenchmark {

    private AdmissionBenchmark() {}

    public static void main(String[] args) {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        String[] keys = new String[2 * clients];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new ClientAddress(0).of(new java.net.InetSocketAddress(
                    "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 1), List.of());
        }
        for (int round = 1; round <= 3; round++) {
            ClientRateLimits limits = new ClientRateLimits(200, 2000, clients);
            long before = usedHeap();
            for (int i = 0; i < clients; i++) {
                limits.take(keys[i], 1);
            }
            limits.cleanUp();
            long perBucket = (usedHeap() - before) / clients;
            long start = System.nanoTime();
            int hot = 2_000_000;
            for (int i = 0; i < hot; i++) {
                limits.take(keys[i % 1000], 1);
            }
            double hotMicros = (System.nanoTime() - start) / 1e3 / hot;
            start = System.nanoTime();
            for (int i = clients; i < 2 * clients; i++) {
                limits.take(keys[i], 1);
            }
            limits.cleanUp();
            double evictingMicros = (System.nanoTime() - start) / 1e3 / clients;
            System.out.printf("rate limit, round %d: %d buckets, %d bytes of heap each (keys excluded); take %.3f µs "
                    + "(client known), %.3f µs (new client, table full: %d evictions)%n", round, limits.clients(),
                    perBucket, hotMicros, evictingMicros, limits.evictions());
        }
        BotFilter bots = BotFilter.load();
        List<String> agents = List.of(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");
        for (int round = 1; round <= 3; round++) {
            for (String agent : agents) {
                int n = 200_000;
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    bots.isBot(agent);
                }
                double cached = (System.nanoTime() - start) / 1e3 / n;
                int m = 5_000;
                start = System.nanoTime();
                for (int i = 0; i < m; i++) {
                    bots.isBot(agent + " v" + round + "." + i); // a new agent each time: the rules run
                }
                double uncached = (System.nanoTime() - start) / 1e3 / m;
                System.out.printf("bot check, round %d, %s...: %.3f µs cached, %.1f µs new (bot: %s)%n", round,
                        agent.substring(0, 30), cached, uncached, bots.isBot(agent));
            }
        }
    }

    private static long usedHeap() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
