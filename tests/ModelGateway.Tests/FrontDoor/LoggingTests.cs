using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.FrontDoor;

/// <summary>One structured line per request; no prompts, completions or secrets in any log at any level.</summary>
public sealed class LoggingTests : IAsyncLifetime, IDisposable
{
    private const string Prompt = "my confidential prompt 4111-1111";
    private readonly LogCapture _logs = new();
    private SimulatorHost _simulator = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(GatewayWithSimulator.ProviderKeyVariable, GatewayWithSimulator.ProviderKey);
        _simulator = await SimulatorHost.StartAsync(options => options.RequiredApiKey = GatewayWithSimulator.ProviderKey);
        var config = TestConfig.Gateway()
            .WithProvider("sim", _simulator.BaseUrl + "/v1", credential: "env:" + GatewayWithSimulator.ProviderKeyVariable)
            .WithDeployment("qwen-sim", "sim", ["qwen3"], input: 1m, output: 1m);
        _gateway = await GatewayHost.StartAsync(
            config,
            builder =>
            {
                builder.Services.AddSingleton<ILoggerProvider>(_logs);
                builder.Logging.SetMinimumLevel(LogLevel.Trace);
            },
            "--Serilog:MinimumLevel:Default=Verbose");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    public void Dispose() => _logs.Dispose();

    [Fact]
    public async Task Each_request_logs_one_line_with_its_facts_and_nothing_secret()
    {
        using var http = _gateway.HttpClient();
        var body = "{\"model\":\"qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"" + Prompt + "\"}]}";

        using var ok = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        var reply = await ok.Content.ReadAsStringAsync();
        _simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 401 });
        using var upstreamAuthFailure = await http.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
        using var unauthenticated = await _gateway.HttpClient("mg-wrong-key").PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, upstreamAuthFailure.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);

        // Serilog renders string values quoted when it forwards to other providers; the console sink does not.
        var requestLines = _logs.Entries
            .Where(e => e.EventId == 1 && e.Category.EndsWith("RequestContextMiddleware", StringComparison.Ordinal))
            .Select(e => e.Message.Replace("\"", "", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(3, requestLines.Count);
        var first = requestLines[0];
        var requestId = ok.Headers.GetValues("x-request-id").Single();
        Assert.StartsWith(requestId + " POST /v1/chat/completions 200 key=test-key model=qwen3 provider=sim deployment=qwen-sim", first, StringComparison.Ordinal);
        Assert.Contains("cost_usd=0.0000", first, StringComparison.Ordinal);
        Assert.Contains("failure=upstream_auth_failed", requestLines[1], StringComparison.Ordinal);
        Assert.Contains(" 401 key=- ", requestLines[2], StringComparison.Ordinal);

        var everything = string.Join("\n", _logs.Entries.Select(e => e.ToString()));
        Assert.DoesNotContain(GatewayWithSimulator.ProviderKey, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(TestConfig.ClientKey, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("mg-wrong-key", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Prompt, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(reply[..Math.Min(reply.Length, 60)], everything, StringComparison.Ordinal);
    }
}
