using System.Text.Json;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using ModelGateway.Simulator;

namespace ModelGateway.Tests.FrontDoor.AnthropicMessages;

/// <summary>
/// The official Anthropic .NET SDK (NuGet <c>Anthropic</c>) against the gateway: create, stream, a tool-use round
/// trip and count tokens, on a translated (OpenAI-compatible) deployment and passed through to an Anthropic one;
/// and each class of error arriving as the SDK's own exception type.
/// </summary>
public sealed class AnthropicSdkTests : MessagesGateway
{
    [Theory]
    [InlineData(TranslatedModel)]
    [InlineData(NativeModel)]
    public async Task Create_answers_with_text_and_usage(string model)
    {
        var message = await Sdk().Messages.Create(new MessageCreateParams
        {
            Model = model,
            MaxTokens = 100,
            Messages = [new UserMessageParam { Content = "hello" }],
        });

        Assert.True(message.Content[0].TryPickText(out var text));
        Assert.StartsWith("sim", text!.Text, StringComparison.Ordinal);
        Assert.True(message.Usage.InputTokens > 0);
        Assert.True(message.Usage.OutputTokens > 0);
        Assert.Equal(StopReason.EndTurn, message.StopReason!.Value());
        var sent = Assert.Single(Upstream.Received);
        Assert.Equal(model == NativeModel ? "/v1/messages" : "/v1/chat/completions", sent.Path);
    }

    [Theory]
    [InlineData(TranslatedModel)]
    [InlineData(NativeModel)]
    public async Task Stream_delivers_text_deltas_and_a_final_stop_reason(string model)
    {
        var text = new System.Text.StringBuilder();
        var sawStop = false;
        await foreach (var streamEvent in Sdk().Messages.CreateStreaming(new MessageCreateParams
        {
            Model = model,
            MaxTokens = 100,
            Messages = [new UserMessageParam { Content = "hello" }],
        }))
        {
            if (streamEvent.TryPickContentBlockDelta(out var delta) && delta!.Delta.TryPickText(out var textDelta))
            {
                text.Append(textDelta!.Text);
            }

            sawStop |= streamEvent.TryPickStop(out _);
        }

        Assert.True(sawStop);
        Assert.StartsWith("sim", text.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(TranslatedModel)]
    [InlineData(NativeModel)]
    public async Task A_tool_use_round_trip_completes(string model)
    {
        var sdk = Sdk();
        var tool = new Tool
        {
            Name = "get_weather",
            Description = "Weather for a city",
            InputSchema = new InputSchema
            {
                Properties = new Dictionary<string, JsonElement> { ["city"] = JsonSerializer.SerializeToElement(new { type = "string" }) },
                Required = ["city"],
            },
        };
        List<MessageParam> messages = [new UserMessageParam { Content = "Weather in Paris?" }];
        var first = await sdk.Messages.Create(new MessageCreateParams { Model = model, MaxTokens = 200, Tools = [tool], Messages = messages });

        Assert.Equal(StopReason.ToolUse, first.StopReason!.Value());
        var call = first.Content.Select(b => b.TryPickToolUse(out var use) ? use : null).Single(u => u is not null)!;
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("sim-city", call.Input["city"].GetString());

        messages.Add(new AssistantMessageParam { Content = new List<ContentBlockParam> { new ToolUseBlockParam { ID = call.ID, Name = call.Name, Input = call.Input } } });
        messages.Add(new UserMessageParam { Content = new List<ContentBlockParam> { new ToolResultBlockParam { ToolUseID = call.ID, Content = "sunny, 21C" } } });
        var second = await sdk.Messages.Create(new MessageCreateParams { Model = model, MaxTokens = 200, Tools = [tool], Messages = messages });

        Assert.True(second.Content[0].TryPickText(out var answer));
        Assert.Contains("got tool result: sunny, 21C", answer!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Count_tokens_answers_the_gateway_estimate()
    {
        var count = await Sdk().Messages.CountTokens(new MessageCountTokensParams
        {
            Model = TranslatedModel,
            Messages = [new UserMessageParam { Content = "hello there, how are you today?" }],
        });

        Assert.InRange(count.InputTokens, 5, 200);
        Assert.Empty(Upstream.Received);
    }

    [Fact]
    public async Task Each_error_class_arrives_as_the_sdk_exception_type()
    {
        var request = new MessageCreateParams { Model = TranslatedModel, MaxTokens = 10, Messages = [new UserMessageParam { Content = "hi" }] };

        await Assert.ThrowsAsync<AnthropicUnauthorizedException>(() => Sdk("sk-wrong").Messages.Create(request));
        await Assert.ThrowsAsync<AnthropicNotFoundException>(() => Sdk().Messages.Create(request with { Model = "claude-unknown" }));
        await Assert.ThrowsAsync<AnthropicBadRequestException>(() => Sdk().Messages.Create(request with
        {
            Messages = [new UserMessageParam { Content = new List<ContentBlockParam> { new ToolResultBlockParam { ToolUseID = "toolu_missing", Content = "x" } } }],
        }));

        Upstream.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 429, RetryAfterSeconds = 1 });
        await Assert.ThrowsAsync<AnthropicRateLimitException>(() => Sdk().Messages.Create(request));

        Upstream.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 529 });
        await Assert.ThrowsAsync<AnthropicOverloadedException>(() => Sdk().Messages.Create(request with { Model = NativeModel }));

        Upstream.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 500 });
        await Assert.ThrowsAnyAsync<Anthropic5xxException>(() => Sdk().Messages.Create(request));
    }
}
