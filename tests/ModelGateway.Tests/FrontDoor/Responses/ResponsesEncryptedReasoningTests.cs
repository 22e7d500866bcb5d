using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.FrontDoor.Responses;

/// <summary>
/// Encrypted reasoning goes back only to the provider that made it. Two OpenAI-kind providers with native Responses
/// deployments (<c>m-one</c> on <c>first</c>, <c>m-two</c> on <c>second</c>) and a translated one (<c>m-chat</c>) share
/// one simulator. A native answer's <c>encrypted_content</c> comes back tagged with its provider; a stateless
/// (Codex-shaped) next turn gives it back untagged to that provider, leaves it out for any other, and a chat upstream
/// never sees reasoning.
/// </summary>
public sealed class ResponsesEncryptedReasoningTests : IAsyncLifetime
{
    private SimulatorHost _simulator = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        // vLLM's dialect: its chat answers carry reasoning text, which the translated path renders as reasoning items.
        _simulator = await SimulatorHost.StartAsync(o => { o.Name = "sim"; o.Dialect = "vllm"; });
        string[] native = ["chat", "tools", "responses"];
        _gateway = await GatewayHost.StartAsync(TestConfig.Gateway()
            .WithProvider("first", _simulator.BaseUrl + "/v1")
            .WithProvider("second", _simulator.BaseUrl + "/v1")
            .WithDeployment("one", "first", ["m-one"], capabilities: native)
            .WithDeployment("two", "second", ["m-two"], capabilities: native)
            .WithDeployment("chat", "first", ["m-chat"], capabilities: ["chat", "tools"]));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_native_answer_tags_its_encrypted_reasoning_with_the_provider_that_made_it(bool stream)
    {
        var (reasoning, _) = await FirstTurnAsync("m-one", stream);

        var content = reasoning["encrypted_content"]!.GetValue<string>();
        Assert.StartsWith(TagOf("first"), content, StringComparison.Ordinal);
        Assert.StartsWith("simulated-reasoning:", Encoding.UTF8.GetString(Convert.FromBase64String(content[TagOf("first").Length..])), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_next_turn_gives_it_back_untagged_to_the_same_provider_and_leaves_it_out_for_another(bool stream)
    {
        var (reasoning, message) = await FirstTurnAsync("m-one", stream);
        var tagged = reasoning["encrypted_content"]!.GetValue<string>();
        var original = tagged[TagOf("first").Length..];

        // A reasoning item leading the input too, to cut one at either end of the array.
        var history = new JsonArray(reasoning.DeepClone(), User("look"), reasoning.DeepClone(), message.DeepClone(), User("and now?"));
        var same = await NextTurnAsync("m-one", history, stream);
        var other = await NextTurnAsync("m-two", history, stream);

        Assert.Equal(["reasoning", "message", "reasoning", "message", "message"], same.Select(Type));
        Assert.All(same.Where(i => Type(i) == "reasoning"), i => Assert.Equal(original, i!["encrypted_content"]!.GetValue<string>()));
        Assert.Equal(["message", "message", "message"], other.Select(Type));
        Assert.Equal("look", Text(other[0]!));
        Assert.StartsWith("sim says", Text(other[1]!), StringComparison.Ordinal);
        Assert.Equal("and now?", Text(other[2]!));
    }

    [Fact]
    public async Task Reasoning_rendered_from_a_chat_upstream_goes_to_no_provider_and_foreign_content_passes_as_it_came()
    {
        var (reasoning, message) = await FirstTurnAsync("m-chat", stream: true);
        Assert.Equal("/v1/chat/completions", _simulator.State.Received[^1].Path);
        Assert.Equal("mgr1.translated.", reasoning["encrypted_content"]!.GetValue<string>());

        var foreign = JsonNode.Parse("""{"type":"reasoning","id":"rs_elsewhere","summary":[],"encrypted_content":"gAAAAB-made-before-the-gateway"}""")!;
        var sent = await NextTurnAsync("m-one", new JsonArray(User("look"), reasoning.DeepClone(), message.DeepClone(), foreign, User("and now?")), stream: false);

        Assert.Equal(["message", "message", "reasoning", "message"], sent.Select(Type));
        Assert.Equal("gAAAAB-made-before-the-gateway", sent[2]!["encrypted_content"]!.GetValue<string>());

        // Back on the chat upstream, no reasoning of any kind is sent.
        await NextTurnAsync("m-chat", new JsonArray(User("look"), reasoning.DeepClone(), message.DeepClone(), foreign.DeepClone(), User("and now?")), stream: false);
        var chat = _simulator.State.Received[^1].Body;
        Assert.DoesNotContain("mgr1.", chat, StringComparison.Ordinal);
        Assert.DoesNotContain("made-before-the-gateway", chat, StringComparison.Ordinal);
    }

    /// <summary>The format docs/api.md gives: <c>mgr1.</c>, 8 hex digits of SHA-256 of the provider id, a dot.</summary>
    private static string TagOf(string providerId) =>
        "mgr1." + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(providerId)))[..8] + ".";

    /// <summary>A Codex-shaped first turn; returns its reasoning item and its message item as the client got them.</summary>
    private async Task<(JsonNode Reasoning, JsonNode Message)> FirstTurnAsync(string model, bool stream)
    {
        var output = await PostAsync(Body(model, new JsonArray(User("look")), stream));
        return (output.Single(i => Type(i) == "reasoning")!, output.Single(i => Type(i) == "message")!);
    }

    /// <summary>Sends a stateless turn; returns the input items the upstream received (native) after checking the answer.</summary>
    private async Task<JsonArray> NextTurnAsync(string model, JsonArray input, bool stream)
    {
        var output = await PostAsync(Body(model, input, stream));
        Assert.Contains(output, i => Type(i) == "message");
        var received = JsonNode.Parse(_simulator.State.Received[^1].Body)!;
        return received["input"] as JsonArray ?? [];
    }

    /// <summary>Posts a turn and returns its output items: the body's, or the completed event's.</summary>
    private async Task<JsonArray> PostAsync(string body)
    {
        using var http = _gateway.HttpClient();
        using var response = await http.PostAsync("/v1/responses", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        if (!text.StartsWith("event:", StringComparison.Ordinal))
        {
            return JsonNode.Parse(text)!["output"]!.AsArray();
        }

        var last = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)[^1];
        var completed = JsonNode.Parse(last.Split('\n').Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..])!;
        Assert.Equal("response.completed", completed["type"]!.GetValue<string>());
        return completed["response"]!["output"]!.AsArray();
    }

    private static string Body(string model, JsonArray input, bool stream) => new JsonObject
    {
        ["model"] = model,
        ["stream"] = stream,
        ["store"] = false,
        ["include"] = new JsonArray("reasoning.encrypted_content"),
        ["reasoning"] = new JsonObject { ["effort"] = "medium", ["summary"] = "auto" },
        ["input"] = input.DeepClone(),
    }.ToJsonString();

    private static JsonObject User(string text) => new()
    {
        ["type"] = "message",
        ["role"] = "user",
        ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = text }),
    };

    private static string Type(JsonNode? item) => item!["type"]?.GetValue<string>() ?? "message";

    private static string Text(JsonNode item) => item["content"]![0]!["text"]!.GetValue<string>();
}
