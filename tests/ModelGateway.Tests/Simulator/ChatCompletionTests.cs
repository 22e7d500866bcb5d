using System.Text.Json;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace ModelGateway.Tests.Simulator;

public sealed class ChatCompletionTests
{
    [Fact]
    public async Task Sdk_gets_the_deterministic_reply_with_usage()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var chat = sim.OpenAiClient().GetChatClient("sim-small");

        ChatCompletion first = await chat.CompleteChatAsync([new UserChatMessage("hello")]);
        ChatCompletion second = await chat.CompleteChatAsync([new UserChatMessage("hello")]);

        Assert.Equal(RawApi.HelloReply, first.Content[0].Text);
        Assert.Equal(first.Content[0].Text, second.Content[0].Text);
        Assert.Equal(8, first.Content[0].Text.Split(' ').Length);
        Assert.Equal(ChatFinishReason.Stop, first.FinishReason);
        Assert.Equal("sim-small", first.Model);
        Assert.Equal(ChatMessageRole.Assistant, first.Role);
        Assert.StartsWith("chatcmpl-sim-", first.Id, StringComparison.Ordinal);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal("fp_simulator", first.SystemFingerprint);

        // "hello" is 5 UTF-8 bytes: 5 / 4 + 4 per message = 5.
        Assert.Equal(5, first.Usage.InputTokenCount);
        Assert.Equal(8, first.Usage.OutputTokenCount);
        Assert.Equal(13, first.Usage.TotalTokenCount);
        Assert.Equal(0, first.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(0, first.Usage.OutputTokenDetails.ReasoningTokenCount);
    }

    [Fact]
    public async Task Reply_depends_on_the_last_user_message_and_starts_with_the_name()
    {
        await using var sim = await SimulatorHost.StartAsync(o => o.Name = "mock-7");
        var chat = sim.OpenAiClient().GetChatClient("any/model-name");

        ChatCompletion a = await chat.CompleteChatAsync([new SystemChatMessage("be brief"), new UserChatMessage("What is the capital of France?")]);
        ChatCompletion b = await chat.CompleteChatAsync([new UserChatMessage("What is the capital of Spain?")]);

        Assert.StartsWith("mock-7 says ", a.Content[0].Text, StringComparison.Ordinal);
        Assert.StartsWith("mock-7 says ", b.Content[0].Text, StringComparison.Ordinal);
        Assert.NotEqual(a.Content[0].Text, b.Content[0].Text);
        Assert.Equal("any/model-name", a.Model);
        // 8 + 30 bytes: 38 / 4 + 2 messages x 4 = 17.
        Assert.Equal(17, a.Usage.InputTokenCount);
    }

    [Fact]
    public async Task Max_output_tokens_truncates_with_finish_reason_length()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var chat = sim.OpenAiClient().GetChatClient("sim-small");

        ChatCompletion completion = await chat.CompleteChatAsync(
            [new UserChatMessage("hello")], new ChatCompletionOptions { MaxOutputTokenCount = 3 });

