using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Routing;

namespace ModelGateway.Tests.Sensitivity;

/// <summary>
/// A self-hosted simulator (dear) and a public one (cheap) that both serve "chat" and "embed" under
/// <c>cheapest</c> rules, so anything the scanner misses goes to the public one. Tests assert what it received.
/// </summary>
public abstract class TwoTierGateway : IAsyncLifetime
{
    protected SimulatorHost Local { get; private set; } = null!;

    protected SimulatorHost Cloud { get; private set; } = null!;

    protected GatewayHost Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Local = await SimulatorHost.StartAsync(o => (o.Name, o.MaxRecordedRequests) = ("local", 100_000));
        Cloud = await SimulatorHost.StartAsync(o => (o.Name, o.MaxRecordedRequests) = ("cloud", 100_000));
        var config = TestConfig.Gateway()
            .WithProvider("local", Local.BaseUrl + "/v1", trust: "self-hosted")
            .WithProvider("cloud", Cloud.BaseUrl + "/v1", trust: "public")
            .WithDeployment("local-chat", "local", ["chat"], input: 3m, output: 6m)
            .WithDeployment("cloud-chat", "cloud", ["chat"], input: 0.1m, output: 0.2m)
            .WithDeployment("local-embed", "local", ["embed"], input: 3m, output: 0m, capabilities: ["embeddings"])
            .WithDeployment("cloud-embed", "cloud", ["embed"], input: 0.1m, output: 0m, capabilities: ["embeddings"])
            .WithRoute("cheap", new JsonObject
            {
                ["Order"] = 10,
                ["Match"] = new JsonObject { ["Models"] = new JsonArray("chat", "embed") },
                ["Strategy"] = "cheapest",
            });
        Gateway = await GatewayHost.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Local.DisposeAsync();
        await Cloud.DisposeAsync();
    }

    /// <summary>Posts raw bytes (not re-encoded, so invalid UTF-8 and escapes arrive as written).</summary>
    protected static async Task<(int Status, string Body, string Deployment)> PostAsync(HttpClient client, string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text, response.Header("x-gateway-deployment"));
    }
}
