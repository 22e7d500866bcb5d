using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ModelGateway.Tests.Simulator;

/// <summary>Raw HTTP helpers for wire-level checks the SDK would hide.</summary>
internal static class RawApi
{
    public const string Hello = """{"model":"sim-small","messages":[{"role":"user","content":"hello"}]}""";

    /// <summary>The reply to "hello" with the default 8 chunks. It must never change: tests and demos rely on it.</summary>
    public const string HelloReply = "simulator says zephyr timber quartz fern meadow lantern";

    /// <summary>
    /// A client that closes the connection as soon as a response is disposed unread; the default handler drains
    /// up to 1 MB for 2 s to reuse the connection, which hides the disconnect from the server.
    /// </summary>
    public static HttpClient ClosingClient(string baseUrl) =>
        new(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(baseUrl) };

    public static HttpRequestMessage Post(string path, string json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public static Task<HttpResponseMessage> PostAsync(
        this HttpClient client, string path, string json, params (string Name, string Value)[] headers) =>
        client.SendAsync(Post(path, json, headers));

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Asserts the OpenAI error envelope: all four keys, and the expected type and code.</summary>
    public static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, int status, string type, string? code)
    {
        Assert.Equal(status, (int)response.StatusCode);
        var error = (await response.JsonAsync()).GetProperty("error");
        Assert.Equal(["message", "type", "param", "code"], error.EnumerateObject().Select(p => p.Name));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        return error;
    }
}
