using System.Text;
using System.Text.Json.Nodes;

namespace ModelGateway.Tests.Sensitivity;

/// <summary>
/// The Responses API under the sensitivity policy: a stored conversation carries the highest level of its turns,
/// and malformed Responses bodies are 4xx, never 5xx, whatever is wrong with them.
/// </summary>
public sealed class ResponsesSensitivityTests : TwoTierGateway
{
    [Fact]
    public async Task A_later_innocent_turn_of_a_conversation_that_held_a_card_number_stays_on_the_self_hosted_deployment()
    {
        using var http = Gateway.HttpClient();
        var (status, body, deployment) = await PostAsync(http, "/v1/responses", """{"model":"chat","input":"my card is 4111 1111 1111 1111"}"""u8.ToArray());
        Assert.Equal((200, "local-chat"), (status, deployment));
        var first = JsonNode.Parse(body)!["id"]!.GetValue<string>();

        var innocent = await PostAsync(http, "/v1/responses", """{"model":"chat","input":"hello"}"""u8.ToArray());
        Assert.Equal((200, "cloud-chat"), (innocent.Status, innocent.Deployment));

        var continued = await PostAsync(http, "/v1/responses", Encoding.UTF8.GetBytes($$"""{"model":"chat","input":"hello","previous_response_id":"{{first}}"}"""));
        Assert.Equal((200, "local-chat"), (continued.Status, continued.Deployment));
        var second = JsonNode.Parse(continued.Body)!["id"]!.GetValue<string>();

        // And the turn after that: the level travels down the chain.
        var third = await PostAsync(http, "/v1/responses", Encoding.UTF8.GetBytes($$"""{"model":"chat","input":"thanks","previous_response_id":"{{second}}","stream":true}"""));
        Assert.Equal((200, "local-chat"), (third.Status, third.Deployment));
        Assert.DoesNotContain(Cloud.State.Received, r => r.Body.Contains("4111", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"model":"chat","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"\ud800"}]}]}""")]
    [InlineData("""{"model":"chat","\ud800input":"x","input":"y"}""")]
    [InlineData("""{"model":"chat","input":[null]}""")]
    [InlineData("""{"model":"chat","input":[{"type":"message","role":"user","content":[null]}]}""")]
    [InlineData("""{"model":"chat","input":[{"type":"function_call","call_id":1,"name":"f","arguments":"{}"}]}""")]
    [InlineData("""{"model":"chat","input":[{"type":"function_call_output","call_id":"c","output":{}}]}""")]
    [InlineData("""{"model":"chat","input":"x","tools":[{"type":"namespace","name":"n","tools":7}]}""")]
    [InlineData("""{"model":"chat","input":"x","tools":[{"type":"function"}]}""")]
    [InlineData("""{"model":"chat","input":"x","tools":{}}""")]
    [InlineData("""{"model":"chat","input":"x","tool_choice":5}""")]
    [InlineData("""{"model":"chat","input":"x","text":{"format":{"type":"json_schema"}}}""")]
    [InlineData("""{"model":"chat","input":"x","max_output_tokens":-1}""")]
    [InlineData("""{"model":"chat","input":"x","reasoning":{"effort":3}}""")]
    [InlineData("""{"model":"chat","input":"x","stream":"yes"}""")]
    [InlineData("""{"model":"chat","input":"x","previous_response_id":7}""")]
    [InlineData("""{"model":"chat","input":[{"type":"reasoning","id":"rs_1","summary":[]}]}""")]
    [InlineData("""[1,2,3]""")]
    [InlineData("""{"model":"chat","input":"x""")]
    public async Task Malformed_responses_bodies_are_client_errors(string body)
    {
        using var http = Gateway.HttpClient();
        var (status, text, _) = await PostAsync(http, "/v1/responses", Encoding.UTF8.GetBytes(body));

        Assert.InRange(status, 400, 499);
        Assert.NotNull(JsonNode.Parse(text)!["error"]!["message"]);
    }
}
