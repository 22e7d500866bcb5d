using System.Data.Common;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace ModelGateway.Accounting;

/// <summary>
/// The only writer of the ledger. <see cref="Enqueue"/> is the request path's whole cost: one non-blocking write
/// to a bounded channel (a full queue drops the row and counts it, it never waits). A background loop writes
/// whatever has queued, up to a batch at a time, so batches grow by themselves while a write is in flight.
/// With PostgreSQL, a batch that cannot be written goes to the local spool, drained when the database returns.
/// </summary>
internal sealed partial class LedgerWriter : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);

    private readonly ILedgerStore _store;
    private readonly LedgerSpool? _spool;
    private readonly LedgerOptions _options;
    private readonly LedgerMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<LedgerWriter> _logger;
    private readonly Channel<RequestLogEntry> _queue;
    private volatile bool _migrated;
    private long _enqueued;
    private long _handled;
    private long _dropped;

    public LedgerWriter(
        ILedgerStore store, LedgerLocation location, IOptions<LedgerOptions> options, LedgerMetrics metrics, TimeProvider timeProvider, ILogger<LedgerWriter> logger)
    {
        _store = store;
        _options = options.Value;
        _spool = store.IsRemote ? new LedgerSpool(Path.Combine(location.DataDirectory, "spool.db"), _options.SpoolCapacity) : null;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = logger;
        _queue = Channel.CreateBounded<RequestLogEntry>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            // Wait, not DropWrite: only then does TryWrite report a full queue (DropWrite says true and drops), and it never waits.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _metrics.QueueDepth = () => _queue.Reader.Count;
        _metrics.SpoolDepth = () => _spool?.Count ?? 0;
    }

    /// <summary>The schema is in place (other writers of the ledger database wait for this).</summary>
    public bool IsMigrated => _migrated;

    /// <summary>Queues one row; never blocks, never throws.</summary>
    public void Enqueue(RequestLogEntry entry)
    {
        if (_queue.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _enqueued);
            return;
        }

        _metrics.Dropped(1, "queue");
        if (Interlocked.Increment(ref _dropped) % 10_000 == 1)
        {
            LogQueueFull(entry.RequestId, _options.QueueCapacity);
        }
    }

    /// <summary>Waits until every row queued so far is in the database (not merely in the spool).</summary>
    public async ValueTask FlushAsync(TimeSpan timeout)
    {
        var target = Interlocked.Read(ref _enqueued);
        var deadline = _timeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * _timeProvider.TimestampFrequency);
        while (Interlocked.Read(ref _handled) < target || _spool?.Count > 0)
        {
            if (_timeProvider.GetTimestamp() > deadline)
            {
                throw new TimeoutException("The ledger did not reach the database in time.");
            }

            await Task.Delay(10);
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The schema is in place before the first report is asked for; a remote database that is away is retried by the loop.
        await TryMigrateAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Stop taking rows, then let the loop write what is queued (bounded by the host's shutdown timeout).
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var drain = _spool is null ? Task.CompletedTask : DrainLoopAsync(stoppingToken);
        var prune = PruneLoopAsync(stoppingToken);
        var batch = new List<RequestLogEntry>(_options.BatchSize);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            await GatherAsync(stoppingToken);
            while (batch.Count < _options.BatchSize && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            await PersistAsync(batch, stoppingToken);
            Interlocked.Add(ref _handled, batch.Count);
            batch.Clear();
        }

        await Task.WhenAll(drain, prune);
    }

    /// <summary>
    /// Lets a batch fill for up to the flush interval (group commit), checking every 10 ms so a full batch goes at
    /// once and a backlog is written back to back; not while stopping.
    /// </summary>
    private async Task GatherAsync(CancellationToken stoppingToken)
    {
        // Wall-clock time on purpose: this is about how writes group, not about the gateway's clock.
        var waited = 0;
        while (waited < _options.FlushIntervalMilliseconds && _queue.Reader.Count < _options.BatchSize && !stoppingToken.IsCancellationRequested)
        {
            var step = Math.Min(10, _options.FlushIntervalMilliseconds - waited);
            await Task.WhenAny(Task.Delay(step, stoppingToken), _queue.Reader.Completion);
            waited += step;
        }
    }

    private async Task PersistAsync(List<RequestLogEntry> batch, CancellationToken stoppingToken)
    {
        if (_spool is null)
        {
            // A local file: a failure (disk full) is retried until the host stops; rows meanwhile queue, then drop.
            while (!await TryWriteAsync(batch))
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    _metrics.Dropped(batch.Count, "queue");
                    return;
                }

                await DelayAsync(RetryDelay, stoppingToken);
            }

            return;
        }

        // Behind a backlog, new rows join the spool: the drain loop writes it in order of arrival.
        if (_spool.Count == 0 && _migrated && await TryWriteAsync(batch))
        {
            return;
        }

        var dropped = _spool.Append(batch);
        if (dropped > 0)
        {
            _metrics.Dropped(dropped, "spool");
            LogSpoolFull(dropped, _spool.Capacity);
        }
    }

    private async Task DrainLoopAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            if (_spool!.Count == 0 || (!_migrated && !await TryMigrateAsync(stoppingToken)))
            {
                await DelayAsync(_spool.Count == 0 ? TimeSpan.FromMilliseconds(100) : RetryDelay, stoppingToken);
                continue;
            }

            var (through, rows) = _spool.Peek(_options.BatchSize);
            if (rows.Count > 0 && !await TryWriteAsync(rows))
            {
                await DelayAsync(RetryDelay, stoppingToken);
                continue;
            }

            _spool.RemoveThrough(through);
        }
    }

    private async Task PruneLoopAsync(CancellationToken stoppingToken)
    {
        while (_options.RetentionDays > 0 && !stoppingToken.IsCancellationRequested)
        {
            if (_migrated)
            {
                try
                {
                    var cutoff = _timeProvider.GetUtcNow().UtcDateTime.Date.AddDays(-_options.RetentionDays);
                    var deleted = await _store.PruneAsync(new DateTimeOffset(cutoff, TimeSpan.Zero), stoppingToken);
                    LogPruned(deleted, _options.RetentionDays);
                }
                catch (Exception ex) when (IsDatabaseFailure(ex))
                {
                    LogWriteFailed(ex.GetType().Name, 0);
                }
            }

            await DelayAsync(PruneInterval, stoppingToken);
        }
    }

    private async Task<bool> TryWriteAsync(List<RequestLogEntry> batch)
    {
        try
        {
            // Not cancelled by shutdown: a batch in flight is finished, not abandoned half-way.
            var inserted = await _store.WriteAsync(batch, CancellationToken.None);
            _metrics.Written(inserted);
            return true;
        }
        catch (Exception ex) when (IsDatabaseFailure(ex))
        {
            LogWriteFailed(ex.GetType().Name, batch.Count);
            return false;
        }
    }

    private async Task<bool> TryMigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _store.MigrateAsync(cancellationToken);
            _migrated = true;
        }
        catch (Exception ex) when (_store.IsRemote && IsDatabaseFailure(ex))
        {
            LogMigrationDeferred(ex.GetType().Name);
        }

        return _migrated;
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, _timeProvider, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the caller's loop condition ends it.
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _spool?.Dispose();
    }

    private static bool IsDatabaseFailure(Exception ex) =>
        ex is DbException or SocketException or TimeoutException or IOException or InvalidOperationException;

    [LoggerMessage(EventId = 1700, Level = LogLevel.Warning, Message = "Ledger write of {Count} rows failed ({Error}); will retry")]
    private partial void LogWriteFailed(string error, int count);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Error, Message = "Ledger queue is full ({Capacity} rows); the row of {RequestId} is dropped")]
    private partial void LogQueueFull(string requestId, int capacity);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Error, Message = "Ledger spool is full ({Capacity} rows); {Count} rows dropped")]
    private partial void LogSpoolFull(int count, int capacity);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Warning, Message = "Ledger database unreachable at start-up ({Error}); rows are spooled until it answers")]
    private partial void LogMigrationDeferred(string error);

    [LoggerMessage(EventId = 1704, Level = LogLevel.Information, Message = "Ledger retention ({Days} days) deleted {Count} rows")]
    private partial void LogPruned(long count, int days);
}
