using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelGateway.Simulator.Generation;
using ModelGateway.Simulator.Hosting;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Anthropic;

/// <summary>
/// <c>POST /v1/messages</c> in Anthropic's format: a whole <c>message</c>, or the typed event stream
/// (<c>message_start</c>, per block <c>content_block_start/delta/stop</c>, <c>message_delta</c>, <c>message_stop</c>,
/// with a <c>ping</c> after the first block starts), from the same deterministic replies as the OpenAI endpoint.
/// </summary>
internal sealed class MessagesEndpoint(
    IOptions<SimulatorOptions> options, SimulatorState state, TimeProvider timeProvider, Profiles.AnswerProfiles profiles)
{
    private readonly SimulatorOptions _options = options.Value;

    public async Task HandleAsync(HttpContext context)
    {
        if (string.IsNullOrEmpty(context.Request.Headers["anthropic-version"]))
        {
            await AnthropicErrors.WriteAsync(context, 400, "anthropic-version: header is required", null);
            return;
        }

        using var document = await RequestJson.ReadAsync(context);
        if (document is null)
        {
            await AnthropicErrors.WriteAsync(context, 400, "The request body is not valid JSON.", null);
            return;
        }

        var shapeProblem = ShapeHeaders.Read(context.Request.Headers, _options, out var shape, out var delayMs);
        if ((MessagesRequestParser.Parse(document.RootElement, out var request) ?? shapeProblem) is { } problem)
        {
            await AnthropicErrors.WriteAsync(context, 400, problem, null);
            return;
        }

        var profile = profiles.For(request!.Model);
        delayMs = Profiles.AnswerProfiles.ChunkDelay(profile, context.Request.Headers, delayMs);
        var reply = UsageFault.Apply(ReplyPlanner.Plan(request.Prompt, shape, state.Script, profile), context);
        await Profiles.AnswerProfiles.DelayAsync(profile, timeProvider, context.RequestAborted);
        var id = "msg_" + SimulatorRequestFeature.Get(context).RequestId;
        context.Response.Headers["request-id"] = "req_" + SimulatorRequestFeature.Get(context).RequestId;
        if (request.Stream)
        {
            await StreamAsync(context, id, request.Model, reply, delayMs);
        }
        else
        {
            await OpenAiResponses.WriteJsonAsync(context, (id, request.Model, reply), static (json, state) => WriteMessage(json, state.id, state.Model, state.reply));
        }
    }

    /// <summary><c>POST /v1/messages/count_tokens</c>: <c>{"input_tokens": n}</c> for a Messages body without <c>max_tokens</c>.</summary>
    public static async Task CountTokensAsync(HttpContext context)
    {
        if (string.IsNullOrEmpty(context.Request.Headers["anthropic-version"]))
        {
            await AnthropicErrors.WriteAsync(context, 400, "anthropic-version: header is required", null);
            return;
        }

        using var document = await RequestJson.ReadAsync(context);
        if (document is null)
        {
            await AnthropicErrors.WriteAsync(context, 400, "The request body is not valid JSON.", null);
            return;
        }

        if (MessagesRequestParser.Parse(document.RootElement, out var request, countTokens: true) is { } problem)
        {
            await AnthropicErrors.WriteAsync(context, 400, problem, null);
            return;
        }

        await OpenAiResponses.WriteJsonAsync(context, request!.Prompt.PromptTokens, static (json, tokens) =>
        {
            json.WriteStartObject();
            json.WriteNumber("input_tokens"u8, tokens);
            json.WriteEndObject();
        });
    }

    private static void WriteMessage(Utf8JsonWriter json, string id, string model, ChatReply reply)
    {
        var choice = reply.Choices[0];
        json.WriteStartObject();
        json.WriteString("id"u8, id);
        json.WriteString("type"u8, "message"u8);
        json.WriteString("role"u8, "assistant"u8);
        json.WriteString("model"u8, model);
        json.WriteStartArray("content"u8);
        if (choice.ToolCalls.Count == 0)
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "text"u8);
            json.WriteString("text"u8, choice.Text);
            json.WriteEndObject();
        }

        foreach (var call in choice.ToolCalls)
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "tool_use"u8);
            json.WriteString("id"u8, ToolUseId(call));
            json.WriteString("name"u8, call.Name);
            json.WritePropertyName("input"u8);
            json.WriteRawValue(call.Arguments);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("stop_reason"u8, StopReason(choice.Finish));
        json.WriteNull("stop_sequence"u8);
        WriteUsage(json, reply.Usage, reply.Usage.CompletionTokens);
        json.WriteEndObject();
    }

    private async Task StreamAsync(HttpContext context, string id, string model, ChatReply reply, int delayMs)
    {
        var choice = reply.Choices[0];
        await using var stream = await SimulatedStream.StartAsync(context, delayMs, timeProvider);
        await stream.WriteAsync("message_start", json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "message_start"u8);
            json.WriteStartObject("message"u8);
            json.WriteString("id"u8, id);
            json.WriteString("type"u8, "message"u8);
            json.WriteString("role"u8, "assistant"u8);
            json.WriteString("model"u8, model);
            json.WriteStartArray("content"u8);
            json.WriteEndArray();
            json.WriteNull("stop_reason"u8);
            json.WriteNull("stop_sequence"u8);
            WriteUsage(json, reply.Usage, outputTokens: 1);
            json.WriteEndObject();
            json.WriteEndObject();
        });

        if (choice.ToolCalls.Count == 0)
        {
            await BlockStartAsync(stream, 0, json =>
            {
                json.WriteString("type"u8, "text"u8);
                json.WriteString("text"u8, ""u8);
            });
            await stream.WriteAsync("ping", static json =>
            {
                json.WriteStartObject();
                json.WriteString("type"u8, "ping"u8);
                json.WriteEndObject();
            });
            for (var i = 0; i < choice.Words.Count; i++)
            {
                var text = i < choice.Words.Count - 1 ? choice.Words[i] + " " : choice.Words[i];
                await DeltaAsync(stream, 0, "text_delta", "text", text);
            }

            await BlockStopAsync(stream, 0);
        }

        for (var k = 0; k < choice.ToolCalls.Count; k++)
        {
            var call = choice.ToolCalls[k];
            await BlockStartAsync(stream, k, json =>
            {
                json.WriteString("type"u8, "tool_use"u8);
                json.WriteString("id"u8, ToolUseId(call));
                json.WriteString("name"u8, call.Name);
                json.WriteStartObject("input"u8);
                json.WriteEndObject();
            });
            await DeltaAsync(stream, k, "input_json_delta", "partial_json", string.Empty);
            foreach (var fragment in Fragments(call.Arguments))
            {
                await DeltaAsync(stream, k, "input_json_delta", "partial_json", fragment);
            }

            await BlockStopAsync(stream, k);
        }

        await stream.WriteAsync("message_delta", json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "message_delta"u8);
            json.WriteStartObject("delta"u8);
            json.WriteString("stop_reason"u8, StopReason(choice.Finish));
            json.WriteNull("stop_sequence"u8);
            json.WriteEndObject();
            json.WriteStartObject("usage"u8);
            json.WriteNumber("output_tokens"u8, reply.Usage.CompletionTokens);
            json.WriteEndObject();
            json.WriteEndObject();
        });
        await stream.WriteAsync("message_stop", static json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "message_stop"u8);
            json.WriteEndObject();
        });
        stream.Complete();
    }

    private static Task BlockStartAsync(SimulatedStream stream, int index, Action<Utf8JsonWriter> block) =>
        stream.WriteAsync("content_block_start", json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "content_block_start"u8);
            json.WriteNumber("index"u8, index);
            json.WriteStartObject("content_block"u8);
            block(json);
            json.WriteEndObject();
            json.WriteEndObject();
        });

    private static Task DeltaAsync(SimulatedStream stream, int index, string type, string field, string value) =>
        stream.WriteAsync("content_block_delta", json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "content_block_delta"u8);
            json.WriteNumber("index"u8, index);
            json.WriteStartObject("delta"u8);
            json.WriteString("type"u8, type);
            json.WriteString(field, value);
            json.WriteEndObject();
            json.WriteEndObject();
        });

    private static Task BlockStopAsync(SimulatedStream stream, int index) =>
        stream.WriteAsync("content_block_stop", json =>
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "content_block_stop"u8);
            json.WriteNumber("index"u8, index);
            json.WriteEndObject();
        });

    /// <summary>Anthropic input tokens exclude cache reads, which are reported on their own.</summary>
    private static void WriteUsage(Utf8JsonWriter json, ChatUsage usage, int outputTokens)
    {
        json.WriteStartObject("usage"u8);
        json.WriteNumber("input_tokens"u8, usage.PromptTokens - usage.CachedTokens);
        json.WriteNumber("cache_creation_input_tokens"u8, 0);
        json.WriteNumber("cache_read_input_tokens"u8, usage.CachedTokens);
        json.WriteNumber("output_tokens"u8, outputTokens);
        json.WriteEndObject();
    }

    private static string StopReason(ReplyFinish finish) => finish switch
    {
        ReplyFinish.Length => "max_tokens",
        ReplyFinish.ToolCalls => "tool_use",
        _ => "end_turn",
    };

    private static string ToolUseId(PlannedToolCall call) => "toolu_" + call.Id["call_".Length..];

    private static IEnumerable<string> Fragments(string text)
    {
        var size = Math.Max(1, (text.Length + StreamPlan.ArgumentFragments - 1) / StreamPlan.ArgumentFragments);
        for (var start = 0; start < text.Length; start += size)
        {
            yield return text[start..Math.Min(start + size, text.Length)];
        }
    }
}
