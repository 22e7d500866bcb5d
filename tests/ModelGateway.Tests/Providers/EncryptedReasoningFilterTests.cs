using System.Text;
using ModelGateway.Configuration;
using ModelGateway.Providers.OpenAi;

namespace ModelGateway.Tests.Providers;

/// <summary>Golden tests of the bytes a native Responses upstream gets: its own tags removed, others' items cut with their commas.</summary>
public sealed class EncryptedReasoningFilterTests
{
    private static readonly ProviderConfig First = Provider("first");
    private static readonly string Own = Encoding.ASCII.GetString(EncryptedReasoningTag.Of(First));
    private static readonly string Foreign = Encoding.ASCII.GetString(EncryptedReasoningTag.Of(Provider("second")));

    [Theory]
    [InlineData("""{"input":[R1,{"type":"message"}]}""", """{"input":[{"type":"message"}]}""")]
    [InlineData("""{"input":[{"type":"message"}, R1 ]}""", """{"input":[{"type":"message"} ]}""")]
    [InlineData("""{"input":[ R1 , R1 ,{"a":1},R1,{"b":2},R1]}""", """{"input":[ {"a":1},{"b":2}]}""")]
    [InlineData("""{"input":[R1,R1],"model":"m"}""", """{"input":[],"model":"m"}""")]
    [InlineData("""{"input":[OWN,R1,T]}""", """{"input":[{"type":"reasoning","encrypted_content":"abc"}]}""")]
    public void Items_of_other_providers_are_cut_and_own_tags_removed(string body, string expected)
    {
        var input = body
            .Replace("R1", $$"""{"type":"reasoning","encrypted_content":"{{Foreign}}xyz"}""", StringComparison.Ordinal)
            .Replace("OWN", $$"""{"type":"reasoning","encrypted_content":"{{Own}}abc"}""", StringComparison.Ordinal)
            .Replace("T", $$"""{"type":"reasoning","encrypted_content":"{{EncryptedReasoningTag.Translated}}"}""", StringComparison.Ordinal);

        using var filtered = EncryptedReasoningFilter.Filter(Encoding.UTF8.GetBytes(input), First, out var dropped);

        Assert.Equal(expected, Encoding.UTF8.GetString(filtered!.Span));
        Assert.Equal(input.Split("mgr1.").Length - 1 - (input.Contains(Own, StringComparison.Ordinal) ? 1 : 0), dropped);
    }

    [Theory]
    [InlineData("""{"input":[{"type":"reasoning","encrypted_content":"gAAAA-untagged"}]}""")]
    [InlineData("""{"input":"text about mgr1. tags","instructions":"x"}""")]
    [InlineData("""{"input":[{"type":"message","content":"\"encrypted_content\":\"mgr1.00000000.x\""}]}""")]
    public void A_body_without_tagged_items_goes_as_it_is(string body) =>
        Assert.Null(EncryptedReasoningFilter.Filter(Encoding.UTF8.GetBytes(body), First, out _));

    [Fact]
    public void Tags_go_into_every_encrypted_content_value_of_events_and_bodies_only()
    {
        const string Events = """
            event: response.output_item.done
            data: {"item":{"type":"reasoning","encrypted_content" : "e1","summary":[{"text":"say \"encrypted_content\":\"no\""}]}}

            event: response.completed
            data: {"response":{"output":[{"encrypted_content":"e1"},{"encrypted_content":null}]}}


            """;
        var output = new System.Buffers.ArrayBufferWriter<byte>();

        EncryptedReasoningTag.Insert(Encoding.UTF8.GetBytes(Events), "mgr1.t."u8, output);

        Assert.Equal(Events.Replace("\"e1\"", "\"mgr1.t.e1\"", StringComparison.Ordinal), Encoding.UTF8.GetString(output.WrittenSpan));
    }

    private static ProviderConfig Provider(string id) => new()
    {
        Id = id,
        Kind = ProviderKind.OpenAi,
        BaseUrl = new Uri("http://127.0.0.1:1/v1"),
        Credential = ProviderCredential.None,
        Trust = TrustTier.SelfHosted,
        ConnectTimeout = TimeSpan.FromSeconds(1),
        ResponseTimeout = TimeSpan.FromSeconds(1),
    };
}
