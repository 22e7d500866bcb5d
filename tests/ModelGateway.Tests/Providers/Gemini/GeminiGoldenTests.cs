using System.Text;
using System.Text.Json;
using ModelGateway.Accounting;
using ModelGateway.Providers.Gemini;
using ModelGateway.Requests;

namespace ModelGateway.Tests.Providers.Gemini;

/// <summary>Translation to and from Gemini generateContent, checked against recorded payloads (Fixtures/).</summary>
public sealed class GeminiGoldenTests
{
    private const string Provider = "Gemini";

    [Fact]
    public void Request_with_images_function_history_schema_and_thinking_translates_exactly()
    {
        using var request = JsonDocument.Parse(Golden.Text(Provider, "request.openai.json"));
        var chat = Golden.ReadChat(request);

        var written = Golden.Write(json => Assert.Null(GeminiRequestWriter.Write(json, chat)));

        Golden.AssertJsonEqual(Golden.Text(Provider, "request.gemini.json"), written);
    }

    [Fact]
    public void Tool_result_for_an_unknown_call_is_a_malformed_request()
    {
        using var request = JsonDocument.Parse("""{"model":"g","messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"nope","content":"x"}]}""");
        var chat = Golden.ReadChat(request);

        var problem = GeminiRequestWriter.Write(new Utf8JsonWriter(Stream.Null), chat);

        Assert.NotNull(problem);
        Assert.True(problem.Value.Malformed);
    }

    [Fact]
    public void Whole_reply_with_parallel_calls_thoughts_and_cache_translates_exactly()
    {
        using var response = JsonDocument.Parse(Golden.Text(Provider, "response-tools.gemini.json"));

        var completion = GeminiResponseReader.Read(response.RootElement, Golden.Created, "fallback", "fallback-id");

        Assert.NotNull(completion);
        Golden.AssertJsonEqual(Golden.Text(Provider, "response-tools.openai.json"), Golden.Write(completion.Write));
        Assert.Equal(new TokenUsage(1200, 1000, 80, 50), completion.Usage);
    }

    [Fact]
    public async Task Stream_of_whole_responses_becomes_content_and_tool_call_fragments()
    {
        var (output, translator) = await Golden.TranslateStreamAsync(
            Golden.Text(Provider, "stream.gemini.sse"), includeUsage: true, chunks => new GeminiStreamTranslator(chunks, "fallback", "fallback-id"));

        Golden.AssertEventsEqual(Golden.Text(Provider, "stream.openai.sse"), output);
        Assert.True(translator.Completed);
    }

    [Fact]
    public void Blocked_prompt_is_an_empty_content_filter_reply()
    {
        using var response = JsonDocument.Parse("""{"promptFeedback":{"blockReason":"SAFETY"},"usageMetadata":{"promptTokenCount":4,"totalTokenCount":4}}""");

        var completion = GeminiResponseReader.Read(response.RootElement, Golden.Created, "m", "id");

        Assert.Equal("content_filter", completion!.FinishReason);
        Assert.Equal(string.Empty, completion.Content);
    }

    [Theory]
    [InlineData(400, "INVALID_ARGUMENT", 400, false)]
    [InlineData(403, "PERMISSION_DENIED", 502, true)]
    [InlineData(404, "NOT_FOUND", 502, true)]
    [InlineData(429, "RESOURCE_EXHAUSTED", 429, true)]
    [InlineData(500, "INTERNAL", 502, true)]
    [InlineData(503, "UNAVAILABLE", 502, true)]
    [InlineData(504, "DEADLINE_EXCEEDED", 502, true)]
    public void Error_envelopes_map_to_openai_status_and_retry_decision(int status, string googleStatus, int expectedStatus, bool retryable)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"error":{"code":{{{status}}},"message":"google says {{{googleStatus}}}","status":"{{{googleStatus}}}"}}""");

        var outcome = GeminiErrors.Map(status, null, body);

        Assert.Equal(retryable, outcome.Retryable);
        Assert.Equal(expectedStatus, outcome.Error!.Status);
        if (!retryable)
        {
            Assert.Equal("google says " + googleStatus, outcome.Error.Message);
            Assert.Equal("invalid_argument", outcome.Error.Code);
        }
    }
}
