using System.Text;
using System.Text.Json;
using ModelGateway.Providers.Translation;

namespace ModelGateway.Providers.Anthropic;

/// <summary>Translates a whole Anthropic <c>message</c> into an OpenAI <c>chat.completion</c>.</summary>
internal static class AnthropicResponseReader
{
    public static TranslatedCompletion? Read(JsonElement message, long created, string fallbackModel, string? structuredTool)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        StringBuilder? text = null;
        var calls = new List<TranslatedToolCall>();
        var answeredByStructuredTool = false;
        foreach (var block in content.EnumerateArray())
        {
            switch (block.TryGetProperty("type", out var type) ? type.GetString() : null)
            {
                case "text":
                    (text ??= new StringBuilder()).Append(block.GetProperty("text").GetString());
                    break;
                case "tool_use" when block.GetProperty("name").GetString() == structuredTool:
                    (text ??= new StringBuilder()).Append(block.GetProperty("input").GetRawText());
                    answeredByStructuredTool = true;
                    break;
                case "tool_use":
                    calls.Add(new TranslatedToolCall(
                        block.GetProperty("id").GetString()!, block.GetProperty("name").GetString()!, block.GetProperty("input").GetRawText()));
                    break;
            }
        }

        var stopReason = message.TryGetProperty("stop_reason", out var stop) && stop.ValueKind == JsonValueKind.String ? stop.GetString() : null;
        return new TranslatedCompletion
        {
            Id = message.TryGetProperty("id", out var id) ? id.GetString() ?? "msg" : "msg",
            Model = message.TryGetProperty("model", out var model) && model.GetString() is { } name ? name : fallbackModel,
            Created = created,
            Content = text?.ToString(),
            ToolCalls = calls,
            FinishReason = answeredByStructuredTool && stopReason == "tool_use" ? "stop" : AnthropicWire.FinishReason(stopReason),
            Usage = message.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object ? AnthropicWire.Usage(usage) : null,
        };
    }
}
