namespace ModelGateway.Quotas;

/// <summary>
/// The quota side of graceful drain. Requests the drain timeout cuts settle as they unwind (what was used is charged,
/// the rest of the hold released; a settlement Redis refuses is queued for <see cref="QuotaCompensator"/> to retry),
/// but the host would otherwise exit, closing Redis, while those settlements are still on their way, leaving holds
/// counted as in flight and held until <c>Quotas:ReservationTimeout</c>. So once the server has stopped,
/// <see cref="SettleAsync"/> waits, bounded, for every open hold to be settled and every queued compensation to run;
/// a hold whose request has still not settled is then released without charge, as its expiry would release it.
/// </summary>
internal sealed partial class QuotaDrain
{
    /// <summary>How long shutdown waits for settlements after the server stopped (the Helm chart leaves a 5 s margin).</summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    private readonly QuotaHolds _holds;
    private readonly QuotaCompensator _compensator;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<QuotaDrain> _logger;
    private int _cut = -1;

    public QuotaDrain(QuotaHolds holds, QuotaCompensator compensator, TimeProvider timeProvider, ILogger<QuotaDrain> logger)
    {
        _holds = holds;
        _compensator = compensator;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The drain timeout ran out: the requests still holding quota are being cut.</summary>
    public void Cut() => Interlocked.CompareExchange(ref _cut, _holds.Count, -1);

    /// <summary>Waits up to <paramref name="timeout"/> for open holds and queued compensations, then releases what is left.</summary>
    public async Task SettleAsync(TimeSpan timeout)
    {
        var started = _timeProvider.GetTimestamp();
        while ((_holds.Count > 0 || _compensator.Pending > 0) && _timeProvider.GetElapsedTime(started) < timeout)
        {
            await Task.Delay(Poll, _timeProvider);
        }

        var left = _holds.Snapshot();
        if (left.Length == 0 && _compensator.Pending == 0)
        {
            if (Volatile.Read(ref _cut) is var cut and > 0)
            {
                LogSettled(cut, _timeProvider.GetElapsedTime(started));
            }

            return;
        }

        var outcomes = await Task.WhenAll(left.Select(ReleaseAsync));
        var released = outcomes.Count(o => o == true);
        if (released > 0)
        {
            LogReleased(released, timeout);
        }

        if (released < outcomes.Length || _compensator.Pending > 0)
        {
            LogLeft(outcomes.Length - released, _compensator.Pending);
        }
    }

    /// <summary>True when released; false when the store failed; null when its request is settling it right now.</summary>
    private async Task<bool?> ReleaseAsync(OpenHold hold)
    {
        if (!hold.TryClaim())
        {
            return null;
        }

        try
        {
            await hold.Store.ReleaseAsync(hold.Ask, CancellationToken.None);
            return true;
        }
        catch (Exception ex) when (QuotaService.IsStoreFailure(ex, CancellationToken.None))
        {
            return false;
        }
        finally
        {
            _holds.Close(hold);
        }
    }

    [LoggerMessage(EventId = 2850, Level = LogLevel.Information,
        Message = "The drain timeout cut {Cut} requests holding quota; all their reservations were settled, {Elapsed} after the server stopped")]
    private partial void LogSettled(int cut, TimeSpan elapsed);

    [LoggerMessage(EventId = 2851, Level = LogLevel.Warning,
        Message = "Released {Count} quota reservations whose requests did not settle within {Timeout} after the server stopped; their usage is not charged")]
    private partial void LogReleased(int count, TimeSpan timeout);

    [LoggerMessage(EventId = 2852, Level = LogLevel.Warning,
        Message = "Exiting with {Holds} quota reservations not released and {Compensations} compensations not run (Redis did not answer); they are released when Quotas:ReservationTimeout expires")]
    private partial void LogLeft(int holds, long compensations);
}
