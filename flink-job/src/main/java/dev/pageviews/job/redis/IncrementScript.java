package dev.pageviews.job.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * Applies a committable all or nothing, and at most once, in one Lua script (Redis runs a script as one unit):
 *
 * <ol>
 *   <li>if the commit's marker exists, the commit was applied before: change nothing;
 *   <li>check, reading only, that every increment can be applied: the key is a hash (or absent) and each field is
 *       absent or an integer that Redis's HINCRBY accepts. If not, reply with an error before any write;
 *   <li>add every increment, then set the marker (with its expiry) as the last write.
 * </ol>
 *
 * Why this order: Redis does not roll a script back when a command in it fails. A HINCRBY on a non-integer field
 * failing half-way would leave some increments applied, and a marker set first would make the retry skip the rest.
 * With the checks first, the only errors left are those Redis raises at a script's first write (OOM under
 * {@code maxmemory}, READONLY on a replica, MISCONF), and a script that fails there has written nothing.
 */
final class IncrementScript {

    static final String LUA = String.join("\n",
            "-- KEYS[1]: counts hash, KEYS[2]: commit marker; ARGV[1]: marker ttl (s), then field, increment pairs",
            "if redis.call('EXISTS', KEYS[2]) == 1 then",
            "  return 0",
            "end",
            "local kind = redis.call('TYPE', KEYS[1])['ok']",
            "if kind ~= 'hash' and kind ~= 'none' then",
            "  return redis.error_reply('" + RedisErrors.WRONG_TYPE + " key ' .. KEYS[1] .. ' is a ' .. kind .. ', not a hash')",
            "end",
            // HINCRBY's own rule for an integer (no '+', no leading zeros); at most 18 digits, so no sum can overflow
            "local function is_count(v)",
            "  local digits = string.match(v, '^%-?([1-9]%d*)$')",
            "  return v == '0' or (digits ~= nil and #digits <= 18)",
            "end",
            "for i = 2, #ARGV, 2 do",
            "  local v = redis.call('HGET', KEYS[1], ARGV[i])",
            "  if v and not is_count(v) then",
            "    return redis.error_reply('" + RedisErrors.BAD_FIELD + " field ' .. ARGV[i] .. ' of hash ' .. KEYS[1]"
                    + " .. ' holds \"' .. string.sub(v, 1, 40) .. '\", not an integer count')",
            "  end",
            "end",
            "for i = 2, #ARGV, 2 do",
            "  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])",
            "end",
            "redis.call('SET', KEYS[2], '1', 'EX', ARGV[1])",
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
