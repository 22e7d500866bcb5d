using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Accounting;
using ModelGateway.Tests.FrontDoor;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Dialects;

/// <summary>
/// Each dialect end to end: the simulator plays the host (its usage fields and reasoning field), the gateway in
/// front of it with the same dialect bills the cache hits at the cached price and counts reasoning tokens.
/// </summary>
public sealed class DialectCostTests
{
    private const decimal Input = 0.56m;
    private const decimal Cached = 0.07m;
    private const decimal Output = 1.68m;

    public static TheoryData<string, bool> DialectsAndStreaming()
    {
        var data = new TheoryData<string, bool>();
        foreach (var dialect in new[] { "openai", "deepseek", "dashscope", "moonshot", "zhipu", "together", "fireworks", "groq", "vllm", "sglang", "ollama", "llamacpp" })
        {
            data.Add(dialect, false);
            data.Add(dialect, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DialectsAndStreaming))]
    public async Task Cache_hits_are_billed_at_the_cached_price_and_reasoning_tokens_counted(string dialect, bool stream)
    {
        await using var simulator = await SimulatorHost.StartAsync(o => { o.Name = "sim"; o.Dialect = dialect; });
        await using var gateway = await GatewayHost.StartAsync(Config(simulator, dialect));

        using var http = gateway.HttpClient();
        using var request = ChatRequest(stream);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var record = Assert.Single(await gateway.Service<IUsageLedger>().WaitForRecordsAsync(1));
        Assert.True(record.UsageReported);
        Assert.Equal(2000, record.Usage.PromptTokens);
        Assert.Equal(1000, record.Usage.CachedPromptTokens);

        // Moonshot reports no completion details: its reasoning is in completion_tokens, billed as output all the same.
        Assert.Equal(dialect == "moonshot" ? 0 : 8, record.Usage.ReasoningTokens);
        var expected = ((1000 * Input) + (1000 * Cached) + (record.Usage.CompletionTokens * Output)) / 1_000_000m;
        Assert.Equal(expected, record.CostUsd);

        // The pass-through path forwards the host's own reasoning field to the client untouched.
        var field = ReasoningField(dialect);
        if (field is null)
        {
            Assert.DoesNotContain("\"reasoning\":", body, StringComparison.Ordinal);
            Assert.DoesNotContain("\"reasoning_content\":", body, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"\"{field}\":\"sim thinks step by step", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_deepseek_host_behind_a_provider_without_the_dialect_loses_the_cache_hits()
    {
        // The control experiment: the same upstream read as plain OpenAI bills every hit at the full input price.
        await using var simulator = await SimulatorHost.StartAsync(o => { o.Name = "sim"; o.Dialect = "deepseek"; });
        await using var gateway = await GatewayHost.StartAsync(Config(simulator, "openai"));

        using var http = gateway.HttpClient();
        using var request = ChatRequest(stream: false);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var record = Assert.Single(await gateway.Service<IUsageLedger>().WaitForRecordsAsync(1));
        Assert.Equal(0, record.Usage.CachedPromptTokens);
        Assert.Equal(((2000 * Input) + (record.Usage.CompletionTokens * Output)) / 1_000_000m, record.CostUsd);
    }

    internal static JsonObject Config(SimulatorHost simulator, string dialect)
    {
        var config = TestConfig.Gateway()
            .WithProvider("host", simulator.BaseUrl + "/v1", trust: "contracted")
            .WithDeployment("deepseek-v3", "host", ["deepseek-chat"], input: Input, output: Output, cached: Cached);
        config["Providers"]!["host"]!["Dialect"] = dialect;
        return config;
    }

    private static HttpRequestMessage ChatRequest(bool stream)
    {
        var body = $$"""{"model":"deepseek-chat","stream":{{(stream ? "true" : "false")}},"reasoning_effort":"high","messages":[{"role":"user","content":"What is cached?"}]}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-sim-prompt-tokens", "2000");
        request.Headers.Add("x-sim-cached-tokens", "1000");
        return request;
    }

    private static string? ReasoningField(string dialect) => dialect switch
    {
        "openai" => null,
        "together" or "groq" or "vllm" or "ollama" => "reasoning",
        _ => "reasoning_content",
    };
}
