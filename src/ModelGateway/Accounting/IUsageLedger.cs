namespace ModelGateway.Accounting;

/// <summary>Reads the usage ledger back: every request a deployment served (and so billed) from the first to the last UTC date, inclusive.</summary>
public interface IUsageLedger
{
    ValueTask<IReadOnlyList<UsageRecord>> ReadAsync(DateOnly first, DateOnly last, CancellationToken cancellationToken);

    /// <summary>Waits until every record recorded so far is stored (writes are batched in the background).</summary>
    ValueTask FlushAsync(TimeSpan timeout);
}
