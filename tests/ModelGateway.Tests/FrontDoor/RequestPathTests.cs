using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ModelGateway.Accounting;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.FrontDoor.Protocols;
using ModelGateway.Pipeline;
using ModelGateway.Providers;
using ModelGateway.Requests;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Providers;
using ModelGateway.Tests.Quotas;

namespace ModelGateway.Tests.FrontDoor;

/// <summary>
/// The fixes that came with the request-path restructuring (issue 11), each over real sockets: the allow-list is
/// checked before routing, a stream that ends before its first event falls back on every adapter kind, a feature
/// one deployment lacks goes to the next candidate, and an answer can be collected off the client's response.
/// </summary>
public sealed class RequestPathTests
{
    [Fact]
    public async Task A_model_outside_the_allow_list_is_not_found_for_chat_and_explain_alike()
    {
        await using var simulator = await SimulatorHost.StartAsync(o => o.Name = "sim");
        var config = QuotaTestConfig.Gateway(simulator)
            .WithDeployment("other-sim", "sim", ["other"])
            .WithKey("narrow", "mg-narrow-key", new JsonObject { ["AllowedModels"] = new JsonArray("other") });
        await using var gateway = await GatewayHost.StartAsync(config);
        using var narrow = gateway.HttpClient("mg-narrow-key");

        foreach (var path in new[] { "/v1/chat/completions", "/v1/route/explain" })
        {
            using var denied = await narrow.PostAsync(path, QuotaTestConfig.ChatBody());
            var text = await denied.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.NotFound, denied.StatusCode);
            Assert.Equal("model_not_found", JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString());
            // Explain must not show the deployments of a model the caller may not use.
            Assert.DoesNotContain("qwen-sim", text, StringComparison.Ordinal);
        }

