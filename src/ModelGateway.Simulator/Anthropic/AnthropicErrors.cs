using System.Globalization;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Anthropic;

/// <summary>Anthropic's error envelope: <c>{"type":"error","error":{"type","message"},"request_id"}</c>.</summary>
internal static class AnthropicErrors
{
    public static string TypeFor(int status) => status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        504 => "timeout_error",
        529 => "overloaded_error",
        _ => "api_error",
    };

    public static Task WriteAsync(HttpContext context, int status, string? message, int? retryAfterSeconds)
    {
        var type = TypeFor(status);
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        var requestId = Hosting.SimulatorRequestFeature.Get(context).RequestId;
        context.Response.Headers["request-id"] = requestId;
        var text = message ?? type switch
        {
            "overloaded_error" => "Overloaded (simulated fault)",
            "rate_limit_error" => "Number of request tokens has exceeded your per-minute rate limit (simulated fault)",
            "authentication_error" => "invalid x-api-key (simulated fault)",
            _ => $"Simulated {type} (HTTP {status.ToString(CultureInfo.InvariantCulture)})",
        };
        return WriteBodyAsync(context, status, (type, text, requestId));
    }

    private static async Task WriteBodyAsync(HttpContext context, int status, (string Type, string Message, string RequestId) error)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        await using (var json = new System.Text.Json.Utf8JsonWriter(response.BodyWriter, OpenAiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "error"u8);
            json.WriteStartObject("error"u8);
            json.WriteString("type"u8, error.Type);
            json.WriteString("message"u8, error.Message);
            json.WriteEndObject();
            json.WriteString("request_id"u8, error.RequestId);
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
