using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Simulator;
using ModelGateway.Tests.Simulator;

namespace ModelGateway.Tests.FrontDoor.AnthropicMessages;

/// <summary>
/// <c>POST /v1/messages</c> on the wire: the exact Anthropic event sequence rendered from a translated stream, the
/// pass-through of a Claude Code-shaped request to an Anthropic deployment byte for byte (model spliced), the
/// request the OpenAI-compatible deployment receives, and bad input answered as Anthropic 4xx, never 5xx.
/// </summary>
public sealed class MessagesWireTests : MessagesGateway
{
    internal const string ClaudeCodeBody = """
        {"model":"MODEL","max_tokens":32000,"stream":true,
         "system":[{"type":"text","text":"x-anthropic-billing-header: cc_version=2"},{"type":"text","text":"You are an agent.","cache_control":{"type":"ephemeral"}}],
         "messages":[{"role":"user","content":[{"type":"text","text":"<system-reminder>r</system-reminder>"},{"type":"text","text":"hello"}]},{"role":"system","content":[{"type":"text","text":"# Environment"}]}],
         "tools":[{"name":"Bash","description":"Run a command","input_schema":{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"command":{"type":"string"}},"required":["command"]}},
                  {"name":"DeferredToolPlaceholder","description":"d","defer_loading":true,"input_schema":{"type":"object"}},
                  {"type":"web_search_20250305","name":"web_search","max_uses":5}],
         "thinking":{"type":"adaptive","display":"omitted"},"output_config":{"effort":"high"},
         "context_management":{"edits":[{"type":"clear_thinking_20251015","keep":"all"}]},"metadata":{"user_id":"{\"device_id\":\"d\"}"}}
        """;

    private const string Noise = "{}[]\",:0a-\\ tn";

    private const string Beta = "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27";

