namespace ModelGateway.Accounting;

/// <summary>The admin reports over the ledger database: spend from the daily rollups, and the request log.</summary>
public interface ILedgerReports
{
    /// <summary>Spend summed from the daily rollups.</summary>
    Task<IReadOnlyList<SpendRow>> SpendAsync(SpendQuery query, CancellationToken cancellationToken);

    /// <summary>One page of the request log, newest first.</summary>
    Task<IReadOnlyList<RequestLogEntry>> RequestsAsync(RequestLogQuery query, CancellationToken cancellationToken);
}
