using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using ModelGateway.Quotas;
using StackExchange.Redis;

namespace ModelGateway.Accounting;

/// <summary>
/// The ledger in Redis, shared by every replica: one stream per UTC day (<c>ledger:yyyyMMdd</c>, one entry per
/// request) plus a hash of per-day spend in nano-USD by key, team, model, provider and deployment
/// (<c>spend:yyyyMMdd</c>). <see cref="Record"/> only queues; a background loop writes batches in one pipeline and
/// retries while Redis is away, so the request path never waits for the ledger. Each record is one script call
/// that writes it only if its request id was not recorded in the last <see cref="DuplicateWindow"/>, so a retried
/// batch never counts a request twice. A failing Redis is logged when writes start failing and when they resume.
/// </summary>
internal sealed partial class RedisUsageLedger : IUsageRecorder, IUsageLedger, IDisposable
{
    private const int Capacity = 100_000;
    private const int BatchSize = 256;

    /// <summary>How long a request id is remembered against a second write: far longer than any retry of its batch.</summary>
    internal static readonly TimeSpan DuplicateWindow = TimeSpan.FromHours(1);

#pragma warning disable CA5350 // Redis names a cached script by its SHA-1; this is an identifier, not security.
    private static readonly byte[] RecordSha = SHA1.HashData(Encoding.UTF8.GetBytes(UsageLedgerScript.Record));
#pragma warning restore CA5350

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
    private int _failedAttempts;

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

    internal async Task<bool> TryWriteAsync(IReadOnlyList<UsageRecord> batch)
    {
        try
        {
            var db = _redis.GetDatabase();
            var writes = new List<Task>(batch.Count);
            foreach (var record in batch)
            {
                writes.Add(WriteAsync(db, record));
            }

            await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(5), _timeProvider);
            if (_failedAttempts > 0)
            {
                LogWritesResumed(_failedAttempts);
                _failedAttempts = 0;
            }

            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Records of a half-written batch are skipped on retry: each is written once per request id.
            if (_failedAttempts++ == 0)
            {
                LogWriteFailed(ex.GetType().Name, batch.Count);
            }

            return false;
        }
    }

    private Task<RedisResult> WriteAsync(IDatabase db, UsageRecord record)
    {
        var day = record.Timestamp.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        RedisKey[] keys = [_prefix + "ledger:req:" + record.RequestId, _prefix + "ledger:" + day, _prefix + "spend:" + day];
        var fields = UsageStreamEntry.Fields(record);
        var spendFields = record.TeamId is null ? 4 : 5;
        var args = new RedisValue[3 + spendFields + (fields.Length * 2)];
        args[0] = (long)DuplicateWindow.TotalMilliseconds;
        args[1] = QuotaService.ToNano(record.CostUsd);
        args[2] = spendFields;
        args[3] = "key:" + record.KeyId;
        args[4] = "model:" + record.Model;
        args[5] = "provider:" + record.ProviderId;
        args[6] = "deployment:" + record.DeploymentId;
        if (record.TeamId is { } team)
        {
            args[7] = "team:" + team;
        }

        var at = 3 + spendFields;
        foreach (var field in fields)
        {
            args[at++] = field.Name;
            args[at++] = field.Value;
        }

        return EvaluateAsync(db, keys, args);
    }

    private static async Task<RedisResult> EvaluateAsync(IDatabase db, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await db.ScriptEvaluateAsync(RecordSha, keys, args);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            // First call on this server (or after a restart): send the script itself, which also caches it there.
            return await db.ScriptEvaluateAsync(UsageLedgerScript.Record, keys, args);
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

    [LoggerMessage(EventId = 1404, Level = LogLevel.Warning, Message = "Usage ledger write of {Count} records failed ({Error}); retrying every 500 ms until Redis answers")]
    private partial void LogWriteFailed(string error, int count);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Information, Message = "Usage ledger writes to Redis resumed after {Attempts} failed attempts")]
    private partial void LogWritesResumed(int attempts);

    [LoggerMessage(EventId = 1405, Level = LogLevel.Error, Message = "Usage ledger queue is full; record of {RequestId} not stored in Redis")]
    private partial void LogDropped(string requestId);
}
