using System.Globalization;
using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Gemini;

/// <summary>Gemini's finish reasons, usage and function calls in OpenAI's terms (protocols.md section 3).</summary>
internal static class GeminiWire
{
    public static string FinishReason(string? reason, bool calledTools) => reason switch
    {
        _ when calledTools => "tool_calls",
        "MAX_TOKENS" => "length",
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" or "LANGUAGE" => "content_filter",
        _ => "stop",
    };

    /// <summary>prompt = promptTokenCount (cached included), completion = candidates + thoughts, reasoning = thoughts.</summary>
    public static TokenUsage Usage(JsonElement metadata)
    {
        var thoughts = Int(metadata, "thoughtsTokenCount");
        return new TokenUsage(Int(metadata, "promptTokenCount"), Int(metadata, "cachedContentTokenCount"), Int(metadata, "candidatesTokenCount") + thoughts, thoughts);
    }

    /// <summary>Gemini calls may lack an id; OpenAI clients need one to answer the call.</summary>
    public static string CallId(JsonElement call, string responseId, int index) =>
        call.TryGetProperty("id", out var id) && id.GetString() is { Length: > 0 } given
            ? given
            : string.Create(CultureInfo.InvariantCulture, $"call_{responseId}_{index}");

    public static string ResponseId(JsonElement response, string fallback) =>
        response.TryGetProperty("responseId", out var id) && id.GetString() is { Length: > 0 } given ? given : fallback;

    public static string Model(JsonElement response, string fallback) =>
        response.TryGetProperty("modelVersion", out var model) && model.GetString() is { Length: > 0 } given ? given : fallback;

    private static int Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : 0;
}
