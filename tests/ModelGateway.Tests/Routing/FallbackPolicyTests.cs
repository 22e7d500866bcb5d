using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Routing;

/// <summary>
/// Two simulators serve "chat": "primary" (priority 0, 300 ms response timeout) and "backup" (priority 1), under
/// the default ordered rule. Faults on the primary must move the request to the backup before any byte reaches the client.
/// </summary>
public sealed class FallbackPolicyTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new();
    private SimulatorHost _primary = null!;
    private SimulatorHost _backup = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _primary = await SimulatorHost.StartAsync(o => o.Name = "primary");
        _backup = await SimulatorHost.StartAsync(o => o.Name = "backup");
    }

    public async Task DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        await _primary.DisposeAsync();
        await _backup.DisposeAsync();
    }

    [Theory]
    [InlineData(FaultKind.Status, 500)]
    [InlineData(FaultKind.Status, 502)]
    [InlineData(FaultKind.Reset, 0)]
    [InlineData(FaultKind.Latency, 0)]
    public async Task A_failing_primary_falls_back_to_the_backup(FaultKind kind, int status)
    {
        await StartGatewayAsync();
        _primary.State.EnqueueFault(new FaultSpec { Kind = kind, Status = status == 0 ? 500 : status, LatencyMs = kind == FaultKind.Latency ? 3000 : 0 });

        using var response = await _gateway.ChatAsync("chat", "hello");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backup-chat", response.Header("x-gateway-deployment"));
        Assert.Equal("2", response.Header("x-gateway-attempts"));
        Assert.Equal(1, _primary.ChatRequests());
        Assert.Contains("backup", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_streaming_request_whose_first_provider_fails_before_the_first_byte_is_served_by_the_next()
    {
        await StartGatewayAsync();
        _primary.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 503 });

        var text = new System.Text.StringBuilder();
        await foreach (var update in _gateway.OpenAiClient().GetChatClient("chat").CompleteChatStreamingAsync([new OpenAI.Chat.UserChatMessage("hi")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.StartsWith("backup ", text.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, _primary.ChatRequests());
    }

    [Fact]
    public async Task The_attempt_budget_stops_fallback()
    {
        // A generous response timeout: the 500 under test must not race a cold start into a 504.
        await StartGatewayAsync(new JsonObject { ["MaxAttempts"] = 1 }, primaryTimeout: "00:00:05");
        await WarmUpAsync();
        _primary.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 500 });

        using var response = await _gateway.ChatAsync("chat", "hello");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("1", response.Header("x-gateway-attempts"));
        Assert.Equal(0, _backup.ChatRequests());
    }

    [Fact]
    public async Task A_429_with_retry_after_cools_the_deployment_down_for_that_long()
    {
        await StartGatewayAsync(clock: _clock);
        _primary.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 429, RetryAfterSeconds = 20 });

        using var limited = await _gateway.ChatAsync("chat", "one");
        using var cooling = await _gateway.ChatAsync("chat", "two");
        _clock.Advance(TimeSpan.FromSeconds(21));
        using var recovered = await _gateway.ChatAsync("chat", "three");

        Assert.Equal(("backup-chat", "2"), (limited.Header("x-gateway-deployment"), limited.Header("x-gateway-attempts")));
        Assert.Equal(("backup-chat", "1"), (cooling.Header("x-gateway-deployment"), cooling.Header("x-gateway-attempts")));
        Assert.Equal("primary-chat", recovered.Header("x-gateway-deployment"));
        Assert.Equal(2, _primary.ChatRequests());
    }

    [Fact]
    public async Task The_breaker_opens_after_failures_and_recovers_after_a_successful_probe()
    {
        await StartGatewayAsync(
            new JsonObject { ["Breaker"] = new JsonObject { ["MinimumThroughput"] = 2, ["FailureRatio"] = 0.5, ["BreakDuration"] = "00:00:30" } },
            _clock);
        _primary.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 500, Count = 2 });

        using var first = await _gateway.ChatAsync("chat", "one");
        using var second = await _gateway.ChatAsync("chat", "two");
        Assert.Equal("2", second.Header("x-gateway-attempts"));

        // Open: the primary is not tried at all.
        using var open = await _gateway.ChatAsync("chat", "three");
        Assert.Equal(("backup-chat", "1"), (open.Header("x-gateway-deployment"), open.Header("x-gateway-attempts")));
        var explanation = await _gateway.ExplainAsync("chat", "four");
        var primary = explanation.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("deployment").GetString() == "primary-chat");
        Assert.Equal("circuit_open", primary.GetProperty("excluded").GetString());
        Assert.Equal(2, _primary.ChatRequests());

        // After the break, the next request probes the primary; it succeeds and the breaker closes.
        _clock.Advance(TimeSpan.FromSeconds(31));
        using var probe = await _gateway.ChatAsync("chat", "five");
        using var closed = await _gateway.ChatAsync("chat", "six");
        Assert.Equal("primary-chat", probe.Header("x-gateway-deployment"));
        Assert.Equal("primary-chat", closed.Header("x-gateway-deployment"));
        Assert.Equal(4, _primary.ChatRequests());
    }

    [Fact]
    public async Task A_client_that_goes_away_does_not_count_against_the_provider()
    {
        await StartGatewayAsync(
            new JsonObject { ["Breaker"] = new JsonObject { ["MinimumThroughput"] = 2, ["FailureRatio"] = 0.5 } },
            _clock,
            primaryTimeout: "00:00:03"); // longer than the client waits, so only the client's leaving can end these calls
        await WarmUpAsync();
        for (var i = 0; i < 3; i++)
        {
            _primary.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Latency, LatencyMs = 5000 });
            using var client = _gateway.HttpClient();
            client.Timeout = TimeSpan.FromMilliseconds(150);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.PostAsync(
                "/v1/chat/completions", new StringContent("""{"model":"chat","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json")));
        }

        await Eventually(() => _primary.State.AbortedCount >= 3);
        using var response = await _gateway.ChatAsync("chat", "still healthy");
        Assert.Equal("primary-chat", response.Header("x-gateway-deployment"));
    }

    /// <summary>
    /// One served request first, so the client's 150 ms timeout measures the fault under test, not a cold start
    /// (JIT, first connection) on a busy machine.
    /// </summary>
    private async Task WarmUpAsync()
    {
        using var warm = await _gateway.ChatAsync("chat", "warm up");
        Assert.Equal("primary-chat", warm.Header("x-gateway-deployment"));
    }

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(20);
        }

        Assert.True(condition());
    }

    private async Task StartGatewayAsync(JsonObject? fallback = null, TimeProvider? clock = null, string primaryTimeout = "00:00:00.300")
    {
        var config = TestConfig.Gateway()
            .WithProvider("primary", _primary.BaseUrl + "/v1", responseTimeout: primaryTimeout)
            .WithProvider("backup", _backup.BaseUrl + "/v1")
            .WithDeployment("primary-chat", "primary", ["chat"], priority: 0)
            .WithDeployment("backup-chat", "backup", ["chat"], priority: 1);
        if (fallback is not null)
        {
            config.WithFallback(fallback);
        }

        _gateway = await GatewayHost.StartAsync(config, clock is null ? null : b => b.Services.AddSingleton(clock));
    }
}
