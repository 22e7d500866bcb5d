using System.Collections.Concurrent;

namespace ModelGateway.Accounting;

/// <summary>
/// The embedded default ledger: running totals plus the most recent records, in process memory.
/// Bounded, so a long-running single instance does not grow.
/// </summary>
internal sealed class InMemoryUsageLedger : IUsageRecorder, IUsageLedger
{
    private const int Capacity = 10_000;
    private readonly ConcurrentQueue<UsageRecord> _recent = new();
    private readonly Lock _totalsLock = new();
    private decimal _totalCostUsd;
    private long _totalRequests;

    public decimal TotalCostUsd
    {
        get
        {
            lock (_totalsLock)
            {
                return _totalCostUsd;
            }
        }
    }

    public long TotalRequests => Interlocked.Read(ref _totalRequests);

    /// <summary>The most recent records, oldest first.</summary>
    public IReadOnlyList<UsageRecord> Recent => [.. _recent];

    public void Record(UsageRecord record)
    {
        lock (_totalsLock)
        {
            _totalCostUsd += record.CostUsd;
        }

        Interlocked.Increment(ref _totalRequests);
        _recent.Enqueue(record);
        while (_recent.Count > Capacity)
        {
            _recent.TryDequeue(out _);
        }
    }

    public ValueTask<IReadOnlyList<UsageRecord>> ReadAsync(DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var start = new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        IReadOnlyList<UsageRecord> records = [.. _recent.Where(r => r.Timestamp >= start && r.Timestamp < end)];
        return ValueTask.FromResult(records);
    }

    public ValueTask FlushAsync(TimeSpan timeout) => ValueTask.CompletedTask;
}
