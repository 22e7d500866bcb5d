using System.Globalization;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using ModelGateway.Providers.Translation;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>
/// A gateway error in Anthropic's envelope <c>{"type":"error","error":{"type","message"}}</c> with Anthropic's status
/// codes, so the Anthropic SDKs raise their typed exceptions (an overloaded upstream is 529 <c>overloaded_error</c>).
/// </summary>
internal static class AnthropicErrorEnvelope
{
    public static (int Status, string Type) Classify(GatewayError error) => error.Status switch
    {
        _ when error.Code == "upstream_overloaded" => (529, "overloaded_error"),
        400 or 422 => (400, "invalid_request_error"),
        401 => (401, "authentication_error"),
        402 => (402, "billing_error"),
        403 => (403, "permission_error"),
        404 => (404, "not_found_error"),
        413 => (413, "request_too_large"),
        429 => (429, "rate_limit_error"),
        504 => (504, "timeout_error"),
        529 => (529, "overloaded_error"),
        >= 500 => (error.Status, "api_error"),
        _ => (error.Status, "invalid_request_error"),
    };

    public static async Task WriteAsync(HttpContext context, GatewayError error)
    {
        var response = context.Response;
        var (status, _) = Classify(error);
        response.StatusCode = status;
        response.ContentType = "application/json";
        if (error.RetryAfter is { } delay)
        {
            response.Headers[HeaderNames.RetryAfter] = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            response.Headers["retry-after-ms"] = ((long)Math.Ceiling(delay.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (error.ShouldRetry is { } shouldRetry)
        {
            response.Headers["x-should-retry"] = shouldRetry ? "true" : "false";
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter, OpenAiChunkWriter.WriterOptions))
        {
            Write(writer, error);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>Writes <c>{"type":"error","error":{"type","message"}}</c> (also the data of a stream's <c>error</c> event).</summary>
    public static void Write(Utf8JsonWriter writer, GatewayError error)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "error"u8);
        writer.WriteStartObject("error"u8);
        writer.WriteString("type"u8, Classify(error).Type);
        writer.WriteString("message"u8, error.Message);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
