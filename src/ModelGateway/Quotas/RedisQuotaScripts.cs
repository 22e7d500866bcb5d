namespace ModelGateway.Quotas;

/// <summary>
/// The Lua scripts that make each quota operation one atomic round trip. Same rules as <see cref="QuotaRules"/>.
/// Keys: <c>KEYS[1]</c> the sorted set of reservations by expiry, <c>KEYS[2]</c> this reservation's list,
/// <c>KEYS[3]</c> this reservation's tombstone, then per scope four keys: rate window hash (start, req, tok),
/// in-flight counter, day spend hash and month spend hash (spent, held). A reservation list holds its cost and, per
/// scope, its in-flight, day and month keys, so expired reservations of dead requests can be released by whichever
/// request of the group comes next (or by <see cref="QuotaHoldSweeper"/>), and a reservation can be released by its
/// id alone. A tombstone says the reservation is finished (released or settled by a retry): a reservation or
/// settlement that Redis runs later, because it was queued while the caller had already given up, then changes nothing.
/// Every key of one call carries the group's hash tag (<see cref="RedisQuotaKeys"/>), including the keys a script
/// reads from a reservation list, so each script runs on one Redis Cluster slot.
/// </summary>
internal static class RedisQuotaScripts
{
    public const int KeysBeforeScopes = 3;
    public const int KeysPerScope = 4;
    public const int ReserveArgsBeforeScopes = 7;
    public const int ArgsPerScope = 5;

    /// <summary>Releases up to <c>limit</c> reservations of <c>holds</c> that expired by <c>now</c>; returns how many.</summary>
    private const string ExpireHolds = """
        local function release(ck, dk, mk, c)
          if tonumber(redis.call('GET', ck) or '0') > 0 then redis.call('DECR', ck) end
          redis.call('HINCRBY', dk, 'held', -c)
          redis.call('HINCRBY', mk, 'held', -c)
        end

        local function expire(holds, now, limit)
          local expired = redis.call('ZRANGEBYSCORE', holds, '-inf', now, 'LIMIT', 0, limit)
          for _, id in ipairs(expired) do
            local hk = holds .. ':' .. id
            local entry = redis.call('LRANGE', hk, 0, -1)
            if #entry > 0 then
              local c = tonumber(entry[1])
              for j = 2, #entry - 2, 3 do release(entry[j], entry[j + 1], entry[j + 2], c) end
            end
            redis.call('DEL', hk)
            redis.call('ZREM', holds, id)
          end
          return #expired
        end

        """;

    // KEYS: holds. ARGV: now. Returns the number of expired reservations released.
    public const string Sweep = ExpireHolds + """
        return expire(KEYS[1], tonumber(ARGV[1]), 256)
        """;

    // ARGV: now, window, tokens, cost, reservation id, hold ms, scope count; per scope: rpm, tpm, concurrent, usd/day, usd/month (-1: none).
    // Returns: verdict, culprit (0-based, -1), retry ms; per scope: window start, requests, tokens (after counting this one when admitted).
    public const string Reserve = ExpireHolds + """
        local now = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local tokens = tonumber(ARGV[3])
        local cost = tonumber(ARGV[4])
        local holdMs = tonumber(ARGV[6])
        local n = tonumber(ARGV[7])

        -- Released before it ran (its caller timed out and compensated): hold nothing.
        if redis.call('EXISTS', KEYS[3]) == 1 then
          local withdrawn = { 8, -1, 0 }
          for i = 1, n do
            withdrawn[#withdrawn + 1] = now
            withdrawn[#withdrawn + 1] = 0
            withdrawn[#withdrawn + 1] = 0
          end
          return withdrawn
        end

        expire(KEYS[1], now, 32)

        local verdict, culprit, retry = 0, -1, 0
        local starts, reqs, toks, fresh = {}, {}, {}, {}
        for i = 1, n do
          local b = 3 + (i - 1) * 4
          local a = 7 + (i - 1) * 5
          local w = redis.call('HMGET', KEYS[b + 1], 'start', 'req', 'tok')
          local start = tonumber(w[1])
          -- A request stamped a little earlier than the window's first (another replica's clock, or a race) still counts in it.
          if start == nil or now >= start + window then
            starts[i], reqs[i], toks[i], fresh[i] = now, 0, 0, true
          else
            starts[i], reqs[i], toks[i], fresh[i] = start, tonumber(w[2]) or 0, tonumber(w[3]) or 0, false
          end
          if verdict == 0 then
            local rpm, tpm, conc = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
            local dlim, mlim = tonumber(ARGV[a + 4]), tonumber(ARGV[a + 5])
            local left = starts[i] + window - now
            if rpm >= 0 and reqs[i] + 1 > rpm then verdict, retry = 1, left
            elseif tpm >= 0 and tokens > tpm then verdict = 2
            elseif tpm >= 0 and toks[i] + tokens > tpm then verdict, retry = 3, left
            elseif conc >= 0 and tonumber(redis.call('GET', KEYS[b + 2]) or '0') + 1 > conc then verdict, retry = 4, 1000
            else
              if dlim >= 0 then
                local d = redis.call('HMGET', KEYS[b + 3], 'spent', 'held')
                local spent, held = tonumber(d[1]) or 0, tonumber(d[2]) or 0
                if spent + held + cost > dlim then
                  if spent + cost <= dlim then verdict, retry = 5, 1000 else verdict = 6 end
                end
              end
              if verdict == 0 and mlim >= 0 then
                local m = redis.call('HMGET', KEYS[b + 4], 'spent', 'held')
                local spent, held = tonumber(m[1]) or 0, tonumber(m[2]) or 0
                if spent + held + cost > mlim then
                  if spent + cost <= mlim then verdict, retry = 5, 1000 else verdict = 7 end
                end
              end
            end
            if verdict ~= 0 then culprit = i - 1 end
          end
        end

        if verdict == 0 then
          redis.call('RPUSH', KEYS[2], ARGV[4])
          for i = 1, n do
            local b = 3 + (i - 1) * 4
            if fresh[i] then
              redis.call('DEL', KEYS[b + 1])
              redis.call('HSET', KEYS[b + 1], 'start', starts[i], 'req', 1, 'tok', ARGV[3])
            else
              redis.call('HINCRBY', KEYS[b + 1], 'req', 1)
              redis.call('HINCRBY', KEYS[b + 1], 'tok', ARGV[3])
            end
            reqs[i], toks[i] = reqs[i] + 1, toks[i] + tokens
            redis.call('PEXPIRE', KEYS[b + 1], window * 2 + 60000)
            redis.call('INCR', KEYS[b + 2])
            redis.call('PEXPIRE', KEYS[b + 2], holdMs + 60000)
            redis.call('HINCRBY', KEYS[b + 3], 'held', ARGV[4])
            redis.call('EXPIRE', KEYS[b + 3], 259200)
            redis.call('HINCRBY', KEYS[b + 4], 'held', ARGV[4])
            redis.call('EXPIRE', KEYS[b + 4], 3456000)
            redis.call('RPUSH', KEYS[2], KEYS[b + 2], KEYS[b + 3], KEYS[b + 4])
          end
          redis.call('PEXPIRE', KEYS[2], holdMs + 3600000)
          redis.call('ZADD', KEYS[1], now + holdMs, ARGV[5])
          -- A group that goes quiet leaves nothing behind once its last reservation has long expired.
          redis.call('PEXPIRE', KEYS[1], holdMs + 3600000)
        end

        local result = { verdict, culprit, retry }
        for i = 1, n do
          result[#result + 1] = starts[i]
          result[#result + 1] = reqs[i]
          result[#result + 1] = toks[i]
        end
        return result
        """;

