using System.Text;
using System.Text.Json;
using ModelGateway.Providers.Anthropic;
using ModelGateway.Requests;

namespace ModelGateway.Tests.Providers.Anthropic;

/// <summary>Translation to and from Anthropic Messages, checked against recorded payloads (Fixtures/).</summary>
public sealed class AnthropicGoldenTests
{
    private const string Provider = "Anthropic";

    [Fact]
    public void Request_with_system_images_tool_history_and_options_translates_exactly()
    {
        using var request = JsonDocument.Parse(Golden.Text(Provider, "request.openai.json"));
        var chat = Golden.ReadChat(request);

        var written = Golden.Write(json => Assert.Null(AnthropicRequestWriter.Write(json, chat, "claude-sonnet-4")));

        Golden.AssertJsonEqual(Golden.Text(Provider, "request.anthropic.json"), written);
    }

    [Fact]
    public void Whole_reply_with_text_parallel_tools_and_cache_usage_translates_exactly()
    {
        using var message = JsonDocument.Parse(Golden.Text(Provider, "response-tools.anthropic.json"));

        var completion = AnthropicResponseReader.Read(message.RootElement, Golden.Created, "fallback", structuredTool: null);

        Assert.NotNull(completion);
        Golden.AssertJsonEqual(Golden.Text(Provider, "response-tools.openai.json"), Golden.Write(completion.Write));
        Assert.Equal(new ModelGateway.Requests.TokenUsage(2120, 2000, 55, 0, CacheWritePromptTokens: 100), completion.Usage);
    }

    [Fact]
    public async Task Stream_with_text_then_two_tool_blocks_numbers_tool_calls_among_tools_only()
    {
        var (output, translator) = await Golden.TranslateStreamAsync(
            Golden.Text(Provider, "stream-tools.anthropic.sse"), includeUsage: true, chunks => new AnthropicStreamTranslator(chunks, "fallback", null));

        Golden.AssertEventsEqual(Golden.Text(Provider, "stream-tools.openai.sse"), output);
        Assert.True(translator.Completed);
        Assert.Equal(new ModelGateway.Requests.TokenUsage(1496, 1024, 89, 0), translator.Usage);
    }

    [Fact]
    public async Task Stream_without_include_usage_has_no_usage_chunk_but_reports_usage()
    {
        var (output, translator) = await Golden.TranslateStreamAsync(
            Golden.Text(Provider, "stream-tools.anthropic.sse"), includeUsage: false, chunks => new AnthropicStreamTranslator(chunks, "fallback", null));

        Assert.DoesNotContain("\"choices\":[]", output, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", output, StringComparison.Ordinal);
        Assert.Equal(89, translator.Usage!.Value.CompletionTokens);
    }

    [Fact]
    public async Task Mid_stream_overloaded_error_ends_with_an_openai_error_event()
    {
        var (output, translator) = await Golden.TranslateStreamAsync(
            Golden.Text(Provider, "stream-overloaded.anthropic.sse"), includeUsage: true, chunks => new AnthropicStreamTranslator(chunks, "fallback", null));

        var events = output.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("\"content\":\"Hel\"", events[^2], StringComparison.Ordinal);
        Golden.AssertJsonEqual(
            """{"error":{"message":"The upstream provider is overloaded; retry after the indicated delay.","type":"server_error","param":null,"code":"upstream_overloaded"}}""",
            events[^1]["data: ".Length..]);
        Assert.True(translator.Error!.Retryable);
    }

    [Fact]
    public async Task Json_schema_answer_arrives_as_content_with_finish_stop()
    {
        const string sse = """
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_s","model":"claude","usage":{"input_tokens":5,"output_tokens":1}}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_s","name":"answer","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"\"b\"}"}}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":7}}

            event: message_stop
            data: {"type":"message_stop"}


            """;

        var (output, _) = await Golden.TranslateStreamAsync(sse, includeUsage: false, chunks => new AnthropicStreamTranslator(chunks, "fallback", "answer"));

        Assert.DoesNotContain("tool_calls", output, StringComparison.Ordinal);
        Assert.Contains("\"content\":\"{\\\"a\\\":\"", output, StringComparison.Ordinal);
        Assert.Contains("\"finish_reason\":\"stop\"", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, "invalid_request_error", 400, "invalid_request_error", false)]
    [InlineData(413, "request_too_large", 413, "invalid_request_error", false)]
    [InlineData(401, "authentication_error", 502, "upstream_auth_failed", true)]
    [InlineData(403, "permission_error", 502, "upstream_auth_failed", true)]
    [InlineData(404, "not_found_error", 502, "upstream_error", true)]
    [InlineData(429, "rate_limit_error", 429, "rate_limit_exceeded", true)]
    [InlineData(500, "api_error", 502, "upstream_error", true)]
    [InlineData(529, "overloaded_error", 503, "upstream_overloaded", true)]
    public void Error_envelopes_map_to_openai_status_and_retry_decision(int status, string type, int expectedStatus, string expectedCodeOrType, bool retryable)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"type":"error","error":{"type":"{{type}}","message":"upstream says {{type}}"},"request_id":"req_1"}""");

        var outcome = AnthropicErrors.Map(status, TimeSpan.FromSeconds(3), body);

        Assert.False(outcome.Served);
        Assert.Equal(retryable, outcome.Retryable);
        Assert.Equal(expectedStatus, outcome.Error!.Status);
        Assert.True(outcome.Error.Code == expectedCodeOrType || outcome.Error.Type == expectedCodeOrType, $"{outcome.Error}");
        if (!retryable)
        {
            Assert.Equal("upstream says " + type, outcome.Error.Message);
        }
    }
}
