using System.Text;
using System.Text.Json;

namespace ModelGateway.Tests.Sensitivity;

/// <summary>
/// Issue 12, findings 1 and 2 through a real socket: whatever the shape of the body and wherever the card number
/// sits, the public deployment never receives it.
/// </summary>
public sealed class ScanEverythingTests : TwoTierGateway
{
    public static TheoryData<string> SensitiveBodies => new()
    {
        // Finding 1: a non-object content part used to stop the scanner before the later messages.
        """{"model":"chat","messages":[{"role":"user","content":["x"]},{"role":"user","content":"pay with 4111 1111 1111 1111"}]}""",
        """{"model":"chat","messages":[{"role":"user","content":[42,{"type":"text","text":"hi"}]},{"role":"user","content":"pay with 4111 1111 1111 1111"}]}""",

        // Finding 2: text the model reads outside message content.
        """{"model":"chat","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"pay","description":"Charge 4111 1111 1111 1111"}}]}""",
        """{"model":"chat","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"pay","parameters":{"type":"object","properties":{"card":{"type":"string","description":"default 4111 1111 1111 1111"}}}}}]}""",
        """{"model":"chat","messages":[{"role":"user","name":"card 4111 1111 1111 1111","content":"hi"}]}""",
        """{"model":"chat","messages":[{"role":"user","content":"hi"}],"prediction":{"type":"content","content":"4111 1111 1111 1111"}}""",
        """{"model":"chat","messages":[{"role":"user","content":"hi"},{"role":"assistant","content":null,"refusal":"I will not charge 4111 1111 1111 1111"},{"role":"user","content":"ok"}]}""",
        """{"model":"chat","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"r","description":"4111 1111 1111 1111","schema":{"type":"object"}}}}""",
        """{"model":"chat","messages":[{"role":"user","content":"hi"}],"vendor_extension":{"notes":["a",{"b":"4111 1111 1111 1111"}]}}""",

        // Finding 2: card numbers grouped with other separators.
        "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"card 4111\u00a01111\u00a01111\u00a01111\"}]}",
        "{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"card 4111\u202f1111\u202f1111\u202f1111\"}]}",
        """{"model":"chat","messages":[{"role":"user","content":"card 4111\u00a01111\u00a01111\u00a01111"}]}""",
        """{"model":"chat","messages":[{"role":"user","content":"card 4111.1111.1111.1111"}]}""",
        """{"model":"chat","messages":[{"role":"user","content":"card 4111/1111/1111/1111"}]}""",
        """{"model":"chat","messages":[{"role":"user","content":"card 4111\u20131111\u20131111\u20131111"}]}""",

        // Embeddings: every shape of input.
        """{"model":"embed","input":"card 4111 1111 1111 1111"}""",
        """{"model":"embed","input":["ok","card 4111.1111.1111.1111"]}""",
        """{"model":"embed","input":[[1,2,3]]}""",
        """{"model":"embed","input":"ok","user":"4111 1111 1111 1111"}""",
    };

    [Theory]
    [MemberData(nameof(SensitiveBodies))]
    public async Task The_public_deployment_never_receives_a_card_number(string json)
    {
        using var client = Gateway.HttpClient();
        var path = json.Contains("\"embed\"", StringComparison.Ordinal) ? "/v1/embeddings" : "/v1/chat/completions";

        var (status, body, deployment) = await PostAsync(client, path, Encoding.UTF8.GetBytes(json));

        Assert.True(status < 500, $"{status}: {body}");
        Assert.True(deployment is "" or "local-chat" or "local-embed", deployment);
        Assert.Empty(Cloud.State.Received);
    }

    [Fact]
    public async Task Explain_reports_the_card_found_after_a_malformed_part()
    {
        using var client = Gateway.HttpClient();
        var (status, body, _) = await PostAsync(client, "/v1/route/explain", Encoding.UTF8.GetBytes(
            """{"model":"chat","messages":[{"role":"user","content":["x"]},{"role":"user","content":"pay with 4111 1111 1111 1111"}]}"""));

        Assert.Equal(200, status);
        var sensitivity = JsonDocument.Parse(body).RootElement.GetProperty("sensitivity");
        Assert.Equal("confidential", sensitivity.GetProperty("level").GetString());
        Assert.Equal("payment_card", Assert.Single(sensitivity.GetProperty("detectors").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task A_plain_request_still_goes_to_the_cheap_public_deployment()
    {
        using var client = Gateway.HttpClient();
        var (status, _, deployment) = await PostAsync(client, "/v1/chat/completions", Encoding.UTF8.GetBytes(
            """{"model":"chat","user":"u-17","seed":4111111111111111,"messages":[{"role":"user","name":"jane","content":"Release 10.0.19041.1234 ships on 2024/12/31."}],"tools":[{"type":"function","function":{"name":"lookup","description":"Looks up an order"}}]}"""));
        var (embedStatus, _, embedDeployment) = await PostAsync(client, "/v1/embeddings", Encoding.UTF8.GetBytes("""{"model":"embed","input":["hello","world"]}"""));

        Assert.Equal(200, status);
        Assert.Equal("cloud-chat", deployment);
        Assert.Equal(200, embedStatus);
        Assert.Equal("cloud-embed", embedDeployment);
    }
}
