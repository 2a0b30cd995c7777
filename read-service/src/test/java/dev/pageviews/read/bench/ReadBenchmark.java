package dev.pageviews.read.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pageviews.read.store.Bucket;
import dev.pageviews.read.store.LayoutFixture;
import dev.pageviews.stack.FreePorts;
import dev.pageviews.stack.LocalStackExtension;
import dev.pageviews.stack.RedisServer;
import dev.pageviews.stack.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

/**
 * {@code ./pageviews bench read}: the read service's API latency as users meet it. A real redis-server (local-stack)
 * is filled in the job's layout ({@link LayoutFixture}, one commit per day as the job's commits add up) for a site of
 * {@code pages} pages (default 10,000) over {@code days} whole days (30) and today: views per page Zipf-like (rank k
 * gets 1/k of the views), visits of 2.5 views on average, three in ten from a pool of returning visitors. Then the
 * read service runs as its own process (its main class, as the Deployment runs it, with the container's JVM flags)
 * and HTTP/1.1 clients ({@link HttpClient}, keep-alive, each sending its next query when the last is answered) ask
 * the dashboard's kinds of queries: 30-day series per hour and per day, the top 100 pages over 30 days, today and the
 * last 5 minutes. Every answer must be 200 with exactly the rows the generated views make (labels, order and
 * pageviews compared, visitors bounded by pageviews and exact per day); anything else stops the run with the answer.
 *
 * <p>Prints the fill, the cold first requests after start, then per query and number of clients the requests,
 * throughput, p50, p99 and max. Last, 32 clients against a service with its default {@code --max-concurrent-queries}
 * (8): how many are refused with 503 and what the wait costs a client that asks again after Retry-After, as the
 * dashboard does.
 */
public final class ReadBenchmark {

    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    private static final String COUNTS_KEY = "page_views";
    /** The read service container's flags (k8s/images/read-service/Dockerfile): the heap it has in production. */
    private static final String SERVICE_JVM = "-Xms160m -Xmx160m -XX:MaxDirectMemorySize=64m -XX:MaxMetaspaceSize=64m "
            + "-XX:ReservedCodeCacheSize=48m -Xss512k -XX:+ExitOnOutOfMemoryError";
    private static final int DEFAULT_MAX_CONCURRENT_QUERIES = 8;
    /**
     * Views are generated up to this far past the start, so "realtime" and "day" have views in every window the run
     * asks for (the job would keep committing meanwhile; here the data stays still and the answers comparable).
     */
    private static final long AHEAD_SECONDS = 15 * 60;
    private static final DateTimeFormatter HOUR_LABEL = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:00:00");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

    static {
        DEFAULTS.put("pages", "10000");
        DEFAULTS.put("days", "30");
        DEFAULTS.put("views-per-day", "100000");
        DEFAULTS.put("clients", "1,8,32");
        DEFAULTS.put("seconds", "4");
        DEFAULTS.put("warmup", "10");
    }

    private ReadBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> settings = settings(args);
        int pages = positive(settings, "pages");
        int days = positive(settings, "days");
        int viewsPerDay = positive(settings, "views-per-day");
        int seconds = positive(settings, "seconds");
        int warmup = positive(settings, "warmup");
        int[] clients = Arrays.stream(settings.get("clients").split(",")).mapToInt(c -> positive("clients", c.trim())).toArray();
        int mostClients = Arrays.stream(clients).max().orElseThrow();
        String serviceJvm = System.getenv().getOrDefault("READ_BENCH_SERVICE_JVM", SERVICE_JVM);
        List<String> serviceClasspath = serviceClasspath();

        Path dir = LocalStackExtension.newWorkDir();
        try (RedisServer redis = RedisServer.start(dir.resolve("redis"), 0, RedisServer.Persistence.NONE)) {
            Site site;
            try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
                long started = System.nanoTime();
                site = Site.fill(client, pages, days, viewsPerDay, Instant.now().getEpochSecond() + AHEAD_SECONDS);
                double took = (System.nanoTime() - started) / 1e9;
                try (Jedis jedis = redis.client()) {
                    jedis.configResetStat(); // the command statistics printed last are the queries' only
                    print("redis-server %s (no persistence), filled in %.1f s: %,d views of %,d pages over %d days and today "
                            + "(%,d distinct pages), %,d visitors a day on average; %,d keys, used_memory %s",
                            version(jedis), took, site.size(), pages, days, site.distinctPages(), site.averageDailyVisitors(),
                            jedis.dbSize(), info(jedis, "memory", "used_memory_human"));
                }
            }
            List<Query> queries = queries();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();

