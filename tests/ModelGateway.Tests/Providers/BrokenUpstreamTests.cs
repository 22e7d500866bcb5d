using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelGateway.Accounting;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Chat;
using ModelGateway.Requests;

namespace ModelGateway.Tests.Providers;

/// <summary>
/// Upstreams that answer 200 with something broken: a body that is not a JSON object, one endless stream event,
/// negative usage. For every provider kind, over real sockets: the gateway in front of simulators with faults.
/// </summary>
public sealed class BrokenUpstreamTests
{
    private static readonly string[] BrokenBodies = ["truncated", "html", "random", "null", "empty"];

    [Theory]
    [MemberData(nameof(ProviderKindHost.Kinds), MemberType = typeof(ProviderKindHost))]
    public async Task A_broken_200_falls_back_to_the_next_deployment_and_only_the_answer_served_is_billed(string kind)
    {
        await using var backup = await SimulatorHost.StartAsync(o => o.Name = "backup");
        await using var host = await ProviderKindHost.StartAsync(kind, config => AddBackup(config, backup.BaseUrl));
        var chat = host.Gateway.OpenAiClient().GetChatClient("m");
        var ledger = host.Gateway.Service<IUsageLedger>();

        for (var i = 0; i < BrokenBodies.Length; i++)
        {
            host.Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.BrokenBody, Body = BrokenBodies[i] });

            var completion = await chat.CompleteChatAsync([new UserChatMessage("hello")]);

