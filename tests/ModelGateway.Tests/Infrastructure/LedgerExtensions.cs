using ModelGateway.Accounting;

namespace ModelGateway.Tests.Infrastructure;

internal static class LedgerExtensions
{
    /// <summary>
    /// Waits until the ledger holds <paramref name="count"/> records. Usage is settled after the last byte has gone
    /// to the client (that is when it is known), so a client can finish reading a moment before the record exists.
    /// </summary>
    public static async Task<IReadOnlyList<UsageRecord>> WaitForRecordsAsync(this InMemoryUsageLedger ledger, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (ledger.Recent.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        return ledger.Recent;
    }
}
