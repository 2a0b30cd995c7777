package dev.pageviews.job.redis;

/**
 * The least rights the job's Redis user needs, as one {@code ACL SETUSER} line: documented in flink-job/README.md
 * ("The Redis user") and tested against redis-server (RedisRightsIT), so the two cannot drift apart.
 */
public final class RedisRights {

    private RedisRights() {}

    /** The commands the job sends, by itself or through its client library. */
    static final String COMMANDS = "-@all +eval +info +hmget +wait";

    /**
     * The {@code ACL SETUSER} line for {@code user} writing the counts hash {@code hashKey}: its keys (the hash, and
     * the markers and lineage record sharing its hash tag) and the commands; the commit script's own calls
     * (TYPE, HGET, HINCRBY, SET, ...) are checked against the same rights, so they are listed too.
     */
    public static String aclSetUser(String user, String hashKey) {
        RedisSinkSettings names = new RedisSinkSettings(dev.pageviews.settings.RedisUri.parse("redis://localhost:6379"), hashKey,
                java.time.Duration.ofDays(1), java.time.Duration.ofSeconds(1), 1);
        String tagged = names.taggedKey();
        return "ACL SETUSER " + user + " on >PASSWORD resetkeys ~" + hashKey + " ~" + tagged + ":* resetchannels &" + tagged
                + ":commits " + COMMANDS + " +type +hlen +hexists +hget +hincrby +exists +set +hset +time +zincrby +expireat "
                + "+pfadd +getrange +strlen +publish";
    }
}
