using System.Globalization;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace ModelGateway.Requests;

/// <summary>
/// An error the gateway reports to a client, always in OpenAI's envelope
/// <c>{"error":{"message","type","param","code"}}</c> so every OpenAI SDK maps it to its own exception type.
/// </summary>
public sealed record GatewayError(int Status, string Type, string? Code, string Message, string? Param = null)
{
    /// <summary>When set, sent as <c>retry-after</c> and <c>retry-after-ms</c>: waiting this long may help.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>When false, <c>x-should-retry: false</c> tells SDKs that honour it not to retry.</summary>
    public bool? ShouldRetry { get; init; }

    public static GatewayError InvalidRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, "invalid_request_error", code, message, param);

    public static GatewayError ModelNotFound(string model) =>
        new(StatusCodes.Status404NotFound, "invalid_request_error", "model_not_found",
            $"The model '{model}' does not exist or you do not have access to it.", "model");

    public static GatewayError MissingKey() =>
        new(StatusCodes.Status401Unauthorized, "invalid_request_error", "missing_api_key",
            "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' (or as 'x-api-key: <key>').");

    public static GatewayError InvalidKey() =>
        new(StatusCodes.Status401Unauthorized, "invalid_request_error", "invalid_api_key", "Incorrect API key provided.");

    public static GatewayError ExpiredKey() =>
        new(StatusCodes.Status401Unauthorized, "invalid_request_error", "invalid_api_key", "The API key provided has expired.");

    public static GatewayError BodyTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "invalid_request_error", "request_too_large",
            string.Create(CultureInfo.InvariantCulture, $"The request body is larger than the limit of {limit} bytes."));

    public static GatewayError Internal() =>
        new(StatusCodes.Status500InternalServerError, "server_error", "internal_error",
            "The gateway failed to process the request. Quote the x-request-id header when reporting this.");

    public async Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = Status;
        response.ContentType = "application/json";
        if (RetryAfter is { } delay)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(delay.TotalSeconds));
            response.Headers[HeaderNames.RetryAfter] = seconds.ToString(CultureInfo.InvariantCulture);
            response.Headers["retry-after-ms"] = ((long)Math.Ceiling(delay.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        }

        if (ShouldRetry is { } shouldRetry)
        {
            response.Headers["x-should-retry"] = shouldRetry ? "true" : "false";
        }

        using (var writer = new Utf8JsonWriter(response.BodyWriter))
        {
            WriteEnvelope(writer);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>Writes <c>{"error":{...}}</c>.</summary>
    public void WriteEnvelope(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error"u8);
        writer.WriteString("message"u8, Message);
        writer.WriteString("type"u8, Type);
        writer.WriteString("param"u8, Param);
        writer.WriteString("code"u8, Code);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
