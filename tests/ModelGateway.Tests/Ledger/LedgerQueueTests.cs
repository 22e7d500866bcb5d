using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelGateway.Accounting;
using ModelGateway.Telemetry;

namespace ModelGateway.Tests.Ledger;

/// <summary>The request path's side of the ledger: a full queue never blocks, and what it drops is counted.</summary>
public sealed class LedgerQueueTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("mg-ledger-queue-").FullName;

    public void Dispose() => TempDirectory.Delete(_dataDirectory);

    [Fact]
    public async Task A_full_queue_drops_and_counts_the_rows_it_cannot_hold()
    {
        await using var services = new ServiceCollection()
            .AddMetrics()
            .AddSingleton<IHostEnvironment>(new HostingEnvironment { ContentRootPath = _dataDirectory })
            .Configure<LedgerOptions>(o => o.DataDirectory = _dataDirectory)
            .BuildServiceProvider();
        var options = Options.Create(new LedgerOptions { DataDirectory = _dataDirectory, QueueCapacity = 3 });
        await using var store = new SqliteLedgerStore(Path.Combine(_dataDirectory, "ledger.db"));
        var factory = services.GetRequiredService<IMeterFactory>();
        var metrics = new LedgerMetrics(factory);

        long dropped = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GatewayMetrics.MeterName && instrument.Name == "modelgateway.ledger.rows.dropped"
                && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref dropped, value));
        listener.Start();

        // The writer is not started, so nothing drains the queue: three rows fit, the other five are dropped at once.
        using var writer = new LedgerWriter(store, LedgerLocation.Resolve(services), options, metrics, TimeProvider.System, NullLogger<LedgerWriter>.Instance);
        var enqueue = Task.Run(() =>
        {
            for (var i = 0; i < 8; i++)
            {
                writer.Enqueue(new RequestLogEntry
                {
                    RequestId = "req_" + i, Timestamp = DateTimeOffset.UtcNow, KeyId = "k", Protocol = "openai", Operation = "chat", Outcome = "served",
                });
            }
        });

        Assert.Same(enqueue, await Task.WhenAny(enqueue, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.Equal(5, Interlocked.Read(ref dropped));
    }
}
