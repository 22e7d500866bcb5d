using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Translation;

/// <summary>Writes an OpenAI <c>usage</c> object, details included, so cached and reasoning tokens reach the client.</summary>
internal static class OpenAiUsageJson
{
    public static void Write(Utf8JsonWriter json, TokenUsage usage)
    {
        json.WriteStartObject();
        json.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        json.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        json.WriteNumber("total_tokens"u8, usage.TotalTokens);
        json.WriteStartObject("prompt_tokens_details"u8);
        json.WriteNumber("cached_tokens"u8, usage.CachedPromptTokens);
        json.WriteNumber("audio_tokens"u8, 0);
        json.WriteEndObject();
        json.WriteStartObject("completion_tokens_details"u8);
        json.WriteNumber("reasoning_tokens"u8, usage.ReasoningTokens);
        json.WriteNumber("audio_tokens"u8, 0);
        json.WriteNumber("accepted_prediction_tokens"u8, 0);
        json.WriteNumber("rejected_prediction_tokens"u8, 0);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