    // ARGV: reservation id, token correction, actual cost, scope count, retry (1: a retry of a settlement that failed),
    // tombstone ms; per scope: the window start the reservation counted in. Returns 1 when the hold was released here.
    // A retry charges only a hold it finds (the first attempt may have run already) and leaves a tombstone, so the
    // first attempt, should Redis run it later, charges nothing either.
    public const string Settle = """
        local delta = tonumber(ARGV[2])
        local n = tonumber(ARGV[4])
        local retry = ARGV[5] == '1'
        local had = redis.call('ZREM', KEYS[1], ARGV[1])
        if retry then redis.call('SET', KEYS[3], '1', 'PX', ARGV[6]) end
        if had == 0 and (retry or redis.call('EXISTS', KEYS[3]) == 1) then return 0 end
        local reserved = 0
        if had == 1 then
          reserved = tonumber(redis.call('LINDEX', KEYS[2], 0) or '0')
          redis.call('DEL', KEYS[2])
        end
        for i = 1, n do
          local b = 3 + (i - 1) * 4
          if had == 1 then
            if tonumber(redis.call('GET', KEYS[b + 2]) or '0') > 0 then redis.call('DECR', KEYS[b + 2]) end
            redis.call('HINCRBY', KEYS[b + 3], 'held', -reserved)
            redis.call('HINCRBY', KEYS[b + 4], 'held', -reserved)
          end
          redis.call('HINCRBY', KEYS[b + 3], 'spent', ARGV[3])
          redis.call('HINCRBY', KEYS[b + 4], 'spent', ARGV[3])
          if delta ~= 0 and redis.call('HGET', KEYS[b + 1], 'start') == ARGV[6 + i] then
            redis.call('HINCRBY', KEYS[b + 1], 'tok', delta)
          end
        end
        return had
        """;

    // Compensates a reservation whose caller gave up waiting: releases its hold if Redis ran it, and leaves a
    // tombstone so that, if it is still queued, it holds nothing when it runs. Idempotent.
    // KEYS: holds, holds:<id>, tombstone. ARGV: reservation id, tombstone ms. Returns 1 when a hold was released.
    public const string Release = """
        local had = redis.call('ZREM', KEYS[1], ARGV[1])
        if had == 1 then
          local entry = redis.call('LRANGE', KEYS[2], 0, -1)
          if #entry > 0 then
            local c = tonumber(entry[1])
            for j = 2, #entry - 2, 3 do
              if tonumber(redis.call('GET', entry[j]) or '0') > 0 then redis.call('DECR', entry[j]) end
              redis.call('HINCRBY', entry[j + 1], 'held', -c)
              redis.call('HINCRBY', entry[j + 2], 'held', -c)
            end
          end
          redis.call('DEL', KEYS[2])
        end
        redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
        return had
        """;
}
