using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Routing;

namespace ModelGateway.Tests.FrontDoor;

/// <summary><c>/readyz</c> passes only when something can be served; probes do not flood the request log.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Readyz_is_503_with_no_deployments_configured()
    {
        await using var gateway = await GatewayHost.StartAsync(TestConfig.Gateway());
        using var http = gateway.HttpClient(key: null);

        using var ready = await http.GetAsync("/readyz");
        using var live = await http.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("""{"status":"no_deployments"}""", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Readyz_is_503_while_every_deployment_has_an_open_breaker_and_ready_again_after_the_break()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var simulator = await SimulatorHost.StartAsync();
        var config = TestConfig.Gateway()
            .WithProvider("sim", simulator.BaseUrl + "/v1")
            .WithDeployment("only", "sim", ["chat"])
            .WithTwoStrikeBreaker();
        await using var gateway = await GatewayHost.StartAsync(config, b => b.Services.AddSingleton<TimeProvider>(clock));
        using var http = gateway.HttpClient(key: null);

        using (var before = await http.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            Assert.Equal("""{"status":"ready"}""", await before.Content.ReadAsStringAsync());
        }

        simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 500, Count = 2 });
        using (var first = await gateway.ChatAsync("chat", "one"))
        using (var second = await gateway.ChatAsync("chat", "two"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, second.StatusCode);
        }

        using (var open = await http.GetAsync("/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, open.StatusCode);
            Assert.Equal("""{"status":"no_available_deployments"}""", await open.Content.ReadAsStringAsync());
        }

        clock.Advance(TimeSpan.FromSeconds(31));
        using var after = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Probes_are_logged_at_debug_and_real_requests_keep_their_request_line()
    {
        var logs = new LogCapture();
        await using var simulator = await SimulatorHost.StartAsync();
        var config = TestConfig.Gateway().WithProvider("sim", simulator.BaseUrl + "/v1").WithDeployment("only", "sim", ["chat"]);
        await using var gateway = await GatewayHost.StartAsync(
            config,
            b =>
            {
                b.Services.AddSingleton<ILoggerProvider>(logs);
                b.Logging.SetMinimumLevel(LogLevel.Trace);
            },
            "--Serilog:MinimumLevel:Default=Verbose");
        using var http = gateway.HttpClient(key: null);

        for (var i = 0; i < 3; i++)
        {
            using var health = await http.GetAsync("/healthz");
            using var ready = await http.GetAsync("/readyz");
        }

        using var chat = await gateway.ChatAsync("chat", "hello");
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);

        await Simulator.Eventually.TrueAsync(() => logs.Entries.Any(e => e.EventId == 1 && e.Message.Contains("/v1/chat/completions", StringComparison.Ordinal)));
        var requestLines = logs.Entries.Where(e => e.EventId == 1).ToList();
        Assert.DoesNotContain(requestLines, e => e.Message.Contains("/healthz", StringComparison.Ordinal) || e.Message.Contains("/readyz", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, Assert.Single(requestLines).Level);
        var probes = logs.Entries.Where(e => e.EventId == 1501).ToList();
        Assert.Equal(6, probes.Count);
        Assert.All(probes, e => Assert.Equal(LogLevel.Debug, e.Level));
    }
}
