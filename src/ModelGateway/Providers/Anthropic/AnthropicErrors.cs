using System.Text.Json;
using ModelGateway.Providers.OpenAi;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Anthropic;

/// <summary>
/// Maps Anthropic's <c>{"type":"error","error":{"type","message"}}</c> to the OpenAI envelope and a retry decision:
/// request errors are the client's (not retried), overload (529), rate limits and server errors may fall back.
/// </summary>
internal static class AnthropicErrors
{
    public static UpstreamOutcome Map(int status, TimeSpan? retryAfter, ReadOnlySpan<byte> body)
    {
        var (type, message) = Read(body);
        return Map(status, type, message, retryAfter);
    }

    /// <summary>An <c>error</c> event inside a stream, where the status is implied by the error type.</summary>
    public static UpstreamOutcome MapEvent(JsonElement error)
    {
        var type = error.TryGetProperty("type", out var t) ? t.GetString() : null;
        var message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
        var status = type switch
        {
            "invalid_request_error" => 400,
            "authentication_error" => 401,
            "permission_error" => 403,
            "not_found_error" => 404,
            "request_too_large" => 413,
            "rate_limit_error" => 429,
            "timeout_error" => 504,
            "overloaded_error" => 529,
            _ => 500,
        };
        return Map(status, type, message, retryAfter: null);
    }

    private static UpstreamOutcome Map(int status, string? type, string? message, TimeSpan? retryAfter)
    {
        if (status == 529 || type == "overloaded_error")
        {
            return UpstreamOutcome.Failure(
                new GatewayError(StatusCodes.Status503ServiceUnavailable, "server_error", "upstream_overloaded",
                    "The upstream provider is overloaded; retry after the indicated delay.") { RetryAfter = retryAfter ?? TimeSpan.FromSeconds(1) },
                retryable: true,
                FailureKind.UpstreamOverloaded);
        }

        var openAiType = status is 400 or 413 or 422 ? "invalid_request_error" : type;
        return UpstreamFailures.FromErrorResponse(new UpstreamErrorResponse(status, retryAfter, message, openAiType, type, null), status);
    }

    private static (string? Type, string? Message) Read(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                return (error.TryGetProperty("type", out var t) ? t.GetString() : null, error.TryGetProperty("message", out var m) ? m.GetString() : null);
            }
        }
        catch (JsonException)
        {
            // Not Anthropic's envelope: the status decides.
        }

        return (null, null);
    }
}
