using System.Globalization;
using System.Text.Json;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Azure;

/// <summary>
/// Azure OpenAI's errors: <c>{"error":{"code","message"}}</c>, and for a filtered prompt a 400 with
/// <c>code:"content_filter"</c> and the filter results. A simulated 400 fault on an Azure path is a filtered prompt.
/// </summary>
internal static class AzureErrors
{
    public static Task WriteFaultAsync(HttpContext context, int status, string? message, int? retryAfterSeconds)
    {
        switch (status)
        {
            case 400:
                return WriteBodyAsync(context, 400, static (json, message) =>
                {
                    json.WriteString("message"u8, message ?? "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. (simulated fault)");
                    json.WriteNull("type"u8);
                    json.WriteString("param"u8, "prompt"u8);
                    json.WriteString("code"u8, "content_filter"u8);
                    json.WriteNumber("status"u8, 400);
                    json.WriteStartObject("innererror"u8);
                    json.WriteString("code"u8, "ResponsibleAIPolicyViolation"u8);
                    json.WriteStartObject("content_filter_result"u8);
                    WriteCategory(json, "hate"u8, filtered: true, "high"u8);
                    WriteCategory(json, "self_harm"u8, filtered: false, "safe"u8);
                    WriteCategory(json, "sexual"u8, filtered: false, "safe"u8);
                    WriteCategory(json, "violence"u8, filtered: false, "safe"u8);
                    json.WriteEndObject();
                    json.WriteEndObject();
                }, message);
            case 429:
                var seconds = retryAfterSeconds ?? 1;
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers["x-ms-retry-after-ms"] = (seconds * 1000).ToString(CultureInfo.InvariantCulture);
                return WriteAsync(context, 429, "429", message
                    ?? $"Requests to the ChatCompletions_Create Operation have exceeded the token rate limit of your current tier. Please retry after {seconds} seconds. (simulated fault)");
            default:
                return OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.ForStatus(status, message), retryAfterSeconds);
        }
    }

    public static Task WriteAsync(HttpContext context, int status, string code, string message) =>
        WriteBodyAsync(context, status, (json, state) =>
        {
            json.WriteString("code"u8, state.code);
            json.WriteString("message"u8, state.message);
        }, (code, message));

    /// <summary>Per-category filter results, as Azure puts in <c>prompt_filter_results</c> and <c>content_filter_results</c>.</summary>
    public static void WriteCategory(Utf8JsonWriter json, ReadOnlySpan<byte> name, bool filtered, ReadOnlySpan<byte> severity)
    {
        json.WriteStartObject(name);
        json.WriteBoolean("filtered"u8, filtered);
        json.WriteString("severity"u8, severity);
        json.WriteEndObject();
    }

    private static async Task WriteBodyAsync<T>(HttpContext context, int status, Action<Utf8JsonWriter, T> error, T state)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        await using (var json = new Utf8JsonWriter(response.BodyWriter, OpenAiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("error"u8);
            error(json, state);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }
}
