using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// The OpenAI Responses API (<c>POST /v1/responses</c>). The body is read once into a <see cref="ResponsesRequest"/>
/// and the canonical chat completions form; a <c>previous_response_id</c> the gateway stored is expanded into the
/// conversation's items first (and the request carries that conversation's sensitivity). Deployments with the
/// <c>responses</c> capability get the client's bytes; the others the canonical form, rendered back by
/// <see cref="ResponsesRenderer"/>.
/// </summary>
internal sealed class ResponsesProtocol : IInboundModule
{
    /// <summary>Lists built-in tools (web_search...) that were not offered to a deployment that cannot run them.</summary>
    public const string DroppedToolsHeader = "x-gateway-dropped-tools";

    public static readonly ResponsesProtocol Instance = new();

    public InboundProtocol Protocol => InboundProtocol.OpenAiResponses;

    public Operation Operation => Operation.Responses;

    /// <summary>A sample body (the admin dry-run, route explain): read as sent, with no stored conversation.</summary>
    public ParsedBody? Parse(ReadOnlySpan<byte> body, out GatewayError? error)
    {
        if (ResponsesRequestReader.Read(body.ToArray(), out error) is not { } request
            || CanonicalChatWriter.Write(request, out error) is not { } canonical)
        {
            return null;
        }

        return Facts(request, canonical);
    }

    public async ValueTask<(ParsedBody? Parsed, GatewayError? Error)> ParseAsync(HttpContext context, Caller caller, RequestBody body)
    {
        if (ResponsesRequestReader.Read(body.Memory, out var error) is not { } request)
        {
            return (null, error);
        }

        var store = context.RequestServices.GetRequiredService<IResponseStore>();
        var record = context.Features.GetRequiredFeature<GatewayRequestFeature>();
        var conversation = request.InputItems;
        var ownInput = request.InputItems;
        RequestBody? expanded = null;
        Sensitivity.SensitivityLevel? inherited = null;
        var upstreamChain = false;
        if (request.PreviousResponseId is { } previousId)
        {
            var previous = await store.GetAsync(previousId, context.RequestAborted);
            if (previous is not null && !previous.IsVisibleTo(caller, record.Snapshot?.Config.StoredResponseOwner ?? StoredResponseOwner.Key))
            {
                // Another key's (or team's) response is as unknown as one that never existed.
                return (null, PreviousNotFound(previousId));
            }

            if (previous is null)
            {
                // Not the gateway's: perhaps the upstream's own (stored at OpenAI). Only a native deployment can continue it.
                if (!HasNativeDeployment(record, request.Model))
                {
                    return (null, PreviousNotFound(previousId));
                }

                upstreamChain = true;
            }
        }

        if (request.PreviousResponseId is { } chainId && !upstreamChain)
        {
            var previous = (await store.GetAsync(chainId, context.RequestAborted))!;

            conversation = [.. Continuable(previous.Input), .. Continuable(previous.Output), .. request.InputItems];
            inherited = previous.Level;
            expanded = Expand(body.Span, conversation);
            request = request with { InputItems = conversation, ModelToken = ResponsesRequestReader.Read(expanded.Memory, out _)!.ModelToken };
        }

        // The chain's earlier calls are upstream-side: their outputs cannot be matched here.
        if (CanonicalChatWriter.Write(request, out error, checkCallOutputs: !upstreamChain) is not { } canonical)
        {
            expanded?.Dispose();
            return (null, error);
        }
        var exchange = new ResponsesExchange
        {
            Request = request,
            ResponseId = UniqueIds.Next("resp_"),
            CreatedAt = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds(),
            ConversationInput = conversation,
            OwnInput = ownInput,
            Store = store,
            Caller = caller,
            Record = record,
            InheritedLevel = inherited,
            Retention = record.Snapshot?.Config.StoredResponseRetention ?? GatewayConfig.DefaultStoredResponseRetention,
            TimeProvider = context.RequestServices.GetRequiredService<TimeProvider>(),
        };
        var facts = Facts(request, canonical);
        return (facts with
        {
            Needs = facts.Needs | (upstreamChain ? ModelCapabilities.Responses : 0),
            Protocol = exchange,
            Body = expanded,
            InheritedSensitivity = inherited,
        }, null);
    }

    public Task WriteErrorAsync(HttpContext context, GatewayError error) => error.WriteAsync(context);

    private static bool HasNativeDeployment(GatewayRequestFeature record, string model)
    {
        foreach (var deployment in record.Snapshot!.DeploymentsFor(model))
        {
            if (deployment.Config.Capabilities.HasFlag(ModelCapabilities.Responses))
            {
                return true;
            }
        }

        return false;
    }

    public ResponseSink RenderCanonical(ResponseSink client) =>
        throw new InvalidOperationException("A Responses answer is rendered by the request's own exchange, which knows the response id and settings.");

    public static GatewayError PreviousNotFound(string id) => new(
        StatusCodes.Status404NotFound, "invalid_request_error", "previous_response_not_found", $"Previous response with id '{id}' not found.", "previous_response_id");

    private static ParsedBody Facts(ResponsesRequest request, CanonicalRequest canonical)
    {
        var needs = ModelCapabilities.Chat;
        needs |= request.Functions.Count > 0 ? ModelCapabilities.Tools : 0;
        needs |= request.UsesImages ? ModelCapabilities.Vision : 0;
        needs |= request.UsesJsonSchema ? ModelCapabilities.JsonSchema : 0;

        // A forced built-in tool (web search...) only runs where the Responses API is served natively.
        needs |= request.ForcesBuiltInTool ? ModelCapabilities.Responses : 0;
        return new ParsedBody(request.Model, request.ModelToken, request.Stream, Chat: null, needs, request.MaxOutputTokens, canonical);
    }

    /// <summary>Stored items a continuation sends on: reasoning items stay behind (only their own provider could read them).</summary>
    private static IEnumerable<byte[]> Continuable(IReadOnlyList<byte[]> items)
    {
        foreach (var item in items)
        {
            if (item.AsSpan().IndexOf("\"type\":\"reasoning\""u8) < 0)
            {
                yield return item;
            }
        }
    }

    /// <summary>The client's body with <c>input</c> replaced by the whole conversation and no <c>previous_response_id</c>.</summary>
    private static RequestBody Expand(ReadOnlySpan<byte> body, List<byte[]> conversation)
    {
        var buffer = new ArrayBufferWriter<byte>(body.Length * 2);
        using (var json = new Utf8JsonWriter(buffer))
        using (var document = JsonDocument.Parse(body.ToArray()))
        {
            json.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.NameEquals("previous_response_id"u8))
                {
                    continue;
                }

                if (property.NameEquals("input"u8))
                {
                    json.WriteStartArray("input"u8);
                    foreach (var item in conversation)
                    {
                        json.WriteRawValue(item, skipInputValidation: true);
                    }

                    json.WriteEndArray();
                    continue;
                }

                property.WriteTo(json);
            }

            json.WriteEndObject();
        }

        return RequestBody.Copy(buffer.WrittenSpan);
    }
}