            // twice the clients: a query's thread is counted as running until it is back in the pool, after its answer
            // left, so a client's next query can find all of as many slots as clients taken and get a 503
            int maxQueries = Math.max(DEFAULT_MAX_CONCURRENT_QUERIES, 2 * mostClients);
            print("read service: its own JVM (%s), --max-concurrent-queries %d (twice the clients; the default %d refuses "
                    + "what %d clients send beyond it: see the last line), reporting time zone %s", serviceJvm, maxQueries,
                    DEFAULT_MAX_CONCURRENT_QUERIES, mostClients, ZONE);
            try (Service service = Service.start(dir.resolve("service"), serviceClasspath, serviceJvm, redis.uri(), maxQueries,
                    http)) {
                print("ready %.2f s after the process started", service.readySeconds);
                print("cold, the first request of each query after start, in this order:");
                for (Query query : queries) {
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> response = http.send(service.request(query), HttpResponse.BodyHandlers.ofByteArray());
                    long micros = (System.nanoTime() - t0) / 1_000;
                    int rows = query.check(site, response);
                    print("  %-52s %8.2f ms (%d rows)", query.name, micros / 1e3, rows);
                }
                Load warm = Load.run(http, service, queries, site, 8, Duration.ofSeconds(warmup), false);
                print("warm-up: %,d requests, all queries in turn, 8 clients, %d s", warm.requests, warmup);
                print("%-52s %7s %8s %9s %8s %8s %8s", "query", "clients", "requests", "req/s", "p50 ms", "p99 ms", "max ms");
                for (Query query : queries) {
                    for (int c : clients) {
                        Load load = Load.run(http, service, List.of(query), site, c, Duration.ofSeconds(seconds), false);
                        print("%-52s %7d %8d %9.1f %8.2f %8.2f %8.2f", query.name, c, load.requests, load.throughput(),
                                load.percentile(0.50), load.percentile(0.99), load.max());
                    }
                }
            }
            try (Jedis jedis = redis.client()) {
                print("redis-server's time per command over all queries above (INFO commandstats): %s", commandStats(jedis));
            }
            if (mostClients > DEFAULT_MAX_CONCURRENT_QUERIES) {
                try (Service service = Service.start(dir.resolve("service-defaults"), serviceClasspath, serviceJvm, redis.uri(),
                        DEFAULT_MAX_CONCURRENT_QUERIES, http)) {
                    Query query = queries.get(2);
                    Load load = Load.run(http, service, List.of(query), site, mostClients, Duration.ofSeconds(seconds), true);
                    print("default --max-concurrent-queries %d, %d clients, %s: %d answered (%.1f/s), %d refused with 503 "
                            + "and asked again after Retry-After, %d given up after 4 tries; wait per answer p50 %.2f ms, "
                            + "p99 %.2f ms, max %.2f ms", DEFAULT_MAX_CONCURRENT_QUERIES, mostClients, query.name,
                            load.requests, load.throughput(), load.refused, load.gaveUp, load.percentile(0.50),
                            load.percentile(0.99), load.max());
                }
            }
        }
    }

    /** The dashboard's kinds of queries, as Plausible clients send them. */
    private static List<Query> queries() {
        String top = "\"dimensions\":[\"event:page\"],\"order_by\":[[\"pageviews\",\"desc\"]],\"pagination\":{\"limit\":100}";
        return List.of(
                // visitors are counted per day: per hour the service answers them with a 400 (README), so views only
                new Query("30d per hour (pageviews)", "[\"pageviews\"]", "\"30d\"", "\"dimensions\":[\"time:hour\"]", Shape.HOURS),
                new Query("30d per day (pageviews, visitors)", "[\"pageviews\",\"visitors\"]", "\"30d\"",
                        "\"dimensions\":[\"time:day\"]", Shape.DAYS),
                new Query("30d top 100 pages (pageviews, visitors)", "[\"pageviews\",\"visitors\"]", "\"30d\"", top, Shape.PAGES),
                new Query("30d top 100 pages (pageviews)", "[\"pageviews\"]", "\"30d\"", top, Shape.PAGES),
                new Query("day top 100 pages (pageviews, visitors)", "[\"pageviews\",\"visitors\"]", "\"day\"", top, Shape.PAGES),
                // part of a day: visitors get a 400 here too
                new Query("realtime top 100 pages (pageviews)", "[\"pageviews\"]", "\"realtime\"", top, Shape.PAGES));
    }

    private enum Shape { HOURS, DAYS, PAGES }

    /** One kind of query: its body, and what its answer must hold for the generated views. */
    private static final class Query {
        final String name;
        final byte[] body;
        final Shape shape;
        final boolean visitors;
        /** Expected rows per resolved range [from, to): "realtime" moves every minute, the others stay. */
        final Map<Long, Map<Long, List<Row>>> expected = new ConcurrentHashMap<>();

        Query(String name, String metrics, String dateRange, String more, Shape shape) {
            this.name = name;
            this.body = ("{\"site_id\":\"localhost\",\"metrics\":" + metrics + ",\"date_range\":" + dateRange + "," + more + "}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            this.shape = shape;
            this.visitors = metrics.contains("visitors");
        }

        /** Checks the answer and returns its number of rows; throws, naming the query and the difference, otherwise. */
        int check(Site site, HttpResponse<byte[]> response) {
            String text = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
            if (response.statusCode() != 200) {
                throw new IllegalStateException(name + ": HTTP " + response.statusCode() + ": " + excerpt(text));
            }
            JsonNode answer;
            try {
                answer = JSON.readTree(response.body());
            } catch (IOException e) {
                throw new IllegalStateException(name + ": the answer is not JSON: " + excerpt(text), e);
            }
            JsonNode range = answer.path("query").path("date_range");
            long from = OffsetDateTime.parse(range.path(0).asText()).toEpochSecond();
            long to = OffsetDateTime.parse(range.path(1).asText()).toEpochSecond() + 1;
            List<Row> rows = expected.computeIfAbsent(from, f -> new ConcurrentHashMap<>())
                    .computeIfAbsent(to, t -> site.rows(shape, from, to));
            JsonNode results = answer.path("results");
            if (results.size() != rows.size()) {
                throw new IllegalStateException(name + ": " + results.size() + " rows, expected " + rows.size() + " for "
                        + range + ": " + excerpt(text));
            }
            for (int i = 0; i < rows.size(); i++) {
                JsonNode row = results.get(i);
                Row want = rows.get(i);
                String label = row.path("dimensions").path(0).asText();
                long views = row.path("metrics").path(0).asLong(-1);
                if (!label.equals(want.label) || views != want.views) {
                    throw new IllegalStateException(name + ": row " + i + " is " + row + ", expected " + want.label + " with "
                            + want.views + " pageviews, for " + range);
                }
                if (visitors) {
                    JsonNode v = row.path("metrics").path(1);
                    boolean ok = v.isIntegralNumber() && v.asLong() >= 1 && v.asLong() <= views
                            && (want.visitors < 0 || v.asLong() == want.visitors);
                    if (!ok) {
                        throw new IllegalStateException(name + ": row " + i + " is " + row + ", expected visitors "
                                + (want.visitors < 0 ? "from 1 to its pageviews" : want.visitors + " (exact, one day)"));
                    }
                }
            }
            return rows.size();
        }
    }

    private static String excerpt(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "...";
    }

    /** A row as the answer must have it: its one dimension's label, its pageviews, its visitors when known exactly (else -1). */
    private record Row(String label, long views, long visitors) {}

    /** The generated site: every view's time and page, in time order, and each local day's distinct visitors. */
    private static final class Site {
        private final String[] pages;
        private final long[] seconds;
        private final int[] pageOf;
        private final Map<LocalDate, Long> dayVisitors;

        private Site(String[] pages, long[] seconds, int[] pageOf, Map<LocalDate, Long> dayVisitors) {
            this.pages = pages;
            this.seconds = seconds;
            this.pageOf = pageOf;
            this.dayVisitors = dayVisitors;
        }

        /**
         * Generates the views of {@code days} whole local days and of today up to {@code until}, and writes each day
         * into Redis as one commit in the job's layout.
         */
        static Site fill(RedisClient redis, int pageCount, int days, int viewsPerDay, long until) {
            if (pageCount >= 1 << 20) {
                throw new IllegalArgumentException("pages: at most " + ((1 << 20) - 1));
            }
            SplittableRandom random = new SplittableRandom(30);
            String[] sections = {"blog", "docs", "guides", "products", "help", "news"};
            String[] pages = new String[pageCount];
            double[] cumulative = new double[pageCount];
            double sum = 0;
            for (int k = 0; k < pageCount; k++) {
                pages[k] = k == 0 ? "/" : "/" + sections[k % sections.length] + "/article-" + k;
                sum += 1.0 / (k + 1);
                cumulative[k] = sum;
            }
            for (int k = 0; k < pageCount; k++) {
                cumulative[k] /= sum;
            }
            int returning = Math.max(1, viewsPerDay / 5); // a pool that comes back day after day
            long[] all = new long[0];
            int size = 0;
            Map<LocalDate, Long> dayVisitors = new TreeMap<>();
            LocalDate today = LocalDate.ofInstant(Instant.ofEpochSecond(until - AHEAD_SECONDS), ZONE);
            long seq = 0;
            for (LocalDate day = today.minusDays(days); !day.isAfter(today); day = day.plusDays(1)) {
                long from = day.atStartOfDay(ZONE).toEpochSecond();
                long to = Math.min(day.plusDays(1).atStartOfDay(ZONE).toEpochSecond(), until);
                int target = (int) Math.round((double) viewsPerDay * (to - from) / 86_400);
                LayoutFixture fixture = new LayoutFixture(COUNTS_KEY, ZONE);
                Set<String> visitors = new HashSet<>();
                long[] packed = new long[target];
                int n = 0;
                while (n < target) {
                    String user = random.nextInt(10) < 3 ? "r" + random.nextInt(returning) : "v" + random.nextLong(1L << 40);
                    visitors.add(user);
                    // a visit: geometric number of views, mean 2.5, a few seconds to two minutes apart
                    int views = 1 + (int) Math.floor(Math.log(1 - random.nextDouble()) / Math.log(1 - 0.4));
                    long at = from + random.nextLong(to - from);
                    for (int v = 0; v < views && n < target && at < to; v++) {
                        int i = Arrays.binarySearch(cumulative, random.nextDouble());
                        int page = i >= 0 ? i : Math.min(-i - 1, pageCount - 1);
                        fixture.view(new LayoutFixture.View(pages[page], user, at));
                        packed[n++] = at << 20 | page;
                        at += 5 + random.nextInt(115);
                    }
                }
                fixture.writeTo(redis, ++seq, day.equals(today) ? (until - AHEAD_SECONDS - 2) * 1000 : to * 1000);
                Arrays.sort(packed);
                if (all.length < size + n) {
                    all = Arrays.copyOf(all, Math.max(size + n, all.length * 2));
                }
                System.arraycopy(packed, 0, all, size, n);
                size += n;
                dayVisitors.put(day, (long) visitors.size());
            }
            long[] seconds = new long[size];
            int[] pageOf = new int[size];
            for (int i = 0; i < size; i++) {
                seconds[i] = all[i] >>> 20;
                pageOf[i] = (int) (all[i] & ((1 << 20) - 1));
            }
            return new Site(pages, seconds, pageOf, dayVisitors);
        }

        int size() {
            return seconds.length;
        }

        long distinctPages() {
            return IntStream.of(pageOf).distinct().count();
        }

        long averageDailyVisitors() {
            return Math.round(dayVisitors.values().stream().mapToLong(Long::longValue).average().orElse(0));
        }

        private int firstAtOrAfter(long second) {
            int lo = 0;
            int hi = seconds.length;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (seconds[mid] < second) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            return lo;
        }

        /** The rows an answer over [from, to) must have: buckets with views in time order, or the top 100 pages. */
        List<Row> rows(Shape shape, long from, long to) {
            int first = firstAtOrAfter(from);
            int last = firstAtOrAfter(to);
            List<Row> rows = new ArrayList<>();
            switch (shape) {
                case HOURS -> {
                    Map<Long, Long> hours = new TreeMap<>();
                    for (int i = first; i < last; i++) {
                        hours.merge(Bucket.hourStart(seconds[i], ZONE), 1L, Long::sum);
                    }
                    hours.forEach((start, views) -> rows.add(new Row(HOUR_LABEL.format(Instant.ofEpochSecond(start).atZone(ZONE)),
                            views, -1)));
                }
                case DAYS -> {
                    Map<LocalDate, Long> byDay = new TreeMap<>();
                    for (int i = first; i < last; i++) {
                        byDay.merge(LocalDate.ofInstant(Instant.ofEpochSecond(seconds[i]), ZONE), 1L, Long::sum);
                    }
                    byDay.forEach((day, views) -> rows.add(new Row(day.toString(), views, dayVisitors.get(day))));
                }
                case PAGES -> {
                    long[] views = new long[pages.length];
                    for (int i = first; i < last; i++) {
                        views[pageOf[i]]++;
                    }
                    // the service's order: pageviews descending, then the page's name
                    IntStream.range(0, pages.length).filter(p -> views[p] > 0).boxed()
                            .sorted(Comparator.<Integer>comparingLong(p -> -views[p]).thenComparing(p -> pages[p]))
                            .limit(100)
                            .forEach(p -> rows.add(new Row(pages[p], views[p], -1)));
                }
                default -> throw new IllegalStateException(shape.toString());
            }
            return rows;
        }
    }

    /** The read service as its own process (its main class), on a free port, ready when /readyz answers 200. */
    private static final class Service implements AutoCloseable {
        final ServiceProcess process;
        final URI query;
        final double readySeconds;

        private Service(ServiceProcess process, URI query, double readySeconds) {
            this.process = process;
            this.query = query;
            this.readySeconds = readySeconds;
        }

        static Service start(Path dir, List<String> classpath, String jvm, String redis, int maxConcurrentQueries,
                HttpClient http) {
            int port = FreePorts.pick();
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(Arrays.asList(jvm.trim().split("\\s+")));
            command.addAll(List.of("-cp", String.join(java.io.File.pathSeparator, classpath), "dev.pageviews.read.ReadMain",
                    "--port", Integer.toString(port), "--redis", redis,
                    "--max-concurrent-queries", Integer.toString(maxConcurrentQueries)));
            long started = System.nanoTime();
            ServiceProcess process = ServiceProcess.start("read-service", command, dir, dir.resolve("read-service.log"));
            try {
                URI ready = URI.create("http://127.0.0.1:" + port + "/readyz");
                process.awaitReady(() -> {
                    try {
                        return http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (IOException e) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }, Duration.ofSeconds(60));
            } catch (RuntimeException e) {
                process.close();
                throw e;
            }
            return new Service(process, URI.create("http://127.0.0.1:" + port + "/api/v2/query"),
                    (System.nanoTime() - started) / 1e9);
        }

        HttpRequest request(Query q) {
            return HttpRequest.newBuilder(query).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(q.body)).build();
        }

        @Override
        public void close() {
            process.close();
        }
    }

    /** Clients that each send a query, wait for its answer, check it and send the next, for a while. */
    private static final class Load {
        final long[] micros;
        final int requests;
        final double seconds;
        final int refused;
        final int gaveUp;

        private Load(long[] micros, double seconds, int refused, int gaveUp) {
            this.micros = micros;
            this.requests = micros.length;
            this.seconds = seconds;
            this.refused = refused;
            this.gaveUp = gaveUp;
        }

        /**
         * @param askAgainWhenBusy a 503 is asked again after its Retry-After (spread, as the dashboard does, up to 4
         *     tries) and the answer's latency includes the waits; otherwise a 503 fails the run like any other status
         */
        static Load run(HttpClient http, Service service, List<Query> queries, Site site, int clients, Duration length,
                boolean askAgainWhenBusy) throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            AtomicBoolean failed = new AtomicBoolean();
            long started = System.nanoTime();
            long deadline = started + length.toNanos();
            List<Future<long[]>> results = new ArrayList<>();
            int[] refused = new int[clients];
            int[] gaveUp = new int[clients];
            for (int c = 0; c < clients; c++) {
                int client = c;
                results.add(pool.submit(() -> {
                    long[] micros = new long[1024];
                    int n = 0;
                    int turn = client;
                    try {
                        while (System.nanoTime() < deadline && !failed.get()) {
                            Query query = queries.get(turn++ % queries.size());
                            HttpRequest request = service.request(query);
                            long t0 = System.nanoTime();
                            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                            int attempt = 1;
                            while (askAgainWhenBusy && response.statusCode() == 503 && attempt < 4) {
                                refused[client]++;
                                double wait = Double.parseDouble(response.headers().firstValue("Retry-After").orElse("1"));
                                Thread.sleep((long) (1000 * wait * attempt * (0.5 + ThreadLocalRandom.current().nextDouble())));
                                response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                                attempt++;
                            }
                            if (askAgainWhenBusy && response.statusCode() == 503) {
                                refused[client]++;
                                gaveUp[client]++;
                                continue;
                            }
                            long took = (System.nanoTime() - t0) / 1_000;
                            query.check(site, response);
                            if (n == micros.length) {
                                micros = Arrays.copyOf(micros, n * 2);
                            }
                            micros[n++] = took;
                        }
                    } catch (Exception | Error e) {
                        failed.set(true);
                        throw e;
                    }
                    return Arrays.copyOf(micros, n);
                }));
            }
            pool.shutdown();
            List<long[]> all = new ArrayList<>();
            Exception failure = null;
            for (Future<long[]> result : results) {
                try {
                    all.add(result.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof Exception cause ? cause : e;
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long[] micros = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
            if (micros.length == 0) {
                throw new IllegalStateException(queries.get(0).name + ": no answer in " + length.toSeconds() + " s");
            }
            return new Load(micros, seconds, Arrays.stream(refused).sum(), Arrays.stream(gaveUp).sum());
        }

        double throughput() {
            return requests / seconds;
        }

        double percentile(double p) {
            return micros[Math.min(micros.length - 1, (int) Math.ceil(micros.length * p) - 1)] / 1e3;
        }

        double max() {
            return micros[micros.length - 1] / 1e3;
        }
    }

    /** target/classes and the runtime classpath the build records (read-service's pom): what runs in production. */
    private static List<String> serviceClasspath() {
        Path recorded = Path.of("target", "runtime.classpath");
        if (!Files.isRegularFile(recorded)) {
            throw new IllegalStateException(recorded.toAbsolutePath() + " is missing: build first (mvn install -DskipTests; "
                    + "./pageviews bench read does)");
        }
        try {
            List<String> classpath = new ArrayList<>();
            classpath.add(Path.of("target", "classes").toAbsolutePath().toString());
            classpath.add(Files.readString(recorded).trim());
            return classpath;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> settings(String[] args) {
        Map<String, String> settings = new LinkedHashMap<>(DEFAULTS);
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 0 || !DEFAULTS.containsKey(arg.substring(0, eq))) {
                throw new IllegalArgumentException("unknown argument '" + arg + "'; the arguments are " + DEFAULTS.keySet()
                        .stream().map(k -> k + "=" + DEFAULTS.get(k)).toList());
            }
            settings.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return settings;
    }

    private static int positive(Map<String, String> settings, String name) {
        return positive(name, settings.get(name));
    }

    private static int positive(String name, String value) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // the message below says what is wrong
        }
        throw new IllegalArgumentException(name + ": '" + value + "' is not a positive whole number");
    }

    /** The commands Redis spent most time on: calls and microseconds per call, most total time first. */
    private static String commandStats(Jedis jedis) {
        List<String[]> stats = new ArrayList<>();
        for (String line : jedis.info("commandstats").split("\r\n")) {
            // cmdstat_zunion:calls=64,usec=123,usec_per_call=1.92,...
            if (line.startsWith("cmdstat_")) {
                Map<String, String> fields = new LinkedHashMap<>();
                for (String field : line.substring(line.indexOf(':') + 1).split(",")) {
                    fields.put(field.substring(0, field.indexOf('=')), field.substring(field.indexOf('=') + 1));
                }
                stats.add(new String[] {line.substring("cmdstat_".length(), line.indexOf(':')), fields.get("calls"),
                    fields.get("usec"), fields.get("usec_per_call")});
            }
        }
        stats.sort(Comparator.comparingLong((String[] s) -> Long.parseLong(s[2])).reversed());
        return String.join("; ", stats.stream().limit(6)
                .map(s -> String.format(Locale.ROOT, "%s %,d calls %.1f s, %s us/call", s[0], Long.parseLong(s[1]),
                        Long.parseLong(s[2]) / 1e6, s[3])).toList());
    }

    private static String version(Jedis jedis) {
        return info(jedis, "server", "redis_version");
    }

    private static String info(Jedis jedis, String section, String field) {
        for (String line : jedis.info(section).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        return "?";
    }

    private static void print(String format, Object... args) {
        System.out.println(String.format(Locale.ROOT, format, args)); // a benchmark main: its figures are its output
    }
}
