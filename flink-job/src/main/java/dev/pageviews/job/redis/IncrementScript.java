package dev.pageviews.job.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * Applies a committable atomically and at most once: a Lua script sets the commit's marker key (SET NX
 * with an expiry) and, only if the marker was new, adds every increment to the hash. Redis runs a script
 * as one unit, so a marker never exists without its increments, nor increments without their marker.
 */
final class IncrementScript {

    static final String LUA = String.join("\n",
            "-- KEYS[1]: counts hash, KEYS[2]: commit marker; ARGV[1]: marker ttl (s), then field, increment pairs",
            "if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then",
            "  return 0",
            "end",
            "for i = 2, #ARGV, 2 do",
            "  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])",
            "end",
            "return 1");

    private IncrementScript() {}

    /** Returns true if the increments were applied now, false if this commit had been applied before. */
    static boolean apply(UnifiedJedis redis, RedisSinkSettings settings, RedisCommittable committable) {
        List<String> args = new ArrayList<>(1 + 2 * committable.increments().size());
        args.add(Long.toString(settings.markerTtl().toSeconds()));
        for (Map.Entry<String, Long> entry : committable.increments().entrySet()) {
            args.add(entry.getKey());
            args.add(Long.toString(entry.getValue()));
        }
        Object applied = redis.eval(LUA, List.of(settings.hashKey(), settings.markerKey(committable.id())), args);
        return Long.valueOf(1L).equals(applied);
    }
}
