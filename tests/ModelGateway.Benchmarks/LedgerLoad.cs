using System.Diagnostics;
using System.Globalization;
using ModelGateway.Accounting;
using ModelGateway.Requests;

namespace ModelGateway.Benchmarks;

/// <summary>
/// Not a BenchmarkDotNet run: fills a ledger database with millions of rows through the real store (the same batched
/// writes the background writer makes) and times the reports over it. Figures are in docs/ledger.md.
///   dotnet run -c Release --project tests/ModelGateway.Benchmarks -- ledger sqlite 2000000
///   dotnet run -c Release --project tests/ModelGateway.Benchmarks -- ledger postgres 2000000 "Host=127.0.0.1;Port=5432;Username=postgres"
/// With <c>postgres-bulk</c> the rows are generated inside PostgreSQL (the same shapes, no gateway writes) so the
/// reports can be timed over tens of millions of rows; the rollups are then built from the log in one statement.
///   dotnet run -c Release --project tests/ModelGateway.Benchmarks -- ledger postgres-bulk 20000000 "Host=..."
/// </summary>
internal static class LedgerLoad
{
    private const int Batch = 500;
    private const int Keys = 200;
    private const int Days = 30;

    public static async Task RunAsync(string[] args)
    {
        var provider = args.Length > 0 ? args[0] : "sqlite";
        var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        var directory = Directory.CreateTempSubdirectory("mg-ledger-bench-").FullName;
        await using SqlLedgerStore store = provider.StartsWith("postgres", StringComparison.Ordinal)
            ? new PostgresLedgerStore(args[2])
            : new SqliteLedgerStore(Path.Combine(directory, "ledger.db"));
        await store.MigrateAsync(default);

        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        if (provider == "postgres-bulk")
        {
            await PostgresBulkFill.RunAsync(args[2], rows, start, Days);
            await TimeReportsAsync(store, start);
            return;
        }

        var step = TimeSpan.FromDays(Days) / rows;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var batch = new List<RequestLogEntry>(Batch);
        for (var i = 0; i < rows; i++)
        {
            batch.Add(Row(i, start + (step * i)));
            if (batch.Count == Batch || i == rows - 1)
            {
                await store.WriteAsync(batch, default);
                batch.Clear();
            }
        }

        wall.Stop();
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        Console.WriteLine($"{provider}: {rows:N0} rows in {wall.Elapsed.TotalSeconds:F1} s: {rows / wall.Elapsed.TotalSeconds:N0} rows/s wall, " +
                          $"{rows / cpu:N0} rows per gateway CPU-second");
        if (provider != "postgres")
        {
            var bytes = new DirectoryInfo(directory).GetFiles().Sum(f => f.Length);
            Console.WriteLine($"sqlite: {bytes / 1_000_000.0:N0} MB on disk, {bytes / (double)rows:N0} bytes per row (log, indexes and rollups)");
        }

        await TimeReportsAsync(store, start);
        Directory.Delete(directory, recursive: true);
    }

    private static async Task TimeReportsAsync(SqlLedgerStore store, DateTimeOffset start)
    {
        var first = DateOnly.FromDateTime(start.UtcDateTime);
        var last = first.AddDays(Days - 1);
        await TimeAsync("spend, month, groupBy=key", () => store.SpendAsync(new SpendQuery(first, last, ["key"]), default));
        await TimeAsync("spend, month, groupBy=key,model,deployment,day", () => store.SpendAsync(new SpendQuery(first, last, ["key", "model", "deployment", "day"]), default));
        await TimeAsync("spend, month, one team by day", () => store.SpendAsync(new SpendQuery(first, last, ["day"]) { TeamId = "team-3" }, default));
        var from = start.AddDays(10);
        await TimeAsync("requests, newest 100 of a day", () => store.RequestsAsync(new RequestLogQuery(from, from.AddDays(1), 100), default));
        await TimeAsync("requests, 100 of one key in the month", () => store.RequestsAsync(new RequestLogQuery(start, start.AddDays(Days), 100) { KeyId = "key-17" }, default));
        await TimeAsync("requests, 100 upstream errors in the month", () => store.RequestsAsync(new RequestLogQuery(start, start.AddDays(Days), 100) { Outcome = "upstream_error" }, default));
    }

    private static RequestLogEntry Row(int i, DateTimeOffset timestamp)
    {
        var key = i % Keys;
        var failed = i % 50 == 0;
        return new RequestLogEntry
        {
            RequestId = "req_" + i.ToString("x8", CultureInfo.InvariantCulture) + "bench0000000000",
            Timestamp = timestamp,
            DecisionId = "dec_" + i.ToString("x8", CultureInfo.InvariantCulture),
            KeyId = "key-" + key.ToString(CultureInfo.InvariantCulture),
            TeamId = "team-" + (key % 20).ToString(CultureInfo.InvariantCulture),
            Protocol = "openai",
            Operation = "chat",
            Model = "model-" + (i % 5).ToString(CultureInfo.InvariantCulture),
            ProviderId = "provider-" + (i % 3).ToString(CultureInfo.InvariantCulture),
            DeploymentId = "deployment-" + (i % 10).ToString(CultureInfo.InvariantCulture),
            Served = !failed,
            Attempts = failed ? 2 : 1,
            Status = failed ? 502 : 200,
            Outcome = failed ? "upstream_error" : "served",
            Failure = failed ? "upstream_5xx" : "",
            Usage = failed ? default : new TokenUsage(800 + (i % 400), i % 3 == 0 ? 256 : 0, 200 + (i % 100), 0),
            UsageReported = !failed,
            CostUsd = failed ? 0m : 0.00123m,
            BaselineCostUsd = failed ? 0m : 0.0045m,
            LatencyMs = 420.5,
            TimeToFirstByteMs = 95.25,
            Sensitivity = "internal",
        };
    }

    private static async Task TimeAsync<T>(string name, Func<Task<T>> query)
    {
        await query(); // warm
        var times = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var watch = Stopwatch.StartNew();
            await query();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        Console.WriteLine($"  {name}: median {times[2]:F1} ms (min {times[0]:F1}, max {times[4]:F1})");
    }
}
