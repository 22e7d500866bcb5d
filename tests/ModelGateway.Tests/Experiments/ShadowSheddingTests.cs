using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using ModelGateway.Experiments;
using ModelGateway.Tests.Infrastructure;
using static ModelGateway.Tests.Experiments.ExperimentTestConfig;

namespace ModelGateway.Tests.Experiments;

/// <summary>
/// Shadow work yields to live traffic (issue 17: the client's latency is untouched): while the gateway's CPU is above
/// the experiment's MaxGatewayCpu a sampled request is dropped before anything is copied or sent, and counted.
/// </summary>
public sealed class ShadowSheddingTests
{
    [Fact]
    public async Task A_busy_gateway_serves_every_request_and_sheds_the_shadow_calls_counting_each_as_busy()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var config = Gateway(sim)
            .WithDeployment("cand", "local", ["cand"], upstreamModel: "cand-model", input: 0.1m, output: 0.2m)
            .WithExperiment("shed-busy", ["cand"]);
        // Any CPU use at all counts as busy: every request after the first quarter second of traffic is shed.
        config["Experiments"]!["shed-busy"]!["MaxGatewayCpu"] = 0.000001;
        var (gateway, admin) = await StartAsync(config);
        await using var _ = gateway;
        using var __ = admin;
        using var http = gateway.HttpClient();

        // Traffic for longer than the CPU window, so the gateway has measured itself busy.
        var warm = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; warm.Elapsed < TimeSpan.FromMilliseconds(700); i++)
        {
            await SendAsync(http, 1, _ => Chat($"warm {i.ToString(CultureInfo.InvariantCulture)}"), parallel: 1);
        }

        using var sampled = new ExperimentCounter(gateway, "modelgateway.experiment.sampled");
        using var busy = new ExperimentCounter(gateway, "modelgateway.experiment.dropped", reason: "busy");
        const int Requests = 40;
        await SendAsync(http, Requests, i => Chat($"busy {i.ToString(CultureInfo.InvariantCulture)}"), parallel: 1);

        Assert.Equal(Requests, sampled.Total);
        Assert.Equal(Requests, busy.Total);
        // None of them reached the candidate (shadow jobs of the warm-up may still be running, so counters could move).
        Assert.DoesNotContain(sim.State.Received, r => r.Body.Contains("busy ", StringComparison.Ordinal) && r.Body.Contains("\"cand-model\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Cpu_utilization_is_the_share_of_the_usable_cores_spent_in_the_last_completed_window()
    {
        var clock = new FakeTimeProvider();
        var cpu = TimeSpan.Zero;
        var gauge = new GatewayCpu(clock, () => cpu, cores: 2);

        cpu += TimeSpan.FromMilliseconds(250);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, gauge.Utilization); // The first window is not over yet.

        clock.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Equal(0.5, gauge.Utilization, 3); // 250 ms of CPU in 250 ms on 2 cores.

        cpu += TimeSpan.FromMilliseconds(10);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(0.5, gauge.Utilization, 3); // Kept until the next window completes.

        clock.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Equal(0.005, gauge.Utilization, 3); // 10 ms in a second on 2 cores.

        cpu += TimeSpan.FromSeconds(5); // More than the cores could spend (a clock step): capped.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, gauge.Utilization);
    }

    [Fact]
    public void The_admission_share_follows_recent_decisions()
    {
        var share = new AdmissionShare();
        Assert.Equal(1, share.Share);
        for (var i = 0; i < 2000; i++)
        {
            share.Record(shadowed: i % 4 == 0);
        }

        Assert.InRange(share.Share, 0.2, 0.3);
        for (var i = 0; i < 2000; i++)
        {
            share.Record(shadowed: true);
        }

        Assert.InRange(share.Share, 0.99, 1);
    }

    /// <summary>One experiment counter of this test's gateway (its own meter factory), optionally of one reason.</summary>
    private sealed class ExperimentCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;

        public ExperimentCounter(GatewayHost gateway, string instrument, string? reason = null)
        {
            var factory = gateway.Service<IMeterFactory>();
            _listener.InstrumentPublished = (i, listener) =>
            {
                if (i.Name == instrument && ReferenceEquals(i.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(i);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (reason is null || (tag.Key == "reason" && Equals(tag.Value, reason)))
                    {
                        Interlocked.Add(ref _total, value);
                        return;
                    }
                }
            });
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public void Dispose() => _listener.Dispose();
    }
}
