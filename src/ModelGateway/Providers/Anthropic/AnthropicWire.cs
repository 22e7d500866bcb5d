using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Anthropic;

/// <summary>Anthropic's stop reasons and usage in OpenAI's terms (protocols.md section 2).</summary>
internal static class AnthropicWire
{
    public static string FinishReason(string? stopReason) => stopReason switch
    {
        "max_tokens" or "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop",
    };

    /// <summary>Reads a usage object; fields it lacks keep their value from <paramref name="previous"/> (stream deltas).</summary>
    public static TokenUsage Usage(JsonElement usage, TokenUsage? previous = null)
    {
        var cacheRead = Int(usage, "cache_read_input_tokens");
        var cacheCreation = Int(usage, "cache_creation_input_tokens");
        var input = Int(usage, "input_tokens");
        var output = Int(usage, "output_tokens");
        if (previous is { } before && input is null && cacheRead is null && cacheCreation is null)
        {
            return before with { CompletionTokens = output ?? before.CompletionTokens };
        }

        var read = cacheRead ?? 0;
        var written = cacheCreation ?? 0;
        return new TokenUsage((input ?? 0) + read + written, read, output ?? previous?.CompletionTokens ?? 0, 0, written);
    }

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;
}
