using System.ClientModel;
using System.Text.Json;
using ModelGateway.Accounting;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Chat;
using OpenAI.Embeddings;
using ModelGateway.Requests;

namespace ModelGateway.Tests.FrontDoor;

/// <summary>The official OpenAI .NET SDK, pointed at the gateway, works unchanged.</summary>
public sealed class OpenAiSdkTests : GatewayWithSimulator
{
    [Fact]
    public async Task Non_streaming_chat_is_served_by_the_simulator_with_the_upstream_model_and_provider_key()
    {
        var chat = Gateway.OpenAiClient().GetChatClient("qwen3");

        var result = await chat.CompleteChatAsync([new UserChatMessage("Say hello to the gateway")]);

        var completion = result.Value;
        Assert.StartsWith("sim ", completion.Content[0].Text, StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.True(completion.Usage.InputTokenCount > 0);
        Assert.True(completion.Usage.OutputTokenCount > 0);

        var raw = result.GetRawResponse();
        Assert.True(raw.Headers.TryGetValue("x-request-id", out var requestId));
        Assert.StartsWith("req_", requestId, StringComparison.Ordinal);
        Assert.True(raw.Headers.TryGetValue("x-gateway-provider", out var provider));
        Assert.Equal("sim", provider);
        Assert.True(raw.Headers.TryGetValue("x-gateway-deployment", out var deployment));
        Assert.Equal("qwen-sim", deployment);

        var received = Assert.Single(Upstream.Received);
        Assert.Equal("/v1/chat/completions", received.Path);
        Assert.Equal("Bearer " + ProviderKey, received.Headers["authorization"]);
        Assert.Equal(requestId, received.Headers["x-request-id"]);
        using var sent = JsonDocument.Parse(received.Body);
        Assert.Equal("Qwen/Qwen3-32B", sent.RootElement.GetProperty("model").GetString());

        var record = Assert.Single(await Gateway.Service<IUsageLedger>().WaitForRecordsAsync(1));
        Assert.Equal(TestConfig.ClientKeyId, record.KeyId);
        Assert.Equal(completion.Usage.InputTokenCount, record.Usage.PromptTokens);
        Assert.Equal(completion.Usage.OutputTokenCount, record.Usage.CompletionTokens);
        Assert.Equal(((completion.Usage.InputTokenCount * 0.5m) + (completion.Usage.OutputTokenCount * 1.5m)) / 1_000_000m, record.CostUsd);
    }

    [Fact]
    public async Task Streaming_chat_arrives_as_separate_ordered_chunks_and_usage_is_recorded()
    {
        var chat = Gateway.OpenAiClient().GetChatClient("qwen3");
        var fragments = new List<string>();
        ChatFinishReason? finish = null;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream to me")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                fragments.Add(part.Text);
            }

            finish ??= update.FinishReason;
        }

        // The simulator sends one word per chunk; eight chunks by default.
        Assert.Equal(8, fragments.Count(f => f.Length > 0));
        Assert.StartsWith("sim ", string.Concat(fragments), StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, finish);

        var sent = JsonDocument.Parse(Assert.Single(Upstream.Received).Body).RootElement;
        Assert.True(sent.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        var record = Assert.Single(await Gateway.Service<IUsageLedger>().WaitForRecordsAsync(1));
        Assert.True(record.UsageReported);
        Assert.Equal(8, record.Usage.CompletionTokens);
        Assert.True(record.CostUsd > 0);
    }

    [Fact]
    public async Task Tool_call_round_trip_works()
    {
        var chat = Gateway.OpenAiClient().GetChatClient("qwen3");
        var weather = ChatTool.CreateFunctionTool(
            "get_weather",
            "Current weather for a city",
            BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer"}},"required":["city"]}"""));
        var options = new ChatCompletionOptions { Tools = { weather } };
        List<ChatMessage> messages = [new UserChatMessage("What is the weather in Paris?")];

        var first = (await chat.CompleteChatAsync(messages, options)).Value;

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        var call = Assert.Single(first.ToolCalls);
        Assert.Equal("get_weather", call.FunctionName);
        using var arguments = JsonDocument.Parse(call.FunctionArguments);
        Assert.Equal("sim-city", arguments.RootElement.GetProperty("city").GetString());

