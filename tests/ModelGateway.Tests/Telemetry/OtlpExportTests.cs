using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Telemetry;

/// <summary>With an OTLP endpoint configured, metrics and traces reach a collector (here a recording HTTP server).</summary>
[Collection(nameof(SerialMetrics))]
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Metrics_and_traces_are_pushed_over_otlp_http_protobuf()
    {
        var received = new ConcurrentQueue<(string Path, string? ContentType, long Length)>();
        var collectorBuilder = WebApplication.CreateSlimBuilder();
        collectorBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var collector = collectorBuilder.Build();
        collector.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.Path.Value!, context.Request.ContentType, body.Length));
            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await collector.StartAsync();

        await using var simulator = await SimulatorHost.StartAsync();
        var config = TestConfig.Gateway()
            .WithProvider("sim", simulator.BaseUrl + "/v1")
            .WithDeployment("qwen-sim", "sim", ["qwen3"]);
        config["Telemetry"] = new JsonObject
        {
            ["Otlp"] = new JsonObject { ["Endpoint"] = collector.Urls.First(), ["Protocol"] = "http/protobuf" },
        };
        var gateway = await GatewayHost.StartAsync(config);
        using (var http = gateway.HttpClient())
        {
            using var response = await http.PostAsync("/v1/chat/completions",
                new StringContent("""{"model":"qwen3","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"));
            response.EnsureSuccessStatusCode();
        }

        // Stopping the gateway flushes both pipelines (periodic metric export, batched spans).
        await gateway.DisposeAsync();

        Assert.Contains(received, r => r.Path == "/v1/traces" && r.ContentType == "application/x-protobuf" && r.Length > 0);
        Assert.Contains(received, r => r.Path == "/v1/metrics" && r.ContentType == "application/x-protobuf" && r.Length > 0);
    }
}
