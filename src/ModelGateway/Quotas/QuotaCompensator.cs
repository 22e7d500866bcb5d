using System.Threading.Channels;

namespace ModelGateway.Quotas;

/// <summary>
/// Finishes, off the request path, the Redis calls a request gave up on. A reservation that timed out may still run
/// in Redis later (it was queued there); left alone, its hold would count as "in progress" for
/// <c>Quotas:ReservationTimeout</c>. So it is withdrawn by id as soon as Redis answers again: released if it ran,
/// tombstoned if it has not yet. A settlement that failed is retried idempotently. Each call is retried every
/// 500 ms until it succeeds or the hold would have expired by itself.
/// </summary>
internal sealed partial class QuotaCompensator : BackgroundService
{
    private const int Capacity = 100_000;
    private const int BatchSize = 256;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    private readonly RedisQuotaStore? _store;
    private readonly QuotaStoreHealth _health;
    private readonly QuotaMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<QuotaCompensator> _logger;
    private readonly Channel<QuotaCompensation> _queue = Channel.CreateBounded<QuotaCompensation>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private long _pending;
    private int _dropping;

    public QuotaCompensator(QuotaStores stores, QuotaStoreHealth health, QuotaMetrics metrics, TimeProvider timeProvider, ILogger<QuotaCompensator> logger)
    {
        _store = stores.Primary as RedisQuotaStore;
        _health = health;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>Compensations queued and not yet done (for tests and shutdown).</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>Withdraws a reservation whose caller stopped waiting for Redis.</summary>
    public void Withdraw(QuotaAsk ask) => Enqueue(new QuotaCompensation(ask, null, 0, 0));

    /// <summary>Retries a settlement that failed.</summary>
    public void Settle(QuotaAsk ask, QuotaDecision decision, long tokens, long nanoUsd) => Enqueue(new QuotaCompensation(ask, decision, tokens, nanoUsd));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_store is null)
        {
            return;
        }

        var batch = new List<QuotaCompensation>(BatchSize);
        var calls = new List<Task<bool>>(BatchSize);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            while (batch.Count > 0)
            {
                calls.Clear();
                foreach (var item in batch)
                {
                    calls.Add(TryAsync(_store, item, stoppingToken));
                }

                await Task.WhenAll(calls);
                var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
                for (var i = batch.Count - 1; i >= 0; i--)
                {
                    var done = calls[i].Result;
                    if (!done && batch[i].Ask.NowMs + batch[i].Ask.HoldMs > now)
                    {
                        continue;
                    }

                    if (!done)
                    {
                        // The hold has expired by itself meanwhile; nothing is left to withdraw.
                        _metrics.Compensated("expired");
                    }

                    batch.RemoveAt(i);
                    Interlocked.Decrement(ref _pending);
                }

                if (batch.Count > 0)
                {
                    await Task.Delay(RetryDelay, _timeProvider, stoppingToken);
                }
            }

            if (_queue.Reader.Count == 0)
            {
                Volatile.Write(ref _dropping, 0);
            }
        }
    }

    private async Task<bool> TryAsync(RedisQuotaStore store, QuotaCompensation item, CancellationToken cancellationToken)
    {
        try
        {
            if (item.Decision is null)
            {
                var released = await store.ReleaseAsync(item.Ask, cancellationToken);
                _metrics.Compensated(released ? "released" : "prevented");
            }
            else
            {
                await store.RetrySettleAsync(item.Ask, item.Decision, item.Tokens, item.NanoUsd, cancellationToken);
                _metrics.Compensated("settled");
            }

            _health.Answered();
            return true;
        }
        catch (Exception ex) when (QuotaService.IsStoreFailure(ex, cancellationToken))
        {
            return false;
        }
    }

    private void Enqueue(QuotaCompensation item)
    {
        if (_store is null)
        {
            return;
        }

        Interlocked.Increment(ref _pending);
        if (!_queue.Writer.TryWrite(item))
        {
            Interlocked.Decrement(ref _pending);
            _metrics.Compensated("dropped");
            if (Interlocked.Exchange(ref _dropping, 1) == 0)
            {
                // Once until the queue drains: the counter has every one.
                LogDropped(Capacity);
            }
        }
    }

    [LoggerMessage(EventId = 1402, Level = LogLevel.Error,
        Message = "Quota compensation queue is full ({Capacity}); reservations Redis may still run will hold until Quotas:ReservationTimeout")]
    private partial void LogDropped(int capacity);
}
