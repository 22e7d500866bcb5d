using System.Text.Json;
using ModelGateway.Configuration;
using ModelGateway.Quotas;
using ModelGateway.Routing.Canaries;
using StackExchange.Redis;

namespace ModelGateway.Experiments;

/// <summary>
/// Shares guard breaches between replicas and audits them. A breach on this replica is stored in Redis (when
/// <c>Quotas:Redis</c> is set) under <c>{prefix}canary:{rule}</c>; the replica that stores it first also writes the
/// audit entry (the rule's share set to 0 by <c>canary-guard</c>, when the admin API is on). Every
/// <see cref="PollInterval"/> each replica reads the key of each canary and applies an override made for the canary
/// configuration in force. Once a rule's share is 0 in the configuration, its record is marked cleared (kept to say
/// what happened), so setting the share again later starts afresh. Without Redis the override is this replica's own.
/// </summary>
internal sealed partial class CanarySync : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly CanaryMonitor _monitor;
    private readonly IGatewayConfigStore _store;
    private readonly QuotaStores _quotas;
    private readonly ICanaryAudit? _audit;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<CanarySync> _logger;

    public CanarySync(CanaryMonitor monitor, IGatewayConfigStore store, QuotaStores quotas, TimeProvider timeProvider, ILogger<CanarySync> logger,
        ICanaryAudit? audit = null)
    {
        _monitor = monitor;
        _store = store;
        _quotas = quotas;
        _audit = audit;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>True when breaches are shared through Redis.</summary>
    public bool IsShared => _quotas.Redis is not null;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ShareBreachesAsync(stoppingToken), PollAsync(stoppingToken));

    private string Key(string rule) => $"{_store.Current.Config.Quotas.KeyPrefix}canary:{rule}";

    private async Task ShareBreachesAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var breach in _monitor.Breaches.ReadAllAsync(stoppingToken))
            {
                if (await StoreAsync(breach) && _audit is not null)
                {
                    try
                    {
                        await _audit.RecordRollbackAsync(breach, stoppingToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogAuditFailed(ex, breach.Rule);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>Stores the breach in Redis; true when this replica is the first to report it (and so writes the audit entry).</summary>
    private async Task<bool> StoreAsync(CanaryOverride breach)
    {
        if (_quotas.Redis is not { } redis)
        {
            return true;
        }

        try
        {
            var database = redis.GetDatabase();
            var key = Key(breach.Rule);
            var value = JsonSerializer.Serialize(breach, Json);
            if (await database.StringSetAsync(key, value, when: When.NotExists))
            {
                return true;
            }

            // A record is there: another replica's breach of the same canary (nothing more to do), or an old one.
            var existing = Parse(await database.StringGetAsync(key));
            if (existing is not null && !existing.Cleared && existing.Fingerprint == breach.Fingerprint)
            {
                return false;
            }

            await database.StringSetAsync(key, value);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The override holds on this replica; the others learn nothing until Redis is back (and the guard trips there too).
            LogRedisFailed(ex, breach.Rule);
            return true;
        }
    }

    private async Task PollAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await PollOnceAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task PollOnceAsync()
    {
        var redis = _quotas.Redis;
        foreach (var rule in _store.Current.Config.Routing.Rules)
        {
            if (rule.Canary is not { } canary)
            {
                continue;
            }

            // Observe the configuration in force even without traffic, so a changed canary starts afresh.
            _monitor.State(rule.Id, canary);
            if (redis is null)
            {
                continue;
            }

            try
            {
                var database = redis.GetDatabase();
                var key = Key(rule.Id);
                if (Parse(await database.StringGetAsync(key)) is not { } shared)
                {
                    continue;
                }

                if (canary.Percent == 0 && !shared.Cleared)
                {
                    shared = shared with { Cleared = true };
                    await database.StringSetAsync(key, JsonSerializer.Serialize(shared, Json));
                }

                _monitor.ApplyShared(rule, shared);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRedisFailed(ex, rule.Id);
            }
        }
    }

    private static CanaryOverride? Parse(RedisValue value)
    {
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<CanaryOverride>((string)value!, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 2902, Level = LogLevel.Warning, Message = "Canary override of route {Rule} could not be shared through Redis")]
    private partial void LogRedisFailed(Exception exception, string rule);

    [LoggerMessage(EventId = 2903, Level = LogLevel.Warning, Message = "Canary rollback of route {Rule} could not be written to the audit log")]
    private partial void LogAuditFailed(Exception exception, string rule);
}
