using System.Text.Json;
using ModelGateway.Providers.Translation;

namespace ModelGateway.Providers.Gemini;

/// <summary>
/// Gemini stream events (each a whole <c>GenerateContentResponse</c>, no end marker) to OpenAI chunks: text parts
/// become content, each function call (which Gemini sends whole) a tool call start plus one argument fragment,
/// the candidate's finish reason the finish chunk. The stream is complete when the body ends after a finish reason.
/// </summary>
internal sealed class GeminiStreamTranslator : StreamTranslator
{
    private readonly string _fallbackModel;
    private readonly string _fallbackId;
    private bool _started;
    private int _toolCalls;
    private string _id = string.Empty;

    public GeminiStreamTranslator(OpenAiChunkWriter chunks, string fallbackModel, string fallbackId)
        : base(chunks)
    {
        _fallbackModel = fallbackModel;
        _fallbackId = fallbackId;
    }

    public override void OnEvent(string eventType, ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        using var document = JsonDocument.ParseValue(ref reader);
        var response = document.RootElement;
        if (response.TryGetProperty("error", out var error))
        {
            Error = GeminiErrors.MapEvent(error);
            return;
        }

        if (!_started)
        {
            _started = true;
            _id = GeminiWire.ResponseId(response, _fallbackId);
            Chunks.SetIdentity(_id, GeminiWire.Model(response, _fallbackModel));
            Chunks.Role();
        }

        if (response.TryGetProperty("usageMetadata", out var usage))
        {
            Usage = GeminiWire.Usage(usage);
        }

        if (!response.TryGetProperty("candidates", out var candidates) || candidates.GetArrayLength() == 0)
        {
            if (response.TryGetProperty("promptFeedback", out var feedback) && feedback.TryGetProperty("blockReason", out _))
            {
                Finish("SAFETY");
            }

            return;
        }

        var candidate = candidates[0];
        if (candidate.TryGetProperty("content", out var content) && content.TryGetProperty("parts", out var parts))
        {
            foreach (var part in parts.EnumerateArray())
            {
                if (part.TryGetProperty("thought", out var thought) && thought.ValueKind == JsonValueKind.True)
                {
                    continue;
                }

                if (part.TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 } fragment)
                {
                    Chunks.Content(fragment);
                }
                else if (part.TryGetProperty("functionCall", out var call))
                {
                    var index = _toolCalls++;
                    Chunks.ToolCallStart(index, GeminiWire.CallId(call, _id, index), call.GetProperty("name").GetString()!);
                    Chunks.ToolCallArguments(index, call.TryGetProperty("args", out var args) ? args.GetRawText() : "{}");
                }
            }
        }

        if (candidate.TryGetProperty("finishReason", out var reason) && reason.GetString() is { } finish)
        {
            Finish(finish);
        }
    }

    private void Finish(string reason)
    {
        if (Completed)
        {
            return;
        }

        Chunks.Finish(GeminiWire.FinishReason(reason, _toolCalls > 0));
        Completed = true;
    }
}
