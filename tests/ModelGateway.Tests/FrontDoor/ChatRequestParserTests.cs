using System.Text;
using ModelGateway.FrontDoor;
using ModelGateway.Requests;

namespace ModelGateway.Tests.FrontDoor;

public sealed class ChatRequestParserTests
{
    private static ChatRequest? Parse(string json, out GatewayError? error) =>
        ChatRequestParser.Parse(Encoding.UTF8.GetBytes(json), out error);

    [Fact]
    public void Reads_the_fields_routing_needs_and_positions_of_rewritable_ones()
    {
        const string Json = """{"model":"qwen3","messages":[{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AA=="}}]}],"stream":true,"stream_options":{"include_usage":false},"max_tokens":50,"max_completion_tokens":70,"tools":[{"type":"function","function":{"name":"f"}}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{}}},"top_k":3}""";
        var request = Parse(Json, out var error);

        Assert.Null(error);
        Assert.NotNull(request);
        Assert.Equal("qwen3", request.Model);
        Assert.Equal("\"qwen3\"", Json.Substring(request.ModelToken.Start, request.ModelToken.Length));
        Assert.True(request.Stream);
        Assert.False(request.ClientWantsStreamUsage);
        Assert.Equal("{\"include_usage\":false}", Json.Substring(request.StreamOptions!.Value.Start, request.StreamOptions.Value.Length));
        Assert.Equal("false", Json.Substring(request.IncludeUsageValue!.Value.Start, request.IncludeUsageValue.Value.Length));
        Assert.Equal(70, request.MaxOutputTokens);
        Assert.True(request.UsesTools);
        Assert.True(request.UsesImages);
        Assert.True(request.UsesJsonSchema);
    }

    [Fact]
    public void Plain_request_has_no_features()
    {
        var request = Parse("""{"messages":[{"role":"system","content":"s"},{"role":"user","content":"u"}],"model":"m","tools":[]}""", out _);

        Assert.NotNull(request);
        Assert.False(request.Stream);
        Assert.False(request.UsesTools);
        Assert.False(request.UsesImages);
        Assert.Null(request.StreamOptions);
        Assert.Null(request.MaxOutputTokens);
    }

    [Theory]
    [InlineData("{not json", null, "could not parse")]
    [InlineData("[1,2]", null, "must be a JSON object")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}]}""", "model", "Missing required parameter")]
    [InlineData("""{"model":"m"}""", "messages", "Missing required parameter")]
    [InlineData("""{"model":"m","messages":[]}""", "messages", "at least one message")]
    [InlineData("""{"model":"m","messages":[{"content":"x"}]}""", "messages[0].role", "role")]
    [InlineData("""{"model":"m","messages":["x"]}""", "messages[0]", "must be an object")]
    [InlineData("""{"model":7,"messages":[{"role":"user","content":"x"}]}""", "model", "expected a string")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}""", "stream", "boolean")]
    [InlineData("""{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":-1}""", "max_tokens", "positive integer")]
    public void Invalid_requests_get_a_400_naming_the_parameter(string json, string? param, string messagePart)
    {
        var request = Parse(json, out var error);

        Assert.Null(request);
        Assert.NotNull(error);
        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_request_error", error.Type);
        Assert.Equal(param, error.Param);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }
}
