using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace ModelGateway.Quotas;

/// <summary>
/// Quota counters in Redis, shared by every gateway replica. Each reservation and each settlement is one script
/// call (<c>EVALSHA</c>; <c>EVAL</c> once per server after a restart), so check-and-reserve is atomic across replicas.
/// Calls are bounded by <see cref="QuotaSettings.RedisTimeout"/>; failures surface as exceptions for the caller's mode.
/// Every key of a call carries the ask's group hash tag (<see cref="RedisQuotaKeys"/>), so on Redis Cluster each
/// script runs on one slot (no CROSSSLOT), and groups spread over the shards.
/// </summary>
internal sealed class RedisQuotaStore : IQuotaStore
{
#pragma warning disable CA5350 // Redis names a cached script by its SHA-1; this is an identifier, not security.
    private static readonly byte[] ReserveSha = SHA1.HashData(Encoding.UTF8.GetBytes(RedisQuotaScripts.Reserve));
    private static readonly byte[] SettleSha = SHA1.HashData(Encoding.UTF8.GetBytes(RedisQuotaScripts.Settle));
    private static readonly byte[] ReleaseSha = SHA1.HashData(Encoding.UTF8.GetBytes(RedisQuotaScripts.Release));
    private static readonly byte[] SweepSha = SHA1.HashData(Encoding.UTF8.GetBytes(RedisQuotaScripts.Sweep));
#pragma warning restore CA5350

    private readonly IConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _timeProvider;

    public RedisQuotaStore(IConnectionMultiplexer redis, string prefix, TimeSpan timeout, TimeProvider timeProvider)
    {
        _redis = redis;
        _prefix = prefix;
        _timeout = timeout;
        _timeProvider = timeProvider;
    }

    public async ValueTask<QuotaDecision> ReserveAsync(QuotaAsk ask, CancellationToken cancellationToken)
    {
        var count = ask.Scopes.Length;
        var keys = ReservationKeys(ask);
        var args = new RedisValue[RedisQuotaScripts.ReserveArgsBeforeScopes + (count * RedisQuotaScripts.ArgsPerScope)];
        args[0] = ask.NowMs;
        args[1] = ask.WindowMs;
        args[2] = ask.Tokens;
        args[3] = ask.NanoUsd;
        args[4] = ask.ReservationId;
        args[5] = ask.HoldMs;
        args[6] = count;
        for (var i = 0; i < count; i++)
        {
            var limits = ask.Scopes[i].Limits;
            var a = RedisQuotaScripts.ReserveArgsBeforeScopes + (i * RedisQuotaScripts.ArgsPerScope);
            args[a] = limits.RequestsPerWindow ?? -1;
            args[a + 1] = limits.TokensPerWindow ?? -1;
            args[a + 2] = limits.ConcurrentRequests ?? -1;
            args[a + 3] = limits.NanoUsdPerDay ?? -1;
            args[a + 4] = limits.NanoUsdPerMonth ?? -1;
        }

        var result = (RedisResult[])(await EvaluateAsync(RedisQuotaScripts.Reserve, ReserveSha, keys, args, cancellationToken))!;
        var starts = new long[count];
        var requests = new long[count];
        var tokens = new long[count];
        for (var i = 0; i < count; i++)
        {
            starts[i] = (long)result[3 + (i * 3)];
            requests[i] = (long)result[4 + (i * 3)];
            tokens[i] = (long)result[5 + (i * 3)];
        }

        return QuotaRules.Decide(ask, (QuotaVerdict)(int)result[0], (int)result[1], (long)result[2], starts, requests, tokens);
    }

    public async ValueTask SettleAsync(QuotaAsk ask, QuotaDecision decision, long actualTokens, long actualNanoUsd, CancellationToken cancellationToken) =>
        await SettleAsync(ask, decision, actualTokens, actualNanoUsd, retry: false, cancellationToken);

    /// <summary>
    /// Settles again after a settlement failed (it may or may not have run): charges only if the hold is still
    /// there, and makes the first attempt a no-op should Redis run it later.
    /// </summary>
    public async ValueTask RetrySettleAsync(QuotaAsk ask, QuotaDecision decision, long actualTokens, long actualNanoUsd, CancellationToken cancellationToken) =>
        await SettleAsync(ask, decision, actualTokens, actualNanoUsd, retry: true, cancellationToken);

