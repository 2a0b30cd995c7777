package dev.pageviews.local;

import dev.pageviews.stack.FreePorts;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** up's settings for the tests, written as a user gives them: flags, read by {@link UpConfig#parse}. */
final class UpConfigs {

    private UpConfigs() {}

    /**
     * {@code flags} over settings for {@code dataDir} on free ports: picked ones for the edge, the web UI, Kafka and
     * Redis, those of the edge's admin server and the read service left to the system (0).
     */
    static UpConfig up(Path dataDir, String... flags) {
        List<String> args = new ArrayList<>(List.of("--data-dir", dataDir.toString(),
                "--http-port", free(), "--edge-admin-port", "0", "--ui-port", free(), "--stats-port", "0",
                "--kafka-port", free(), "--redis-port", free()));
        args.addAll(List.of(flags)); // a flag given twice: the later one wins
        return UpConfig.parse(args.toArray(String[]::new), Map.of());
    }

    private static String free() {
        return Integer.toString(FreePorts.pick());
    }
}
