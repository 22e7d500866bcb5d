using System.Text.Json;
using ModelGateway.Providers.OpenAi;

namespace ModelGateway.Providers.Gemini;

/// <summary>
/// Maps Google's <c>{"error":{"code","message","status"}}</c> to the OpenAI envelope: INVALID_ARGUMENT and
/// FAILED_PRECONDITION are the client's (400, not retried); RESOURCE_EXHAUSTED is a 429; the rest may fall back.
/// </summary>
internal static class GeminiErrors
{
    public static UpstreamOutcome Map(int status, TimeSpan? retryAfter, ReadOnlySpan<byte> body)
    {
        string? message = null, code = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out var error))
            {
                (message, code) = Read(error);
            }
        }
        catch (JsonException)
        {
            // Not Google's envelope: the status decides.
        }

        return Map(status, message, code, retryAfter);
    }

    public static UpstreamOutcome MapEvent(JsonElement error)
    {
        var (message, code) = Read(error);
        var status = error.TryGetProperty("code", out var number) && number.ValueKind == JsonValueKind.Number ? number.GetInt32() : 500;
        return Map(status, message, code, retryAfter: null);
    }

    private static UpstreamOutcome Map(int status, string? message, string? code, TimeSpan? retryAfter) =>
        UpstreamFailures.FromErrorResponse(
            new UpstreamErrorResponse(status, retryAfter, message, status is 400 or 413 or 422 ? "invalid_request_error" : null, code?.ToLowerInvariant(), null),
            status);

    private static (string? Message, string? Code) Read(JsonElement error) =>
        (error.TryGetProperty("message", out var m) ? m.GetString() : null, error.TryGetProperty("status", out var s) ? s.GetString() : null);
}
