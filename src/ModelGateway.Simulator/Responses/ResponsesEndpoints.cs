using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelGateway.Simulator.Generation;
using ModelGateway.Simulator.Hosting;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Responses;

/// <summary>
/// The OpenAI Responses API: <c>POST /v1/responses</c> (whole or streamed), and for stored responses
/// <c>GET</c> and <c>DELETE /v1/responses/{id}</c>, <c>GET /v1/responses/{id}/input_items</c> and
/// <c>previous_response_id</c>. Replies come from the same deterministic planner (and script) as chat.
/// </summary>
internal sealed class ResponsesEndpoints(
    IOptions<SimulatorOptions> options, SimulatorState state, TimeProvider timeProvider, Profiles.AnswerProfiles profiles)
{
    private readonly SimulatorOptions _options = options.Value;

    public static void Map(WebApplication app)
    {
        var endpoints = app.Services.GetRequiredService<ResponsesEndpoints>();
        var responses = app.MapGroup(SimulatorPaths.OpenAi + "/responses");
        responses.MapPost(string.Empty, (RequestDelegate)endpoints.CreateAsync);
        responses.MapGet("/{id}", (RequestDelegate)endpoints.GetAsync);
        responses.MapDelete("/{id}", (RequestDelegate)endpoints.DeleteAsync);
        responses.MapGet("/{id}/input_items", (RequestDelegate)endpoints.InputItemsAsync);
    }

    public async Task CreateAsync(HttpContext context)
    {
        using var document = await RequestJson.ReadAsync(context);
        if (document is null)
        {
            await OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.InvalidJson());
            return;
        }

        var root = document.RootElement;
        var prior = ConversationSummary.Empty;
        if (root.ValueKind == JsonValueKind.Object && JsonRead.TryGetString(root, "previous_response_id", out var previousId))
        {
            if (state.Responses.Find(previousId) is not { } previous)
            {
                await OpenAiResponses.WriteErrorAsync(context, new OpenAiError(
                    StatusCodes.Status404NotFound,
                    $"Previous response with id '{previousId}' not found.",
                    OpenAiErrors.InvalidRequest,
                    "previous_response_id",
                    "previous_response_not_found"));
                return;
            }

            prior = previous.Conversation;
        }

        var id = "resp_" + SimulatorRequestFeature.Get(context).RequestId.Replace("-", string.Empty, StringComparison.Ordinal);
        if (!ResponsesRequestParser.TryParse(root, prior, "msg_" + id["resp_".Length..] + "_in", out var request, out var error))
        {
            await OpenAiResponses.WriteErrorAsync(context, error);
            return;
        }

        if (ShapeHeaders.Read(context.Request.Headers, _options, out var shape, out var chunkDelayMs) is { } problem)
        {
            await OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.InvalidBody(problem));
            return;
        }

        var profile = profiles.For(request.Model);
        chunkDelayMs = Profiles.AnswerProfiles.ChunkDelay(profile, context.Request.Headers, chunkDelayMs);
        var reply = UsageFault.Apply(ReplyPlanner.Plan(request.Prompt, shape, state.Script, profile), context);
        await Profiles.AnswerProfiles.DelayAsync(profile, timeProvider, context.RequestAborted);
        var draft = ResponseDraft.Build(id, timeProvider.GetUtcNow().ToUnixTimeSeconds(), request, reply);
        if (request.Store)
        {
            state.Responses.Add(new StoredResponse(id, Serialize(draft), request.InputItems, draft.ConversationAfter()));
        }

        if (request.Stream)
        {
            await ResponseStreamWriter.WriteAsync(context, draft, chunkDelayMs, timeProvider);
        }
        else
        {
            await OpenAiResponses.WriteJsonAsync(context, draft, static (json, d) => ResponseObjectWriter.Write(json, d, final: true));
        }
    }

    public Task GetAsync(HttpContext context)
    {
        if (Find(context) is not { } stored)
        {
            return NotFoundAsync(context);
        }

        return OpenAiResponses.WriteJsonAsync(context, stored.Json, static (json, bytes) => json.WriteRawValue(bytes, skipInputValidation: true));
    }

    public Task DeleteAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        if (!state.Responses.Remove(id))
        {
            return NotFoundAsync(context);
        }

        return OpenAiResponses.WriteJsonAsync(context, id, static (json, deleted) =>
        {
            json.WriteStartObject();
            json.WriteString("id"u8, deleted);
            json.WriteString("object"u8, "response"u8);
            json.WriteBoolean("deleted"u8, true);
            json.WriteEndObject();
        });
    }

    /// <summary>The stored response's input items, newest first unless <c>order=asc</c>, in one page.</summary>
    public Task InputItemsAsync(HttpContext context)
    {
        if (Find(context) is not { } stored)
        {
            return NotFoundAsync(context);
        }

        var items = context.Request.Query["order"] == "asc" ? stored.InputItems : stored.InputItems.Reverse().ToList();
        return OpenAiResponses.WriteJsonAsync(context, items, static (json, list) =>
        {
            json.WriteStartObject();
            json.WriteString("object"u8, "list"u8);
            json.WriteStartArray("data"u8);
            foreach (var item in list)
            {
                json.WriteRawValue(item, skipInputValidation: true);
            }

            json.WriteEndArray();
            json.WriteString("first_id"u8, list.Count > 0 ? IdOf(list[0]) : null);
            json.WriteString("last_id"u8, list.Count > 0 ? IdOf(list[^1]) : null);
            json.WriteBoolean("has_more"u8, false);
            json.WriteEndObject();
        });
    }

    private StoredResponse? Find(HttpContext context) => state.Responses.Find((string)context.Request.RouteValues["id"]!);

    private static Task NotFoundAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        return OpenAiResponses.WriteErrorAsync(context, new OpenAiError(
            StatusCodes.Status404NotFound, $"Response with id '{id}' not found.", OpenAiErrors.InvalidRequest));
    }

    private static string? IdOf(string item)
    {
        using var document = JsonDocument.Parse(item);
        return JsonRead.TryGetString(document.RootElement, "id", out var id) ? id : null;
    }

    private static byte[] Serialize(ResponseDraft draft)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer, OpenAiJson.WriterOptions))
        {
            ResponseObjectWriter.Write(json, draft, final: true);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
