using System.Text.Json;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Dialects;

/// <summary>What a simulated host refuses in a chat request that OpenAI accepts.</summary>
internal static class DialectRequestRules
{
    /// <summary>
    /// DeepSeek answers 400 when an assistant turn without tool calls carries <c>reasoning_content</c> (its
    /// reasoning-model guide); a tool-call turn's reasoning is allowed (thinking mode requires it back).
    /// </summary>
    public static OpenAiError? Check(SimulatedDialect dialect, JsonElement root)
    {
        if (!dialect.RejectsReasoningHistory || !root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind == JsonValueKind.Object
                && message.TryGetProperty("role", out var role) && role.ValueEquals("assistant")
                && message.TryGetProperty("reasoning_content", out _)
                && !(message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0))
            {
                return OpenAiErrors.InvalidValue(
                    $"messages[{index}].reasoning_content",
                    $"messages[{index}]: reasoning_content of a previous turn must not be sent back in the input messages. (ModelGateway simulator, deepseek dialect)");
            }

            index++;
        }

        return null;
    }
}
