package dev.pageviews.job.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import dev.pageviews.job.count.ReportingTime;
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

    /** How a watermark move starts on the commits channel, followed by the watermark in epoch ms. */
    static final String WATERMARK_MESSAGE = "watermark ";

    /**
     * Moves the commit record's watermark forward, never back: a checkpoint without views still tells readers how far
     * event time has come. It needs no marker, since applying it again changes nothing, and losing it in a failover
     * only leaves the watermark behind until the next checkpoint. A move is published on {@code <tag>:commits} as
     * {@value #WATERMARK_MESSAGE}{@code <epoch ms>}, which no sequence number can be mistaken for: the read service
     * then shows how far the counts have come on an idle site, while {@code seq} still counts only commits with views.
     * KEYS: the commit record. ARGV: the watermark (epoch ms), the key prefix ({@code <tag>}).
     */
    private static final String WATERMARK_LUA = String.join("\n",
            "#!lua",
            // every right is checked before the write, so an error reply means nothing was written
            "for _, call in ipairs({{'HGET', KEYS[1], 'watermark'}, {'HSET', KEYS[1], 'watermark', '1'},",
            "    {'PUBLISH', ARGV[2] .. ':commits', '1'}}) do",
            "  if not redis.acl_check_cmd(unpack(call)) then",
            "    return redis.error_reply('" + NO_PERMISSION + " the Redis user may not run ' .. call[1] .. ' ' .. call[2])",
            "  end",
            "end",
            "local known = tonumber(redis.call('HGET', KEYS[1], 'watermark') or '-1')",
            "if tonumber(ARGV[1]) > known then",
            "  redis.call('HSET', KEYS[1], 'watermark', ARGV[1])",
            "  redis.call('PUBLISH', ARGV[2] .. ':commits', '" + WATERMARK_MESSAGE + "' .. ARGV[1])",
            "  return 1",
            "end",
            "return 0");

    /** The length of a dense HyperLogLog (header and 16,384 registers of 6 bits), which Redis checks before PFADD. */
    private static final int HLL_DENSE_BYTES = 16 + 16_384 * 6 / 8;

    private static final String CHECKS = String.join("\n",
            "local function is_count(v)",
            // HINCRBY's own rule for an integer (no '+', no leading zeros); at most 18 digits, so no sum can overflow
            "  local digits = string.match(v, '^%-?([1-9]%d*)$')",
            "  return v == '0' or (digits ~= nil and #digits <= 18)",
            "end",
            "local function kind_of(key)",
            "  return redis.call('TYPE', key)['ok']",
            "end",
            "local function missing_rights(marker, wait, prefix)",
            "  local calls = {",
            "    {'INFO', 'memory'}, {'TYPE', KEYS[1]}, {'HLEN', KEYS[1]}, {'HEXISTS', KEYS[1], 'f'},",
            "    {'HGET', KEYS[1], 'f'}, {'HINCRBY', KEYS[1], 'f', '1'}, {'TIME'}}",
            "  if marker then",
            "    local more = {{'EXISTS', KEYS[2]}, {'SET', KEYS[2], '1', 'EX', '1'}, {'TYPE', KEYS[3]},",
            "      {'HMGET', KEYS[3], 'lineage', 'checkpoint'}, {'HSET', KEYS[3], 'lineage', 'l', 'checkpoint', '1'},",
            "      {'HINCRBY', KEYS[4], 'seq', '1'}, {'HGET', KEYS[4], 'watermark'}, {'HSET', KEYS[4], 'watermark', '1'},",
            "      {'ZINCRBY', prefix .. ':m:0', '1', 'p'}, {'EXPIREAT', prefix .. ':m:0', '1'}, {'PFADD', prefix .. ':u:0', 'u'},",
            "      {'GETRANGE', prefix .. ':u:0', '0', '4'}, {'STRLEN', prefix .. ':u:0'},",
            "      {'PUBLISH', prefix .. ':commits', '1'}}",
            "    for _, call in ipairs(more) do calls[#calls + 1] = call end",
            "  end",
            "  local missing = {}",
            "  for _, call in ipairs(calls) do",
            "    if not redis.acl_check_cmd(unpack(call)) then",
            "      missing[#missing + 1] = call[1] .. ' ' .. (call[2] or '')",
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
     * KEYS: counts hash, commit marker, lineage record, commit record ({@code <tag>:meta}). ARGV: marker ttl in seconds
     * (0: no marker, lineage or commit record, for at-least-once flushes), page budget, lineage ('' when unknown),
     * checkpoint, replicas a WAIT after the script asks for, the key prefix of the buckets ({@code <tag>}), the
     * watermark (epoch ms, -1 when none), the reporting time zone, the retentions of minute, hour and day buckets and of
     * the visitor estimates (seconds); then P, and P (page, views) pairs; then M, and M (page number, minute start,
     * local hour start, local date, views) bucket entries; then V, and V visitor entries (page number or 0 for the site,
     * local date, first visits, U, U user ids). Page numbers are 1-based positions among the P pairs.
     * Replies {1 applied now or 0 applied before, pages over the budget, views over the budget, the commit's sequence
     * number (0 when not applied now)}.
     */
    static final String LUA = String.join("\n",
            "#!lua",
            CHECKS,
            "local ttl = tonumber(ARGV[1])",
            "local marker = ttl > 0",
            "local missing = missing_rights(marker, tonumber(ARGV[5]) > 0, ARGV[6])",
            "if #missing > 0 then",
            "  return redis.error_reply('" + NO_PERMISSION + " the Redis user may not run ' .. table.concat(missing, ', '))",
            "end",
            "local policy = eviction_policy()",
            "if policy ~= 'noeviction' then",
            "  return redis.error_reply('" + EVICTION + " maxmemory-policy is ' .. tostring(policy))",
            "end",
            "if marker and redis.call('EXISTS', KEYS[2]) == 1 then",
            "  redis.call('SET', KEYS[2], '1', 'EX', ttl)",
            "  return {0, 0, 0, 0}",
            "end",
            "local kind = kind_of(KEYS[1])",
            "if kind ~= 'hash' and kind ~= 'none' then",
            "  return redis.error_reply('" + RedisErrors.WRONG_TYPE + " key ' .. KEYS[1] .. ' is a ' .. kind .. ', not a hash')",
            "end",
            "local other = '" + RedisSinkSettings.OTHER_PAGES + "'",
            "local total = '" + RedisSinkSettings.TOTAL + "'",
            "local prefix, watermark, zone = ARGV[6], tonumber(ARGV[7]), ARGV[8]",
            "local retention = {m = tonumber(ARGV[9]), h = tonumber(ARGV[10]), d = tonumber(ARGV[11]), u = tonumber(ARGV[12])}",
            "local pages = tonumber(ARGV[13])",
            "local first_pair = 14",
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
            "for n = 1, pages do",
            "  local i = first_pair + 2 * (n - 1)",
            "  local exists, err = check_field(ARGV[i])",
            "  if err then return err end",
            "  if exists or ARGV[i] == other then",
            "    admitted[n] = true",
            "  elseif room > 0 then",
            "    admitted[n] = true",
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
            "local function page_of(n)",
            "  return admitted[n] and ARGV[first_pair + 2 * (n - 1)] or other",
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
            // every key a bucket entry writes must be a sorted set (or absent); checked before the first write
            "local now = tonumber(redis.call('TIME')[1])",
            "local expiry = {}",
            "local function bucket(key, ends, kept)",
            "  local until_ = ends + kept",
            "  if until_ <= now then return nil end",
            "  if expiry[key] == nil then",
            "    local k = kind_of(key)",
            "    if k ~= 'zset' and k ~= 'none' then",
            "      return nil, redis.error_reply('" + RedisErrors.WRONG_TYPE + " key ' .. key .. ' is a ' .. k .. ', not a sorted set')",
            "    end",
            "    expiry[key] = until_",
            "  end",
            "  return key",
            "end",
            // the writes, in flat lists (no table per write): key, increment, member, whether it counts visitors
            "local wkey, wby, wmember, wvisitors, nw = {}, {}, {}, {}, 0",
            "local function write(key, by, member, visitors)",
            "  nw = nw + 1",
            "  wkey[nw], wby[nw], wmember[nw], wvisitors[nw] = key, by, member, visitors",
            "end",
            "local at = first_pair + 2 * pages",
            "local minutes = tonumber(ARGV[at])",
            "at = at + 1",
            // a commit's entries fall in few minutes: each minute's bucket keys are made and checked once
            "local keys_of_minute = {}",
            "for e = 1, minutes do",
            "  local n, minute, views = tonumber(ARGV[at]), tonumber(ARGV[at + 1]), ARGV[at + 5]",
            "  local keys = keys_of_minute[minute]",
            "  if keys == nil then",
            "    local hour, date, day_ends = tonumber(ARGV[at + 2]), ARGV[at + 3], tonumber(ARGV[at + 4])",
            "    keys = {}",
            "    for _, b in ipairs({{prefix .. ':m:' .. minute, minute + 60, retention.m},",
            "        {prefix .. ':h:' .. hour, hour + 3600, retention.h}, {prefix .. ':d:' .. date, day_ends, retention.d}}) do",
            "      local key, err = bucket(b[1], b[2], b[3])",
            "      if err then return err end",
            "      if key then keys[#keys + 1] = key end",
            "    end",
            "    keys_of_minute[minute] = keys",
            "  end",
            "  at = at + 6",
            "  local page = page_of(n)",
            "  for k = 1, #keys do write(keys[k], views, page, false) end",
            "end",
            "local visits = tonumber(ARGV[at])",
            "at = at + 1",
            "local estimates = {}",
            "for e = 1, visits do",
            "  local n, date, ends, first, users = tonumber(ARGV[at]), ARGV[at + 1], tonumber(ARGV[at + 2]), ARGV[at + 3],",
            "      tonumber(ARGV[at + 4])",
            "  local user_at = at + 5",
            "  at = user_at + users",
            "  if n == 0 or admitted[n] then",
            "    local member = n == 0 and total or page_of(n)",
            "    local key, err = bucket(prefix .. ':vd:' .. date, ends, retention.d)",
            "    if err then return err end",
            "    if key then write(key, first, member, true) end",
            "    local hll = prefix .. ':u:' .. date .. (n == 0 and '' or ':' .. member)",
            "    if ends + retention.u > now then",
            "      local k = kind_of(hll)",
            // PFADD fails on any string that is not a HyperLogLog: Redis's own test (magic, encoding, dense length) first
            "      if k == 'string' then",
            "        local head = redis.call('GETRANGE', hll, 0, 4)",
            "        local encoding = string.byte(head, 5)",
            "        if string.sub(head, 1, 4) ~= 'HYLL' or (encoding ~= 0 and encoding ~= 1)",
            "            or (encoding == 0 and redis.call('STRLEN', hll) ~= " + HLL_DENSE_BYTES + ") then",
            "          return redis.error_reply('" + RedisErrors.WRONG_TYPE + " key ' .. hll .. ' holds a string that is not a HyperLogLog')",
            "        end",
            "      elseif k ~= 'none' then",
            "        return redis.error_reply('" + RedisErrors.WRONG_TYPE + " key ' .. hll .. ' is a ' .. k .. ', not a HyperLogLog')",
            "      end",
            // its expiry is fixed by its day: set once, when it is made
            "      estimates[#estimates + 1] = {hll, user_at, users, ends + retention.u, k == 'none'}",
            "    end",
            "  end",
            "end",
            "for n = 1, pages do",
            "  redis.call('HINCRBY', KEYS[1], page_of(n), ARGV[first_pair + 2 * (n - 1) + 1])",
            "end",
            // a bucket's site total once per commit, not once per page: a commit writes many pages into few buckets
            "local totals = {}",
            "for i = 1, nw do",
            "  local key = wkey[i]",
            "  redis.call('ZINCRBY', key, wby[i], wmember[i])",
            "  if not wvisitors[i] then totals[key] = (totals[key] or 0) + tonumber(wby[i]) end",
            "end",
            "for key, views in pairs(totals) do",
            "  redis.call('ZINCRBY', key, views, total)",
            "end",
            "for key, until_ in pairs(expiry) do",
            "  redis.call('EXPIREAT', key, until_)",
            "end",
            "for _, h in ipairs(estimates) do",
            "  for from = 0, h[3] - 1, 500 do",
            "    local batch = {}",
            "    for u = from, math.min(from + 499, h[3] - 1) do batch[#batch + 1] = ARGV[h[2] + u] end",
            "    redis.call('PFADD', h[1], unpack(batch))",
            "  end",
            "  if h[5] then redis.call('EXPIREAT', h[1], h[4]) end",
            "end",
            "local seq = 0",
            "if marker then",
            "  if lineage ~= '' then",
            "    redis.call('HSET', KEYS[3], 'lineage', lineage, 'checkpoint', checkpoint)",
            "  end",
            "  seq = redis.call('HINCRBY', KEYS[4], 'seq', 1)",
            "  local known = tonumber(redis.call('HGET', KEYS[4], 'watermark') or '-1')",
            "  redis.call('HSET', KEYS[4], 'watermark', math.max(known, watermark), 'committed_at', now * 1000,",
            "      'time_zone', zone, 'minute_retention', ARGV[9], 'hour_retention', ARGV[10], 'day_retention', ARGV[11],",
            "      'visitor_estimate_retention', ARGV[12])",
            "  redis.call('SET', KEYS[2], '1', 'EX', ttl)",
            "  redis.call('PUBLISH', prefix .. ':commits', seq)",
            "end",
            "return {1, over_pages, over_views, seq}");

    /**
     * Read only, run before a job starts counting: the rights the commit script needs that the user lacks, the
     * eviction policy, and the replicas connected (for {@code WAIT}).
     */
    static final String PREFLIGHT = String.join("\n",
            "#!lua flags=no-writes",
            CHECKS,
            "local missing = missing_rights(tonumber(ARGV[1]) > 0, tonumber(ARGV[2]) > 0, ARGV[3])",
            "if #missing > 0 then",
            "  return {table.concat(missing, ', '), '', -1}",
            "end",
            "local replicas = tonumber(string.match(redis.call('INFO', 'replication'), 'connected_slaves:(%d+)') or '0')",
            "return {'', eviction_policy() or 'unknown', replicas}");

    /** What a commit did; {@code seq} is its number in the commit record (0 when it was applied before). */
    record Outcome(boolean appliedNow, long pagesOverBudget, long viewsOverBudget, long seq) {

        Outcome(boolean appliedNow, long pagesOverBudget, long viewsOverBudget) {
            this(appliedNow, pagesOverBudget, viewsOverBudget, 0);
        }
    }

    private IncrementScript() {}

    /**
     * Applies {@code committable} (or recognises it as applied before) and, when the settings ask for replicas, waits
     * on the same connection until that many have acknowledged it.
     *
     * @throws ReplicationShortfall when fewer replicas acknowledged it in time: it is applied on the primary, but a
     *     failover could still lose it, so it does not count as applied yet (a retry applies it again idempotently)
     */
    static Outcome apply(UnifiedJedis redis, RedisSinkSettings settings, RedisCommittable committable) {
        if (committable.watermarkOnly()) {
            redis.eval(WATERMARK_LUA, List.of(settings.metaKey()),
                    List.of(Long.toString(committable.watermark()), settings.taggedKey()));
            return new Outcome(false, 0, 0, 0);
        }
        List<String> keys = keys(settings, committable.id());
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
        List<String> keys = keys(settings, "none");
        return outcome(redis.eval(LUA, keys, arguments(settings, unmarked, 0)));
    }

    private static List<String> keys(RedisSinkSettings settings, String commit) {
        return List.of(settings.hashKey(), settings.markerKey(commit), settings.lineageKey(), settings.metaKey());
    }

    /** The script's arguments, in the order {@link #LUA} reads them. */
    static List<String> arguments(RedisSinkSettings settings, RedisCommittable committable, long markerTtlSeconds) {
        RedisSinkSettings.Stats stats = settings.stats();
        List<String> args = new ArrayList<>(16 + 2 * committable.increments().size() + 6 * committable.minutes().size());
        args.add(Long.toString(markerTtlSeconds));
        args.add(Integer.toString(settings.commit().maxPages()));
        args.add(committable.lineage());
        args.add(Long.toString(committable.checkpoint()));
        args.add(Integer.toString(markerTtlSeconds > 0 ? settings.commit().waitReplicas() : 0));
        args.add(settings.taggedKey());
        args.add(Long.toString(committable.watermark()));
        args.add(stats.zone().getId());
        args.add(Long.toString(stats.minuteRetention().toSeconds()));
        args.add(Long.toString(stats.hourRetention().toSeconds()));
        args.add(Long.toString(stats.dayRetention().toSeconds()));
        args.add(Long.toString(stats.visitorEstimateRetention().toSeconds()));
        args.add(Integer.toString(committable.increments().size()));
        Map<String, Integer> number = new java.util.HashMap<>(committable.increments().size() * 2);
        for (Map.Entry<String, Long> entry : committable.increments().entrySet()) {
            number.put(entry.getKey(), number.size() + 1);
            args.add(entry.getKey());
            args.add(Long.toString(entry.getValue()));
        }
        boolean buckets = stats.enabled() && markerTtlSeconds > 0;
        ReportingTime time = new ReportingTime(stats.zone());
        List<RedisCommittable.MinuteViews> minutes = buckets ? committable.minutes() : List.of();
        args.add(Integer.toString(minutes.size()));
        for (RedisCommittable.MinuteViews m : minutes) {
            args.add(Integer.toString(pageNumber(number, m.page())));
            args.add(Long.toString(m.minute()));
            args.add(Long.toString(time.hourStart(m.minute())));
            args.add(time.date(m.minute()));
            args.add(Long.toString(time.dayEnd(m.minute())));
            args.add(Long.toString(m.views()));
        }
        List<RedisCommittable.FirstVisits> visitors = buckets ? committable.visitors() : List.of();
        args.add(Integer.toString(visitors.size()));
        for (RedisCommittable.FirstVisits v : visitors) {
            args.add(Integer.toString(v.page() == null ? 0 : pageNumber(number, v.page())));
            args.add(v.date());
            args.add(Long.toString(java.time.LocalDate.parse(v.date()).plusDays(1).atStartOfDay(stats.zone()).toEpochSecond()));
            args.add(Integer.toString(v.users().size()));
            args.add(Integer.toString(v.users().size()));
            args.addAll(v.users());
        }
        return args;
    }

    private static int pageNumber(Map<String, Integer> number, String page) {
        Integer n = number.get(page);
        if (n == null) {
            throw new IllegalStateException("a committable's bucket names page '" + page + "', which its increments lack");
        }
        return n;
    }

    private static Outcome outcome(Object reply) {
        List<?> values = (List<?>) reply;
        return new Outcome(Long.valueOf(1L).equals(values.get(0)), (Long) values.get(1), (Long) values.get(2), (Long) values.get(3));
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
