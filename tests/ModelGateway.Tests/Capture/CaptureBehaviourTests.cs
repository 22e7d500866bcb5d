using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ModelGateway.Accounting;
using ModelGateway.Capture;
using ModelGateway.Tests.Admin;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Quotas;
using ModelGateway.Tests.Routing;

namespace ModelGateway.Tests.Capture;

/// <summary>
/// Distillation dataset capture end to end, run against each ledger database (<see cref="SqliteCaptureTests"/>,
/// <see cref="PostgresCaptureTests"/>): real gateways on Kestrel in front of two simulators, one playing a
/// self-hosted open-weight deployment (training use allowed by default) and one a public closed API (forbidden by
/// default), with the admin API on. What is captured is read back through the export and checked against OpenAI's
/// fine-tuning rules (<see cref="FineTuningFormat"/>).
/// </summary>
public abstract class CaptureBehaviourTests : IAsyncLifetime
{
    protected const string TeamKey = "mg-team-key";
    protected const string RuleKey = "mg-rule-key";
    protected const string OffKey = "mg-off-key";
    protected const string PlainKey = "mg-plain-key";
    protected const string EmailPrompt = "Write to jane.doe@example.com about the offsite.";

    private int _sent;

    protected SimulatorHost Local { get; private set; } = null!;

    protected SimulatorHost Public { get; private set; } = null!;

    protected GatewayHost Gateway { get; private set; } = null!;

    protected HttpClient Admin { get; private set; } = null!;

    /// <summary>Command-line arguments that put the gateway's ledger in this backend.</summary>
    protected abstract Task<string[]> LedgerArgsAsync();

    public async Task InitializeAsync()
    {
        Local = await SimulatorHost.StartAsync(o => o.Name = "localsim");
        Public = await SimulatorHost.StartAsync(o => o.Name = "pubsim");
        Gateway = await StartGatewayAsync();
        Admin = AdminFixture.AdminClient(Gateway);
    }

    public async Task DisposeAsync()
    {
        Admin.Dispose();
        await Gateway.DisposeAsync();
        await Local.DisposeAsync();
        await Public.DisposeAsync();
        Cleanup();
    }

    protected virtual void Cleanup()
    {
    }

    /// <summary>
    /// qwen3 on the self-hosted simulator; gpt-x on the public one; partner-llm on a contracted provider whose training
    /// use is allowed explicitly; contracted-llm on a contracted provider left at its default. The test key opts in
    /// itself; team "research" opts in, and its off-key opts out; a routing rule opts in rule-key; plain-key never.
    /// </summary>
    protected async Task<GatewayHost> StartGatewayAsync(params string[] extraArgs)
    {
        var config = TestConfig.Gateway()
            .WithProvider("local", Local.BaseUrl + "/v1", responseTimeout: "00:00:10")
            .WithProvider("closed", Public.BaseUrl + "/v1", trust: "public", responseTimeout: "00:00:10")
            .WithProvider("partner", Public.BaseUrl + "/v1", trust: "contracted", responseTimeout: "00:00:10")
            .WithProvider("contracted", Public.BaseUrl + "/v1", trust: "contracted", responseTimeout: "00:00:10")
            .WithDeployment("qwen-local", "local", ["qwen3"])
            .WithDeployment("gpt-public", "closed", ["gpt-x"])
            .WithDeployment("partner-llm", "partner", ["partner-llm"])
            .WithDeployment("contracted-llm", "contracted", ["contracted-llm"])
            .WithKey("team-key", TeamKey, new JsonObject { ["Team"] = "research" })
            .WithKey("off-key", OffKey, new JsonObject { ["Team"] = "research", ["Capture"] = false })
            .WithKey("rule-key", RuleKey, new JsonObject())
            .WithKey("plain-key", PlainKey, new JsonObject())
            .WithRoute("capture-rule", new JsonObject { ["Match"] = new JsonObject { ["Keys"] = new JsonArray("rule-key") }, ["Capture"] = true });
        config["Providers"]!["partner"]!["TrainingUse"] = "allowed";
        config["Keys"]![TestConfig.ClientKeyId]!["Capture"] = true;
        config["Teams"] = new JsonObject { ["research"] = new JsonObject { ["Capture"] = true } };
        return await GatewayHost.StartAsync(config, [.. AdminFixture.AdminArgs(storePath: null), .. await LedgerArgsAsync(), .. extraArgs]);
    }

