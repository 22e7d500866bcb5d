using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Providers;

/// <summary>
/// A simulator and a gateway whose model "m" is served by one provider kind speaking its native API to the
/// simulator: openai, anthropic, gemini, azure-openai (classic deployment URLs) or azure-v1.
/// </summary>
public sealed class ProviderKindHost : IAsyncDisposable
{
    public const string ProviderKey = "sk-native-upstream-key";
    public const string ProviderKeyVariable = "MG_TEST_NATIVE_KEY";
    public const string UpstreamModel = "sim-large";

    public static readonly TheoryData<string> Kinds = new() { "openai", "anthropic", "gemini", "azure-openai", "azure-v1" };

    private ProviderKindHost(SimulatorHost simulator, GatewayHost gateway)
    {
        Simulator = simulator;
        Gateway = gateway;
    }

    public SimulatorHost Simulator { get; }

    public GatewayHost Gateway { get; }

    public static async Task<ProviderKindHost> StartAsync(
        string kind, Action<JsonObject>? configure = null, int defaultChunks = 8, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configureHost = null)
    {
        Environment.SetEnvironmentVariable(ProviderKeyVariable, ProviderKey);
        var simulator = await SimulatorHost.StartAsync(o =>
        {
            o.Name = "sim";
            o.RequiredApiKey = ProviderKey;
            o.DefaultChunks = defaultChunks;
        });
        var config = TestConfig.Gateway();
        AddProvider(config, "native", kind, simulator.BaseUrl);
        config.WithDeployment("native-m", "native", ["m", "embed"], upstreamModel: UpstreamModel, input: 1m, output: 2m, cached: 0.5m,
            capabilities: ["chat", "tools", "vision", "json_schema", "embeddings"]);
        configure?.Invoke(config);
        var gateway = await GatewayHost.StartAsync(config, configureHost);
        return new ProviderKindHost(simulator, gateway);
    }

    public static void AddProvider(JsonObject config, string id, string kind, string simulatorUrl, string responseTimeout = "00:00:05")
    {
        var (providerKind, baseUrl) = kind switch
        {
            "openai" => ("openai", simulatorUrl + "/v1"),
            "anthropic" => ("anthropic", simulatorUrl + "/v1"),
            "gemini" => ("gemini", simulatorUrl + "/v1beta"),
            _ => ("azure-openai", simulatorUrl),
        };
        config.WithProvider(id, baseUrl, credential: "env:" + ProviderKeyVariable, responseTimeout: responseTimeout);
        var provider = config["Providers"]![id]!;
        provider["Kind"] = providerKind;
        if (kind == "azure-v1")
        {
            provider["ApiSurface"] = "v1";
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
