using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ModelGateway.Tests.Providers;

/// <summary>
/// Issue 12, finding 10 on the translated path: request shapes the translating readers could not read (a tool or
/// tool call that is not an object, a schema that is not an object, a number too large for a double) are a 400 in
/// OpenAI's envelope, never a 500, and nothing reaches the upstream.
/// </summary>
public sealed class TranslatedInputTests
{
    public static TheoryData<string, string> Cases()
    {
        string[] bodies =
        [
            """{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":["x"]}""",
            """{"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":["x"]},{"role":"user","content":"ok"}]}""",
            """{"model":"m","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":"x"}}""",
            """{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1e400}""",
            """{"model":"m","messages":[{"role":"user","content":["x"]}]}""",
        ];
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "anthropic", "gemini" })
        {
            foreach (var body in bodies)
            {
                data.Add(kind, body);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Is_a_400_and_nothing_is_sent(string kind, string json)
    {
        await using var host = await ProviderKindHost.StartAsync(kind);
        using var client = host.Gateway.HttpClient();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync("/v1/chat/completions", content);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True((int)response.StatusCode == 400, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("invalid_request_error", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString());
        Assert.Empty(host.Simulator.State.Received);
    }
}
