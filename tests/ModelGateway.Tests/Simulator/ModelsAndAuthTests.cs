using System.ClientModel;
using System.Net;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Chat;
using OpenAI.Models;

namespace ModelGateway.Tests.Simulator;

public sealed class ModelsAndAuthTests
{
    [Fact]
    public async Task Sdk_lists_and_gets_models()
    {
        await using var sim = await SimulatorHost.StartAsync(o => o.Models.Add("Qwen/Qwen3-32B"));
        var models = sim.OpenAiClient().GetOpenAIModelClient();

        OpenAIModelCollection list = await models.GetModelsAsync();
        OpenAIModel one = await models.GetModelAsync("sim-large");
        OpenAIModel slashed = await models.GetModelAsync("Qwen/Qwen3-32B");

        Assert.Equal(["sim-small", "sim-large", "sim-embed", "Qwen/Qwen3-32B"], list.Select(m => m.Id));
        Assert.All(list, m => Assert.Equal("modelgateway-simulator", m.OwnedBy));
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), one.CreatedAt);
        Assert.Equal("sim-large", one.Id);
        Assert.Equal("Qwen/Qwen3-32B", slashed.Id);
    }

    [Fact]
    public async Task Unknown_model_is_a_404_model_not_found()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var models = sim.OpenAiClient().GetOpenAIModelClient();
        using var http = sim.HttpClient();

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => models.GetModelAsync("gpt-nope"));
        using var response = await http.GetAsync("/v1/models/gpt-nope");

        Assert.Equal(404, exception.Status);
        await RawApi.AssertErrorAsync(response, 404, "invalid_request_error", "model_not_found");
    }

    [Fact]
    public async Task Unknown_path_is_a_404_envelope()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var response = await http.GetAsync("/v1/completions/legacy");

        var error = await RawApi.AssertErrorAsync(response, 404, "invalid_request_error", null);
        Assert.Equal("Invalid URL (GET /v1/completions/legacy)", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Wrong_key_is_a_401_and_the_right_key_passes()
    {
        await using var sim = await SimulatorHost.StartAsync(o => o.RequiredApiKey = "sk-right");

        var wrong = await Assert.ThrowsAsync<ClientResultException>(
            () => sim.OpenAiClient("sk-wrong").GetChatClient("sim-small").CompleteChatAsync([new UserChatMessage("hi")]));
        ChatCompletion ok = await sim.OpenAiClient("sk-right").GetChatClient("sim-small").CompleteChatAsync([new UserChatMessage("hello")]);
        using var anonymous = sim.HttpClient();
        using var missing = await anonymous.GetAsync("/v1/models");
        using var health = await anonymous.GetAsync("/_sim/health");

        Assert.Equal(401, wrong.Status);
        Assert.Equal(RawApi.HelloReply, ok.Content[0].Text);
        await RawApi.AssertErrorAsync(missing, 401, "invalid_request_error", "invalid_api_key");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(3, sim.State.Received.Count);
        Assert.Equal("Bearer sk-wrong", sim.State.Received[0].Headers["authorization"]);
    }

    [Fact]
    public async Task Every_response_names_the_simulator_and_has_a_request_id()
    {
        await using var sim = await SimulatorHost.StartAsync(o => o.Name = "sim-eu");
        using var http = sim.HttpClient();

        using var chat = await http.PostAsync("/v1/chat/completions", RawApi.Hello);
        using var models = await http.GetAsync("/v1/models");
        using var notFound = await http.GetAsync("/v1/nowhere");
        using var health = await http.GetAsync("/_sim/health");

        HttpResponseMessage[] responses = [chat, models, notFound, health];
        Assert.All(responses, r => Assert.Equal("sim-eu", Assert.Single(r.Headers.GetValues("x-simulator"))));
        var ids = responses.Select(r => Assert.Single(r.Headers.GetValues("x-request-id"))).ToList();
        Assert.All(ids, id => Assert.Matches("^sim-[0-9a-f]{16}$", id));
        Assert.Equal(4, ids.Distinct().Count());
        Assert.StartsWith("sim-eu says ", (await chat.JsonAsync()).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), StringComparison.Ordinal);
    }
}
