namespace ModelGateway.Accounting;

/// <summary>The ledger read side: queries go straight to the database the writer fills.</summary>
internal sealed class DatabaseUsageLedger : IUsageLedger, ILedgerReports
{
    private const int PageSize = 5000;
    private readonly ILedgerStore _store;
    private readonly LedgerWriter _writer;

    public DatabaseUsageLedger(ILedgerStore store, LedgerWriter writer)
    {
        _store = store;
        _writer = writer;
    }

    public async ValueTask<IReadOnlyList<UsageRecord>> ReadAsync(DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var query = new RequestLogQuery(
            new DateTimeOffset(first.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            new DateTimeOffset(last.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            PageSize);
        var records = new List<UsageRecord>();
        while (true)
        {
            var page = await _store.RequestsAsync(query, cancellationToken);
            records.AddRange(page.Where(r => r.Served).Select(r => r.ToUsageRecord()));
            if (page.Count < PageSize)
            {
                break;
            }

            query = query with { After = new RequestLogCursor(page[^1].Timestamp.ToUnixTimeMilliseconds(), page[^1].RequestId) };
        }

        // Oldest first, as recorded.
        records.Reverse();
        return records;
    }

    public Task<IReadOnlyList<SpendRow>> SpendAsync(SpendQuery query, CancellationToken cancellationToken) =>
        _store.SpendAsync(query, cancellationToken);

    public Task<IReadOnlyList<RequestLogEntry>> RequestsAsync(RequestLogQuery query, CancellationToken cancellationToken) =>
        _store.RequestsAsync(query, cancellationToken);

    public ValueTask FlushAsync(TimeSpan timeout) => _writer.FlushAsync(timeout);
}
