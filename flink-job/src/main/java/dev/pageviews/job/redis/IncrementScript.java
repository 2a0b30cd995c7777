package dev.pageviews.job.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Applies a committable all or nothing, and at most once, in one Lua script (Redis runs a script as one unit):
 *
 * <ol>
 *   <li>check that the Redis user may run every command the script runs ({@code redis.acl_check_cmd}), and that
 *       Redis evicts nothing ({@code maxmemory-policy noeviction});
 *   <li>if the commit's marker exists, the commit was applied before: change nothing but the marker's expiry;
 *   <li>check, reading only, that every increment can be applied: the key is a hash (or absent), each field is
 *       absent or an integer that Redis's HINCRBY accepts, and which new pages still fit in the page budget;
 *   <li>add every increment (those of pages beyond the budget to {@value RedisSinkSettings#OTHER_PAGES}), record the
 *       job history's newest applied checkpoint ({@link Lineage}), then set the marker (with its expiry) as the last
 *       write.
 * </ol>
 *
 * <p>Why this order: Redis does not roll a script back when a command in it fails. A HINCRBY on a non-integer field
 * failing half-way would leave some increments applied, and a marker set first would make the retry skip the rest.
 * Redis also checks ACL rights per call, so a user allowed HINCRBY but not SET would apply the increments and fail at
 * the marker, and every retry would add them again. With every check before the first write, and the script
 * declared with a shebang (so Redis refuses a script that may write before it starts when it is out of memory, a
 * read-only replica or unable to persist), any error reply means that nothing of the commit was written.
 *
 * <p>A repeat rewrites the marker so that the connection has a write of its own for {@code WAIT} to wait for: a
 * replica that has it also has the original commit, which came before it in the replication stream, even when the
 * repeat runs on a new connection or a promoted replica.
 *
 * <p>Fields arrive as ARGV and are only ever indexed by position, never used as Lua table keys, so no choice of page
 * names makes the script slower.
 */
final class IncrementScript {

    /** Error codes this script replies with; {@link RedisErrors} says what each means for the commit. */
    static final String NO_PERMISSION = "PAGEVIEWS_NOPERM";
    static final String EVICTION = "PAGEVIEWS_EVICTION";

    private static final String CHECKS = String.join("\n",
            "local function is_count(v)",
            // HINCRBY's own rule for an integer (no '+', no leading zeros); at most 18 digits, so no sum can overflow
            "  local digits = string.match(v, '^%-?([1-9]%d*)$')",
            "  return v == '0' or (digits ~= nil and #digits <= 18)",
            "end",
            "local function kind_of(key)",
            "  return redis.call('TYPE', key)['ok']",
            "end",
            "local function missing_rights(marker, wait)",
            "  local calls = {",
            "    {'INFO', 'memory'}, {'TYPE', KEYS[1]}, {'HLEN', KEYS[1]}, {'HEXISTS', KEYS[1], 'f'},",
            "    {'HGET', KEYS[1], 'f'}, {'HINCRBY', KEYS[1], 'f', '1'}}",
            "  if marker then",
            "    local more = {{'EXISTS', KEYS[2]}, {'SET', KEYS[2], '1', 'EX', '1'}, {'TYPE', KEYS[3]},",
            "      {'HMGET', KEYS[3], 'lineage', 'checkpoint'}, {'HSET', KEYS[3], 'lineage', 'l', 'checkpoint', '1'}}",
            "    for _, call in ipairs(more) do calls[#calls + 1] = call end",
            "  end",
            "  local missing = {}",
            "  for _, call in ipairs(calls) do",
            "    if not redis.acl_check_cmd(unpack(call)) then",
            "      missing[#missing + 1] = call[1] .. ' ' .. call[2]",
            "    end",
            "  end",
            // WAIT runs beside the script, on the same connection, after its writes: its right is checked before them
            "  if wait and not redis.acl_check_cmd('WAIT', '1', '0') then",
            "    missing[#missing + 1] = 'WAIT'",
            "  end",
            "  return missing",
            "end",
            "local function eviction_policy()",
            "  return string.match(redis.call('INFO', 'memory'), 'maxmemory_policy:(%S+)')",
            "end");

    /**
     * KEYS: counts hash, commit marker, lineage record. ARGV: marker ttl in seconds (0: no marker and no lineage, for
     * at-least-once flushes), page budget, lineage ('' when unknown), checkpoint, replicas a WAIT after the script
     * asks for, then field, increment pairs.
     * Replies {1 applied now or 0 applied before, pages over the budget, views over the budget}.
     */
    static final String LUA = String.join("\n",
            "#!lua",
            CHECKS,
            "local ttl = tonumber(ARGV[1])",
            "local marker = ttl > 0",
            "local missing = missing_rights(marker, tonumber(ARGV[5]) > 0)",
            "if #missing > 0 then",
            "  return redis.error_reply('" + NO_PERMISSION + " the Redis user may not run ' .. table.concat(missing, ', '))",
            "end",
            "local policy = eviction_policy()",
            "if policy ~= 'noeviction' then",
            "  return redis.error_reply('" + EVICTION + " maxmemory-policy is ' .. tostring(policy))",
            "end",
            "if marker and redis.call('EXISTS', KEYS[2]) == 1 then",
            "  redis.call('SET', KEYS[2], '1', 'EX', ttl)",
            "  return {0, 0, 0}",
            "end",
            "local kind = kind_of(KEYS[1])",
            "if kind ~= 'hash' and kind ~= 'none' then",
            "  return redis.error_reply('" + RedisErrors.WRONG_TYPE + " key ' .. KEYS[1] .. ' is a ' .. kind .. ', not a hash')",
            "end",
            "local other = '" + RedisSinkSettings.OTHER_PAGES + "'",
            "local room = tonumber(ARGV[2]) - redis.call('HLEN', KEYS[1]) + redis.call('HEXISTS', KEYS[1], other)",
            "local admitted = {}",
            "local over_pages, over_views = 0, 0",
            "local function check_field(field)",
            "  local v = redis.call('HGET', KEYS[1], field)",
            "  if v and not is_count(v) then",
            "    return nil, redis.error_reply('" + RedisErrors.BAD_FIELD + " field ' .. field .. ' of hash ' .. KEYS[1]"
                    + " .. ' holds \"' .. string.sub(v, 1, 40) .. '\", not an integer count')",
            "  end",
            "  return v ~= false, nil",
            "end",
            "for i = 6, #ARGV, 2 do",
            "  local exists, err = check_field(ARGV[i])",
            "  if err then return err end",
            "  if exists or ARGV[i] == other then",
            "    admitted[i] = true",
            "  elseif room > 0 then",
            "    admitted[i] = true",
            "    room = room - 1",
            "  else",
            "    over_pages = over_pages + 1",
            "    over_views = over_views + tonumber(ARGV[i + 1])",
            "  end",
            "end",
            "if over_pages > 0 then",
            "  local _, err = check_field(other)",
            "  if err then return err end",
            "end",
            "local lineage, checkpoint = ARGV[3], ARGV[4]",
            "if marker and lineage ~= '' then",
            "  local record_kind = kind_of(KEYS[3])",
            "  if record_kind ~= 'hash' and record_kind ~= 'none' then",
            "    return redis.error_reply('" + RedisErrors.WRONG_TYPE + " key ' .. KEYS[3] .. ' is a ' .. record_kind .. ', not a hash')",
            "  end",
            "  local record = redis.call('HMGET', KEYS[3], 'lineage', 'checkpoint')",
            "  if record[1] == lineage and record[2] and tonumber(record[2]) > tonumber(checkpoint) then",
            "    checkpoint = record[2]",
            "  end",
            "end",
            "for i = 6, #ARGV, 2 do",
            "  redis.call('HINCRBY', KEYS[1], admitted[i] and ARGV[i] or other, ARGV[i + 1])",
            "end",
            "if marker then",
            "  if lineage ~= '' then",
            "    redis.call('HSET', KEYS[3], 'lineage', lineage, 'checkpoint', checkpoint)",
            "  end",
            "  redis.call('SET', KEYS[2], '1', 'EX', ttl)",
            "end",
            "return {1, over_pages, over_views}");

    /**
     * Read only, run before a job starts counting: the rights the commit script needs that the user lacks, the
     * eviction policy, and the replicas connected (for {@code WAIT}).
     */
    static final String PREFLIGHT = String.join("\n",
            "#!lua flags=no-writes",
            CHECKS,
            "local missing = missing_rights(tonumber(ARGV[1]) > 0, tonumber(ARGV[2]) > 0)",
            "if #missing > 0 then",
            "  return {table.concat(missing, ', '), '', -1}",
            "end",
            "local replicas = tonumber(string.match(redis.call('INFO', 'replication'), 'connected_slaves:(%d+)') or '0')",
            "return {'', eviction_policy() or 'unknown', replicas}");

    /** What a commit did. */
    record Outcome(boolean appliedNow, long pagesOverBudget, long viewsOverBudget) {}

    private IncrementScript() {}

    /**
     * Applies {@code committable} (or recognises it as applied before) and, when the settings ask for replicas, waits
     * on the same connection until that many have acknowledged it.
     *
     * @throws ReplicationShortfall when fewer replicas acknowledged it in time: it is applied on the primary, but a
     *     failover could still lose it, so it does not count as applied yet (a retry applies it again idempotently)
     */
    static Outcome apply(UnifiedJedis redis, RedisSinkSettings settings, RedisCommittable committable) {
        List<String> keys = List.of(settings.hashKey(), settings.markerKey(committable.id()), settings.lineageKey());
        List<String> args = arguments(settings, committable, settings.markerTtl().toSeconds());
        int replicas = settings.commit().waitReplicas();
        if (replicas == 0) {
            return outcome(redis.eval(LUA, keys, args));
        }
        Response<Object> reply;
        Response<Long> acknowledged;
        try (AbstractPipeline pipeline = redis.pipelined()) {
            // one pipeline, one connection: WAIT waits for the writes of its own connection
            reply = pipeline.eval(LUA, keys, args);
            acknowledged = pipeline.waitReplicas(settings.hashKey(), replicas, settings.commit().waitTimeout().toMillis());
            pipeline.sync();
        }
        Outcome outcome = outcome(reply.get());
        long acks;
        try {
            acks = acknowledged.get();
        } catch (JedisDataException e) {
            // the script has applied the commit (or found it applied); only the wait for the replicas failed
            throw new ReplicationShortfall(committable.id(), "WAIT was answered \"" + e.getMessage() + "\"", e);
        }
        if (acks < replicas) {
            throw new ReplicationShortfall(committable.id(), acks, replicas, settings.commit().waitTimeout());
        }
        return outcome;
    }

    /** Adds increments without a marker (at-least-once flushes): within the page budget, all or nothing. */
    static Outcome add(UnifiedJedis redis, RedisSinkSettings settings, Map<String, Long> increments) {
        RedisCommittable unmarked = new RedisCommittable("", 0, increments);
        List<String> keys = List.of(settings.hashKey(), settings.markerKey("none"), settings.lineageKey());
        return outcome(redis.eval(LUA, keys, arguments(settings, unmarked, 0)));
    }

    private static List<String> arguments(RedisSinkSettings settings, RedisCommittable committable, long markerTtlSeconds) {
        List<String> args = new ArrayList<>(5 + 2 * committable.increments().size());
        args.add(Long.toString(markerTtlSeconds));
        args.add(Integer.toString(settings.commit().maxPages()));
        args.add(committable.lineage());
        args.add(Long.toString(committable.checkpoint()));
        args.add(Integer.toString(markerTtlSeconds > 0 ? settings.commit().waitReplicas() : 0));
        for (Map.Entry<String, Long> entry : committable.increments().entrySet()) {
            args.add(entry.getKey());
            args.add(Long.toString(entry.getValue()));
        }
        return args;
    }

    private static Outcome outcome(Object reply) {
        List<?> values = (List<?>) reply;
        return new Outcome(Long.valueOf(1L).equals(values.get(0)), (Long) values.get(1), (Long) values.get(2));
    }

    /** Fewer replicas than required acknowledged a commit within the wait timeout. */
    static final class ReplicationShortfall extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ReplicationShortfall(String commit, long acknowledged, int required, java.time.Duration timeout) {
            super("WAIT: " + acknowledged + " of " + required + " replicas acknowledged commit " + commit + " within " + timeout.toMillis() + " ms");
        }

        ReplicationShortfall(String commit, String what, Throwable cause) {
            super("Commit " + commit + ": " + what, cause);
        }
    }
}