        using var explained = await narrow.PostAsync("/v1/route/explain", new StringContent(
            """{"model":"other","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, explained.StatusCode);
        Assert.Contains("other-sim", await explained.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(simulator.State.Received);
    }

    [Theory]
    [MemberData(nameof(StreamBreaksOnEveryKind))]
    public async Task A_stream_that_ends_before_its_first_event_falls_back_on_every_adapter_kind(string kind, FaultKind fault)
    {
        await using var backup = await SimulatorHost.StartAsync(o => o.Name = "backup");
        await using var host = await ProviderKindHost.StartAsync(kind, config => AddBackup(config, backup.BaseUrl));
        host.Simulator.State.EnqueueFault(new FaultSpec { Kind = fault, AfterChunks = 0 });
        using var http = host.Gateway.HttpClient();

        using var response = await http.SendAsync(StreamRequest());
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backup-m", response.Headers.GetValues("x-gateway-deployment").Single());
        Assert.Equal("2", response.Headers.GetValues("x-gateway-attempts").Single());
        Assert.Contains("backup says", string.Concat(ContentDeltas(body)), StringComparison.Ordinal);
        Assert.DoesNotContain("\"error\"", body, StringComparison.Ordinal);
        Assert.Equal("backup-m", Assert.Single(await host.Gateway.Service<IUsageLedger>().WaitForRecordsAsync(1)).DeploymentId);
    }

    [Theory]
    [MemberData(nameof(StreamBreaksOnEveryKind))]
    public async Task A_stream_that_ends_before_its_first_event_with_no_other_deployment_is_a_502_not_a_200(string kind, FaultKind fault)
    {
        await using var host = await ProviderKindHost.StartAsync(kind);
        host.Simulator.State.EnqueueFault(new FaultSpec { Kind = fault, AfterChunks = 0 });
        using var http = host.Gateway.HttpClient();

        using var response = await http.SendAsync(StreamRequest());

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var code = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString();
        Assert.Equal(fault == FaultKind.CutStream ? "upstream_stream_interrupted" : "upstream_stream_truncated", code);
    }

    public static TheoryData<string, FaultKind> StreamBreaksOnEveryKind()
    {
        var data = new TheoryData<string, FaultKind>();
        foreach (var kind in ProviderKindHost.Kinds)
        {
            data.Add(kind, FaultKind.CutStream);
            data.Add(kind, FaultKind.TruncateStream);
        }

        return data;
    }

    [Fact]
    public async Task A_feature_one_deployment_lacks_is_served_by_the_next_candidate_even_with_one_attempt_allowed()
    {
        await using var backup = await SimulatorHost.StartAsync(o => o.Name = "backup");
        await using var host = await ProviderKindHost.StartAsync("anthropic", config =>
        {
            AddBackup(config, backup.BaseUrl);
            config["Fallback"] = new JsonObject { ["MaxAttempts"] = 1 };
        });
        using var http = host.Gateway.HttpClient();

        // Anthropic cannot return two choices; the OpenAI-format backup can.
        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"m","n":2,"messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backup-m", response.Headers.GetValues("x-gateway-deployment").Single());
        Assert.Equal(2, JsonDocument.Parse(body).RootElement.GetProperty("choices").GetArrayLength());
        Assert.Empty(host.Simulator.State.Received);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task An_answer_can_be_collected_off_the_client_response_and_outlive_the_front_doors_hold(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind);
        var snapshot = host.Gateway.Service<IGatewayConfigStore>().Current;
        var deployment = snapshot.DeploymentsFor("m")[0];
        var body = """{"model":"m","messages":[{"role":"user","content":"collect me"}]}"""u8.ToArray();
        var request = GatewayRequestReader.FromSample(
            snapshot, new Caller("test", null), OpenAiChatProtocol.Instance, body, new HeaderDictionary(), out var error);
        Assert.Null(error);

        // A shadow call takes its own hold; the front door's hold ends with the client's request.
        var held = request!.Retain();
        request.Dispose();
        using var sink = new CollectingSink(CancellationToken.None);
        var adapter = host.Gateway.Service<ProviderAdapters>().For(deployment.Provider.Kind)!;

        var outcome = await adapter.SendAsync(new UpstreamCall { Request = held, Deployment = deployment, Sink = sink });
        held.Dispose();

        Assert.True(outcome.Served, outcome.FailureLabel);
        Assert.Equal(200, sink.Status);
        var answer = JsonDocument.Parse(sink.Body).RootElement;
        Assert.Equal("chat.completion", answer.GetProperty("object").GetString());
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()));
        Assert.True(outcome.Usage?.PromptTokens > 0);
        Assert.Single(host.Simulator.State.Received);
    }

    [Fact]
    public void Every_failure_kind_has_a_name_and_a_breaker_rule()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in Enum.GetValues<FailureKind>())
        {
            Assert.True(names.Add(FailureKinds.Name(kind)), $"{kind} shares its name with another kind.");
            _ = FailureKinds.CountsAgainstDeployment(kind);
        }

        Assert.False(FailureKinds.CountsAgainstDeployment(FailureKind.UpstreamRateLimited));
        Assert.False(FailureKinds.CountsAgainstDeployment(FailureKind.UnsupportedByProvider));
        Assert.True(FailureKinds.CountsAgainstDeployment(FailureKind.UpstreamStreamTruncated));
        Assert.Equal("upstream_status_503", FailureKinds.Name(FailureKind.UpstreamStatus, 503));
    }

    [Fact]
    public void Every_protocol_and_operation_has_a_telemetry_name_and_an_unknown_operation_fails_closed()
    {
        foreach (var protocol in Enum.GetValues<InboundProtocol>())
        {
            Assert.False(string.IsNullOrEmpty(ModelGateway.Telemetry.TelemetryLabels.OperationOf(protocol)));
        }

        foreach (var operation in Enum.GetValues<Operation>())
        {
            Assert.False(string.IsNullOrEmpty(ModelGateway.Telemetry.TelemetryLabels.GenAiOperation(operation)));
        }

        foreach (var module in InboundModules.All)
        {
            Assert.Contains(module.Value.Protocol, Enum.GetValues<InboundProtocol>());
        }

        // A future operation the scanner does not know: numbers under "input" may be token ids it cannot read.
        var detectors = new ModelGateway.Sensitivity.DetectorSet(ModelGateway.Sensitivity.SensitivityPolicy.Default);
        var scan = ModelGateway.Sensitivity.ContentScanner.Scan("""{"model":"m","input":[1,2,3]}"""u8, (Operation)99, detectors, collectMetadata: false);
        Assert.True(scan.Unreadable);
    }

    private static HttpRequestMessage StreamRequest() => new(HttpMethod.Post, "/v1/chat/completions")
    {
        Content = new StringContent("""{"model":"m","stream":true,"messages":[{"role":"user","content":"hello"}]}""", Encoding.UTF8, "application/json"),
    };

    private static IEnumerable<string> ContentDeltas(string sse)
    {
        foreach (var line in sse.Split('\n'))
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            var chunk = JsonDocument.Parse(line[6..]).RootElement;
            if (chunk.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
                && choices[0].GetProperty("delta").TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            {
                yield return content.GetString()!;
            }
        }
    }

    /// <summary>A second deployment of "m" on another simulator (OpenAI format), tried after the native one.</summary>
    private static void AddBackup(JsonObject config, string backupUrl)
    {
        ProviderKindHost.AddProvider(config, "backup", "openai", backupUrl);
        config["Deployments"]!["backup-m"] = new JsonObject
        {
            ["Provider"] = "backup",
            ["Models"] = new JsonArray("m"),
            ["UpstreamModel"] = "sim-small",
            ["Priority"] = 1,
            ["Price"] = new JsonObject { ["InputPerMillion"] = 1, ["OutputPerMillion"] = 2 },
            ["Capabilities"] = new JsonArray("chat", "tools", "vision", "json_schema"),
        };
    }
}