    [Fact]
    public async Task Only_opted_in_pairs_from_allowed_providers_at_or_below_the_level_are_captured()
    {
        var captured = new List<string>
        {
            await ChatAsync(TestConfig.ClientKey, "qwen3", "hello from the test key"),
            await ChatAsync(TeamKey, "qwen3", "hello from the team"),
            await ChatAsync(RuleKey, "qwen3", "hello from the rule"),
            await ChatAsync(TestConfig.ClientKey, "partner-llm", "hello to the partner"),
        };
        var skipped = new List<string>
        {
            await ChatAsync(TestConfig.ClientKey, "gpt-x", "hello to the closed model"),
            await ChatAsync(TestConfig.ClientKey, "contracted-llm", "hello to the contracted model"),
            await ChatAsync(TestConfig.ClientKey, "qwen3", RoutingTestConfig.CardPrompt),
            await ChatAsync(TestConfig.ClientKey, "qwen3", RoutingTestConfig.CardPrompt, stream: true),
            await ChatAsync(TestConfig.ClientKey, "qwen3", EmailPrompt),
            await ChatAsync(TestConfig.ClientKey, "qwen3", "a header says this is internal", headers: new() { ["x-gateway-sensitivity"] = "internal" }),
            await ChatAsync(OffKey, "qwen3", "the key opted out of its team's capture"),
            await ChatAsync(PlainKey, "qwen3", "nobody opted in"),
        };

        var records = await ExportAsync();
        Assert.Equal(captured.Order(StringComparer.Ordinal), records.Select(UserText).Order(StringComparer.Ordinal));
        var export = string.Join('\n', records.Select(r => r.ToJsonString()));
        Assert.DoesNotContain("4111", export, StringComparison.Ordinal);
        Assert.DoesNotContain("example.com", export, StringComparison.Ordinal);
        Assert.All(skipped, prompt => Assert.DoesNotContain(prompt, export, StringComparison.Ordinal));

        // The partner's answer is kept: a contracted provider whose terms allow training, said so in its configuration.
        // It is the only answer of the second simulator in the dataset (the closed and contracted ones share it).
        var partner = Assert.Single(records, r => AssistantText(r).StartsWith("pubsim says", StringComparison.Ordinal));
        Assert.Equal("hello to the partner", UserText(partner));

        var metrics = Gateway.Service<CaptureMetrics>();
        Assert.Equal(2, metrics.Total(CaptureResult.ProviderForbidden));
        Assert.Equal(4, metrics.Total(CaptureResult.AboveLevel));
        Assert.Equal(4, metrics.Total(CaptureResult.Captured));

        var manifest = await AdminFixture.GetAsync(Admin, "/admin/v1/captures/manifest");
        Assert.Equal(4, manifest["records"]!.GetValue<long>());
        Assert.Equal(3, manifest["byModel"]!["qwen3"]!.GetValue<long>());
        Assert.Equal(1, manifest["byDeployment"]!["partner-llm"]!.GetValue<long>());
        Assert.Equal(4, manifest["byLevel"]!["public"]!.GetValue<long>());
        Assert.Equal(2, manifest["byKey"]![TestConfig.ClientKeyId]!.GetValue<long>());
        Assert.Equal("public", manifest["capture"]!["maxSensitivity"]!.GetValue<string>());
        Assert.Equal("openai-chat-fine-tuning", manifest["format"]!.GetValue<string>());
        Assert.Single(await ExportAsync("?key=team-key"));
        Assert.Single(await ExportAsync("?team=research"));
        Assert.Equal(3, (await ExportAsync("?model=qwen3")).Count);
        Assert.Empty(await ExportAsync("?model=gpt-x"));
        Assert.Empty(await ExportAsync("?to=2020-01-01"));

        // The admin API shows each provider's training use as the gateway applies it.
        Assert.Equal("allowed", (await AdminFixture.GetAsync(Admin, "/admin/v1/providers/local"))["effectiveTrainingUse"]!.GetValue<string>());
        Assert.Equal("forbidden", (await AdminFixture.GetAsync(Admin, "/admin/v1/providers/closed"))["effectiveTrainingUse"]!.GetValue<string>());
        Assert.Equal("forbidden", (await AdminFixture.GetAsync(Admin, "/admin/v1/providers/contracted"))["effectiveTrainingUse"]!.GetValue<string>());
        var partnerProvider = await AdminFixture.GetAsync(Admin, "/admin/v1/providers/partner");
        Assert.Equal("allowed", partnerProvider["trainingUse"]!.GetValue<string>());
        Assert.Equal("allowed", partnerProvider["effectiveTrainingUse"]!.GetValue<string>());
    }

