using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelGateway.Configuration;
using ModelGateway.Routing;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Configuration;

/// <summary>
/// Configuration mistakes are errors with their paths, never silently dropped entries: at start-up, on every live
/// reload (a bad save keeps the last good configuration and is logged), and for timeouts beyond their maximum.
/// </summary>
public sealed class StrictConfigurationTests
{
    [Fact]
    public async Task A_start_up_file_with_wrong_types_fails_listing_every_problem()
    {
        var config = Base();
        config["Deployments"]!["a"]!["ContextWindow"] = "32k";
        config["Routes"] = new JsonObject { ["keep-local"] = new JsonObject { ["Order"] = "ten" } };

        var ex = await Assert.ThrowsAsync<GatewayConfigException>(() => GatewayHost.StartAsync(config));

        Assert.Contains("ModelGateway:Deployments:a:ContextWindow: '32k' is not an integer.", ex.Errors);
        Assert.Contains("ModelGateway:Routes:keep-local:Order: 'ten' is not an integer.", ex.Errors);
    }

    [Fact]
    public async Task A_wrong_typed_or_misspelled_edit_is_rejected_and_logged_and_the_last_good_configuration_stays()
    {
        var logs = new LogCapture();
        var config = Base();
        await using var gateway = await GatewayHost.StartAsync(config, builder => builder.Services.AddSingleton<ILoggerProvider>(logs));
        var store = gateway.Service<IGatewayConfigStore>();

        // Before: the binder dropped deployment "b" and rule "keep-local" silently, and published the rest.
        config.WithDeployment("b", "local", ["model-b"]);
        config["Deployments"]!["b"]!["ContextWindow"] = "32k";
        config["Deployments"]!["a"]!["Capabilites"] = new JsonArray("tools");
        config["Routes"] = new JsonObject { ["keep-local"] = new JsonObject { ["Order"] = "ten", ["Deployments"] = new JsonArray("a") } };
        await WriteAsync(gateway, new JsonObject { ["ModelGateway"] = config.DeepClone() });

        // The watcher may also catch the file half-written (logged as a broken file): wait for the complete edit's rejection.
        var rejection = await WaitForAsync(() => logs.Entries.FirstOrDefault(e => e.EventId == 101 && e.Message.Contains("ContextWindow", StringComparison.Ordinal)));
        Assert.Contains("ModelGateway:Deployments:b:ContextWindow: '32k' is not an integer.", rejection.Message, StringComparison.Ordinal);
        Assert.Contains("ModelGateway:Deployments:a:Capabilites: unknown field", rejection.Message, StringComparison.Ordinal);
        Assert.Contains("ModelGateway:Routes:keep-local:Order: 'ten' is not an integer.", rejection.Message, StringComparison.Ordinal);
        Assert.Equal(1, store.Current.Version);
        Assert.Equal(["model-a"], store.Current.ModelIds.ToArray());
    }

    [Fact]
    public async Task Broken_json_or_a_lost_section_saved_while_running_is_logged_and_a_good_save_still_applies()
    {
        var logs = new LogCapture();
        var config = Base();
        await using var gateway = await GatewayHost.StartAsync(config, builder => builder.Services.AddSingleton<ILoggerProvider>(logs));
        var store = gateway.Service<IGatewayConfigStore>();

        await File.WriteAllTextAsync(gateway.ConfigPath, "{\"ModelGateway\": {\"Deployments\": ");
        var broken = await WaitForAsync(() => logs.Entries.FirstOrDefault(e => e.EventId == 101));
        Assert.Contains($"{gateway.ConfigPath}: the file is not valid JSON configuration", broken.Message, StringComparison.Ordinal);
        Assert.Equal(1, store.Current.Version);

        await WriteAsync(gateway, new JsonObject { ["Serilog"] = new JsonObject() });
        await WaitForAsync(() => logs.Entries.FirstOrDefault(e => e.EventId == 101
            && e.Message.Contains("has no top-level", StringComparison.Ordinal)));
        Assert.Equal(1, store.Current.Version);
        Assert.Equal(["model-a"], store.Current.ModelIds.ToArray());

        config.WithDeployment("b", "local", ["model-b"]);
        var changed = new TaskCompletionSource();
        using var registration = store.GetChangeToken().RegisterChangeCallback(_ => changed.TrySetResult(), null);
        await WriteAsync(gateway, new JsonObject { ["ModelGateway"] = config.DeepClone() });
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(["model-a", "model-b"], store.Current.ModelIds.ToArray());
    }

