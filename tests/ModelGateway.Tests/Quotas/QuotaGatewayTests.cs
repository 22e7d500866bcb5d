using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Accounting;
using ModelGateway.Quotas;
using ModelGateway.Tests.Infrastructure;
using OpenAI;
using OpenAI.Chat;

namespace ModelGateway.Tests.Quotas;

/// <summary>Quotas through the real gateway (Redis-backed and embedded): settlement of streams, headers, keys, SDK back-off.</summary>
public sealed class QuotaGatewayTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;
    private string _redis = null!;

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync();
        _redis = await RedisServer.SharedAddressAsync();
    }

    public async Task DisposeAsync() => await _simulator.DisposeAsync();

    [Fact]
    public async Task A_streamed_request_settles_the_usage_from_the_upstream_usage_chunk()
    {
        await using var gateway = await GatewayHost.StartAsync(BudgetConfig());
        var chat = gateway.OpenAiClient().GetChatClient(QuotaTestConfig.Model);
        var words = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream to me")]))
        {
            words += update.ContentUpdate.Count(p => p.Text.Length > 0);
        }

        Assert.Equal(8, words);
        var record = await SingleLedgerRecordAsync(gateway);
        Assert.True(record.UsageReported);
        Assert.Equal(8, record.Usage.CompletionTokens);
        Assert.Equal("team-a", record.TeamId);
        var usage = await TeamUsageAsync(gateway);
        Assert.Equal(QuotaService.ToNano(record.CostUsd), usage.SpentDayNano);
        Assert.Equal(0, usage.HeldDayNano);
    }

    [Fact]
    public async Task A_stream_cut_mid_way_settles_an_estimate_never_zero()
    {
        await using var gateway = await GatewayHost.StartAsync(BudgetConfig());
        using var client = gateway.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = QuotaTestConfig.ChatBody("cut me", stream: true, maxTokens: 100) };
        request.Headers.Add("x-sim-fault", "cut=3");
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("upstream_stream_interrupted", body, StringComparison.Ordinal);

        var record = await SingleLedgerRecordAsync(gateway);
        Assert.False(record.UsageReported);
        Assert.True(record.Usage.PromptTokens > 0);
        Assert.InRange(record.Usage.CompletionTokens, 3, 4);
        Assert.True(record.CostUsd > 0m);
        var usage = await TeamUsageAsync(gateway);
        Assert.Equal(QuotaService.ToNano(record.CostUsd), usage.SpentDayNano);
        Assert.Equal(0, usage.InFlight);
    }

    [Fact]
    public async Task The_OpenAI_SDK_gets_429_with_retry_after_backs_off_and_then_succeeds()
    {
        var config = QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(_redis, RedisServer.NewPrefix(), window: "00:00:02")
            .WithTestKey(limits: new JsonObject { ["RequestsPerMinute"] = 1 });
        await using var gateway = await GatewayHost.StartAsync(config);
        var noRetries = gateway.OpenAiClient().GetChatClient(QuotaTestConfig.Model);
        await noRetries.CompleteChatAsync([new UserChatMessage("first")]);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => noRetries.CompleteChatAsync([new UserChatMessage("second")]));
        Assert.Equal(429, refused.Status);
        var raw = refused.GetRawResponse()!;
        Assert.True(raw.Headers.TryGetValue("retry-after", out var retryAfter));
        Assert.InRange(int.Parse(retryAfter!, System.Globalization.CultureInfo.InvariantCulture), 1, 2);
        Assert.True(raw.Headers.TryGetValue("retry-after-ms", out _));
        Assert.True(raw.Headers.TryGetValue("x-ratelimit-reset-requests", out _));

        // The SDK's own retry policy honours retry-after: it waits for the window and then gets through.
        var withRetries = gateway.OpenAiClient(maxRetries: 3).GetChatClient(QuotaTestConfig.Model);
        var clock = Stopwatch.StartNew();
        var result = await withRetries.CompleteChatAsync([new UserChatMessage("third")]);
        Assert.Equal(ChatFinishReason.Stop, result.Value.FinishReason);
        Assert.True(clock.Elapsed > TimeSpan.FromMilliseconds(300), $"answered after {clock.Elapsed}: no back-off happened");
        Assert.Equal(2, _simulator.State.Received.Count);
    }

    [Fact]
    public async Task Every_response_carries_the_rate_limit_headers_of_the_tightest_scope()
    {
        var config = QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(_redis, RedisServer.NewPrefix())
            .WithTeam("team-h", new JsonObject { ["RequestsPerMinute"] = 100, ["TokensPerMinute"] = 100_000 })
            .WithTestKey(team: "team-h", limits: new JsonObject { ["RequestsPerMinute"] = 5 });
        await using var gateway = await GatewayHost.StartAsync(config);
        using var client = gateway.HttpClient();
        using var response = await client.PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("5", response.Headers.GetValues("x-ratelimit-limit-requests").Single());
        Assert.Equal("4", response.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.Equal("100000", response.Headers.GetValues("x-ratelimit-limit-tokens").Single());
        var remainingTokens = long.Parse(response.Headers.GetValues("x-ratelimit-remaining-tokens").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(remainingTokens, 99_000, 99_999);
        Assert.EndsWith("s", response.Headers.GetValues("x-ratelimit-reset-requests").Single(), StringComparison.Ordinal);
        Assert.EndsWith("s", response.Headers.GetValues("x-ratelimit-reset-tokens").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_exhausted_budget_is_insufficient_quota_and_says_not_to_retry()
    {
        var config = QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(_redis, RedisServer.NewPrefix())
            .WithTestKey(limits: new JsonObject { ["UsdPerMonth"] = 0.000001m });
        await using var gateway = await GatewayHost.StartAsync(config);
        using var client = gateway.HttpClient();
        using var response = await client.PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody());

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("false", response.Headers.GetValues("x-should-retry").Single());
        Assert.False(response.Headers.Contains("retry-after"));
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("insufficient_quota", error.GetProperty("code").GetString());
        Assert.Equal("insufficient_quota", error.GetProperty("type").GetString());
        Assert.Contains("key 'test-key'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_simulator.State.Received);
    }

    [Fact]
    public async Task Expired_keys_are_refused_and_models_outside_the_allow_list_are_not_found()
    {
        var config = QuotaTestConfig.Gateway(_simulator)
            .WithDeployment("other-sim", "sim", ["other"])
            .WithKey("old", "mg-old-key", new JsonObject { ["ExpiresAt"] = "2020-01-01T00:00:00Z" })
            .WithKey("narrow", "mg-narrow-key", new JsonObject { ["AllowedModels"] = new JsonArray("other") });
        await using var gateway = await GatewayHost.StartAsync(config);

        using var expired = await gateway.HttpClient("mg-old-key").PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody());
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("expired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var narrow = gateway.HttpClient("mg-narrow-key");
        using var denied = await narrow.PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody());
        Assert.Equal(HttpStatusCode.NotFound, denied.StatusCode);
        var error = JsonDocument.Parse(await denied.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());

        using var allowed = await narrow.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"other","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task The_embedded_store_enforces_limits_on_a_single_instance_without_redis()
    {
        var config = QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(redis: null)
            .WithTeam("solo", new JsonObject { ["RequestsPerMinute"] = 3 })
            .WithTestKey(team: "solo");
        await using var gateway = await GatewayHost.StartAsync(config);
        Assert.False(gateway.Service<QuotaStores>().IsShared);
        using var client = gateway.HttpClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var response = await client.PostAsync("/v1/chat/completions", QuotaTestConfig.ChatBody());
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task The_quota_gauge_source_reports_what_a_team_has_left_of_its_budget()
    {
        await using var gateway = await GatewayHost.StartAsync(BudgetConfig());
        var chat = gateway.OpenAiClient().GetChatClient(QuotaTestConfig.Model);
        await chat.CompleteChatAsync([new UserChatMessage("spend a little")]);

        var record = await SingleLedgerRecordAsync(gateway);
        var budgets = await gateway.Service<TeamBudgetMonitor>().ReadBudgetsAsync(default);

        var team = Assert.Single(budgets);
        Assert.Equal("team-a", team.TeamId);
        Assert.Equal(100m, team.LimitUsd);
        Assert.True(record.CostUsd > 0);
        Assert.Equal(100m - record.CostUsd, team.RemainingUsd!.Value, 9);
    }

    [Fact]
    public async Task A_team_with_a_daily_and_a_monthly_budget_has_a_gauge_reading_for_each()
    {
        var config = QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(_redis, RedisServer.NewPrefix())
            .WithTeam("team-a", new JsonObject { ["UsdPerDay"] = 100m, ["UsdPerMonth"] = 1_000m })
            .WithTestKey(team: "team-a");
        await using var gateway = await GatewayHost.StartAsync(config);
        await gateway.OpenAiClient().GetChatClient(QuotaTestConfig.Model).CompleteChatAsync([new UserChatMessage("spend a little")]);

        var record = await SingleLedgerRecordAsync(gateway);
        var budgets = (await gateway.Service<TeamBudgetMonitor>().ReadBudgetsAsync(default)).ToDictionary(b => b.Budget!);

        Assert.Equal(["usd_per_day", "usd_per_month"], budgets.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(100m, budgets["usd_per_day"].LimitUsd);
        Assert.Equal(100m - record.CostUsd, budgets["usd_per_day"].RemainingUsd!.Value, 9);
        Assert.Equal(1_000m, budgets["usd_per_month"].LimitUsd);
        Assert.Equal(1_000m - record.CostUsd, budgets["usd_per_month"].RemainingUsd!.Value, 9);
        Assert.All(budgets.Values, b => Assert.Equal("team-a", b.TeamId));
    }

    private JsonObject BudgetConfig() =>
        QuotaTestConfig.Gateway(_simulator)
            .WithQuotas(_redis, RedisServer.NewPrefix())
            .WithTeam("team-a", new JsonObject { ["UsdPerDay"] = 100m })
            .WithTestKey(team: "team-a");

    /// <summary>The one ledger record; usage is settled just after the last byte reached the client, so wait for it.</summary>
    private static async Task<UsageRecord> SingleLedgerRecordAsync(GatewayHost gateway)
    {
        var ledger = gateway.Service<IUsageLedger>();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await ledger.FlushAsync(TimeSpan.FromSeconds(10));
            var records = await ledger.ReadAsync(today.AddDays(-1), today, default);
            if (records.Count > 0 || DateTime.UtcNow > deadline)
            {
                return Assert.Single(records);
            }

            await Task.Delay(20);
        }
    }

    private static async Task<ScopeUsage> TeamUsageAsync(GatewayHost gateway)
    {
        var today = DateTime.UtcNow;
        return await gateway.Service<QuotaStores>().Primary.ReadAsync(
            "team:team-a", "team:team-a", today.ToString("yyyyMMdd", null), today.ToString("yyyyMM", null), default);
    }
}
