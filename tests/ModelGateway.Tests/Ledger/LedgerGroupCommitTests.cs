using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelGateway.Accounting;

namespace ModelGateway.Tests.Ledger;

/// <summary>
/// Group commit: rows that arrive one by one share a transaction for up to FlushIntervalMilliseconds (every
/// transaction rewrites the index pages it touches), while a full batch is written at once, never held back.
/// </summary>
public sealed class LedgerGroupCommitTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("mg-ledger-group-").FullName;

    public void Dispose() => TempDirectory.Delete(_dataDirectory);

    [Fact]
    public async Task Rows_arriving_one_by_one_within_the_interval_share_one_write()
    {
        await using var store = new CountingStore(new SqliteLedgerStore(Path.Combine(_dataDirectory, "ledger.db")));
        using var writer = await StartAsync(store, new LedgerOptions { DataDirectory = _dataDirectory, FlushIntervalMilliseconds = 1000 });

        for (var i = 0; i < 20; i++)
        {
            writer.Enqueue(Row(i));
            await Task.Delay(5);
        }

        await writer.FlushAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(20, store.Rows);
        Assert.InRange(store.Writes, 1, 2); // The first row's interval covers the rest (two if a timer is late).
        await writer.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_full_batch_is_written_at_once_whatever_the_interval()
    {
        await using var store = new CountingStore(new SqliteLedgerStore(Path.Combine(_dataDirectory, "ledger.db")));
        using var writer = await StartAsync(store, new LedgerOptions { DataDirectory = _dataDirectory, FlushIntervalMilliseconds = 5000, BatchSize = 10 });

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            writer.Enqueue(Row(i));
        }

        await writer.FlushAsync(TimeSpan.FromSeconds(10));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"a full batch waited {clock.Elapsed}");
        Assert.Equal(10, store.Rows);
        await writer.StopAsync(CancellationToken.None);
    }

    private async Task<LedgerWriter> StartAsync(ILedgerStore store, LedgerOptions options)
    {
        var services = new ServiceCollection()
            .AddMetrics()
            .AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = _dataDirectory })
            .Configure<LedgerOptions>(o => o.DataDirectory = _dataDirectory)
            .BuildServiceProvider();
        var metrics = new LedgerMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var writer = new LedgerWriter(store, LedgerLocation.Resolve(services), Options.Create(options), metrics, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);
        return writer;
    }

    private static RequestLogEntry Row(int i) => new()
    {
        RequestId = "req_group_" + i, Timestamp = DateTimeOffset.UtcNow, KeyId = "k", Protocol = "openai", Operation = "chat", Outcome = "served",
    };

    /// <summary>The real SQLite store, counting the writes (transactions) the writer makes.</summary>
    private sealed class CountingStore(ILedgerStore inner) : ILedgerStore
    {
        private int _writes;
        private int _rows;

        public int Writes => Volatile.Read(ref _writes);

        public int Rows => Volatile.Read(ref _rows);

        public bool IsRemote => inner.IsRemote;

        public async Task<int> WriteAsync(IReadOnlyList<RequestLogEntry> rows, CancellationToken cancellationToken)
        {
            var written = await inner.WriteAsync(rows, cancellationToken);
            Interlocked.Increment(ref _writes);
            Interlocked.Add(ref _rows, written);
            return written;
        }

        public Task MigrateAsync(CancellationToken cancellationToken) => inner.MigrateAsync(cancellationToken);

        public Task<IReadOnlyList<SpendRow>> SpendAsync(SpendQuery query, CancellationToken cancellationToken) => inner.SpendAsync(query, cancellationToken);

        public Task<IReadOnlyList<RequestLogEntry>> RequestsAsync(RequestLogQuery query, CancellationToken cancellationToken) =>
            inner.RequestsAsync(query, cancellationToken);

        public Task<IReadOnlyList<TeamBudget>> TeamBudgetsAsync(CancellationToken cancellationToken) => inner.TeamBudgetsAsync(cancellationToken);

        public Task ReplaceTeamBudgetsAsync(IReadOnlyList<TeamBudget> budgets, CancellationToken cancellationToken) =>
            inner.ReplaceTeamBudgetsAsync(budgets, cancellationToken);

        public Task<long> PruneAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => inner.PruneAsync(cutoff, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
