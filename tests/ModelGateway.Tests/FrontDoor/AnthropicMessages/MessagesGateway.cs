using System.Text.Json.Nodes;
using Anthropic;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.FrontDoor.AnthropicMessages;

/// <summary>
/// One simulator playing two providers, and a gateway in front: "qwen3-coder" on an OpenAI-compatible (self-hosted)
/// deployment, reached by Anthropic clients through the alias "claude-sonnet-4-5" (translated), and "claude-direct"
/// on an Anthropic-kind deployment (pass-through, upstream name <see cref="AnthropicUpstreamModel"/>).
/// </summary>
public abstract class MessagesGateway : IAsyncLifetime
{
    public const string ProviderKey = "sk-messages-upstream-0123456789";
    public const string ProviderKeyVariable = "MG_TEST_MESSAGES_KEY";
    public const string TranslatedModel = "claude-sonnet-4-5";
    public const string NativeModel = "claude-direct";
    public const string AnthropicUpstreamModel = "claude-upstream-sonnet";

    protected SimulatorHost Simulator { get; private set; } = null!;

    protected GatewayHost Gateway { get; private set; } = null!;

    protected SimulatorState Upstream => Simulator.State;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(ProviderKeyVariable, ProviderKey);
        Simulator = await SimulatorHost.StartAsync(o =>
        {
            o.Name = "sim";
            o.RequiredApiKey = ProviderKey;
        });
        var config = TestConfig.Gateway()
            .WithProvider("selfhosted", Simulator.BaseUrl + "/v1", credential: "env:" + ProviderKeyVariable, responseTimeout: "00:00:05")
            .WithProvider("anthropic", Simulator.BaseUrl + "/v1", trust: "contracted", credential: "env:" + ProviderKeyVariable, responseTimeout: "00:00:05")
            .WithDeployment("qwen-coder", "selfhosted", ["qwen3-coder"], upstreamModel: "Qwen/Qwen3-Coder-30B-A3B-Instruct", input: 0.2m, output: 0.6m)
            .WithDeployment("claude-direct", "anthropic", [NativeModel], upstreamModel: AnthropicUpstreamModel, input: 3m, output: 15m, cached: 0.3m);
        config["Providers"]!["anthropic"]!["Kind"] = "anthropic";
        config["Deployments"]!["claude-direct"]!["Price"]!["CacheWriteInputPerMillion"] = 3.75m;
        config["Aliases"] = new JsonObject { [TranslatedModel] = "qwen3-coder" };
        config["Limits"] = new JsonObject { ["MaxRequestBodyBytes"] = 1024 * 1024 };
        Gateway = await GatewayHost.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Simulator.DisposeAsync();
    }

    /// <summary>The official Anthropic .NET SDK pointed at the gateway, retries off so each status is seen.</summary>
    protected AnthropicClient Sdk(string key = TestConfig.ClientKey) => new()
    {
        ApiKey = key,
        BaseUrl = Gateway.BaseUrl,
        MaxRetries = 0,
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>A raw client sending the key as <c>x-api-key</c> and <c>anthropic-version</c>, as Anthropic clients do.</summary>
    protected HttpClient Raw(string? key = TestConfig.ClientKey)
    {
        var client = Gateway.HttpClient(key: null);
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("x-api-key", key);
        }

        client.DefaultRequestHeaders.Add("anthropic-version", "2023-06-01");
        return client;
    }
}