    [Theory]
    [InlineData("ResponseTimeout")]
    [InlineData("ConnectTimeout")]
    public void A_provider_timeout_beyond_the_maximum_is_refused_with_the_maximum_named(string field)
    {
        var options = new GatewayOptions
        {
            Providers = { ["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "http://127.0.0.1:9/v1", Trust = "self-hosted" } },
        };
        typeof(ProviderOptions).GetProperty(field)!.SetValue(options.Providers["p"], TimeSpan.FromDays(50));

        var errors = new List<string>();
        GatewayConfigBuilder.TryBuild(options, _ => null, errors);

        Assert.Contains(errors, e => e.StartsWith("Providers:p:", StringComparison.Ordinal) && e.Contains("at most 01:00:00", StringComparison.Ordinal));
    }

    [Fact]
    public void Fallback_durations_beyond_the_maximum_are_refused()
    {
        var options = new GatewayOptions
        {
            Fallback = new FallbackOptions
            {
                TimeBudget = TimeSpan.FromDays(50),
                MaxCoolDown = TimeSpan.FromDays(50),
                Breaker = new BreakerOptions { BreakDuration = TimeSpan.FromDays(50) },
            },
        };

        var errors = new List<string>();
        GatewayConfigBuilder.TryBuild(options, _ => null, errors);

        Assert.Contains(errors, e => e.StartsWith("Fallback:TimeBudget", StringComparison.Ordinal) && e.Contains("01:00:00", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Fallback:MaxCoolDown", StringComparison.Ordinal) && e.Contains("01:00:00", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Fallback:Breaker", StringComparison.Ordinal) && e.Contains("01:00:00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_longest_accepted_timeouts_still_serve_requests()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        var config = TestConfig.Gateway()
            .WithProvider("sim", simulator.BaseUrl + "/v1", responseTimeout: "01:00:00")
            .WithDeployment("qwen", "sim", ["qwen3"]);
        config["Providers"]!["sim"]!["ConnectTimeout"] = "01:00:00";
        config["Fallback"] = new JsonObject
        {
            ["TimeBudget"] = "01:00:00",
            ["MaxCoolDown"] = "01:00:00",
            ["Breaker"] = new JsonObject { ["SamplingDuration"] = "01:00:00", ["BreakDuration"] = "01:00:00" },
        };
        await using var gateway = await GatewayHost.StartAsync(config);
        using var client = gateway.HttpClient();

        using var response = await client.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(
            """{"model":"qwen3","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_quick_start_key_is_warned_about_at_start_up()
    {
        var logs = new LogCapture();
        var config = Base();
        config["Keys"]!["copied"] = new JsonObject { ["Sha256"] = ModelGateway.FrontDoor.ClientAuthenticationMiddleware.HashKey("mg-quickstart-key") };

        await using var gateway = await GatewayHost.StartAsync(config, builder => builder.Services.AddSingleton<ILoggerProvider>(logs));

        var warning = Assert.Single(logs.Entries, e => e.EventId == 1200);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("copied", warning.Message, StringComparison.Ordinal);
    }

    private static JsonObject Base() => TestConfig.Gateway()
        .WithProvider("local", "http://127.0.0.1:9/v1")
        .WithDeployment("a", "local", ["model-a"]);

    private static Task WriteAsync(GatewayHost gateway, JsonObject document) =>
        File.WriteAllTextAsync(gateway.ConfigPath, document.ToJsonString());

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The expected log entry did not appear within 10 seconds.");
    }
}
