using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Telemetry;

/// <summary>The scrape endpoint is off by default, needs no client key when on, and can be confined to its own port.</summary>
public sealed class PrometheusEndpointTests
{
    [Fact]
    public async Task The_scrape_endpoint_is_off_by_default()
    {
        await using var gateway = await GatewayHost.StartAsync(TestConfig.Gateway());
        using var http = gateway.HttpClient(key: null);

        using var response = await http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("\"error\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_enabled_it_answers_without_a_client_key_on_the_configured_path()
    {
        var config = TestConfig.Gateway();
        config["Telemetry"] = new JsonObject { ["Prometheus"] = new JsonObject { ["Enabled"] = true, ["Path"] = "/internal/metrics" } };
        await using var gateway = await GatewayHost.StartAsync(config);
        using var http = gateway.HttpClient(key: null);

        using var scrape = await http.GetAsync("/internal/metrics");
        using var defaultPath = await http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.StartsWith("text/plain", scrape.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("target_info", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, defaultPath.StatusCode);
    }

    [Fact]
    public async Task With_a_port_scrapes_are_answered_only_there_and_that_port_serves_nothing_else()
    {
        var metricsPort = FreePort();
        var config = TestConfig.Gateway();
        config["Telemetry"] = new JsonObject { ["Prometheus"] = new JsonObject { ["Enabled"] = true, ["Port"] = metricsPort } };
        await using var gateway = await GatewayHost.StartAsync(config, $"--urls=http://127.0.0.1:0;http://127.0.0.1:{metricsPort}");
        var publicUrl = gateway.App.Urls.Single(u => !u.EndsWith($":{metricsPort}", StringComparison.Ordinal));
        using var http = new HttpClient();

        using var onPublic = await http.GetAsync(publicUrl + "/metrics");
        using var onMetrics = await http.GetAsync($"http://127.0.0.1:{metricsPort}/metrics");
        using var apiOnMetrics = await http.GetAsync($"http://127.0.0.1:{metricsPort}/v1/models");
        using var health = await http.GetAsync($"http://127.0.0.1:{metricsPort}/healthz");

        Assert.Equal(HttpStatusCode.NotFound, onPublic.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onMetrics.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, apiOnMetrics.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, health.StatusCode);
    }

    [Fact]
    public async Task An_invalid_telemetry_section_stops_the_gateway_with_every_problem_listed()
    {
        var config = TestConfig.Gateway();
        config["Telemetry"] = new JsonObject
        {
            ["Prometheus"] = new JsonObject { ["Enabled"] = true, ["Path"] = "metrics" },
            ["Baseline"] = new JsonObject { ["InputPerMillion"] = 1 },
        };

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(config));

        Assert.Contains("ModelGateway:Telemetry:Prometheus:Path", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ModelGateway:Telemetry:Baseline:Name", ex.Message, StringComparison.Ordinal);
        Assert.Contains("OutputPerMillion", ex.Message, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
