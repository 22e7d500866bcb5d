using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelGateway.Simulator.Saturation;
using ModelGateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ModelGateway.Tests.Routing;

/// <summary>
/// Own GPUs first, rented capacity for the overflow: a vLLM-dialect simulator with capacity 4 and a rented host of
/// the same model. A burst of 40 concurrent streams must not queue more than the threshold on the self-hosted
/// server; the rest goes to the rented one; afterwards traffic returns to self-hosted. Once with the server's
/// metrics readable, once with its metrics endpoint down (the gateway's in-flight count alone).
/// </summary>
public sealed class SpillOverTests(ITestOutputHelper output)
{
    private const int Capacity = 4;
    private const int MaxWaiting = 2;
    private const int Burst = 40;

    [Theory]
    [InlineData(MetricsFault.None)]
    [InlineData(MetricsFault.Down)]
    [InlineData(MetricsFault.Garbage)]
    public async Task A_burst_spills_over_to_the_rented_host_and_returns_to_self_hosted(MetricsFault metricsFault)
    {
        await using var gpu = await SimulatorHost.StartAsync(o => { o.Name = "gpu"; o.Dialect = "vllm"; o.Capacity = Capacity; o.ChunkDelayMs = 25; });
        await using var rented = await SimulatorHost.StartAsync(o => { o.Name = "rented"; o.Dialect = "together"; o.ChunkDelayMs = 25; });
        var gate = gpu.App.Services.GetRequiredService<CapacityGate>();
        gate.MetricsFault = metricsFault;

        var logs = new LogCapture();
        await using var gateway = await GatewayHost.StartAsync(Config(gpu, rented), b => b.Logging.AddProvider(logs), "--Serilog:MinimumLevel:Default=Information");
        using var http = gateway.HttpClient();

        // Idle: self-hosted serves, and explain shows its load.
        Assert.Equal("gpu", (await StreamAsync(http)).ServedBy);
        var explained = await ExplainAsync(http);
        var gpuCandidate = explained["candidates"]!.AsArray().Single(c => c!["deployment"]!.GetValue<string>() == "qwen-gpu")!;
        Assert.False(gpuCandidate["load"]!["saturated"]!.GetValue<bool>());
        await WaitForMetricsStateAsync(http, metricsFault == MetricsFault.None ? "ok" : "failing");

        gate.ResetPeaks();
        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, Burst).Select(_ => StreamAsync(http)));
        clock.Stop();

        var load = gate.Snapshot();
        var onGpu = results.Where(r => r.ServedBy == "gpu").ToArray();
        var onRented = results.Where(r => r.ServedBy == "rented").ToArray();
        output.WriteLine(
            $"metrics {metricsFault}: {onGpu.Length}/{Burst} self-hosted ({100.0 * onGpu.Length / Burst:0}%), {onRented.Length} rented; " +
            $"TTFT self-hosted median {Median(onGpu):0} ms max {Max(onGpu):0} ms, rented median {Median(onRented):0} ms max {Max(onRented):0} ms; " +
            $"peak running {load.PeakRunning}, peak waiting {load.PeakWaiting}; burst took {clock.ElapsedMilliseconds} ms");

        Assert.All(results, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.True(load.PeakWaiting <= MaxWaiting, $"the self-hosted server had {load.PeakWaiting} requests waiting; the threshold is {MaxWaiting}");
        Assert.True(load.PeakRunning <= Capacity);
        Assert.True(onGpu.Length >= Capacity, $"only {onGpu.Length} requests were served self-hosted");
        Assert.True(onRented.Length >= Burst / 2, $"only {onRented.Length} requests spilled over to the rented host");
        Assert.Equal(Burst, onGpu.Length + onRented.Length);

        // The burst is over: traffic returns to self-hosted.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("gpu", (await StreamAsync(http)).ServedBy);
        }

        // A metrics endpoint that stays broken is logged once, not per poll or per request.
        var failing = logs.Entries.Count(e => e.EventId == 2300);
        Assert.Equal(metricsFault == MetricsFault.None ? 0 : 1, failing);

        if (metricsFault != MetricsFault.None)
        {
            gate.MetricsFault = MetricsFault.None;
            await WaitForMetricsStateAsync(http, "ok");
            Assert.Single(logs.Entries, e => e.EventId == 2301);
        }
    }

    [Fact]
    public async Task Vllm_sglang_and_llamacpp_metrics_reflect_the_real_queue()
    {
        foreach (var (dialect, waitingGauge) in new[] { ("vllm", "vllm:num_requests_waiting"), ("sglang", "sglang:num_queue_reqs"), ("llamacpp", "llamacpp:requests_deferred") })
        {
            await using var server = await SimulatorHost.StartAsync(o => { o.Name = "gpu"; o.Dialect = dialect; o.Capacity = 1; o.ChunkDelayMs = 100; });
            using var http = server.HttpClient();
            var streams = Enumerable.Range(0, 3).Select(_ => http.PostAsync("/v1/chat/completions", Body(stream: true))).ToArray();
            var text = "";
            for (var i = 0; i < 100 && !HasGauge(text, waitingGauge, " 2.0"); i++)
            {
                await Task.Delay(20);
                text = await http.GetStringAsync("/metrics");
            }

            Assert.True(HasGauge(text, waitingGauge, " 2.0"), text);
            foreach (var response in await Task.WhenAll(streams))
            {
                response.Dispose();
            }
        }
    }

    private static bool HasGauge(string text, string name, string valueSuffix) =>
        text.Split('\n').Any(l => l.StartsWith(name, StringComparison.Ordinal) && l.EndsWith(valueSuffix, StringComparison.Ordinal));

    private static JsonObject Config(SimulatorHost gpu, SimulatorHost rented)
    {
        var config = TestConfig.Gateway()
            .WithProvider("gpu", gpu.BaseUrl + "/v1", trust: "self-hosted")
            .WithProvider("rented", rented.BaseUrl + "/v1", trust: "contracted")
            .WithDeployment("qwen-gpu", "gpu", ["qwen3"], upstreamModel: "Qwen/Qwen3-32B", input: 0.05m, output: 0.1m, priority: 0)
            .WithDeployment("qwen-rented", "rented", ["qwen3"], upstreamModel: "Qwen/Qwen3-32B-rented", input: 0.5m, output: 1.5m, priority: 1);
        config["Providers"]!["gpu"]!["Dialect"] = "vllm";
        config["Providers"]!["rented"]!["Dialect"] = "together";
        config["Deployments"]!["qwen-gpu"]!["Capacity"] = new JsonObject
        {
            ["MaxInFlight"] = Capacity + MaxWaiting,
            ["MaxWaiting"] = MaxWaiting,
            ["PollInterval"] = "00:00:00.2",
        };
        return config;
    }

    private static async Task<Result> StreamAsync(HttpClient http)
    {
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Body(stream: true) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];
        double? firstChunk = null;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            firstChunk ??= clock.Elapsed.TotalMilliseconds;
        }

        var servedBy = response.Headers.TryGetValues("x-simulator", out var names) ? names.First() : "?";
        return new Result(response.StatusCode, servedBy, firstChunk ?? double.NaN);
    }

    private static async Task<JsonNode> ExplainAsync(HttpClient http)
    {
        using var response = await http.PostAsync("/v1/route/explain", Body(stream: true));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static async Task WaitForMetricsStateAsync(HttpClient http, string state)
    {
        string? seen = null;
        for (var i = 0; i < 100; i++)
        {
            var explained = await ExplainAsync(http);
            seen = explained["candidates"]!.AsArray().Single(c => c!["deployment"]!.GetValue<string>() == "qwen-gpu")!["load"]!["metrics"]!.GetValue<string>();
            if (seen == state)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"the metrics state stayed '{seen}', expected '{state}'");
    }

    private static StringContent Body(bool stream) => new(
        $$"""{"model":"qwen3","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Tell me about spill-over"}]}""",
        Encoding.UTF8,
        "application/json");

    private static double Median(Result[] results) =>
        results.Length == 0 ? double.NaN : results.Select(r => r.TimeToFirstChunkMs).Order().ElementAt(results.Length / 2);

    private static double Max(Result[] results) => results.Length == 0 ? double.NaN : results.Max(r => r.TimeToFirstChunkMs);

    private sealed record Result(HttpStatusCode Status, string ServedBy, double TimeToFirstChunkMs);
}
