using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Routing;

/// <summary>Configuration and request helpers for policy-engine tests.</summary>
internal static class RoutingTestConfig
{
    public const string CardPrompt = "Please charge my card 4111 1111 1111 1111 for the order.";
    public const string PrivateKeyPrompt = "Deploy with this key:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----";

    public static JsonObject WithRoute(this JsonObject gateway, string id, JsonObject route)
    {
        if (gateway["Routes"] is not JsonObject routes)
        {
            gateway["Routes"] = routes = new JsonObject();
        }

        routes[id] = route;
        return gateway;
    }

    public static JsonObject WithFallback(this JsonObject gateway, JsonObject fallback)
    {
        gateway["Fallback"] = fallback;
        return gateway;
    }

    /// <summary>Breakers that open after two failures in two calls, for 30 s.</summary>
    public static JsonObject WithTwoStrikeBreaker(this JsonObject gateway) => gateway.WithFallback(new JsonObject
    {
        ["Breaker"] = new JsonObject { ["MinimumThroughput"] = 2, ["FailureRatio"] = 0.5, ["BreakDuration"] = "00:00:30", ["SamplingDuration"] = "00:00:30" },
    });

    public static async Task<HttpResponseMessage> ChatAsync(
        this GatewayHost gateway, string model, string prompt, bool stream = false, IDictionary<string, string>? headers = null, JsonObject? extra = null)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
            ["stream"] = stream,
        };
        foreach (var (name, value) in extra ?? [])
        {
            body[name] = value?.DeepClone();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        using var client = gateway.HttpClient();
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    public static async Task<JsonElement> ExplainAsync(this GatewayHost gateway, string model, string prompt, IDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/route/explain")
        {
            Content = JsonContent.Create(new { model, messages = new[] { new { role = "user", content = prompt } } }),
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.Add(name, value);
        }

        using var client = gateway.HttpClient();
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static string Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : string.Empty;

    public static string ErrorCode(this HttpResponseMessage response)
    {
        var json = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        return json.RootElement.GetProperty("error").GetProperty("code").GetString() ?? string.Empty;
    }

    public static int ChatRequests(this SimulatorHost simulator) =>
        simulator.State.Received.Count(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));

    public static bool ReceivedText(this SimulatorHost simulator, string text) =>
        simulator.State.Received.Any(r => r.Body.Contains(text, StringComparison.Ordinal));
}