            Assert.StartsWith("backup says", completion.Value.Content[0].Text, StringComparison.Ordinal);
            Assert.True(completion.GetRawResponse().Headers.TryGetValue("x-gateway-deployment", out var deployment));
            Assert.Equal("backup-m", deployment);
            var records = await ledger.WaitForRecordsAsync(i + 1);
            Assert.Equal(i + 1, records.Count);
            Assert.All(records, r => Assert.Equal("backup-m", r.DeploymentId));
        }

        Assert.Equal(BrokenBodies.Length, host.Simulator.State.Received.Count);
    }

    [Theory]
    [MemberData(nameof(ProviderKindHost.Kinds), MemberType = typeof(ProviderKindHost))]
    public async Task A_broken_200_with_no_other_deployment_is_a_502_upstream_error_and_not_billed(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind);
        using var http = host.Gateway.HttpClient();

        foreach (var body in BrokenBodies)
        {
            host.Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.BrokenBody, Body = body });
            using var request = ChatRequest(stream: false);
            using var response = await http.SendAsync(request);

            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var envelope = error.RootElement.GetProperty("error");
            Assert.Equal("upstream_error", envelope.GetProperty("code").GetString());
            Assert.Equal("server_error", envelope.GetProperty("type").GetString());
        }

        Assert.Empty(await host.Gateway.Service<IUsageLedger>().ReadAllAsync());
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("azure-openai")]
    [InlineData("gemini")]
    public async Task A_broken_200_to_an_embeddings_request_falls_back(string kind)
    {
        await using var backup = await SimulatorHost.StartAsync(o => o.Name = "backup");
        await using var host = await ProviderKindHost.StartAsync(kind, config => AddBackup(config, backup.BaseUrl));
        host.Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.BrokenBody, Body = "null" });

        var embedding = await host.Gateway.OpenAiClient().GetEmbeddingClient("embed").GenerateEmbeddingAsync("hello");

        Assert.True(embedding.GetRawResponse().Headers.TryGetValue("x-gateway-deployment", out var deployment));
        Assert.Equal("backup-m", deployment);
        Assert.NotEmpty(embedding.Value.ToFloats().ToArray());
    }

    [Theory]
    [MemberData(nameof(ProviderKindHost.Kinds), MemberType = typeof(ProviderKindHost))]
    public async Task An_endless_first_stream_event_is_refused_and_falls_back(string kind)
    {
        await using var backup = await SimulatorHost.StartAsync(o => o.Name = "backup");
        await using var host = await ProviderKindHost.StartAsync(kind, config =>
        {
            AddBackup(config, backup.BaseUrl);
            config["Limits"] = new JsonObject { ["MaxStreamEventBytes"] = 64 * 1024 };
        });
        host.Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.OversizedEvent, EventBytes = 100L * 1024 * 1024, AfterChunks = 0 });
        var text = new StringBuilder();

        await foreach (var update in host.Gateway.OpenAiClient().GetChatClient("m").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        Assert.StartsWith("backup says", text.ToString(), StringComparison.Ordinal);
        Assert.Equal("backup-m", Assert.Single(await host.Gateway.Service<IUsageLedger>().WaitForRecordsAsync(1)).DeploymentId);
    }

    [Theory]
    [MemberData(nameof(ProviderKindHost.Kinds), MemberType = typeof(ProviderKindHost))]
    public async Task An_endless_stream_event_with_no_other_deployment_is_a_502_event_too_large(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind, config => config["Limits"] = new JsonObject { ["MaxStreamEventBytes"] = 64 * 1024 });
        using var http = host.Gateway.HttpClient();
        host.Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.OversizedEvent, EventBytes = 100L * 1024 * 1024, AfterChunks = 0 });
        using var request = ChatRequest(stream: true);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("upstream_event_too_large", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(await host.Gateway.Service<IUsageLedger>().ReadAllAsync());
    }

    [Theory]
    [MemberData(nameof(ProviderKindHost.Kinds), MemberType = typeof(ProviderKindHost))]
    public async Task An_endless_event_after_the_stream_started_ends_it_with_an_error_event_and_stops_the_upstream(string kind)
    {
        // The default bound (4 MiB) against a 100 MB event: the gateway must stop reading long before the end.
        await using var host = await ProviderKindHost.StartAsync(kind);
        using var http = host.Gateway.HttpClient();
        host.Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.OversizedEvent, EventBytes = 100L * 1024 * 1024, AfterChunks = 2 });
        using var request = ChatRequest(stream: true);
        var clock = Stopwatch.StartNew();

        using var response = await http.SendAsync(request);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(events.Length >= 2, string.Join(" | ", events));
        Assert.StartsWith("data: ", events[^1], StringComparison.Ordinal);
        using var last = JsonDocument.Parse(events[^1]["data: ".Length..]);
        Assert.Equal("upstream_event_too_large", last.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain(events, e => e.Contains("aaaa", StringComparison.Ordinal));

        // The upstream connection was closed: the simulator saw its reader go away before the 100 MB were sent.
        await host.Simulator.State.WaitForAbortAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, host.Simulator.State.AbortedCount);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
    }

    [Theory]
    [MemberData(nameof(ProviderKindHost.Kinds), MemberType = typeof(ProviderKindHost))]
    public async Task Negative_usage_is_clamped_to_zero_and_warned_about_once(string kind)
    {
        var logs = new LogCapture();
        await using var host = await ProviderKindHost.StartAsync(kind, configureHost: b => b.Services.AddSingleton<ILoggerProvider>(logs));
        using var http = host.Gateway.HttpClient();
        host.Simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.BadUsage, PromptTokens = -5, Count = 3 });

        for (var i = 0; i < 3; i++)
        {
            using var request = ChatRequest(stream: i == 2);
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            _ = await response.Content.ReadAsStringAsync();
        }

        var records = await host.Gateway.Service<IUsageLedger>().WaitForRecordsAsync(3);
        Assert.Equal(3, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal(0, r.Usage.PromptTokens);
            Assert.True(r.Usage.CompletionTokens > 0);
            Assert.True(r.CostUsd > 0m, $"cost {r.CostUsd}");
        });
        var warning = Assert.Single(logs.Entries, e => e.EventId == 1500);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("native-m", warning.Message, StringComparison.Ordinal);
    }

    private static HttpRequestMessage ChatRequest(bool stream) => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Content = new StringContent(
            $$"""{"model":"m","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"),
    };

    /// <summary>A second deployment of "m" and "embed" on another simulator (OpenAI format), tried after the native one.</summary>
    private static void AddBackup(JsonObject config, string backupUrl)
    {
        ProviderKindHost.AddProvider(config, "backup", "openai", backupUrl);
        config["Deployments"]!["backup-m"] = new JsonObject
        {
            ["Provider"] = "backup",
            ["Models"] = new JsonArray("m", "embed"),
            ["UpstreamModel"] = "sim-small",
            ["Priority"] = 1,
            ["Price"] = new JsonObject { ["InputPerMillion"] = 1, ["OutputPerMillion"] = 2 },
            ["Capabilities"] = new JsonArray("chat", "tools", "vision", "json_schema", "embeddings"),
        };
    }
}
