package dev.pageviews.edge;

import dev.pageviews.edge.config.EdgeConfig;
import dev.pageviews.edge.http.Readiness;
import dev.pageviews.edge.http.ResponseSequencer;
import dev.pageviews.edge.metrics.Metrics;
import dev.pageviews.edge.produce.EventProducer;
import dev.pageviews.edge.produce.KafkaHealth;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge: boots the event loops, the Kafka producer and the health check, and listens on two ports: the public one
 * (events, {@code /healthz}, status-only {@code /readyz}) and the admin one ({@code /metrics}, {@code /readyz} with the
 * reason, {@code /healthz}). It only boots; {@link EdgeInitializer} and {@link AdminInitializer} build each
 * connection's pipeline and the handlers answer.
 */
public final class EdgeServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeServer.class);

    private final EdgeConfig config;
    private final Transport transport;
    private final EventLoopGroup acceptor;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final ChannelGroup connections;
    private final Channel adminListener;
    private final ChannelGroup adminConnections;
    private final EventProducer producer;
    private final KafkaHealth health;
    private final Metrics metrics;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);

    private EdgeServer(EdgeConfig config, Transport transport, EventLoopGroup acceptor, EventLoopGroup workers, Channel listener,
            ChannelGroup connections, Channel adminListener, ChannelGroup adminConnections, EventProducer producer,
            KafkaHealth health, Metrics metrics) {
        this.config = config;
        this.transport = transport;
        this.acceptor = acceptor;
        this.workers = workers;
        this.listener = listener;
        this.connections = connections;
        this.adminListener = adminListener;
        this.adminConnections = adminConnections;
        this.producer = producer;
        this.health = health;
        this.metrics = metrics;
    }

    /**
     * Starts the producer, binds the public and the admin port, then waits up to {@code --kafka-startup-wait} for
     * Kafka. Returns once listening; throws {@link IllegalStateException} when it cannot listen.
     */
    public static EdgeServer start(EdgeConfig config) {
        return start(config, Readiness.ALWAYS);
    }

    /**
     * Like {@link #start(EdgeConfig)}, with a condition of the embedding process that {@code /readyz} (and the
     * {@code edge_ready} metric) also requires, e.g. that the job consuming the topic runs. It is asked on every
     * {@code /readyz}, on the event loop: it must answer from memory.
     */
    public static EdgeServer start(EdgeConfig config, Readiness alsoRequired) {
        Transport transport = Transport.choose(config.get(EdgeConfig.TRANSPORT));
        Metrics metrics = new Metrics();
        EventProducer producer = EventProducer.create(config, metrics);
        KafkaHealth health = null;
        EventLoopGroup acceptor = null;
        EventLoopGroup workers = null;
        try {
            metrics.bindJvm();
            health = KafkaHealth.create(config, producer);
            Readiness readiness = health.and(alsoRequired);
            metrics.readiness(readinessGauge(readiness));
            int threads = config.get(EdgeConfig.IO_THREADS);
            acceptor = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("edge-accept"), transport.ioHandlerFactory());
            workers = new MultiThreadIoEventLoopGroup(threads == 0 ? Runtime.getRuntime().availableProcessors() : threads,
                    new DefaultThreadFactory("edge-io"), transport.ioHandlerFactory());
            metrics.bindNetty(channelAllocator(), acceptor, workers);
            ChannelGroup connections = new DefaultChannelGroup("edge-connections", GlobalEventExecutor.INSTANCE);
            Channel listener = new ServerBootstrap()
                    .group(acceptor, workers)
                    .channel(transport.serverChannelClass())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR,
                            new AdaptiveRecvByteBufAllocator(64, 2048, EdgeInitializer.MAX_READ_BYTES))
                    .childHandler(new EdgeInitializer(config, producer, readiness, metrics, connections))
                    .bind(config.host(), config.port())
                    .syncUninterruptibly()
                    .channel();
            // Scrapes and probes run on the acceptor's thread, not in line with client requests on the workers.
            ChannelGroup adminConnections = new DefaultChannelGroup("edge-admin-connections", GlobalEventExecutor.INSTANCE);
            Channel adminListener = new ServerBootstrap()
                    .group(acceptor)
                    .channel(transport.serverChannelClass())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new AdminInitializer(config, readiness, metrics, adminConnections))
                    .bind(config.host(), config.adminPort())
                    .syncUninterruptibly()
                    .channel();
            EdgeServer server = new EdgeServer(config, transport, acceptor, workers, listener, connections, adminListener,
                    adminConnections, producer, health, metrics);
            LOG.info("Edge listening on {}:{} ({}), admin port {} (/metrics, /readyz, /healthz), producing to topic {} at {}",
                    config.host(), server.port(), transport.name().toLowerCase(), server.adminPort(), config.topic(),
                    config.kafkaBootstrap());
            if (health.awaitReadyThenWatch(config.get(EdgeConfig.KAFKA_STARTUP_WAIT))) {
                String otherwise = readiness.notReadyReason();
                if (otherwise == null) {
                    LOG.info("Ready: Kafka takes events for topic {}", config.topic());
                } else {
                    LOG.info("Kafka takes events for topic {}; not ready yet: {}", config.topic(), otherwise);
                }
            } else {
                LOG.warn("Kafka is not ready ({}); serving anyway: events get 503 and /readyz 503 until it is",
                        health.notReadyReason());
            }
            return server;
        } catch (Exception e) { // also Netty's bind failure, an IOException it throws undeclared
            shutdown(acceptor, workers);
            if (health != null) {
                health.close();
            }
            producer.close(Duration.ZERO);
            metrics.close();
            throw new IllegalStateException("could not start the edge on " + config.host() + ":" + config.port()
                    + " (admin port " + config.adminPort() + "): " + e.getMessage()
                    + " (is a port in use? set --port or EDGE_PORT, --admin-port or EDGE_ADMIN_PORT)", e);
        }
    }

    /** The allocator the connections use (Netty 4.2's default is the adaptive pooled one), for its metrics. */
    private static ByteBufAllocatorMetricProvider channelAllocator() {
        ByteBufAllocator allocator = ByteBufAllocator.DEFAULT;
        return allocator instanceof ByteBufAllocatorMetricProvider provider ? provider
                : PooledByteBufAllocator.DEFAULT;
    }

    private static IntSupplier readinessGauge(Readiness readiness) {
        return () -> readiness.notReadyReason() == null ? 1 : 0;
    }

    /** The port listened on (the one picked when {@code --port 0}). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The admin port listened on (the one picked when {@code --admin-port 0}). */
    public int adminPort() {
        return ((InetSocketAddress) adminListener.localAddress()).getPort();
    }

    Transport transport() {
        return transport;
    }

    public Metrics metrics() {
        return metrics;
    }

    /**
     * Graceful stop: report not ready, stop accepting, let each connection answer what it has received
     * (closing it after its last response), then flush and close the producer, and close the admin port (it answers
     * until then: {@code /readyz} 503, metrics of the drain). Waits at most {@code --shutdown-timeout} for
     * connections, then closes them. Safe to call twice, from any thread.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            awaitClosed();
            return;
        }
        long deadline = System.nanoTime() + config.get(EdgeConfig.SHUTDOWN_TIMEOUT).toNanos();
        LOG.info("Shutting down: {} connections open, {} events waiting for Kafka", connections.size(),
                metrics.eventsInFlight().get());
        try {
            health.shuttingDown();
            listener.close().syncUninterruptibly();
            drainConnections(deadline);
            long left = Math.max(0, deadline - System.nanoTime());
            producer.close(Duration.ofNanos(Math.max(left, TimeUnit.SECONDS.toNanos(1)))); // flushes what is buffered
            health.close();
            adminListener.close().syncUninterruptibly();
            adminConnections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            shutdown(acceptor, workers);
            metrics.close();
            LOG.info("Edge stopped; {} events produced in total", metrics.producedCount());
        } finally {
            closed.countDown();
        }
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClosed() {
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drainConnections(long deadline) {
        Set<Channel> told = Collections.newSetFromMap(new IdentityHashMap<>());
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            for (Channel channel : connections) { // a connection accepted just before the listener closed joins late
                if (told.add(channel)) {
                    channel.eventLoop().execute(() -> channel.pipeline().fireUserEventTriggered(ResponseSequencer.SHUTDOWN));
                }
            }
            if (!sleep(10)) {
                break;
            }
        }
        if (!connections.isEmpty()) {
            LOG.warn("{} connections still busy after --shutdown-timeout; closing them", connections.size());
            connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    private static void shutdown(EventLoopGroup... groups) {
        for (EventLoopGroup group : groups) {
            if (group != null) {
                group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
            }
        }
        for (EventLoopGroup group : groups) {
            if (group != null) {
                group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