    public async ValueTask<bool> ReleaseAsync(QuotaAsk ask, CancellationToken cancellationToken)
    {
        var names = new RedisQuotaKeys(_prefix, ask.Group);
        RedisKey[] keys = [names.Holds, names.Hold(ask.ReservationId), names.Released(ask.ReservationId)];
        RedisValue[] args = [ask.ReservationId, TombstoneMs(ask)];
        return (long)await EvaluateAsync(RedisQuotaScripts.Release, ReleaseSha, keys, args, cancellationToken) == 1;
    }

    public async ValueTask<ScopeUsage> ReadAsync(string group, string scope, string day, string month, CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        var names = new RedisQuotaKeys(_prefix, group);
        var dayTask = db.HashGetAsync(names.Day(day, scope), ["spent", "held"]);
        var monthTask = db.HashGetAsync(names.Month(month, scope), ["spent", "held"]);
        var inFlightTask = db.StringGetAsync(names.InFlight(scope));
        var d = await dayTask.WaitAsync(_timeout, _timeProvider, cancellationToken);
        var m = await monthTask.WaitAsync(_timeout, _timeProvider, cancellationToken);
        var inFlight = await inFlightTask.WaitAsync(_timeout, _timeProvider, cancellationToken);
        return new ScopeUsage(Long(d[0]), Long(d[1]), Long(m[0]), Long(m[1]), Long(inFlight));
    }

    /// <summary>Releases the group's reservations that expired by <paramref name="nowMs"/> (their gateway stopped); returns how many.</summary>
    public async ValueTask<long> SweepAsync(string group, long nowMs, CancellationToken cancellationToken)
    {
        RedisKey[] keys = [new RedisQuotaKeys(_prefix, group).Holds];
        RedisValue[] args = [nowMs];
        return (long)await EvaluateAsync(RedisQuotaScripts.Sweep, SweepSha, keys, args, cancellationToken);
    }

    private async ValueTask SettleAsync(QuotaAsk ask, QuotaDecision decision, long actualTokens, long actualNanoUsd, bool retry, CancellationToken cancellationToken)
    {
        var count = ask.Scopes.Length;
        var keys = ReservationKeys(ask);
        var args = new RedisValue[6 + count];
        args[0] = ask.ReservationId;
        args[1] = actualTokens - ask.Tokens;
        args[2] = actualNanoUsd;
        args[3] = count;
        args[4] = retry ? 1 : 0;
        args[5] = TombstoneMs(ask);
        for (var i = 0; i < count; i++)
        {
            args[6 + i] = decision.WindowStarts[i];
        }

        await EvaluateAsync(RedisQuotaScripts.Settle, SettleSha, keys, args, cancellationToken);
    }

    /// <summary>A tombstone lives as long as the hold could: a reservation run later than that expires at once anyway.</summary>
    private static long TombstoneMs(QuotaAsk ask) => Math.Max(1, ask.HoldMs);

    private RedisKey[] ReservationKeys(QuotaAsk ask)
    {
        var count = ask.Scopes.Length;
        var names = new RedisQuotaKeys(_prefix, ask.Group);
        var keys = new RedisKey[RedisQuotaScripts.KeysBeforeScopes + (count * RedisQuotaScripts.KeysPerScope)];
        keys[0] = names.Holds;
        keys[1] = names.Hold(ask.ReservationId);
        keys[2] = names.Released(ask.ReservationId);
        for (var i = 0; i < count; i++)
        {
            var at = RedisQuotaScripts.KeysBeforeScopes + (i * RedisQuotaScripts.KeysPerScope);
            var scope = ask.Scopes[i].Name;
            keys[at] = names.Window(scope);
            keys[at + 1] = names.InFlight(scope);
            keys[at + 2] = names.Day(ask.Day, scope);
            keys[at + 3] = names.Month(ask.Month, scope);
        }

        return keys;
    }

    private async Task<RedisResult> EvaluateAsync(string script, byte[] sha, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        try
        {
            return await db.ScriptEvaluateAsync(sha, keys, args).WaitAsync(_timeout, _timeProvider, cancellationToken);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // First call on this server (or after a restart): send the script itself, which also caches it there.
            return await db.ScriptEvaluateAsync(script, keys, args).WaitAsync(_timeout, _timeProvider, cancellationToken);
        }
    }

    private static long Long(RedisValue value) =>
        value.IsNull ? 0 : long.Parse((string)value!, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