    [Fact]
    public async Task Export_is_a_valid_fine_tuning_file_with_well_formed_tool_calls()
    {
        var tools = new JsonArray(Tool("get_weather", "city"), Tool("get_time", "zone"));

        // A tool call answered whole, two streamed in fragments, then a conversation that went through a tool round.
        await ChatAsync(TestConfig.ClientKey, "qwen3", "weather in Paris?", tools: tools);
        await ChatAsync(TestConfig.ClientKey, "qwen3", "weather and time in Oslo?", stream: true, tools: tools, headers: new() { ["x-sim-tool-calls"] = "2" });
        var history = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = "You answer briefly." },
            new JsonObject { ["role"] = "user", ["content"] = "weather in Rome?" },
            new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = "call_rome",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = "get_weather", ["arguments"] = """{"city":"Rome"}""" },
                }),
            },
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_rome", ["content"] = "sunny, 24 C" });
        await ChatAsync(TestConfig.ClientKey, "qwen3", messages: history, tools: tools, stream: true);
        await ChatAsync(TestConfig.ClientKey, "qwen3", "one call at a time", extra: new JsonObject { ["parallel_tool_calls"] = false, ["tools"] = tools.DeepClone() },
            headers: new() { ["x-sim-tool-calls"] = "1" });

        var file = await ExportTextAsync();
        FineTuningFormat.AssertValid(file);
        foreach (var bad in FineTuningFormat.KnownBad())
        {
            Assert.NotEmpty(FineTuningFormat.Problems(bad + "\n"));
        }

        var records = FineTuningFormat.Lines(file);
        Assert.Equal(4, records.Count);
        Assert.All(records, r => Assert.Equal(2, r["tools"]!.AsArray().Count));

        var paris = Assert.Single(records, r => UserText(r) == "weather in Paris?");
        var call = Assert.Single(Final(paris)["tool_calls"]!.AsArray())!;
        Assert.Equal("get_weather", call["function"]!["name"]!.GetValue<string>());
        Assert.Equal("sim-city", JsonNode.Parse(call["function"]!["arguments"]!.GetValue<string>())!["city"]!.GetValue<string>());
        Assert.StartsWith("call_", call["id"]!.GetValue<string>(), StringComparison.Ordinal);

        var oslo = Assert.Single(records, r => UserText(r) == "weather and time in Oslo?");
        var streamedCalls = Final(oslo)["tool_calls"]!.AsArray();
        Assert.Equal(["get_weather", "get_time"], streamedCalls.Select(c => c!["function"]!["name"]!.GetValue<string>()));
        Assert.Equal("sim-zone", JsonNode.Parse(streamedCalls[1]!["function"]!["arguments"]!.GetValue<string>())!["zone"]!.GetValue<string>());

        // The earlier assistant turn is kept for context but not trained on: another model may have written it.
        var rome = Assert.Single(records, r => UserText(r) == "weather in Rome?");
        var messages = rome["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "tool", "assistant"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal(0, messages[2]!["weight"]!.GetValue<int>());
        Assert.Equal("call_rome", messages[3]!["tool_call_id"]!.GetValue<string>());
        Assert.Equal("localsim got tool result: sunny, 24 C", AssistantText(rome));
        Assert.Null(Final(rome)["weight"]);

        var serial = Assert.Single(records, r => UserText(r) == "one call at a time");
        Assert.False(serial["parallel_tool_calls"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Streamed_answers_are_captured_whole_as_the_client_received_them()
    {
        var streamed = await ChatAnswerAsync(TestConfig.ClientKey, "qwen3", "tell me a long story", stream: true, headers: new() { ["x-sim-chunks"] = "300" });
        var whole = await ChatAnswerAsync(TestConfig.ClientKey, "qwen3", "tell me a short story", headers: new() { ["x-sim-chunks"] = "40" });
        Assert.Equal(300, streamed.Split(' ').Length);

        var records = await ExportAsync();
        Assert.Equal(streamed, AssistantText(Assert.Single(records, r => UserText(r) == "tell me a long story")));
        Assert.Equal(whole, AssistantText(Assert.Single(records, r => UserText(r) == "tell me a short story")));

        // A stream the upstream cut after a few chunks is no answer to train on.
        using var client = Gateway.HttpClient();
        await SendAsync(client, Body("qwen3", Messages("cut me off"), stream: true), headers: new() { ["x-sim-fault"] = "cut=3" }, readBody: true);
        Assert.DoesNotContain(await ExportAsync(), r => UserText(r) == "cut me off");
        Assert.Equal(1, Gateway.Service<CaptureMetrics>().Total(CaptureResult.Incomplete));
    }

    [Fact]
    public async Task Anthropic_messages_and_responses_clients_are_captured_in_the_chat_format()
    {
        using var client = Gateway.HttpClient();
        var messages = new JsonObject
        {
            ["model"] = "qwen3",
            ["max_tokens"] = 64,
            ["system"] = "Be terse.",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hello from claude code" }),
        };
        await SendAsync(client, messages, path: "/v1/messages");
        await SendAsync(client, new JsonObject { ["model"] = "qwen3", ["input"] = "hello from codex", ["stream"] = true }, path: "/v1/responses", readBody: true);

        var file = await ExportTextAsync();
        FineTuningFormat.AssertValid(file);
        var records = FineTuningFormat.Lines(file);
        var claude = Assert.Single(records, r => UserText(r) == "hello from claude code");
        Assert.Equal("Be terse.", claude["messages"]![0]!["content"]!.GetValue<string>());
        Assert.StartsWith("localsim says", AssistantText(claude), StringComparison.Ordinal);
        Assert.StartsWith("localsim says", AssistantText(Assert.Single(records, r => UserText(r) == "hello from codex")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deletion_by_key_or_team_and_retention()
    {
        await ChatAsync(TestConfig.ClientKey, "qwen3", "mine");
        await ChatAsync(TeamKey, "qwen3", "the team's");
        await ChatAsync(RuleKey, "qwen3", "the rule's");
        Assert.Equal(3, (await ExportAsync()).Count);

        var deleted = await AdminFixture.SendAsync(Admin, HttpMethod.Delete, "/admin/v1/captures?key=test-key", null, HttpStatusCode.OK);
        Assert.Equal(1, deleted["deleted"]!.GetValue<long>());
        Assert.Equal(["the rule's", "the team's"], (await ExportAsync()).Select(UserText).Order(StringComparer.Ordinal));
        deleted = await AdminFixture.SendAsync(Admin, HttpMethod.Delete, "/admin/v1/captures?team=research", null, HttpStatusCode.OK);
        Assert.Equal(1, deleted["deleted"]!.GetValue<long>());
        Assert.Equal(["the rule's"], (await ExportAsync()).Select(UserText));

        // Retention (30 days by default): a pair captured 31 days ago goes at the next sweep, today's stays.
        var store = Gateway.Service<CaptureStore>();
        await store.InsertAsync([new CaptureRow
        {
            RequestId = "req_old_capture",
            Timestamp = DateTimeOffset.UtcNow.AddDays(-31),
            KeyId = "rule-key",
            TeamId = "",
            Model = "qwen3",
            ProviderId = "local",
            DeploymentId = "qwen-local",
            Level = ModelGateway.Sensitivity.SensitivityLevel.Public,
            Redactions = 0,
            ToolCalls = 0,
            Streamed = false,
            Record = """{"messages":[{"role":"user","content":"old"},{"role":"assistant","content":"old answer"}]}""",
        }], default);
        Assert.Equal(2, (await ExportAsync()).Count);
        Assert.Equal(1, await Gateway.Service<CaptureSweeper>().SweepAsync(default));
        Assert.Equal(["the rule's"], (await ExportAsync()).Select(UserText));
    }

    [Fact]
    public async Task Bad_parameters_get_problem_details_and_content_needs_a_full_admin_key()
    {
        var bad = await AdminFixture.GetAsync(Admin, "/admin/v1/captures/export?from=yesterday&maxLevel=secret&kye=x", HttpStatusCode.BadRequest);
        Assert.Equal(["from", "kye", "maxLevel"], AdminFixture.ErrorFields(bad).Order(StringComparer.Ordinal));
        Assert.Equal(400, bad["status"]!.GetValue<int>());
        var reversed = await AdminFixture.GetAsync(Admin, "/admin/v1/captures/manifest?from=2026-03-02&to=2026-03-01", HttpStatusCode.BadRequest);
        Assert.Contains("from must be before to", AdminFixture.AllErrors(reversed), StringComparison.Ordinal);

        var noScope = await AdminFixture.SendAsync(Admin, HttpMethod.Delete, "/admin/v1/captures", null, HttpStatusCode.BadRequest);
        Assert.Contains("key or team is required", AdminFixture.AllErrors(noScope), StringComparison.Ordinal);
        var typo = await AdminFixture.SendAsync(Admin, HttpMethod.Delete, "/admin/v1/captures?teem=research", null, HttpStatusCode.BadRequest);
        Assert.Contains("teem", AdminFixture.ErrorFields(typo));

        using var viewer = AdminFixture.AdminClient(Gateway, AdminFixture.ReadOnlyKey);
        await AdminFixture.GetAsync(viewer, "/admin/v1/captures/manifest");
        var forbidden = await AdminFixture.GetAsync(viewer, "/admin/v1/captures/export", HttpStatusCode.Forbidden);
        Assert.Contains("read-only", forbidden["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        await AdminFixture.SendAsync(viewer, HttpMethod.Delete, "/admin/v1/captures?key=test-key", null, HttpStatusCode.Forbidden);
        using var client = Gateway.HttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/admin/v1/captures/export")).StatusCode);
    }

    [Fact]
    public async Task Raising_the_level_with_redaction_keeps_the_pair_without_what_the_detectors_match()
    {
        await using var gateway = await StartGatewayAsync("--ModelGateway:Capture:MaxSensitivity=confidential");
        await using var _ = SwapGateway(gateway);

        await ChatAsync(TestConfig.ClientKey, "qwen3", RoutingTestConfig.CardPrompt);
        await ChatAsync(TestConfig.ClientKey, "qwen3", EmailPrompt, stream: true);
        var history = new JsonArray(
            new JsonObject { ["role"] = "user", ["content"] = "look up the customer" },
            new JsonObject
            {
                ["role"] = "assistant",
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["id"] = "call_lookup",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = "lookup", ["arguments"] = """{"email":"bob@example.org","card":"4111111111111111"}""" },
                }),
            },
            new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_lookup", ["content"] = "bob@example.org, 4111 1111 1111 1111" });
        await ChatAsync(TestConfig.ClientKey, "qwen3", messages: history, tools: new JsonArray(Tool("lookup", "email")));
        await ChatAsync(TestConfig.ClientKey, "qwen3", RoutingTestConfig.PrivateKeyPrompt);

        var file = await ExportTextAsync();
        FineTuningFormat.AssertValid(file);
        var records = FineTuningFormat.Lines(file);
        Assert.Equal(3, records.Count);
        Assert.DoesNotContain("4111", file, StringComparison.Ordinal);
        Assert.DoesNotContain("example.", file, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", file, StringComparison.Ordinal);
        Assert.Equal("Please charge my card [REDACTED:payment_card] for the order.", UserText(Assert.Single(records, r => UserText(r).StartsWith("Please charge", StringComparison.Ordinal))));
        Assert.Equal("Write to [REDACTED:email] about the offsite.", UserText(Assert.Single(records, r => UserText(r).StartsWith("Write to", StringComparison.Ordinal))));

        // Inside tool arguments the JSON stays JSON; the answer that echoed the tool result is redacted too.
        var lookup = Assert.Single(records, r => UserText(r) == "look up the customer");
        var arguments = JsonNode.Parse(lookup["messages"]![1]!["tool_calls"]![0]!["function"]!["arguments"]!.GetValue<string>())!;
        Assert.Equal("[REDACTED:email]", arguments["email"]!.GetValue<string>());
        Assert.Equal("[REDACTED:payment_card]", arguments["card"]!.GetValue<string>());
        Assert.StartsWith("localsim got tool result: [REDACTED:", AssistantText(lookup), StringComparison.Ordinal);

        // The private key is restricted: above confidential, so not captured at all.
        Assert.Equal(1, Gateway.Service<CaptureMetrics>().Total(CaptureResult.AboveLevel));
        var manifest = await AdminFixture.GetAsync(Admin, "/admin/v1/captures/manifest");
        Assert.Equal(3, manifest["redactedRecords"]!.GetValue<long>());
        Assert.Equal(2, manifest["byLevel"]!["confidential"]!.GetValue<long>());
        Assert.Single(await ExportAsync("?maxLevel=internal"));
        Assert.Empty(await ExportAsync("?maxLevel=public"));
    }

    [Fact]
    public async Task Without_redaction_the_level_alone_decides_and_oversized_answers_are_counted()
    {
        await using var gateway = await StartGatewayAsync(
            "--ModelGateway:Capture:MaxSensitivity=internal", "--ModelGateway:Capture:Redact=false", "--ModelGateway:Capture:MaxResponseBytes=2048");
        await using var _ = SwapGateway(gateway);

        await ChatAsync(TestConfig.ClientKey, "qwen3", EmailPrompt);
        await ChatAsync(TestConfig.ClientKey, "qwen3", RoutingTestConfig.CardPrompt);
        await ChatAsync(TestConfig.ClientKey, "qwen3", "a very long answer please", stream: true, headers: new() { ["x-sim-chunks"] = "2000" });

        var records = await ExportAsync();
        Assert.Equal(EmailPrompt, UserText(Assert.Single(records)));
        var metrics = Gateway.Service<CaptureMetrics>();
        Assert.Equal(1, metrics.Total(CaptureResult.AboveLevel));
        Assert.Equal(1, metrics.Total(CaptureResult.TooLarge));
    }

    [Fact]
    public async Task With_capture_off_nothing_is_stored()
    {
        var config = TestConfig.Gateway()
            .WithProvider("local", Local.BaseUrl + "/v1")
            .WithDeployment("qwen-local", "local", ["qwen3"]);
        await using var gateway = await GatewayHost.StartAsync(config, [.. AdminFixture.AdminArgs(storePath: null), .. await LedgerArgsAsync()]);
        await using var _ = SwapGateway(gateway);
        Assert.False(gateway.Service<ModelGateway.Configuration.IGatewayConfigStore>().Current.Config.Capture.AnyOptIn);

        await ChatAsync(TestConfig.ClientKey, "qwen3", "hello");
        await ChatAsync(TestConfig.ClientKey, "qwen3", "hello again", stream: true);

        Assert.Empty(await ExportAsync());
        Assert.Equal(0, (await AdminFixture.GetAsync(Admin, "/admin/v1/captures/manifest"))["records"]!.GetValue<long>());
        var metrics = gateway.Service<CaptureMetrics>();
        Assert.All(Enum.GetValues<CaptureResult>(), result => Assert.Equal(0, metrics.Total(result)));
    }

    /// <summary>Points the helpers at another gateway until disposed (tests that need other settings).</summary>
    private Restore SwapGateway(GatewayHost other)
    {
        var (gateway, admin, sent) = (Gateway, Admin, _sent);
        Gateway = other;
        Admin = AdminFixture.AdminClient(other);
        _sent = 0;
        return new Restore(() =>
        {
            Admin.Dispose();
            (Gateway, Admin, _sent) = (gateway, admin, sent);
        });
    }

    private sealed class Restore(Action restore) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            restore();
            return ValueTask.CompletedTask;
        }
    }

    protected static JsonObject Tool(string name, string parameter) => new()
    {
        ["type"] = "function",
        ["function"] = new JsonObject
        {
            ["name"] = name,
            ["description"] = $"Looks up {parameter}.",
            ["parameters"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { [parameter] = new JsonObject { ["type"] = "string" } },
                ["required"] = new JsonArray(parameter),
            },
        },
    };

    private static JsonArray Messages(string prompt) => new(new JsonObject { ["role"] = "user", ["content"] = prompt });

    private static JsonObject Body(string model, JsonArray messages, bool stream = false, JsonArray? tools = null, JsonObject? extra = null)
    {
        var body = new JsonObject { ["model"] = model, ["messages"] = messages.DeepClone(), ["stream"] = stream };
        if (tools is not null)
        {
            body["tools"] = tools.DeepClone();
        }

        foreach (var (name, value) in extra ?? [])
        {
            body[name] = value?.DeepClone();
        }

        return body;
    }

    /// <summary>Sends one chat completion with <paramref name="key"/>; returns the prompt (for matching in the export).</summary>
    protected async Task<string> ChatAsync(string key, string model, string? prompt = null, bool stream = false, JsonArray? messages = null,
        JsonArray? tools = null, Dictionary<string, string>? headers = null, JsonObject? extra = null)
    {
        using var client = Gateway.HttpClient(key);
        await SendAsync(client, Body(model, messages ?? Messages(prompt!), stream, tools, extra), headers: headers, readBody: true);
        return prompt ?? "";
    }

    /// <summary>Sends one chat completion and returns the assistant text the client received (read independently of the gateway's code).</summary>
    private async Task<string> ChatAnswerAsync(string key, string model, string prompt, bool stream = false, Dictionary<string, string>? headers = null)
    {
        using var client = Gateway.HttpClient(key);
        var text = await SendAsync(client, Body(model, Messages(prompt), stream), headers: headers, readBody: true);
        if (!stream)
        {
            return JsonNode.Parse(text)!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
        }

        var answer = new StringBuilder();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal) && JsonNode.Parse(line[6..])!["choices"] is JsonArray { Count: > 0 } choices
                && choices[0]!["delta"]?["content"] is JsonValue content)
            {
                answer.Append(content.GetValue<string>());
            }
        }

        return answer.ToString();
    }

    private async Task<string> SendAsync(HttpClient client, JsonObject body, string path = "/v1/chat/completions",
        Dictionary<string, string>? headers = null, bool readBody = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.Add(name, value);
        }

        _sent++;
        using var response = await client.SendAsync(request);
        var text = "";
        try
        {
            text = readBody ? await response.Content.ReadAsStringAsync() : "";
        }
        catch (HttpRequestException)
        {
            // A stream the upstream cut: the client sees it end early.
        }

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        return text;
    }

    /// <summary>
    /// Every request sent so far has ended (its request-log row is in the ledger, so its capture was queued) and the
    /// capture writer has stored or refused what was queued.
    /// </summary>
    private async Task SettleAsync()
    {
        var reports = Gateway.Service<ILedgerReports>();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            await Gateway.Service<IUsageLedger>().FlushAsync(TimeSpan.FromSeconds(10));
            var now = DateTimeOffset.UtcNow;
            var rows = await reports.RequestsAsync(new RequestLogQuery(now.AddDays(-1), now.AddMinutes(1), 10_000), default);
            if (rows.Count >= _sent || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(20);
        }

        await Gateway.Service<CaptureWriter>().FlushAsync(TimeSpan.FromSeconds(10));
    }

    protected async Task<string> ExportTextAsync(string query = "")
    {
        await SettleAsync();
        using var response = await Admin.GetAsync("/admin/v1/captures/export" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("application/jsonl", response.Content.Headers.ContentType?.MediaType);
        return text;
    }

    protected async Task<List<JsonObject>> ExportAsync(string query = "")
    {
        var file = await ExportTextAsync(query);
        FineTuningFormat.AssertValid(file);
        return FineTuningFormat.Lines(file);
    }

    /// <summary>The text of the last user message of a record.</summary>
    protected static string UserText(JsonObject record) =>
        record["messages"]!.AsArray().Last(m => m!["role"]!.GetValue<string>() == "user")!["content"]!.GetValue<string>();

    protected static JsonObject Final(JsonObject record) => record["messages"]!.AsArray()[^1]!.AsObject();

    protected static string AssistantText(JsonObject record) => Final(record)["content"]?.GetValue<string>() ?? "";
}
