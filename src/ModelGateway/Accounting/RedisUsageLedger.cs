using System.Globalization;
using System.Threading.Channels;
using ModelGateway.Quotas;
using StackExchange.Redis;

namespace ModelGateway.Accounting;

/// <summary>
/// The ledger in Redis, shared by every replica: one stream per UTC day (<c>ledger:yyyyMMdd</c>, one entry per
/// request) plus a hash of per-day spend in nano-USD by key, team, model, provider and deployment
/// (<c>spend:yyyyMMdd</c>). <see cref="Record"/> only queues; a background loop writes batches in one pipeline and
/// retries while Redis is away, so the request path never waits for the ledger.
/// </summary>
internal sealed partial class RedisUsageLedger : IUsageRecorder, IUsageLedger, IDisposable
{
    private const int Capacity = 100_000;
    private const int BatchSize = 256;

    private readonly ConnectionMultiplexer _redis;
    private readonly string _prefix;
    private readonly InMemoryUsageLedger _local;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<RedisUsageLedger> _logger;
    private readonly Channel<UsageRecord> _queue = Channel.CreateBounded<UsageRecord>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _writer;
    private long _recorded;
    private long _written;
    private int _disposed;

    public RedisUsageLedger(QuotaStores stores, InMemoryUsageLedger local, ModelGateway.Configuration.IGatewayConfigStore config, TimeProvider timeProvider, ILogger<RedisUsageLedger> logger)
    {
        _redis = stores.Redis ?? throw new InvalidOperationException("The Redis ledger needs Quotas:Redis.");
        _prefix = config.Current.Config.Quotas.KeyPrefix;
        _local = local;
        _timeProvider = timeProvider;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    public void Record(UsageRecord record)
    {
        _local.Record(record);
        if (_queue.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref _recorded);
        }
        else
        {
            LogDropped(record.RequestId);
        }
    }

    public async ValueTask<IReadOnlyList<UsageRecord>> ReadAsync(DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        var records = new List<UsageRecord>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var entries = await db.StreamRangeAsync(_prefix + "ledger:" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
            foreach (var entry in entries)
            {
                records.Add(UsageStreamEntry.Read(entry));
            }
        }

        return records;
    }

    public async ValueTask FlushAsync(TimeSpan timeout)
    {
        var target = Interlocked.Read(ref _recorded);
        var deadline = _timeProvider.GetTimestamp() + (long)(timeout.TotalSeconds * _timeProvider.TimestampFrequency);
        while (Interlocked.Read(ref _written) < target)
        {
            if (_timeProvider.GetTimestamp() > deadline)
            {
                throw new TimeoutException("The usage ledger did not reach Redis in time.");
            }

            await Task.Delay(10);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<UsageRecord>(BatchSize);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stopping.Token))
            {
                while (batch.Count < BatchSize && _queue.Reader.TryRead(out var record))
                {
                    batch.Add(record);
                }

                while (!await TryWriteAsync(batch))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), _timeProvider, _stopping.Token);
                }

                Interlocked.Add(ref _written, batch.Count);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task<bool> TryWriteAsync(List<UsageRecord> batch)
    {
        try
        {
            var db = _redis.GetDatabase();
            var writes = new List<Task>(batch.Count * 6);
            foreach (var record in batch)
            {
                var day = record.Timestamp.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
                writes.Add(db.StreamAddAsync(_prefix + "ledger:" + day, UsageStreamEntry.Fields(record)));
                var spend = _prefix + "spend:" + day;
                var nano = QuotaService.ToNano(record.CostUsd);
                writes.Add(db.HashIncrementAsync(spend, "key:" + record.KeyId, nano));
                writes.Add(db.HashIncrementAsync(spend, "model:" + record.Model, nano));
                writes.Add(db.HashIncrementAsync(spend, "provider:" + record.ProviderId, nano));
                writes.Add(db.HashIncrementAsync(spend, "deployment:" + record.DeploymentId, nano));
                if (record.TeamId is { } team)
                {
                    writes.Add(db.HashIncrementAsync(spend, "team:" + team, nano));
                }
            }

            await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(5), _timeProvider);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Entries of a half-written batch may be written twice on retry; the request id tells them apart.
            LogWriteFailed(ex.GetType().Name, batch.Count);
            return false;
        }
    }

    public void Dispose()
    {
        // Registered under several service types, so the container may dispose it more than once.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        _stopping.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            _writer.Wait(TimeSpan.FromSeconds(3));
        }
        catch (AggregateException)
        {
            // The loop ends by cancellation at shutdown.
        }

        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 410, Level = LogLevel.Warning, Message = "Usage ledger write of {Count} records failed ({Error}); retrying")]
    private partial void LogWriteFailed(string error, int count);

    [LoggerMessage(EventId = 411, Level = LogLevel.Error, Message = "Usage ledger queue is full; record of {RequestId} not stored in Redis")]
    private partial void LogDropped(string requestId);
}
