using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ModelGateway.Experiments;
using ModelGateway.Telemetry;
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
        ((JsonObject)config["Experiments"]!["shed-busy"]!).Remove("MaxGatewayCpu"); // the default, 0.5
        // The process's CPU time read as growing with the wall clock: one core fully busy, whatever the test host does
        // (real CPU accounting can stall for a window, and a busy test host is not a steady load). The arithmetic of
        // GatewayCpu is checked on its own below.
        var busyForever = System.Diagnostics.Stopwatch.StartNew();
        await using var gateway = await GatewayHost.StartAsync(config,
            b => b.Services.AddSingleton(new GatewayCpu(TimeProvider.System, () => busyForever.Elapsed, cores: 1)));
        using var http = gateway.HttpClient();
        await Task.Delay(300); // One full window, so the gateway has measured itself busy.

        using var sampled = new CounterProbe(gateway, GatewayMetrics.MeterName, "modelgateway.experiment.sampled");
        using var busy = new CounterProbe(gateway, GatewayMetrics.MeterName, "modelgateway.experiment.dropped", new("reason", "busy"));
        const int Requests = 40;
        await SendAsync(http, Requests, i => Chat($"busy {i.ToString(CultureInfo.InvariantCulture)}"), parallel: 4);

        Assert.Equal(Requests, sampled.Total);
        Assert.Equal(Requests, busy.Total);
        await Task.Delay(500); // Were any shadowed, their candidate calls would be under way by now.
        Assert.DoesNotContain(sim.State.Received, r => r.Body.Contains("\"cand-model\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Cpu_utilization_is_the_share_of_the_usable_cores_spent_in_the_last_completed_window()
    {
        var clock = new FakeTimeProvider();
        var cpu = TimeSpan.Zero;
        var gauge = new GatewayCpu(clock, () => cpu, cores: 2);

        cpu += TimeSpan.FromMilliseconds(250);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, gauge.Utilization); // The first window is not over yet: busy until measured.

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
}
