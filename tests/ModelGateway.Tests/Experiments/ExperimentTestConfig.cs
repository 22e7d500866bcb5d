using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Admin;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Experiments;

/// <summary>Gateway configuration and report helpers for shadow experiment tests (docs/experiments.md).</summary>
internal static class ExperimentTestConfig
{
    public const string Model = "assistant";

    /// <summary>Two tools: a good model calls the first; a candidate profiled with a wrong-tool share calls the other in that share.</summary>
    public const string Tools = """
        [{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city"]}}},
         {"type":"function","function":{"name":"get_time","parameters":{"type":"object","properties":{"zone":{"type":"string"}},"required":["zone"]}}}]
        """;

    public const string Schema = """
        {"type":"object","properties":{"label":{"type":"string","enum":["spam","ham"]},"score":{"type":"number"}},"required":["label","score"],"additionalProperties":false}
        """;

    /// <summary>
    /// "assistant" served live by deployment "live" (upstream model "live-model") on <paramref name="local"/>; $2/$6 per million
    /// tokens. Add candidates with <see cref="WithDeployment"/> and the experiment with <see cref="WithExperiment"/>.
    /// </summary>
    public static JsonObject Gateway(SimulatorHost local) =>
        TestConfig.Gateway()
            .WithProvider("local", local.BaseUrl + "/v1", trust: "self-hosted", responseTimeout: "00:00:30")
            .WithDeployment("live", "local", [Model], upstreamModel: "live-model", input: 2m, output: 6m);

    public static JsonObject WithExperiment(this JsonObject gateway, string id, string[] candidates, double sampleRate = 1, int concurrency = 8,
        string? embeddings = null, string? judge = null, string timeout = "00:00:30", bool enabled = true, decimal spendPerDay = 100m)
    {
        var experiment = new JsonObject
        {
            ["Enabled"] = enabled,
            ["Match"] = new JsonObject { ["Models"] = new JsonArray(Model) },
            ["Candidates"] = new JsonArray([.. candidates.Select(c => (JsonNode)c)]),
            ["SampleRate"] = sampleRate,
            ["MaxConcurrentShadowCalls"] = concurrency,
            ["MaxShadowSpendUsdPerDay"] = spendPerDay,
            ["ShadowTimeout"] = timeout,
            ["QueueCapacity"] = 2000,
            ["MaxGatewayCpu"] = 1, // The test host is busy; these tests count every shadow call.
        };
        if (embeddings is not null)
        {
            experiment["EmbeddingsDeployment"] = embeddings;
        }

        if (judge is not null)
        {
            experiment["JudgeDeployment"] = judge;
        }

        var experiments = gateway["Experiments"] as JsonObject ?? [];
        gateway["Experiments"] = experiments;
        experiments[id] = experiment;
        return gateway;
    }

    /// <summary>A gateway with the admin API on (its document seeded from <paramref name="config"/>), for the report.</summary>
    public static async Task<(GatewayHost Gateway, HttpClient Admin)> StartAsync(JsonObject config, params string[] extraArgs)
    {
        var store = Path.Combine(Directory.CreateTempSubdirectory("mg-exp-store-").FullName, "admin.store");
        var gateway = await GatewayHost.StartAsync(config, [.. AdminFixture.AdminArgs(store), .. extraArgs]);
        return (gateway, AdminFixture.AdminClient(gateway));
    }

    public static StringContent Chat(string prompt, bool stream = false, bool tools = false, bool schema = false)
    {
        var body = new JsonObject
        {
            ["model"] = Model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
        };
        if (stream)
        {
            body["stream"] = true;
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        if (tools)
        {
            body["tools"] = JsonNode.Parse(Tools);
        }

        if (schema)
        {
            body["response_format"] = new JsonObject
            {
                ["type"] = "json_schema",
                ["json_schema"] = new JsonObject { ["name"] = "verdict", ["strict"] = true, ["schema"] = JsonNode.Parse(Schema) },
            };
        }

        return new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
    }

    /// <summary>Sends <paramref name="count"/> requests, <paramref name="parallel"/> at a time; every one must succeed.</summary>
    public static async Task SendAsync(HttpClient http, int count, Func<int, StringContent> body, int parallel = 8)
    {
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, token) =>
        {
            using var response = await http.PostAsync("/v1/chat/completions", body(i), token);
            var text = await response.Content.ReadAsStringAsync(token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        });
    }

    /// <summary>The experiment's report once it holds <paramref name="pairs"/> pairs (shadow calls run in the background).</summary>
    public static async Task<JsonObject> ReportAsync(HttpClient admin, string experiment, int pairs, int timeoutSeconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(timeoutSeconds);
        while (true)
        {
            var report = (await admin.GetFromJsonAsync<JsonObject>($"/admin/v1/experiments/{experiment}/report"))!;
            var have = report["pairs"]!.GetValue<int>();
            if (have >= pairs)
            {
                return report;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Only {have} of {pairs} pairs after {timeoutSeconds} s.");
            await Task.Delay(200);
        }
    }

    /// <summary>The report group of one candidate.</summary>
    public static JsonObject Candidate(JsonObject report, string candidate) =>
        (JsonObject)((JsonArray)report["candidates"]!).Single(g => g!["candidate"]!.GetValue<string>() == candidate)!;

    public static double Rate(JsonNode group, string path)
    {
        JsonNode node = group;
        foreach (var part in path.Split('.'))
        {
            node = node[part]!;
        }

        return node.GetValue<double>();
    }
}
