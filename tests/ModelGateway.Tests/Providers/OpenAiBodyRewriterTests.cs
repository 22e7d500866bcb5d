using System.Text;
using ModelGateway.FrontDoor;
using ModelGateway.Providers.OpenAi;

namespace ModelGateway.Tests.Providers;

/// <summary>Golden tests: the exact bytes sent upstream for each shape of request.</summary>
public sealed class OpenAiBodyRewriterTests
{
    private static string? Rewrite(string json, string upstreamModel)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var chat = ChatRequestParser.Parse(body, out var error) ?? throw new InvalidOperationException(error!.Message);
        var upstreamJson = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(upstreamModel));
        using var rewritten = OpenAiBodyRewriter.Rewrite(body, chat.ModelToken, upstreamJson, chat);
        return rewritten is null ? null : Encoding.UTF8.GetString(rewritten.Span);
    }

    [Fact]
    public void Same_model_and_no_stream_sends_the_client_bytes_unchanged()
    {
        Assert.Null(Rewrite("""{"model":"m","messages":[{"role":"user","content":"hi"}],"top_k":2}""", "m"));
    }

    [Fact]
    public void Model_name_is_replaced_and_everything_else_kept_byte_for_byte()
    {
        Assert.Equal(
            """{ "model" : "Qwen/Qwen3-32B", "messages":[{"role":"user","content":"h\u00e9"}], "guided_json": {"a":1} }""",
            Rewrite("""{ "model" : "qwen3", "messages":[{"role":"user","content":"h\u00e9"}], "guided_json": {"a":1} }""", "Qwen/Qwen3-32B"));
    }

    [Fact]
    public void Stream_without_options_gets_include_usage()
    {
        Assert.Equal(
            """{"stream_options":{"include_usage":true},"model":"up","messages":[{"role":"user","content":"x"}],"stream":true}""",
            Rewrite("""{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true}""", "up"));
    }

    [Fact]
    public void Stream_with_include_usage_false_is_switched_on()
    {
        Assert.Equal(
            """{"model":"m","stream":true,"stream_options":{"include_usage":true,"include_obfuscation":false},"messages":[{"role":"user","content":"x"}]}""",
            Rewrite("""{"model":"m","stream":true,"stream_options":{"include_usage":false,"include_obfuscation":false},"messages":[{"role":"user","content":"x"}]}""", "m"));
    }

    [Fact]
    public void Stream_with_other_options_gets_include_usage_added()
    {
        Assert.Equal(
            """{"messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true,"include_obfuscation":false},"model":"up"}""",
            Rewrite("""{"messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_obfuscation":false},"model":"m"}""", "up"));
        Assert.Equal(
            """{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}""",
            Rewrite("""{"model":"m","stream":true,"stream_options":{ },"messages":[{"role":"user","content":"x"}]}""", "m")!.Replace("{\"include_usage\":true ", "{\"include_usage\":true", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_that_asked_for_usage_is_left_alone()
    {
        Assert.Null(Rewrite("""{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"x"}]}""", "m"));
    }
}
