using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelGateway.Simulator.Generation;
using ModelGateway.Simulator.Hosting;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Gemini;

/// <summary>
/// Google's Generative Language API under <c>/v1beta/models/{model}:{method}</c>: <c>generateContent</c>,
/// <c>streamGenerateContent?alt=sse</c> (whole responses per event, no end marker, CRLF separators like Google's),
/// <c>embedContent</c> and <c>batchEmbedContents</c>. Function calls come whole and without ids, as from the real API.
/// </summary>
internal sealed class GeminiEndpoints(
    IOptions<SimulatorOptions> options, SimulatorState state, TimeProvider timeProvider, Profiles.AnswerProfiles profiles)
{
    private readonly SimulatorOptions _options = options.Value;

    public static void Map(WebApplication app)
    {
        var endpoints = app.Services.GetRequiredService<GeminiEndpoints>();
        app.MapPost(WireFormats.Gemini + "/models/{**target}", (RequestDelegate)endpoints.HandleAsync);
    }

    public async Task HandleAsync(HttpContext context)
    {
        var target = (string)context.Request.RouteValues["target"]!;
        var colon = target.LastIndexOf(':');
        var model = colon > 0 ? target[..colon] : target;
        var method = colon > 0 ? target[(colon + 1)..] : string.Empty;
        using var document = await RequestJson.ReadAsync(context);
        if (document is null)
        {
            await GeminiErrors.WriteAsync(context, 400, "Invalid JSON payload received.", null);
            return;
        }

        switch (method)
        {
            case "generateContent":
                await GenerateAsync(context, model, document.RootElement, stream: false);
                break;
            case "streamGenerateContent":
                await GenerateAsync(context, model, document.RootElement, stream: true);
                break;
            case "embedContent":
                await EmbedAsync(context, model, document.RootElement, batch: false);
                break;
            case "batchEmbedContents":
                await EmbedAsync(context, model, document.RootElement, batch: true);
                break;
            default:
                await GeminiErrors.WriteAsync(context, 404, $"Method '{method}' is not found for model '{model}'.", null);
                break;
        }
    }

    private async Task GenerateAsync(HttpContext context, string model, JsonElement root, bool stream)
    {
        var shapeProblem = ShapeHeaders.Read(context.Request.Headers, _options, out var shape, out var delayMs);
        if ((GenerateContentRequestParser.Parse(root, out var prompt) ?? shapeProblem) is { } problem)
        {
            await GeminiErrors.WriteAsync(context, 400, problem, null);
            return;
        }

        var profile = profiles.For(model);
        delayMs = Profiles.AnswerProfiles.ChunkDelay(profile, context.Request.Headers, delayMs);
        var reply = UsageFault.Apply(ReplyPlanner.Plan(prompt!, shape, state.Script, profile), context);
        await Profiles.AnswerProfiles.DelayAsync(profile, timeProvider, context.RequestAborted);
        var id = SimulatorRequestFeature.Get(context).RequestId;
        if (!stream)
        {
            await OpenAiResponses.WriteJsonAsync(context, (id, model, reply), static (json, s) =>
                WriteResponse(json, s.id, s.model, s.reply.Usage, s.reply.Choices[0].ToolCalls.Count == 0 ? [s.reply.Choices[0].Text] : [], s.reply.Choices[0].ToolCalls, Finish(s.reply.Choices[0].Finish)));
            return;
        }

        if (context.Request.Query["alt"] != "sse")
        {
            await GeminiErrors.WriteAsync(context, 400, "The simulator streams only with alt=sse.", null);
            return;
        }

        var choice = reply.Choices[0];
        await using var events = await SimulatedStream.StartAsync(context, delayMs, timeProvider, "\r\n\r\n");
        if (choice.ToolCalls.Count == 0)
        {
            for (var i = 0; i < choice.Words.Count; i++)
            {
                var text = i < choice.Words.Count - 1 ? choice.Words[i] + " " : choice.Words[i];
                var last = i == choice.Words.Count - 1;
                var usage = last ? reply.Usage : reply.Usage with { CompletionTokens = reply.Usage.ReasoningTokens + i + 1 };
                await events.WriteAsync(null, json => WriteResponse(json, id, model, usage, [text], [], last ? Finish(choice.Finish) : null));
            }
        }
        else
        {
            for (var k = 0; k < choice.ToolCalls.Count; k++)
            {
                var last = k == choice.ToolCalls.Count - 1;
                var call = choice.ToolCalls[k];
                await events.WriteAsync(null, json => WriteResponse(json, id, model, reply.Usage, [], [call], last ? "STOP" : null));
            }
        }

        events.Complete();
    }

    private static void WriteResponse(
        Utf8JsonWriter json, string id, string model, ChatUsage usage, IReadOnlyList<string> texts, IReadOnlyList<PlannedToolCall> calls, string? finish)
    {
        json.WriteStartObject();
        json.WriteStartArray("candidates"u8);
        json.WriteStartObject();
        json.WriteStartObject("content"u8);
        json.WriteStartArray("parts"u8);
        foreach (var text in texts)
        {
            json.WriteStartObject();
            json.WriteString("text"u8, text);
            json.WriteEndObject();
        }

        foreach (var call in calls)
        {
            json.WriteStartObject();
            json.WriteStartObject("functionCall"u8);
            json.WriteString("name"u8, call.Name);
            json.WritePropertyName("args"u8);
            json.WriteRawValue(call.Arguments);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteString("role"u8, "model"u8);
        json.WriteEndObject();
        if (finish is not null)
        {
            json.WriteString("finishReason"u8, finish);
        }

        json.WriteNumber("index"u8, 0);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartObject("usageMetadata"u8);
        json.WriteNumber("promptTokenCount"u8, usage.PromptTokens);
        json.WriteNumber("candidatesTokenCount"u8, usage.CompletionTokens - usage.ReasoningTokens);
        json.WriteNumber("totalTokenCount"u8, usage.TotalTokens);
        if (usage.CachedTokens > 0)
        {
            json.WriteNumber("cachedContentTokenCount"u8, usage.CachedTokens);
        }

        if (usage.ReasoningTokens > 0)
        {
            json.WriteNumber("thoughtsTokenCount"u8, usage.ReasoningTokens);
        }

        json.WriteEndObject();
        json.WriteString("modelVersion"u8, model);
        json.WriteString("responseId"u8, id);
        json.WriteEndObject();
    }

    private static string Finish(ReplyFinish finish) => finish == ReplyFinish.Length ? "MAX_TOKENS" : "STOP";

    private async Task EmbedAsync(HttpContext context, string model, JsonElement root, bool batch)
    {
        var texts = new List<(string Text, int? Dimensions)>();
        if (batch)
        {
            if (!root.TryGetProperty("requests", out var requests) || requests.ValueKind != JsonValueKind.Array || requests.GetArrayLength() == 0)
            {
                await GeminiErrors.WriteAsync(context, 400, "* BatchEmbedContentsRequest.requests: requests is not specified", null);
                return;
            }

            foreach (var request in requests.EnumerateArray())
            {
                texts.Add(Read(request));
            }
        }
        else
        {
            texts.Add(Read(root));
        }

        var defaultDimensions = _options.EmbeddingDimensions;
        await OpenAiResponses.WriteJsonAsync(context, (texts, batch, defaultDimensions), static (json, s) =>
        {
            json.WriteStartObject();
            if (s.batch)
            {
                json.WriteStartArray("embeddings"u8);
                foreach (var (text, dimensions) in s.texts)
                {
                    WriteValues(json, text, dimensions ?? s.defaultDimensions);
                }

                json.WriteEndArray();
            }
            else
            {
                json.WritePropertyName("embedding"u8);
                WriteValues(json, s.texts[0].Text, s.texts[0].Dimensions ?? s.defaultDimensions);
            }

            json.WriteEndObject();
        });
    }

    private static (string, int?) Read(JsonElement request)
    {
        var text = string.Empty;
        if (request.TryGetProperty("content", out var content) && content.TryGetProperty("parts", out var parts))
        {
            foreach (var part in parts.EnumerateArray())
            {
                text += JsonRead.TryGetString(part, "text", out var t) ? t : string.Empty;
            }
        }

        int? dimensions = request.TryGetProperty("outputDimensionality", out var d) && d.TryGetInt32(out var n) ? n : null;
        return (text, dimensions);
    }

    private static void WriteValues(Utf8JsonWriter json, string text, int dimensions)
    {
        var vector = new float[Math.Clamp(dimensions, 1, 4096)];
        EmbeddingVector.Fill(StableHash.Of(text), vector);
        json.WriteStartObject();
        json.WriteStartArray("values"u8);
        foreach (var value in vector)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }
}
