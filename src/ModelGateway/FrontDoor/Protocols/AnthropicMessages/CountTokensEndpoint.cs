using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>: the gateway's own estimate of a Messages body's input tokens (the o200k
/// tokenizer over its canonical form, as for quota reservations), answered without calling any upstream, so it works
/// whatever deployment would serve the model. Claude Code uses it to watch its context window.
/// </summary>
internal static class CountTokensEndpoint
{
    public static async Task ServeAsync(HttpContext context)
    {
        var module = AnthropicMessagesProtocol.Instance;
        var record = context.Features.GetRequiredFeature<GatewayRequestFeature>();
        var (body, readError) = await RequestBody.ReadAsync(context, record.Snapshot!.Config.MaxRequestBodyBytes);
        if (body is null)
        {
            await module.WriteErrorAsync(context, readError!);
            return;
        }

        using (body)
        {
            if (MessagesRequestParser.Parse(body.Span, countTokens: true, out var error) is not { } parsed)
            {
                await module.WriteErrorAsync(context, error!);
                return;
            }

            using var canonical = parsed.Canonical!.Body;
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
                writer.WriteNumber("input_tokens"u8, tokens);
                writer.WriteEndObject();
            }

            await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
        }
    }
}
