using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Quotas;
using ModelGateway.Simulator;
using ModelGateway.Tests.Admin;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Providers;
using ModelGateway.Tests.Quotas;
using ModelGateway.Tests.Routing;

namespace ModelGateway.Tests.FrontDoor.Completions;

/// <summary>
/// Legacy <c>POST /v1/completions</c> on the wire, through a real gateway in front of two simulators: a self-hosted
/// one (local, dear) and a public one (cloud, cheap). The model "text" also has a cheaper chat-only deployment and
/// a Gemini-kind one that claims completions: neither may serve it. Usage, cost, the request log, quotas, the
/// sensitivity policy, bad bodies and fallback are checked as for chat.
/// </summary>
public sealed class CompletionsGatewayTests : IAsyncLifetime
{
    private const string Team = "team-text";

    private SimulatorHost _local = null!;
    private SimulatorHost _cloud = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(ProviderKindHost.ProviderKeyVariable, ProviderKindHost.ProviderKey);
        _local = await SimulatorHost.StartAsync(o => o.Name = "local");
        _cloud = await SimulatorHost.StartAsync(o => o.Name = "cloud");
        var config = TestConfig.Gateway()
            .WithProvider("local", _local.BaseUrl + "/v1", trust: "self-hosted", responseTimeout: "00:00:05")
            .WithProvider("cloud", _cloud.BaseUrl + "/v1", trust: "public", responseTimeout: "00:00:05")
            .WithDeployment("local-text", "local", ["text"], upstreamModel: "sim-small", input: 3m, output: 6m, capabilities: ["completions"])
            .WithDeployment("cloud-text", "cloud", ["text", "public-text"], upstreamModel: "sim-small", input: 0.1m, output: 0.2m, capabilities: ["completions"])
            .WithDeployment("cloud-chat", "cloud", ["text", "chat-only"], input: 0.01m, output: 0.01m, capabilities: ["chat"])
            .WithRoute("cheap", new JsonObject
            {
                ["Order"] = 10,
                ["Match"] = new JsonObject { ["Models"] = new JsonArray("text", "public-text", "chat-only") },
                ["Strategy"] = "cheapest",
            })
            .WithQuotas(redis: null)
            .WithTeam(Team, new JsonObject { ["RequestsPerMinute"] = 4, ["UsdPerDay"] = 100m })
            .WithTestKey(team: Team);
        ProviderKindHost.AddProvider(config, "gem", "gemini", _local.BaseUrl);
        config.WithDeployment("gem-text", "gem", ["text"], input: 0.001m, output: 0.001m, capabilities: ["chat", "completions"]);
        _gateway = await GatewayHost.StartAsync(config, AdminFixture.AdminArgs(storePath: null));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _local.DisposeAsync();
        await _cloud.DisposeAsync();
    }

    [Fact]
    public async Task A_completion_passes_through_and_its_usage_is_billed_logged_and_counted_against_the_quota()
    {
        const string Body = """{"model":"text","prompt":"Say hello","max_tokens":20,"temperature":0,"best_of":1,"echo":false}""";
        var (response, text) = await PostAsync(Body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cloud-text", response.Header("x-gateway-deployment"));
        var completion = JsonNode.Parse(text)!;
        Assert.Equal("text_completion", completion["object"]!.GetValue<string>());
        Assert.StartsWith("cloud says ", completion["choices"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        var prompt = completion["usage"]!["prompt_tokens"]!.GetValue<int>();
        Assert.Equal(8, completion["usage"]!["completion_tokens"]!.GetValue<int>());

        // The client's bytes with only the model name spliced in, to the completions endpoint.
        var sent = Assert.Single(_cloud.State.Received);
        Assert.Equal("/v1/completions", sent.Path);
        Assert.Equal(Body.Replace("\"text\"", "\"sim-small\"", StringComparison.Ordinal), sent.Body);
        Assert.Empty(_local.State.Received);

        var row = Assert.Single(await RequestLogAsync(1));
        Assert.Equal("completions", row["operation"]!.GetValue<string>());
        Assert.Equal("served", row["outcome"]!.GetValue<string>());
        Assert.Equal(prompt, row["promptTokens"]!.GetValue<int>());
        Assert.Equal(8, row["completionTokens"]!.GetValue<int>());
        var cost = ((prompt * 0.1m) + (8 * 0.2m)) / 1_000_000m;
        Assert.Equal(cost, row["costUsd"]!.GetValue<decimal>());
        var usage = await TeamUsageAsync();
        Assert.Equal(QuotaService.ToNano(cost), usage.SpentDayNano);
        Assert.Equal(0, usage.HeldDayNano);

        // Four requests a minute for the team: this one was the first.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await PostAsync("""{"model":"text","prompt":"again"}""")).Response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task A_stream_is_billed_from_the_usage_chunk_the_gateway_asked_for_and_the_client_does_not_see_it()
    {
        var (response, text) = await PostAsync("""{"model":"text","prompt":"Stream to me","stream":true}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var chunks = DataLines(text);
        Assert.Equal("[DONE]", chunks[^1]);
        var objects = chunks[..^1].Select(c => JsonNode.Parse(c)!).ToList();
        Assert.All(objects, o => Assert.Equal("text_completion", o["object"]!.GetValue<string>()));
        Assert.All(objects, o => Assert.Single(o["choices"]!.AsArray()));
        Assert.Equal("stop", objects[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(8, string.Concat(objects.Select(o => o["choices"]![0]!["text"]!.GetValue<string>())).Split(' ').Length);
        Assert.True(JsonNode.Parse(Assert.Single(_cloud.State.Received).Body)!["stream_options"]!["include_usage"]!.GetValue<bool>());

        var row = Assert.Single(await RequestLogAsync(1));
        Assert.True(row["usageReported"]!.GetValue<bool>());
        Assert.Equal(8, row["completionTokens"]!.GetValue<int>());
        Assert.True(row["costUsd"]!.GetValue<decimal>() > 0m);

        // A client that asks for the usage chunk gets it, just before [DONE].
        var (_, withUsage) = await PostAsync("""{"model":"text","prompt":"Stream to me","stream":true,"stream_options":{"include_usage":true}}""");
        var last = JsonNode.Parse(DataLines(withUsage)[^2])!;
        Assert.Empty(last["choices"]!.AsArray());
        Assert.Equal(8, last["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Deployments_that_cannot_serve_completions_are_never_candidates()
    {
        using var http = _gateway.HttpClient();
        using var explained = await http.PostAsync("/v1/route/explain", Json("""{"model":"text","prompt":"hi"}"""));
        var explanation = JsonNode.Parse(await explained.Content.ReadAsStringAsync())!;
        Assert.Equal(["cloud-text", "local-text"], explanation["order"]!.AsArray().Select(d => d!.GetValue<string>()));
        var excluded = explanation["candidates"]!.AsArray()
            .Where(c => !c!["eligible"]!.GetValue<bool>())
            .ToDictionary(c => c!["deployment"]!.GetValue<string>(), c => c!["excluded"]!.GetValue<string>());
        Assert.Equal(new Dictionary<string, string> { ["cloud-chat"] = "capability", ["gem-text"] = "no_adapter" }, excluded);

        var (chatOnly, chatOnlyText) = await PostAsync("""{"model":"chat-only","prompt":"hi"}""");
        Assert.Equal(HttpStatusCode.BadRequest, chatOnly.StatusCode);
        Assert.Equal("model_not_supported", JsonNode.Parse(chatOnlyText)!["error"]!["code"]!.GetValue<string>());
        var (unknown, unknownText) = await PostAsync("""{"model":"no-such-model","prompt":"hi"}""");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("model_not_found", JsonNode.Parse(unknownText)!["error"]!["code"]!.GetValue<string>());
        Assert.Empty(_cloud.State.Received);
        Assert.Empty(_local.State.Received);
    }

    [Theory]
    [InlineData("""{"model":"text","prompt":"charge 4111 1111 1111 1111 now"}""")]
    [InlineData("""{"model":"text","prompt":["hello","charge 4111 1111 1111 1111 now"],"stream":true}""")]
    [InlineData("""{"model":"text","prompt":"hello","suffix":"card 4111 1111 1111 1111"}""")]
    [InlineData("""{"model":"text","prompt":[15339,11,1917]}""")]
    [InlineData("""{"model":"text","prompt":[[15339,11],[1917]]}""")]
    public async Task A_sensitive_or_unreadable_prompt_never_reaches_a_public_deployment(string body)
    {
        var (response, _) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("local-text", response.Header("x-gateway-deployment"));
        Assert.Equal("/v1/completions", Assert.Single(_local.State.Received).Path);

        // With no self-hosted deployment left, the request is refused, not sent to the public one.
        var (refused, text) = await PostAsync(body.Replace("\"text\"", "\"public-text\"", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("sensitivity_policy", JsonNode.Parse(text)!["error"]!["code"]!.GetValue<string>());
        Assert.Empty(_cloud.State.Received);
    }

    [Theory]
    [InlineData("""{"prompt":"hi"}""", "model")]
    [InlineData("""{"model":"text"}""", "prompt")]
    [InlineData("""{"model":"text","prompt":null}""", "prompt")]
    [InlineData("""{"model":"text","prompt":42}""", "prompt")]
    [InlineData("""{"model":"text","prompt":{"text":"hi"}}""", "prompt")]
    [InlineData("""{"model":"text","prompt":[]}""", "prompt")]
    [InlineData("""{"model":"text","prompt":["a",1]}""", "prompt")]
    [InlineData("""{"model":"text","prompt":[1,-2]}""", "prompt")]
    [InlineData("""{"model":"text","prompt":[1.5]}""", "prompt")]
    [InlineData("""{"model":"text","prompt":[[1],[]]}""", "prompt")]
    [InlineData("""{"model":"text","prompt":[[1],["a"]]}""", "prompt")]
    [InlineData("""{"model":"text","prompt":[null]}""", "prompt")]
    [InlineData("""{"model":7,"prompt":"hi"}""", "model")]
    [InlineData("""{"model":"","prompt":"hi"}""", "model")]
    [InlineData("""{"model":"text","prompt":"hi","stream":"yes"}""", "stream")]
    [InlineData("""{"model":"text","prompt":"hi","stream":true,"stream_options":[]}""", "stream_options")]
    [InlineData("""{"model":"text","prompt":"hi","max_tokens":-1}""", "max_tokens")]
    [InlineData("""{"model":"text","prompt":"hi","max_tokens":"16"}""", "max_tokens")]
    [InlineData("""{"model":"text","prompt":"hi","max_tokens":99999999999}""", "max_tokens")]
    [InlineData("""{"model":"text","prompt":"\ud800"}""", null)]
    [InlineData("""{"model":"text","prompt":"hi"} trailing""", null)]
    [InlineData("""{"model":"text","prompt":"hi""", null)]
    [InlineData("""[{"model":"text","prompt":"hi"}]""", null)]
    [InlineData("""null""", null)]
    [InlineData("", null)]
    public async Task Malformed_bodies_are_a_400_in_the_OpenAI_envelope_and_never_reach_an_upstream(string body, string? param)
    {
        var (response, text) = await PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()));
        Assert.Equal(param, error["param"]?.GetValue<string>());
        Assert.Empty(_cloud.State.Received);
        Assert.Empty(_local.State.Received);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_upstream_failure_before_the_first_byte_falls_back_to_the_next_deployment(bool stream)
    {
        _cloud.State.EnqueueFault(stream
            ? new FaultSpec { Kind = FaultKind.CutStream, AfterChunks = 0 }
            : new FaultSpec { Kind = FaultKind.Status, Status = 503 });
        var (response, text) = await PostAsync($$"""{"model":"text","prompt":"hello","stream":{{(stream ? "true" : "false")}}}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("local-text", response.Header("x-gateway-deployment"));
        Assert.DoesNotContain("error", text, StringComparison.Ordinal);
        var answer = stream
            ? string.Concat(DataLines(text).SkipLast(1).Select(c => JsonNode.Parse(c)!["choices"]![0]!["text"]!.GetValue<string>()))
            : JsonNode.Parse(text)!["choices"]![0]!["text"]!.GetValue<string>();
        Assert.StartsWith("local says ", answer, StringComparison.Ordinal);
        Assert.Single(_cloud.State.Received);
        Assert.Single(_local.State.Received);

        var row = Assert.Single(await RequestLogAsync(1));
        Assert.Equal("fell_back", row["outcome"]!.GetValue<string>());
        Assert.Equal(2, row["attempts"]!.GetValue<int>());
        Assert.Equal(8, row["completionTokens"]!.GetValue<int>());
        Assert.Equal(((row["promptTokens"]!.GetValue<int>() * 3m) + (8 * 6m)) / 1_000_000m, row["costUsd"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task A_stream_that_breaks_after_its_first_chunk_ends_with_an_error_event_and_is_billed_an_estimate()
    {
        _cloud.State.EnqueueFault(new FaultSpec { Kind = FaultKind.CutStream, AfterChunks = 3 });
        var (response, text) = await PostAsync("""{"model":"text","prompt":"hello","stream":true}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var last = JsonNode.Parse(DataLines(text)[^1])!;
        Assert.Equal("upstream_stream_interrupted", last["error"]!["code"]!.GetValue<string>());
        Assert.Empty(_local.State.Received);
        var row = Assert.Single(await RequestLogAsync(1));
        Assert.False(row["usageReported"]!.GetValue<bool>());
        Assert.True(row["costUsd"]!.GetValue<decimal>() > 0m);
    }

    private async Task<(HttpResponseMessage Response, string Text)> PostAsync(string body)
    {
        using var http = _gateway.HttpClient();
        var response = await http.PostAsync("/v1/completions", Json(body));
        return (response, await response.Content.ReadAsStringAsync());
    }

    private static ByteArrayContent Json(string body)
    {
        // Raw bytes, so escapes such as \ud800 arrive as written.
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static List<string> DataLines(string stream) =>
        [.. stream.Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => l["data: ".Length..])];

    /// <summary>The request log, once it holds <paramref name="count"/> rows (they are written when the request ends).</summary>
    private async Task<List<JsonNode>> RequestLogAsync(int count)
    {
        using var admin = AdminFixture.AdminClient(_gateway);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var rows = (await AdminFixture.GetAsync(admin, "/admin/v1/requests"))["data"]!.AsArray().Select(r => r!).ToList();
            if (rows.Count >= count || DateTime.UtcNow > deadline)
            {
                return rows;
            }

            await Task.Delay(20);
        }
    }

    private async Task<ScopeUsage> TeamUsageAsync()
    {
        var today = DateTime.UtcNow;
        return await _gateway.Service<QuotaStores>().Primary.ReadAsync(
            "team:" + Team, "team:" + Team, today.ToString("yyyyMMdd", null), today.ToString("yyyyMM", null), default);
    }
}
