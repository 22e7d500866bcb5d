using System.Net;
using System.Text.Json.Nodes;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Routing;

/// <summary>
/// A self-hosted simulator (expensive) and a public one (cheap) both serve "chat" under a <c>cheapest</c> rule;
/// the public one alone serves "cloud-only". Sensitive prompts must never reach the public simulator.
/// </summary>
public sealed class SensitivityRoutingTests : IAsyncLifetime
{
    private SimulatorHost _local = null!;
    private SimulatorHost _cloud = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _local = await SimulatorHost.StartAsync(o => o.Name = "local");
        _cloud = await SimulatorHost.StartAsync(o => o.Name = "cloud");
        var config = TestConfig.Gateway()
            .WithProvider("local", _local.BaseUrl + "/v1", trust: "self-hosted")
            .WithProvider("cloud", _cloud.BaseUrl + "/v1", trust: "public")
            .WithDeployment("local-chat", "local", ["chat"], input: 3m, output: 6m)
            .WithDeployment("cloud-chat", "cloud", ["chat"], input: 0.1m, output: 0.2m)
            .WithDeployment("cloud-only", "cloud", ["cloud-only"], input: 0.1m, output: 0.2m)
            .WithRoute("gold", new JsonObject
            {
                ["Order"] = 0,
                ["Match"] = new JsonObject { ["Metadata"] = new JsonObject { ["tier"] = "gold" } },
                ["Deployments"] = new JsonArray("local-chat"),
            })
            .WithRoute("cheap", new JsonObject
            {
                ["Order"] = 10,
                ["Match"] = new JsonObject { ["Models"] = new JsonArray("chat") },
                ["Strategy"] = "cheapest",
            })
            .WithTwoStrikeBreaker();
        _gateway = await GatewayHost.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _local.DisposeAsync();
        await _cloud.DisposeAsync();
    }

    [Fact]
    public async Task A_plain_prompt_goes_to_the_cheapest_deployment_with_decision_headers()
    {
        using var response = await _gateway.ChatAsync("chat", "What is the capital of France?");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cloud-chat", response.Header("x-gateway-deployment"));
        Assert.StartsWith("dec_", response.Header("x-gateway-decision-id"), StringComparison.Ordinal);
        Assert.Equal("1", response.Header("x-gateway-attempts"));
        Assert.Equal(0, _local.ChatRequests());
    }

    [Theory]
    [InlineData(RoutingTestConfig.CardPrompt, "4111 1111")]
    [InlineData(RoutingTestConfig.PrivateKeyPrompt, "PRIVATE KEY")]
    public async Task A_sensitive_prompt_stays_on_the_self_hosted_deployment(string prompt, string marker)
    {
        using var response = await _gateway.ChatAsync("chat", prompt);
        using var streamed = await _gateway.ChatAsync("chat", prompt, stream: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("local-chat", response.Header("x-gateway-deployment"));
        Assert.Equal("local-chat", streamed.Header("x-gateway-deployment"));
        Assert.Equal(2, _local.ChatRequests());
        Assert.False(_cloud.ReceivedText(marker));
        Assert.Equal(0, _cloud.ChatRequests());
    }

    [Fact]
    public async Task A_sensitive_prompt_fails_closed_when_the_self_hosted_deployment_is_down()
    {
        _local.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Reset, Count = 2 });

        // The self-hosted deployment fails; the public one is cheaper and healthy, but never a fallback.
        using var first = await _gateway.ChatAsync("chat", RoutingTestConfig.PrivateKeyPrompt);
        using var second = await _gateway.ChatAsync("chat", RoutingTestConfig.CardPrompt, stream: true);
        Assert.Equal(HttpStatusCode.BadGateway, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, second.StatusCode);
        Assert.Equal("1", first.Header("x-gateway-attempts"));

        // Two failures open the self-hosted breaker: now the request is refused before any attempt.
        using var third = await _gateway.ChatAsync("chat", RoutingTestConfig.CardPrompt);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Equal("no_deployment_available", third.ErrorCode());
        Assert.Equal("0", third.Header("x-gateway-attempts"));
        Assert.NotEmpty(third.Header("x-gateway-decision-id"));
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Plain prompts still flow to the public deployment; sensitive ones never did.
        using var plain = await _gateway.ChatAsync("chat", "hello");
        Assert.Equal("cloud-chat", plain.Header("x-gateway-deployment"));
        Assert.Equal(1, _cloud.ChatRequests());
        Assert.False(_cloud.ReceivedText("PRIVATE KEY"));
        Assert.False(_cloud.ReceivedText("4111"));
    }

    [Fact]
    public async Task A_model_with_only_public_deployments_refuses_sensitive_prompts_with_403_naming_the_reason_not_the_content()
    {
        using var response = await _gateway.ChatAsync("cloud-only", RoutingTestConfig.CardPrompt);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("sensitivity_policy", response.ErrorCode());
        Assert.Equal("false", response.Header("x-should-retry"));
        Assert.Contains("payment_card", body, StringComparison.Ordinal);
        Assert.Contains("confidential", body, StringComparison.Ordinal);
        Assert.DoesNotContain("4111", body, StringComparison.Ordinal);
        Assert.Equal(0, _cloud.ChatRequests());
    }

    [Fact]
    public async Task The_sensitivity_header_can_raise_the_level_and_a_bad_value_is_a_400()
    {
        using var raised = await _gateway.ChatAsync("chat", "hello", headers: new Dictionary<string, string> { ["x-gateway-sensitivity"] = "confidential" });
        using var invalid = await _gateway.ChatAsync("chat", "hello", headers: new Dictionary<string, string> { ["x-gateway-sensitivity"] = "secret" });

        Assert.Equal("local-chat", raised.Header("x-gateway-deployment"));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("invalid_sensitivity", invalid.ErrorCode());
    }

    [Fact]
    public async Task Metadata_or_the_tags_header_selects_a_rule()
    {
        using var byMetadata = await _gateway.ChatAsync("chat", "hello", extra: new JsonObject { ["metadata"] = new JsonObject { ["tier"] = "gold" } });
        using var byTag = await _gateway.ChatAsync("chat", "hello", headers: new Dictionary<string, string> { ["x-gateway-tags"] = "team=a, tier=gold" });
        using var neither = await _gateway.ChatAsync("chat", "hello", extra: new JsonObject { ["metadata"] = new JsonObject { ["tier"] = "silver" } });

        Assert.Equal("local-chat", byMetadata.Header("x-gateway-deployment"));
        Assert.Equal("local-chat", byTag.Header("x-gateway-deployment"));
        Assert.Equal("cloud-chat", neither.Header("x-gateway-deployment"));
    }

    [Fact]
    public async Task Explain_reports_rule_level_detectors_and_every_candidate_without_calling_upstream()
    {
        var explanation = await _gateway.ExplainAsync("chat", RoutingTestConfig.CardPrompt + " Mail me at jane@example.com");

        Assert.Equal("cheap", explanation.GetProperty("rule").GetString());
        Assert.Equal("cheapest", explanation.GetProperty("strategy").GetString());
        var sensitivity = explanation.GetProperty("sensitivity");
        Assert.Equal("confidential", sensitivity.GetProperty("level").GetString());
        Assert.Equal(["email", "payment_card"], sensitivity.GetProperty("detectors").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal(["local-chat"], explanation.GetProperty("order").EnumerateArray().Select(e => e.GetString()!).ToArray());

        var candidates = explanation.GetProperty("candidates").EnumerateArray().ToDictionary(c => c.GetProperty("deployment").GetString()!);
        Assert.Equal("sensitivity_trust", candidates["cloud-chat"].GetProperty("excluded").GetString());
        Assert.Equal(1, candidates["local-chat"].GetProperty("rank").GetInt32());
        Assert.True(candidates["local-chat"].GetProperty("score").GetProperty("estimated_cost_usd").GetDouble() > 0);
        Assert.DoesNotContain("4111", explanation.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("jane@", explanation.GetRawText(), StringComparison.Ordinal);

        Assert.Empty(_local.State.Received);
        Assert.Empty(_cloud.State.Received);
    }
}