        Assert.Equal("simulator says zephyr", completion.Content[0].Text);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(3, completion.Usage.OutputTokenCount);
        using var sent = JsonDocument.Parse(Assert.Single(sim.State.Received).Body);
        Assert.Equal(3, sent.RootElement.GetProperty("max_completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Legacy_max_tokens_is_respected_too()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        var body = await (await http.PostAsync("/v1/chat/completions", """{"model":"m","max_tokens":2,"messages":[{"role":"user","content":"hello"}]}""")).JsonAsync();

        var choice = body.GetProperty("choices")[0];
        Assert.Equal("simulator says", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Reasoning_effort_adds_reasoning_tokens_inside_completion_tokens()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        var plain = await (await http.PostAsync("/v1/chat/completions", """{"model":"m","reasoning_effort":"low","messages":[{"role":"user","content":"hello"}]}""")).JsonAsync();
        var bounded = await (await http.PostAsync("/v1/chat/completions", """{"model":"m","reasoning_effort":"high","max_completion_tokens":10,"messages":[{"role":"user","content":"hello"}]}""")).JsonAsync();

        var usage = plain.GetProperty("usage");
        Assert.Equal(16, usage.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(8, usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.Equal(21, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(RawApi.HelloReply, plain.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        // Reasoning counts against max_completion_tokens: 10 - 8 leaves two visible words.
        Assert.Equal("simulator says", bounded.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("length", bounded.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(10, bounded.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Prompt_cache_key_reports_half_the_prompt_as_cached()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();
        var prompt = new string('x', 400);

        var body = await (await http.PostAsync("/v1/chat/completions", $$"""{"model":"m","prompt_cache_key":"tenant-1","messages":[{"role":"user","content":"{{prompt}}"}]}""")).JsonAsync();

        var usage = body.GetProperty("usage");
        Assert.Equal(104, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(52, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }

    [Fact]
    public async Task N_gives_n_choices_and_their_usage()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        var body = await (await http.PostAsync("/v1/chat/completions", """{"model":"m","n":3,"messages":[{"role":"user","content":"hello"}]}""")).JsonAsync();

        var choices = body.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.Equal(RawApi.HelloReply, choices[0].GetProperty("message").GetProperty("content").GetString());
        Assert.All(choices, c => Assert.StartsWith("simulator says ", c.GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal));
        Assert.Equal(3, choices.Select(c => c.GetProperty("message").GetProperty("content").GetString()).Distinct().Count());
        Assert.Equal(24, body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Chunks_header_sets_the_word_count_and_content_parts_count_as_text()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        var body = await (await http.PostAsync(
            "/v1/chat/completions",
            """{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"hello"}]}]}""",
            ("x-sim-chunks", "20"))).JsonAsync();

        var content = body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        Assert.Equal(20, content.Split(' ').Length);
        Assert.StartsWith(RawApi.HelloReply + " ", content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_has_every_documented_field()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", RawApi.Hello);
        var body = await response.JsonAsync();

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            ["id", "object", "created", "model", "choices", "usage", "service_tier", "system_fingerprint"],
            body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        var message = choice.GetProperty("message");
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("refusal").ValueKind);
        var usage = body.GetProperty("usage");
        Assert.Equal(["cached_tokens", "audio_tokens"], usage.GetProperty("prompt_tokens_details").EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["reasoning_tokens", "audio_tokens", "accepted_prediction_tokens", "rejected_prediction_tokens"],
            usage.GetProperty("completion_tokens_details").EnumerateObject().Select(p => p.Name));
        var created = DateTimeOffset.FromUnixTimeSeconds(body.GetProperty("created").GetInt64());
        Assert.InRange(created, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Theory]
    [InlineData("{not json", null, null)]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""", "model", "missing_required_parameter")]
    [InlineData("""{"model":"m"}""", "messages", "missing_required_parameter")]
    [InlineData("""{"model":"m","messages":[]}""", "messages", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"content":"hi"}]}""", "messages[0].role", "missing_required_parameter")]
    [InlineData("""{"model":"m","messages":[{"role":"robot","content":"hi"}]}""", "messages[0].role", "invalid_value")]
    [InlineData("""{"model":"m","messages":[{"role":"tool","content":"hi"}]}""", "messages[0].tool_call_id", "missing_required_parameter")]
    [InlineData("""{"model":"m","stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}""", "stream_options", "invalid_value")]
    [InlineData("""{"model":"m","n":0,"messages":[{"role":"user","content":"hi"}]}""", "n", "invalid_value")]
    [InlineData("""{"model":"m","max_tokens":"ten","messages":[{"role":"user","content":"hi"}]}""", "max_tokens", "invalid_type")]
    public async Task Invalid_requests_get_a_400_envelope(string json, string? param, string? code)
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", json);

        var error = await RawApi.AssertErrorAsync(response, 400, "invalid_request_error", code);
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Invalid_sim_header_gets_a_400_naming_the_header()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", RawApi.Hello, ("x-sim-chunks", "zero"));

        var error = await RawApi.AssertErrorAsync(response, 400, "invalid_request_error", "invalid_value");
        Assert.Equal("x-sim-chunks", error.GetProperty("param").GetString());
    }
}
