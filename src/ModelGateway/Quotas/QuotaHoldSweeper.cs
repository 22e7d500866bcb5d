using ModelGateway.Configuration;

namespace ModelGateway.Quotas;

/// <summary>
/// Releases, in Redis, reservations whose gateway stopped without settling them (a crash, a killed pod). The next
/// reservation of the same group releases them too, but on a cluster each group has its own set of holds, so a team
/// that sends nothing more would keep showing them as held (in its budget gauge and spend) for days. Every replica
/// sweeps every configured group at an interval of half the reservation timeout (1 to 30 s); the script is idempotent,
/// so replicas sweeping at once release each hold once.
/// </summary>
internal sealed partial class QuotaHoldSweeper : BackgroundService
{
    private const int Parallel = 64;
    private readonly RedisQuotaStore? _store;
    private readonly IGatewayConfigStore _configuration;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<QuotaHoldSweeper> _logger;

    public QuotaHoldSweeper(QuotaStores stores, IGatewayConfigStore configuration, TimeProvider timeProvider, ILogger<QuotaHoldSweeper> logger)
    {
        _store = stores.Primary as RedisQuotaStore;
        _configuration = configuration;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Half the reservation timeout, between 1 and 30 seconds: a dead replica's holds last at most 1.5 times as long as a live one's.</summary>
    public static TimeSpan Interval(QuotaSettings settings) =>
        TimeSpan.FromTicks(Math.Clamp(settings.ReservationTimeout.Ticks / 2, TimeSpan.TicksPerSecond, 30 * TimeSpan.TicksPerSecond));

    /// <summary>The groups that may hold reservations: every team, and every key without a team that has limits.</summary>
    public static IEnumerable<string> Groups(GatewayConfig config)
    {
        foreach (var team in config.Teams.Keys)
        {
            yield return QuotaScope.ForTeam(team);
        }

        foreach (var key in config.Keys.Values)
        {
            if (key.Team is null && !key.Limits.IsUnlimited)
            {
                yield return QuotaScope.GroupOf(key);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_store is null)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var config = _configuration.Current.Config;
            await Task.Delay(Interval(config.Quotas), _timeProvider, stoppingToken);
            try
            {
                var released = await SweepAsync(_store, config, stoppingToken);
                if (released > 0)
                {
                    LogReleased(released);
                }
            }
            catch (Exception ex) when (QuotaService.IsStoreFailure(ex, stoppingToken))
            {
                // Redis is away: the request path reports that; the next sweep tries again.
                LogSweepFailed(ex.GetType().Name);
            }
        }
    }

    private async Task<long> SweepAsync(RedisQuotaStore store, GatewayConfig config, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var released = 0L;
        var calls = new List<Task<long>>(Parallel);
        foreach (var group in Groups(config))
        {
            calls.Add(store.SweepAsync(group, now, cancellationToken).AsTask());
            if (calls.Count == Parallel)
            {
                released += await SumAsync(calls);
            }
        }

        return released + await SumAsync(calls);
    }

    private static async Task<long> SumAsync(List<Task<long>> calls)
    {
        var counts = await Task.WhenAll(calls);
        calls.Clear();
        return counts.Sum();
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Information,
        Message = "Released {Count} expired quota reservations in Redis (a gateway stopped before settling them)")]
    private partial void LogReleased(long count);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Debug, Message = "Quota hold sweep failed ({Error}); trying again at the next interval")]
    private partial void LogSweepFailed(string error);
}
