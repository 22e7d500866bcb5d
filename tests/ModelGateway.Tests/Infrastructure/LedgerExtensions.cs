using ModelGateway.Accounting;

namespace ModelGateway.Tests.Infrastructure;

internal static class LedgerExtensions
{
    /// <summary>
    /// Waits until the ledger holds <paramref name="count"/> served records and returns them, oldest first. The row
    /// is written when the request ends, after the last byte has gone to the client, and then by a background writer.
    /// </summary>
    public static async Task<IReadOnlyList<UsageRecord>> WaitForRecordsAsync(this IUsageLedger ledger, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var records = await ledger.ReadAllAsync();
            if (records.Count >= count || DateTime.UtcNow >= deadline)
            {
                return records;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Every served record from yesterday to tomorrow (UTC), after the writer has stored what is queued.</summary>
    public static async Task<IReadOnlyList<UsageRecord>> ReadAllAsync(this IUsageLedger ledger)
    {
        await ledger.FlushAsync(TimeSpan.FromSeconds(10));
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        return await ledger.ReadAsync(today.AddDays(-1), today.AddDays(1), default);
    }
}