    [Fact]
    public async Task A_translated_stream_arrives_as_the_exact_anthropic_event_sequence_with_cumulative_usage()
    {
        using var http = Raw();
        using var response = await http.PostAsync("/v1/messages?beta=true",
            $$"""{"model":"{{TranslatedModel}}","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"hello"}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await ReadEventsAsync(response);
        var names = events.Select(e => e.Name).ToList();
        Assert.Equal(["message_start", "ping", "content_block_start"], names.Take(3));
        Assert.Equal(["content_block_stop", "message_delta", "message_stop"], names.TakeLast(3));
        Assert.All(names.Skip(3).SkipLast(3), n => Assert.Equal("content_block_delta", n));
        Assert.All(events, e => Assert.Equal(e.Name, e.Data.GetProperty("type").GetString()));
        var text = string.Concat(events.Where(e => e.Name == "content_block_delta").Select(e => e.Data.GetProperty("delta").GetProperty("text").GetString()));
        Assert.Equal("sim says zephyr timber quartz fern meadow lantern", text);
        var delta = events[^2].Data;
        Assert.Equal("end_turn", delta.GetProperty("delta").GetProperty("stop_reason").GetString());
        Assert.Equal(8, delta.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.True(delta.GetProperty("usage").GetProperty("input_tokens").GetInt32() > 0);
        Assert.StartsWith("msg_", events[0].Data.GetProperty("message").GetProperty("id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_claude_code_request_is_translated_to_chat_completions_for_an_openai_compatible_deployment()
    {
        using var http = Gateway.HttpClient(); // Authorization: Bearer, as Claude Code with ANTHROPIC_AUTH_TOKEN
        using var response = await http.PostAsync("/v1/messages?beta=true", ClaudeCodeBody.Replace("MODEL", TranslatedModel, StringComparison.Ordinal),
            ("anthropic-version", "2023-06-01"), ("anthropic-beta", Beta));
        var events = await ReadEventsAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("cache_control, server tools, thinking, output_config, context_management",
            response.Headers.GetValues("x-gateway-dropped").Single());
        var toolStart = events.Single(e => e.Name == "content_block_start").Data.GetProperty("content_block");
        Assert.Equal(("tool_use", "Bash"), (toolStart.GetProperty("type").GetString(), toolStart.GetProperty("name").GetString()));
        var arguments = string.Concat(events.Where(e => e.Name == "content_block_delta")
            .Select(e => e.Data.GetProperty("delta")).Select(d => d.GetProperty("partial_json").GetString()));
        Assert.Equal("sim-command", JsonDocument.Parse(arguments).RootElement.GetProperty("command").GetString());
        Assert.Equal("tool_use", events.Single(e => e.Name == "message_delta").Data.GetProperty("delta").GetProperty("stop_reason").GetString());

        var sent = JsonNode.Parse(Assert.Single(Upstream.Received).Body)!;
        Assert.Equal("/v1/chat/completions", Upstream.Received[0].Path);
        Assert.Equal("Qwen/Qwen3-Coder-30B-A3B-Instruct", sent["model"]!.GetValue<string>());
        var messages = sent["messages"]!.AsArray();
        Assert.Equal(["system", "user", "system"], messages.Select(m => m!["role"]!.GetValue<string>()));
        Assert.Equal("x-anthropic-billing-header: cc_version=2\nYou are an agent.", messages[0]!["content"]!.GetValue<string>());
        Assert.Equal(["Bash", "DeferredToolPlaceholder"], sent["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>()));
        Assert.Equal(32000, sent["max_completion_tokens"]!.GetValue<int>());
        Assert.True(sent["stream_options"]!["include_usage"]!.GetValue<bool>());
        Assert.Null(sent["thinking"]);
        Assert.Equal("{\"device_id\":\"d\"}", sent["user"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_claude_code_request_passes_through_to_an_anthropic_deployment_byte_for_byte_with_only_the_model_spliced()
    {
        using var http = Raw();
        http.DefaultRequestHeaders.Add("anthropic-beta", Beta);
        var body = ClaudeCodeBody.Replace("MODEL", NativeModel, StringComparison.Ordinal);
        using var response = await http.PostAsync("/v1/messages?beta=true", body);
        var raw = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("x-gateway-dropped"));
        var recorded = Assert.Single(Upstream.Received);
        Assert.Equal("/v1/messages", recorded.Path);
        Assert.Equal(body.Replace(NativeModel, AnthropicUpstreamModel, StringComparison.Ordinal), recorded.Body);
        Assert.Equal(Beta, recorded.Headers["anthropic-beta"]);
        Assert.Equal("2023-06-01", recorded.Headers["anthropic-version"]);
        Assert.Equal(ProviderKey, recorded.Headers["x-api-key"]);
        Assert.DoesNotContain(Infrastructure.TestConfig.ClientKey, string.Join(" ", recorded.Headers.Values), StringComparison.Ordinal);
        Assert.StartsWith("event: message_start\n", raw, StringComparison.Ordinal);
        Assert.EndsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_whole_message_from_an_anthropic_deployment_is_relayed_and_its_client_version_wins()
    {
        using var http = Gateway.HttpClient(key: null);
        http.DefaultRequestHeaders.Add("x-api-key", Infrastructure.TestConfig.ClientKey);
        http.DefaultRequestHeaders.Add("anthropic-version", "2024-01-01");
        using var response = await http.PostAsync("/v1/messages",
            $$"""{"model":"{{NativeModel}}","max_tokens":50,"messages":[{"role":"user","content":"hello"}]}""");
        var json = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("message", json.GetProperty("type").GetString());
        Assert.Equal("2024-01-01", Assert.Single(Upstream.Received).Headers["anthropic-version"]);
        Assert.False(Upstream.Received[0].Headers.ContainsKey("anthropic-beta"));
    }

    [Fact]
    public async Task A_whole_translated_message_has_text_usage_and_stop_reason()
    {
        using var http = Raw();
        using var response = await http.PostAsync("/v1/messages",
            $$"""{"model":"{{TranslatedModel}}","max_tokens":3,"system":"be brief","stop_sequences":["x"],"temperature":0.5,"top_p":0.9,"top_k":5,"messages":[{"role":"user","content":"hello"}]}""");
        var json = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("top_k", response.Headers.GetValues("x-gateway-dropped").Single());
        Assert.Equal("max_tokens", json.GetProperty("stop_reason").GetString());
        Assert.Equal("sim says zephyr", json.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal(3, json.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        var sent = JsonNode.Parse(Upstream.Received[0].Body)!;
        Assert.Equal(["x"], sent["stop"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal((0.5, 0.9), (sent["temperature"]!.GetValue<double>(), sent["top_p"]!.GetValue<double>()));
    }

    [Fact]
    public async Task Tool_results_images_and_tool_choice_are_translated_to_their_chat_completions_form()
    {
        using var http = Raw();
        using var response = await http.PostAsync("/v1/messages", """
            {"model":"MODEL","max_tokens":50,
             "tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
             "tool_choice":{"type":"any","disable_parallel_tool_use":true},
             "messages":[
               {"role":"user","content":[{"type":"text","text":"weather?"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}},{"type":"image","source":{"type":"url","url":"https://example.com/a.png"}}]},
               {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"checking"},{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
               {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":[{"type":"text","text":"sunny"}],"is_error":true},{"type":"text","text":"and now?"}]}]}
            """.Replace("MODEL", TranslatedModel, StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sent = JsonNode.Parse(Upstream.Received[0].Body)!;
        var messages = sent["messages"]!.AsArray();
        Assert.Equal(["user", "assistant", "tool", "user"], messages.Select(m => m!["role"]!.GetValue<string>()));
        var parts = messages[0]!["content"]!.AsArray();
        Assert.Equal("data:image/png;base64,iVBORw0KGgo=", parts[1]!["image_url"]!["url"]!.GetValue<string>());
        Assert.Equal("https://example.com/a.png", parts[2]!["image_url"]!["url"]!.GetValue<string>());
        var call = messages[1]!["tool_calls"]![0]!;
        Assert.Equal(("toolu_1", "get_weather", "{\"city\":\"Paris\"}"),
            (call["id"]!.GetValue<string>(), call["function"]!["name"]!.GetValue<string>(), call["function"]!["arguments"]!.GetValue<string>()));
        Assert.Equal("checking", messages[1]!["content"]!.GetValue<string>());
        Assert.Equal(("toolu_1", "Error: sunny"), (messages[2]!["tool_call_id"]!.GetValue<string>(), messages[2]!["content"]!.GetValue<string>()));
        Assert.Equal("required", sent["tool_choice"]!.GetValue<string>());
        Assert.False(sent["parallel_tool_calls"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("""{"model":"M","messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"model":"M","max_tokens":0,"messages":[{"role":"user","content":"hi"}]}""", "max_tokens")]
    [InlineData("""{"max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""", "model")]
    [InlineData("""{"model":"M","max_tokens":5,"messages":"hi"}""", "messages")]
    [InlineData("""{"model":"M","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""", "image_url")]
    [InlineData("""{"model":"M","max_tokens":5,"messages":[{"role":"user","content":[{"text":"no type"}]}]}""", "type")]
    [InlineData("""{"model":"M","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_use","id":"a","name":"b","input":{}}]}]}""", "not allowed in a user message")]
    [InlineData("""{"model":"M","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_result","tool_use_id":"a"}]}]}""", "not allowed in an assistant message")]
    [InlineData("""{"model":"M","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_x","content":"r"}]}]}""", "toolu_x")]
    [InlineData("""{"model":"M","max_tokens":5,"messages":[{"role":"user","content":[{"type":"text","text":7}]}]}""", "text")]
    [InlineData("""{"model":"M","max_tokens":5,"messages":[{"role":"robot","content":"hi"}]}""", "role")]
    [InlineData("""{"model":"M","max_tokens":5,"tool_choice":{"type":"sometimes"},"tools":[{"name":"t","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"hi"}]}""", "tool_choice")]
    [InlineData("""{"model":"M","max_tokens":5,"messages":[{"role":"user","content":"hi"}]} trailing""", "JSON")]
    [InlineData("""[1,2]""", "object")]
    public async Task Bad_input_is_an_anthropic_invalid_request_error(string body, string mentioned)
    {
        using var http = Raw();
        using var response = await http.PostAsync("/v1/messages", body.Replace("\"M\"", $"\"{TranslatedModel}\"", StringComparison.Ordinal));
        var json = await response.JsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertAnthropicError(json, "invalid_request_error");
        Assert.Contains(mentioned, json.GetProperty("error").GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Upstream.Received);
    }

    [Fact]
    public async Task Authentication_size_and_model_failures_use_the_anthropic_envelope_and_status()
    {
        using var anonymous = Raw(key: null);
        using var noKey = await anonymous.PostAsync("/v1/messages", "{}");
        AssertAnthropicError(await noKey.JsonAsync(), "authentication_error");
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);

        using var wrong = Raw("sk-wrong");
        using var badKey = await wrong.PostAsync("/v1/messages/count_tokens", "{}");
        AssertAnthropicError(await badKey.JsonAsync(), "authentication_error");

        using var http = Raw();
        using var unknown = await http.PostAsync("/v1/messages", """{"model":"nope","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        AssertAnthropicError(await unknown.JsonAsync(), "not_found_error");

        var huge = $$"""{"model":"{{TranslatedModel}}","max_tokens":5,"messages":[{"role":"user","content":"{{new string('a', 2 * 1024 * 1024)}}"}]}""";
        using var tooLarge = await http.PostAsync("/v1/messages", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        AssertAnthropicError(await tooLarge.JsonAsync(), "request_too_large");
    }

    [Fact]
    public async Task An_overloaded_anthropic_upstream_is_a_529_overloaded_error_and_a_mid_stream_break_an_error_event()
    {
        using var http = Raw();
        Upstream.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 529 });
        using var overloaded = await http.PostAsync("/v1/messages", $$"""{"model":"{{NativeModel}}","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(529, (int)overloaded.StatusCode);
        AssertAnthropicError(await overloaded.JsonAsync(), "overloaded_error");

        Upstream.EnqueueFault(new FaultSpec { Kind = FaultKind.CutStream, AfterChunks = 3 });
        using var cut = await http.PostAsync("/v1/messages", $$"""{"model":"{{TranslatedModel}}","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}""");
        var events = await ReadEventsAsync(cut);
        Assert.Equal("message_start", events[0].Name);
        Assert.Equal("error", events[^1].Name);
        AssertAnthropicError(events[^1].Data, "api_error");
    }

    [Fact]
    public async Task Fuzzed_bodies_never_get_a_5xx()
    {
        using var http = Raw();
        var valid = ClaudeCodeBody.Replace("MODEL", TranslatedModel, StringComparison.Ordinal).Replace("\"stream\":true", "\"stream\":false", StringComparison.Ordinal);
        var random = new Random(14);
        for (var i = 0; i < 60; i++)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(valid);
            var kind = i % 3;
            if (kind == 0)
            {
                bytes = bytes[..random.Next(1, bytes.Length)];
            }
            else
            {
                for (var j = 0; j < 1 + (i % 4); j++)
                {
                    bytes[random.Next(bytes.Length)] = (byte)Noise[random.Next(Noise.Length)];
                }
            }

            using var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync("/v1/messages", content);
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {System.Text.Encoding.UTF8.GetString(bytes)}");
            if (!response.IsSuccessStatusCode)
            {
                AssertAnthropicError(await response.JsonAsync(), null);
            }
        }
    }

    [Fact]
    public async Task Models_and_route_explain_answer_anthropic_clients_in_their_shape()
    {
        using var http = Raw();
        var models = await (await http.GetAsync("/v1/models")).JsonAsync();
        Assert.False(models.GetProperty("has_more").GetBoolean());
        Assert.Contains(models.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == TranslatedModel && m.GetProperty("type").GetString() == "model");

        using var explain = await http.PostAsync("/v1/route/explain", $$"""{"model":"{{NativeModel}}","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}""");
        Assert.Equal(HttpStatusCode.OK, explain.StatusCode);
        Assert.Equal(["claude-direct"], (await explain.JsonAsync()).GetProperty("order").EnumerateArray().Select(e => e.GetString()));
    }

    internal static void AssertAnthropicError(JsonElement json, string? type)
    {
        Assert.Equal("error", json.GetProperty("type").GetString());
        var error = json.GetProperty("error");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        if (type is not null)
        {
            Assert.Equal(type, error.GetProperty("type").GetString());
        }
    }

    internal static async Task<List<(string Name, JsonElement Data)>> ReadEventsAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var events = new List<(string, JsonElement)>();
        foreach (var block in text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = block.Split('\n');
            Assert.StartsWith("event: ", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("data: ", lines[1], StringComparison.Ordinal);
            events.Add((lines[0]["event: ".Length..], JsonDocument.Parse(lines[1]["data: ".Length..]).RootElement.Clone()));
        }

        return events;
    }
}
