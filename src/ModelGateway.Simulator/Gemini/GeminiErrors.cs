using System.Globalization;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Gemini;

/// <summary>Google's error envelope: <c>{"error":{"code","message","status"}}</c>.</summary>
internal static class GeminiErrors
{
    public static string StatusFor(int status) => status switch
    {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        409 => "ABORTED",
        429 => "RESOURCE_EXHAUSTED",
        499 => "CANCELLED",
        501 => "NOT_IMPLEMENTED",
        503 => "UNAVAILABLE",
        504 => "DEADLINE_EXCEEDED",
        _ => status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION",
    };

    public static async Task WriteAsync(HttpContext context, int status, string? message, int? retryAfterSeconds)
    {
        var response = context.Response;
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        response.StatusCode = status;
        response.ContentType = "application/json; charset=UTF-8";
        var code = StatusFor(status);
        await using (var json = new System.Text.Json.Utf8JsonWriter(response.BodyWriter, OpenAiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("error"u8);
            json.WriteNumber("code"u8, status);
            json.WriteString("message"u8, message ?? $"Simulated {code} (simulated fault)");
            json.WriteString("status"u8, code);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