        messages.Add(new AssistantChatMessage(first));
        messages.Add(new ToolChatMessage(call.Id, "Sunny, 21 C"));
        var second = (await chat.CompleteChatAsync(messages, options)).Value;

        Assert.Equal(ChatFinishReason.Stop, second.FinishReason);
        Assert.Contains("tool result", second.Content[0].Text, StringComparison.Ordinal);
        Assert.Contains("Sunny, 21 C", second.Content[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streamed_tool_call_fragments_arrive_in_order_and_parse()
    {
        var chat = Gateway.OpenAiClient().GetChatClient("qwen3");
        var tool = ChatTool.CreateFunctionTool("lookup", "Look something up",
            BinaryData.FromString("""{"type":"object","properties":{"query":{"type":"string"},"limit":{"type":"number"},"exact":{"type":"boolean"}}}"""));
        var options = new ChatCompletionOptions { Tools = { tool } };
        var argumentFragments = new List<string>();
        string? name = null, id = null;
        ChatFinishReason? finish = null;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("find it")], options))
        {
            foreach (var toolUpdate in update.ToolCallUpdates)
            {
                Assert.Equal(0, toolUpdate.Index);
                name ??= toolUpdate.FunctionName;
                id ??= toolUpdate.ToolCallId;
                if (toolUpdate.FunctionArgumentsUpdate is { } fragment && !fragment.ToMemory().IsEmpty)
                {
                    argumentFragments.Add(fragment.ToString());
                }
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal("lookup", name);
        Assert.NotNull(id);
        Assert.True(argumentFragments.Count >= 2, "arguments should arrive in several fragments");
        using var arguments = JsonDocument.Parse(string.Concat(argumentFragments));
        Assert.Equal("sim-query", arguments.RootElement.GetProperty("query").GetString());
        Assert.Equal(42, arguments.RootElement.GetProperty("limit").GetInt32());
        Assert.True(arguments.RootElement.GetProperty("exact").GetBoolean());
        Assert.Equal(ChatFinishReason.ToolCalls, finish);
    }

    [Fact]
    public async Task Embeddings_work_as_float_and_as_base64()
    {
        var embeddings = Gateway.OpenAiClient().GetEmbeddingClient("embed-small");

        var single = (await embeddings.GenerateEmbeddingAsync("hello", new EmbeddingGenerationOptions { Dimensions = 8 })).Value;
        var batch = (await embeddings.GenerateEmbeddingsAsync(["a", "b", "c"])).Value;

        Assert.Equal(8, single.ToFloats().Length);
        Assert.Equal(1.0, Math.Sqrt(single.ToFloats().ToArray().Sum(v => (double)v * v)), 3);
        Assert.Equal(3, batch.Count);
        Assert.Equal([0, 1, 2], batch.Select(e => e.Index));

        // Raw float request: the gateway passes the upstream's choice of encoding through untouched.
        using var http = Gateway.HttpClient();
        using var response = await http.PostAsync("/v1/embeddings", Json("""{"model":"embed-small","input":"hello","encoding_format":"float","dimensions":8}"""));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var floats = body.RootElement.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(single.ToFloats().ToArray(), floats);

        var records = await Gateway.Service<IUsageLedger>().WaitForRecordsAsync(3);
        Assert.Equal(3, records.Count);
        Assert.All(records, r => Assert.Equal("embeddings", r.Operation));
        Assert.All(records, r => Assert.True(r.Usage.PromptTokens > 0));
    }

    [Fact]
    public async Task Models_are_listed_and_fetched()
    {
        var models = Gateway.OpenAiClient().GetOpenAIModelClient();

        var list = (await models.GetModelsAsync()).Value;
        var one = (await models.GetModelAsync("qwen3")).Value;

        Assert.Equal(["embed-small", "qwen3"], list.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Equal("qwen3", one.Id);
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => models.GetModelAsync("gpt-nope"));
        Assert.Equal(404, missing.Status);
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
