using System.Text.Json.Nodes;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.FrontDoor;

/// <summary>
/// A simulator acting as a self-hosted OpenAI-compatible provider, and a gateway in front of it serving the public
/// model "qwen3" (upstream name "Qwen/Qwen3-32B") and "embed-small". One pair per test class instance.
/// </summary>
public abstract class GatewayWithSimulator : IAsyncLifetime
{
    public const string ProviderKey = "sk-upstream-secret-0123456789";
    public const string ProviderKeyVariable = "MG_TEST_SIM_KEY";

    protected SimulatorHost Simulator { get; private set; } = null!;

    protected GatewayHost Gateway { get; private set; } = null!;

    protected SimulatorState Upstream => Simulator.State;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(ProviderKeyVariable, ProviderKey);
        Simulator = await SimulatorHost.StartAsync(options =>
        {
            options.Name = "sim";
            options.RequiredApiKey = ProviderKey;
            ConfigureSimulator(options);
        });
        var config = TestConfig.Gateway()
            .WithProvider("sim", Simulator.BaseUrl + "/v1", credential: "env:" + ProviderKeyVariable, responseTimeout: "00:00:02")
            .WithDeployment("qwen-sim", "sim", ["qwen3"], upstreamModel: "Qwen/Qwen3-32B", input: 0.5m, output: 1.5m, cached: 0.25m)
            .WithDeployment("embed-sim", "sim", ["embed-small"], capabilities: ["embeddings"], input: 0.02m, output: 0m);
        ConfigureGateway(config);
        Gateway = await GatewayHost.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Simulator.DisposeAsync();
    }

    protected virtual void ConfigureSimulator(SimulatorOptions options)
    {
    }

    protected virtual void ConfigureGateway(JsonObject config)
    {
    }
}
