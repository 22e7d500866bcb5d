using System.ClientModel;
using System.Text.Json;
using ModelGateway.Accounting;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace ModelGateway.Tests.Providers;

/// <summary>
/// The official OpenAI .NET SDK against the gateway sees the same text, finish reasons, tool calls and usage
/// whichever provider kind serves the model: the simulator plans the same reply for every wire format.
/// </summary>
public sealed class ProviderKindTests
{
    private static readonly ChatTool Lookup = ChatTool.CreateFunctionTool("lookup", "Look something up",
        BinaryData.FromString("""{"type":"object","properties":{"query":{"type":"string"},"limit":{"type":"number"},"exact":{"type":"boolean"}}}"""));

    private static readonly ChatTool Weather = ChatTool.CreateFunctionTool("get_weather", "Weather for a city",
        BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""));

    [Theory]
    [MemberData(nameof(ProviderKindHost.Kinds), MemberType = typeof(ProviderKindHost))]
    public async Task Whole_reply_text_finish_and_usage_match_the_openai_shape(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind);
        var chat = host.Gateway.OpenAiClient().GetChatClient("m");

        var completion = (await chat.CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("Say hello to the gateway")])).Value;

        Assert.Equal("sim says", string.Join(' ', completion.Content[0].Text.Split(' ').Take(2)));
        Assert.Equal(8, completion.Content[0].Text.Split(' ').Length);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(8, completion.Usage.OutputTokenCount);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.Equal(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount);

        // The client can have the last byte a moment before the dispatcher has accounted the request.
        var record = Assert.Single(await host.Gateway.Service<IUsageLedger>().WaitForRecordsAsync(1));
        Assert.True(record.UsageReported);
        Assert.Equal(completion.Usage.InputTokenCount, record.Usage.PromptTokens);
        Assert.Equal(((completion.Usage.InputTokenCount * 1m) + (8 * 2m)) / 1_000_000m, record.CostUsd);
    }

    [Theory]
    [MemberData(nameof(ProviderKindHost.Kinds), MemberType = typeof(ProviderKindHost))]
    public async Task Streamed_text_arrives_in_chunks_with_usage_only_when_asked(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind);
        var chat = host.Gateway.OpenAiClient().GetChatClient("m");
        var fragments = new List<string>();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream to me")]))
        {
            fragments.AddRange(update.ContentUpdate.Select(p => p.Text).Where(t => t.Length > 0));
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Equal(8, fragments.Count);
        Assert.StartsWith("sim says ", string.Concat(fragments), StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage); // The .NET SDK always asks for stream usage.
        Assert.Equal(8, usage.OutputTokenCount);
        // The client can have the last byte a moment before the dispatcher has accounted the request.
        var ledger = host.Gateway.Service<IUsageLedger>();
        var record = Assert.Single(await ledger.WaitForRecordsAsync(1));
        Assert.True(record.UsageReported);
        Assert.Equal(8, record.Usage.CompletionTokens);

        // Raw client without include_usage: no usage chunk, but the gateway still accounts the tokens.
        using var http = host.Gateway.HttpClient();
        var body = """{"model":"m","stream":true,"messages":[{"role":"user","content":"Stream to me"}]}""";
        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        Assert.DoesNotContain(events, e => e.Contains("\"choices\":[]", StringComparison.Ordinal));
        Assert.All(events[..^1], e => Assert.Contains("\"object\":\"chat.completion.chunk\"", e, StringComparison.Ordinal));
        Assert.Equal(2, (await ledger.WaitForRecordsAsync(2)).Count(r => r.UsageReported && r.Usage.CompletionTokens == 8));
    }

    [Theory]
    [MemberData(nameof(ProviderKindHost.Kinds), MemberType = typeof(ProviderKindHost))]
    public async Task Parallel_tool_calls_stream_as_indexed_fragments_that_parse(string kind)
    {
        // The provider's configured headers reach the upstream whatever the kind; this one asks for two calls.
        await using var host = await ProviderKindHost.StartAsync(kind, config =>
            config["Providers"]!["native"]!["Headers"] = new System.Text.Json.Nodes.JsonObject { ["x-sim-tool-calls"] = "2" });
        var chat = host.Gateway.OpenAiClient().GetChatClient("m");
        var options = new ChatCompletionOptions { Tools = { Lookup, Weather } };
        var names = new Dictionary<int, string>();
        var ids = new Dictionary<int, string>();
        var arguments = new Dictionary<int, string>();
        ChatFinishReason? finish = null;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("find it")], options, default))
        {
            foreach (var tool in update.ToolCallUpdates)
            {
                if (tool.FunctionName is { } name)
                {
                    names[tool.Index] = name;
                }

                if (tool.ToolCallId is { } id)
                {
                    ids[tool.Index] = id;
                }

                arguments[tool.Index] = arguments.GetValueOrDefault(tool.Index, "") + tool.FunctionArgumentsUpdate?.ToString();
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal(ChatFinishReason.ToolCalls, finish);
        Assert.Equal("lookup", names[0]);
        Assert.Equal("get_weather", names[1]);
        Assert.Equal(2, ids.Values.Distinct().Count());
        using var first = JsonDocument.Parse(arguments[0]);
        Assert.Equal("sim-query", first.RootElement.GetProperty("query").GetString());
        Assert.Equal(42, first.RootElement.GetProperty("limit").GetInt32());
        using var second = JsonDocument.Parse(arguments[1]);
        Assert.Equal("sim-city", second.RootElement.GetProperty("city").GetString());
    }

    [Theory]
    [MemberData(nameof(ProviderKindHost.Kinds), MemberType = typeof(ProviderKindHost))]
    public async Task Tool_round_trip_returns_the_tool_result_to_the_model(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind);
        var chat = host.Gateway.OpenAiClient().GetChatClient("m");
        var options = new ChatCompletionOptions { Tools = { Weather } };
        List<ChatMessage> messages = [new UserChatMessage("What is the weather in Paris?")];

        var first = (await chat.CompleteChatAsync(messages, options)).Value;
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        using (var args = JsonDocument.Parse(call.FunctionArguments))
        {
            Assert.Equal("sim-city", args.RootElement.GetProperty("city").GetString());
        }

        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "Sunny, 21 C"));
        var second = (await chat.CompleteChatAsync(messages, options)).Value;

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Contains("Sunny, 21 C", second.Content[0].Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ProviderKindHost.Kinds), MemberType = typeof(ProviderKindHost))]
    public async Task Max_tokens_ends_with_length(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind);
        var chat = host.Gateway.OpenAiClient().GetChatClient("m");

        var completion = (await chat.CompleteChatAsync([new UserChatMessage("Say a lot")], new ChatCompletionOptions { MaxOutputTokenCount = 3 })).Value;

        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(3, completion.Content[0].Text.Split(' ').Length);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("gemini")]
    [InlineData("azure-openai")]
    [InlineData("azure-v1")]
    public async Task Embeddings_match_across_kinds_as_floats(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind);
        var client = host.Gateway.OpenAiClient().GetEmbeddingClient("embed");

        var result = (await client.GenerateEmbeddingsAsync(["first text", "second text"])).Value;

        Assert.Equal(2, result.Count);
        Assert.Equal(16, result[0].ToFloats().Length);
        await using var reference = await ProviderKindHost.StartAsync("openai");
        var expected = (await reference.Gateway.OpenAiClient().GetEmbeddingClient("embed").GenerateEmbeddingsAsync(["first text", "second text"])).Value;
        Assert.Equal(expected[0].ToFloats().ToArray(), result[0].ToFloats().ToArray());
        Assert.Equal(expected[1].ToFloats().ToArray(), result[1].ToFloats().ToArray());
    }

    [Fact]
    public async Task Anthropic_rejects_more_than_one_choice_with_a_clear_400()
    {
        await using var host = await ProviderKindHost.StartAsync("anthropic");
        using var http = host.Gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(
            """{"model":"m","n":2,"messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(400, (int)response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("n", error.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("unsupported_by_provider", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Empty(host.Simulator.State.Received);
    }

    [Fact]
    public async Task Anthropic_request_carries_key_version_system_and_translated_tools()
    {
        await using var host = await ProviderKindHost.StartAsync("anthropic");
        var chat = host.Gateway.OpenAiClient().GetChatClient("m");

        await chat.CompleteChatAsync(
            [new SystemChatMessage("Be brief."), new UserChatMessage("hi")],
            new ChatCompletionOptions { Tools = { Weather }, ToolChoice = ChatToolChoice.CreateRequiredChoice(), Temperature = 1.6f, AllowParallelToolCalls = false });

        var received = Assert.Single(host.Simulator.State.Received);
        Assert.Equal("/v1/messages", received.Path);
        Assert.Equal(ProviderKindHost.ProviderKey, received.Headers["x-api-key"]);
        Assert.Equal("2023-06-01", received.Headers["anthropic-version"]);
        Assert.False(received.Headers.ContainsKey("authorization"));
        using var body = JsonDocument.Parse(received.Body);
        var root = body.RootElement;
        Assert.Equal(ProviderKindHost.UpstreamModel, root.GetProperty("model").GetString());
        Assert.Equal(4096, root.GetProperty("max_tokens").GetInt32());
        Assert.Equal(1, root.GetProperty("temperature").GetDouble());
        Assert.Equal("Be brief.", root.GetProperty("system")[0].GetProperty("text").GetString());
        Assert.Equal("any", root.GetProperty("tool_choice").GetProperty("type").GetString());
        Assert.True(root.GetProperty("tool_choice").GetProperty("disable_parallel_tool_use").GetBoolean());
        Assert.Equal("city", root.GetProperty("tools")[0].GetProperty("input_schema").GetProperty("required")[0].GetString());
    }

    [Fact]
    public async Task Azure_classic_urls_carry_deployment_api_version_and_api_key()
    {
        await using var host = await ProviderKindHost.StartAsync("azure-openai");
        await host.Gateway.OpenAiClient().GetChatClient("m").CompleteChatAsync([new UserChatMessage("hi")]);

        var received = Assert.Single(host.Simulator.State.Received);
        Assert.Equal("/openai/deployments/sim-large/chat/completions", received.Path);
        Assert.Equal("?api-version=2024-10-21", received.Query);
        Assert.Equal(ProviderKindHost.ProviderKey, received.Headers["api-key"]);
        Assert.False(received.Headers.ContainsKey("authorization"));
    }

    [Fact]
    public async Task Gemini_request_uses_the_model_url_and_goog_key()
    {
        await using var host = await ProviderKindHost.StartAsync("gemini");
        var fragments = 0;
        await foreach (var update in host.Gateway.OpenAiClient().GetChatClient("m").CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            fragments += update.ContentUpdate.Count;
        }

        Assert.True(fragments > 0);
        var received = Assert.Single(host.Simulator.State.Received);
        Assert.Equal("/v1beta/models/sim-large:streamGenerateContent", received.Path);
        Assert.Equal("?alt=sse", received.Query);
        Assert.Equal(ProviderKindHost.ProviderKey, received.Headers["x-goog-api-key"]);
    }

    [Theory]
    [InlineData("anthropic")]
    [InlineData("gemini")]
    public async Task Upstream_rejection_of_the_request_is_a_400_and_not_retried(string kind)
    {
        await using var host = await ProviderKindHost.StartAsync(kind);
        host.Simulator.State.EnqueueFault(new ModelGateway.Simulator.FaultSpec { Kind = ModelGateway.Simulator.FaultKind.Status, Status = 400, Message = "bad thing" });

        var error = await Assert.ThrowsAsync<ClientResultException>(() => host.Gateway.OpenAiClient().GetChatClient("m").CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(400, error.Status);
        Assert.Contains("bad thing", error.Message, StringComparison.Ordinal);
        Assert.Single(host.Simulator.State.Received);
    }
}
