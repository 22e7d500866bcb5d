using System.Data.Common;
using System.Net.Sockets;
using ModelGateway.Accounting;
using ModelGateway.Configuration;

namespace ModelGateway.Capture;

/// <summary>
/// Retention: every hour, deletes the captured pairs older than <c>Capture:RetentionDays</c> (read from the
/// configuration in force, so a change applies at the next sweep); 0 keeps them until deleted by hand.
/// </summary>
internal sealed partial class CaptureSweeper : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private readonly CaptureStore _store;
    private readonly LedgerWriter _ledger;
    private readonly IGatewayConfigStore _config;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<CaptureSweeper> _logger;

    public CaptureSweeper(CaptureStore store, LedgerWriter ledger, IGatewayConfigStore config, TimeProvider timeProvider, ILogger<CaptureSweeper> logger)
    {
        _store = store;
        _ledger = ledger;
        _config = config;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>One sweep now; returns how many pairs were deleted (0 when retention is off or the database is away).</summary>
    public async Task<long> SweepAsync(CancellationToken cancellationToken)
    {
        var days = _config.Current.Config.Capture.RetentionDays;
        if (days == 0 || !_ledger.IsMigrated)
        {
            return 0;
        }

        try
        {
            var deleted = await _store.PruneAsync(_timeProvider.GetUtcNow().AddDays(-days), cancellationToken);
            if (deleted > 0)
            {
                LogPruned(deleted, days);
            }

            return deleted;
        }
        catch (Exception ex) when (ex is DbException or SocketException or TimeoutException or IOException or InvalidOperationException)
        {
            LogPruneFailed(ex.GetType().Name);
            return 0;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await SweepAsync(stoppingToken);
            try
            {
                await Task.Delay(Interval, _timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                // Shutting down.
            }
        }
    }

    [LoggerMessage(EventId = 2753, Level = LogLevel.Information, Message = "Capture retention ({Days} days) deleted {Count} pairs")]
    private partial void LogPruned(long count, int days);

    [LoggerMessage(EventId = 2754, Level = LogLevel.Warning, Message = "Capture retention sweep failed ({Error}); will retry")]
    private partial void LogPruneFailed(string error);
}
