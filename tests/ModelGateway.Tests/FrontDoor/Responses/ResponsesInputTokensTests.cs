using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Providers;
using ModelGateway.Tests.Quotas;

namespace ModelGateway.Tests.FrontDoor.Responses;

/// <summary>
/// <c>POST /v1/responses/input_tokens</c>: the gateway's own estimate in OpenAI's shape, with no upstream call; a
/// stored conversation counts in full for its owner and is unknown to anyone else.
/// </summary>
public sealed class ResponsesInputTokensTests : IAsyncLifetime
{
    private const string OtherKey = "mg-other-client-key";

    private ProviderKindHost _host = null!;

    public async Task InitializeAsync() =>
        _host = await ProviderKindHost.StartAsync("openai", config => config.WithKey("other", OtherKey, []));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Input_tokens_are_counted_in_OpenAI_shape_without_calling_an_upstream()
    {
        var (status, brief) = await CountAsync("""{"model":"m","input":"hello there"}""");
        var (_, longer) = await CountAsync("""{"model":"m","instructions":"Be brief and polite in every answer you give.","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hello there, how is the weather in the mountains today?"}]}],"tools":[{"type":"function","name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("response.input_tokens", brief["object"]!.GetValue<string>());
        Assert.InRange(brief["input_tokens"]!.GetValue<int>(), 2, 100);
        Assert.True(longer["input_tokens"]!.GetValue<int>() > brief["input_tokens"]!.GetValue<int>() + 20);
        Assert.Equal(2, brief.AsObject().Count);
        Assert.Empty(_host.Simulator.State.Received);
    }

    [Fact]
    public async Task A_stored_conversation_counts_in_full_for_its_owner_and_is_not_found_for_another_key()
    {
        using var http = _host.Gateway.HttpClient();
        using var created = await http.PostAsync("/v1/responses", Json("""{"model":"m","input":"tell me a long story about a lighthouse keeper"}"""));
        var id = JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();

        var (_, alone) = await CountAsync("""{"model":"m","input":"and then?"}""");
        var (status, continued) = await CountAsync($$"""{"model":"m","input":"and then?","previous_response_id":"{{id}}"}""");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(continued["input_tokens"]!.GetValue<int>() > alone["input_tokens"]!.GetValue<int>() + 10);

        var (otherStatus, other) = await CountAsync($$"""{"model":"m","input":"and then?","previous_response_id":"{{id}}"}""", OtherKey);
        Assert.Equal(HttpStatusCode.NotFound, otherStatus);
        Assert.Equal("previous_response_not_found", other["error"]!["code"]!.GetValue<string>());
        Assert.Single(_host.Simulator.State.Received);
    }

    [Theory]
    [InlineData("""{"model":"no-such-model","input":"hi"}""", HttpStatusCode.NotFound, "model")]
    [InlineData("""{"input":"hi"}""", HttpStatusCode.BadRequest, "model")]
    [InlineData("""{"model":"m"}""", HttpStatusCode.BadRequest, "input")]
    [InlineData("""{"model":"m","input":[{"type":"telepathy"}]}""", HttpStatusCode.BadRequest, "input[0].type")]
    [InlineData("""{"model":"m","input":"hi""", HttpStatusCode.BadRequest, null)]
    public async Task Bad_bodies_are_4xx_in_the_OpenAI_envelope(string body, HttpStatusCode expected, string? param)
    {
        var (status, answer) = await CountAsync(body);

        Assert.Equal(expected, status);
        Assert.Equal(param, answer["error"]!["param"]?.GetValue<string>());
        Assert.Empty(_host.Simulator.State.Received);
    }

    private async Task<(HttpStatusCode Status, JsonNode Body)> CountAsync(string body, string key = TestConfig.ClientKey)
    {
        using var http = _host.Gateway.HttpClient(key);
        using var response = await http.PostAsync("/v1/responses/input_tokens", Json(body));
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
