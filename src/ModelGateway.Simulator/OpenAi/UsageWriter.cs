using System.Text.Json;
using ModelGateway.Simulator.Dialects;
using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>Writes the <c>usage</c> object in the simulated host's style (OpenAI's has both details objects).</summary>
internal static class UsageWriter
{
    public static void Write(Utf8JsonWriter writer, ChatUsage usage, UsageStyle style = UsageStyle.OpenAi)
    {
        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        writer.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        writer.WriteNumber("total_tokens"u8, usage.TotalTokens);
        switch (style)
        {
            case UsageStyle.DeepSeek:
                writer.WriteNumber("prompt_cache_hit_tokens"u8, usage.CachedTokens);
                writer.WriteNumber("prompt_cache_miss_tokens"u8, usage.PromptTokens - usage.CachedTokens);
                WriteCompletionDetails(writer, usage);
                break;
            case UsageStyle.Moonshot:
                writer.WriteNumber("cached_tokens"u8, usage.CachedTokens);
                break;
            default:
                writer.WriteStartObject("prompt_tokens_details"u8);
                writer.WriteNumber("cached_tokens"u8, usage.CachedTokens);
                writer.WriteNumber("audio_tokens"u8, 0);
                writer.WriteEndObject();
                WriteCompletionDetails(writer, usage);
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteCompletionDetails(Utf8JsonWriter writer, ChatUsage usage)
    {
        writer.WriteStartObject("completion_tokens_details"u8);
        writer.WriteNumber("reasoning_tokens"u8, usage.ReasoningTokens);
        writer.WriteNumber("audio_tokens"u8, 0);
        writer.WriteNumber("accepted_prediction_tokens"u8, 0);
        writer.WriteNumber("rejected_prediction_tokens"u8, 0);
        writer.WriteEndObject();
    }
}
