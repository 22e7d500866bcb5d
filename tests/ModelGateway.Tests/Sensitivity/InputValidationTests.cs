using System.Text;
using System.Text.Json;

namespace ModelGateway.Tests.Sensitivity;

/// <summary>
/// Issue 12, findings 4 and 10: invalid UTF-8, unpaired surrogate escapes and trailing data are a 400 in OpenAI's
/// envelope on chat, embeddings and explain, before anything is routed or forwarded.
/// </summary>
public sealed class InputValidationTests : TwoTierGateway
{
    public static TheoryData<string, string, string> InvalidBodies()
    {
        var data = new TheoryData<string, string, string>();
        string[] paths = ["/v1/chat/completions", "/v1/route/explain"];
        foreach (var path in paths)
        {
            data.Add(path, """{"model":"chat","messages":[{"role":"user","content":"a<FF>b"}]}""", "invalid_encoding");
            data.Add(path, """{"model":"ch<C3>","messages":[{"role":"user","content":"hi"}]}""", "invalid_encoding");
            data.Add(path, """{"model":"chat","messages":[{"role":"user","content":"<ED><A0><80>"}]}""", "invalid_encoding");
            data.Add(path, """{"model":"chat","messages":[{"role":"user","content":"x\ud800"}]}""", "invalid_encoding");
            data.Add(path, """{"model":"\udc00","messages":[{"role":"user","content":"hi"}]}""", "invalid_encoding");
            data.Add(path, """{"model":"chat","messages":[{"role":"user","content":"\udc00\ud800"}]}""", "invalid_encoding");
            data.Add(path, """{"model":"chat","messages":[{"role":"user","content":"hi"}],"x\ud800":1}""", "invalid_encoding");
            data.Add(path, """{"model":"chat","messages":[{"role":"user","content":"hi"}]} xyz""", "trailing_data");
            data.Add(path, """{"model":"chat","messages":[{"role":"user","content":"hi"}]}{"model":"chat"}""", "trailing_data");
        }

        data.Add("/v1/embeddings", """{"model":"embed","input":"a<FF>b"}""", "invalid_encoding");
        data.Add("/v1/embeddings", """{"model":"embed","input":["ok","\ud800"]}""", "invalid_encoding");
        data.Add("/v1/embeddings", """{"model":"em<C3>bed","input":"hi"}""", "invalid_encoding");
        data.Add("/v1/embeddings", """{"model":"embed","input":"hi"} xyz""", "trailing_data");
        data.Add("/v1/embeddings", """{"model":"embed","input":"hi"}[]""", "trailing_data");
        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Is_a_400_in_the_OpenAI_envelope_and_nothing_is_forwarded(string path, string template, string code)
    {
        using var client = Gateway.HttpClient();

        var (status, body, deployment) = await PostAsync(client, path, Bytes(template));

        Assert.Equal(400, status);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal(string.Empty, deployment);
        Assert.Empty(Local.State.Received);
        Assert.Empty(Cloud.State.Received);
    }

    [Fact]
    public async Task Paired_surrogates_and_trailing_whitespace_are_fine()
    {
        using var client = Gateway.HttpClient();

        var (status, body, _) = await PostAsync(client, "/v1/chat/completions", Bytes("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"smile \\ud83d\\ude00 \u00e9\"}]}\r\n  "));

        Assert.True(status == 200, body);
    }

    /// <summary>The template's <c>&lt;XX&gt;</c> markers become raw bytes, so a body can hold bytes that are not UTF-8.</summary>
    private static byte[] Bytes(string template)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '<' && i + 3 < template.Length && template[i + 3] == '>')
            {
                bytes.Add(Convert.ToByte(template.Substring(i + 1, 2), 16));
                i += 3;
                continue;
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(template[i].ToString()));
        }

        return [.. bytes];
    }
}
