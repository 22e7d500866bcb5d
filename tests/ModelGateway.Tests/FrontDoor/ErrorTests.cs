using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace ModelGateway.Tests.FrontDoor;

/// <summary>Every error the gateway produces is an OpenAI envelope with the right status, with no internals leaked.</summary>
public sealed class ErrorTests : GatewayWithSimulator
{
    private const string ValidChat = """{"model":"qwen3","messages":[{"role":"user","content":"hi"}]}""";

    protected override void ConfigureGateway(JsonObject config)
    {
        // A provider on a port where nothing listens, serving its own model.
        config.WithProvider("dead", $"http://127.0.0.1:{FreePort()}/v1")
            .WithDeployment("dead-deployment", "dead", ["unreachable-model"]);
        config["Limits"] = new JsonObject { ["MaxRequestBodyBytes"] = 4096 };
    }

    [Fact]
    public async Task Missing_key_is_401()
    {
        using var http = Gateway.HttpClient(key: null);
        using var response = await http.PostAsync("/v1/chat/completions", Json(ValidChat));

        var error = await AssertEnvelopeAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("missing_api_key", error.GetProperty("code").GetString());
        Assert.Empty(Upstream.Received);
    }

    [Fact]
    public async Task Wrong_key_is_401_through_the_sdk()
    {
        var chat = Gateway.OpenAiClient(key: "mg-not-a-real-key").GetChatClient("qwen3");

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(401, ex.Status);
        Assert.Empty(Upstream.Received);
    }

    [Fact]
    public async Task Unknown_model_is_404_model_not_found()
    {
        var chat = Gateway.OpenAiClient().GetChatClient("gpt-9-ultra");

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(404, ex.Status);
        using var body = JsonDocument.Parse(ex.GetRawResponse()!.Content.ToString());
        Assert.Equal("model_not_found", body.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("{\"model\":\"qwen3\",", null)]
    [InlineData("""{"model":"qwen3"}""", "messages")]
    [InlineData("""{"messages":[{"role":"user","content":"x"}]}""", "model")]
    [InlineData("""{"model":"qwen3","messages":[]}""", "messages")]
    public async Task Invalid_bodies_are_400(string body, string? param)
    {
        using var http = Gateway.HttpClient();
        using var response = await http.PostAsync("/v1/chat/completions", Json(body));

        var error = await AssertEnvelopeAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Empty(Upstream.Received);
    }

    [Fact]
    public async Task Invalid_json_surfaces_as_the_sdk_bad_request()
    {
        var chat = Gateway.OpenAiClient().GetChatClient("qwen3");
        using var content = BinaryContent.Create(BinaryData.FromString("{\"model\":"));

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(content));

        Assert.Equal(400, ex.Status);
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_with_or_without_content_length()
    {
        var big = "{\"model\":\"qwen3\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 5000) + "\"}]}";
        using var http = Gateway.HttpClient();

        using var withLength = await http.PostAsync("/v1/chat/completions", Json(big));
        await AssertEnvelopeAsync(withLength, HttpStatusCode.RequestEntityTooLarge);

        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big))),
        };
        chunked.Headers.TransferEncodingChunked = true;
        using var withoutLength = await http.SendAsync(chunked);
        await AssertEnvelopeAsync(withoutLength, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(Upstream.Received);
    }

    [Fact]
    public async Task Upstream_timeout_is_504_with_retry_after()
    {
        Upstream.EnqueueFault(new FaultSpec { Kind = FaultKind.Latency, LatencyMs = 10_000 });
        var chat = Gateway.OpenAiClient().GetChatClient("qwen3");

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(504, ex.Status);
        var raw = ex.GetRawResponse()!;
        Assert.True(raw.Headers.TryGetValue("retry-after", out _));
        Assert.Contains("upstream_timeout", raw.Content.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upstream_unreachable_is_502()
    {
        var chat = Gateway.OpenAiClient().GetChatClient("unreachable-model");

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")]));

        Assert.Equal(502, ex.Status);
        Assert.Contains("upstream_unreachable", ex.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);
        Assert.True(ex.GetRawResponse()!.Headers.TryGetValue("retry-after", out _));
    }

    [Fact]
    public async Task Upstream_connection_reset_is_502()
    {
        Upstream.EnqueueFault(new FaultSpec { Kind = FaultKind.Reset });
        using var http = Gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Json(ValidChat));

        var error = await AssertEnvelopeAsync(response, HttpStatusCode.BadGateway);
        Assert.Equal("upstream_unreachable", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Upstream_429_keeps_its_retry_after()
    {
        Upstream.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 429, RetryAfterSeconds = 7 });
        using var http = Gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", Json(ValidChat));

        await AssertEnvelopeAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal("7", response.Headers.GetValues("retry-after").Single());
        Assert.Equal("7000", response.Headers.GetValues("retry-after-ms").Single());
    }

    [Fact]
    public async Task Upstream_500_is_502_and_upstream_400_passes_through()
    {
        Upstream.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 500, Message = "boom" });
        Upstream.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 400, Message = "temperature is out of range" });
        using var http = Gateway.HttpClient();

        using var first = await http.PostAsync("/v1/chat/completions", Json(ValidChat));
        using var second = await http.PostAsync("/v1/chat/completions", Json(ValidChat));

        var serverError = await AssertEnvelopeAsync(first, HttpStatusCode.BadGateway);
        Assert.Equal("upstream_error", serverError.GetProperty("code").GetString());
        var clientError = await AssertEnvelopeAsync(second, HttpStatusCode.BadRequest);
        Assert.Equal("temperature is out of range", clientError.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Unknown_routes_and_methods_get_the_envelope()
    {
        using var http = Gateway.HttpClient();

        using var notFound = await http.GetAsync("/v1/does-not-exist");
        using var wrongMethod = await http.GetAsync("/v1/chat/completions");

        await AssertEnvelopeAsync(notFound, HttpStatusCode.NotFound);
        await AssertEnvelopeAsync(wrongMethod, HttpStatusCode.MethodNotAllowed);
    }

    private static async Task<JsonElement> AssertEnvelopeAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.Contains("x-request-id"));
        Assert.DoesNotContain(ProviderKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error");
        foreach (var key in new[] { "message", "type", "param", "code" })
        {
            Assert.True(error.TryGetProperty(key, out _), $"envelope lacks '{key}'");
        }

        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        return error.Clone();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
