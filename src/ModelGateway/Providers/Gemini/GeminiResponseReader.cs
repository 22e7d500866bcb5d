using System.Text;
using System.Text.Json;
using ModelGateway.Providers.Translation;

namespace ModelGateway.Providers.Gemini;

/// <summary>Translates a whole <c>GenerateContentResponse</c> into an OpenAI <c>chat.completion</c>.</summary>
internal static class GeminiResponseReader
{
    public static TranslatedCompletion? Read(JsonElement response, long created, string fallbackModel, string fallbackId)
    {
        if (response.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var id = GeminiWire.ResponseId(response, fallbackId);
        StringBuilder? text = null;
        var calls = new List<TranslatedToolCall>();
        string? reason = null;
        if (response.TryGetProperty("candidates", out var candidates) && candidates.ValueKind == JsonValueKind.Array && candidates.GetArrayLength() > 0)
        {
            var candidate = candidates[0];
            reason = candidate.TryGetProperty("finishReason", out var finish) ? finish.GetString() : null;
            if (candidate.TryGetProperty("content", out var content) && content.TryGetProperty("parts", out var parts))
            {
                foreach (var part in parts.EnumerateArray())
                {
                    if (part.TryGetProperty("thought", out var thought) && thought.ValueKind == JsonValueKind.True)
                    {
                        continue;
                    }

                    if (part.TryGetProperty("text", out var partText))
                    {
                        (text ??= new StringBuilder()).Append(partText.GetString());
                    }
                    else if (part.TryGetProperty("functionCall", out var call))
                    {
                        calls.Add(new TranslatedToolCall(
                            GeminiWire.CallId(call, id, calls.Count),
                            call.GetProperty("name").GetString()!,
                            call.TryGetProperty("args", out var args) ? args.GetRawText() : "{}"));
                    }
                }
            }
        }
        else if (response.TryGetProperty("promptFeedback", out var feedback) && feedback.TryGetProperty("blockReason", out _))
        {
            reason = "SAFETY";
        }
        else
        {
            return null;
        }

        return new TranslatedCompletion
        {
            Id = id,
            Model = GeminiWire.Model(response, fallbackModel),
            Created = created,
            Content = text?.ToString() ?? (calls.Count == 0 ? string.Empty : null),
            ToolCalls = calls,
            FinishReason = GeminiWire.FinishReason(reason, calls.Count > 0),
            Usage = response.TryGetProperty("usageMetadata", out var usage) ? GeminiWire.Usage(usage) : null,
        };
    }
}
