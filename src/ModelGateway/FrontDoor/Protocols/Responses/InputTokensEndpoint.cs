using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// <c>POST /v1/responses/input_tokens</c>: the gateway's own estimate of a Responses body's input tokens, answered
/// as OpenAI does (<c>{"object":"response.input_tokens","input_tokens":n}</c>) without calling any upstream. The body
/// is read as a real request would be (a stored <c>previous_response_id</c> is expanded, for its owner only) and the
/// o200k tokenizer counts its canonical form, as for quota reservations and <c>/v1/messages/count_tokens</c>.
/// </summary>
internal static class InputTokensEndpoint
{
    public const string Path = "/v1/responses/input_tokens";

    public static async Task ServeAsync(HttpContext context)
    {
        var module = ResponsesProtocol.Instance;
        var record = context.Features.GetRequiredFeature<GatewayRequestFeature>();
        var (body, readError) = await RequestBody.ReadAsync(context, record.Snapshot!.Config.MaxRequestBodyBytes);
        if (body is null)
        {
            await module.WriteErrorAsync(context, readError!);
            return;
        }

        using (body)
        {
            var (parsed, error) = await module.ParseAsync(context, record.Caller!, body);
            if (parsed is null)
            {
                await module.WriteErrorAsync(context, error!);
                return;
            }

            using var canonical = parsed.Canonical!.Body;
            using var expanded = parsed.Body;
            record.Model = parsed.Model;
            if (!record.Caller!.MayUse(parsed.Model) || !record.Snapshot.IsKnownModel(parsed.Model))
            {
                await module.WriteErrorAsync(context, GatewayError.ModelNotFound(parsed.Model));
                return;
            }

            var tokens = PromptTokenEstimator.Estimate(canonical.Span, useTokenizer: true);
            context.Response.ContentType = "application/json";
            using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
            {
                writer.WriteStartObject();
                writer.WriteString("object"u8, "response.input_tokens"u8);
                writer.WriteNumber("input_tokens"u8, tokens);
                writer.WriteEndObject();
            }

            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
    }
}
