#pragma warning disable OPENAI001 // The Responses client is marked experimental in the SDK.
using System.Net;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Quotas;
using OpenAI.Responses;

namespace ModelGateway.Tests.FrontDoor.Responses;

/// <summary>
/// Who may read, list, continue and delete a stored response (<c>Limits:StoredResponseOwner</c>): with <c>team</c>, any key
/// of the creating key's team; with <c>key</c> (the default), only that key. Everyone else gets the 404 of an unknown id.
/// In memory on one gateway, and in Redis across two replicas (the teammate on the other one).
/// </summary>
public sealed class ResponsesOwnershipTests
{
    public static readonly TheoryData<string> Stores = new() { "memory", "redis" };

    private const string MateKey = "mg-mate-key";
    private const string RivalKey = "mg-rival-key";
    private const string LonerKey = "mg-loner-key";

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task With_team_ownership_a_teammate_reads_continues_and_deletes_and_everyone_else_gets_404(string store)
    {
        await using var hosts = await StartAsync(store, "team");
        var mine = hosts.First.OpenAiClient().GetResponsesClient();
        var mate = hosts.Second.OpenAiClient(MateKey).GetResponsesClient();
        ResponseResult created = await mine.CreateResponseAsync(QuotaTestConfig.Model, "my name is Ada");

        ResponseResult read = await mate.GetResponseAsync(created.Id);
        Assert.Equal(created.GetOutputText(), read.GetOutputText());
        var items = new List<ResponseItem>();
        await foreach (var item in mate.GetResponseInputItemsAsync(created.Id))
        {
            items.Add(item);
        }

        Assert.Equal("my name is Ada", Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(items)).Content[0].Text);
        ResponseResult continued = await mate.CreateResponseAsync(QuotaTestConfig.Model, "what is my name?", created.Id);
        Assert.Equal(ResponseStatus.Completed, continued.Status);
        Assert.Contains("my name is Ada", hosts.Simulator.State.Received[^1].Body, StringComparison.Ordinal);

        // The teammate's continuation is the team's too: the creator reads it back.
        ResponseResult back = await mine.GetResponseAsync(continued.Id);
        Assert.Equal(continued.GetOutputText(), back.GetOutputText());

        await AssertHiddenAsync(hosts.First, RivalKey, created.Id);
        await AssertHiddenAsync(hosts.Second, LonerKey, created.Id);

        ResponseDeletionResult deleted = await mate.DeleteResponseAsync(created.Id);
        Assert.True(deleted.Deleted);
        using var gone = await hosts.First.HttpClient().GetAsync($"/v1/responses/{created.Id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task With_key_ownership_a_teammate_gets_404_like_anyone_else(string store)
    {
        await using var hosts = await StartAsync(store, owner: null);
        ResponseResult created = await hosts.First.OpenAiClient().GetResponsesClient().CreateResponseAsync(QuotaTestConfig.Model, "remember this");

        await AssertHiddenAsync(hosts.Second, MateKey, created.Id);
        await AssertHiddenAsync(hosts.Second, RivalKey, created.Id);

        // Still there for its own key: the 404s deleted nothing.
        ResponseResult read = await hosts.Second.OpenAiClient().GetResponsesClient().GetResponseAsync(created.Id);
        Assert.Equal(created.Id, read.Id);
    }

    [Fact]
    public async Task A_team_less_creator_keeps_its_responses_to_itself_under_team_ownership()
    {
        await using var hosts = await StartAsync("memory", "team");
        ResponseResult created = await hosts.First.OpenAiClient(LonerKey).GetResponsesClient().CreateResponseAsync(QuotaTestConfig.Model, "mine alone");

        await AssertHiddenAsync(hosts.First, MateKey, created.Id);
        await AssertHiddenAsync(hosts.First, TestConfig.ClientKey, created.Id);
        ResponseResult read = await hosts.First.OpenAiClient(LonerKey).GetResponsesClient().GetResponseAsync(created.Id);
        Assert.Equal(created.Id, read.Id);
    }

    /// <summary>Reading, listing, continuing and deleting <paramref name="id"/> with <paramref name="key"/> are all 404 in the OpenAI envelope.</summary>
    private static async Task AssertHiddenAsync(GatewayHost host, string key, string id)
    {
        using var http = host.HttpClient(key);
        using var get = await http.GetAsync($"/v1/responses/{id}");
        await AssertNotFoundAsync(get, "not_found");
        using var list = await http.GetAsync($"/v1/responses/{id}/input_items");
        await AssertNotFoundAsync(list, "not_found");
        using var body = new StringContent($$"""{"model":"{{QuotaTestConfig.Model}}","input":"go on","previous_response_id":"{{id}}"}""", System.Text.Encoding.UTF8, "application/json");
        using var next = await http.PostAsync("/v1/responses", body);
        await AssertNotFoundAsync(next, "previous_response_not_found");
        using var delete = await http.DeleteAsync($"/v1/responses/{id}");
        await AssertNotFoundAsync(delete, "not_found");
    }

    private static async Task AssertNotFoundAsync(HttpResponseMessage response, string code)
    {
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal(code, error["code"]!.GetValue<string>());
    }

    /// <summary>
    /// The test key and <c>mate</c> in team <c>red</c>, <c>rival</c> in team <c>blue</c>, <c>loner</c> in none. For
    /// <c>redis</c>, two replicas sharing one prefix; for <c>memory</c>, one gateway serving as both.
    /// </summary>
    private static async Task<Hosts> StartAsync(string store, string? owner)
    {
        var simulator = await SimulatorHost.StartAsync(o => o.Name = "sim");
        var redis = store == "redis" ? await RedisServer.SharedAddressAsync() : null;
        var prefix = RedisServer.NewPrefix();
        JsonObject Config()
        {
            var config = QuotaTestConfig.Gateway(simulator)
                .WithTeam("red", [])
                .WithTeam("blue", [])
                .WithTestKey(team: "red")
                .WithKey("mate", MateKey, new JsonObject { ["Team"] = "red" })
                .WithKey("rival", RivalKey, new JsonObject { ["Team"] = "blue" })
                .WithKey("loner", LonerKey, []);
            if (redis is not null)
            {
                config.WithQuotas(redis, prefix);
            }

            if (owner is not null)
            {
                config["Limits"] = new JsonObject { ["StoredResponseOwner"] = owner };
            }

            return config;
        }

        var first = await GatewayHost.StartAsync(Config());
        var second = redis is null ? null : await GatewayHost.StartAsync(Config());
        return new Hosts(simulator, first, second);
    }

    private sealed class Hosts(SimulatorHost simulator, GatewayHost first, GatewayHost? second) : IAsyncDisposable
    {
        public SimulatorHost Simulator => simulator;

        public GatewayHost First => first;

        public GatewayHost Second => second ?? first;

        public async ValueTask DisposeAsync()
        {
            if (second is not null)
            {
                await second.DisposeAsync();
            }

            await first.DisposeAsync();
            await simulator.DisposeAsync();
        }
    }
}
