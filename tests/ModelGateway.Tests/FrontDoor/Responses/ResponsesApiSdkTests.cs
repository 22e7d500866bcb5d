#pragma warning disable OPENAI001 // The Responses client is marked experimental in the SDK.
using System.ClientModel;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Providers;
using OpenAI.Responses;

namespace ModelGateway.Tests.FrontDoor.Responses;

/// <summary>
/// The official OpenAI .NET SDK's responses client through the gateway, on each path: <c>translated</c> (an
/// OpenAI-compatible chat deployment), <c>anthropic</c> (an Anthropic-kind deployment) and <c>native</c> (a deployment
/// with the <c>responses</c> capability, whose upstream, the simulator, serves the Responses API itself).
/// </summary>
public sealed class ResponsesApiSdkTests
{
    public static readonly TheoryData<string> Paths = new() { "translated", "anthropic", "native" };

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Create_answers_with_a_completed_response_and_its_usage(string path)
    {
        await using var host = await StartAsync(path);
        var client = Client(host);

        ResponseResult response = await client.CreateResponseAsync("m", "hello");

        Assert.StartsWith("resp_", response.Id, StringComparison.Ordinal);
        Assert.Equal(ResponseStatus.Completed, response.Status);
        Assert.StartsWith("sim says", response.GetOutputText(), StringComparison.Ordinal);
        Assert.True(response.Usage.InputTokenCount > 0);
        Assert.True(response.Usage.OutputTokenCount > 0);
        Assert.Equal(UpstreamPath(path), host.Simulator.State.Received.Single().Path);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Stream_delivers_text_deltas_then_the_completed_response(string path)
    {
        await using var host = await StartAsync(path);
        var client = Client(host);

        var deltas = new List<string>();
        ResponseResult? completed = null;
        var sequence = new List<int>();
        await foreach (var update in await client.CreateResponseStreamingAsync("m", "hello"))
        {
            sequence.Add(update.SequenceNumber);
            switch (update)
            {
                case StreamingResponseOutputTextDeltaUpdate delta:
                    deltas.Add(delta.Delta);
                    break;
                case StreamingResponseCompletedUpdate done:
                    completed = done.Response;
                    break;
            }
        }

        Assert.NotNull(completed);
        Assert.Equal(ResponseStatus.Completed, completed.Status);
        Assert.True(deltas.Count > 1, "the text came in one piece");
        Assert.Equal(completed.GetOutputText(), string.Concat(deltas));
        Assert.Equal(Enumerable.Range(0, sequence.Count), sequence);
        Assert.True(completed.Usage.OutputTokenCount > 0);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task A_function_call_round_trip_continues_with_previous_response_id(string path)
    {
        await using var host = await StartAsync(path);
        var client = Client(host);
        var options = new CreateResponseOptions
        {
            Model = "m",
            InputItems = { ResponseItem.CreateUserMessageItem("What is the weather in Paris?") },
            Tools =
            {
                ResponseTool.CreateFunctionTool(
                    "get_weather",
                    BinaryData.FromString("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"""),
                    strictModeEnabled: false,
                    functionDescription: "Weather in a city"),
            },
        };

        ResponseResult first = await client.CreateResponseAsync(options);
        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Contains("city", call.FunctionArguments.ToString(), StringComparison.Ordinal);

        var second = new CreateResponseOptions
        {
            Model = "m",
            PreviousResponseId = first.Id,
            InputItems = { ResponseItem.CreateFunctionCallOutputItem(call.CallId, "sunny, 21 C") },
            Tools = { options.Tools[0] },
        };
        ResponseResult answer = await client.CreateResponseAsync(second);

        Assert.Equal(ResponseStatus.Completed, answer.Status);
        Assert.Contains("got tool result: sunny, 21 C", answer.GetOutputText(), StringComparison.Ordinal);
        if (path == "native")
        {
            // The gateway expanded its stored chain: the upstream got the whole conversation, no id it never saw.
            var sent = JsonNode.Parse(host.Simulator.State.Received[^1].Body)!;
            Assert.Null(sent["previous_response_id"]);
            Assert.Equal(["message", "function_call", "function_call_output"], sent["input"]!.AsArray().Select(i => i!["type"]!.GetValue<string>()));
        }
        else
        {
            Assert.Equal(first.Id, answer.PreviousResponseId);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Stored_responses_can_be_retrieved_listed_and_deleted_by_their_key_only(string path)
    {
        await using var host = await StartAsync(path, otherKey: true);
        var client = Client(host);
        ResponseResult created = await client.CreateResponseAsync("m", "remember this");

        ResponseResult retrieved = await client.GetResponseAsync(created.Id);
        Assert.Equal(created.Id, retrieved.Id);
        Assert.Equal(created.GetOutputText(), retrieved.GetOutputText());

        var items = new List<ResponseItem>();
        await foreach (var item in client.GetResponseInputItemsAsync(created.Id))
        {
            items.Add(item);
        }

        var message = Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(items));
        Assert.Equal("remember this", message.Content[0].Text);

        var stranger = new ResponsesClient(new ApiKeyCredential(OtherKey), new ResponsesClientOptions { Endpoint = new Uri(host.Gateway.BaseUrl + "/v1"), RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(0) });
        var hidden = await Assert.ThrowsAsync<ClientResultException>(() => stranger.GetResponseAsync(created.Id));
        Assert.Equal(404, hidden.Status);
        var notYours = await Assert.ThrowsAsync<ClientResultException>(() => stranger.CreateResponseAsync("m", "and this?", created.Id));
        Assert.Equal(404, notYours.Status);

        ResponseDeletionResult deleted = await client.DeleteResponseAsync(created.Id);
        Assert.True(deleted.Deleted);
        var gone = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(created.Id));
        Assert.Equal(404, gone.Status);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Structured_output_asks_the_upstream_for_the_schema(string path)
    {
        await using var host = await StartAsync(path);
        var client = Client(host);
        var options = new CreateResponseOptions
        {
            Model = "m",
            InputItems = { ResponseItem.CreateUserMessageItem("a city") },
            TextOptions = new ResponseTextOptions
            {
                TextFormat = ResponseTextFormat.CreateJsonSchemaFormat(
                    "city", BinaryData.FromString("""{"type":"object","properties":{"name":{"type":"string"}},"required":["name"],"additionalProperties":false}"""), jsonSchemaIsStrict: true),
            },
        };

        ResponseResult response = await client.CreateResponseAsync(options);

        Assert.Equal(ResponseStatus.Completed, response.Status);
        var sent = JsonNode.Parse(host.Simulator.State.Received.Single().Body)!;
        var schemaSent = path switch
        {
            "translated" => sent["response_format"]?["json_schema"]?["schema"],
            "native" => sent["text"]?["format"]?["schema"],
            _ => sent["tools"]?[0]?["input_schema"] ?? sent["output_config"]?["format"]?["schema"],
        };
        Assert.Equal("string", schemaSent?["properties"]?["name"]?["type"]?.GetValue<string>());
    }

    private const string OtherKey = "mg-other-client-key";

    private static ResponsesClient Client(ProviderKindHost host) => host.Gateway.OpenAiClient().GetResponsesClient();

    private static string UpstreamPath(string path) => path switch
    {
        "translated" => "/v1/chat/completions",
        "anthropic" => "/v1/messages",
        _ => "/v1/responses",
    };

    private static Task<ProviderKindHost> StartAsync(string path, bool otherKey = false) =>
        ProviderKindHost.StartAsync(path == "anthropic" ? "anthropic" : "openai", config =>
        {
            if (path == "native")
            {
                config["Deployments"]!["native-m"]!["Capabilities"]!.AsArray().Add("responses");
            }

            if (otherKey)
            {
                config["Keys"]!["other-key"] = new JsonObject { ["Sha256"] = ModelGateway.FrontDoor.ClientAuthenticationMiddleware.HashKey(OtherKey) };
            }
        });
}
